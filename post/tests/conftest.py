"""Fixtures: HDF5 files made by the qcoll binary and synthetic files.

Environment (set by CTest, see tests/CMakeLists.txt):
  QCOLL_BINARY      the qcoll executable (default: <source>/build/qcoll)
  QCOLL_SOURCE_DIR  the source tree (default: two levels above this file)
Tasks the binary does not implement yet are skipped with the reason printed.
"""
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
POST_DIR = os.path.dirname(TESTS_DIR)
for path in (POST_DIR, TESTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import synthetic  # noqa: E402

DECKS_DIR = os.path.join(TESTS_DIR, "decks")
NOT_AVAILABLE = re.compile(r"not available|not implemented|unknown task", re.IGNORECASE)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def source_dir():
    return os.environ.get("QCOLL_SOURCE_DIR") or os.path.dirname(POST_DIR)


def deck_path(name):
    return os.path.join(DECKS_DIR, name)


def load_deck(name):
    with open(deck_path(name), "rb") as f:
        return tomllib.load(f)


@pytest.fixture(scope="session")
def qcoll_binary():
    binary = os.environ.get("QCOLL_BINARY") or os.path.join(source_dir(), "build", "qcoll")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.skip(f"no qcoll binary at {binary} (set QCOLL_BINARY)")
    return binary


def mpi_env():
    env = dict(os.environ)
    env.update({"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
                "OMPI_MCA_rmaps_base_oversubscribe": "1"})
    return env


def run_qcoll(binary, task, deck, output, *extra, nranks=1, cwd=None):
    """Run `qcoll TASK DECK -o OUTPUT --overwrite EXTRA...`; skip if the task is missing.

    Returns the output path. Any other failure fails the test with stderr.
    """
    command = [binary, task, deck, "-o", str(output), "--overwrite", *extra]
    if nranks > 1:
        mpiexec = shutil.which("mpiexec")
        if mpiexec is None:
            pytest.skip("mpiexec not found: cannot run qcoll on several ranks")
        command = [mpiexec, "-n", str(nranks), "--oversubscribe", *command]
    proc = subprocess.run(command, cwd=cwd or os.path.dirname(str(output)), env=mpi_env(),
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        if NOT_AVAILABLE.search(proc.stderr):
            reason = f"qcoll {task}: {proc.stderr.strip()}"
            print(f"SKIP: {reason}")
            pytest.skip(reason)
        pytest.fail(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    return str(output)


@pytest.fixture(scope="session")
def qubit_evolve(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("qubit_evolve") / "qubit.h5"
    return run_qcoll(qcoll_binary, "evolve", deck_path("qubit.toml"), out)


@pytest.fixture(scope="session")
def maser_evolve_np2(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("maser_np2") / "maser.h5"
    return run_qcoll(qcoll_binary, "evolve", deck_path("maser.toml"), out, nranks=2)


@pytest.fixture(scope="session")
def maser_evolve_np1(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("maser_np1") / "maser.h5"
    return run_qcoll(qcoll_binary, "evolve", deck_path("maser.toml"), out)


@pytest.fixture(scope="session", params=["steady", "spectrum", "collide"])
def qubit_task(request, qcoll_binary, tmp_path_factory):
    """(task, path) of the qubit deck run with the binary's other tasks."""
    task = request.param
    out = tmp_path_factory.mktemp(f"qubit_{task}") / f"qubit_{task}.h5"
    return task, run_qcoll(qcoll_binary, task, deck_path("qubit.toml"), out)


@pytest.fixture(scope="session", params=sorted(synthetic.DECKS))
def synthetic_file(request, tmp_path_factory):
    """(deck name, path, reference Model) of a synthetic file with every group."""
    path = tmp_path_factory.mktemp("synthetic") / f"{request.param}.h5"
    model = synthetic.write_file(str(path), request.param)
    return request.param, str(path), model


def assert_png(path, min_bytes=15_000):
    """A readable, non-trivial PNG: signature, IHDR size and file size."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    width = int.from_bytes(head[16:20], "big")
    height = int.from_bytes(head[20:24], "big")
    assert width >= 400 and height >= 300, f"{path}: {width}x{height} px"
    size = os.path.getsize(path)
    assert size >= min_bytes, f"{path} is only {size} bytes"

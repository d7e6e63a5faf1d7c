"""Helpers shared by the tests: decks, running qcoll, checking PNG files."""
import os
import re
import shutil
import subprocess
import tomllib

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
POST_DIR = os.path.dirname(TESTS_DIR)
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

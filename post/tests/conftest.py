"""Fixtures: HDF5 files made by the qcoll binary and synthetic files.

Environment (set by CTest, see tests/CMakeLists.txt):
  QCOLL_BINARY      the qcoll executable (default: <source>/build/qcoll)
  QCOLL_SOURCE_DIR  the source tree (default: two levels above this file)
Tasks the binary does not implement yet are skipped with the reason printed.
"""
import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
POST_DIR = os.path.dirname(TESTS_DIR)
for path in (POST_DIR, TESTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)

import synthetic  # noqa: E402
from helpers import deck_path, run_qcoll, source_dir  # noqa: E402


@pytest.fixture(scope="session")
def qcoll_binary():
    binary = os.environ.get("QCOLL_BINARY") or os.path.join(source_dir(), "build", "qcoll")
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.skip(f"no qcoll binary at {binary} (set QCOLL_BINARY)")
    return binary


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


# [sweep] appended to the qubit deck for the sweep fixtures: three lambdas.
SWEEP_TABLE = '\n[sweep]\nkey = "species.bath.lambda"\nvalues = [0.0, 0.3, 0.6]\n'
SWEEP_SETS = ("--set", "evolve.t_final=1.0")


def _sweep_files(binary, directory, task):
    """{"deck", "full", "parts"}: a one-command sweep run and one file per
    --sweep-index run (run in the order 2, 0, 1)."""
    deck = directory / "qubit_sweep.toml"
    with open(deck_path("qubit.toml")) as f:
        deck.write_text(f.read() + SWEEP_TABLE)
    full = run_qcoll(binary, task, str(deck), directory / "full.h5", *SWEEP_SETS)
    parts = [run_qcoll(binary, task, str(deck), directory / f"part{k}.h5", *SWEEP_SETS,
                       "--sweep-index", str(k)) for k in (2, 0, 1)]
    return {"deck": str(deck), "full": full, "parts": parts}


@pytest.fixture(scope="session")
def evolve_sweep_files(qcoll_binary, tmp_path_factory):
    return _sweep_files(qcoll_binary, tmp_path_factory.mktemp("sweep_evolve"), "evolve")


@pytest.fixture(scope="session")
def steady_sweep_files(qcoll_binary, tmp_path_factory):
    return _sweep_files(qcoll_binary, tmp_path_factory.mktemp("sweep_steady"), "steady")


@pytest.fixture(scope="session")
def chain_length_sweep(qcoll_binary, tmp_path_factory):
    """inputs/chain_length_scan.toml run as written: a steady sweep of the
    chain length params.N = 2 ... 6, each point with its own d = 2^N."""
    out = tmp_path_factory.mktemp("chain_length") / "chain_length_scan.h5"
    deck = os.path.join(source_dir(), "inputs", "chain_length_scan.toml")
    return run_qcoll(qcoll_binary, "steady", deck, out)


@pytest.fixture(params=["evolve", "steady"])
def sweep_files(request):
    """(task, files of _sweep_files) of an evolve and of a steady sweep."""
    return request.param, request.getfixturevalue(f"{request.param}_sweep_files")


@pytest.fixture(scope="session", params=sorted(synthetic.DECKS))
def synthetic_file(request, tmp_path_factory):
    """(deck name, path, reference Model) of a synthetic file with every group."""
    path = tmp_path_factory.mktemp("synthetic") / f"{request.param}.h5"
    model = synthetic.write_file(str(path), request.param)
    return request.param, str(path), model

"""qcoll_post.run: decks as paths, TOML text and dicts, --set values written
as TOML, ranks through mpiexec, progress lines, QcollError with qcoll's
message; and the TOML writer behind dict decks."""
import glob
import os
import tomllib

import numpy as np
import pytest

import qcoll_post as qp
from helpers import deck_path, load_deck, mpi_env, source_dir
from qcoll_post import toml_writer

pytest.importorskip("xarray")


@pytest.fixture(autouse=True)
def binary_and_mpi(qcoll_binary, monkeypatch):
    monkeypatch.setenv("QCOLL_BINARY", qcoll_binary)
    for k, v in mpi_env().items():
        if k.startswith("OMPI_"):
            monkeypatch.setenv(k, v)


def test_deck_file_on_two_ranks_returns_the_dataset(tmp_path):
    lines = []
    ds = qp.run(deck_path("qubit.toml"), task="evolve", ranks=2, output=tmp_path / "q.h5",
                set={"species.bath.lambda": 0.5, "evolve.t_final": 2.0}, progress=lines.append)
    assert set(ds.heat_incoherent.dims) == {"t", "species"}
    assert float(ds.t[-1]) == 2.0
    assert ds.attrs["nranks"] == 2
    assert tomllib.loads(ds.attrs["deck"])["species"][0]["lambda"] == 0.5
    assert any(line.startswith("evolve: reached t = 2") for line in lines), lines


def test_text_and_dict_decks_give_the_same_state(tmp_path):
    text = open(deck_path("qubit.toml")).read()
    a = qp.run(text, task="steady", progress=False)
    b = qp.run(load_deck("qubit.toml"), task="steady", progress=False)
    assert os.path.dirname(a.attrs["source_file"]) != os.path.dirname(b.attrs["source_file"])
    np.testing.assert_array_equal(a.rho.values, b.rho.values)
    assert a.rho.dims == ("row", "col")


def test_sweep_comes_back_with_its_axis(tmp_path):
    sweep = {"key": "species.bath.lambda", "values": [0.0, 0.05, 0.1]}
    ds = qp.run(deck_path("qubit.toml"), task="steady", set={"sweep": sweep},
                output=tmp_path / "sw.h5", progress=False)
    assert ds.work_coherent.dims == ("species.bath.lambda", "species")
    np.testing.assert_array_equal(ds["species.bath.lambda"].values, [0.0, 0.05, 0.1])
    w = ds.work_coherent.sel(species="bath").values
    assert w[0] == 0 and 0 < w[1] < w[2]  # coherent work grows with lambda (as lambda^2)
    assert w[2] / w[1] == pytest.approx(4.0, rel=0.02)  # lambda^2 at small lambda


def test_failure_raises_with_qcolls_message(tmp_path):
    with pytest.raises(qp.QcollError) as info:
        qp.run(deck_path("qubit.toml"), task="steady", set={"species.bath.lamda": 0.1},
               output=tmp_path / "x.h5", progress=False)
    e = info.value
    assert e.status == 1
    assert "unknown key 'lamda'" in e.message and "did you mean 'lambda'" in e.message
    assert "qcoll: error:" in e.stderr and e.command[0].endswith("qcoll")
    out = tmp_path / "exists.h5"
    qp.run(deck_path("qubit.toml"), task="steady", output=out, progress=False)
    with pytest.raises(qp.QcollError, match="exists; pass --overwrite"):
        qp.run(deck_path("qubit.toml"), task="steady", output=out, progress=False)
    qp.run(deck_path("qubit.toml"), task="steady", output=out, overwrite=True, progress=False)


def test_set_values_are_written_as_toml(tmp_path):
    ds = qp.run(deck_path("qubit.toml"), task="steady", output=tmp_path / "s.h5", progress=False,
                set={"title": "a title with \"quotes\"", "steady.gap": False,
                     "evolve.observables": [{"name": "sx", "terms": [[1.0, "sx", 0]]}]})
    deck = tomllib.loads(ds.attrs["deck"])
    assert deck["title"] == 'a title with "quotes"' and deck["steady"]["gap"] is False
    assert "observables.sx" in ds


def test_binary_is_found_in_order(monkeypatch, qcoll_binary, tmp_path):
    fake = tmp_path / "bin" / "qcoll"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert qp.find_qcoll(binary=fake) == str(fake)                # the argument first
    assert qp.find_qcoll() == os.path.abspath(qcoll_binary)      # then $QCOLL_BINARY
    monkeypatch.delenv("QCOLL_BINARY")
    monkeypatch.setenv("PATH", str(fake.parent))
    assert qp.find_qcoll() == str(fake)                           # then qcoll on the PATH
    monkeypatch.setenv("PATH", str(tmp_path))
    tree = os.path.abspath(os.path.join(qp.runner.PACKAGE_DIR, "..", "..", "build", "qcoll"))
    if os.path.isfile(tree):
        assert qp.find_qcoll() == tree                            # then the source tree's build
    else:
        with pytest.raises(FileNotFoundError, match="no qcoll executable"):
            qp.find_qcoll()


@pytest.mark.parametrize("deck", sorted(glob.glob(os.path.join(source_dir(), "inputs", "*.toml"))))
def test_toml_writer_round_trips_every_example_deck(deck):
    with open(deck, "rb") as f:
        data = tomllib.load(f)
    assert tomllib.loads(toml_writer.dumps(data)) == data


def test_toml_writer_values():
    tricky = {"s": 'a "b" \\ c\nd\te\x01', "i": -3, "f": 1e-300, "inf": float("inf"),
              "b": True, "arr": [[1, "x"], []], "inline": [{"a": 1}, {"b": [2.5]}],
              "t": {"nested": {"k": 1}}, "dotted.key": 1, "tables": [{"x": 1}, {"y": 2}]}
    assert tomllib.loads(toml_writer.dumps(tricky)) == tricky
    assert toml_writer.value(np.float64(0.5)) == "0.5" and toml_writer.value(np.arange(2)) == "[0, 1]"
    with pytest.raises(TypeError):
        toml_writer.value(object())

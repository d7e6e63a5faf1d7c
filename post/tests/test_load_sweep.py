"""Loading and plotting sweep files written by the binary: an evolve sweep
(each point's time evolution under /sweep/<k>, final values in the tables),
a steady sweep and a sweep of the chain length (each point's own d)."""
import os

import numpy as np
import pytest

import qcoll_post as qp
import reference
from helpers import assert_png
from qcoll_post.plot import plot_run

VALUES = [0.0, 0.3, 0.6]


@pytest.fixture(scope="module")
def run(evolve_sweep_files):
    loaded = qp.load(evolve_sweep_files["full"])
    assert loaded.task == "evolve" and loaded.complete
    return loaded


@pytest.fixture(scope="module")
def sweep(run):
    return run.sweep


def test_tables_and_points(sweep):
    assert isinstance(sweep, qp.SweepGroup)
    assert sweep.task == "evolve" and sweep.key == "species.bath.lambda"
    assert list(sweep["values"]) == pytest.approx(VALUES)  # .values is Mapping.values
    points = sweep.points()
    assert [value for value, _ in points] == pytest.approx(VALUES)
    assert sweep.point_groups() == ["0", "1", "2"]
    for k, (value, group) in enumerate(points):
        assert group.attrs["complete"] == 1
        key, _, text = group.attrs["override"].partition("=")
        assert key == sweep.key and float(text) == value
        assert group.t[-1] == pytest.approx(1.0) and sweep.t_final[k] == group.t[-1]
        assert sweep.energy[k] == group.energy[-1]
        assert sweep.entropy_production[k] == group.entropy_production[-1]
        assert sweep.work_coherent["bath"][k] == group.work_coherent["bath"][-1]
        assert sweep.observables["sz"][k] == group.observables["sz"][-1]
    # Without coherence there is no coherent work; with it there is.
    assert np.all(points[0][1].work_coherent["bath"] == 0)
    assert abs(points[2][1].work_coherent["bath"][-1]) > 1e-3


def test_states_and_axes(run, sweep):
    for value, group in sweep.points():
        rho = group.rho_final
        assert rho.shape == (2, 2)
        assert np.trace(rho).real == pytest.approx(1.0, abs=1e-10)
        assert group.rho.shape == (2, 2, 2)  # store_states = 10 of 11 outputs
        deck = dict(run.deck)
        deck["species"] = [dict(run.deck["species"][0], **{"lambda": value})]
        model = reference.Model(deck)
        energy = np.real(np.trace(model.H @ rho))
        assert group.energy[-1] == pytest.approx(energy, abs=1e-10)
    assert sweep.axes("work_coherent") == ("values", "species")
    assert sweep.axes("energy") == ("values",)
    assert sweep["1"].axes("heat_incoherent") == ("t", "species")
    assert sweep["1"].axes("rho") == ("rho_t", "row", "col")


def test_quantities_are_the_tables_only(sweep):
    quantities = sweep.quantities()
    assert not any(name.split("/")[0].isdigit() for name in quantities)
    assert {"energy", "t_final", "observables/sz", "work_coherent"} <= set(quantities)
    assert "values" not in quantities and "index" not in quantities
    assert all(np.shape(v)[0] == len(VALUES) for v in quantities.values())


def test_evolve_sweep_figures(evolve_sweep_files, tmp_path):
    written = plot_run(evolve_sweep_files["full"], str(tmp_path))
    made = {os.path.basename(p)[len("full_"):-len(".png")] for p in written}
    assert {"sweep_currents", "sweep_quantities", "sweep_evolution"} <= made
    for path in written:
        assert_png(path)


def test_steady_sweep_points(steady_sweep_files):
    sw = qp.load(steady_sweep_files["full"]).sweep
    assert sw.task == "steady"
    points = sw.points()
    assert [value for value, _ in points] == pytest.approx(VALUES)
    for k, (_, group) in enumerate(points):
        assert sw.energy[k] == pytest.approx(group.energy)
        assert group.rho.shape == (2, 2)


def test_chain_length_sweep_points_and_figures(chain_length_sweep, tmp_path):
    run = qp.load(chain_length_sweep)
    sw = run.sweep
    assert sw.task == "steady" and sw.key == "params.N"
    points = sw.points()
    assert [value for value, _ in points] == pytest.approx([2, 3, 4, 5, 6])
    for k, (value, group) in enumerate(points):
        d = 2 ** int(value)
        assert group.rho.shape == (d, d), "each point's state has its own size"
        assert np.trace(group.rho).real == pytest.approx(1.0, abs=1e-10)
        assert sw.energy[k] == pytest.approx(group.energy)
        assert sw.observables["sz_last"][k] == group.observables["sz_last"]
    assert all(np.shape(v)[0] == len(points) for v in sw.quantities().values())
    written = plot_run(run, str(tmp_path))
    made = {os.path.basename(p)[len("chain_length_scan_"):-len(".png")] for p in written}
    assert {"sweep_currents", "sweep_quantities"} <= made
    for path in written:
        assert_png(path)

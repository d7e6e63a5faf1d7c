"""Loading the docs/output.md groups from synthetic files written with h5py."""
import h5py
import numpy as np
import pytest

import qcoll_post as qp
import reference
import synthetic


@pytest.fixture(scope="module")
def loaded(synthetic_file):
    name, path, model = synthetic_file
    return qp.load(path), model


def test_header(loaded):
    run, model = loaded
    assert run.species == [sp.name for sp in model.species]
    assert run.d == model.d
    assert run.complete and run.task == "steady"
    assert run.deck["title"] == run.title
    assert sorted(run.groups) == ["collide", "model", "spectrum", "steady", "sweep"]


def test_steady_round_trip(loaded):
    run, model = loaded
    st = run.steady
    assert np.allclose(st.rho, model.steady_state(), atol=1e-14)
    assert np.trace(st.rho).real == pytest.approx(1.0)
    assert isinstance(st.energy, float)
    assert abs(qp.first_law_residual(st)) < 1e-12
    for k, name in enumerate(run.species):
        assert st.work_coherent[name] == pytest.approx(model.thermo(st.rho)["work_coherent"][k])
    assert st.observables.sz == pytest.approx(np.trace(reference.PAULI["sz"] @ st.rho))
    assert st.entropy_production >= 0


def test_spectrum(loaded):
    run, model = loaded
    ev = run.spectrum.eigenvalues
    assert ev.dtype == np.complex128 and ev.shape == (model.d ** 2,)
    assert abs(ev[0]) < 1e-10
    assert run.spectrum.gap == pytest.approx(-ev[1].real)


def test_collide(loaded):
    run, model = loaded
    runs = run.collide.runs()
    assert [tau for tau, _ in runs] == list(run.collide.tau)
    for tau, group in runs:
        assert group.rho_final.shape == (model.d, model.d)
        assert np.trace(group.rho_final).real == pytest.approx(1.0)
        assert group.t[0] == pytest.approx(tau)
        assert group.relative_entropy.species == tuple(run.species)
        assert np.all(group.entropy_production >= -1e-12)
        assert np.all(group.relative_entropy >= -1e-12)
        assert group.axes("relative_entropy") == ("t", "species")
    taus = np.array([tau for tau, _ in runs])
    errors = [g.distance_to_master_equation.max() for _, g in runs]
    order, _ = qp.convergence_order(taus, errors)
    assert order == pytest.approx(1.0, abs=0.1), "qubit ancillas with sp/sm coupling: O(tau)"


def test_sweep(loaded):
    run, model = loaded
    sw = run.sweep
    assert isinstance(sw, qp.SweepGroup)
    assert sw.key.startswith("species.")
    quantities = sw.quantities()
    assert "values" not in quantities and "observables/sx" in quantities
    assert quantities["observables/sx"].dtype == np.complex128
    assert sw.heat_incoherent.shape == (len(sw["values"]), len(run.species))
    assert sw.axes("heat_incoherent") == ("values", "species")
    assert sw.heat_incoherent[run.species[0]].shape == (len(sw["values"]),)


def test_layouts_and_types(tmp_path):
    """Column- and row-major matrices, explicit {r, i} compounds, byte strings."""
    matrix = np.arange(9).reshape(3, 3) + 1j * np.arange(9, 18).reshape(3, 3)
    pair = np.dtype([("r", "<f8"), ("i", "<f8")])
    path = tmp_path / "layouts.h5"
    with h5py.File(path, "w") as f:
        f.attrs["task"] = np.bytes_(b"evolve")
        f.attrs["deck"] = "this is = not [valid toml"
        g = f.create_group("model")
        g.attrs["d"] = 3
        g.create_dataset("species_names", data=np.array([b"a", b"bb"]))
        col = f.create_dataset("x/rho", data=matrix.reshape(-1, order="F"))
        col.attrs["layout"] = "column-major"
        row = f.create_dataset("x/m", data=matrix.reshape(-1))
        row.attrs["layout"] = "row-major"
        stack = f.create_dataset("x/stack", data=np.stack([matrix.reshape(-1, order="F"),
                                                           matrix.T.reshape(-1, order="F")]))
        stack.attrs["layout"] = "column-major"
        compound = np.zeros(2, dtype=pair)
        compound["r"], compound["i"] = [1.0, 2.0], [3.0, 4.0]
        f.create_dataset("x/z", data=compound)
        f.create_dataset("x/per", data=np.ones((4, 2))).attrs["description"] = "rate per species"
        f.create_dataset("x/notper", data=np.ones((4, 2)))
    run = qp.load(path)
    assert run.task == "evolve"
    assert run.deck == run.deck_text  # unparsable TOML is kept as text
    assert run.species == ["a", "bb"]
    assert np.array_equal(run.x.rho, matrix)
    assert np.array_equal(run.x.m, matrix)
    assert np.array_equal(run.x.stack[0], matrix) and np.array_equal(run.x.stack[1], matrix.T)
    assert np.array_equal(run.x.z, [1 + 3j, 2 + 4j])
    assert run.x.per.species == ("a", "bb")
    assert not isinstance(run.x.notper, qp.SpeciesArray)
    assert run.title == "layouts.h5"
    assert not run.complete


def test_dimension_scales_are_used(tmp_path):
    path = tmp_path / "scales.h5"
    with h5py.File(path, "w") as f:
        f.create_group("model").attrs["d"] = 2
        f["model"].create_dataset("species_names", data=np.array([b"x", b"y"]))
        t = f.create_dataset("g/time", data=np.linspace(0, 1, 5))
        t.make_scale("time")
        q = f.create_dataset("g/q", data=np.zeros((5, 2)))
        q.dims[0].attach_scale(t)
        q.dims[1].label = "species"
        w = f.create_dataset("g/w", data=np.zeros((5, 2)))
        w.dims[1].label = "channel"
    run = qp.load(path)
    assert run.g.axes("q") == ("time", "species")
    assert run.g.q.species == ("x", "y")
    assert not isinstance(run.g.w, qp.SpeciesArray), "a labelled non-species axis wins"


def test_reference_collide_energy_conservation():
    """The synthetic data themselves: Q_A + Delta E_S = 0 per stroke (one species)."""
    import tomllib
    model = reference.Model(tomllib.loads(synthetic.QUBIT_DECK))
    rho0 = reference.ground_state(model.H)
    res = model.collide(rho0, 0.05, 0.5, compare=False)
    energies = np.concatenate([[np.real(np.trace(model.H @ rho0))], res["energy"]])
    assert np.allclose(np.diff(energies) + res["heat_ancilla"][:, 0], 0.0, atol=1e-12)


def test_file_without_model(tmp_path):
    """A checkpoint file has no /model: d comes from the length of rho."""
    matrix = np.diag([0.5, 0.3, 0.2]).astype(complex)
    matrix[0, 1], matrix[1, 0] = 0.1j, -0.1j
    path = tmp_path / "run.h5.checkpoint"
    with h5py.File(path, "w") as f:
        g = f.create_group("checkpoint")
        g.attrs["t"] = 2.5
        g.create_dataset("rho", data=matrix.reshape(-1, order="F"))
        g.create_dataset("snapshot_times", data=[0.0, 1.0, 2.0])
    run = qp.load(path)
    assert run.d == 0 and run.species == []
    assert np.array_equal(run.checkpoint.rho, matrix)
    assert run.checkpoint.attrs["t"] == 2.5
    assert run.checkpoint.axes("rho") == ("row", "col")

"""Loading /evolve files written by the qcoll binary."""
import numpy as np
import pytest

import qcoll_post as qp
import reference
from helpers import load_deck


@pytest.fixture(scope="module")
def run(qubit_evolve):
    return qp.load(qubit_evolve)


def test_provenance_and_deck(run):
    assert run.task == "evolve"
    assert run.complete
    prov = run.provenance
    for key in ("qcoll_version", "git_commit", "created", "nranks", "task", "petsc_options"):
        assert key in prov, key
    assert prov["nranks"] == 1
    assert isinstance(run.deck, dict), "the deck attribute must be valid TOML"
    assert run.deck["title"] == run.title == "test qubit"
    assert run.deck["species"][0]["lambda"] == pytest.approx(0.2)
    assert "lambda = 0.2" in run.deck_text.replace("0.20000000000000001", "0.2")


def test_model_and_species(run):
    assert run.species == ["bath"]
    assert run.d == 2
    assert run.sites == ["spin1/2"]
    assert run.model.beta["bath"] == pytest.approx(1.0)
    assert run.model["lambda"]["bath"] == pytest.approx(0.2)  # `lambda` is a keyword
    assert list(run.model.species_names) == ["bath"]


def test_density_matrix_is_a_state(run):
    rho = run.evolve.rho_final
    assert rho.shape == (2, 2) and rho.dtype == np.complex128
    assert np.trace(rho).real == pytest.approx(1.0, abs=1e-10)
    assert np.allclose(rho, rho.conj().T, atol=1e-12)
    assert np.linalg.eigvalsh(rho).min() > -1e-12
    assert np.allclose(run.evolve.trace, 1.0, atol=1e-9)


def test_energy_is_tr_h_rho(run):
    deck = run.deck
    model = reference.Model(deck)
    energy = np.real(np.trace(model.H @ run.evolve.rho_final))
    assert run.evolve.energy[-1] == pytest.approx(energy, abs=1e-10)


def test_observables_match_rho_layout(run):
    """<sy> is sensitive to a transposed rho: it checks the column stacking."""
    rho = run.evolve.rho_final
    for name in ("sx", "sy", "sz"):
        value = run.evolve.observables[name]
        assert value.dtype == np.complex128
        expected = np.trace(reference.local_operator("spin1/2", name) @ rho)
        assert value[-1] == pytest.approx(expected, abs=1e-10), name
    assert abs(run.evolve.observables.sy[-1]) > 1e-3, "the coherent drive makes <sy> non-zero"


def test_stored_states(run):
    ev = run.evolve
    assert ev.rho.shape == (len(ev.rho_t), 2, 2)
    assert np.allclose(ev.rho[-1], ev.rho_final, atol=1e-12)
    assert np.allclose(ev.rho[0], reference.ground_state(reference.Model(run.deck).H))
    for t, rho in zip(ev.rho_t, ev.rho):
        k = int(np.argmin(np.abs(ev.t - t)))
        assert ev.t[k] == pytest.approx(t)
        sz = np.trace(reference.local_operator("spin1/2", "sz") @ rho)
        assert ev.observables.sz[k] == pytest.approx(sz, abs=1e-10)


def test_species_arrays(run):
    q = run.evolve.heat_incoherent
    assert isinstance(q, qp.SpeciesArray)
    assert q.species == ("bath",)
    assert np.array_equal(q["bath"], np.asarray(q)[:, 0])
    with pytest.raises(KeyError, match="no species 'nope'"):
        q["nope"]
    total = run.evolve.work_coherent + q
    assert total.species == ("bath",)
    assert total.sum(axis=-1).species is None
    assert dict(q.items()).keys() == {"bath"}


def test_first_law(run):
    residual = qp.first_law_residual(run.evolve)
    scale = np.abs(run.evolve.dEdt).max()
    assert np.abs(residual).max() <= 1e-8 * max(scale, 1.0)


def test_agrees_with_reference_master_equation(run):
    """rho(t_final) of the binary against an independent dense propagator."""
    model = reference.Model(run.deck)
    rho0 = reference.ground_state(model.H)
    rho = model.propagator(run.evolve.t[-1])(rho0)
    assert np.allclose(run.evolve.rho_final, rho, atol=1e-6)
    expected = model.thermo(run.evolve.rho_final)
    assert run.evolve.work_coherent["bath"][-1] == pytest.approx(
        expected["work_coherent"][0], abs=1e-9)
    assert run.evolve.heat_incoherent["bath"][-1] == pytest.approx(
        expected["heat_incoherent"][0], abs=1e-9)


def test_group_access(run):
    assert run["evolve/energy"] is run.evolve.energy
    assert run.evolve["observables/sx"] is run.evolve.observables.sx
    assert "evolve" in run and "evolve/observables/sz" in run
    assert "steady" not in run and run.get("steady") is None
    with pytest.raises(AttributeError, match="no /steady"):
        run.steady
    assert "energy" in dir(run.evolve)
    assert run.evolve.description("energy")
    assert run.evolve.shape("rho_final") == (4,)
    assert run.evolve.axes("heat_incoherent") == ("t", "species")
    assert run.evolve.axes("energy") == ("t",)
    assert run.evolve.axes("rho") == ("rho_t", "row", "col")
    assert run.evolve.axes("rho_final") == ("row", "col")
    assert "evolve/" in run.summary()


def test_parallel_file_matches_serial(maser_evolve_np2, maser_evolve_np1):
    par, ser = qp.load(maser_evolve_np2), qp.load(maser_evolve_np1)
    assert par.provenance["nranks"] == 2
    assert par.species == ["hot", "cold", "drive"]
    assert par.evolve.heat_ancilla.shape == (len(par.evolve.t), 3)
    for name in ("energy", "entropy", "entropy_production"):
        assert np.allclose(par.evolve[name], ser.evolve[name], atol=1e-8), name
    assert np.allclose(par.evolve.rho_final, ser.evolve.rho_final, atol=1e-8)
    ev = par.evolve
    populations = qp.populations(ev.rho)
    for t, p in zip(ev.rho_t, populations):
        k = int(np.argmin(np.abs(ev.t - t)))
        for level in range(3):
            assert ev.observables[f"p{level}"][k].real == pytest.approx(p[level], abs=1e-10)
    deck = load_deck("maser.toml")
    model = reference.Model(deck)
    assert ev.energy[-1] == pytest.approx(np.real(np.trace(model.H @ ev.rho_final)), abs=1e-10)

"""Every deck in inputs/ does what its header comment says.

Each test runs one example deck with the qcoll binary at its defaults and
checks the claims of the deck's comment (and of inputs/README.md): the sign of
a current, an inversion, the machine regime, the numbers quoted. Analytic
values where the model has them (the oscillator's displaced thermal state).
"""
import os
import subprocess

import h5py
import numpy as np
import pytest

from helpers import mpi_env, run_qcoll, source_dir

INPUTS = os.path.join(source_dir(), "inputs")


def example(name):
    return os.path.join(INPUTS, name)


def steady(binary, tmp_path, deck, *extra):
    return h5py.File(run_qcoll(binary, "steady", example(deck), tmp_path / "out.h5", *extra), "r")


def observables(group):
    return {name: complex(group["observables"][name][()]) for name in group["observables"]}


def regime(group):
    value = group["machine"].attrs["regime"]
    return value.decode() if isinstance(value, bytes) else str(value)


def diagonal(rho_flat, d):
    rho = np.asarray(rho_flat)
    if rho.dtype.names:
        rho = rho["r"] + 1j * rho["i"]
    return np.real(np.diag(rho.reshape(d, d, order="F")))


def test_every_example_deck_is_checked():
    decks = sorted(f for f in os.listdir(INPUTS) if f.endswith(".toml"))
    checked = {"qubit.toml", "maser.toml", "coherent_engine.toml", "xxz_chain.toml",
               "chain_length_scan.toml", "oscillator.toml"}
    assert set(decks) == checked, f"add a test of the new deck's claims: {set(decks) ^ checked}"


def test_docs_show_check_of_every_deck():
    # docs/check.md (`make check-examples`) holds `qcoll check` of every deck.
    with open(os.path.join(source_dir(), "docs", "check.md")) as f:
        text = f.read()
    for deck in sorted(f for f in os.listdir(INPUTS) if f.endswith(".toml")):
        assert f"$ qcoll check inputs/{deck}" in text, f"make check-examples: {deck} missing"
    assert "initial state" in text and "steady: method" in text and "output:" in text


def test_qubit_steady_state_and_first_law(qcoll_binary, tmp_path):
    # "<sx> ~ -0.089, <sy> ~ 0.011, <sz> ~ -0.453, above the thermal -0.462;
    # W_C + Q_inc = 0 in the steady state."
    with steady(qcoll_binary, tmp_path, "qubit.toml") as f:
        s = f["steady"]
        obs = observables(s)
        assert obs["sx"].real == pytest.approx(-0.089, abs=5e-4)
        assert obs["sy"].real == pytest.approx(0.011, abs=5e-4)
        assert obs["sz"].real == pytest.approx(-0.453, abs=5e-4)
        assert obs["sz"].real > -np.tanh(0.5)
        work, heat = s["work_coherent"][0], s["heat_incoherent"][0]
        assert work > 0
        assert work + heat == pytest.approx(0, abs=1e-14)


def test_qubit_collide_converges_with_order_one(qcoll_binary, tmp_path):
    # "`collide` shows the finite-tau map converging to it with error O(tau)."
    out = run_qcoll(qcoll_binary, "collide", example("qubit.toml"), tmp_path / "c.h5")
    with h5py.File(out, "r") as f:
        assert f["collide"].attrs["order_final_distance"] == pytest.approx(1.0, abs=0.05)
        assert f["collide"].attrs["order_steady_state_distance"] == pytest.approx(1.0, abs=0.05)


def test_maser_is_an_engine_with_inversion(qcoll_binary, tmp_path):
    # "At these defaults the steady state is an engine: ... p1 = 0.82 > p0 = 0.14,
    # W_C(drive) = -6.9e-4 < 0 (power 6.9e-4, efficiency 0.037)."
    with steady(qcoll_binary, tmp_path, "maser.toml") as f:
        s = f["steady"]
        p = diagonal(s["rho"][:], 3)
        assert p[1] == pytest.approx(0.82, abs=0.005) and p[0] == pytest.approx(0.14, abs=0.005)
        assert p[1] > p[0]
        species = [n.decode() if isinstance(n, bytes) else n for n in f["model/species_names"][:]]
        drive = species.index("drive")
        assert s["work_coherent"][drive] == pytest.approx(-6.9e-4, rel=0.01)
        assert regime(s) == "engine"
        assert s["machine/power"][()] == pytest.approx(6.9e-4, rel=0.01)
        assert s["machine/efficiency"][()] == pytest.approx(0.037, abs=5e-4)
        assert s["heat_incoherent"][0] > 0 > s["heat_incoherent"][1]   # hot in, cold out


@pytest.mark.parametrize("override, expected", [("species.drive.lambda=0", "none"),
                                                ("params.g_d=0.5", "accelerator")])
def test_maser_variants_named_in_its_comment(qcoll_binary, tmp_path, override, expected):
    with steady(qcoll_binary, tmp_path, "maser.toml", "--set", override) as f:
        assert regime(f["steady"]) == expected


def test_coherent_engine_power_comes_from_coherence(qcoll_binary, tmp_path):
    # "power > 0 only for lambda > 0 (regime engine), grows as lambda^2; the
    # efficiency stays far below Carnot's 0.9; TUR ratios of all three heat
    # currents stay above 2."
    with steady(qcoll_binary, tmp_path, "coherent_engine.toml") as f:
        sw = f["sweep"]
        lam = sw["values"][:]
        power = sw["machine/power"][:]
        regimes = [r.decode() for r in sw["machine/regime"][:]]
        assert lam[0] == 0 and regimes[0] == "none" and abs(power[0]) < 1e-15
        assert all(r == "engine" for r in regimes[1:]) and np.all(power[1:] > 0)
        ratio = power[1:] / lam[1:] ** 2
        assert ratio.max() / ratio.min() < 1.3
        assert np.all(sw["machine/efficiency"][1:] < 0.1 * sw["machine/carnot_efficiency"][1:])
        assert np.all(sw["fluctuations/tur_ratio"][:] > 2)


def test_xxz_chain_transport_and_switching_work(qcoll_binary, tmp_path):
    # "heat flows in from the hot bath and out to the cold one, current23 =
    # 0.025, <sx0> = -0.011; W_sw vanishes in the steady state, where
    # Q_A^hot = -Q_A^cold = -0.0123 while Q_inc^hot = 0.0059, Q_inc^cold = -0.0060."
    with steady(qcoll_binary, tmp_path, "xxz_chain.toml") as f:
        s = f["steady"]
        obs = observables(s)
        assert obs["current23"].real == pytest.approx(0.025, abs=5e-4)
        assert obs["sx0"].real == pytest.approx(-0.011, abs=5e-4)
        q_inc, q_a = s["heat_incoherent"][:], s["heat_ancilla"][:]
        assert q_inc[0] == pytest.approx(0.0059, abs=5e-5)
        assert q_inc[1] == pytest.approx(-0.0060, abs=5e-5)
        assert q_a[0] == pytest.approx(-0.0123, abs=5e-5)
        assert q_a[0] + q_a[1] == pytest.approx(0, abs=1e-10)
        assert abs(s["work_switching"][()]) < 1e-10


def test_xxz_chain_switching_work_while_relaxing(qcoll_binary, tmp_path):
    # "W_sw is non-zero while the chain relaxes: about 5e-3 at t = 25", and
    # `qcoll check` says the local couplings do not conserve energy.
    out = run_qcoll(qcoll_binary, "evolve", example("xxz_chain.toml"), tmp_path / "e.h5")
    with h5py.File(out, "r") as f:
        t, w = f["evolve/t"][:], f["evolve/work_switching"][:]
        assert w[np.argmin(abs(t - 25))] == pytest.approx(5e-3, rel=0.1)
    check = subprocess.run([qcoll_binary, "check", example("xxz_chain.toml")], env=mpi_env(),
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stderr
    assert "[V, H_S + H_A] = 0: no" in check.stdout


def test_chain_length_scan_current_does_not_decay(qcoll_binary, tmp_path):
    # "The steady spin current through the last bond stays about 0.025 at every length."
    out = run_qcoll(qcoll_binary, "steady", example("chain_length_scan.toml"), tmp_path / "s.h5")
    with h5py.File(out, "r") as f:
        n = f["sweep/values"][:]
        current = f["sweep/observables/current_last"][:].real
    assert list(n) == [2, 3, 4, 5, 6]
    assert np.all((current > 0.02) & (current < 0.032))


def test_oscillator_displaced_thermal_state(qcoll_binary, tmp_path):
    # "a displaced thermal state, <a> != 0 with the same thermal width
    # n_th = 0.58, the displacement linear in lambda."  Heisenberg equation of
    # the master equation: d<a>/dt = -(i omega + kappa/2) <a> - i lambda g with
    # kappa = g^2 tanh(beta omega / 2), so <a> = -i lambda g / (i omega + kappa/2).
    omega, g, beta = 1.0, 0.5, 1.0
    kappa = g * g * np.tanh(beta * omega / 2)
    n_th = 1 / np.expm1(beta * omega)
    for lam in (0.2, 0.4):
        with steady(qcoll_binary, tmp_path, "oscillator.toml",
                    "--set", f"species.bath.lambda={lam}") as f:
            obs = observables(f["steady"])
        alpha = -1j * lam * g / (1j * omega + kappa / 2)
        assert obs["a"] == pytest.approx(alpha, abs=1e-5)   # truncation at nmax = 15: ~1e-6
        assert obs["n"].real - abs(obs["a"]) ** 2 == pytest.approx(n_th, abs=1e-5)
        assert n_th == pytest.approx(0.58, abs=0.005)

"""Heat fluctuations against QuTiP: for a qubit between two thermal baths
(lambda = 0) qcoll's scaled cumulants of the energy each bath's ancillas take
up equal the zero-frequency current noise QuTiP's countstat_current_noise
gives for the same jump operators, weighted by the energy of each jump."""
import h5py
import numpy as np
import pytest

from helpers import deck_path, run_qcoll

qt = pytest.importorskip("qutip")


def qutip_heat_statistics(omega, g, betas):
    """Mean [ns] and covariance [ns, ns] of the heat each bath's ancillas take up."""
    h = omega / 2 * qt.sigmaz()
    c_ops, energy, species = [], [], []
    for j, beta in enumerate(betas):
        up, down = np.exp(-beta * omega / 2), np.exp(beta * omega / 2)
        up, down = up / (up + down), down / (up + down)
        # ancilla down -> up (takes omega) lowers the qubit; up -> down raises it
        c_ops += [g * np.sqrt(down) * qt.sigmam(), g * np.sqrt(up) * qt.sigmap()]
        energy += [omega, -omega]
        species += [j, j]
    currents, noise = qt.countstat_current_noise(qt.liouvillian(h, c_ops), c_ops)
    currents = np.real(np.asarray(currents))
    noise = np.real(np.asarray(noise)).reshape(len(c_ops), len(c_ops), -1)[:, :, 0]
    ns = len(betas)
    mean, cov = np.zeros(ns), np.zeros((ns, ns))
    for a in range(len(c_ops)):
        mean[species[a]] += energy[a] * currents[a]
        for b in range(len(c_ops)):
            cov[species[a], species[b]] += energy[a] * energy[b] * noise[a, b]
    return mean, cov


@pytest.mark.parametrize("nranks", [1, 2])
def test_heat_noise_equals_qutips_current_noise(qcoll_binary, tmp_path, nranks):
    out = run_qcoll(qcoll_binary, "steady", deck_path("qubit_two_baths.toml"),
                    tmp_path / "two_baths.h5", nranks=nranks)
    with h5py.File(out, "r") as f:
        mean = f["steady/fluctuations/mean"][()]
        cov = f["steady/fluctuations/covariance"][()]
        assert np.allclose(mean, -f["steady/heat_incoherent_ancilla"][()], atol=1e-14)
    ref_mean, ref_cov = qutip_heat_statistics(1.0, 0.4, [0.5, 2.0])
    assert abs(mean[0]) > 1e-3 and abs(cov[0, 0]) > 1e-3  # a real heat flow, not zeros
    np.testing.assert_allclose(mean, ref_mean, rtol=0, atol=1e-10)
    np.testing.assert_allclose(cov, ref_cov, rtol=0, atol=1e-10)

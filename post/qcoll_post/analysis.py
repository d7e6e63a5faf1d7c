"""Small derived quantities used by the plots (and handy in notebooks)."""
import math
import re
from fractions import Fraction

import numpy as np


def first_law_residual(group):
    """dE/dt - sum_j (Wdot_C^j + Qdot_inc^j) of an /evolve or /steady group.

    Zero up to round-off when the file is consistent with the first law (13).
    Time series give an array over t, /steady a number.
    """
    rates = np.asarray(group["work_coherent"]) + np.asarray(group["heat_incoherent"])
    return np.asarray(group["dEdt"]) - rates.sum(axis=-1)


def convergence_order(tau, error):
    """Least-squares fit error = C tau^p on a log-log scale; returns (p, C).

    Points with a non-positive or non-finite error or tau are ignored; with
    fewer than two points left the result is (nan, nan).
    """
    tau = np.asarray(tau, dtype=float)
    error = np.asarray(error, dtype=float)
    keep = np.isfinite(tau) & np.isfinite(error) & (tau > 0) & (error > 0)
    if np.count_nonzero(keep) < 2 or np.ptp(tau[keep]) == 0:
        return math.nan, math.nan
    p, log_c = np.polyfit(np.log(tau[keep]), np.log(error[keep]), 1)
    return float(p), float(np.exp(log_c))


def trace_distance(rho, sigma):
    """1/2 ||rho - sigma||_1 for Hermitian matrices (stacks allowed)."""
    diff = np.asarray(rho) - np.asarray(sigma)
    diff = 0.5 * (diff + np.conj(np.swapaxes(diff, -1, -2)))
    return 0.5 * np.abs(np.linalg.eigvalsh(diff)).sum(axis=-1)


def populations(rho):
    """Real diagonal of a density matrix (or of each matrix of a stack)."""
    return np.real(np.diagonal(np.asarray(rho), axis1=-2, axis2=-1))


def local_dimension(site):
    """Dimension of a local space label: spin1/2, spin<S>, qudit<n>, boson<nmax>."""
    m = re.fullmatch(r"spin(\d+(?:/\d+)?)", site)
    if m:
        return int(2 * Fraction(m.group(1)) + 1)
    m = re.fullmatch(r"qudit(\d+)", site)
    if m:
        return int(m.group(1))
    m = re.fullmatch(r"boson(\d+)", site)
    if m:
        return int(m.group(1)) + 1
    raise ValueError(f"unknown local space {site!r}")


def basis_convention(sites):
    """What the basis labels mean, for the sites present (docs/input.md):
    spins count m down from the top (spin-1/2: |0> = up, sz = +1, the
    excited state of +sz), bosons count quanta, qudits number levels."""
    kinds = {re.sub(r"\d.*$", "", s) for s in sites}
    parts = []
    if "spin1/2" in sites:
        parts.append(r"spin-1/2: $|0\rangle$ = up ($s_z = +1$, the excited state of $+s_z$)")
    elif "spin" in kinds:
        parts.append(r"spin: $|0\rangle$ = highest $m$")
    if "boson" in kinds:
        parts.append(r"boson: $|n\rangle$ = $n$ quanta")
    if "qudit" in kinds:
        parts.append(r"qudit: $|k\rangle$ = level $k$")
    if len(sites) > 1:
        parts.append("site 0 leftmost")
    return "; ".join(parts)


def basis_labels(sites, d):
    """Labels of the product basis, site 0 slowest: ['00', '01', ...].

    Each site contributes its local index (spin: 0 = highest m; boson: Fock
    number). Falls back to '0'..'d-1' when the sites do not multiply to d.
    """
    try:
        dims = [local_dimension(s) for s in sites]
    except ValueError:
        dims = []
    if not dims or math.prod(dims) != d:
        return [str(k) for k in range(d)]
    if len(dims) == 1:
        return [str(k) for k in range(d)]
    sep = "" if max(dims) <= 10 else ","
    return [sep.join(str(i) for i in np.unravel_index(k, dims)) for k in range(d)]

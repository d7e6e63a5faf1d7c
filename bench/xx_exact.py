#!/usr/bin/python3
"""Exact non-equilibrium steady state of the boundary-driven XX chain.

    /usr/bin/python3 bench/xx_exact.py N [N ...]        print <sz_i>, <H_S> (and C)
    /usr/bin/python3 bench/xx_exact.py --check FILE.h5 N compare with a qcoll steady file

Model (inputs/xxz_chain.toml with params.Delta = 0, species.hot.lambda = 0 and the
cold bath on site N - 1):

    H_S = J sum_i (sx_i sx_{i+1} + sy_i sy_{i+1}) + (h/2) sum_i sz_i   (Pauli, open ends)

Each bath's ancillas are qubits H_A = (h/2) sz (up = |0> has energy +h/2) with
V = g (sp_s sm_A + sm_s sp_A) on site s (hot: s = 0, cold: s = N - 1). The
master equation (docs: physics.md section 2) has, per bath,

    gamma^- D[sm_s] + gamma^+ D[sp_s],
    gamma^- = g^2 <sm_A sp_A>_th = g^2 p_down   (loss: the spin is lowered)
    gamma^+ = g^2 <sp_A sm_A>_th = g^2 p_up     (gain: the spin is raised)
    p_up = 1 / (1 + exp(beta h)),  p_down = 1 - p_up.

Jordan-Wigner with the particle = spin up (|0>, sz = +1): n_i = (1 + sz_i) / 2,
c_i^+ = (string) sp_i. Then

    H_S = sum_kl h_kl c_k^+ c_l - h N / 2,  h_ii = h, h_{i,i+1} = h_{i+1,i} = 2 J

(sx sx + sy sy = 2 (sp sm + sm sp)), and C_kl = <c_k^+ c_l> obeys

    dC/dt = i [h, C] - 1/2 {Gamma, C} + Gamma_+,

Gamma = diag(gamma^- + gamma^+) and Gamma_+ = diag(gamma^+) on the two boundary
sites (the Jordan-Wigner string of the jump on site N - 1 drops out of every
two-point equation). The steady state solves the Lyapunov equation

    X C + C X^+ = -Gamma_+,   X = i h - Gamma / 2,

solved here by Kronecker products (column stacking):
(I (x) X + conj(X) (x) I) vec C = -vec Gamma_+. Then <sz_i> = 2 C_ii - 1 and
<H_S> = sum_kl h_kl C_kl - h N / 2 (h real symmetric).

Checked against qcoll's dense steady state at N = 3, 4, 6, 8 (tests/test_xx_chain.cpp
does the same in C++).
"""
import argparse
import math
import sys
import tomllib

import numpy as np


def up_population(beta, h):
    """Thermal population of the up state (energy +h/2) of H_A = (h/2) sz."""
    if math.isinf(beta):
        return 0.0 if h > 0 else (1.0 if h < 0 else 0.5)
    return 1.0 / (1.0 + math.exp(beta * h))


def xx_chain_exact(N, J, h, g, beta_hot, beta_cold):
    """Steady <sz_i>, <H_S> and C_kl = <c_k^+ c_l> of the boundary-driven XX chain.

    Returns {"sz": [<sz_i>, i = 0..N-1], "energy": <H_S>, "C": N x N complex array}.
    """
    if N < 2:
        raise ValueError("the chain needs N >= 2 sites")
    hm = np.zeros((N, N))
    for i in range(N):
        hm[i, i] = h
    for i in range(N - 1):
        hm[i, i + 1] = hm[i + 1, i] = 2.0 * J
    gain = np.zeros(N)
    loss = np.zeros(N)
    for site, beta in ((0, beta_hot), (N - 1, beta_cold)):
        p_up = up_population(beta, h)
        gain[site] += g * g * p_up
        loss[site] += g * g * (1.0 - p_up)
    X = 1j * hm - 0.5 * np.diag(gain + loss)
    eye = np.eye(N)
    A = np.kron(eye, X) + np.kron(X.conj(), eye)  # vec(X C + C X^+), column stacking
    rhs = -np.diag(gain).astype(complex).reshape(-1, order="F")
    C = np.linalg.solve(A, rhs).reshape(N, N, order="F")
    sz = [float(2.0 * C[i, i].real - 1.0) for i in range(N)]
    energy = float(np.sum(hm * C).real - 0.5 * h * N)
    return {"sz": sz, "energy": energy, "C": C}


def local_sz(rho, N, i):
    """<sz_i> of an N-qubit density matrix, site 0 the most significant factor."""
    r = rho.reshape([2] * (2 * N))
    # trace out every site except i
    keep = np.einsum(r, list(range(N)) + [k if k != i else N + i for k in range(N)], [i, N + i])
    return float((keep[0, 0] - keep[1, 1]).real)


def _value(x, params):
    """A deck number or an expression in the deck's [params] (e.g. "h/2")."""
    if isinstance(x, (int, float)):
        return float(x)
    if isinstance(x, str):
        return float(eval(x, {"__builtins__": {}, "math": math}, dict(params)))
    raise ValueError(f"cannot read {x!r} as a number")


def deck_parameters(deck, N):
    """(J, h, g, beta_hot, beta_cold) of an xxz_chain deck; checks it is the XX model."""
    params = {k: float(v) for k, v in deck.get("params", {}).items()}
    model = deck["system"]["model"]
    if model.get("name") != "xxz_chain":
        raise ValueError(f"the deck's model is {model.get('name')!r}, not xxz_chain")
    if int(model.get("sites", N)) != N:
        raise ValueError(f"the deck has {model.get('sites')} sites, the command line says {N}")
    J = _value(model.get("J", "J"), params)
    h = _value(model.get("h", "h"), params)
    delta = _value(model.get("Delta", "Delta"), params)
    if delta != 0.0:
        raise ValueError(f"Delta = {delta}: the exact reference needs Delta = 0")
    species = {s["name"]: s for s in deck["species"]}
    g = None
    betas = {}
    for name, site in (("hot", 0), ("cold", N - 1)):
        s = species[name]
        if _value(s.get("lambda", 0.0), params) != 0.0:
            raise ValueError(f"species {name} has lambda != 0: the exact reference needs 0")
        sites = {int(term[2]) for term in s["coupling"]}
        if sites != {site}:
            raise ValueError(f"species {name} couples to sites {sorted(sites)}, expected [{site}]")
        gs = {_value(term[0], params) for term in s["coupling"]}
        if len(gs) != 1 or (g is not None and gs != {g}):
            raise ValueError("the couplings of the two baths must share one g")
        g = gs.pop()
        betas[name] = _value(s.get("beta", math.inf), params)
    return J, h, g, betas["hot"], betas["cold"]


def check(path, N):
    """Max deviations of <sz_i> and <H_S> in a qcoll steady file from the exact values."""
    import h5py

    with h5py.File(path, "r") as f:
        deck = tomllib.loads(f.attrs["deck"])
        rho = np.asarray(f["/steady/rho"][()])
        energy = float(np.asarray(f["/steady/energy"][()]).reshape(-1)[0])
    d = 2**N
    if rho.size != d * d:
        raise ValueError(f"/steady/rho has {rho.size} entries, N = {N} needs {d * d}")
    rho = rho.reshape(d, d, order="F")
    J, h, g, beta_hot, beta_cold = deck_parameters(deck, N)
    exact = xx_chain_exact(N, J, h, g, beta_hot, beta_cold)
    sz = [local_sz(rho, N, i) for i in range(N)]
    dev_sz = max(abs(a - b) for a, b in zip(sz, exact["sz"]))
    dev_e = abs(energy - exact["energy"])
    print(f"N = {N}: J = {J}, h = {h}, g = {g}, beta_hot = {beta_hot}, beta_cold = {beta_cold}")
    for i in range(N):
        print(f"  <sz_{i}>  qcoll {sz[i]: .15f}  exact {exact['sz'][i]: .15f}")
    print(f"  <H_S>    qcoll {energy: .15f}  exact {exact['energy']: .15f}")
    print(f"max deviation: sz {dev_sz:.3e}, energy {dev_e:.3e}")
    return max(dev_sz, dev_e)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, help="chain lengths N")
    ap.add_argument("--check", metavar="FILE.h5", help="compare a qcoll steady file (N: its sites)")
    ap.add_argument("--J", type=float, default=1.0)
    ap.add_argument("--h", type=float, default=1.0)
    ap.add_argument("--g", type=float, default=0.3)
    ap.add_argument("--beta-hot", type=float, default=0.5)
    ap.add_argument("--beta-cold", type=float, default=2.0)
    ap.add_argument("--corr", action="store_true", help="print the correlation matrix C too")
    ap.add_argument("--tol", type=float, default=1e-8, help="--check fails above this deviation")
    a = ap.parse_args(argv)
    if a.check:
        if len(a.sizes) != 1:
            ap.error("--check FILE.h5 needs the number of sites N")
        try:
            return 0 if check(a.check, a.sizes[0]) <= a.tol else 1
        except (ValueError, KeyError, OSError) as e:
            print(f"xx_exact.py: {a.check}: {e}", file=sys.stderr)
            return 2
    if not a.sizes:
        ap.error("give at least one N")
    np.set_printoptions(precision=6, linewidth=160, suppress=True)
    for N in a.sizes:
        r = xx_chain_exact(N, a.J, a.h, a.g, a.beta_hot, a.beta_cold)
        print(f"N = {N}")
        print("  sz     = [" + ", ".join(f"{x:.15f}" for x in r["sz"]) + "]")
        print(f"  energy = {r['energy']:.15f}")
        if a.corr:
            print("  C =")
            print(r["C"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

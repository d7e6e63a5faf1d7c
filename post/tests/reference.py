"""An independent dense NumPy model of a qcoll deck (small d only), for tests.

Builds H_S, the species' H_j, V_j, chi_j and beta_j from a parsed deck, and
implements physics.md: the master equation (6)-(8), its thermodynamics
(section 3) and the exact finite-tau collisional map with the per-collision
quantities of section 4. Used to check files written by qcoll and to write
physically meaningful synthetic files for the groups the binary does not
produce yet.
"""
import math

import numpy as np

SP = np.array([[0, 1], [0, 0]], dtype=complex)  # |0><1|, |0> = up
PAULI = {
    "id": np.eye(2, dtype=complex),
    "sx": np.array([[0, 1], [1, 0]], dtype=complex),
    "sy": np.array([[0, -1j], [1j, 0]], dtype=complex),
    "sz": np.diag([1.0, -1.0]).astype(complex),
    "sp": SP,
    "sm": SP.T.copy(),
}


def local_dimension(site):
    if site == "spin1/2":
        return 2
    if site.startswith("qudit"):
        return int(site[5:])
    if site.startswith("boson"):
        return int(site[5:]) + 1
    raise ValueError(f"reference model does not support site {site!r}")


def local_operator(site, name):
    """Matrix of a named local operator on the local space `site`."""
    d = local_dimension(site)
    if name.startswith("proj"):
        i, j = int(name[4]), int(name[5])
        m = np.zeros((d, d), dtype=complex)
        m[i, j] = 1.0
        return m
    if site == "spin1/2":
        return PAULI[name].copy()
    if site.startswith("boson"):
        a = np.diag(np.sqrt(np.arange(1, d)), 1).astype(complex)
        return {"a": a, "adag": a.conj().T, "n": a.conj().T @ a, "id": np.eye(d)}[name]
    if name == "id":
        return np.eye(d, dtype=complex)
    raise ValueError(f"operator {name!r} on {site!r}")


def coefficient(value, params):
    """A deck coefficient: number, [re, im] or an expression over params."""
    if isinstance(value, (int, float)):
        return complex(value)
    if isinstance(value, list):
        return complex(value[0], value[1])
    names = dict(params, sqrt=math.sqrt, pi=math.pi, exp=math.exp)
    return complex(eval(value, {"__builtins__": {}}, names))  # noqa: S307 - test decks only


def term_operator(term, sites, params, ancilla=None):
    """Operator of one term on S (x) A (A last) or on S alone (ancilla None)."""
    spaces = list(sites) + ([ancilla] if ancilla else [])
    factors = [np.eye(local_dimension(s), dtype=complex) for s in spaces]
    for op, site in zip(term[1::2], term[2::2]):
        k = len(sites) if site == "A" else int(site)
        factors[k] = factors[k] @ local_operator(spaces[k], op)
    out = np.ones((1, 1), dtype=complex)
    for f in factors:
        out = np.kron(out, f)
    return coefficient(term[0], params) * out


def operator_sum(terms, sites, params, ancilla=None):
    ops = [term_operator(t, sites, params, ancilla) for t in terms]
    return sum(ops[1:], ops[0])


def ancilla_operator(terms, ancilla, params):
    """Operator on the ancilla alone (terms with site "A")."""
    return operator_sum(terms, [], params, ancilla)


def hermitian_function(matrix, func):
    w, v = np.linalg.eigh(matrix)
    return (v * func(w)) @ v.conj().T


def entropy(rho):
    p = np.linalg.eigvalsh(rho)
    p = p[p > 1e-15]
    return float(-(p * np.log(p)).sum())


def relative_entropy(rho, sigma):
    log_rho = hermitian_function(rho, lambda w: np.log(np.maximum(w, 1e-300)))
    log_sigma = hermitian_function(sigma, np.log)
    return float(np.real(np.trace(rho @ (log_rho - log_sigma))))


def coherence(rho):
    """Relative entropy of coherence in the computational basis."""
    return entropy(np.diag(np.diag(rho))) - entropy(rho)


def partial_trace_ancilla(x, d, da):
    return np.trace(x.reshape(d, da, d, da), axis1=1, axis2=3)


def partial_trace_system(x, d, da):
    return np.trace(x.reshape(d, da, d, da), axis1=0, axis2=2)


class Species:
    def __init__(self, table, sites, params):
        self.name = table["name"]
        self.ancilla = table["ancilla"]
        self.da = local_dimension(self.ancilla)
        self.H = ancilla_operator(table["hamiltonian"], self.ancilla, params)
        self.V = operator_sum(table["coupling"], sites, params, self.ancilla)
        self.lam = float(table.get("lambda", 0.0))
        chi = table.get("chi", "sx" if self.lam else None)
        if chi is None:
            self.chi = np.zeros((self.da, self.da), dtype=complex)
        elif isinstance(chi, str):
            self.chi = local_operator(self.ancilla, chi)
        else:
            self.chi = np.array([[complex(*z) for z in row] for row in chi])
        self.beta = float(table["beta"]) if "beta" in table else 1.0 / float(table["temperature"])
        w, v = np.linalg.eigh(self.H)
        p = np.exp(-self.beta * (w - w.min()))
        self.rho_th = (v * (p / p.sum())) @ v.conj().T


class Model:
    """System, species and their master equation from a parsed deck."""

    def __init__(self, deck):
        params = deck.get("params", {})
        self.sites = deck["system"]["sites"]
        self.H = operator_sum(deck["system"]["hamiltonian"], self.sites, params)
        self.d = self.H.shape[0]
        self.species = [Species(t, self.sites, params) for t in deck["species"]]
        for sp in self.species:
            sp.G = partial_trace_ancilla(sp.V @ np.kron(np.eye(self.d), sp.chi), self.d, sp.da)

    # master equation ------------------------------------------------------
    def dissipator(self, sp, rho):
        x = np.kron(rho, sp.rho_th)
        inner = sp.V @ x - x @ sp.V
        return -0.5 * partial_trace_ancilla(sp.V @ inner - inner @ sp.V, self.d, sp.da)

    def generator(self, rho):
        h = self.H + sum(sp.lam * sp.G for sp in self.species)
        out = -1j * (h @ rho - rho @ h)
        for sp in self.species:
            out = out + self.dissipator(sp, rho)
        return out

    def liouvillian(self):
        """d^2 x d^2 matrix acting on column-stacked vec(rho)."""
        d = self.d
        cols = []
        for k in range(d * d):
            e = np.zeros(d * d, dtype=complex)
            e[k] = 1.0
            cols.append(self.generator(e.reshape(d, d, order="F")).reshape(-1, order="F"))
        return np.array(cols).T

    def steady_state(self):
        w, v = np.linalg.eig(self.liouvillian())
        rho = v[:, np.argmin(np.abs(w))].reshape(self.d, self.d, order="F")
        rho = rho / np.trace(rho)
        return 0.5 * (rho + rho.conj().T)

    def spectrum(self):
        w = np.linalg.eigvals(self.liouvillian())
        w = w[np.argsort(-w.real)]
        return w, float(-w[1].real)

    def propagator(self, t):
        w, v = np.linalg.eig(self.liouvillian())
        vinv = np.linalg.inv(v)
        return lambda rho: ((v * np.exp(w * t)) @ vinv @ rho.reshape(-1, order="F")).reshape(
            self.d, self.d, order="F")

    # thermodynamics --------------------------------------------------------
    def thermo(self, rho):
        """Section 3 quantities at state rho, as a dict of floats / lists."""
        e = lambda op: float(np.real(np.trace(op @ rho)))  # noqa: E731
        wc, qinc, qa, qinca = [], [], [], []
        for sp in self.species:
            wc.append(float(np.real(1j * sp.lam * np.trace((sp.G @ self.H - self.H @ sp.G) @ rho))))
            qinc.append(float(np.real(np.trace(self.H @ self.dissipator(sp, rho)))))
            big_h = np.kron(np.eye(self.d), sp.H)
            vh = sp.V @ big_h - big_h @ sp.V
            vvh = sp.V @ vh - vh @ sp.V
            coh = np.real(1j * sp.lam * np.trace(vh @ np.kron(rho, sp.chi)))
            inc = 0.5 * np.real(np.trace(vvh @ np.kron(rho, sp.rho_th)))
            qa.append(float(coh - inc))
            qinca.append(float(inc))
        drho = self.generator(rho)
        log_rho = hermitian_function(rho, lambda w: np.log(np.maximum(w, 1e-300)))
        dsdt = float(-np.real(np.trace(drho @ log_rho)))
        betas = [sp.beta for sp in self.species]
        dedt = float(np.real(np.trace(self.H @ drho)))
        return {
            "energy": e(self.H), "dEdt": dedt, "trace": float(np.real(np.trace(rho))),
            "purity": float(np.real(np.trace(rho @ rho))), "entropy": entropy(rho),
            "work_coherent": wc, "heat_incoherent": qinc, "heat_ancilla": qa,
            "work_switching": dedt + sum(qa),
            "entropy_production": dsdt - float(np.dot(betas, qinc)),
            "entropy_production_ancilla": dsdt - float(np.dot(betas, qinca)),
        }

    # finite tau --------------------------------------------------------------
    def collide(self, rho, tau, t_final, compare=True):
        """Exact collisional map: per-stroke quantities (section 4).

        Per-collision energies and entropies as in docs/output.md, plus the
        continuum Pi and Pi_A at the state before each stroke. The distance
        to the master equation is the trace norm ||rho_tau - rho_ME||_1.
        """
        m = len(self.species)
        steps = int(round(t_final / tau))
        units = []
        for sp in self.species:
            gen = (tau / m) * (np.kron(self.H, np.eye(sp.da)) + np.kron(np.eye(self.d), sp.H)
                               + (m / math.sqrt(tau)) * sp.V)
            u = hermitian_function(gen, lambda w: np.exp(-1j * w))
            rho_a = sp.rho_th + math.sqrt(tau) * sp.lam * sp.chi
            units.append((sp, u, rho_a))
        me = self.propagator(tau) if compare else None
        rho_me = rho.copy()
        rows = {k: [] for k in ("t", "energy", "heat_ancilla", "work_coherent",
                                "mutual_information", "relative_entropy", "delta_coherence",
                                "entropy_production", "distance_to_master_equation",
                                "entropy_production_rate",
                                "entropy_production_rate_ancilla")}
        for n in range(1, steps + 1):
            heat, work, rel, dcoh, info = [], [], [], [], 0.0
            before = self.thermo(rho)
            rows["entropy_production_rate"].append(before["entropy_production"])
            rows["entropy_production_rate_ancilla"].append(before["entropy_production_ancilla"])
            for sp, u, rho_a in units:
                work.append(tau * self.thermo(rho)["work_coherent"][self.species.index(sp)])
                joint = u @ np.kron(rho, rho_a) @ u.conj().T
                rho_s2 = partial_trace_ancilla(joint, self.d, sp.da)
                rho_a2 = partial_trace_system(joint, self.d, sp.da)
                info += (entropy(rho_s2) + entropy(rho_a2) - entropy(rho) - entropy(rho_a))
                heat.append(float(np.real(np.trace(sp.H @ (rho_a2 - rho_a)))))
                rel.append(relative_entropy(rho_a2, rho_a))
                dcoh.append(coherence(rho_a2) - coherence(rho_a))
                rho = rho_s2
            rows["t"].append(n * tau)
            rows["energy"].append(float(np.real(np.trace(self.H @ rho))))
            rows["heat_ancilla"].append(heat)
            rows["work_coherent"].append(work)
            rows["mutual_information"].append(info)
            rows["relative_entropy"].append(rel)
            rows["delta_coherence"].append(dcoh)
            rows["entropy_production"].append(info + sum(rel))
            if compare:
                rho_me = me(rho_me)
                diff = np.linalg.eigvalsh(0.5 * ((rho - rho_me) + (rho - rho_me).conj().T))
                rows["distance_to_master_equation"].append(float(np.abs(diff).sum()))
        out = {k: np.array(v) for k, v in rows.items() if v}
        out["rho_final"] = rho
        return out


def initial_state(deck, d):
    """The deck's [initial] state for the states the tests use."""
    init = deck.get("initial", {})
    kind = init.get("state", "ground")
    if kind == "maximally_mixed":
        return np.eye(d, dtype=complex) / d
    if kind == "basis":
        rho = np.zeros((d, d), dtype=complex)
        rho[init.get("index", 0), init.get("index", 0)] = 1.0
        return rho
    raise ValueError(f"reference initial state {kind!r} not implemented")


def ground_state(h):
    w, v = np.linalg.eigh(h)
    psi = v[:, 0]
    return np.outer(psi, psi.conj())

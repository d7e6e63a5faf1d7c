"""Synthetic qcoll files written with h5py following docs/output.md.

They hold the groups the binary may not produce yet (/steady, /spectrum,
/collide, /sweep), filled with the values of the independent reference model
(reference.py), so every plot kind is exercised on physically sensible data.
Complex data use the compound {r, i} type, density matrices are stored flat
and column-stacked, names as fixed-length strings, as the C++ writer does.
"""
import tomllib

import h5py
import numpy as np

import reference

QUBIT_DECK = """\
title = "synthetic qubit example"
[params]
Omega = 1.0
g = 0.5
[system]
sites = ["spin1/2"]
hamiltonian = [["Omega/2", "sz", 0]]
[[species]]
name = "bath"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 1.0
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"
[initial]
state = "ground"
[steady]
gap = true
[collide]
tau = [0.1, 0.05, 0.025, 0.0125]
t_final = 4.0
compare_master_equation = true
[sweep]
key = "species.bath.lambda"
values = [0.0, 0.1, 0.2, 0.3, 0.4]
"""

TWO_BATH_DECK = """\
title = "synthetic qubit between a hot coherent and a cold bath"
[params]
Omega = 1.0
g = 0.4
[system]
sites = ["spin1/2"]
hamiltonian = [["Omega/2", "sz", 0]]
[[species]]
name = "hot"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 0.5
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"
[[species]]
name = "cold"
ancilla = "spin1/2"
hamiltonian = [["Omega/2", "sz", "A"]]
beta = 2.0
coupling = [["g", "sp", 0, "sm", "A"], ["g", "sm", 0, "sp", "A"]]
lambda = 0.0
[initial]
state = "ground"
[steady]
gap = true
[collide]
tau = [0.1, 0.05, 0.025]
t_final = 3.0
compare_master_equation = true
[sweep]
key = "species.hot.beta"
start = 0.1
stop = 1.9
count = 7
"""

DECKS = {"qubit": QUBIT_DECK, "two_baths": TWO_BATH_DECK}
OBSERVABLES = ("sx", "sy", "sz")


def _describe(obj, text):
    obj.attrs["description"] = text


def _real(group, name, value, text):
    ds = group.create_dataset(name, data=np.asarray(value, dtype=np.float64))
    _describe(ds, text)
    return ds


def _complex(group, name, value, text):
    ds = group.create_dataset(name, data=np.asarray(value, dtype=np.complex128))
    _describe(ds, text)
    return ds


def _rho(group, name, rho, text="density matrix, flat column-stacked"):
    ds = _complex(group, name, np.asarray(rho).reshape(-1, order="F"), text)
    ds.attrs["layout"] = "column-major"
    return ds


def write_header(f, deck_text, model, task):
    f.attrs.update({"qcoll_version": "0.1.0", "git_commit": "synthetic",
                    "created": "2026-01-01T00:00:00Z", "nranks": np.int64(1), "task": task,
                    "deck": deck_text, "petsc_options": "", "complete": np.uint8(1)})
    deck = tomllib.loads(deck_text)
    f.attrs["title"] = deck["title"]
    g = f.create_group("model")
    g.attrs["d"] = np.int64(model.d)
    g.attrs["sites"] = ",".join(model.sites)
    names = [sp.name.encode() for sp in model.species]
    ds = g.create_dataset("species_names", data=np.array(names, dtype=f"S{max(map(len, names))}"))
    _describe(ds, "names of the ancilla species, in deck order")
    _real(g, "beta", [sp.beta for sp in model.species], "inverse temperature (1/energy)")
    _real(g, "lambda", [sp.lam for sp in model.species], "coherence strength lambda")
    _describe(g.create_dataset("energy_conserving", data=np.ones(len(model.species), np.int64)),
              "1 if [V, H_S + H_A] = 0 for the species")


def _observables(model):
    return {name: reference.local_operator("spin1/2", name) for name in OBSERVABLES}


def write_thermo_point(g, model, rho, values):
    _real(g, "energy", values["energy"], "<H_S> (energy)")
    _real(g, "dEdt", values["dEdt"], "first-law residual (energy/time)")
    _real(g, "trace", values["trace"], "tr(rho)")
    _real(g, "purity", values["purity"], "tr(rho^2)")
    _real(g, "entropy", values["entropy"], "von Neumann entropy of rho")
    _real(g, "work_switching", values["work_switching"], "switching work rate (energy/time)")
    for name in ("work_coherent", "heat_incoherent", "heat_ancilla"):
        _real(g, name, values[name], f"{name} per species (energy/time)")
    _real(g, "entropy_production", values["entropy_production"], "Pi (1/time)")
    _real(g, "entropy_production_ancilla", values["entropy_production_ancilla"], "Pi_A (1/time)")
    obs = g.create_group("observables")
    for name, op in _observables(model).items():
        _complex(obs, name, np.trace(op @ rho), f"tr(O rho) for the observable {name}")


def write_steady(f, model):
    g = f.create_group("steady")
    g.attrs["method"] = "eigen"
    rho = model.steady_state()
    _rho(g, "rho", rho, "steady state, flat column-stacked")
    write_thermo_point(g, model, rho, model.thermo(rho))
    _real(g, "residual", 1e-13, "||L rho|| / ||rho||")
    eigenvalues, gap = model.spectrum()
    _complex(g, "eigenvalues", eigenvalues, "Liouvillian eigenvalues nearest 0 (1/time)")
    _real(g, "gap", gap, "spectral gap (1/time)")
    return rho


def write_spectrum(f, model):
    g = f.create_group("spectrum")
    eigenvalues, gap = model.spectrum()
    _complex(g, "eigenvalues", eigenvalues, "Liouvillian eigenvalues nearest 0 (1/time)")
    _real(g, "gap", gap, "spectral gap (1/time)")


# Collide datasets beyond the minimal layout (written for the two_baths deck
# only, so that files with and without them are both plotted).
COLLIDE_EXTRAS = ("entropy_production_rate", "entropy_production_rate_ancilla")


def write_collide(f, model, deck, extras=False):
    cfg = deck["collide"]
    g = f.create_group("collide")
    taus = np.asarray(cfg["tau"], dtype=float)
    _real(g, "tau", taus, "collision time of each run (1/energy)")
    rho0 = reference.ground_state(model.H)
    results = []
    for k, tau in enumerate(taus):
        res = model.collide(rho0, tau, cfg["t_final"], cfg.get("compare_master_equation", True))
        sub = g.create_group(str(k))
        sub.attrs["tau"] = tau
        for name, value in res.items():
            if name in COLLIDE_EXTRAS and not extras:
                continue
            if name == "rho_final":
                _rho(sub, name, value)
            else:
                _real(sub, name, value, f"{name} after each stroke")
        results.append(res)
    if extras:
        final = [r["distance_to_master_equation"][-1] for r in results]
        _real(g, "final_distance", final, "||rho_tau - rho_ME||_1 at the last stroke")
    return results


def sweep_values(deck):
    s = deck["sweep"]
    if "values" in s:
        return np.asarray(s["values"], dtype=float)
    return np.linspace(s["start"], s["stop"], s["count"])


def write_sweep(f, text):
    deck = tomllib.loads(text)
    key = deck["sweep"]["key"]
    _, species_name, field = key.split(".")
    values = sweep_values(deck)
    points = []
    for v in values:
        changed = tomllib.loads(text)
        for sp in changed["species"]:
            if sp["name"] == species_name:
                sp[field] = float(v)
        model = reference.Model(changed)
        rho = model.steady_state()
        points.append((model.thermo(rho), rho, model))
    g = f.create_group("sweep")
    g.attrs["key"] = key
    _real(g, "values", values, f"values of {key}")
    for name in ("energy", "entropy", "entropy_production", "entropy_production_ancilla",
                 "work_switching", "work_coherent", "heat_incoherent", "heat_ancilla"):
        _real(g, name, [p[0][name] for p in points], f"steady-state {name} at each point")
    _real(g, "gap", [p[2].spectrum()[1] for p in points], "spectral gap (1/time)")
    obs = g.create_group("observables")
    for name, op in _observables(None).items():
        _complex(obs, name, [np.trace(op @ p[1]) for p in points], f"steady-state <{name}>")
    return values, points


def write_file(path, name="qubit", groups=("steady", "spectrum", "collide", "sweep")):
    """Write a synthetic file for deck `name` holding `groups`; return the Model."""
    text = DECKS[name]
    deck = tomllib.loads(text)
    model = reference.Model(deck)
    with h5py.File(path, "w") as f:
        write_header(f, text, model, task=groups[0])
        for group in groups:
            if group == "steady":
                write_steady(f, model)
            elif group == "spectrum":
                write_spectrum(f, model)
            elif group == "collide":
                write_collide(f, model, deck, extras=(name == "two_baths"))
            elif group == "sweep":
                write_sweep(f, text)
            else:
                raise ValueError(group)
    return model

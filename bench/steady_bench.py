#!/usr/bin/python3
"""qcoll steady on the boundary-driven XX and XXZ chains, against the exact NESS and QuTiP.

    /usr/bin/python3 bench/steady_bench.py --build build-release [--sizes 4 5 6 7 8 9 10 11 12]
    make bench-steady [STEADY_SIZES="4 5 6"] [STEADY_ARGS="--qutip-max 6"]

The chains are those of bench/run_bench.py (inputs/xxz_chain.toml's parameters,
N sites, hot bath on site 0, cold bath on site N - 1; `chain_parameters`,
`deck_text` and `qutip_model` are imported from there):

  XX   params.Delta = 0, species.hot.lambda = 0: the exact steady state is known
       (bench/xx_exact.py, xx_chain_exact);
  XXZ  the deck's Delta and the hot bath's lambda (coherent ancillas): compared
       with QuTiP's steadystate where QuTiP runs (N <= --qutip-max), else with nothing.

For each N and model, one after the other (never two at once):

  * `qcoll check DECK` on --ranks ranks: the steady plan and the estimates of
    the lines "direct (LU): ..." and "iterative (GMRES+Sylvester): ...";
  * `mpiexec -n RANKS qcoll steady DECK` with qcoll's DEFAULT [steady] settings:
    the deck's [steady] holds only `gap = false`, which is qcoll's default
    (method and tol are not set, so `auto` and the default tol apply). Every rank
    runs under `/usr/bin/time -v`; measured: the whole command's wall time
    (mpiexec start to exit), the peak RSS of each rank, the /steady attributes
    method, method_reason, iterations, solved_dimension, wall_seconds,
    second_start_difference and the dataset /steady/residual;
  * accuracy, from /steady/rho (column-stacked, reshaped column-major): XX
    against xx_chain_exact (max |<sz_i>| deviation, |<H_S>| deviation); both
    models against QuTiP's rho where QuTiP ran (max |rho diff|, observables);
  * QuTiP `steadystate(H, c_ops)` (default: direct sparse LU) in a fresh
    subprocess: time of the call, whole-process wall time, peak RSS.

Every command has a timeout (--timeout, default 1800 s); a run stopped by it
is recorded as "timeout", and larger N of the same model and code are then
skipped (recorded as such). Results are written after every run:
OUT/steady-results.md (also printed) and OUT/steady-results.json, with decks,
HDF5 files and logs in OUT/steady/. OUT defaults to BUILD/bench-results.
"""
import argparse
import copy
import datetime
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from run_bench import chain_parameters, deck_text, fmt, machine, qutip_model, run  # noqa: E402
from xx_exact import xx_chain_exact  # noqa: E402

MODELS = ("XX", "XXZ")
GIB = 1024.0 ** 3
MIB = 1024.0 ** 2
# Spelled out once: what the qcoll runs use.
SETTINGS = ("qcoll's default [steady] settings: the deck's [steady] holds only `gap = false`, which is "
            "qcoll's default (method and tol are not set: method `auto`, qcoll's default tol)")


# ----------------------------------------------------------------------------
# Model: decks and parameters.

def model_parameters(model):
    par = chain_parameters()
    if model == "XX":
        par = copy.deepcopy(par)
        par["Delta"] = 0.0
        par["hot"]["lambda"] = 0.0
    elif model != "XXZ":
        raise ValueError(model)
    return par


def steady_deck(n, par):
    """run_bench's deck for N sites with [steady] = qcoll's defaults except gap = false
    (also qcoll's default) and [run] task = "steady" (so `qcoll check` prints the plan)."""
    text = deck_text(n, par)
    cut = text.index("\n[steady]")
    text = text[:cut + 1] + '[steady]\ngap = false\n\n[run]\ntask = "steady"\n'
    deck = tomllib.loads(text)  # check it is what we claim
    assert deck["steady"] == {"gap": False}, deck["steady"]
    assert deck["system"]["model"]["sites"] == n
    return text


# ----------------------------------------------------------------------------
# Observables from a density matrix (site 0 the most significant factor, as in
# qcoll and QuTiP's tensor order).

PAULI = {
    "x": [[0, 1], [1, 0]],
    "y": [[0, -1j], [1j, 0]],
    "z": [[1, 0], [0, -1]],
}


def reduced(rho, n, i, k):
    """Reduced density matrix of the k consecutive sites i .. i+k-1."""
    import numpy as np
    a, b = 2 ** i, 2 ** (n - i - k)
    r = rho.reshape(a, 2 ** k, b, a, 2 ** k, b)
    return np.einsum("aibajb->ij", r)


def observables(rho, n, par):
    """<sz_i> (list), <H_S>, <sx_0>, current23 = 2 J <sx_2 sy_3 - sy_2 sx_3>."""
    import numpy as np
    s = {k: np.array(v, dtype=complex) for k, v in PAULI.items()}
    J, Delta, h = par["J"], par["Delta"], par["h"]
    one = [reduced(rho, n, i, 1) for i in range(n)]
    sz = [float(np.trace(r @ s["z"]).real) for r in one]
    bond = np.kron(s["x"], s["x"]) + np.kron(s["y"], s["y"]) + Delta * np.kron(s["z"], s["z"])
    energy = 0.5 * h * sum(sz)
    for i in range(n - 1):
        energy += J * float(np.trace(reduced(rho, n, i, 2) @ bond).real)
    current = 2 * J * (np.kron(s["x"], s["y"]) - np.kron(s["y"], s["x"]))
    return {"sz": sz, "energy": energy, "sx0": float(np.trace(one[0] @ s["x"]).real),
            "current23": float(np.trace(reduced(rho, n, 2, 2) @ current).real)}


def compare(a, b):
    """Deviations between two observables() dicts."""
    dev = {"sz": max(abs(x - y) for x, y in zip(a["sz"], b["sz"])), "energy": abs(a["energy"] - b["energy"])}
    for k in ("sx0", "current23"):
        if k in a and k in b:
            dev[k] = abs(a[k] - b[k])
    dev["max"] = max(dev.values())
    return dev


# ----------------------------------------------------------------------------
# QuTiP, in a fresh process.

def qutip_worker(spec):
    import numpy as np
    import qutip as qt
    import resource
    n, par = spec["n"], spec["par"]
    out = {"n": n, "qutip": qt.__version__}
    t0 = time.perf_counter()
    H, c_ops, _, _ = qutip_model(n, par)
    out["model_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rho = qt.steadystate(H, c_ops)
    out["seconds"] = time.perf_counter() - t0
    np.save(spec["rho_file"], rho.full())
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("QUTIP_JSON " + json.dumps(out), flush=True)


# ----------------------------------------------------------------------------
# Parsing.

def parse_bytes(text):
    m = re.match(r"([0-9.]+)\s*(B|KiB|MiB|GiB|TiB|PiB)$", text.strip())
    if not m:
        return None
    return float(m.group(1)) * 1024.0 ** ["B", "KiB", "MiB", "GiB", "TiB", "PiB"].index(m.group(2))


def parse_check(text):
    """The steady plan of `qcoll check`."""
    est = {}
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"steady: method (\S+) \((.*)\)$", s)
        if m:
            est["method"], est["reason"] = m.group(1), m.group(2)
        if s.startswith("steady: no plan"):
            est["no_plan"] = s
        m = re.match(r"invariant blocks of rho: (\d+) of the (\d+) entries", s)
        if m:
            est["reduced_unknowns"] = int(m.group(1))
        m = re.match(r"(direct \(LU\)|iterative \(GMRES\+Sylvester\)):\s+(.*)$", s)
        if m:
            key = "direct" if m.group(1).startswith("direct") else "iterative"
            est[key + "_line"] = s
            m2 = re.match(r"([0-9.]+ \w+) per rank, ~([0-9.eE+-]+) s", m.group(2))
            if m2:
                est[key + "_bytes"] = parse_bytes(m2.group(1))
                est[key + "_seconds"] = float(m2.group(2))
                est[key + "_fits"] = "does not fit" not in s
            m3 = re.search(r"~(\d+) iterations", s)
            if m3:
                est[key + "_iterations"] = int(m3.group(1))
        m = re.search(r"memory per rank on (\d+) rank\(s\) ~ ([0-9.]+ \w+) \(available per rank: ([0-9.]+ \w+)\)", s)
        if m:
            est["liouvillian_bytes"] = parse_bytes(m.group(2))
            est["available_bytes"] = parse_bytes(m.group(3))
    return est


def parse_time_v(path):
    """The fields of one `/usr/bin/time -v` file we use."""
    out = {}
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        return None
    for key, pat in (("max_rss_kb", r"Maximum resident set size \(kbytes\): (\d+)"),
                     ("user_seconds", r"User time \(seconds\): ([0-9.]+)"),
                     ("system_seconds", r"System time \(seconds\): ([0-9.]+)"),
                     ("exit_status", r"Exit status: (\d+)")):
        m = re.search(pat, text)
        if m:
            out[key] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    if m:
        secs = 0.0
        for part in m.group(1).split(":"):
            secs = 60 * secs + float(part)
        out["elapsed_seconds"] = secs
    if "Command terminated by signal" in text:
        out["signal"] = re.search(r"Command terminated by signal (\d+)", text).group(1)
    return out


def jsonable(x):
    import numpy as np
    if isinstance(x, dict):
        return {str(k): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    if isinstance(x, bytes):
        return x.decode()
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


# ----------------------------------------------------------------------------
# The benchmark.

class SteadyBench:
    def __init__(self, a):
        self.a = a
        self.qcoll = os.path.join(a.build, "qcoll")
        self.dir = os.path.join(a.out, "steady")
        os.makedirs(self.dir, exist_ok=True)
        self.wrapper = os.path.join(self.dir, "rank_time.sh")
        with open(self.wrapper, "w") as f:
            # Each rank under /usr/bin/time -v, into PREFIX.<rank>.
            f.write('#!/bin/sh\nprefix="$1"; shift\n'
                    'exec /usr/bin/time -v -o "$prefix.${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-0}}" "$@"\n')
        os.chmod(self.wrapper, 0o755)
        self.r = {
            "created": datetime.datetime.now().isoformat(timespec="seconds"),
            "command": " ".join([sys.executable] + sys.argv),
            "settings": SETTINGS, "ranks": a.ranks, "sizes": a.sizes, "models": a.models,
            "qutip_max": a.qutip_max, "timeout_seconds": a.timeout, "machine": machine(),
            "source": self.source_state(), "parameters": {m: model_parameters(m) for m in a.models},
            "runs": {m: {} for m in a.models},
        }
        self.stopped = {}  # (code, model) -> N at which it timed out

    def source_state(self):
        s = {}
        code, text, _ = run([self.qcoll, "--version"], timeout=60)
        s["qcoll_version"] = text.strip()
        try:
            s["git_head"] = subprocess.run(["git", "-C", SOURCE, "rev-parse", "--short", "HEAD"],
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
            st = subprocess.run(["git", "-C", SOURCE, "status", "--porcelain", "--", "src", "include", "CMakeLists.txt",
                                 "cmake"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
            s["uncommitted_source_files"] = len([l for l in st.splitlines() if l.strip()])
        except OSError:
            pass
        s["binary_mtime"] = datetime.datetime.fromtimestamp(os.path.getmtime(self.qcoll)).isoformat(timespec="seconds")
        return s

    def log(self, msg):
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)

    def mpi(self, cmd, prefix):
        for f in os.listdir(os.path.dirname(prefix)):
            if f.startswith(os.path.basename(prefix) + "."):
                os.remove(os.path.join(os.path.dirname(prefix), f))
        return (["mpiexec", "-n", str(self.a.ranks), "--oversubscribe", "--bind-to", "none", self.wrapper, prefix]
                + cmd)

    def ranks_time(self, prefix):
        per = [parse_time_v(f"{prefix}.{k}") for k in range(self.a.ranks)]
        per = [p for p in per if p]
        rss = [p["max_rss_kb"] / 1024.0 for p in per if "max_rss_kb" in p]
        return {"per_rank": per, "max_rss_mb_per_rank": max(rss) if rss else None,
                "sum_rss_mb": sum(rss) if len(rss) == self.a.ranks else None}

    # -- one (model, N) ---------------------------------------------------------
    def check(self, n, model, deck):
        prefix = os.path.join(self.dir, f"{model.lower()}_{n}.check.time")
        code, text, wall = run(self.mpi([self.qcoll, "check", deck], prefix), timeout=self.a.timeout)
        with open(os.path.join(self.dir, f"{model.lower()}_{n}.check.log"), "w") as f:
            f.write(text)
        est = parse_check(text)
        est.update({"exit": code, "wall_seconds": wall, **self.ranks_time(prefix)})
        if code == -1:
            est["status"] = "timeout"
            est["error"] = f"stopped after {self.a.timeout:.0f} s (--timeout)"
        elif code != 0:
            est["status"] = "failed"
            est["error"] = next((l for l in reversed(text.splitlines()) if l.strip()), f"exit {code}")
        else:
            est["status"] = "ok"
        return est

    def steady(self, n, model, deck, par):
        import h5py
        import numpy as np
        h5 = os.path.join(self.dir, f"{model.lower()}_{n}.h5")
        prefix = os.path.join(self.dir, f"{model.lower()}_{n}.steady.time")
        code, text, wall = run(self.mpi([self.qcoll, "steady", deck, "-o", h5, "--overwrite"], prefix),
                               timeout=self.a.timeout)
        with open(os.path.join(self.dir, f"{model.lower()}_{n}.steady.log"), "w") as f:
            f.write(text)
        res = {"exit": code, "wall_seconds_command": wall, **self.ranks_time(prefix),
               "log": [l for l in text.splitlines() if l.startswith("steady")]}
        if code == -1:
            res["status"] = "timeout"
            res["error"] = f"stopped after {self.a.timeout:.0f} s (--timeout)"
            return res, None
        if code != 0:
            res["status"] = "failed"
            res["error"] = next((l for l in reversed(text.splitlines()) if l.strip()), f"exit {code}")
            return res, None
        try:
            with h5py.File(h5, "r") as f:
                g = f["steady"]
                res["attrs"] = {k: jsonable(v) for k, v in g.attrs.items()}
                for k in ("method", "method_reason", "iterations", "solved_dimension", "wall_seconds",
                          "second_start_difference"):
                    res[k] = jsonable(g.attrs[k]) if k in g.attrs else None
                res["residual"] = float(np.asarray(g["residual"][()]).reshape(-1)[0])
                res["energy_h5"] = float(np.real(np.asarray(g["energy"][()]).reshape(-1)[0]))
                res["git_commit"] = jsonable(f.attrs.get("git_commit"))
                d = 2 ** n
                flat = np.asarray(g["rho"][()])
                if flat.size != d * d:
                    raise ValueError(f"/steady/rho has {flat.size} entries, expected {d * d}")
                rho = flat.reshape(d, d, order="F")
        except Exception as e:  # noqa: BLE001 - report, do not stop the benchmark
            res["status"] = "failed"
            res["error"] = f"reading {h5}: {e}"
            return res, None
        res["status"] = "ok"
        obs = observables(rho, n, par)
        res["observables"] = obs
        # qcoll's own /steady/energy against <H_S> of its rho (consistency of the output).
        res["energy_h5_vs_rho"] = abs(res["energy_h5"] - obs["energy"])
        return res, rho

    def qutip(self, n, model, par):
        import numpy as np
        rho_file = os.path.join(self.dir, f"{model.lower()}_{n}.qutip_rho.npy")
        spec = {"n": n, "par": par, "rho_file": rho_file}
        code, text, wall = run([sys.executable, os.path.abspath(__file__), "--qutip-worker", json.dumps(spec)],
                               timeout=self.a.timeout)
        with open(os.path.join(self.dir, f"{model.lower()}_{n}.qutip.log"), "w") as f:
            f.write(text)
        res = {"exit": code, "wall_seconds_process": wall}
        if code == -1:
            res["status"] = "timeout"
            res["error"] = f"stopped after {self.a.timeout:.0f} s (--timeout)"
            return res, None
        lines = [l for l in text.splitlines() if l.startswith("QUTIP_JSON ")]
        if code != 0 or not lines:
            res["status"] = "failed"
            res["error"] = next((l for l in reversed(text.splitlines()) if l.strip()), f"exit {code}")
            return res, None
        res.update(json.loads(lines[-1][len("QUTIP_JSON "):]))
        res["status"] = "ok"
        rho = np.load(rho_file)
        os.remove(rho_file)
        res["observables"] = observables(rho, n, par)
        return res, rho

    def one(self, n, model):
        par = model_parameters(model)
        deck = os.path.join(self.dir, f"{model.lower()}_{n}.toml")
        with open(deck, "w") as f:
            f.write(steady_deck(n, par))
        out = {"n": n, "d2": 4 ** n, "deck": deck}
        self.r["runs"][model][n] = out

        out["check"] = self.check(n, model, deck)
        c = out["check"]
        self.log(f"{model} N={n}: qcoll check: plan {c.get('method', '?')}, direct ~{fmt(c.get('direct_seconds'))} s "
                 f"{fmt(mb(c.get('direct_bytes')), '.4g')} MiB, iterative ~{fmt(c.get('iterative_seconds'))} s "
                 f"{fmt(mb(c.get('iterative_bytes')), '.4g')} MiB per rank" +
                 (f" [{c['status']}: {c.get('error', '')}]" if c["status"] != "ok" else ""))

        rho_q = rho_qt = None
        if ("qcoll", model) in self.stopped:
            out["qcoll"] = {"status": "skipped", "error": f"timed out at N = {self.stopped[('qcoll', model)]}"}
        else:
            out["qcoll"], rho_q = self.steady(n, model, deck, par)
            if out["qcoll"]["status"] == "timeout":
                self.stopped[("qcoll", model)] = n
        q = out["qcoll"]
        self.log(f"{model} N={n}: qcoll steady: {q['status']}"
                 + (f", {q.get('method')}, {fmt(q.get('wall_seconds_command'))} s command, "
                    f"{fmt(q.get('wall_seconds'))} s solver, {q.get('iterations')} its, "
                    f"{fmt(q.get('max_rss_mb_per_rank'), '.0f')} MB/rank, residual {fmt(q.get('residual'), '.2e')}"
                    if q["status"] == "ok" else f" ({q.get('error', '')})"))

        if n <= self.a.qutip_max:
            if ("qutip", model) in self.stopped:
                out["qutip"] = {"status": "skipped", "error": f"timed out at N = {self.stopped[('qutip', model)]}"}
            else:
                out["qutip"], rho_qt = self.qutip(n, model, par)
                if out["qutip"]["status"] == "timeout":
                    self.stopped[("qutip", model)] = n
            t = out["qutip"]
            self.log(f"{model} N={n}: QuTiP steadystate: {t['status']}"
                     + (f", {fmt(t.get('seconds'))} s, process {fmt(t.get('wall_seconds_process'))} s, "
                        f"{fmt(t.get('max_rss_mb'), '.0f')} MB" if t["status"] == "ok" else ""))
        else:
            out["qutip"] = {"status": "not run", "error": f"N > --qutip-max {self.a.qutip_max}"}

        # Accuracy.
        acc = {}
        if model == "XX":
            ex = xx_chain_exact(n, par["J"], par["h"], par["g"], par["hot"]["beta"], par["cold"]["beta"])
            exact = {"sz": ex["sz"], "energy": ex["energy"]}
            acc["exact"] = exact
            if rho_q is not None:
                acc["qcoll_vs_exact"] = compare(q["observables"], exact)
            if rho_qt is not None:
                acc["qutip_vs_exact"] = compare(out["qutip"]["observables"], exact)
        if rho_q is not None and rho_qt is not None:
            import numpy as np
            acc["qcoll_vs_qutip"] = compare(q["observables"], out["qutip"]["observables"])
            acc["qcoll_vs_qutip"]["rho"] = float(np.max(np.abs(rho_q - rho_qt)))
        out["accuracy"] = acc
        msg = []
        if "qcoll_vs_exact" in acc:
            msg.append(f"vs exact: sz {acc['qcoll_vs_exact']['sz']:.2e}, H_S {acc['qcoll_vs_exact']['energy']:.2e}")
        if "qcoll_vs_qutip" in acc:
            msg.append(f"vs QuTiP: rho {acc['qcoll_vs_qutip']['rho']:.2e}, obs {acc['qcoll_vs_qutip']['max']:.2e}")
        if msg:
            self.log(f"{model} N={n}: accuracy " + "; ".join(msg))
        self.write()

    # -- report -------------------------------------------------------------------
    def get(self, model, n, *keys):
        x = self.r["runs"].get(model, {}).get(n)
        for k in keys:
            if not isinstance(x, dict) or k not in x:
                return None
            x = x[k]
        return x

    def targets(self):
        """(name, measured, verdict) rows. Verdicts: met / not met / not run. A qcoll run that
        timed out, failed or was skipped after a smaller N timed out counts as not met; a QuTiP
        run that timed out (or was skipped so) gives a lower bound on QuTiP's time."""
        rows = []
        T = self.a.timeout

        def qcoll_state(model, n):
            """(run dict or None, text for a run that did not finish)."""
            if model not in self.a.models:
                return None, f"{model} not in --models"
            x = self.get(model, n, "qcoll")
            if x is None:
                return None, f"qcoll {model} N = {n} not run (N not in --sizes)"
            if x.get("status") != "ok":
                return x, f"qcoll {model} N = {n} {x['status']}" + (f" ({x['error']})" if x.get("error") else "")
            return x, None

        def qutip_time(n):
            """(seconds, is_lower_bound, text) of QuTiP XXZ at N = n."""
            if "XXZ" not in self.a.models:
                return None, False, "QuTiP XXZ not run (XXZ not in --models)"
            x = self.get("XXZ", n, "qutip")
            if x is None:
                return None, False, f"QuTiP XXZ N = {n} not run (N not in --sizes)"
            if x.get("status") == "ok":
                return x["seconds"], False, f"QuTiP XXZ N = {n} {fmt(x['seconds'])} s ({fmt(x.get('max_rss_mb'), '.0f')} MB)"
            if x.get("status") == "timeout" or (x.get("status") == "skipped" and "timed out" in x.get("error", "")):
                return T, True, f"QuTiP XXZ N = {n} > {T:.0f} s ({x['status']})"
            return None, False, f"QuTiP XXZ N = {n} {x.get('status')}" + (f" ({x['error']})" if x.get("error") else "")

        def not_finished(x):
            return "not met" if x is not None else "not run"

        # (a) N = 10 XX against QuTiP's N = 7 XXZ time.
        name = ("(a) N = 10 XX: qcoll wall <= 0.2 x QuTiP's N = 7 XXZ steadystate time (same run), "
                "<= 2 GiB per rank, results to 1e-8 of the exact NESS")
        q10, bad = qcoll_state("XX", 10)
        if bad:
            rows.append((name, bad, not_finished(q10)))
        else:
            rss = q10["max_rss_mb_per_rank"] * MIB / GIB
            acc = self.get("XX", 10, "accuracy", "qcoll_vs_exact")
            err = acc["max"] if acc else None
            ok_rest = rss <= 2.0 and err is not None and err <= 1e-8
            w = q10["wall_seconds_command"]
            parts = [f"qcoll {fmt(w)} s ({q10['method']}), {rss:.2f} GiB/rank (max), max deviation from exact "
                     f"{fmt(err, '.1e')}"]
            t7, lower, text = qutip_time(7)
            parts.append(text)
            if t7 is None:
                v = "not met" if not ok_rest else "not run (no QuTiP N = 7 XXZ time in this run)"
            elif lower:
                parts.append(f"ratio < {w / t7:.3f}")
                v = ("met" if ok_rest else "not met") if w <= 0.2 * t7 else ("not met" if not ok_rest
                                                                             else "undecided (QuTiP timed out)")
            else:
                parts.append(f"ratio {w / t7:.3f} (<= 0.2 wanted)")
                v = "met" if ok_rest and w <= 0.2 * t7 else "not met"
            rows.append((name, "; ".join(parts), v))

        # (b) N = 7 XXZ.
        name = "(b) N = 7 XXZ: qcoll >= 20x faster than QuTiP steadystate"
        q7, bad = qcoll_state("XXZ", 7)
        if bad:
            rows.append((name, bad, not_finished(q7)))
        else:
            w = q7["wall_seconds_command"]
            t7, lower, text = qutip_time(7)
            parts = [text, f"qcoll {fmt(w)} s ({q7['method']}, {fmt(q7['max_rss_mb_per_rank'], '.0f')} MB/rank)"]
            acc = self.get("XXZ", 7, "accuracy", "qcoll_vs_qutip")
            if acc:
                parts.append(f"max |rho diff| {acc['rho']:.1e}")
            if t7 is None:
                v = "not run"
            elif lower:
                parts.insert(2, f"> {t7 / w:.1f}x")
                v = "met" if t7 / w >= 20 else "undecided (QuTiP timed out)"
            else:
                parts.insert(2, f"{t7 / w:.1f}x")
                v = "met" if t7 / w >= 20 else "not met"
            rows.append((name, "; ".join(parts), v))

        # (c) N = 12.
        for model in ("XX", "XXZ"):
            name = f"(c) N = 12 {model}: <= 15 min within 20 GiB ({self.a.ranks} ranks, sum of peak RSS)"
            q12, bad = qcoll_state(model, 12)
            if bad:
                rows.append((name, bad, not_finished(q12)))
                continue
            tot = (q12["sum_rss_mb"] or float("nan")) * MIB / GIB
            w = q12["wall_seconds_command"]
            acc = self.get(model, 12, "accuracy", "qcoll_vs_exact")
            extra = f", max deviation from exact {acc['max']:.1e}" if acc else ""
            rows.append((name, f"{w:.0f} s ({w / 60:.1f} min), {tot:.2f} GiB in all "
                               f"({fmt(q12['max_rss_mb_per_rank'] * MIB / GIB, '.2f')} GiB/rank max), "
                               f"{q12['method']}, {q12['iterations']} its, residual {fmt(q12['residual'], '.1e')}"
                               f"{extra}", "met" if w <= 900 and tot <= 20 else "not met"))
        return rows

    def report(self):
        r = self.r
        m = r["machine"]
        s = r["source"]
        L = ["# qcoll steady benchmark: boundary-driven XX and XXZ chains\n"]
        L.append(f"{r['created']}; {m.get('cpu')}, {m['nproc']} cores, {m.get('mem_gib', 0):.1f} GiB; load average "
                 f"before {m['load_before'][0]:.2f}" + (f", after {r['load_after'][0]:.2f}" if "load_after" in r else "")
                 + f". {s.get('qcoll_version', '?')}, HEAD {s.get('git_head', '?')}, "
                 f"{s.get('uncommitted_source_files', '?')} uncommitted files in src/, include/, cmake "
                 f"(binary built {s.get('binary_mtime')}).\n")
        L.append(f"qcoll: `mpiexec -n {r['ranks']} --oversubscribe --bind-to none qcoll steady DECK` with {SETTINGS}. Decks: "
                 "inputs/xxz_chain.toml's parameters, N sites, hot bath on site 0, cold bath on site N - 1 "
                 "(bench/run_bench.py's deck); XX: Delta = 0 and hot lambda = 0; XXZ: Delta = "
                 f"{model_parameters('XXZ')['Delta']}, hot lambda = {model_parameters('XXZ')['hot']['lambda']}. "
                 "Command = whole mpiexec command (start-up, assembly, solve, output); solver = /steady "
                 "wall_seconds. RSS = peak resident memory per rank (/usr/bin/time -v). QuTiP: "
                 f"`steadystate(H, c_ops)` (default, direct sparse LU) in a fresh process, up to N = "
                 f"{r['qutip_max']}; s = the call, process = whole process. Timeout {r['timeout_seconds']:.0f} s "
                 "per command.\n")

        L.append("## qcoll steady\n")
        L.append("| model | N | d^2 | method | solved dim | its | command s | solver s | RSS MB/rank (max) "
                 "| residual | 2nd-start diff | status |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for model, n, x in self.rows():
            q = x.get("qcoll", {})
            ok = q.get("status") == "ok"
            L.append(f"| {model} | {n} | {x['d2']} | {q.get('method', '-') if ok else '-'} "
                     f"| {q.get('solved_dimension', '-') if ok else '-'} | {q.get('iterations', '-') if ok else '-'} "
                     f"| {fmt(q.get('wall_seconds_command')) if ok else '-'} | {fmt(q.get('wall_seconds'))} "
                     f"| {fmt(q.get('max_rss_mb_per_rank'), '.0f')} | {fmt(q.get('residual'), '.1e')} "
                     f"| {fmt(q.get('second_start_difference'), '.1e')} | {self.status(q)} |")

        L.append("\n## Accuracy\n")
        L.append("Observables from /steady/rho (reshaped column-major) and from QuTiP's rho, computed the same "
                 "way. XX: against bench/xx_exact.py's xx_chain_exact (max_i |d<sz_i>|, |d<H_S>|); XXZ (and "
                 "XX where QuTiP ran): against QuTiP's steadystate (max |d rho|, max of the observable "
                 "differences sz_i, H_S, sx_0, current23). 'E(h5) - E(rho)': qcoll's /steady/energy against "
                 "<H_S> of its own rho.\n")
        L.append("| model | N | reference | max d<sz_i> | d<H_S> | max d rho vs QuTiP | max d obs vs QuTiP "
                 "| QuTiP vs exact | E(h5) - E(rho) |")
        L.append("|---|---|---|---|---|---|---|---|---|")
        for model, n, x in self.rows():
            a = x.get("accuracy", {})
            ex, qq, qx = a.get("qcoll_vs_exact"), a.get("qcoll_vs_qutip"), a.get("qutip_vs_exact")
            if ex:
                ref, dsz, de = "exact", ex["sz"], ex["energy"]
            elif qq:
                ref, dsz, de = "QuTiP", qq["sz"], qq["energy"]
            else:
                ref, dsz, de = "-", None, None
            L.append(f"| {model} | {n} | {ref} | {fmt(dsz, '.1e')} | {fmt(de, '.1e')} "
                     f"| {fmt(qq['rho'] if qq else None, '.1e')} | {fmt(qq['max'] if qq else None, '.1e')} "
                     f"| {fmt(qx['max'] if qx else None, '.1e')} "
                     f"| {fmt(x.get('qcoll', {}).get('energy_h5_vs_rho'), '.1e')} |")

        L.append("\n## QuTiP steadystate side by side\n")
        L.append("| model | N | QuTiP s | QuTiP process s | QuTiP MB | qcoll command s | qcoll MB/rank (max) "
                 "| QuTiP s / qcoll s |")
        L.append("|---|---|---|---|---|---|---|---|")
        for model, n, x in self.rows():
            t, q = x.get("qutip", {}), x.get("qcoll", {})
            if t.get("status") == "not run":
                continue
            tok, qok = t.get("status") == "ok", q.get("status") == "ok"
            sp = t["seconds"] / q["wall_seconds_command"] if tok and qok else None
            L.append(f"| {model} | {n} | {fmt(t.get('seconds')) if tok else self.status(t)} "
                     f"| {fmt(t.get('wall_seconds_process'))} | {fmt(t.get('max_rss_mb'), '.0f')} "
                     f"| {fmt(q.get('wall_seconds_command')) if qok else self.status(q)} "
                     f"| {fmt(q.get('max_rss_mb_per_rank'), '.0f')} | {fmt(sp, '.3g')} |")

        L.append("\n## `qcoll check` estimates against the measurement\n")
        L.append(f"`mpiexec -n {r['ranks']} qcoll check DECK`: the plan and the lines 'direct (LU)' and 'iterative "
                 "(GMRES+Sylvester)' (time and memory per rank). 'est.' = the estimate of the method the run "
                 "used; factor = measured / estimated (time: solver s and command s; memory: peak RSS per "
                 "rank, which includes the ~40-50 MB of MPI/PETSc/HDF5 every run has). LU '-': 'not considered "
                 "(beyond its size limit)'.\n")
        L.append("| model | N | plan | LU est. s | LU est. MiB | GMRES est. s | GMRES est. MiB | used "
                 "| est. s | solver s | factor | command s | factor | RSS MiB/rank | mem factor |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for model, n, x in self.rows():
            c, q = x.get("check", {}), x.get("qcoll", {})
            used = q.get("method") if q.get("status") == "ok" else None
            es = c.get(f"{used}_seconds") if used else None
            eb = c.get(f"{used}_bytes") if used else None
            fs = q["wall_seconds"] / es if es and q.get("wall_seconds") else None
            fc = q["wall_seconds_command"] / es if es and used else None
            fm = q["max_rss_mb_per_rank"] * MIB / eb if eb and used and q.get("max_rss_mb_per_rank") else None
            plan = c.get("method", c.get("status", "-")) if c.get("status") == "ok" else self.status(c)
            L.append(f"| {model} | {n} | {plan} | {fmt(c.get('direct_seconds'))} | {fmt(mb(c.get('direct_bytes')), '.3g')} "
                     f"| {fmt(c.get('iterative_seconds'))} | {fmt(mb(c.get('iterative_bytes')), '.3g')} "
                     f"| {used or self.status(q)} | {fmt(es)} | {fmt(q.get('wall_seconds'))} | {fmt(fs, '.2f')} "
                     f"| {fmt(q.get('wall_seconds_command')) if used else '-'} | {fmt(fc, '.2f')} "
                     f"| {fmt(q.get('max_rss_mb_per_rank'), '.0f')} | {fmt(fm, '.2f')} |")

        L.append("\n## Targets\n")
        L.append("| target | measured | verdict |\n|---|---|---|")
        for name, value, v in self.targets():
            L.append(f"| {name} | {value} | **{v}** |")

        L.append("\n## method_reason (/steady) per run\n")
        for model, n, x in self.rows():
            q = x.get("qcoll", {})
            if q.get("status") == "ok":
                L.append(f"* {model} N = {n}: `{q.get('method')}`: {q.get('method_reason')}")
        fails = [(model, n, k, y) for model, n, x in self.rows() for k in ("check", "qcoll", "qutip")
                 for y in [x.get(k, {})] if y.get("status") in ("failed", "timeout", "skipped")]
        if fails:
            L.append("\n## Failures, timeouts, skipped\n")
            for model, n, k, y in fails:
                L.append(f"* {model} N = {n} {k}: {y['status']}" + (f": {y['error']}" if y.get("error") else ""))
        return "\n".join(L) + "\n"

    def rows(self):
        for n in self.a.sizes:
            for model in self.a.models:
                x = self.r["runs"][model].get(n)
                if x is not None:
                    yield model, n, x

    @staticmethod
    def status(x):
        st = x.get("status", "-") if x else "-"
        return "timeout" if st == "timeout" else st

    def write(self):
        text = self.report()
        with open(os.path.join(self.a.out, "steady-results.json"), "w") as f:
            json.dump(jsonable(self.r), f, indent=1, default=str)
        with open(os.path.join(self.a.out, "steady-results.md"), "w") as f:
            f.write(text)
        return text

    def main(self):
        self.log(f"sizes {self.a.sizes}, models {self.a.models}, {self.a.ranks} ranks, QuTiP up to N = "
                 f"{self.a.qutip_max}, timeout {self.a.timeout:.0f} s; load average {os.getloadavg()}")
        for n in self.a.sizes:
            for model in self.a.models:
                self.one(n, model)
        self.r["load_after"] = os.getloadavg()
        text = self.write()
        print("\n" + text)
        print(f"results: {os.path.join(self.a.out, 'steady-results.md')}, "
              f"{os.path.join(self.a.out, 'steady-results.json')}")


def mb(b):
    return b / MIB if b is not None else None


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--qutip-worker":
        qutip_worker(json.loads(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SOURCE, "build-release"), help="build directory with qcoll")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(range(4, 13)), help="chain lengths N (>= 4)")
    ap.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    ap.add_argument("--qutip-max", type=int, default=7, help="largest N for QuTiP steadystate")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per command (qcoll check, steady, QuTiP)")
    ap.add_argument("--ranks", type=int, default=2, help="MPI ranks of the qcoll runs")
    ap.add_argument("--out", default=None, help="results directory (default BUILD/bench-results)")
    a = ap.parse_args()
    if min(a.sizes) < 4:
        ap.error("N >= 4 (the deck's current23 observable needs sites 2 and 3)")
    a.sizes = sorted(set(a.sizes))
    a.models = [m for m in MODELS if m in a.models]
    a.build = os.path.abspath(a.build)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "bench-results"))
    if not os.path.exists(os.path.join(a.build, "qcoll")):
        sys.exit(f"steady_bench.py: {os.path.join(a.build, 'qcoll')} is missing; build with `make bench-steady`")
    for exe in ("mpiexec", "/usr/bin/time"):
        if shutil.which(exe) is None:
            sys.exit(f"steady_bench.py: {exe} not found")
    if a.qutip_max >= min(a.sizes):
        import importlib.util
        if importlib.util.find_spec("qutip") is None:
            sys.exit("steady_bench.py: QuTiP is missing (apt-get install python3-qutip), or use --qutip-max 0")
    os.makedirs(a.out, exist_ok=True)
    SteadyBench(a).main()


if __name__ == "__main__":
    main()

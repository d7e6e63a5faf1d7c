#!/usr/bin/python3
"""qcoll against QuTiP on the boundary-driven XXZ chain (docs/performance.md).

    /usr/bin/python3 bench/run_bench.py --build build-release [--sizes 4 5 6 7 8 9]

`make bench` builds Release in build-release and runs this script. For each
chain length N it measures, in one run on this machine:

  * STREAM triad (bench/stream_triad.c) on 1 and 2 MPI ranks;
  * Liouvillian assembly time and memory, non-zeros, halo per product and nnz
    balance, and L x throughput for the assembled and the matrix-free operator
    (bench/liouvillian_stats.cpp) on 1 and 2 ranks;
  * evolution to t = 50 with QuTiP mesolve's default tolerances (atol 1e-8,
    rtol 1e-6): QuTiP mesolve, and qcoll on 2 ranks (matrix-free, the
    default, and assembled) and on 1 rank (matrix-free); observables compared;
  * steady state: QuTiP steadystate (direct LU) and qcoll steady with each
    method (direct, eigen, iterative); observables compared;
  * peak resident memory per rank (/usr/bin/time) and of the QuTiP process;
  * that both codes solve the same model: a short trajectory at tight
    tolerances agrees to ~1e-9.

The decks (written to OUT/decks) are inputs/xxz_chain.toml's model and
parameters with N sites, the hot bath on site 0 and the cold bath on site
N - 1. QuTiP's model is built here from the same parameters: H_xxz + lambda g
sx_0 (the hot bath's coherence) and, per bath on site s, jump operators
sqrt(g^2 p_down) sm_s and sqrt(g^2 p_up) sp_s with p the thermal populations of
the ancilla H_A = (h/2) sz.

Results: a table on stdout, OUT/results.md and OUT/results.json.
"""
import argparse
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
OBSERVABLES = ["sz0", "szL", "sx0", "current23"]


# ----------------------------------------------------------------------------
# Model: the deck for N sites and the same model in QuTiP.

def chain_parameters():
    with open(os.path.join(SOURCE, "inputs", "xxz_chain.toml"), "rb") as f:
        deck = tomllib.load(f)
    species = {s["name"]: s for s in deck["species"]}
    return {
        "J": float(deck["params"]["J"]), "Delta": float(deck["params"]["Delta"]),
        "h": float(deck["params"]["h"]), "g": float(deck["params"]["g"]),
        "hot": {"beta": float(species["hot"]["beta"]), "lambda": float(species["hot"].get("lambda", 0.0)),
                "chi": species["hot"].get("chi", "sx")},
        "cold": {"beta": float(species["cold"]["beta"]), "lambda": float(species["cold"].get("lambda", 0.0)),
                 "chi": species["cold"].get("chi", "sx")},
    }


def deck_text(n, par):
    def species(name, site, s):
        chi = f'chi = "{s["chi"]}"\n' if s["lambda"] != 0.0 else ""
        return (f'[[species]]\nname = "{name}"\nancilla = "spin1/2"\n'
                f'hamiltonian = [["h/2", "sz", "A"]]\nbeta = {s["beta"]!r}\n'
                f'coupling = [["g", "sp", {site}, "sm", "A"], ["g", "sm", {site}, "sp", "A"]]\n'
                f'lambda = {s["lambda"]!r}\n{chi}\n')
    return (
        f'title = "bench: boundary-driven XXZ chain, N = {n}"\n\n'
        f'[params]\nJ = {par["J"]!r}\nDelta = {par["Delta"]!r}\nh = {par["h"]!r}\ng = {par["g"]!r}\n\n'
        f'[system]\nmodel = {{ name = "xxz_chain", sites = {n}, J = "J", Delta = "Delta", h = "h" }}\n\n'
        + species("hot", 0, par["hot"]) + species("cold", n - 1, par["cold"]) +
        '[initial]\nstate = "maximally_mixed"\n\n'
        '[evolve]\nt_final = 50.0\ndt_output = 0.5\nrtol = 1e-6\natol = 1e-8\nentropy = false\n'
        'observables = [\n'
        '  { name = "sz0", terms = [[1.0, "sz", 0]] },\n'
        f'  {{ name = "szL", terms = [[1.0, "sz", {n - 1}]] }},\n'
        '  { name = "sx0", terms = [[1.0, "sx", 0]] },\n'
        f'  {{ name = "current23", terms = [[{2 * par["J"]!r}, "sx", 2, "sy", 3], '
        f'[{-2 * par["J"]!r}, "sy", 2, "sx", 3]] }},\n]\n\n'
        '[steady]\nmethod = "direct"\ngap = false\n')


def qutip_model(n, par):
    import numpy as np
    import qutip as qt

    def site(op, k):
        return qt.tensor([op if i == k else qt.qeye(2) for i in range(n)])

    sx, sy, sz, sp, sm = qt.sigmax(), qt.sigmay(), qt.sigmaz(), qt.sigmap(), qt.sigmam()
    J, Delta, h, g = par["J"], par["Delta"], par["h"], par["g"]
    H = 0
    for i in range(n - 1):
        H += J * (site(sx, i) * site(sx, i + 1) + site(sy, i) * site(sy, i + 1)
                  + Delta * site(sz, i) * site(sz, i + 1))
    for i in range(n):
        H += 0.5 * h * site(sz, i)
    chis = {"sx": sx, "sy": sy}
    c_ops = []
    for name, s in (("hot", 0), ("cold", n - 1)):
        b = par[name]
        # Ancilla H_A = (h/2) sz: |up> at +h/2, |down> at -h/2.
        z = math.exp(-b["beta"] * h / 2) + math.exp(b["beta"] * h / 2)
        p_up, p_down = math.exp(-b["beta"] * h / 2) / z, math.exp(b["beta"] * h / 2) / z
        c_ops += [math.sqrt(g * g * p_down) * site(sm, s), math.sqrt(g * g * p_up) * site(sp, s)]
        if b["lambda"] != 0.0:
            # G = tr_A(V chi) = g (sp_s tr(sm_A chi) + sm_s tr(sp_A chi)).
            chi = chis[b["chi"]].full()
            G = g * (chi[0, 1] * site(sp, s) + chi[1, 0] * site(sm, s))
            H += b["lambda"] * G
    e_ops = [site(sz, 0), site(sz, n - 1), site(sx, 0),
             2 * J * (site(sx, 2) * site(sy, 3) - site(sy, 2) * site(sx, 3))]
    rho0 = qt.qeye([2] * n) / 2 ** n
    return H, c_ops, e_ops, rho0


def qutip_worker(spec):
    """Runs one QuTiP computation in this (fresh) process; prints QUTIP_JSON."""
    import numpy as np
    import qutip as qt
    par, n = spec["par"], spec["n"]
    t0 = time.perf_counter()
    H, c_ops, e_ops, rho0 = qutip_model(n, par)
    build = time.perf_counter() - t0
    out = {"n": n, "kind": spec["kind"], "qutip": qt.__version__, "model_seconds": build}
    if spec["kind"] == "steady":
        t0 = time.perf_counter()
        rho = qt.steadystate(H, c_ops)
        out["seconds"] = time.perf_counter() - t0
        out["observables"] = [complex(qt.expect(o, rho)).real for o in e_ops]
    else:
        t0 = time.perf_counter()
        qt.liouvillian(H, c_ops)
        out["liouvillian_seconds"] = time.perf_counter() - t0
        tlist = np.linspace(0.0, spec["t_final"], int(round(spec["t_final"] / 0.5)) + 1)
        opts = qt.Options(atol=spec["atol"], rtol=spec["rtol"], nsteps=10 ** 7)
        t0 = time.perf_counter()
        res = qt.mesolve(H, rho0, tlist, c_ops, e_ops, options=opts)
        out["seconds"] = time.perf_counter() - t0
        out["observables"] = [list(map(float, np.real(e))) for e in res.expect]
    out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("QUTIP_JSON " + json.dumps(out), flush=True)


# ----------------------------------------------------------------------------
# Running things.

def run(cmd, timeout=None):
    """(exit code, stdout + stderr, wall seconds); exit code -1 after `timeout`
    seconds, when the command's process group (mpiexec and its ranks) is ended."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV,
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out, time.perf_counter() - t0
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            out, _ = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
        return -1, (out or "") + f"\n[stopped after {timeout} s]", time.perf_counter() - t0


def mpi(np_, cmd, rss_file=None):
    """mpiexec command; with rss_file, every rank appends its max RSS (KB) there."""
    wrapped = (["/usr/bin/time", "-a", "-o", rss_file, "-f", "QCOLL_MAXRSS_KB %M"] if rss_file else []) + cmd
    return ["mpiexec", "-n", str(np_), "--oversubscribe", "--bind-to", "none"] + wrapped


def tagged_json(text, tag):
    return [json.loads(line[len(tag) + 1:]) for line in text.splitlines() if line.startswith(tag + " ")]


def max_rss_mb(path):
    """Largest of the max RSS values the ranks wrote to `path` (MB); removes the file."""
    try:
        with open(path) as f:
            vals = [int(v) for v in re.findall(r"QCOLL_MAXRSS_KB (\d+)", f.read())]
        os.remove(path)
    except OSError:
        vals = []
    return max(vals) / 1024.0 if vals else float("nan")


def log_stages(text):
    """Stage times from -log_view's 'Summary of Stages' table."""
    stages, on = {}, False
    for line in text.splitlines():
        if line.startswith("Summary of Stages"):
            on = True
            continue
        if on:
            m = re.match(r"^\s*\d+:\s+(.+?):\s+([0-9.eE+-]+)\s", line)
            if m:
                stages[m.group(1).strip()] = float(m.group(2))
            elif stages and not line.strip():
                break
    return stages


def read_observables(path, group):
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        g = f[group]["observables"]
        return [np.real(np.asarray(g[name][()])) for name in OBSERVABLES]


def machine():
    info = {"nproc": os.cpu_count()}
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                info["mem_gib"] = int(line.split()[1]) / 1048576.0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    for line in subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout.splitlines():
        if line.startswith(("L2 cache", "L3 cache")):
            key = line.split(":")[0].strip().lower().replace(" ", "_")
            info[key] = line.split(":", 1)[1].strip()
    info["load_before"] = os.getloadavg()
    return info


def fmt(x, spec=".3g", none="-"):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return none
    return format(x, spec)


# ----------------------------------------------------------------------------
# The benchmark.

class Bench:
    def __init__(self, args):
        self.a = args
        self.qcoll = os.path.join(args.build, "qcoll")
        self.stats_bin = os.path.join(args.build, "bench", "liouvillian_stats")
        self.triad_bin = os.path.join(args.build, "bench", "stream_triad")
        self.out = args.out
        os.makedirs(os.path.join(self.out, "decks"), exist_ok=True)
        os.makedirs(os.path.join(self.out, "h5"), exist_ok=True)
        self.par = chain_parameters()
        self.r = {"machine": machine(), "sizes": args.sizes, "triad": {}, "stats": {}, "evolve": {},
                  "steady": {}, "model_check": {}, "projection": {}, "mf_only": {}, "skipped": []}
        try:
            subprocess.run(["/usr/bin/python3", "-c", "import qutip"], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.have_qutip = True
        except subprocess.CalledProcessError:
            self.have_qutip = False
            self.skip("QuTiP", "python3-qutip is not installed (apt-get install python3-qutip)")

    def log(self, msg):
        print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)

    def skip(self, what, why):
        self.r["skipped"].append(f"{what}: {why}")
        self.log(f"skipped {what}: {why}")

    def deck(self, n):
        path = os.path.join(self.out, "decks", f"chain_{n}.toml")
        with open(path, "w") as f:
            f.write(deck_text(n, self.par))
        return path

    def qutip(self, kind, n, **kw):
        spec = {"kind": kind, "n": n, "par": self.par, **kw}
        code, text, wall = run(["/usr/bin/python3", os.path.abspath(__file__), "--qutip-worker",
                                json.dumps(spec)], timeout=self.a.timeout)
        if code == -1:
            return {"error": f"stopped after {self.a.timeout:.0f} s (--timeout)"}
        res = tagged_json(text, "QUTIP_JSON")
        if code != 0 or not res:
            return {"error": text.strip().splitlines()[-1] if text.strip() else f"exit {code}"}
        return res[0]

    # -- pieces --------------------------------------------------------------
    def triad(self, when):
        """STREAM triad per rank count; run at the start and at the end, the best counts."""
        for np_ in self.a.ranks:
            code, text, _ = run(mpi(np_, [self.triad_bin, str(self.a.triad_mib)]))
            res = tagged_json(text, "TRIAD_JSON")
            t = self.r["triad"].setdefault(np_, {"gbs": None})
            if res:
                t[when] = res[0]["gbs"]
                t["gbs"] = max(x for x in (t["gbs"], res[0]["gbs"]) if x is not None)
            self.log(f"STREAM triad on {np_} rank(s) ({when}): {fmt(res[0]['gbs'] if res else None)} GB/s")

    def stats(self, n, deck):
        for np_ in self.a.ranks:
            code, text, _ = run(mpi(np_, [self.stats_bin, deck, "-seconds", str(self.a.seconds)]),
                                timeout=self.a.timeout)
            res = tagged_json(text, "STATS_JSON")
            self.r["stats"].setdefault(n, {})[np_] = res[0] if res else {"error": text[-2000:]}
            if res:
                s = res[0]
                self.log(f"N={n} np={np_}: assembly {s['assembly_seconds']:.3g} s, L x assembled "
                         f"{s['assembled_gbs']:.3g} GB/s, matrix-free x{s['mf_speedup']:.3g}")

    def qcoll_evolve(self, n, deck, np_, matrix_free, t_final=None, tight=False, tag="", extra=()):
        h5 = os.path.join(self.out, "h5", f"evolve_{n}_{np_}_{'mf' if matrix_free else 'asm'}{tag}.h5")
        cmd = [self.qcoll, "evolve", deck, "-o", h5, "--overwrite",
               "-qcoll_matrix_free", "true" if matrix_free else "false", "-log_view"] + list(extra)
        if t_final is not None:
            cmd += ["--set", f"evolve.t_final={t_final}"]
        if tight:
            cmd += ["--set", "evolve.rtol=1e-10", "--set", "evolve.atol=1e-12"]
        rss = h5 + ".rss"
        code, text, wall = run(mpi(np_, cmd, rss_file=rss), timeout=self.a.timeout)
        out = {"np": np_, "matrix_free": matrix_free, "wall_seconds": wall, "exit": code,
               "max_rss_mb_per_rank": max_rss_mb(rss)}
        m = re.search(r"evolve: reached t = (\S+) in (\d+) steps, ([0-9.]+) s", text)
        if code != 0 or not m:
            out["error"] = "\n".join(l for l in text.splitlines()[-5:])
            return out, None
        out["steps"] = int(m.group(2))
        out["ts_seconds"] = float(m.group(3))
        out["stages"] = log_stages(text)
        mm = re.search(r"^MatMult\s+(\d+)\s", text, re.M)
        if mm:
            out["products"] = int(mm.group(1))
        # Where the time stepping goes (-log_view events, max over ranks, seconds).
        for event, key in (("MatMult", "matmult_seconds"), ("VecMAXPY", "maxpy_seconds"),
                           ("VecCopy", "copy_seconds"), ("TSStep", "tsstep_seconds")):
            times = re.findall(rf"^{event}\s+\d+\s+\S+\s+(\S+)", text, re.M)  # one per stage
            if times:
                out[key] = sum(float(x) for x in times)
        return out, read_observables(h5, "evolve")

    def qcoll_steady(self, n, deck, np_, method, timeout):
        h5 = os.path.join(self.out, "h5", f"steady_{n}_{np_}_{method}.h5")
        cmd = [self.qcoll, "steady", deck, "-o", h5, "--overwrite", "--set",
               f"steady.method={method}", "--set", "steady.gap=false", "-steady_check_unique",
               "false"]
        rss = h5 + ".rss"
        code, text, wall = run(mpi(np_, cmd, rss_file=rss), timeout=timeout)
        out = {"np": np_, "method": method, "wall_seconds": wall, "exit": code,
               "max_rss_mb_per_rank": max_rss_mb(rss)}
        if code != 0:
            tail = [l for l in text.splitlines() if l.strip()]
            out["error"] = tail[-1] if tail else f"exit {code}"
            if code == -1:
                out["error"] = f"stopped after {timeout:.0f} s (--steady-timeout)"
                self.skip(f"qcoll steady {method} N={n}", out["error"])
            return out, None
        lines = [l for l in text.splitlines() if l.startswith("steady")]
        out["log"] = lines[-3:]
        try:
            import h5py
            with h5py.File(h5, "r") as f:
                if "residual" in f["steady"]:
                    out["residual"] = float(f["steady"]["residual"][()])
            return out, read_observables(h5, "steady")
        except Exception as e:  # noqa: BLE001 - report, do not stop the benchmark
            out["error"] = f"reading {h5}: {e}"
            return out, None

    # -- per size -------------------------------------------------------------
    def size(self, n):
        import numpy as np
        deck = self.deck(n)
        self.stats(n, deck)

        # Same model: a short trajectory at tight tolerances.
        if n <= self.a.model_check_max and self.have_qutip:
            ev, obs = self.qcoll_evolve(n, deck, 1, True, t_final=2.0, tight=True, tag="_check")
            q = self.qutip("evolve", n, t_final=2.0, atol=1e-12, rtol=1e-10)
            if obs is not None and "error" not in q:
                diff = max(float(np.max(np.abs(obs[k] - np.asarray(q["observables"][k]))))
                           for k in range(len(OBSERVABLES)))
                self.r["model_check"][n] = diff
                self.log(f"N={n}: model check (t = 2, tight tolerances): max |qcoll - QuTiP| = {diff:.2e}")

        # Evolution to t = 50.
        e = {}
        if n <= self.a.evolve_max:
            runs = [(2, True, []), (2, False, [])]
            if n <= self.a.evolve_variants_max:
                runs += [(1, True, []), (2, True, ["-ts_rk_type", "3bs"])]
            for np_, mf, extra in runs:
                key = f"np{np_}_{'mf' if mf else 'asm'}" + ("_3bs" if extra else "")
                res, obs = self.qcoll_evolve(n, deck, np_, mf, extra=extra, tag="_3bs" if extra else "")
                e[key] = res
                if obs is not None:
                    e[key + "_obs"] = [list(map(float, o)) for o in obs]
                self.log(f"N={n} evolve {key}: {fmt(res.get('wall_seconds'))} s wall, "
                         f"{res.get('steps', '?')} steps, {fmt(res.get('max_rss_mb_per_rank'))} MB/rank"
                         + (f" ERROR {res['error']}" if "error" in res else ""))
        else:
            self.skip(f"qcoll evolve N={n}", f"above --evolve-max {self.a.evolve_max}")
        if self.have_qutip and n <= self.a.qutip_evolve_max:
            q = self.qutip("evolve", n, t_final=50.0, atol=1e-8, rtol=1e-6)
            e["qutip"] = {k: v for k, v in q.items() if k != "observables"}
            self.log(f"N={n} QuTiP mesolve: {fmt(q.get('seconds'))} s, {fmt(q.get('max_rss_mb'))} MB")
            if "observables" in q:
                for key in ("np2_mf", "np2_asm", "np1_mf", "np2_mf_3bs"):
                    if key + "_obs" in e:
                        e[key]["max_obs_diff_vs_qutip"] = max(
                            float(np.max(np.abs(np.asarray(e[key + "_obs"][k]) -
                                                np.asarray(q["observables"][k]))))
                            for k in range(len(OBSERVABLES)))
        elif self.have_qutip:
            self.skip(f"QuTiP mesolve N={n}", f"above --qutip-evolve-max {self.a.qutip_evolve_max}")
        for key in list(e):
            if key.endswith("_obs"):
                del e[key]
        self.r["evolve"][n] = e

        # Steady state.
        s = {}
        if self.have_qutip and n <= self.a.qutip_steady_max:
            q = self.qutip("steady", n)
            s["qutip"] = q
            self.log(f"N={n} QuTiP steadystate: {fmt(q.get('seconds'))} s, {fmt(q.get('max_rss_mb'))} MB")
        elif self.have_qutip:
            self.skip(f"QuTiP steadystate N={n}", f"above --qutip-steady-max {self.a.qutip_steady_max}")
        if n <= self.a.steady_max:
            for method in self.a.steady_methods:
                top = self.a.steady_method_max.get(method, self.a.steady_max)
                if n > top:
                    self.skip(f"qcoll steady {method} N={n}", f"above its --steady-method-max {top}")
                    continue
                timeout = self.a.steady_timeout if n <= 8 else self.a.steady_timeout_large
                res, obs = self.qcoll_steady(n, deck, 2, method, timeout)
                if obs is not None and "qutip" in s and "observables" in s["qutip"]:
                    res["max_obs_diff_vs_qutip"] = max(
                        abs(float(obs[k]) - s["qutip"]["observables"][k]) for k in range(len(OBSERVABLES)))
                s[method] = res
                self.log(f"N={n} qcoll steady {method}: {fmt(res.get('wall_seconds'))} s"
                         + (f" ERROR {res['error']}" if "error" in res else ""))
        else:
            self.skip(f"qcoll steady N={n}", f"above --steady-max {self.a.steady_max}")
        self.r["steady"][n] = s

    # -- projection to many ranks ---------------------------------------------
    def projection(self):
        """Column partition at --project-ranks for --project-sizes (serial, from the
        d x d operators), and the matrix-free product rate at --mf-sizes (no assembly)."""
        ranks = ",".join(str(p) for p in self.a.project_ranks)
        for n in self.a.project_sizes:
            code, text, _ = run([self.stats_bin, self.deck(n), "-virtual_ranks", ranks, "-ranks_per_node",
                                 str(self.a.ranks_per_node), "-skip_products"], timeout=self.a.timeout)
            self.r["projection"][n] = tagged_json(text, "PARTITION_JSON")
            if code != 0:
                self.skip(f"projection N={n}", text.strip().splitlines()[-1] if text.strip() else "failed")
        for n in self.a.mf_sizes:
            for np_ in self.a.ranks:
                code, text, _ = run(mpi(np_, [self.stats_bin, self.deck(n), "-skip_assembled", "-seconds",
                                              str(self.a.seconds)]), timeout=self.a.timeout)
                res = tagged_json(text, "STATS_JSON")
                if res:
                    self.r["mf_only"].setdefault(n, {})[np_] = res[0]
                    self.log(f"N={n} np={np_}: matrix-free L x {1e3 * res[0]['mf_seconds_per_product']:.3g} ms")

    def targets(self, L, triad):
        """The issue's targets, each with the measured value and met / not met."""
        r = self.r
        rows = []

        def row(name, value, met):
            rows.append(f"| {name} | {value} | {'met' if met else ('not met' if met is not None else 'not measured')} |")

        def get(d, *keys):
            for k in keys:
                if not isinstance(d, dict) or (k not in d and str(k) not in d):
                    return None
                d = d[k] if k in d else d[str(k)]
            return d

        nbig = max(r["sizes"])
        q = get(r["evolve"], nbig, "qutip", "seconds")
        mf = get(r["evolve"], nbig, "np2_mf", "wall_seconds")
        ratio = q / mf if q and mf else None
        ev = get(r["evolve"], nbig, "np2_mf") or {}
        why = ""
        if ratio and ratio < 5 and ev.get("tsstep_seconds"):
            ts = ev["tsstep_seconds"]
            vec = ev.get("maxpy_seconds", 0) + ev.get("copy_seconds", 0)
            why = (f"; why: {ev.get('products', '?')} L x in {ev.get('steps', '?')} steps, time stepping "
                   f"{100 * ev.get('matmult_seconds', 0) / ts:.0f}% L x and {100 * vec / ts:.0f}% RK vector "
                   "updates (VecMAXPY, VecCopy); fix: fused RK stage updates, a faster L x, or the 3bs pair "
                   "(QuTiP's accuracy)")
            b3 = get(r["evolve"], nbig, "np2_mf_3bs", "wall_seconds")
            if b3 and q:
                why += f": {q / b3:.1f}x"
        row(f"evolve N = {nbig}: >= 5x faster than QuTiP mesolve",
            f"QuTiP {fmt(q)} s, qcoll {fmt(mf)} s (2 ranks): {fmt(ratio, '.2f')}x{why}",
            ratio >= 5 if ratio else None)

        def best_steady(n):
            s = r["steady"].get(n, {})
            best = None
            for meth, x in s.items():
                if meth != "qutip" and isinstance(x, dict) and "error" not in x and "wall_seconds" in x:
                    if best is None or x["wall_seconds"] < best[1]:
                        best = (meth, x["wall_seconds"], x)
            return best

        b7, q7 = best_steady(7), get(r["steady"], 7, "qutip", "seconds")
        ratio = q7 / b7[1] if b7 and q7 else None
        row("steady N = 7: >= 20x faster than QuTiP steadystate",
            f"QuTiP {fmt(q7)} s, qcoll {b7[0] if b7 else '-'} {fmt(b7[1] if b7 else None)} s: {fmt(ratio, '.1f')}x",
            ratio >= 20 if ratio else None)
        b8 = best_steady(8)
        row("steady N = 8: under 60 s", f"{b8[0]} {fmt(b8[1])} s" if b8 else "-", b8[1] < 60 if b8 else None)
        b10 = best_steady(10)
        if b10:
            gib = 2 * b10[2].get("max_rss_mb_per_rank", float("nan")) / 1024
            row("steady N = 10 (d^2 = 1 048 576) within 20 GiB on 2 ranks",
                f"{b10[0]}: {fmt(b10[1])} s, {fmt(gib, '.2f')} GiB (2 x max RSS per rank), "
                f"residual {fmt(b10[2].get('residual'), '.1e')}", gib <= 20)
        else:
            row("steady N = 10 (d^2 = 1 048 576) within 20 GiB on 2 ranks", "-", None)
        for np_ in sorted(r["stats"].get(nbig, {})):
            st = r["stats"][nbig][np_]
            if "assembled_gbs" in st and triad.get(np_):
                pct = 100 * st["assembled_gbs"] / triad[np_]
                why = ""
                if pct < 60:
                    why = ("; why: PETSc's complex AIJ MatMult misses the caches on the +-2^k d column jumps of "
                           "rho H (the byte count is CSR + 2 vectors only); fix: a vectorised SELL kernel, or the "
                           f"matrix-free operator ({st.get('mf_speedup', float('nan')):.2f}x, the default)")
                row(f"assembled L x, N = {nbig}, {np_} rank(s): >= 60% of STREAM triad",
                    f"{st['assembled_gbs']:.3g} GB/s of {triad[np_]:.3g} GB/s = {pct:.0f}%{why}", pct >= 60)
            if "mf_speedup" in st:
                row(f"matrix-free L x, N = {nbig}, {np_} rank(s): >= 2x the assembled throughput",
                    f"{st['mf_speedup']:.2f}x", st["mf_speedup"] >= 2)
        st = get(r["stats"], nbig, 2)
        ql = get(r["evolve"], nbig, "qutip", "liouvillian_seconds")
        if st and "assembly_seconds" in st:
            row(f"assembly N = {nbig} (2 ranks) below QuTiP's liouvillian()",
                f"qcoll {fmt(st['assembly_seconds'])} s, QuTiP {fmt(ql)} s",
                st["assembly_seconds"] < ql if ql else None)
        L.append("\n## Targets (issue #7)\n")
        L.append("| target | measured | |\n|---|---|---|")
        L += rows

    def projection_table(self, L):
        r = self.r
        if not r["projection"]:
            return
        # Seconds per entry of L x per rank, matrix-free, at the largest measured size on 2 ranks.
        rate, where = None, ""
        for src in (r["mf_only"], r["stats"]):
            for n in sorted(src, reverse=True):
                s = src[n].get(2) or src[n].get("2")
                if s and "mf_seconds_per_product" in s:
                    rate = s["mf_seconds_per_product"] * s["ranks"] / s["d"] ** 2
                    where = f"N = {n}, 2 ranks"
                    break
            if rate:
                break
        # Vectors held by an evolve run: (max RSS - RSS of the smallest run) / (16 B d^2 / ranks).
        vecs = None
        small = min((n for n in r["evolve"] if "np1_mf" in r["evolve"][n]), default=None)
        big = max((n for n in r["evolve"] if "np1_mf" in r["evolve"][n]), default=None)
        if small is not None and big is not None and big > small:
            a, b = r["evolve"][small]["np1_mf"], r["evolve"][big]["np1_mf"]
            if "max_rss_mb_per_rank" in a and "max_rss_mb_per_rank" in b:
                vecs = (b["max_rss_mb_per_rank"] - a["max_rss_mb_per_rank"]) * 1048576 / (16.0 * 4 ** big)
        r["projection_inputs"] = {"seconds_per_entry": rate, "rate_from": where, "vectors": vecs,
                                  "network_gbs_per_node": self.a.net_gbs, "ranks_per_node": self.a.ranks_per_node}
        L.append("\n## Projection: 64-1024 ranks, N = " + ", ".join(map(str, r["projection"])) + "\n")
        L.append("Column partition as the code would make it (liouvillian_stats -virtual_ranks, "
                 f"{self.a.ranks_per_node} ranks per node in rank order): ghost columns of rho per product "
                 "and rank (matrix-free and assembled gather the same columns), halo/local = ghost / owned "
                 "entries, the part of the halo owned by other nodes, neighbour ranks, nnz balance (upper "
                 "bound per column, max/mean). Memory per rank of an evolve run: matrix-free = "
                 f"{fmt(vecs, '.0f')} vectors of the owned part (fitted from the measured max RSS) + ghost "
                 "columns; assembled = that + L and L_0 (2 x nnz x 20 B, nnz from the bound). Time per "
                 f"product: compute at the measured matrix-free rate ({fmt(rate, '.3g')} s per entry and rank, "
                 f"{where}); off-node halo of the busiest node at {self.a.net_gbs} GB/s per node.\n")
        L.append("| N | ranks | nodes | cols/rank | ghost cols/rank | halo/local | off-node cols/rank | neighbours "
                 "| nnz balance | GB/rank mf | GB/rank asm | compute ms | off-node halo ms |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n, parts in r["projection"].items():
            for q in parts:
                d, P = q["d"], q["ranks"]
                own = d * d / P
                ghost = q["ghost_columns_max"] * d
                mf_gb = ((vecs or 0) * own * 16 + ghost * 16) / 2 ** 30
                asm_gb = mf_gb + 2 * q["nnz_bound_max"] * 20 / 2 ** 30
                comp = 1e3 * rate * q["columns_per_rank_max"] * d if rate else None
                off = 1e3 * q.get("node_offnode_ghost_columns_max", 0) * d * 16 / (self.a.net_gbs * 1e9)
                nodes = (P + self.a.ranks_per_node - 1) // self.a.ranks_per_node
                L.append(f"| {n} | {P} | {nodes} | {q['columns_per_rank_max']} | {q['ghost_columns_max']:.0f} "
                         f"| {ghost / own:.1f} | {q.get('offnode_ghost_columns_max', 0):.0f} "
                         f"| {q['neighbours_max']:.0f} | {q['nnz_balance']:.2f} | {mf_gb:.3g} | {asm_gb:.3g} "
                         f"| {fmt(comp)} | {off:.3g} |")

    # -- report ---------------------------------------------------------------
    def report(self):
        r = self.r
        m = r["machine"]
        L = []
        L.append("## Machine\n")
        L.append(f"{m.get('cpu')}, {m['nproc']} cores, {m.get('mem_gib', 0):.1f} GiB, "
                 f"L2 {m.get('l2_cache', '?')}, L3 {m.get('l3_cache', '?')}; load average "
                 f"before {m['load_before'][0]:.2f}, after {r['load_after'][0]:.2f}.\n")
        L.append("| STREAM triad | GB/s (best) | at start | at end |\n|---|---|---|---|")
        for np_, t in r["triad"].items():
            L.append(f"| {np_} rank(s) | {fmt(t.get('gbs'))} | {fmt(t.get('start'))} | {fmt(t.get('end'))} |")
        triad = {np_: t.get("gbs") for np_, t in r["triad"].items()}

        L.append("\n## Liouvillian: assembly, halo, L x throughput\n")
        L.append("Bytes per assembled product: CSR values + column indices + row pointers + "
                 "2 vectors. Matrix-free 'effective' GB/s = the same bytes / its time "
                 "(its own traffic is ~2 vectors plus the ghost columns).\n")
        L.append("| N | d^2 | nnz/row | ranks | assembly s | matrices MB (all ranks) | nnz balance | halo entries/rank "
                 "| halo/local | L x asm ms | asm GB/s | % triad | L x mf ms | mf eff. GB/s | mf / asm |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in r["sizes"]:
            for np_, s in r["stats"].get(n, {}).items():
                if "error" in s:
                    L.append(f"| {n} | | | {np_} | error | | | | | | | | | | |")
                    continue
                pct = 100.0 * s["assembled_gbs"] / triad[np_] if triad.get(np_) else float("nan")
                L.append(f"| {n} | {s['d'] ** 2} | {s['nnz_per_row']:.1f} | {np_} | {s['assembly_seconds']:.3g} "
                         f"| {s['assembly_bytes_total'] / 1048576:.3g} | {s['nnz_balance']:.3f} "
                         f"| {s['halo_entries_max_rank']:.0f} | {s['halo_over_local_max']:.2f} "
                         f"| {1e3 * s['assembled_seconds_per_product']:.3g} | {s['assembled_gbs']:.3g} "
                         f"| {fmt(pct, '.0f')} | {1e3 * s['mf_seconds_per_product']:.3g} "
                         f"| {s['mf_effective_gbs']:.3g} | {s['mf_speedup']:.2f} |")

        L.append("\n## Evolution to t = 50 (atol 1e-8, rtol 1e-6)\n")
        L.append("qcoll wall = the whole command (MPI start, deck, operator, time stepping, HDF5); "
                 "TS = time stepping only; 2r/1r = 2/1 MPI ranks; mf = matrix-free (the default), "
                 "asm = assembled (-qcoll_matrix_free false); 3bs = -ts_rk_type 3bs instead of the "
                 "default 5dp. Speed-up = QuTiP mesolve time / qcoll 2r mf wall time. Max RSS per "
                 "rank (qcoll) and of the Python process (QuTiP). Max obs diff: largest |qcoll - QuTiP| "
                 "of sz0, szL, sx0, current23 over the 101 output times (2r mf).\n")
        L.append("| N | d^2 | QuTiP s | QuTiP MB | qcoll 2r mf s (TS s) | steps / L x | MB/rank | qcoll 2r asm s "
                 "| MB/rank | qcoll 1r mf s | 2r mf 3bs s (L x, obs diff) | qcoll/QuTiP | speed-up | max obs diff |")
        L.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for n in r["sizes"]:
            e = r["evolve"].get(n, {})
            q = e.get("qutip", {})
            mf, asm, one = e.get("np2_mf", {}), e.get("np2_asm", {}), e.get("np1_mf", {})
            bs3 = e.get("np2_mf_3bs", {})
            ratio = mf["wall_seconds"] / q["seconds"] if "seconds" in q and "wall_seconds" in mf and "error" not in mf else None
            L.append(f"| {n} | {4 ** n} | {fmt(q.get('seconds'))} | {fmt(q.get('max_rss_mb'), '.0f')} "
                     f"| {fmt(mf.get('wall_seconds'))} ({fmt(mf.get('ts_seconds'))}) "
                     f"| {mf.get('steps', '-')} / {mf.get('products', '-')} "
                     f"| {fmt(mf.get('max_rss_mb_per_rank'), '.0f')} | {fmt(asm.get('wall_seconds'))} "
                     f"| {fmt(asm.get('max_rss_mb_per_rank'), '.0f')} | {fmt(one.get('wall_seconds'))} "
                     f"| {fmt(bs3.get('wall_seconds'))} ({bs3.get('products', '-')}, "
                     f"{fmt(bs3.get('max_obs_diff_vs_qutip'), '.0e')}) "
                     f"| {fmt(ratio)} | {fmt(1 / ratio if ratio else None, '.1f')} "
                     f"| {fmt(mf.get('max_obs_diff_vs_qutip'), '.1e')} |")
        if r["model_check"]:
            L.append("\nSame model: t = 2 at rtol 1e-10 / atol 1e-12 in both codes, max |qcoll - QuTiP| over "
                     "the observables: " + ", ".join(f"N={n}: {v:.1e}" for n, v in r["model_check"].items()) + ".")

        L.append("\n## Steady state\n")
        L.append("qcoll on 2 ranks, whole command, uniqueness check off (-steady_check_unique false), "
                 "gap off; QuTiP steadystate default (direct sparse LU).\n")
        methods = self.a.steady_methods
        L.append("| N | d^2 | QuTiP s | QuTiP MB | " + " | ".join(f"{m} s | {m} MB/rank" for m in methods)
                 + " | best qcoll/QuTiP | speed-up | max obs diff |")
        L.append("|---|---|---|---|" + "---|---|" * len(methods) + "---|---|---|")
        for n in r["sizes"]:
            s = r["steady"].get(n, {})
            q = s.get("qutip", {})
            cells, best, diff = [], None, None
            for meth in methods:
                x = s.get(meth, {})
                if not x:
                    cells += ["-", "-"]
                elif "error" in x and x.get("exit") == -1:
                    cells += ["stopped (timeout)", "-"]
                elif "error" in x:
                    cells += ["failed", "-"]
                else:
                    cells += [fmt(x["wall_seconds"]), fmt(x.get("max_rss_mb_per_rank"), ".0f")]
                    if best is None or x["wall_seconds"] < best:
                        best, diff = x["wall_seconds"], x.get("max_obs_diff_vs_qutip")
            ratio = best / q["seconds"] if best and "seconds" in q else None
            L.append(f"| {n} | {4 ** n} | {fmt(q.get('seconds'))} | {fmt(q.get('max_rss_mb'), '.0f')} | "
                     + " | ".join(cells) + f" | {fmt(ratio)} | {fmt(1 / ratio if ratio else None, '.1f')} "
                     f"| {fmt(diff, '.1e')} |")
        errors = [f"N={n} {meth}: {x['error']}" for n, s in r["steady"].items() for meth, x in s.items()
                  if isinstance(x, dict) and "error" in x]
        if errors:
            L.append("\nFailures:\n" + "\n".join(f"* {e}" for e in errors))
        self.targets(L, triad)
        self.projection_table(L)
        if r["skipped"]:
            L.append("\nSkipped:\n" + "\n".join(f"* {s}" for s in r["skipped"]))
        return "\n".join(L) + "\n"

    def main(self):
        self.log(f"load average {os.getloadavg()}; sizes {self.a.sizes}")
        self.triad("start")
        for n in self.a.sizes:
            self.size(n)
        self.projection()
        self.triad("end")
        self.r["load_after"] = os.getloadavg()
        text = self.report()
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(self.r, f, indent=1, default=str)
        with open(os.path.join(self.out, "results.md"), "w") as f:
            f.write(text)
        print("\n" + text)
        print(f"results: {os.path.join(self.out, 'results.md')}, {os.path.join(self.out, 'results.json')}")


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--qutip-worker":
        qutip_worker(json.loads(sys.argv[2]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SOURCE, "build-release"))
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 5, 6, 7, 8, 9, 10])
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2], help="ranks for STREAM and L x")
    ap.add_argument("--evolve-max", type=int, default=10, help="largest N for qcoll evolve")
    ap.add_argument("--qutip-evolve-max", type=int, default=10, help="largest N for QuTiP mesolve")
    ap.add_argument("--steady-max", type=int, default=10, help="largest N for qcoll steady")
    ap.add_argument("--steady-method-max", default="direct:8,eigen:8,iterative:10",
                    help="largest N per steady method, METHOD:N,... (LU beyond N = 8 needs > 40 GB)")
    ap.add_argument("--evolve-variants-max", type=int, default=9,
                    help="largest N at which evolve also runs on 1 rank and with 3bs")
    ap.add_argument("--qutip-steady-max", type=int, default=7, help="largest N for QuTiP steadystate")
    ap.add_argument("--steady-methods", nargs="+", default=["direct", "eigen", "iterative"])
    ap.add_argument("--model-check-max", type=int, default=6, help="largest N of the t = 2 model check")
    ap.add_argument("--seconds", type=float, default=1.0, help="time per L x measurement")
    ap.add_argument("--project-sizes", type=int, nargs="*", default=[12, 13, 14],
                    help="N of the many-rank projection (partition only, no run)")
    ap.add_argument("--project-ranks", type=int, nargs="+", default=[64, 128, 256, 512, 1024])
    ap.add_argument("--mf-sizes", type=int, nargs="*", default=[11],
                    help="N at which only the matrix-free product is timed (no assembly)")
    ap.add_argument("--net-gbs", type=float, default=25.0, help="network GB/s per node (projection)")
    ap.add_argument("--ranks-per-node", type=int, default=64, help="ranks per node (projection)")
    ap.add_argument("--triad-mib", type=float, default=256.0, help="MiB per STREAM array and rank")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    ap.add_argument("--steady-timeout", type=float, default=300.0,
                    help="seconds per qcoll steady run up to N = 8 (longer ones are stopped and reported)")
    ap.add_argument("--steady-timeout-large", type=float, default=2400.0,
                    help="seconds per qcoll steady run for N > 8")
    ap.add_argument("--out", default=None, help="results directory (default BUILD/bench-results)")
    a = ap.parse_args()
    a.steady_method_max = {k: int(v) for k, v in (x.split(":") for x in a.steady_method_max.split(",") if x)}
    a.build = os.path.abspath(a.build)
    a.out = os.path.abspath(a.out or os.path.join(a.build, "bench-results"))
    for exe in ("qcoll", "bench/liouvillian_stats", "bench/stream_triad"):
        if not os.path.exists(os.path.join(a.build, exe)):
            sys.exit(f"run_bench.py: {os.path.join(a.build, exe)} is missing; build with `make bench`")
    if shutil.which("mpiexec") is None:
        sys.exit("run_bench.py: mpiexec not found")
    Bench(a).main()


if __name__ == "__main__":
    main()

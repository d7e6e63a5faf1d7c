"""post/examples/tour.py, the README tour through qcoll_post.run, runs end to
end in a fresh directory and prints what the README says (order-1
convergence, Pi = beta Wdot_C, an engine powered by coherence, a current that
does not decay with N), with its figures."""
import os
import re
import subprocess

import pytest

from helpers import POST_DIR, mpi_env


def test_tour_script_runs_in_a_fresh_directory(qcoll_binary, tmp_path):
    env = mpi_env()
    env.update({"QCOLL_BINARY": os.path.abspath(qcoll_binary), "MPLBACKEND": "Agg"})
    env.pop("PYTHONPATH", None)  # the script finds the package next to it
    proc = subprocess.run(["/usr/bin/python3", os.path.join(POST_DIR, "examples", "tour.py"),
                           "--figures", "figures"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=900)
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert re.search(r"first law holds to \d\.\de-1[5-9]", out), out
    assert float(re.search(r"fitted order: ([\d.]+)", out).group(1)) == pytest.approx(1.0, abs=0.05)
    for w, pi, bw in re.findall(r"Wdot_C = (\S+), Pi = (\S+) \(beta Wdot_C = (\S+)\)", out):
        assert abs(float(pi) - float(bw)) <= 1e-12 + 1e-6 * abs(float(bw))
    assert "lambda = 0.00: power 0.000e+00, regime none" in out
    assert "lambda = 2.00: power" in out and out.count("regime engine") == 8
    currents = [float(c) for c in re.findall(r"current through the last bond (\S+)", out)]
    assert len(currents) == 5 and all(0.02 < c < 0.032 for c in currents)
    for name in ("strong.h5", "collide.h5", "sweep.h5", "engine_map.h5", "engine.h5",
                 "chain_length_scan.h5"):
        assert (tmp_path / name).exists(), name
    assert len([f for f in os.listdir(tmp_path / "figures") if f.endswith(".png")]) >= 6

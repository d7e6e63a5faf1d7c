"""post/ installs as a package: `pip install --no-build-isolation ./post`
into a fresh venv that sees Debian's packages (offline: no download), then,
from a directory outside the source tree, the README's qubit deck through
run() and open_dataset(), and the qcoll-plot and qcoll-merge entry points."""
import os
import shutil
import subprocess
import sys
import venv

import pytest

from helpers import POST_DIR, mpi_env, source_dir


def test_pip_install_into_a_fresh_venv(qcoll_binary, tmp_path):
    if not shutil.which("pip3") and subprocess.run(
            ["/usr/bin/python3", "-m", "pip", "--version"], capture_output=True).returncode:
        pytest.skip("pip is not installed (Debian: python3-pip)")
    try:
        import ensurepip  # noqa: F401  (python3-venv)
    except ImportError:
        pytest.skip("python3-venv is not installed")
    package = tmp_path / "post"  # a copy: no build files land in the source tree
    shutil.copytree(POST_DIR, package, ignore=shutil.ignore_patterns(
        "tests", "build", "*.egg-info", "__pycache__"))
    env_dir = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(env_dir)],
                   check=True, timeout=300)
    python = env_dir / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation",
                          "--no-index", str(package)], capture_output=True, text=True,
                         timeout=600)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    away = tmp_path / "elsewhere"
    away.mkdir()
    env = mpi_env()
    env.pop("PYTHONPATH", None)
    env["QCOLL_BINARY"] = os.path.abspath(qcoll_binary)
    env["MPLBACKEND"] = "Agg"
    deck = os.path.join(source_dir(), "inputs", "qubit.toml")
    script = f"""
import qcoll_post as qp
assert "site-packages" in qp.__file__, qp.__file__
ds = qp.run({deck!r}, task="evolve", ranks=2, output="qubit.h5", progress=False)
assert {{"t", "species"}} <= set(ds.dims), ds.dims
again = qp.open_dataset("qubit.h5")
assert (again.energy.values == ds.energy.values).all()
sw = qp.run({deck!r}, task="steady", output="sweep.h5", progress=False,
            set={{"sweep": {{"key": "species.bath.lambda", "values": [0.0, 0.1]}}}})
assert sw.energy.dims == ("species.bath.lambda",), sw.energy.dims
print("ok", qp.__version__)
"""
    proc = subprocess.run([str(python), "-c", script], cwd=away, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stdout + proc.stderr
    for tool in ("qcoll-plot", "qcoll-merge"):
        exe = env_dir / "bin" / tool
        assert exe.exists(), f"no {tool} entry point"
        help_ = subprocess.run([str(exe), "--help"], cwd=away, env=env, capture_output=True,
                               text=True, timeout=120)
        assert help_.returncode == 0 and f"usage: {tool}" in help_.stdout, help_.stderr
    plot = subprocess.run([str(env_dir / "bin" / "qcoll-plot"), "qubit.h5", "-o", "figures"],
                          cwd=away, env=env, capture_output=True, text=True, timeout=300)
    assert plot.returncode == 0, plot.stderr
    assert any(f.endswith(".png") for f in os.listdir(away / "figures"))

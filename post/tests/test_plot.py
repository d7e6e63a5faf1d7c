"""Every plot kind is produced and is a valid, non-trivial PNG."""
import os
import subprocess
import sys

import h5py
import pytest

import qcoll_post as qp
import synthetic
from helpers import POST_DIR, assert_png
from qcoll_post.plot import plot_run

EVOLVE_KINDS = {"evolve_energy", "evolve_entropy", "evolve_observables", "evolve_state"}
SYNTHETIC_KINDS = {"steady_state", "steady_currents", "steady_spectrum", "spectrum",
                   "collide_convergence", "collide_second_law", "collide_energy",
                   "sweep_currents", "sweep_quantities"}


def kinds(paths, stem):
    return {os.path.splitext(os.path.basename(p))[0][len(stem) + 1:] for p in paths}


def test_evolve_figures(qubit_evolve, tmp_path):
    written = plot_run(qubit_evolve, str(tmp_path))
    assert kinds(written, "qubit") == EVOLVE_KINDS
    for path in written:
        assert os.path.dirname(path) == str(tmp_path)
        assert_png(path)


def test_parallel_multispecies_figures(maser_evolve_np2, tmp_path):
    written = plot_run(qp.load(maser_evolve_np2), str(tmp_path))
    assert kinds(written, "maser") == EVOLVE_KINDS
    for path in written:
        assert_png(path)


def test_synthetic_figures(synthetic_file, tmp_path):
    name, path, _ = synthetic_file
    written = plot_run(path, str(tmp_path))
    assert kinds(written, name) == SYNTHETIC_KINDS
    for out in written:
        assert_png(out)


@pytest.fixture(scope="module")
def steady_only(tmp_path_factory):
    path = tmp_path_factory.mktemp("steady_only") / "steady_only.h5"
    synthetic.write_file(str(path), "two_baths", groups=("steady",))
    return str(path)


def test_default_directory_is_next_to_the_file(steady_only):
    written = plot_run(steady_only, fmt="svg")
    assert kinds(written, "steady_only") == {"steady_state", "steady_currents",
                                              "steady_spectrum"}
    assert all(os.path.dirname(p) == os.path.dirname(steady_only) for p in written)
    assert all(p.endswith(".svg") and os.path.getsize(p) > 10_000 for p in written)


def test_partial_files(tmp_path, steady_only):
    """Only what is present is plotted; an incomplete run still plots."""
    partial = tmp_path / "partial.h5"
    with h5py.File(steady_only, "r") as src, h5py.File(partial, "w") as dst:
        for key, value in src.attrs.items():
            dst.attrs[key] = value
        dst.attrs["complete"] = 0
        src.copy("model", dst)
        src.copy("steady", dst)
        del dst["steady/eigenvalues"]
    written = plot_run(str(partial), str(tmp_path / "out"))
    assert kinds(written, "partial") == {"steady_state", "steady_currents"}
    for out in written:
        assert_png(out)


def _cli_env():
    env = dict(os.environ, MPLBACKEND="Agg")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [POST_DIR, env.get("PYTHONPATH")]))
    return env


def _plot_command(command, files, outdir):
    proc = subprocess.run(command + files + ["-o", str(outdir)], capture_output=True,
                          text=True, env=_cli_env(), cwd=outdir, timeout=300)
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout.split()
    for out in printed:
        assert_png(out)
    return printed


def test_command_line_wrapper(steady_only, tmp_path):
    printed = _plot_command([os.path.join(POST_DIR, "qcoll-plot")], [steady_only], tmp_path)
    assert kinds(printed, "steady_only") == {"steady_state", "steady_currents",
                                             "steady_spectrum"}
    assert all(os.path.dirname(p) == str(tmp_path) for p in printed)


def test_command_line_module(steady_only, tmp_path):
    printed = _plot_command([sys.executable, "-m", "qcoll_post.plot", "--dpi", "80"],
                            [steady_only], tmp_path)
    assert kinds(printed, "steady_only") == {"steady_state", "steady_currents",
                                             "steady_spectrum"}


def test_command_line_errors(tmp_path):
    proc = subprocess.run([os.path.join(POST_DIR, "qcoll-plot"), str(tmp_path / "missing.h5")],
                          capture_output=True, text=True, env=_cli_env(), timeout=120)
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr
    summary = subprocess.run([sys.executable, "-m", "qcoll_post", "--help"],
                             capture_output=True, text=True, env=_cli_env(), timeout=120)
    assert summary.returncode == 0 and "FILE.h5" in summary.stdout


def test_coherent_engine_sweep_draws_the_machine(qcoll_binary, tmp_path):
    """inputs/coherent_engine.toml: power > 0 only with lambda > 0 (regime
    engine), the TUR ratios written for every species, and the machine
    figure (power, efficiency, TUR, regimes as background) drawn."""
    from helpers import run_qcoll
    engine = os.path.join(POST_DIR, "..", "inputs", "coherent_engine.toml")
    out = run_qcoll(qcoll_binary, "steady", engine,
                    tmp_path / "engine.h5", nranks=2)
    with h5py.File(out, "r") as f:
        regimes = [r.decode() for r in f["sweep/machine/regime"][()]]
        power = f["sweep/machine/power"][()]
        lam = f["sweep/values"][()]
        assert regimes[0] == "none" and lam[0] == 0.0 and power[0] == 0.0
        assert all(r == "engine" for r in regimes[1:]) and (power[1:] > 0).all()
        assert f["sweep/fluctuations/tur_ratio"].shape == (len(lam), 3)
    written = plot_run(qp.load(out), str(tmp_path))
    assert "sweep_machine" in kinds(written, "engine")
    for path in written:
        assert_png(path)

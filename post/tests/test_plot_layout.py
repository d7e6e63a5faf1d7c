"""Plots people read: one panel per quantity family with species as colours,
legends beside the data (never over it), a symlog axis for a small but
decisive current, the basis convention on state plots, and the regime map of
a two-key grid sweep coloured by the file's regimes with power contours."""
import os

import matplotlib.colors as mcolors
import numpy as np
import pytest

import qcoll_post as qp
from helpers import deck_path, run_qcoll, source_dir
from qcoll_post.plot import evolve, style, sweep


def figures_of(module, run):
    with style.plt.rc_context(style.RC):
        return dict(module.figures(run))


def assert_legends_beside_their_axes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not ax.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        axes_box = ax.get_window_extent(renderer)
        assert box.x0 >= axes_box.x1 - 1, f"the legend of '{ax.get_title()}' covers its data"


@pytest.fixture(scope="module")
def three_species_sweep(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("maser_sweep") / "maser_sweep.h5"
    return qp.load(run_qcoll(qcoll_binary, "steady", deck_path("maser.toml"), out, "--set",
                             'sweep.key="species.drive.lambda"', "--set",
                             "sweep.values=[0.0, 0.15, 0.3]"))


def test_sweep_currents_one_panel_per_family(three_species_sweep):
    fig = figures_of(sweep, three_species_sweep)["sweep_currents"]
    titles = [ax.get_title() for ax in fig.axes]
    assert any("coherent work" in t for t in titles)
    assert any("incoherent heat" in t for t in titles)
    assert any("entropy production" in t for t in titles)
    species = three_species_sweep.species
    for ax in fig.axes:
        if "per species" not in ax.get_title():
            continue
        lines = [line for line in ax.get_lines() if line.get_label() in species]
        assert [line.get_label() for line in lines] == species  # one line per species
        colors = [mcolors.to_hex(line.get_color()) for line in lines]
        assert colors == [mcolors.to_hex(style.species_color(k)) for k in range(len(species))]
    assert_legends_beside_their_axes(fig)


def test_evolve_energy_panels_and_legends(maser_evolve_np1):
    run = qp.load(maser_evolve_np1)
    fig = figures_of(evolve, run)["evolve_energy"]
    titles = [ax.get_title() for ax in fig.axes]
    assert sum("per species" in t for t in titles) >= 2  # W_C and Q_inc apart
    assert_legends_beside_their_axes(fig)


def test_small_decisive_current_gets_a_symlog_axis():
    with style.plt.rc_context(style.RC):
        fig, axes = style.new_figure(2, 1)
        x = np.linspace(0, 1, 5)
        big, small = 0.03 * np.ones(5), -1e-4 * x
        assert style.auto_symlog(axes[0, 0], [big, small])
        assert axes[0, 0].get_yscale() == "symlog"
        assert not style.auto_symlog(axes[1, 0], [big, 0.5 * big])
        assert axes[1, 0].get_yscale() == "linear"
        style.plt.close(fig)


def test_state_plot_says_which_basis_state_is_which(qubit_evolve):
    fig = figures_of(evolve, qp.load(qubit_evolve))["evolve_state"]
    labels = " ".join(ax.get_xlabel() for ax in fig.axes)
    assert "up" in labels and "excited state" in labels
    assert qp.analysis.basis_convention(["boson15"]).startswith("boson")


@pytest.fixture(scope="module")
def engine_grid(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("engine_grid") / "engine_grid.h5"
    deck = os.path.join(source_dir(), "inputs", "coherent_engine.toml")
    axes = ('sweep={ axis = [{ key = "species.drive.lambda", values = [0.0, 1.0, 2.0] }, '
            '{ key = "species.hot.beta", values = [0.2, 1.0, 2.0] }] }')
    return qp.load(run_qcoll(qcoll_binary, "steady", deck, out, "--set", axes,
                             "--set", "steady.fluctuations=false"))


def test_regime_map_colours_are_the_files_regimes(engine_grid):
    figs = figures_of(sweep, engine_grid)
    assert "sweep_regime" in figs
    fig = figs["sweep_regime"]
    ax = fig.axes[0]
    mesh = ax.collections[0]
    sw = engine_grid.sweep
    regimes = [r.decode() if isinstance(r, bytes) else str(r) for r in sw["machine/regime"]]
    assert {"engine", "accelerator"} <= set(regimes), regimes  # a map with several regimes
    colors = mesh.to_rgba(np.asarray(mesh.get_array()).ravel())  # row-major over the axes
    assert len(colors) == len(regimes)
    legend = {t.get_text(): mcolors.to_hex(p.get_facecolor())
              for t, p in zip(ax.get_legend().get_texts(), ax.get_legend().get_patches())}
    for regime, color in zip(regimes, colors):
        assert mcolors.to_hex(color) == legend[regime], regime
    power = np.asarray(sw["machine/power"], dtype=float)
    contours = [c for c in ax.collections[1:]]
    assert contours, "no power contours"
    if power.min() < 0 < power.max():
        widths = [lw for c in contours for lw in np.atleast_1d(c.get_linewidth())]
        assert max(widths) >= 2.0  # the power = 0 line, emphasised
    assert_legends_beside_their_axes(fig)

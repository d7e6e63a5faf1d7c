"""Shared look of the qcoll figures: rc settings, colours, labels, footers."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (backend first)
import numpy as np  # noqa: E402

RC = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "legend.fontsize": 8,
    "legend.framealpha": 0.85,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linestyle": ":",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 1.6,
    "image.cmap": "viridis",
}

# Units in hbar = k_B = 1: energies in the deck's unit, times in its inverse.
T_LABEL = r"time $t$  [1/energy]"
RATE_UNIT = "[energy/time]"
ENTROPY_RATE_UNIT = "[1/time]"

# Line styles tell quantities apart, colours tell species apart.
QUANTITY_STYLE = {"work_coherent": "-", "heat_incoherent": "--", "heat_ancilla": ":"}
QUANTITY_LABEL = {
    "work_coherent": r"$\dot W_C$",
    "heat_incoherent": r"$\dot Q_{\rm inc}$",
    "heat_ancilla": r"$\dot Q_A$",
}
BLACK = "0.1"
GREY = "0.5"


def species_color(k):
    """Colour of the k-th species (deck order), the same in every figure."""
    return plt.get_cmap("tab10")(k % 10)


def sequence_colors(n):
    """n colours along a perceptually uniform map (e.g. one per tau)."""
    cmap = plt.get_cmap("viridis")
    return [cmap(x) for x in np.linspace(0.05, 0.85, max(n, 1))]


def new_figure(nrows=1, ncols=1, width=8.0, height_per_row=2.6, **kwargs):
    """Figure and a 2-D array of axes with constrained layout."""
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, 0.6 + height_per_row * nrows),
                             squeeze=False, layout="constrained", **kwargs)
    return fig, axes


def decorate(fig, run, what):
    """Title from the deck title plus a one-line provenance footer."""
    fig.suptitle(f"{run.title}\n{what}", fontsize=11)
    prov = run.provenance
    parts = [os.path.basename(run.path)]
    if "qcoll_version" in prov:
        parts.append(f"qcoll {prov['qcoll_version']} (git {prov.get('git_commit', '?')})")
    if "nranks" in prov:
        parts.append(f"{prov['nranks']} rank{'s' if prov['nranks'] != 1 else ''}")
    if "created" in prov:
        parts.append(str(prov["created"]))
    if not run.complete:
        parts.append("INCOMPLETE RUN")
    fig.text(0.995, 0.004, "  ·  ".join(parts), ha="right", va="bottom", fontsize=6,
             color="red" if not run.complete else GREY)
    engine = fig.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        footer = 14.0 / (fig.get_figheight() * fig.dpi)  # keep ~14 px free for the footer
        engine.set(rect=(0.0, footer, 1.0, 1.0 - footer / 2))


def robust_ylim(ax, t, curves, skip_fraction=0.03, factor=5.0):
    """Zoom the y-axis past an initial transient that dwarfs the rest.

    When a curve's early values (the first `skip_fraction` of the time span)
    exceed `factor` times the range of the remainder, the axis is limited to
    the remainder (with a margin) and a note gives the clipped extreme.
    """
    t = np.asarray(t, dtype=float)
    if t.size < 10:
        return
    late = t >= t[0] + skip_fraction * (t[-1] - t[0])
    values = [np.asarray(c, dtype=float) for c in curves if c is not None]
    finite = [v[np.isfinite(v)] for v in values]
    if not values or any(v.size == 0 for v in finite):
        return
    lo = min(float(np.nanmin(v[late])) for v in values)
    hi = max(float(np.nanmax(v[late])) for v in values)
    full_lo = min(float(v.min()) for v in finite)
    full_hi = max(float(v.max()) for v in finite)
    span = max(hi - lo, 1e-12 * max(abs(hi), abs(lo), 1e-300))
    if max(full_hi - hi, lo - full_lo) <= factor * span:
        return
    margin = 0.15 * span
    ax.set_ylim(min(lo, 0.0) - margin, max(hi, 0.0) + margin)
    extreme = full_hi if full_hi - hi >= lo - full_lo else full_lo
    ax.text(0.01, 0.97, f"initial transient off scale (extreme {extreme:.3g})",
            transform=ax.transAxes, fontsize=7, color=GREY, va="top",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.0})


def legend(ax, **kwargs):
    """A legend to the right of the axes, where it covers no data (only when
    something is labelled; `loc` is ignored, one column up to 12 entries)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    kwargs.pop("loc", None)
    kwargs["ncol"] = 1 if len(handles) <= 12 else 2
    kwargs.setdefault("fontsize", 8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


legend_outside = legend


def auto_symlog(ax, curves, ratio=100.0):
    """A symmetric-log y axis when the curves' sizes differ by more than
    `ratio` (a 1e-4 current next to a 0.03 one stays readable); linear
    around 0 below a tenth of the smallest curve's size. Returns whether."""
    sizes = [float(np.nanmax(np.abs(np.real(c)))) for c in curves
             if np.size(c) and np.isfinite(np.real(c)).any()]
    sizes = [s for s in sizes if s > 0]
    if len(sizes) < 2 or max(sizes) / min(sizes) <= ratio:
        return False
    ax.set_yscale("symlog", linthresh=0.1 * min(sizes), linscale=1.0)
    ax.text(0.995, 0.02, "symlog scale", transform=ax.transAxes, ha="right", va="bottom",
            fontsize=7, color=GREY)
    return True


def zero_line(ax):
    ax.axhline(0.0, color=GREY, lw=0.8, zorder=0)


def format_value(x):
    """Compact text for a number in a legend or a text box."""
    if isinstance(x, complex) or np.iscomplexobj(x):
        x = complex(x)
        if abs(x.imag) > 1e-12 * max(1.0, abs(x.real)):
            return f"{x.real:.6g}{x.imag:+.3g}i"
        x = x.real
    return f"{float(x):.6g}"


def save(fig, path, dpi=None):
    """Write the figure, close it and return the path."""
    fig.savefig(path, dpi=dpi)
    plt.close(fig)
    return path

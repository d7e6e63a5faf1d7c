"""Figures of /steady (non-equilibrium steady state) and /spectrum."""
import numpy as np

from ..analysis import first_law_residual
from . import state, style

CURRENTS = ("work_coherent", "heat_incoherent", "heat_ancilla")
MAX_LISTED_EIGENVALUES = 6


def figures(run):
    """Yield (kind, figure) for /steady."""
    st = run.steady
    if "rho" in st:
        yield "steady_state", state_figure(run, st)
    if any(name in st for name in CURRENTS):
        yield "steady_currents", currents_figure(run, st)
    if "eigenvalues" in st:
        yield "steady_spectrum", spectrum_figure(run, st, "Liouvillian spectrum (steady task)")


def spectrum_figures(run):
    """Yield (kind, figure) for /spectrum."""
    if "eigenvalues" in run.spectrum:
        yield "spectrum", spectrum_figure(run, run.spectrum, "Liouvillian spectrum")


def state_figure(run, st):
    fig, axes = style.new_figure(1, 2, width=9.5, height_per_row=3.8)
    state.draw_state(fig, axes[0], run, st.rho)
    axes[0, 0].set_title("steady-state populations\n" + axes[0, 0].get_title())
    style.decorate(fig, run, "non-equilibrium steady state")
    return fig


def currents_figure(run, st):
    fig, axes = style.new_figure(1, 2, width=10.0, height_per_row=3.8,
                                 gridspec_kw={"width_ratios": [2.2, 1.0]})
    ax, text_ax = axes[0]
    species = run.species or ["all"]
    present = [name for name in CURRENTS if name in st]
    width = 0.8 / len(present)
    x = np.arange(len(species))
    hatches = {"work_coherent": "", "heat_incoherent": "//", "heat_ancilla": ".."}
    for q, name in enumerate(present):
        values = np.atleast_1d(np.asarray(st[name], dtype=float))
        bars = ax.bar(x + (q - (len(present) - 1) / 2) * width, values, width * 0.95,
                      color=[style.species_color(k) for k in range(len(values))],
                      edgecolor=style.BLACK, linewidth=0.6, hatch=hatches[name],
                      label=style.QUANTITY_LABEL[name])
        ax.bar_label(bars, labels=[f"{v:.3g}" for v in values], fontsize=7, padding=2)
    style.zero_line(ax)
    ax.set_xticks(x)
    ax.set_xticklabels(species)
    ax.set_xlabel("species")
    ax.set_ylabel(f"rate  {style.RATE_UNIT}")
    ax.set_title(r"steady-state currents (hatching: quantity, colour: species);"
                 "\n" r"$\dot Q_A^j > 0$: energy into the ancillas of species $j$")
    ax.grid(axis="x", visible=False)
    style.legend(ax)
    leg = ax.get_legend()
    for patch in leg.get_patches():
        patch.set_facecolor("white")

    text_ax.axis("off")
    text_ax.text(0.0, 1.0, _summary_text(st), va="top", ha="left", family="monospace",
                 fontsize=8.5, transform=text_ax.transAxes)
    style.decorate(fig, run, "steady-state thermodynamics")
    return fig


def _summary_text(st):
    rows = [("<H_S>", "energy"), ("S", "entropy"), ("Pi", "entropy_production"),
            ("Pi_A", "entropy_production_ancilla"), ("W_sw rate", "work_switching"),
            ("dE/dt", "dEdt"), ("tr rho", "trace"), ("purity", "purity"),
            ("residual", "residual"), ("gap", "gap")]
    lines = []
    for label, name in rows:
        if name in st:
            lines.append(f"{label:<11}{style.format_value(st[name])}")
    if all(name in st for name in ("dEdt", "work_coherent", "heat_incoherent")):
        lines.append(f"{'1st law':<11}{float(first_law_residual(st)):.2e}")
    if "observables" in st:
        lines.append("")
        lines.append("observables")
        for name in st.observables.datasets():
            lines.append(f"  {name:<9}{style.format_value(st.observables[name])}")
    return "\n".join(lines)


def spectrum_figure(run, group, what):
    ev = np.atleast_1d(np.asarray(group.eigenvalues, dtype=complex))
    fig, axes = style.new_figure(1, 1, width=7.0, height_per_row=4.4)
    ax = axes[0, 0]
    ax.scatter(ev.real, ev.imag, s=28, color=style.species_color(0), edgecolor=style.BLACK,
               linewidth=0.5, zorder=3, label=f"{len(ev)} eigenvalues")
    ax.axvline(0.0, color=style.GREY, lw=0.8)
    style.zero_line(ax)
    title = "eigenvalues of the Liouvillian"
    if "gap" in group:
        gap = float(group.gap)
        ax.axvline(-gap, color="tab:red", ls="--", lw=1.0, label=f"$-$gap = {-gap:.4g}")
        title += f",  gap = {gap:.4g}  (relaxation time {1 / gap:.3g})" if gap > 0 else ""
    ax.set_xlabel(r"Re $\lambda$  [1/time]")
    ax.set_ylabel(r"Im $\lambda$  [1/time]")
    ax.set_title(title)
    order = np.argsort(-ev.real)[:MAX_LISTED_EIGENVALUES]
    listing = "\n".join(f"{ev[k].real:+.5f} {ev[k].imag:+.5f}i" for k in order)
    ax.text(0.02, 0.98, "largest Re:\n" + listing, transform=ax.transAxes, va="top",
            ha="left", family="monospace", fontsize=7,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"})
    style.legend(ax, loc="lower right")
    style.decorate(fig, run, what)
    return fig

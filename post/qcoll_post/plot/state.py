"""Drawing a density matrix: populations and |rho| as a heat map."""
import numpy as np

from ..analysis import basis_convention, basis_labels, populations
from . import style

MAX_TICK_LABELS = 16      # label every basis state up to this dimension
MAX_BARS = 64             # bars up to this dimension, a line beyond
MAX_POPULATION_LINES = 8  # population curves in a time plot
MAX_ANNOTATED = 6         # write |rho_ij| into the cells up to this dimension


def draw_populations(ax, rho, labels):
    """Bar chart of <k|rho|k> over the basis."""
    p = populations(rho)
    d = len(p)
    x = np.arange(d)
    if d <= MAX_BARS:
        ax.bar(x, p, color=style.species_color(0), width=0.8)
    else:
        ax.plot(x, p, color=style.species_color(0), lw=1.0)
    ax.set_xlabel("basis state")
    ax.set_ylabel(r"population $\langle k|\rho|k\rangle$")
    _basis_ticks(ax.xaxis, labels)
    ax.set_ylim(0, max(1e-12, float(p.max())) * 1.12)
    ax.grid(axis="x", visible=False)


def draw_abs_heatmap(fig, ax, rho, labels):
    """|rho_ij| as an image with a colour bar; row i, column j."""
    image = ax.imshow(np.abs(rho), cmap="magma", origin="upper", interpolation="nearest",
                      vmin=0.0)
    ax.set_xlabel(r"column $j$")
    ax.set_ylabel(r"row $i$")
    ax.grid(False)
    _basis_ticks(ax.xaxis, labels)
    _basis_ticks(ax.yaxis, labels)
    fig.colorbar(image, ax=ax, label=r"$|\rho_{ij}|$", shrink=0.9)
    magnitude = np.abs(rho)
    if len(labels) <= MAX_ANNOTATED:
        top = max(float(magnitude.max()), 1e-300)
        for (i, j), value in np.ndenumerate(magnitude):
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", fontsize=8,
                    color="black" if value > 0.6 * top else "white")


def draw_population_history(ax, t, rhos, labels):
    """Populations of stored snapshots against time (the largest ones)."""
    p = populations(rhos)
    order = np.argsort(p.max(axis=0))[::-1][:MAX_POPULATION_LINES]
    colors = style.sequence_colors(len(order))
    for color, k in zip(colors, sorted(order)):
        ax.plot(t, p[:, k], "o-", ms=3, color=color, label=rf"$|{labels[k]}\rangle$")
    ax.set_xlabel(style.T_LABEL)
    ax.set_ylabel("population")
    title = "stored states"
    if p.shape[1] > len(order):
        title += f" (the {len(order)} most populated of {p.shape[1]})"
    ax.set_title(title)
    style.legend(ax, ncol=2)


def draw_state(fig, axes, run, rho):
    """Populations in axes[0] and |rho| in axes[1]."""
    labels = basis_labels(run.sites, rho.shape[-1])
    draw_populations(axes[0], rho, labels)
    draw_abs_heatmap(fig, axes[1], rho, labels)
    purity = float(np.real(np.trace(rho @ rho)))
    axes[0].set_title(rf"tr$\rho$ = {np.real(np.trace(rho)):.6f},  tr$\rho^2$ = {purity:.4f}")
    axes[1].set_title(r"$|\rho_{ij}|$ (basis: site 0 slowest)")
    convention = basis_convention(run.sites)
    if convention:  # which basis state is which (|0> is the excited state of a spin-1/2)
        axes[0].set_xlabel(f"basis state ({convention})", fontsize=8)
    return labels


def _basis_ticks(axis, labels):
    d = len(labels)
    if d <= MAX_TICK_LABELS:
        axis.set_ticks(np.arange(d))
        axis.set_ticklabels([rf"$|{s}\rangle$" for s in labels], fontsize=9)

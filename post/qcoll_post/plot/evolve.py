"""Figures of the /evolve group (master-equation time evolution)."""
import numpy as np

from ..analysis import first_law_residual
from . import state, style

TINY = 1e-300  # floor for log-scale residuals that are exactly zero


def figures(run):
    """Yield (kind, figure) for everything /evolve holds."""
    ev = run.evolve
    if "t" not in ev:
        return
    if "energy" in ev:
        yield "evolve_energy", energy_figure(run, ev)
    if "entropy_production" in ev or "entropy" in ev:
        yield "evolve_entropy", entropy_figure(run, ev)
    if "observables" in ev and len(ev.observables):
        yield "evolve_observables", observables_figure(run, ev)
    if "rho_final" in ev:
        yield "evolve_state", state_figure(run, ev)


def _species_lines(ax, t, group, names):
    """One line per species (colour) of each quantity; returns the curves."""
    curves = []
    for name in names:
        if name not in group:
            continue
        values = group[name]
        for k, (species, column) in enumerate(values.items()):
            label = species if len(names) == 1 else f"{style.QUANTITY_LABEL[name]} {species}"
            ax.plot(t, column, style.QUANTITY_STYLE[name], color=style.species_color(k),
                    label=label)
            curves.append(np.asarray(column))
    return curves


def energy_figure(run, ev):
    t = ev.t
    has_ancilla = "heat_ancilla" in ev
    nrows = 5 if has_ancilla else 4
    fig, axes = style.new_figure(nrows, 1, height_per_row=2.2, sharex=True)
    ax = axes[:, 0]

    ax[0].plot(t, ev.energy, color=style.BLACK)
    ax[0].set_ylabel(r"$\langle H_S\rangle$  [energy]")
    ax[0].set_title("system energy")

    # One panel per quantity family, species as colours (a small but decisive
    # current gets a symlog axis rather than vanishing next to large ones).
    curves = _species_lines(ax[1], t, ev, ("work_coherent",))
    style.zero_line(ax[1])
    style.auto_symlog(ax[1], curves)
    ax[1].set_ylabel(rf"$\dot W_C^j$  {style.RATE_UNIT}")
    ax[1].set_title(r"coherent work $\dot W_C^j$ per species")
    style.legend(ax[1], title="species")

    curves = _species_lines(ax[2], t, ev, ("heat_incoherent",))
    if "dEdt" in ev:
        ax[2].plot(t, ev.dEdt, color=style.BLACK, lw=1.0, alpha=0.7,
                   label=r"$d\langle H_S\rangle/dt$")
    style.zero_line(ax[2])
    style.auto_symlog(ax[2], curves)
    ax[2].set_ylabel(rf"$\dot Q_{{\rm inc}}^j$  {style.RATE_UNIT}")
    ax[2].set_title(r"incoherent heat $\dot Q_{\rm inc}^j$ per species (into the system)")
    style.legend(ax[2])

    row = 3
    if has_ancilla:
        curves = _species_lines(ax[3], t, ev, ("heat_ancilla",))
        if "work_switching" in ev:
            ax[3].plot(t, ev.work_switching, color=style.GREY, lw=1.2,
                       label=r"$\dot W_{\rm sw}$")
        style.zero_line(ax[3])
        style.auto_symlog(ax[3], curves)
        ax[3].set_ylabel(rf"$\dot Q_A^j$  {style.RATE_UNIT}")
        ax[3].set_title(r"heat into the ancillas $\dot Q_A^j$ and switching work"
                        r" $\dot W_{\rm sw} = d\langle H_S\rangle/dt + \sum_j \dot Q_A^j$")
        style.legend(ax[3])
        row = 4

    if "dEdt" in ev and "work_coherent" in ev and "heat_incoherent" in ev:
        residual = np.abs(first_law_residual(ev))
        ax[row].semilogy(t, np.maximum(residual, TINY), color="tab:red")
        positive = residual[residual > 0]
        if positive.size:
            ax[row].set_ylim(0.1 * positive.min(), 10.0 * positive.max())
        ax[row].set_title(r"first-law residual $|d\langle H_S\rangle/dt - \sum_j"
                          r"(\dot W_C^j + \dot Q_{\rm inc}^j)|$,  max = "
                          f"{residual.max():.2e}")
    ax[row].set_ylabel(f"residual  {style.RATE_UNIT}")
    ax[row].set_xlabel(style.T_LABEL)
    style.decorate(fig, run, "energy balance (master equation)")
    return fig


def entropy_figure(run, ev):
    t = ev.t
    panels = [k for k in ("entropy", "free_energy") if k in ev]
    fig, axes = style.new_figure(len(panels) + 1, 1, height_per_row=2.4, sharex=True)
    ax = axes[:, 0]
    row = 0
    if "entropy" in ev:
        ax[row].plot(t, ev.entropy, color=style.BLACK, label=r"$S$")
        if run.d > 1:
            ax[row].axhline(np.log(run.d), color=style.GREY, ls=":", lw=1.0,
                            label=rf"$\ln d$ = {np.log(run.d):.3g}")
        if "purity" in ev:
            twin = ax[row].twinx()
            twin.plot(t, ev.purity, color="tab:purple", ls="--", lw=1.2)
            twin.set_ylabel(r"purity tr$\rho^2$", color="tab:purple")
            twin.grid(False)
            twin.spines["right"].set_visible(True)
        ax[row].set_ylabel(r"entropy $S$  [$k_B$ = 1]")
        ax[row].set_title(r"von Neumann entropy $S = -$tr$\rho\ln\rho$ (dashed: purity)")
        style.legend(ax[row], loc="lower right")
        row += 1
    if "free_energy" in ev:
        beta = run.model.beta[0] if "model" in run and "beta" in run.model else np.nan
        ax[row].plot(t, ev.free_energy, color="tab:green")
        ax[row].set_ylabel(r"$F$  [energy]")
        ax[row].set_title(rf"free energy $F = \langle H_S\rangle - S/\beta$,  $\beta$ = {beta:.4g}")
        row += 1
    a = ax[row]
    if "entropy_production" in ev:
        a.plot(t, ev.entropy_production, color="tab:red",
               label=r"$\Pi = dS/dt - \sum_j\beta_j\dot Q_{\rm inc}^j$")
    if "entropy_production_ancilla" in ev:
        a.plot(t, ev.entropy_production_ancilla, color="tab:blue", ls="--",
               label=r"$\Pi_A = dS/dt - \sum_j\beta_j\dot Q_{{\rm inc},A}^j$")
    if "dSdt" in ev:
        a.plot(t, ev.dSdt, color=style.GREY, lw=1.0, label=r"$dS/dt$")
    style.zero_line(a)
    style.robust_ylim(a, t, [ev.get(k) for k in ("entropy_production",
                                                 "entropy_production_ancilla", "dSdt")])
    a.set_ylabel(f"entropy rate  {style.ENTROPY_RATE_UNIT}")
    a.set_title(r"entropy production ($\Pi \geq 0$ under strict energy conservation)")
    a.set_xlabel(style.T_LABEL)
    style.legend(a, loc="best")
    style.decorate(fig, run, "entropy and entropy production (master equation)")
    return fig


def observables_figure(run, ev):
    obs = ev.observables
    names = _deck_order(run, obs.datasets())
    ncols = 1 if len(names) == 1 else 2
    nrows = -(-len(names) // ncols)
    fig, axes = style.new_figure(nrows, ncols, width=8.0 if ncols == 2 else 6.5,
                                 height_per_row=2.4, sharex=True)
    for k, name in enumerate(names):
        a = axes.flat[k]
        values = np.asarray(obs[name])
        a.plot(ev.t, values.real, color=style.species_color(k), label="Re")
        scale = max(1.0, float(np.abs(values).max()))
        if np.iscomplexobj(values) and np.abs(values.imag).max() > 1e-10 * scale:
            a.plot(ev.t, values.imag, color=style.species_color(k), ls="--", label="Im")
            style.legend(a)
        a.set_title(name)
        a.set_ylabel(rf"$\langle${name}$\rangle$ = tr$(O\rho)$")
    for a in axes[-1]:
        a.set_xlabel(style.T_LABEL)
    for a in list(axes.flat)[len(names):]:
        a.set_visible(False)
    style.decorate(fig, run, "observables")
    return fig


def _deck_order(run, names):
    """Observable names in the order of the deck's [evolve] observables."""
    deck = run.deck if isinstance(run.deck, dict) else {}
    listed = [o.get("name") for o in deck.get("evolve", {}).get("observables", [])
              if isinstance(o, dict)]
    rank = {name: k for k, name in enumerate(listed)}
    return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))


def state_figure(run, ev):
    has_history = "rho" in ev and "rho_t" in ev and np.ndim(ev.rho) == 3
    fig = style.plt.figure(figsize=(9.0, 7.2 if has_history else 4.2), layout="constrained")
    if has_history:
        grid = fig.add_gridspec(2, 2, height_ratios=[1.0, 1.2])
        history = fig.add_subplot(grid[0, :])
        bottom = [fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])]
    else:
        bottom = list(fig.subplots(1, 2))
    labels = state.draw_state(fig, bottom, run, ev.rho_final)
    bottom[0].set_title(f"final state, t = {ev.t[-1]:.4g}\n" + bottom[0].get_title())
    if has_history:
        state.draw_population_history(history, ev.rho_t, ev.rho, labels)
    style.decorate(fig, run, "state")
    return fig

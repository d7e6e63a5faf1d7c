"""Figures of /collide: the exact finite-tau collisional map.

Per-collision quantities (work, heat, entropies) are energies or entropies
per collision, O(tau); divided by tau they become rates comparable with the
master equation's (Sigma/tau -> Pi, W_C/tau -> Wdot_C). Distances between
density matrices are trace norms ||rho - sigma||_1, as the binary writes them.
"""
import numpy as np
from matplotlib.ticker import NullLocator

from ..analysis import convergence_order, trace_distance
from . import style

PI_LABEL = r"$\Pi$ (master equation, state before the stroke)"
PI_A_LABEL = r"$\Pi_A$ (master equation, state before the stroke)"


def figures(run):
    """Yield (kind, figure) for /collide."""
    runs = [(tau, g) for tau, g in run.collide.runs() if "t" in g]
    if not runs:
        return
    runs.sort(key=lambda item: -item[0])
    if len(runs) >= 2 or "distance_to_master_equation" in runs[0][1]:
        yield "collide_convergence", convergence_figure(run, runs)
    if any(k in runs[-1][1] for k in ("entropy_production", "mutual_information",
                                      "relative_entropy")):
        yield "collide_second_law", second_law_figure(run, runs)
    if "energy" in runs[-1][1]:
        yield "collide_energy", energy_figure(run, runs)


def _tau_label(tau):
    return rf"$\tau$ = {tau:.4g}"


def _strictly_conserving(run):
    model = run.get("model")
    if model is None or "energy_conserving" not in model:
        return True
    return bool(np.all(np.asarray(model.energy_conserving) != 0))


def _per_tau(collide, name):
    """A top-level /collide/<name>[ntau] as (taus, values), or None."""
    if name not in collide or "tau" not in collide:
        return None
    values = np.atleast_1d(np.asarray(collide[name], dtype=float))
    taus = np.atleast_1d(np.asarray(collide.tau, dtype=float))
    if values.shape != taus.shape or not np.any(np.isfinite(values)):
        return None
    return taus, values


def _error_series(run, runs):
    """[(label, taus, errors)] measuring the convergence as tau -> 0."""
    collide = run.collide
    series = []
    with_distance = [(tau, g) for tau, g in runs if "distance_to_master_equation" in g]
    if with_distance:
        taus = np.array([tau for tau, _ in with_distance])
        dist = [np.abs(np.asarray(g.distance_to_master_equation)) for _, g in with_distance]
        series.append((r"$\max_t \Vert\rho_\tau - \rho_{\rm ME}\Vert_1$", taus,
                       np.array([d.max() for d in dist])))
        final = _per_tau(collide, "final_distance")
        if final is None:
            final = (taus, np.array([d[-1] for d in dist]))
        series.append((r"$\Vert\rho_\tau - \rho_{\rm ME}\Vert_1$ at $t_{\rm final}$", *final))
    steady = _per_tau(collide, "steady_state_distance")
    if steady is not None:
        series.append((r"$\Vert$fixed point of the map $- \rho_{\rm ss}\Vert_1$", *steady))
    sigma = _per_tau(collide, "entropy_production_error")
    if sigma is not None:
        series.append((r"$|\Sigma/\tau - \Pi|$, last stroke", *sigma))
    if with_distance:
        return series
    finals = [(tau, g.rho_final) for tau, g in runs if "rho_final" in g]
    if len(finals) >= 3:
        taus = np.array([tau for tau, _ in finals[:-1]])
        diffs = np.array([2 * trace_distance(a, b) for (_, a), (_, b) in zip(finals, finals[1:])])
        series.append((r"$\Vert\rho_\tau - \rho_{\tau'}\Vert_1$, successive $\tau$", taus, diffs))
    energies = [(tau, g.energy) for tau, g in runs if "energy" in g and len(g.energy)]
    if len(energies) >= 3:
        taus = np.array([tau for tau, _ in energies[:-1]])
        diffs = np.array([abs(a[-1] - b[-1]) for (_, a), (_, b) in zip(energies, energies[1:])])
        series.append((r"$|E_\tau - E_{\tau'}|$ at $t_{\rm final}$, successive $\tau$",
                       taus, diffs))
    return series


def convergence_figure(run, runs):
    fig, axes = style.new_figure(1, 2, width=11.0, height_per_row=4.4)
    ax, right = axes[0]
    markers = "osD^v<>"
    for k, (label, taus, err) in enumerate(_error_series(run, runs)):
        color = style.species_color(k)
        good = np.isfinite(err) & (err > 0)
        order, prefactor = convergence_order(taus, err)
        text = label + (f":  order {order:.2f}" if np.isfinite(order) else "")
        ax.loglog(taus[good], err[good], markers[k % len(markers)], color=color, label=text)
        if np.isfinite(order):
            grid = np.geomspace(taus[good].min(), taus[good].max(), 50)
            ax.loglog(grid, prefactor * grid ** order, "--", color=color, lw=1.0)
    _slope_guides(ax, runs)
    taus = sorted(tau for tau, _ in runs)
    ax.set_xticks(taus, [f"{tau:g}" for tau in taus])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(r"collision time $\tau$  [1/energy]")
    ax.set_ylabel("error  (trace norm, energy or 1/time)")
    ax.set_title("convergence to the master equation (dashed: least-squares fits)")
    style.legend(ax, loc="best", fontsize=7)

    colors = style.sequence_colors(len(runs))
    if all("distance_to_master_equation" in g for _, g in runs):
        for color, (tau, g) in zip(colors, runs):
            d = np.abs(np.asarray(g.distance_to_master_equation))
            right.semilogy(g.t, np.maximum(d, 1e-300), color=color, label=_tau_label(tau))
        right.set_ylabel(r"$\Vert\rho_\tau(t) - \rho_{\rm ME}(t)\Vert_1$")
        right.set_title("distance to the master-equation solution")
    else:
        for color, (tau, g) in zip(colors, runs):
            right.plot(g.t, g.energy, color=color, label=_tau_label(tau))
        right.set_ylabel(r"$\langle H_S\rangle$  [energy]")
        right.set_title("system energy per stroke")
    right.set_xlabel(style.T_LABEL)
    style.legend(right, loc="best")
    style.decorate(fig, run, r"finite-$\tau$ collisions: convergence in $\tau$")
    return fig


def _slope_guides(ax, runs):
    """Thin grey tau^1 and tau^(1/2) lines below the data."""
    taus = np.array([tau for tau, _ in runs])
    if len(taus) < 2:
        return
    data = [np.asarray(line.get_ydata()) for line in ax.get_lines() if len(line.get_ydata())]
    if not data:
        return
    y0 = 0.25 * min(float(np.min(y)) for y in data)
    grid = np.geomspace(taus.min(), taus.max(), 20)
    for power, text in ((1.0, r"$\propto\tau$"), (0.5, r"$\propto\sqrt{\tau}$")):
        y = y0 * (grid / grid[0]) ** power
        ax.loglog(grid, y, color=style.GREY, lw=0.8, ls=":")
        ax.annotate(text, (grid[-1], y[-1]), fontsize=7, color=style.GREY,
                    xytext=(3, 0), textcoords="offset points", va="center")


def _continuum_rate(run, g, tau):
    """(times, values, label) of the master equation's Pi (or Pi_A) along a run.

    The binary evaluates them at the state before each stroke, i.e. at t - tau.
    None when the file has neither.
    """
    names = ["entropy_production_rate", "entropy_production_rate_ancilla"]
    labels = [PI_LABEL, PI_A_LABEL]
    if not _strictly_conserving(run):
        names.reverse()
        labels.reverse()
    for name, label in zip(names, labels):
        if name in g:
            return np.asarray(g.t) - tau, np.asarray(g[name]), label
    return None


def second_law_figure(run, runs):
    tau, g = runs[-1]
    betas = np.asarray(run.model.beta, dtype=float) if "model/beta" in run else None
    fig, axes = style.new_figure(3, 1, height_per_row=2.5, sharex=True)
    ax = axes[:, 0]
    continuum = _continuum_rate(run, g, tau)

    if "entropy_production" in g:
        ax[0].plot(g.t, g.entropy_production / tau, color="tab:red",
                   label=r"$\Sigma/\tau$ (entropy production)")
    if "mutual_information" in g:
        ax[0].plot(g.t, g.mutual_information / tau, color="tab:blue", ls="--",
                   label=r"$I(\rho_{SA}')/\tau$ (mutual information)")
    if "relative_entropy" in g:
        ax[0].plot(g.t, np.asarray(g.relative_entropy).sum(axis=-1) / tau, color="tab:green",
                   ls=":", label=r"$\sum_j S(\rho_A' \parallel \rho_A)/\tau$")
    if continuum is not None:
        ax[0].plot(continuum[0], continuum[1], color=style.BLACK, lw=1.0, ls="-.",
                   label=continuum[2])
    style.zero_line(ax[0])
    _zoom_past_transient(ax[0], g, tau, continuum)
    ax[0].set_ylabel(f"per collision / $\\tau$  {style.ENTROPY_RATE_UNIT}")
    ax[0].set_title(rf"$\Sigma = I + S(\rho_A' \parallel \rho_A) \geq 0$,  {_tau_label(tau)}")
    style.legend(ax[0], loc="best")

    names = run.species or ["all"]
    for k, name in enumerate(names):
        color = style.species_color(k)
        beta = betas[k] if betas is not None and k < len(betas) else np.nan
        if "work_coherent" in g and np.isfinite(beta):
            ax[1].plot(g.t, beta * _column(g.work_coherent, k) / tau, color=color,
                       label=rf"$\beta W_C/\tau$ {name}")
        if "delta_coherence" in g:
            ax[1].plot(g.t, -_column(g.delta_coherence, k) / tau, color=color, ls="--",
                       label=rf"$-\Delta C_A/\tau$ {name}")
        if "relative_entropy" in g:
            ax[1].plot(g.t, _column(g.relative_entropy, k) / tau, color=color, ls=":",
                       label=rf"$S(\rho_A' \parallel \rho_A)/\tau$ {name}")
    style.zero_line(ax[1])
    ax[1].set_ylabel(f"per collision / $\\tau$  {style.ENTROPY_RATE_UNIT}")
    ax[1].set_title(r"coherence bound (16): $\beta W_C \geq -\Delta C_A$;"
                    r"  (15): $S(\rho_A' \parallel \rho_A) = \beta W_C + \Delta C_A$")
    style.legend(ax[1], loc="best", ncol=min(3, len(names)))

    colors = style.sequence_colors(len(runs))
    for color, (tau_k, g_k) in zip(colors, runs):
        if "entropy_production" in g_k:
            ax[2].plot(g_k.t, g_k.entropy_production / tau_k, color=color,
                       label=_tau_label(tau_k))
    if continuum is not None:
        ax[2].plot(continuum[0], continuum[1], color=style.BLACK, lw=1.0, ls="-.",
                   label=continuum[2].split(" (")[0])
    style.zero_line(ax[2])
    _zoom_past_transient(ax[2], g, tau, continuum)
    ax[2].set_ylabel(rf"$\Sigma/\tau$  {style.ENTROPY_RATE_UNIT}")
    ax[2].set_title(r"$\Sigma/\tau \to \Pi$ as $\tau \to 0$")
    ax[2].set_xlabel(style.T_LABEL)
    style.legend(ax[2], loc="best", ncol=2)
    style.decorate(fig, run, "per-collision second law")
    return fig


def _zoom_past_transient(ax, g, tau, continuum):
    """Pi of a pure initial state diverges; keep the axis on the rest."""
    curves = [np.asarray(g.entropy_production) / tau] if "entropy_production" in g else []
    if continuum is not None and len(continuum[1]) == len(g.t):
        curves.append(continuum[1])
    if curves:
        style.robust_ylim(ax, g.t, curves)


def energy_figure(run, runs):
    tau, g = runs[-1]
    fig, axes = style.new_figure(2, 1, height_per_row=2.8, sharex=True)
    ax = axes[:, 0]
    for color, (tau_k, g_k) in zip(style.sequence_colors(len(runs)), runs):
        ax[0].plot(g_k.t, g_k.energy, color=color, label=_tau_label(tau_k))
    ax[0].set_ylabel(r"$\langle H_S\rangle$  [energy]")
    ax[0].set_title("system energy after each stroke")
    style.legend(ax[0], loc="best", ncol=2)

    for k, name in enumerate(run.species or ["all"]):
        color = style.species_color(k)
        for key, ls, label in (("work_coherent", "-", r"$W_C/\tau$"),
                               ("delta_energy", "--", r"$\Delta E_S/\tau$"),
                               ("heat_ancilla", ":", r"$Q_A/\tau$")):
            if key in g:
                ax[1].plot(g.t, _column(g[key], k) / tau, color=color, ls=ls,
                           label=f"{label} {name}")
    style.zero_line(ax[1])
    ax[1].set_ylabel(f"per collision / $\\tau$  {style.RATE_UNIT}")
    ax[1].set_title(rf"coherent work, system energy change and heat into the ancillas,"
                    rf" {_tau_label(tau)}")
    ax[1].set_xlabel(style.T_LABEL)
    style.legend(ax[1], loc="best", ncol=2)
    style.decorate(fig, run, r"finite-$\tau$ collisions: energy")
    return fig


def _column(values, k):
    values = np.asarray(values, dtype=float)
    return values[..., k] if values.ndim == 2 else values

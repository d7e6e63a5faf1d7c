"""Figures of /sweep: quantities against the swept deck key, and for an
evolve sweep each point's time evolution."""
import numpy as np

from . import style

CURRENTS = ("work_coherent", "heat_incoherent", "heat_ancilla")
ENTROPY = ("entropy_production", "entropy_production_ancilla")
ENTROPY_LABEL = {"entropy_production": r"$\Pi$", "entropy_production_ancilla": r"$\Pi_A$"}
MAX_EXTRA_PANELS = 12
MAX_LEGEND_POINTS = 12


def figures(run):
    """Yield (kind, figure) for /sweep."""
    sw = run.sweep
    if "values" not in sw:
        return
    if len(sw.sweep_axes()) > 1:  # grid or zip of several keys
        yield from grid_figures(run, sw)
        return
    x = np.asarray(sw["values"], dtype=float)
    quantities = {name: np.asarray(v) for name, v in sw.quantities().items()
                  if _numeric(v) and np.ndim(v) >= 1 and np.shape(v)[0] == len(x)}
    species_arrays = {n: sw[n] for n in CURRENTS if n in quantities}
    if species_arrays or any(n in quantities for n in ENTROPY):
        yield "sweep_currents", currents_figure(run, sw.key, x, quantities, species_arrays)
    if "machine/power" in quantities:
        regimes = sw["machine/regime"] if "machine/regime" in sw else []
        yield "sweep_machine", machine_figure(run, sw.key, x, quantities, regimes)
    extra = [n for n, v in quantities.items()
             if n not in CURRENTS and n not in ENTROPY and v.ndim == 1
             and not n.startswith(("machine/", "fluctuations/"))]
    if extra:
        yield "sweep_quantities", extra_figure(run, sw.key, x, quantities,
                                               extra[:MAX_EXTRA_PANELS])
    points = [(value, group) for value, group in sw.points() if "t" in group]
    if points and any("energy" in group for _, group in points):
        yield "sweep_evolution", evolution_figure(run, sw.key, points)


def _numeric(values):
    return np.asarray(values).dtype.kind in "fciub"


def _x_axis(ax, key, x):
    ax.set_xlabel(f"{key}")
    if len(x) <= 12:
        ax.set_xticks(x)
        ax.tick_params(axis="x", labelsize=7)


CURRENT_TITLE = {
    "work_coherent": r"coherent work $\dot W_C^j$",
    "heat_incoherent": r"incoherent heat $\dot Q_{\rm inc}^j$ (into the system)",
    "heat_ancilla": r"heat into the ancillas $\dot Q_A^j$",
}


def currents_figure(run, key, x, quantities, species_arrays):
    """One panel per quantity family (W_C, Q_inc, Q_A, entropy production),
    species as colours, legends beside the panels, a symlog axis where a
    small current sits next to large ones."""
    families = [n for n in CURRENTS if n in species_arrays]
    entropy = [n for n in ENTROPY if n in quantities]
    nrows = len(families) + (1 if entropy else 0)
    fig, axes = style.new_figure(nrows, 1, width=9.0, height_per_row=2.3, sharex=True)
    ax = axes[:, 0]
    order = np.argsort(x)
    names = run.species or ["all"]
    for row, name in enumerate(families):
        values = np.asarray(species_arrays[name], dtype=float)
        curves = []
        for k, species in enumerate(names):
            column = values[:, k] if values.ndim == 2 else values
            curves.append(column)
            ax[row].plot(x[order], column[order], marker="o", ms=3,
                         color=style.species_color(k), label=species)
        if name == "heat_ancilla":
            for extra in ("work_switching", "dEdt"):
                if extra in quantities and quantities[extra].ndim == 1:
                    label = r"$\dot W_{\rm sw}$" if extra == "work_switching" else r"$dE/dt$"
                    ax[row].plot(x[order], np.real(quantities[extra][order]), color=style.GREY,
                                 marker=".", label=label)
        style.zero_line(ax[row])
        style.auto_symlog(ax[row], curves)
        ax[row].set_ylabel(f"{style.QUANTITY_LABEL[name]}  {style.RATE_UNIT}")
        ax[row].set_title(CURRENT_TITLE[name] + " per species")
        style.legend_outside(ax[row], title="species" if row == 0 else None)
    if entropy:
        a = ax[-1]
        for k, name in enumerate(entropy):
            a.plot(x[order], np.real(quantities[name][order]), marker="o", ms=3,
                   color=("tab:red", "tab:blue")[k], ls=("-", "--")[k], label=ENTROPY_LABEL[name])
        style.zero_line(a)
        a.set_ylabel(f"entropy production  {style.ENTROPY_RATE_UNIT}")
        a.set_title("entropy production")
        style.legend_outside(a)
    _x_axis(ax[-1], key, x)
    style.decorate(fig, run, f"sweep over {key} ({len(x)} points)")
    return fig


REGIME_COLOR = {"engine": "tab:green", "refrigerator": "tab:blue", "accelerator": "tab:orange",
                "heater": "tab:red", "none": "white"}


def _regime_background(ax, x, regimes):
    """Shade each point's stretch of the x axis by its machine regime."""
    order = np.argsort(x)
    xs, rs = x[order], [regimes[k] for k in order]
    edges = np.concatenate(([xs[0]], (xs[1:] + xs[:-1]) / 2, [xs[-1]]))
    for k, regime in enumerate(rs):
        if REGIME_COLOR.get(regime, "white") != "white":
            ax.axvspan(edges[k], edges[k + 1], color=REGIME_COLOR[regime], alpha=0.12, lw=0)


def machine_figure(run, key, x, quantities, regimes):
    """Power, efficiency (with Carnot) and the TUR ratio, regimes as background."""
    regimes = [r.decode() if isinstance(r, bytes) else str(r) for r in np.atleast_1d(regimes)]
    tur = quantities.get("fluctuations/tur_ratio")
    nrows = 3 if tur is not None else 2
    fig, axes = style.new_figure(nrows, 1, height_per_row=2.4, sharex=True)
    ax = axes[:, 0]
    order = np.argsort(x)
    power = np.asarray(quantities["machine/power"], dtype=float)
    ax[0].plot(x[order], power[order], marker="o", ms=3, color="black", label="power")
    style.zero_line(ax[0])
    ax[0].set_ylabel(f"power  {style.RATE_UNIT}")
    ax[0].set_title(r"power $-\sum_j \dot W_C^j$ delivered by the system")
    for name, label, color in (("machine/efficiency", "efficiency", "tab:green"),
                               ("machine/cop", "COP", "tab:blue"),
                               ("machine/carnot_efficiency", "Carnot", style.GREY)):
        if name in quantities:
            v = np.asarray(quantities[name], dtype=float)
            if np.isfinite(v).any():
                ax[1].plot(x[order], v[order], marker="o", ms=3, color=color, label=label,
                           ls="--" if label == "Carnot" else "-")
    ax[1].set_ylabel("efficiency / COP")
    ax[1].set_title("efficiency (engine), COP (refrigerator) and Carnot's bound")
    style.legend(ax[1], loc="best")
    if tur is not None:
        tur = np.asarray(tur, dtype=float)
        names = run.species or ["all"]
        for k in range(tur.shape[1] if tur.ndim == 2 else 1):
            column = tur[:, k] if tur.ndim == 2 else tur
            ax[2].plot(x[order], column[order], marker="o", ms=3, color=style.species_color(k),
                       label=names[k] if k < len(names) else str(k))
        ax[2].axhline(2.0, color=style.GREY, ls=":", label="2 (classical bound)")
        ax[2].set_ylabel("TUR ratio")
        ax[2].set_title(r"thermodynamic uncertainty ratio $\mathrm{var}(Q_j)\,\Pi / \langle Q_j\rangle^2$")
        style.legend(ax[2], loc="best", fontsize=7)
    if len(regimes) == len(x):
        for a in ax:
            _regime_background(a, x, regimes)
        seen = [r for r in REGIME_COLOR if r in regimes and r != "none"]
        ax[0].set_title(ax[0].get_title() + ("  (background: " + ", ".join(seen) + ")"
                                             if seen else ""))
    _x_axis(ax[-1], key, x)
    style.decorate(fig, run, f"the steady state as a machine, over {key}")
    return fig


def extra_figure(run, key, x, quantities, names):
    ncols = 1 if len(names) == 1 else 2
    nrows = -(-len(names) // ncols)
    fig, axes = style.new_figure(nrows, ncols, height_per_row=2.4, sharex=True)
    order = np.argsort(x)
    for k, name in enumerate(names):
        a = axes.flat[k]
        values = quantities[name]
        a.plot(x[order], np.real(values[order]), marker="o", ms=3, color=style.species_color(k))
        if np.iscomplexobj(values) and np.abs(values.imag).max() > 1e-10:
            a.plot(x[order], values.imag[order], marker="o", ms=3, ls="--",
                   color=style.species_color(k), label="Im")
            style.legend(a)
        a.set_title(name)
    for a in axes[-1]:
        _x_axis(a, key, x)
    for a in list(axes.flat)[len(names):]:
        a.set_visible(False)
    style.decorate(fig, run, f"sweep over {key}: other quantities")
    return fig


def evolution_figure(run, key, points):
    """Energy, the total energy current and Pi against t, one line per point."""
    panels = [("energy", r"$\langle H_S\rangle$  [energy]", "system energy")]
    if any("work_coherent" in g and "heat_incoherent" in g for _, g in points):
        panels.append(("currents", f"rate  {style.RATE_UNIT}",
                       r"total coherent work $\sum_j \dot W_C^j$ (solid) and incoherent heat"
                       r" $\sum_j \dot Q_{\rm inc}^j$ (dashed)"))
    if any("entropy_production" in g for _, g in points):
        panels.append(("entropy_production", f"{style.ENTROPY_RATE_UNIT}",
                       r"entropy production $\Pi$"))
    fig, axes = style.new_figure(len(panels), 1, height_per_row=2.4, sharex=True)
    ax = axes[:, 0]
    order = sorted(range(len(points)), key=lambda k: points[k][0])
    colors = style.sequence_colors(len(points))
    for rank, k in enumerate(order):
        value, group = points[k]
        t = np.asarray(group["t"], dtype=float)
        label = f"{style.format_value(value)}" if len(points) <= MAX_LEGEND_POINTS else None
        for row, (name, _, _) in enumerate(panels):
            if name == "currents":
                if "work_coherent" in group and "heat_incoherent" in group:
                    work = np.asarray(group["work_coherent"], dtype=float).sum(axis=-1)
                    heat = np.asarray(group["heat_incoherent"], dtype=float).sum(axis=-1)
                    ax[row].plot(t, work, color=colors[rank], label=label)
                    ax[row].plot(t, heat, color=colors[rank], ls="--")
            elif name in group:
                ax[row].plot(t, np.real(np.asarray(group[name])), color=colors[rank],
                             label=label)
    times = [np.asarray(group["t"], dtype=float) for _, group in points]
    same_t = all(t.shape == times[0].shape and np.allclose(t, times[0]) for t in times)
    for row, (name, ylabel, title) in enumerate(panels):
        if name == "entropy_production" and same_t:  # Pi of a pure initial state is huge
            style.robust_ylim(ax[row], times[0], [np.real(np.asarray(g[name]))
                                                  for _, g in points if name in g])
        if name != "energy":
            style.zero_line(ax[row])
        ax[row].set_ylabel(ylabel)
        ax[row].set_title(title)
    style.legend(ax[0], title=key, fontsize=7, ncol=2, loc="best")
    ax[-1].set_xlabel(style.T_LABEL)
    style.decorate(fig, run, f"time evolution at each of the {len(points)} points of {key}")
    return fig


GRID_MAPS = ("energy", "heat_incoherent", "entropy_production", "machine/power",
             "machine/efficiency", "fluctuations/tur_ratio")


def grid_figures(run, sw):
    """A sweep of several keys: for a complete grid of two keys, maps of the
    main quantities over the two axes (per species for per-species ones);
    otherwise (zip, or more axes) the quantities against the point index."""
    axes = sw.sweep_axes()
    quantities = {n: np.asarray(v) for n, v in sw.quantities().items() if _numeric(v)}
    names = [n for n in GRID_MAPS if n in quantities]
    if len(axes) == 2 and sw.mode == "grid" and names:
        (ykey, yv), (xkey, xv) = axes
        panels = []
        for name in names:
            data = np.real(sw.grid(name)).astype(float)
            if data.ndim == 3:
                for k, species in enumerate(run.species or range(data.shape[2])):
                    panels.append((f"{name} ({species})", data[:, :, k]))
            else:
                panels.append((name, data))
        ncols = 2
        nrows = -(-len(panels) // ncols)
        fig, grid = style.new_figure(nrows, ncols, height_per_row=2.8)
        for a, (title, data) in zip(grid.flat, panels):
            mesh = a.pcolormesh(_edges(xv), _edges(yv), data, shading="flat", cmap="viridis")
            fig.colorbar(mesh, ax=a)
            if "power" in title and np.nanmin(data) < 0 < np.nanmax(data):
                a.contour(xv, yv, data, levels=[0.0], colors="white", linewidths=1.0)
            a.set_title(title, fontsize=9)
            a.set_xlabel(xkey, fontsize=8)
            a.set_ylabel(ykey, fontsize=8)
        for a in list(grid.flat)[len(panels):]:
            a.set_visible(False)
        style.decorate(fig, run, f"grid sweep over {ykey} x {xkey} ({len(yv)} x {len(xv)} points)")
        yield "sweep_grid", fig
        if "machine/regime" in sw and "machine/power" in quantities:
            yield "sweep_regime", regime_map_figure(run, sw, (ykey, yv), (xkey, xv))
        return
    index = np.arange(len(np.atleast_1d(sw["values"])))
    one_d = [n for n, v in quantities.items() if v.ndim == 1 and len(v) == len(index)
             and n != "index"][:MAX_EXTRA_PANELS]
    if one_d:
        label = " / ".join(key for key, _ in axes)
        yield "sweep_quantities", extra_figure(run, f"point ({label})", index.astype(float),
                                               quantities, one_d)


REGIME_ORDER = ("engine", "refrigerator", "accelerator", "heater", "none")


def regime_map_figure(run, sw, yaxis, xaxis):
    """The machine's regime at every point of a two-key grid as colours, with
    contours of the power (power = 0, the engine's boundary, drawn thick)."""
    import matplotlib.colors as mcolors
    from matplotlib.patches import Patch
    (ykey, yv), (xkey, xv) = yaxis, xaxis
    text = [r.decode() if isinstance(r, bytes) else str(r)
            for r in np.atleast_1d(sw["machine/regime"])]
    regimes = np.asarray(text).reshape(len(yv), len(xv))
    present = [r for r in REGIME_ORDER if r in regimes] + \
        sorted({r for r in text if r not in REGIME_ORDER})
    codes = np.vectorize(present.index)(regimes).astype(float)
    colors = [REGIME_COLOR.get(r, "0.8") if r != "none" else "0.92" for r in present]
    cmap = mcolors.ListedColormap(colors)
    norm = mcolors.BoundaryNorm(np.arange(len(present) + 1) - 0.5, len(present))
    fig, axes = style.new_figure(1, 1, width=8.0, height_per_row=4.2)
    ax = axes[0, 0]
    ax.pcolormesh(_edges(xv), _edges(yv), codes, shading="flat", cmap=cmap, norm=norm)
    power = np.real(sw.grid("machine/power")).astype(float)
    if len(xv) > 1 and len(yv) > 1 and np.isfinite(power).all() and np.ptp(power) > 0:
        lines = ax.contour(xv, yv, power, levels=6, colors="0.25", linewidths=0.7)
        ax.clabel(lines, fontsize=7, fmt="%.2g")
        if power.min() < 0 < power.max():
            ax.contour(xv, yv, power, levels=[0.0], colors="black", linewidths=2.0)
    ax.set_xlabel(xkey)
    ax.set_ylabel(ykey)
    ax.grid(False)
    ax.set_title("regime of the steady state as a machine; contours: power "
                 f"{style.RATE_UNIT} (thick: power = 0)")
    handles = [Patch(facecolor=c, edgecolor="0.3", label=r) for r, c in zip(present, colors)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              title="regime", fontsize=8)
    style.decorate(fig, run, f"machine regimes over {ykey} x {xkey}")
    return fig


def _edges(values):
    """Cell edges around sorted axis values (for pcolormesh)."""
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate(([v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]))


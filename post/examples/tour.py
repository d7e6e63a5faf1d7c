#!/usr/bin/python3
"""The README's five-minute tour from Python: qcoll_post.run and open_dataset.

    PYTHONPATH=post post/examples/tour.py [--ranks 2] [--figures DIR]

(or with the package installed: python tour.py). Each step runs qcoll as the
README does from the shell, gets the results back as an xarray.Dataset and
prints the numbers the README talks about. Run it from anywhere: decks are
taken from the source tree's inputs/ (or --inputs DIR), outputs go to the
current directory.
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the qcoll_post next to it, if not installed

import numpy as np  # noqa: E402

import qcoll_post as qp  # noqa: E402


def step(title):
    print(f"\n=== {title}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ranks", type=int, default=2, help="MPI ranks (default 2)")
    parser.add_argument("--inputs", default=os.path.join(HERE, os.pardir, os.pardir, "inputs"),
                        help="the example decks (default: the source tree's inputs/)")
    parser.add_argument("--figures", help="also draw the figures (qcoll-plot) into DIR")
    args = parser.parse_args(argv)
    deck = lambda name: os.path.join(args.inputs, name)  # noqa: E731
    quiet = dict(progress=False, overwrite=True)

    step("3. Change a parameter: the qubit with lambda = 0.5")
    ev = qp.run(deck("qubit.toml"), task="evolve", ranks=args.ranks, output="strong.h5",
                set={"species.bath.lambda": 0.5}, **quiet)
    residual = ev.dEdt - ev.work_coherent.sum("species") - ev.heat_incoherent.sum("species")
    print(f"t = 0 ... {float(ev.t[-1])}: <H_S> from {float(ev.energy[0]):.4f} to "
          f"{float(ev.energy[-1]):.4f}; first law holds to {float(abs(residual).max()):.1e}")

    step("4. Finite tau: the collisional map converges with order 1")
    co = qp.run(deck("qubit.toml"), task="collide", ranks=args.ranks, output="collide.h5", **quiet)
    for tau, dist in zip(co.tau.values, co.final_distance.values):
        print(f"tau = {tau:<7g} ||rho_tau - rho_ME||_1 = {dist:.3e}")
    print(f"fitted order: {co.attrs['collide.order_final_distance']:.3f}")

    step("5. A sweep of lambda: coherent work grows as lambda^2, dissipated as heat")
    sw = qp.run(deck("qubit.toml"), task="steady", ranks=args.ranks, output="sweep.h5",
                set={"sweep": {"key": "species.bath.lambda",
                               "values": [0.0, 0.2, 0.4, 0.6, 0.8]}}, **quiet)
    lam = sw["species.bath.lambda"]
    work = sw.work_coherent.sel(species="bath")
    beta = float(qp.load("sweep.h5").deck["species"][0]["beta"])
    for value, w, pi in zip(lam.values, work.values, sw.entropy_production.values):
        print(f"lambda = {value:.1f}: Wdot_C = {w:.3e}, Pi = {pi:.3e} (beta Wdot_C = {beta * w:.3e})")
    print("grid: the engine over the drive's lambda and the hot bath's beta")
    grid = qp.run(deck("coherent_engine.toml"), task="steady", ranks=args.ranks,
                  output="engine_map.h5", **quiet,
                  set={"sweep": {"axis": [
                      {"key": "species.drive.lambda", "values": [0.0, 0.5, 1.0, 1.5, 2.0]},
                      {"key": "species.hot.beta", "start": 0.2, "stop": 2.2, "count": 6}]}})
    power = grid["machine.power"]  # dims: the two swept keys
    best = power.where(power == power.max(), drop=True)
    at = ", ".join(f"{d} = {float(best[d][0]):g}" for d in power.dims)
    print(f"power on the {' x '.join(map(str, power.shape))} grid: largest "
          f"{float(power.max()):.3e} at {at}; engine at "
          f"{int((grid['machine.regime'] == 'engine').sum())} of {power.size} points")

    step("6. A machine and its fluctuations")
    eng = qp.run(deck("coherent_engine.toml"), task="steady", ranks=args.ranks,
                 output="engine.h5", **quiet)
    for lam_value, p, regime in zip(eng["species.drive.lambda"].values,
                                    eng["machine.power"].values, eng["machine.regime"].values):
        print(f"lambda = {lam_value:.2f}: power {p:.3e}, regime {regime}")
    print(f"smallest TUR ratio: {float(eng['fluctuations.tur_ratio'].min()):.3f} (>= 2)")

    step("7. Scan the chain length: the spin current hardly changes with N")
    ch = qp.run(deck("chain_length_scan.toml"), task="steady", ranks=args.ranks,
                output="chain_length_scan.h5", **quiet)
    for n, current in zip(ch["params.N"].values, ch["observables.current_last"].values):
        print(f"N = {int(n)}: current through the last bond {current.real:.4f}")

    if args.figures:
        from qcoll_post.plot import main as plot
        plot([f for f in ("strong.h5", "collide.h5", "sweep.h5", "engine_map.h5", "engine.h5",
                          "chain_length_scan.h5")] + ["-o", args.figures])
        print(f"\nfigures in {args.figures}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())

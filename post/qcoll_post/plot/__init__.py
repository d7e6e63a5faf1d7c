"""qcoll-plot: the figures suited to what a qcoll HDF5 file holds.

    qcoll-plot FILE.h5 [FILE.h5 ...] [-o DIR] [--format png|pdf|svg] [--dpi N]

or ``python3 -m qcoll_post.plot``. Figures are named ``<stem>_<kind>.<format>``
and written next to the input file unless -o gives a directory; the paths
written are printed, one per line.
"""
import argparse
import os
import sys

from ..loader import load
from . import collide, evolve, steady, style, sweep

# (top-level group, generator of (kind, figure)) in the order figures are made.
PLOTTERS = (
    ("evolve", evolve.figures),
    ("steady", steady.figures),
    ("spectrum", steady.spectrum_figures),
    ("collide", collide.figures),
    ("sweep", sweep.figures),
)


def plot_run(run, outdir=None, fmt="png", dpi=None):
    """Write every figure for `run` (a Run or a path); return the paths written."""
    if not hasattr(run, "groups"):
        run = load(run)
    outdir = outdir or os.path.dirname(os.path.abspath(run.path))
    os.makedirs(outdir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(run.path))[0]
    written = []
    with style.plt.rc_context(style.RC):
        for group, make in PLOTTERS:
            if group not in run.groups:
                continue
            for kind, fig in make(run):
                path = os.path.join(outdir, f"{stem}_{kind}.{fmt}")
                written.append(style.save(fig, path, dpi=dpi))
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="qcoll-plot",
        description="Plot the contents of qcoll HDF5 output files (evolve, steady, "
                    "spectrum, collide, sweep groups).")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="qcoll output file(s)")
    parser.add_argument("-o", "--output-dir", metavar="DIR",
                        help="directory for the figures (default: next to each file)")
    parser.add_argument("--format", default="png", choices=("png", "pdf", "svg"),
                        help="image format (default: png)")
    parser.add_argument("--dpi", type=int, default=None, help="resolution (default: 150)")
    args = parser.parse_args(argv)
    status = 0
    for path in args.files:
        try:
            run = load(path)
        except (OSError, KeyError, ValueError) as err:
            print(f"qcoll-plot: error: cannot read {path}: {err}", file=sys.stderr)
            status = 1
            continue
        written = plot_run(run, args.output_dir, args.format, args.dpi)
        if not written:
            print(f"qcoll-plot: {path}: nothing to plot (groups: {', '.join(run.groups)})",
                  file=sys.stderr)
        for out in written:
            print(out)
    return status

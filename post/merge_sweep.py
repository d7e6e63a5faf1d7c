#!/usr/bin/python3
"""Merge the files of `qcoll ... --sweep-index K` runs into one sweep file.

    python3 post/merge_sweep.py -o maser_sweep.h5 maser.sweep*.h5

Each input holds one or more points of the same [sweep] (attributes key, task
and count of /sweep agree). The output has the layout of a run that solved
all points at once: root attributes and /model of the first input,
/sweep/values and /sweep/index in point order, every per-point table
/sweep/<quantity>[npoints, ...] concatenated along its first axis, and each
point's group /sweep/<k>/ copied unchanged. Points missing from the inputs are
reported; the output is then marked complete = 0. A point given twice is an
error.

Needs h5py and NumPy (Debian: python3-h5py).
"""
import argparse
import sys

import h5py
import numpy as np

# Attributes that tie datasets to dimension scales hold object references
# into their own file; they are rebuilt, not copied.
SCALE_ATTRIBUTES = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "DIMENSION_LABELS"}


class MergeError(Exception):
    pass


def copy_attributes(src, dst):
    for name, value in src.attrs.items():
        if name not in SCALE_ATTRIBUTES:
            dst.attrs[name] = value


def copy_tree(src, dst):
    """Copies the datasets and groups under `src` into the group `dst`."""
    copy_attributes(src, dst)
    for name, item in src.items():
        if isinstance(item, h5py.Group):
            copy_tree(item, dst.require_group(name))
        else:
            out = dst.create_dataset(name, data=item[()])
            copy_attributes(item, out)


def table_names(sweep):
    """Paths (relative to /sweep) of the per-point tables of a sweep group."""
    names = []
    for name, item in sweep.items():
        if name in ("values", "index") or name.isdigit():
            continue
        if isinstance(item, h5py.Dataset):
            names.append(name)
        else:
            names.extend(name + "/" + sub for sub, d in item.items() if isinstance(d, h5py.Dataset))
    return sorted(names)


def read_points(paths):
    """[(index, value, file, row)] over all inputs, sorted by index."""
    points, first = [], None
    for path in paths:
        f = h5py.File(path, "r")
        if "sweep" not in f:
            raise MergeError(f"{path} has no /sweep group (not a sweep run)")
        sweep = f["sweep"]
        signature = tuple(str(sweep.attrs.get(k)) for k in ("key", "task", "count"))
        if first is None:
            first = (path, signature, table_names(sweep))
        elif signature != first[1]:
            raise MergeError(
                f"{path} is from another sweep: key/task/count {signature} "
                f"!= {first[1]} in {first[0]}")
        elif table_names(sweep) != first[2]:
            raise MergeError(f"{path} has other tables than {first[0]}")
        for row, (index, value) in enumerate(zip(sweep["index"][()], sweep["values"][()])):
            points.append((int(index), float(value), f, row))
    points.sort(key=lambda p: p[0])
    for a, b in zip(points, points[1:]):
        if a[0] == b[0]:
            raise MergeError(
                f"point {a[0]} is in both {a[2].filename} and {b[2].filename}")
    return points, first[2]


def stack_padded(rows):
    """Stacks rows; rows of different lengths (eigenvalues of files run with
    different -spectrum_eps_nev) are NaN-padded to the longest."""
    if rows[0].ndim == 0 or len({r.shape for r in rows}) == 1:
        return np.stack(rows)
    width = max(r.shape[0] for r in rows)
    out = np.full((len(rows), width) + rows[0].shape[1:], np.nan, dtype=rows[0].dtype)
    for k, r in enumerate(rows):
        out[k, : r.shape[0]] = r
    return out


def attach_scales(out, tables):
    sweep = out["sweep"]
    values = sweep["values"]
    values.make_scale("values")
    species = out.get("model/species_names")
    if species is not None:
        species.make_scale("species")
    for name in tables:
        ds = sweep[name]
        ds.dims[0].attach_scale(values)
        ds.dims[0].label = "values"
        if ds.ndim == 2 and species is not None and ds.shape[1] == species.shape[0] \
                and name.split("/")[-1] in ("work_coherent", "heat_incoherent", "heat_ancilla"):
            ds.dims[1].attach_scale(species)
            ds.dims[1].label = "species"


def merge(paths, output):
    points, tables = read_points(paths)
    head = points[0][2]
    count = int(head["sweep"].attrs["count"])
    missing = sorted(set(range(count)) - {p[0] for p in points})
    with h5py.File(output, "w") as out:
        copy_attributes(head, out)
        out.attrs["merged_from"] = ",".join(paths)
        if "model" in head:
            copy_tree(head["model"], out.require_group("model"))
        sweep = out.require_group("sweep")
        copy_attributes(head["sweep"], sweep)
        if "sweep_index" in sweep.attrs:
            del sweep.attrs["sweep_index"]
        sweep.create_dataset("values", data=np.array([p[1] for p in points]))
        sweep.create_dataset("index", data=np.array([p[0] for p in points], dtype=np.int64))
        for name in ("values", "index"):
            copy_attributes(head["sweep"][name], sweep[name])
        for name in tables:
            rows = [np.asarray(p[2]["sweep"][name][p[3]]) for p in points]
            ds = sweep.create_dataset(name, data=stack_padded(rows))
            copy_attributes(head["sweep"][name], ds)
        for index, _, f, _ in points:
            copy_tree(f["sweep"][str(index)], sweep.require_group(str(index)))
        attach_scales(out, tables)
        complete = not missing and all(bool(p[2].attrs.get("complete", 0)) for p in points)
        out.attrs["complete"] = np.uint8(complete)
    for f in {p[2] for p in points}:
        f.close()
    return len(points), missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="files of --sweep-index runs")
    parser.add_argument("-o", "--output", required=True, help="merged HDF5 file")
    args = parser.parse_args(argv)
    try:
        n, missing = merge(args.inputs, args.output)
    except (MergeError, OSError, KeyError) as e:
        print(f"merge_sweep: error: {e}", file=sys.stderr)
        return 1
    print(f"merge_sweep: {n} point(s) -> {args.output}")
    if missing:
        print(f"merge_sweep: warning: points {missing} are missing; output marked incomplete",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

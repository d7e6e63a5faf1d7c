"""Merge the files of `qcoll ... --sweep-index K` runs into one sweep file.

    qcoll-merge -o maser_sweep.h5 maser.sweep*.h5     (post/qcoll-merge in the source tree)

Each input holds one or more points of the same [sweep] (attributes key, task
and count of /sweep agree) of any sweep task (evolve, steady, spectrum). The
output has the layout of a run that solved all points at once: root
attributes and /model of the first input, /sweep/values and /sweep/index in
point order, every per-point table /sweep/<quantity>[npoints, ...]
concatenated along its first axis, and each point's group /sweep/<k>/ (for
evolve sweeps the point's whole time evolution) copied unchanged. Dimension
scales and axis labels are rebuilt as the inputs have them (/sweep/values,
/model/species_names, each evolve point's /sweep/<k>/t). Points missing from
the inputs are reported; the output is then marked complete = 0. A point
given twice is an error.

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
        if name in ("values", "index", "axes") or name.isdigit():
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
        if "index" not in sweep or "values" not in sweep:
            raise MergeError(f"{path} has no /sweep/index: its run did not finish "
                             "(continue it with qcoll ... --restart)")
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


def _scale_name(ds):
    name = ds.attrs.get("NAME", b"")
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def _is_scale(ds):
    return bool(h5py.h5ds.is_scale(ds.id))


def copy_dataset_dimensions(ds, target):
    """Gives the output dataset `target` the axis labels and dimension scales
    of the input dataset `ds`. A scale is found in the output by its path in
    the input (both files have the same layout) and made a scale there, with
    the input's scale name, if it is not one yet."""
    out = target.file
    if _is_scale(ds) and not _is_scale(target):
        target.make_scale(_scale_name(ds))
    for axis, dim in enumerate(ds.dims):
        if dim.label:
            target.dims[axis].label = dim.label
        for scale in dim.values():
            if scale.name not in out:
                continue
            out_scale = out[scale.name]
            if not _is_scale(out_scale):
                out_scale.make_scale(_scale_name(scale))
            target.dims[axis].attach_scale(out_scale)


def copy_dimensions(src, dst):
    """copy_dataset_dimensions for every dataset under the group `src`."""
    datasets = []
    src.visititems(lambda name, obj: datasets.append((name, obj))
                   if isinstance(obj, h5py.Dataset) else None)
    for name, ds in datasets:
        if name in dst:
            copy_dataset_dimensions(ds, dst[name])


def merge(paths, output):
    points, tables = read_points(paths)
    head = points[0][2]
    count = int(head["sweep"].attrs["count"])
    missing = sorted(set(range(count)) - {p[0] for p in points})
    with h5py.File(output, "w") as out:
        copy_attributes(head, out)
        out.attrs["merged_from"] = ",".join(paths)
        for name in ("model", "result_fields"):
            if name in head:
                copy_tree(head[name], out.require_group(name))
        sweep = out.require_group("sweep")
        copy_attributes(head["sweep"], sweep)
        if "axes" in head["sweep"]:  # a grid's axes: the same in every part
            copy_tree(head["sweep"]["axes"], sweep.require_group("axes"))
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
        if "model" in head:
            copy_dimensions(head["model"], out["model"])
        for name in ("values", "index", *tables):
            copy_dataset_dimensions(head["sweep"][name], sweep[name])
        for index, _, f, _ in points:
            copy_dimensions(f["sweep"][str(index)], sweep[str(index)])
        complete = not missing and all(bool(p[2].attrs.get("complete", 0)) for p in points)
        out.attrs["complete"] = np.uint8(complete)
    for f in {p[2] for p in points}:
        f.close()
    return len(points), missing


def main(argv=None):
    parser = argparse.ArgumentParser(prog="qcoll-merge", description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="+", help="files of --sweep-index runs")
    parser.add_argument("-o", "--output", required=True, help="merged HDF5 file")
    args = parser.parse_args(argv)
    try:
        n, missing = merge(args.inputs, args.output)
    except (MergeError, OSError, KeyError) as e:
        print(f"qcoll-merge: error: {e}", file=sys.stderr)
        return 1
    print(f"qcoll-merge: {n} point(s) -> {args.output}")
    if missing:
        print(f"qcoll-merge: warning: points {missing} are missing; output marked incomplete",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

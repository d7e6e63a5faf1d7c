"""post/qcoll-merge (qcoll_post.merge) on the files of `--sweep-index` runs of the binary: the
merged file equals the one-command sweep, datasets, attributes, axis labels
and dimension scales (evolve and steady sweeps); bad inputs are refused."""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from helpers import POST_DIR, deck_path, run_qcoll

MERGE = os.path.join(POST_DIR, "qcoll-merge")
# Attributes that differ between two runs by nature (time, free memory).
VOLATILE = {"created", "merged_from", "wall_seconds", "method_reason"}
# Attributes HDF5 uses for dimension scales; compared through h5py's dims.
SCALE_ATTRIBUTES = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "DIMENSION_LABELS"}


def merge(output, *inputs):
    return subprocess.run([sys.executable, MERGE, "-o", str(output), *map(str, inputs)],
                          capture_output=True, text=True, timeout=120)


def _attrs(obj):
    return {k: v for k, v in obj.attrs.items() if k not in VOLATILE | SCALE_ATTRIBUTES}


def describe(path):
    """{object path: description} of everything in the file."""
    out = {}
    with h5py.File(path, "r") as f:
        out["/"] = {"attrs": _attrs(f)}

        def visit(name, obj):
            entry = {"attrs": _attrs(obj)}
            if isinstance(obj, h5py.Dataset):
                entry["data"] = obj[()]
                entry["is_scale"] = bool(h5py.h5ds.is_scale(obj.id))
                entry["labels"] = tuple(d.label for d in obj.dims)
                entry["scales"] = tuple(tuple(s.name for s in d.values()) for d in obj.dims)
            out[name] = entry
        f.visititems(visit)
    return out


def assert_same_value(a, b, where):
    """Equal; floating-point data (two runs of the same point) to 1e-12."""
    if isinstance(a, (np.ndarray, np.number)) and np.asarray(a).dtype.kind in "fc":
        assert np.shape(a) == np.shape(b), where
        assert np.allclose(a, b, rtol=0, atol=1e-12, equal_nan=True), where
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), where
    else:
        assert a == b, where


def assert_same_file(expected, actual):
    a, b = describe(expected), describe(actual)
    assert sorted(a) == sorted(b)
    for name, entry in a.items():
        other = b[name]
        assert sorted(entry["attrs"]) == sorted(other["attrs"]), f"attributes of {name}"
        for key, value in entry["attrs"].items():
            assert_same_value(value, other["attrs"][key], f"{name} attribute {key}")
        if "data" in entry:
            for key in ("is_scale", "labels", "scales"):
                assert entry[key] == other[key], f"{key} of {name}"
            assert_same_value(entry["data"], other["data"], name)
    return a


def test_merged_parts_equal_the_one_command_sweep(sweep_files, tmp_path):
    task, files = sweep_files
    merged = tmp_path / "merged.h5"
    proc = merge(merged, *files["parts"])
    assert proc.returncode == 0, proc.stderr
    assert "3 point(s)" in proc.stdout
    described = assert_same_file(files["full"], merged)
    # What was compared includes the per-point groups and their axes.
    assert described["sweep/1"]["attrs"]["value"] == pytest.approx(0.3)
    assert described["sweep/work_coherent"]["labels"] == ("values", "species")
    assert described["sweep/work_coherent"]["scales"] == (("/sweep/values",),
                                                          ("/model/species_names",))
    if task == "evolve":
        assert described["sweep/2"]["attrs"]["complete"] == 1
        assert described["sweep/2/heat_incoherent"]["labels"] == ("t", "species")
        assert described["sweep/2/heat_incoherent"]["scales"] == (("/sweep/2/t",),
                                                                  ("/model/species_names",))
        assert described["sweep/2/t"]["is_scale"]
        assert described["sweep/0/rho"]["data"].shape == (2, 4)
        assert described["sweep/t_final"]["data"] == pytest.approx([1.0] * 3)
    with h5py.File(merged, "r") as f:
        assert f.attrs["complete"] == 1
        assert "sweep_index" not in f["sweep"].attrs


def test_missing_points_leave_the_merge_incomplete(evolve_sweep_files, tmp_path):
    merged = tmp_path / "two.h5"
    proc = merge(merged, *evolve_sweep_files["parts"][:2])
    assert proc.returncode == 0, proc.stderr
    assert "points [1] are missing" in proc.stderr
    with h5py.File(merged, "r") as f:
        assert list(f["sweep/index"][()]) == [0, 2]
        assert f["sweep/energy"].shape == (2,)
        assert f.attrs["complete"] == 0


def test_inputs_that_do_not_belong_together_are_refused(evolve_sweep_files,
                                                        steady_sweep_files, tmp_path):
    part = evolve_sweep_files["parts"][0]
    other_task = merge(tmp_path / "a.h5", part, steady_sweep_files["parts"][1])
    assert other_task.returncode == 1 and "another sweep" in other_task.stderr
    twice = merge(tmp_path / "b.h5", part, part)
    assert twice.returncode == 1 and "is in both" in twice.stderr
    unfinished = tmp_path / "unfinished.h5"
    shutil.copy(part, unfinished)
    with h5py.File(unfinished, "a") as f:  # what a stopped evolve sweep leaves
        for name in list(f["sweep"]):
            if not name.isdigit():
                del f["sweep"][name]
    stopped = merge(tmp_path / "c.h5", unfinished)
    assert stopped.returncode == 1 and "did not finish" in stopped.stderr


GRID = """
[sweep]
mode = "grid"
[[sweep.axis]]
key = "species.bath.lambda"
values = [0.0, 0.3]
[[sweep.axis]]
key = "species.bath.beta"
values = [0.5, 1.0, 2.0]
"""


def test_grid_sweep_parts_merge_and_reshape(qcoll_binary, tmp_path):
    """A 2 x 3 grid run point by point (--sweep-index) merges into the file
    one command writes; qcoll_post reshapes its tables to the grid and
    qcoll-plot draws the maps."""
    import qcoll_post as qp
    from qcoll_post.plot import plot_run
    deck = tmp_path / "grid.toml"
    deck.write_text(open(deck_path("qubit.toml")).read() + GRID)
    full = run_qcoll(qcoll_binary, "steady", deck, tmp_path / "full.h5")
    parts = [run_qcoll(qcoll_binary, "steady", deck, tmp_path / f"part{k}.h5",
                       "--sweep-index", str(k)) for k in range(6)]
    merged = tmp_path / "merged.h5"
    proc = merge(merged, *parts)
    assert proc.returncode == 0, proc.stderr
    a, b = qp.load(full).sweep, qp.load(merged).sweep
    for sw in (a, b):
        assert sw.mode == "grid"
        assert [key for key, _ in sw.sweep_axes()] == ["species.bath.lambda", "species.bath.beta"]
        assert sw.grid("energy").shape == (2, 3)
        assert sw.grid("heat_incoherent").shape == (2, 3, 1)
    np.testing.assert_allclose(a.grid("energy"), b.grid("energy"), rtol=0, atol=1e-12)
    # beta changes the state along the fast axis, lambda along the slow one
    e = a.grid("energy")
    assert abs(e[0, 0] - e[0, 2]) > 1e-3 and abs(e[0, 1] - e[1, 1]) > 1e-6
    written = plot_run(qp.load(full), str(tmp_path))
    assert any(p.endswith("full_sweep_grid.png") for p in written)

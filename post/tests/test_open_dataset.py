"""qcoll_post.open_dataset: every group of files made by the binary as an
xarray.Dataset, checked value by value against h5py reads of the same file;
sweeps with their axes (one key, grid, zip, part of a grid); netCDF round
trips."""
import h5py
import numpy as np
import pytest

import qcoll_post as qp
from helpers import deck_path, run_qcoll

xr = pytest.importorskip("xarray")


def h5(path, name):
    with h5py.File(path, "r") as f:
        data = f[name][()]
    if data.dtype.names and set(data.dtype.names) == {"r", "i"}:
        data = data["r"] + 1j * data["i"]
    return data


def test_evolve_has_time_and_species(qubit_evolve):
    ds = qp.open_dataset(qubit_evolve)
    assert ds.attrs["qcoll_group"] == "/evolve" and ds.attrs["task"] == "evolve"
    assert ds.heat_incoherent.dims == ("t", "species")
    assert list(ds.species.values) == ["bath"]
    np.testing.assert_array_equal(ds.t.values, h5(qubit_evolve, "evolve/t"))
    np.testing.assert_array_equal(ds.heat_incoherent.sel(species="bath").values,
                                  h5(qubit_evolve, "evolve/heat_incoherent")[:, 0])
    assert ds["observables.sz"].dtype == np.complex128
    np.testing.assert_array_equal(ds["observables.sz"].values, h5(qubit_evolve, "evolve/observables/sz"))
    # rho_final: d x d from column stacking
    flat = h5(qubit_evolve, "evolve/rho_final")
    assert ds.rho_final.dims == ("row", "col")
    np.testing.assert_array_equal(ds.rho_final.values, flat.reshape(2, 2, order="F"))
    assert ds.energy.attrs["units"] == "energy" and "description" in ds.energy.attrs
    assert ds.heat_incoherent.attrs["units"] == "energy/time"
    assert "[system]" in ds.attrs["deck"]


def test_steady_spectrum_collide_groups(qubit_task):
    task, path = qubit_task
    ds = qp.open_dataset(path)
    assert ds.attrs["qcoll_group"] == "/" + task
    with h5py.File(path, "r") as f:
        names = []
        f[task].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
    for name in names:
        if name.split("/")[0].isdigit():  # per-tau groups of collide: groups of their own
            continue
        var = name.replace("/", ".")
        assert var in ds.variables, var
        got = ds[var].values
        want = h5(path, f"{task}/{name}")
        if var == "rho":
            want = want.reshape(2, 2, order="F")
        if want.dtype.kind in "fc":
            np.testing.assert_array_equal(got.reshape(want.shape), want)
    if task in ("steady", "spectrum"):
        assert ds.eigenvalues.dims == ("mode",) and ds.residuals.dims == ("mode",)
        assert ds.eigenvalues.dtype == np.complex128
    if task == "collide":
        assert "tau" in ds.coords
        one = qp.open_dataset(path, "collide/0")
        np.testing.assert_array_equal(one.energy.values, h5(path, "collide/0/energy"))


def test_one_key_sweep_has_its_key_as_dim(steady_sweep_files):
    path = steady_sweep_files["full"]
    ds = qp.open_dataset(path)
    key = "species.bath.lambda"
    assert ds.energy.dims == (key,)
    np.testing.assert_array_equal(ds[key].values, [0.0, 0.3, 0.6])
    np.testing.assert_array_equal(ds.energy.values, h5(path, "sweep/energy"))
    assert ds.work_coherent.dims == (key, "species")
    point = qp.open_dataset(path, "sweep/1")
    np.testing.assert_allclose(point.energy.values, ds.energy.sel({key: 0.3}).values, rtol=0,
                               atol=1e-15)


def test_parts_of_a_sweep_keep_their_points(steady_sweep_files):
    part = steady_sweep_files["parts"][0]  # --sweep-index 2
    ds = qp.open_dataset(part)
    assert ds.energy.dims == ("species.bath.lambda",)
    assert list(ds["species.bath.lambda"].values) == [0.6]
    np.testing.assert_array_equal(ds.energy.values, h5(part, "sweep/energy"))


def test_evolve_sweep(evolve_sweep_files):
    ds = qp.open_dataset(evolve_sweep_files["full"])
    assert ds.energy.dims == ("species.bath.lambda",)
    series = qp.open_dataset(evolve_sweep_files["full"], "sweep/2")
    assert series.energy.dims == ("t",)
    assert series.energy.values[-1] == pytest.approx(float(ds.energy.values[2]), abs=1e-15)


@pytest.fixture(scope="module")
def grid_file(qcoll_binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("grid") / "grid.h5"
    axes = ('sweep={ axis = [{ key = "species.hot.lambda", values = [0.0, 0.1] }, '
            '{ key = "species.hot.beta", values = [0.5, 1.0, 2.0] }] }')
    return run_qcoll(qcoll_binary, "steady", deck_path("qubit_two_baths.toml"), out, "--set", axes)


def test_grid_sweep_is_reshaped_to_its_grid(grid_file):
    ds = qp.open_dataset(grid_file)
    dims = ("species.hot.lambda", "species.hot.beta")
    assert ds.energy.dims == dims
    np.testing.assert_array_equal(ds["species.hot.beta"].values, [0.5, 1.0, 2.0])
    flat = h5(grid_file, "sweep/energy")
    np.testing.assert_array_equal(ds.energy.values, flat.reshape(2, 3))  # last axis fastest
    assert ds.heat_incoherent.dims == dims + ("species",)
    np.testing.assert_array_equal(ds.heat_incoherent.values,
                                  h5(grid_file, "sweep/heat_incoherent").reshape(2, 3, -1))
    # one point: lambda = 0.1 (axis 0 index 1), beta = 2.0 (axis 1 index 2) is point 5
    point = qp.open_dataset(grid_file, "sweep/5")
    assert float(point.energy) == float(ds.energy.sel({dims[0]: 0.1, dims[1]: 2.0}))


def test_zip_sweep_has_one_point_dim(qcoll_binary, tmp_path):
    axes = ('sweep={ mode = "zip", axis = [{ key = "species.hot.lambda", values = [0.0, 0.1] },'
            ' { key = "species.hot.beta", values = [0.5, 1.0] }] }')
    path = run_qcoll(qcoll_binary, "steady", deck_path("qubit_two_baths.toml"), tmp_path / "z.h5",
                     "--set", axes)
    ds = qp.open_dataset(path)
    assert ds.energy.dims == ("point",)
    assert list(ds["species.hot.beta"].values) == [0.5, 1.0]
    assert list(ds["species.hot.lambda"].values) == [0.0, 0.1]


def test_netcdf_round_trips(qubit_evolve, grid_file, tmp_path):
    for k, path in enumerate((qubit_evolve, grid_file)):
        ds = qp.open_dataset(path)
        # plain netCDF: complex variables split into .real / .imag and joined again
        qp.to_netcdf(ds, tmp_path / f"plain{k}.nc")
        back = qp.open_netcdf(tmp_path / f"plain{k}.nc")
        # h5netcdf keeps complex numbers (invalid_netcdf=True: readable by xarray and h5py)
        ds.to_netcdf(tmp_path / f"complex{k}.h5", engine="h5netcdf", invalid_netcdf=True)
        with xr.open_dataset(tmp_path / f"complex{k}.h5", engine="h5netcdf") as opened:
            kept = opened.load()
        for other in (back, kept):
            for name, var in ds.data_vars.items():
                assert other[name].dims == var.dims, name
                if var.dtype.kind in "fc":
                    np.testing.assert_array_equal(other[name].values, var.values)
                    assert other[name].dtype == var.dtype, name
            assert other.attrs["deck"] == ds.attrs["deck"]


def test_file_without_results_is_named(tmp_path):
    path = tmp_path / "empty.h5"
    with h5py.File(path, "w") as f:
        f.create_group("model")
    with pytest.raises(KeyError, match="holds no result group"):
        qp.open_dataset(path)

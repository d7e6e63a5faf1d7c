"""qcoll output as labelled arrays: ``open_dataset(path, group=None)`` -> xarray.Dataset.

    >>> import qcoll_post as qp
    >>> ds = qp.open_dataset("qubit.h5")                 # the task's group, e.g. /evolve
    >>> ds.heat_incoherent.sel(species="bath")           # dims (t, species)
    >>> sw = qp.open_dataset("engine_map.h5")            # /sweep of a grid sweep
    >>> sw["machine.power"].sel({"species.hot.beta": 0.2})   # dims = the swept keys

Conventions (docs/output.md, "xarray"):

* every dataset of the group becomes a variable; datasets of sub-groups are
  named with dots (``observables.sx``, ``machine.power``,
  ``fluctuations.tur_ratio``); per-point groups of a sweep (``/sweep/<k>``)
  and per-tau groups of collide (``/collide/<k>``) are groups of their own:
  ``open_dataset(path, "sweep/3")``;
* dims ``t``, ``tau``, ``species`` (species names as coordinate), ``row`` and
  ``col`` for density matrices (reshaped from column stacking), ``snapshot``
  for stored states;
* a sweep's point axis becomes the swept keys: one dim named by the key for
  a one-key sweep, one dim per key for a complete grid (``[[sweep.axis]]``,
  last axis fastest), and a ``point`` dim with one coordinate per key for a
  zip sweep or a file with part of a grid (``--sweep-index`` runs);
* complex data is complex; ``units`` and ``description`` are variable
  attributes (units taken from the description when the file has none);
  the deck, title, task and provenance are dataset attributes.

Write to netCDF with ``to_netcdf(ds, path)``: plain netCDF has no complex
numbers, so complex variables are stored as ``<name>.real`` and
``<name>.imag`` (``open_netcdf`` joins them again).
"""
import re

import numpy as np

from .loader import Group, load

SWEEP_POINT_GROUP = re.compile(r"^\d+$")
UNITS_IN_DESCRIPTION = re.compile(
    r"\(((?:1/)?(?:energy|time)(?:\^\d)?(?:/(?:energy|time)(?:\^\d)?)?|dimensionless)\)")
SCALE_ATTRIBUTES = {"CLASS", "NAME", "REFERENCE_LIST", "DIMENSION_LIST", "DIMENSION_LABELS"}
# The last axis of spectra: one per eigenvalue (eigenvalues and their residuals
# share it), the near-zero stage's own list.
LAST_AXIS = {"eigenvalues": "mode", "residuals": "mode", "nearest_zero": "near_zero"}
TASK_GROUPS = ("evolve", "steady", "spectrum", "collide")


def _xarray():
    try:
        import xarray
    except ImportError as e:  # pragma: no cover - depends on the system
        raise ImportError("open_dataset needs xarray (Debian: apt install python3-xarray)") from e
    return xarray


def main_group(run):
    """The group a file is about: /sweep for a sweep, else the task's group."""
    if "sweep" in run:
        return "sweep"
    if run.task in run:
        return run.task
    for name in TASK_GROUPS:
        if name in run:
            return name
    raise KeyError(f"{run.path} holds no result group (it has: {', '.join(run.groups)})")


def _units(attrs):
    if attrs.get("units"):
        return str(attrs["units"])
    found = UNITS_IN_DESCRIPTION.findall(str(attrs.get("description", "")))
    return found[-1] if found else ""


def _variable_attrs(info):
    attrs = {k: v for k, v in info.attrs.items()
             if k not in SCALE_ATTRIBUTES and isinstance(v, (str, int, float, np.number))}
    units = _units(info.attrs)
    if units:
        attrs["units"] = units
    return attrs


def _datasets(group, prefix=""):
    """(variable name, group, key) of every dataset under `group`, sub-groups
    flattened with dots; per-point and per-tau groups and /sweep/axes left out."""
    out = []
    for name in group:
        member = group._children[name]
        if isinstance(member, Group):
            if SWEEP_POINT_GROUP.match(name) or (not prefix and name == "axes"):
                continue
            out += [(prefix + name + "." + n, g, k) for n, g, k in _datasets(member)]
        else:
            out.append((prefix + name, group, name))
    return out


def _sweep_layout(sweep, npoints):
    """How the point axis of /sweep becomes dims: (dims, shape, coords)."""
    axes = sweep.sweep_axes()
    if len(axes) == 1:
        key, values = axes[0]
        if len(values) == npoints:
            return (key,), (npoints,), {key: ((key,), values)}
    shape = tuple(len(v) for _, v in axes)
    if sweep.mode != "zip" and int(np.prod(shape)) == npoints:
        return (tuple(k for k, _ in axes), shape, {k: ((k,), v) for k, v in axes})
    # zip, or a part of a grid: one point dim, each key's value at each point
    index = np.atleast_1d(np.asarray(sweep["index"], dtype=int)) if "index" in sweep \
        else np.arange(npoints)
    coords = {"index": (("point",), index)}
    for i, (key, values) in enumerate(axes):
        if sweep.mode == "zip":
            at = values[index]
        else:  # grid, last axis fastest
            stride = int(np.prod(shape[i + 1:]))
            at = values[(index // stride) % shape[i]]
        coords[key] = (("point",), np.asarray(at))
    return ("point",), (npoints,), coords


def open_dataset(path, group=None):
    """The group `group` of the qcoll output `path` as an xarray.Dataset.

    group: "evolve", "steady", "spectrum", "collide", "sweep", or a sub-group
    such as "sweep/3" (one point) or "collide/0" (one tau); None takes the
    file's main group (/sweep for a sweep, else the task's group).
    """
    xr = _xarray()
    run = load(path)
    name = main_group(run) if group is None else str(group).strip("/")
    g = run[name]
    if not isinstance(g, Group):
        raise KeyError(f"/{name} in {path} is a dataset, not a group")
    sweep_table = name == "sweep"
    npoints = None
    if sweep_table and "values" in g:
        npoints = int(np.atleast_1d(np.asarray(g["values"])).shape[0])
    point_dims, point_shape, coords = ((), (), {})
    if npoints is not None:
        point_dims, point_shape, coords = _sweep_layout(g, npoints)
    first_point = None
    if sweep_table and g.point_groups():
        first_point = g[g.point_groups()[0]]
    sizes, variables = {}, {}
    for var, parent, key in _datasets(g):
        if sweep_table and var in ("values", "index", "axis_values"):
            continue
        data = np.asarray(parent[key])
        dims = list(parent.axes(key)) or []
        dims = dims[:data.ndim] + [""] * (data.ndim - len(dims))
        if npoints is not None and data.ndim and data.shape[0] == npoints and \
                dims[0] in ("values", ""):
            # A table: one entry per point, each shaped like the point's own dataset.
            dims[0] = "values"
            path = var.replace(".", "/")
            if first_point is not None and path in first_point:
                sub = first_point if "/" not in path else first_point[path.rsplit("/", 1)[0]]
                leaf = path.rsplit("/", 1)[-1]
                info = sub._info(leaf)
                if int(np.prod(info.shape)) == int(np.prod(data.shape[1:])) and info.shape:
                    data = data.reshape(data.shape[:1] + tuple(info.shape))
                    dims = ["values"] + list(sub.axes(leaf))
        leaf = var.rsplit(".", 1)[-1]
        if data.ndim >= 1 and leaf in LAST_AXIS and dims[-1] in ("", "values") and \
                not (npoints is not None and data.ndim == 1):
            dims[-1] = LAST_AXIS[leaf]
        if data.ndim >= 2 and var.endswith("covariance") and data.shape[-1] == data.shape[-2] \
                == len(run.species):
            dims[-2:] = ["species", "species_2"]
        dims = [d or f"{var}_dim{i}" for i, d in enumerate(dims)]
        if npoints is not None and dims and dims[0] == "values" and data.shape[0] == npoints:
            data = data.reshape(point_shape + data.shape[1:])
            dims = list(point_dims) + dims[1:]
        for i, d in enumerate(dims):  # a name already used with another length
            if sizes.setdefault(d, data.shape[i]) != data.shape[i]:
                dims[i] = f"{d}_{var}"
                sizes[dims[i]] = data.shape[i]
        if data.dtype.kind in "SO":
            data = data.astype(str)
        variables[var] = (tuple(dims), data, _variable_attrs(parent._info(key)))
    for c in ("t", "tau"):
        if c in variables and variables[c][0] == (c,):
            coords[c] = variables.pop(c)
    for dim in ("species", "species_2"):
        if dim in sizes and len(run.species) == sizes[dim]:
            coords[dim] = ((dim,), np.asarray(run.species, dtype=str))
    attrs = {k: v for k, v in run.attrs.items() if isinstance(v, (str, int, float, np.number))}
    attrs.update({f"{name}.{k}": v for k, v in g.attrs.items()
                  if isinstance(v, (str, int, float, np.number)) and k not in SCALE_ATTRIBUTES})
    attrs["qcoll_group"] = "/" + name
    attrs["source_file"] = run.path
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def to_netcdf(ds, path, **kwargs):
    """ds.to_netcdf(path) with complex variables split into <name>.real and
    <name>.imag (netCDF has no complex type); open_netcdf joins them."""
    out = ds.copy()
    for name in list(out.variables):
        var = out[name]
        if np.iscomplexobj(var.values):
            attrs = dict(var.attrs, complex_part="real")
            out[f"{name}.real"] = var.copy(data=var.values.real).assign_attrs(attrs)
            attrs = dict(var.attrs, complex_part="imag")
            out[f"{name}.imag"] = var.copy(data=var.values.imag).assign_attrs(attrs)
            out = out.drop_vars(name)
    return out.to_netcdf(path, **kwargs)


def open_netcdf(path):
    """A file written by to_netcdf, with its complex variables joined again."""
    xr = _xarray()
    with xr.open_dataset(path) as opened:
        ds = opened.load()
    for name in list(ds.data_vars):
        if name.endswith(".real") and name[:-5] + ".imag" in ds:
            base = name[:-5]
            attrs = {k: v for k, v in ds[name].attrs.items() if k != "complex_part"}
            ds[base] = (ds[name] + 1j * ds[base + ".imag"]).assign_attrs(attrs)
            ds = ds.drop_vars([name, base + ".imag"])
    return ds

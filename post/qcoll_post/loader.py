"""Reading a qcoll HDF5 file: `load(path)` returns a `Run`.

The file is walked once when it is loaded (names, shapes, attributes); the
arrays themselves are read on first access and then cached, so opening a big
file with stored density matrices is cheap. Every group the file holds shows
up automatically, also groups this package knows nothing about.

Conversions applied to every dataset:
- compound {r, i} -> complex128 (h5py does this itself for the default names);
- byte strings -> str;
- density matrices (attribute ``layout``, or a ``rho``/``rho_final`` dataset
  whose last axis has d*d entries) -> [..., d, d] with rho[..., i, j] = <i|rho|j>;
- arrays whose last axis runs over the ancilla species -> `SpeciesArray`,
  indexable by species name;
- scalars -> NumPy scalars (np.float64 is a float).
"""
import math
import os
import re
import sys
from collections.abc import Mapping

import h5py
import numpy as np

from .species import SpeciesArray

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Debian 12 ships Python 3.11
    tomllib = None

PROVENANCE_KEYS = ("qcoll_version", "git_commit", "created", "nranks", "task",
                   "petsc_options", "complete")

# Datasets whose last axis is the species axis (see docs/output.md), for files
# without /result_fields (whose per-species rows are added per file); names
# ending in "_species" and descriptions saying "per/each species" count too.
PER_SPECIES_NAMES = frozenset({
    "work_coherent", "heat_incoherent", "heat_ancilla", "heat_incoherent_ancilla",
    "relative_entropy", "delta_coherence", "delta_energy", "beta", "lambda",
    "energy_conserving", "energy_conservation_violation",
})
_SPECIES_DESCRIPTION = re.compile(r"\b(per|each|of) species\b|\bspecies j\b", re.IGNORECASE)
# 1-D datasets that label axis 0 of their siblings ("coordinates").
COORDINATE_NAMES = ("t", "tau", "values", "rho_t")


def load(path):
    """Open the qcoll output `path` and return a `Run`."""
    return Run(path)


def _plain(value):
    """Attribute value as a plain Python object (str, int, float, list)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SO":
            return [_plain(v) for v in value.tolist()]
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def _attrs(h5attrs):
    return {k: _plain(v) for k, v in h5attrs.items()}


def _axis_labels(ds):
    """Stored label or dimension-scale name of each axis ('' when none)."""
    labels = []
    for dim in ds.dims:
        label = dim.label
        if not label and len(dim) > 0:
            label = dim[0].name.rsplit("/", 1)[-1]
        labels.append(label)
    return tuple(labels)


class DatasetInfo:
    """What the file says about one dataset before it is read."""

    def __init__(self, ds):
        self.path = ds.name
        self.name = ds.name.rsplit("/", 1)[-1]
        self.shape = tuple(ds.shape)
        self.dtype = ds.dtype
        self.attrs = _attrs(ds.attrs)
        self.labels = _axis_labels(ds)
        self.value = None
        self.loaded = False

    @property
    def description(self):
        return self.attrs.get("description", "")


class Group(Mapping):
    """One HDF5 group: a read-only mapping name -> array or sub-`Group`.

    Members are also attributes (``g.energy`` is ``g["energy"]``), and paths
    work as keys (``g["observables/sx"]``). ``g.attrs`` holds the group's
    attributes; ``g.description(name)``, ``g.shape(name)`` and ``g.axes(name)``
    describe a dataset without reading it.
    """

    def __init__(self, run, h5group):
        self._run = run
        self.path = h5group.name
        self.attrs = _attrs(h5group.attrs)
        self._children = {}
        for name, obj in h5group.items():
            if isinstance(obj, h5py.Group):
                self._children[name] = _group_class(obj.name)(run, obj)
            elif isinstance(obj, h5py.Dataset):
                self._children[name] = DatasetInfo(obj)

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1] or "/"

    def __getitem__(self, key):
        head, _, rest = str(key).strip("/").partition("/")
        if head not in self._children:
            raise KeyError(f"{self.path} has no member {head!r}; members: {sorted(self._children)}")
        child = self._children[head]
        if isinstance(child, Group):
            return child[rest] if rest else child
        if rest:
            raise KeyError(f"{child.path} is a dataset, not a group")
        return self._run._value(child)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError as err:
            raise AttributeError(str(err)) from None

    def __iter__(self):
        return iter(self._children)

    def __len__(self):
        return len(self._children)

    def __contains__(self, key):
        try:
            self._info(key)
        except KeyError:
            return False
        return True

    def __dir__(self):
        return sorted(set(super().__dir__()) | {k for k in self._children if k.isidentifier()})

    def _info(self, key):
        head, _, rest = str(key).strip("/").partition("/")
        child = self._children[head]
        if rest:
            if not isinstance(child, Group):
                raise KeyError(key)
            return child._info(rest)
        return child

    def datasets(self):
        """Names of the datasets directly in this group."""
        return [k for k, v in self._children.items() if isinstance(v, DatasetInfo)]

    def groups(self):
        """Names of the sub-groups."""
        return [k for k, v in self._children.items() if isinstance(v, Group)]

    def description(self, key):
        """The dataset's `description` attribute (one line, with units)."""
        return self._info(key).description

    def shape(self, key):
        """Shape of the dataset as stored in the file (flat density matrices)."""
        return self._info(key).shape

    def axes(self, key):
        """Names of the axes of the dataset as returned by indexing.

        Taken from stored dimension labels or scales when the file has them,
        else from the conventions of docs/output.md: 't'/'tau'/'values'/'rho_t'
        for axis 0 when it matches such a coordinate of the group (a
        coordinate names its own axis), 'species' for a species axis,
        'row'/'col' for density matrices.
        """
        info = self._info(key)
        run = self._run
        shape = info.shape
        names = [label or "" for label in info.labels] or [""] * len(shape)
        density = _is_density(info, run.d)
        if density:
            names = names[:-1] + ["row", "col"]
        elif _is_per_species(info, run):
            names[-1] = names[-1] or "species"
        if shape and not names[0] and info.name in COORDINATE_NAMES and len(shape) == 1:
            names[0] = info.name
        if shape and not names[0]:
            parent = self if "/" not in str(key).strip("/") else self[str(key).rsplit("/", 1)[0]]
            for coord in COORDINATE_NAMES:
                c = parent._children.get(coord)
                if (isinstance(c, DatasetInfo) and c is not info and len(c.shape) == 1
                        and c.shape[0] == shape[0] and not (coord == "t" and density)):
                    names[0] = coord
                    break
            if density and len(shape) == 2 and not names[0]:
                names[0] = "snapshot"
        return tuple(names)

    def __repr__(self):
        parts = []
        for k, v in self._children.items():
            if isinstance(v, Group):
                parts.append(k + "/")
            else:
                parts.append(k + ("[" + ",".join(map(str, v.shape)) + "]" if v.shape else ""))
        return f"<{type(self).__name__} {self.path}: {', '.join(parts)}>"

    def tree(self, indent=""):
        """Multi-line listing of the group (names, shapes, descriptions)."""
        lines = []
        for k, v in self._children.items():
            if isinstance(v, Group):
                lines.append(f"{indent}{k}/")
                lines.append(v.tree(indent + "  "))
            else:
                shape = "[" + ",".join(map(str, v.shape)) + "]" if v.shape else ""
                desc = f"  {v.description}" if v.description else ""
                lines.append(f"{indent}{k}{shape}{desc}")
        return "\n".join(line for line in lines if line)


class CollideGroup(Group):
    """/collide: ``tau[ntau]`` and one sub-group per tau (named 0, 1, ...)."""

    def runs(self):
        """[(tau, group), ...] in file order, one per collision time step."""
        taus = np.atleast_1d(self["tau"]) if "tau" in self else None
        out = []
        for k in sorted((g for g in self.groups() if g.isdigit()), key=int):
            group = self[k]
            if taus is not None and int(k) < len(taus):
                tau = taus[int(k)]
            else:
                tau = group.attrs.get("tau", float("nan"))
            out.append((float(tau), group))
        return out


class SweepGroup(Group):
    """/sweep: ``values[np]`` of the deck key ``attrs['key']``, tables [np, ...].

    The tables hold one entry per point (for an evolve sweep, each point's
    values at its last output time, ``t_final``); the sub-groups named by the
    point index (``sw["0"]``, ...) hold each point's full results, with the
    layout of /steady, /spectrum or /evolve (time series against its own
    ``t``). ``points()`` pairs them with their values.
    """

    @property
    def key(self):
        return self.attrs.get("key", "swept parameter")

    @property
    def task(self):
        """The task run at every point: evolve, steady or spectrum."""
        return self.attrs.get("task", "")

    @property
    def mode(self):
        """How the axes combine: "grid" (last axis fastest) or "zip"."""
        return self.attrs.get("mode", "grid")

    def sweep_axes(self):
        """[(key, values), ...] of every swept key: one entry for a one-key
        sweep, one per [[sweep.axis]] of a grid or zip sweep."""
        if "axes" not in self:
            return [(self.key, np.atleast_1d(np.asarray(self["values"], dtype=float)))]
        group = self["axes"]
        names = sorted((n for n in group.datasets() if n.isdigit()), key=int)
        return [(group._info(n).attrs.get("key", n), np.asarray(group[n], dtype=float))
                for n in names]

    def grid(self, name):
        """The table `name` of a complete grid sweep reshaped to the grid:
        shape (len(axis 0), len(axis 1), ..., extra axes of the table)."""
        data = np.asarray(self[name])
        shape = tuple(len(values) for _, values in self.sweep_axes())
        if self.mode == "zip" or int(np.prod(shape)) != data.shape[0]:
            raise ValueError(f"{name}: not a complete grid sweep ({self.mode}, "
                             f"{data.shape[0]} points for axes of lengths {shape})")
        return data.reshape(shape + data.shape[1:])

    def point_groups(self):
        """Names of the per-point groups ("0", "1", ...) in index order."""
        return sorted((g for g in self.groups() if g.isdigit()), key=int)

    def points(self):
        """[(value, group), ...] of every point the file holds, in index order."""
        out = []
        for name in self.point_groups():
            group = self[name]
            value = group.attrs.get("value")
            if value is None and "index" in self and "values" in self:
                index = list(np.atleast_1d(self["index"]))
                value = np.atleast_1d(self["values"])[index.index(int(name))]
            out.append((float(value) if value is not None else float("nan"), group))
        return out

    def quantities(self):
        """{path: array} of every table: the datasets except `values` and
        `index`, nested groups such as observables/ flattened, per-point
        groups left out."""
        out = {}

        def walk(group, prefix):
            for name in group:
                member = group[name]
                if isinstance(member, Group):
                    if not (group is self and (name.isdigit() or name == "axes")):
                        walk(member, prefix + name + "/")
                elif not prefix and name == "axis_values":
                    continue  # the sweep's own description, not a table
                elif prefix or name not in ("values", "index"):
                    out[prefix + name] = member
        walk(self, "")
        return out


_GROUP_CLASSES = {"/collide": CollideGroup, "/sweep": SweepGroup}


def _group_class(path):
    return _GROUP_CLASSES.get(path, Group)


def _matrix_dimension(info, d):
    """d when the dataset holds flat d x d density matrices, else 0.

    A dataset qualifies by its `layout` attribute or by being named rho or
    rho_final; when the file has no /model (a checkpoint file), or the
    dataset is not d*d long (a point of a chain-length sweep, whose d is its
    own), d is taken from the length of the last axis if it is a perfect
    square.
    """
    if not info.shape or info.dtype.kind not in "fcV":
        return 0
    if "layout" not in info.attrs and info.name not in ("rho", "rho_final"):
        return 0
    n = info.shape[-1]
    if not d or d * d != n:
        d = math.isqrt(n)
    return d if d > 0 and d * d == n else 0


def _is_density(info, d):
    return _matrix_dimension(info, d) > 0


def _is_per_species(info, run):
    species = run.species
    ns = len(species)
    if ns == 0 or not info.shape or info.shape[-1] != ns or info.name == "species_names":
        return False
    if info.labels and info.labels[-1]:
        return info.labels[-1] in ("species", "species_names")
    return (info.name in run.per_species_names or info.name.endswith("_species")
            or bool(_SPECIES_DESCRIPTION.search(info.description)))


def _read(ds):
    if h5py.check_string_dtype(ds.dtype) is not None:
        data = ds.asstr()[()]
        return np.asarray(data, dtype=str) if isinstance(data, np.ndarray) else data
    data = ds[()]
    if isinstance(data, np.ndarray) and data.dtype.kind == "S":
        return np.char.decode(data, "utf-8")
    if isinstance(data, bytes):
        return data.decode("utf-8")
    names = getattr(getattr(data, "dtype", None), "names", None)
    if names and set(names) == {"r", "i"}:
        data = np.asarray(data["r"]) + 1j * np.asarray(data["i"])
    return data


def _convert(data, info, run):
    if isinstance(data, str) or not isinstance(data, (np.ndarray, np.generic)):
        return data
    if isinstance(data, np.ndarray) and data.ndim == 0:
        return data[()]
    d = _matrix_dimension(info, run.d)
    if d:
        matrix = data.reshape(data.shape[:-1] + (d, d))
        if info.attrs.get("layout", "column-major") != "row-major":
            matrix = matrix.swapaxes(-1, -2)
        return np.ascontiguousarray(matrix)
    if isinstance(data, np.ndarray) and _is_per_species(info, run):
        return SpeciesArray(data, run.species)
    return data


class Run:
    """A qcoll output file.

    Attributes: ``path``, ``attrs`` (root attributes), ``provenance`` (the
    provenance subset of attrs), ``deck`` (parsed TOML as a dict, or the text
    when it cannot be parsed), ``deck_text``, ``title``, ``task``,
    ``complete``, ``species`` (names in deck order), ``d`` (Hilbert-space
    dimension), ``sites``. Every top-level group is an attribute and a key:
    ``run.evolve``, ``run["steady"]``, ``run["evolve/energy"]``;
    ``"steady" in run`` tells whether the file has it.
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        with h5py.File(self.path, "r") as f:
            self.attrs = _attrs(f.attrs)
            model = f.get("model")
            self.d = int(model.attrs["d"]) if model is not None and "d" in model.attrs else 0
            if model is not None and "species_names" in model:
                self.species = [str(s) for s in np.atleast_1d(_read(model["species_names"]))]
            else:
                self.species = []
            # The file's own table of result fields (docs/output.md, /result_fields).
            self.per_species_names = set(PER_SPECIES_NAMES)
            fields = f.get("result_fields")
            if fields is not None and "name" in fields and "per_species" in fields:
                names = [str(n) for n in np.atleast_1d(_read(fields["name"]))]
                flags = np.atleast_1d(fields["per_species"][()])
                self.per_species_names |= {n for n, flag in zip(names, flags) if flag}
            self._root = Group(self, f["/"])
        self.deck_text = self.attrs.get("deck", "")
        self.deck = _parse_deck(self.deck_text)

    # provenance -------------------------------------------------------------
    @property
    def provenance(self):
        return {k: self.attrs[k] for k in PROVENANCE_KEYS if k in self.attrs}

    @property
    def title(self):
        if self.attrs.get("title"):
            return self.attrs["title"]
        if isinstance(self.deck, dict) and self.deck.get("title"):
            return self.deck["title"]
        return os.path.basename(self.path)

    @property
    def task(self):
        return self.attrs.get("task", "")

    @property
    def complete(self):
        return bool(self.attrs.get("complete", 0))

    @property
    def sites(self):
        model = self._root._children.get("model")
        text = model.attrs.get("sites", "") if isinstance(model, Group) else ""
        return [s for s in str(text).split(",") if s]

    @property
    def groups(self):
        """Names of the top-level groups."""
        return self._root.groups()

    # access -----------------------------------------------------------------
    def __getitem__(self, key):
        return self._root[key]

    def __contains__(self, key):
        return key in self._root

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name in self._root._children:
            return self._root[name]
        raise AttributeError(
            f"{self.path} has no /{name} (task {self.task!r}); it holds: "
            f"{', '.join(self._root) or 'nothing'}")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._root.groups()))

    def get(self, key, default=None):
        return self._root[key] if key in self._root else default

    def _value(self, info):
        if not info.loaded:
            with h5py.File(self.path, "r") as f:
                info.value = _convert(_read(f[info.path]), info, self)
            info.loaded = True
        return info.value

    def summary(self):
        """Multi-line description: title, provenance, species and contents."""
        prov = ", ".join(f"{k}={v}" for k, v in self.provenance.items())
        head = [f"{self.path}: {self.title}", f"  {prov}",
                f"  d = {self.d}, sites = {self.sites}, species = {self.species}"]
        return "\n".join(head + [self._root.tree("  ")])

    def __repr__(self):
        return f"<Run {self.path!r} task={self.task!r} groups={self.groups}>"


def _parse_deck(text):
    if not text or tomllib is None:
        return text
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return text

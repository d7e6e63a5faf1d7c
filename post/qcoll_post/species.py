"""Arrays with a trailing species axis that can be indexed by species name."""
import numpy as np


class SpeciesArray(np.ndarray):
    """A NumPy array whose last axis runs over the ancilla species.

    ``a["hot"]`` selects the species named ``hot`` (same as ``a[..., k]``);
    every other index, arithmetic and NumPy function behaves as for a plain
    ndarray. ``a.species`` is the tuple of names, in deck order, or ``None``
    once an operation has removed the species axis (e.g. ``a.sum(axis=-1)``).
    """

    def __new__(cls, data, species):
        obj = np.asarray(data).view(cls)
        species = tuple(species)
        if obj.ndim == 0 or obj.shape[-1] != len(species):
            raise ValueError(
                f"last axis of shape {obj.shape} does not match {len(species)} species")
        obj.species = species
        return obj

    def __array_finalize__(self, obj):
        species = getattr(obj, "species", None)
        if species is not None and (self.ndim == 0 or self.shape[-1] != len(species)):
            species = None
        self.species = species

    def __getitem__(self, key):
        if isinstance(key, str):
            return np.asarray(self)[..., self.index(key)]
        return super().__getitem__(key)

    def index(self, name):
        """Position of species `name` on the last axis."""
        if self.species is None:
            raise KeyError(f"{name!r}: this array has no species axis")
        try:
            return self.species.index(name)
        except ValueError:
            raise KeyError(f"no species {name!r}; species are {list(self.species)}") from None

    def items(self):
        """(name, values) pairs, one per species."""
        if self.species is None:
            return []
        return [(name, np.asarray(self)[..., k]) for k, name in enumerate(self.species)]

    def __reduce__(self):
        constructor, args, state = super().__reduce__()
        return constructor, args, (state, self.species)

    def __setstate__(self, state):
        base_state, self.species = state
        super().__setstate__(base_state)

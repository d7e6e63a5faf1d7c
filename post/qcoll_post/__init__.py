"""qcoll_post: read and plot the HDF5 output of qcoll.

    >>> import qcoll_post as qp
    >>> run = qp.load("qubit.h5")
    >>> run.title, run.species
    >>> run.evolve.t, run.evolve.energy
    >>> run.evolve.heat_incoherent["bath"]      # per-species array by name
    >>> run.evolve.rho_final                    # d x d complex matrix

`qcoll-plot FILE.h5` (or ``python3 -m qcoll_post.plot``) writes the figures.
"""
from .analysis import (convergence_order, first_law_residual, populations,
                       basis_labels, trace_distance)
from .loader import CollideGroup, Group, Run, SweepGroup, load
from .species import SpeciesArray

__version__ = "0.1.0"
__all__ = ["load", "Run", "Group", "CollideGroup", "SweepGroup", "SpeciesArray",
           "first_law_residual", "convergence_order", "populations", "basis_labels",
           "trace_distance"]

"""qcoll_post: read, plot and run qcoll from Python.

    >>> import qcoll_post as qp
    >>> ds = qp.open_dataset("qubit.h5")          # xarray.Dataset of the task's group
    >>> ds.heat_incoherent.sel(species="bath")    # dims (t, species)
    >>> ds = qp.run("inputs/qubit.toml", task="steady", ranks=2,
    ...             set={"species.bath.lambda": 0.5})   # runs qcoll, returns the Dataset
    >>> run = qp.load("qubit.h5")                 # the h5py-based reader
    >>> run.evolve.t, run.evolve.energy, run.evolve.rho_final

`qcoll-plot FILE.h5` writes the figures, `qcoll-merge` joins --sweep-index
files (post/qcoll-plot and post/qcoll-merge in the source tree).
"""
from .analysis import (convergence_order, first_law_residual, populations,
                       basis_labels, trace_distance)
from .dataset import open_dataset, open_netcdf, to_netcdf
from .loader import CollideGroup, Group, Run, SweepGroup, load
from .runner import QcollError, find_qcoll, run
from .species import SpeciesArray

__version__ = "0.2.0"
__all__ = ["load", "Run", "Group", "CollideGroup", "SweepGroup", "SpeciesArray",
           "first_law_residual", "convergence_order", "populations", "basis_labels",
           "trace_distance", "open_dataset", "to_netcdf", "open_netcdf", "run", "QcollError",
           "find_qcoll"]

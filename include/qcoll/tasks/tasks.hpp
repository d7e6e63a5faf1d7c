#pragma once
// The tasks of the command line. Each writes its group of the HDF5 file.
#include <petscsys.h>

#include <string>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/tasks/problem.hpp"

namespace qcoll {

// [evolve]: master-equation time evolution, /evolve.
PetscErrorCode RunEvolve(MPI_Comm comm, const Problem& p, Hdf5File& out);

// `qcoll check`: the summary of interface.md (rank 0 prints). Throws InputError.
void print_check_summary(MPI_Comm comm, const Deck& deck);

// Local part of a distributed vector as complex numbers (for HDF5 hyperslabs).
PetscErrorCode LocalValues(Vec v, std::vector<cplx>* out);

}  // namespace qcoll

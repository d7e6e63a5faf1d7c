#pragma once
// Internal to the sweep tasks (sweep_task.cpp: steady and spectrum;
// evolve_sweep.cpp: evolve): the points of a [sweep], each point's deck and
// problem, and the index datasets every sweep file has.
#include <petscsys.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/io/deck_problem.hpp"

namespace qcoll {

// Index of the species whose lambda `key` names (species.<name>.lambda), or
// -1: only such a key leaves L_0 and the L_Gj unchanged between points.
int lambda_species(const std::string& key, const MasterEquation& me);

// The deck and problem of one sweep point (the problem points into the deck).
struct SweepPoint {
  Deck deck;
  std::unique_ptr<Problem> problem;
};

// Point k: the base deck with the sweep's override for k.
PetscErrorCode LoadPoint(const Deck& base, const SweepSettings& sweep, size_t k, SweepPoint* out);

// The points to run: all of them, or only `only` (--sweep-index), checked
// to be in range.
PetscErrorCode SweepIndices(MPI_Comm comm, const SweepSettings& sweep,
                            std::optional<long long> only, std::vector<size_t>* out);

// Attributes key, task, count (and sweep_index) of /sweep.
void write_sweep_attributes(Hdf5File& f, const SweepSettings& sweep, const std::string& task,
                            std::optional<long long> only);

// /sweep/values and /sweep/index of the points written, in that order.
void write_sweep_index(Hdf5File& f, const SweepSettings& sweep, const std::vector<size_t>& written);

// Attributes value and override of the point's group /sweep/<k>.
void write_point_attributes(Hdf5File& f, const std::string& group, const SweepSettings& sweep,
                            size_t k);

}  // namespace qcoll

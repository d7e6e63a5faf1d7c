#pragma once
// Internal to the tasks: one solver per task behind one interface, so that
// one driver (run_driver.cpp) owns what every task shares: the loop over the
// points of a sweep (one point without [sweep]), reuse of the operators
// between points that differ only in lambdas, stop signals between points,
// restarts that keep finished points, `complete` attributes, checkpoint
// removal and the sweep tables.
#include <petscsys.h>

#include <memory>
#include <string>
#include <vector>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/io/result_fields.hpp"
#include "qcoll/problem/problem.hpp"

namespace qcoll {

// Where a point writes and whether it continues from a checkpoint.
struct PointTarget {
  std::string group;       // "/steady" (no sweep) or "/sweep/<k>"
  std::string checkpoint;  // the run's checkpoint file
  bool resume = false;     // continue from `checkpoint` (written for this point)
};

// One point's entry in the sweep tables /sweep/<name>[np, ...].
struct PointRow {
  bool has_values = false;  // the result fields of result_fields.hpp
  ThermoValues values;
  FieldAvailability fields;
  std::vector<std::string> observable_names;
  // Further tables: one value per point ([np]) or a list ([np, m], NaN-padded).
  struct Column {
    std::string name, description;
    std::vector<double> real;
    std::vector<cplx> complex;        // used when `real` is empty
    bool list = false;                // [np, m] even when m = 1
    std::vector<std::string> text{};  // one string per point (real and complex empty)
  };
  std::vector<Column> columns;
};

class PointSolver {
 public:
  virtual ~PointSolver() = default;
  // The group of a run without [sweep]: "/steady", "/spectrum", "/evolve", "/collide".
  virtual std::string group() const = 0;
  // Whether a stopped point continues from a checkpoint (evolve, collide).
  virtual bool checkpoints() const { return false; }
  // Builds the operators and solvers for p.
  virtual PetscErrorCode Setup(MPI_Comm comm, const Problem& p) = 0;
  // p differs from the last Setup's problem only in its lambdas: changes
  // coefficients only (the default sets everything up again).
  virtual PetscErrorCode SetLambdas(MPI_Comm comm, const Problem& p) { return Setup(comm, p); }
  // Solves the point and writes its results under target.group. On a stop
  // signal a checkpointing solver saves its progress and sets *stopped.
  virtual PetscErrorCode Solve(MPI_Comm comm, const Problem& p, Hdf5File& out,
                               const PointTarget& target, bool* stopped) = 0;
  // Restart: whether the checkpoint `path` can continue point p (written for
  // it, with everything it needs still in `out` under `group`).
  virtual bool CanResume(MPI_Comm, const Problem&, const std::string&, const Hdf5File&,
                         const std::string&) const {
    return false;
  }
  // The row of a finished point, read from its group. `kept`: the point
  // was finished before a restart (its datasets may need new links to
  // /model, which the restart rewrote).
  virtual PetscErrorCode ReadRow(MPI_Comm comm, const Problem& p, Hdf5File& out,
                                 const std::string& group, bool kept, PointRow* row) = 0;
};

// The solver of `task` (steady, spectrum, evolve, collide); nullptr for another name.
std::unique_ptr<PointSolver> make_steady_solver();
std::unique_ptr<PointSolver> make_spectrum_solver();
std::unique_ptr<PointSolver> make_evolve_solver();
std::unique_ptr<PointSolver> make_collide_solver();

}  // namespace qcoll

// The evolve task as a point solver (interface.md: /evolve): the evolution
// operator is kept across the points of a sweep (a lambda sweep changes only
// coefficients, or rebuilds the matrix-free shell from stored terms); the
// evolution itself and its checkpoints are in evolve_runner.cpp.
#include <petscvec.h>

#include "evolve_runner.hpp"
#include "point_solver.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {
namespace {

class EvolveTask : public PointSolver {
 public:
  std::string group() const override { return "/evolve"; }
  bool checkpoints() const override { return true; }

  PetscErrorCode Setup(MPI_Comm comm, const Problem& p) override {
    PetscFunctionBeginUser;
    PetscCall(op_.Setup(comm, p));
    PetscFunctionReturn(0);
  }

  PetscErrorCode SetLambdas(MPI_Comm, const Problem& p) override {
    PetscFunctionBeginUser;
    PetscCall(op_.SetLambdas(p));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Solve(MPI_Comm comm, const Problem& p, Hdf5File& out, const PointTarget& target,
                       bool* stopped) override {
    PetscFunctionBeginUser;
    EvolveTarget t;
    t.group = target.group;
    t.checkpoint = target.checkpoint;
    t.resume = target.resume;
    EvolveResult result;
    PetscCall(EvolveProblem(comm, p, op_, out, t, &result));
    *stopped = result.stopped;
    PetscFunctionReturn(0);
  }

  bool CanResume(MPI_Comm comm, const Problem& p, const std::string& checkpoint,
                 const Hdf5File& out, const std::string& group) const override {
    // Stored states before the checkpoint must have survived in the output.
    return checkpoint_has_deck(comm, checkpoint, p.identity) &&
           (p.settings.evolve.store_states == 0 || out.exists(group + "/rho"));
  }

  PetscErrorCode ReadRow(MPI_Comm, const Problem& p, Hdf5File& out, const std::string& group,
                         bool kept, PointRow* row) override {
    PetscFunctionBeginUser;
    PetscCallCXX({
      const ThermoSeries s = read_thermo_series(out, group, p.ops.observable_names);
      const FieldAvailability fields = FieldAvailability::present_in(out, group);
      // A restart rewrote /model: the kept series gets its dimension scales anew.
      if (kept) write_thermo_series(out, group, s.t, s.values, p.ops.observable_names, fields);
      row->has_values = true;
      row->values = s.values.back();
      row->fields = fields;
      row->observable_names = p.ops.observable_names;
      row->columns.push_back(PointRow::Column{
          "t_final",
          "time of each point's last output, where the other tables are taken (1/energy)",
          {s.t.back()},
          {},
          false});
    });
    PetscFunctionReturn(0);
  }

 private:
  EvolutionOperator op_;
};

}  // namespace

std::unique_ptr<PointSolver> make_evolve_solver() {
  return std::make_unique<EvolveTask>();
}

PetscErrorCode LocalValues(Vec v, std::vector<cplx>* out) {
  PetscFunctionBeginUser;
  PetscInt n;
  const PetscScalar* a;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  out->assign(a, a + n);
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

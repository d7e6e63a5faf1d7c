#include <petscvec.h>

#include "qcoll/io/output.hpp"
#include "qcoll/solvers/evolve.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/evaluator.hpp"

namespace qcoll {

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

namespace {

struct Snapshots {
  index_t every = 0;  // store every k-th output; 0: none
  hsize_t count = 0, next_row = 0;
  std::vector<double> times;
};

PetscErrorCode WriteSnapshot(Hdf5File& out, Snapshots& s, Vec rho, PetscInt rstart, double t) {
  PetscFunctionBeginUser;
  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX(out.write_complex_row_distributed("/evolve/rho", s.next_row++, rstart, local));
  s.times.push_back(t);
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode RunEvolve(MPI_Comm comm, const Problem& p, Hdf5File& out) {
  PetscFunctionBeginUser;
  const EvolveSettings& cfg = p.deck->evolve;
  Liouvillian L;
  PetscCall(CreateLiouvillian(comm, p, &L));
  Vec rho;
  PetscCall(CreateInitialVector(p, L, &rho));
  ThermoEvaluator thermo;
  PetscCall(thermo.Setup(L.total, p.ops, p.betas, cfg.entropy));
  if (cfg.entropy && !thermo.entropy_enabled())
    PetscCall(PetscPrintf(comm,
                          "evolve: entropy skipped: d = %lld exceeds %lld (rho would be "
                          "gathered and diagonalised densely)\n",
                          (long long)p.me.dim, (long long)kMaxEntropyDimension));

  EvolveOptions opts;
  opts.method = cfg.method;
  opts.dt_output = cfg.dt_output;
  opts.last_output = static_cast<index_t>(std::llround(cfg.t_final / cfg.dt_output));
  opts.rtol = cfg.rtol;
  opts.atol = cfg.atol;

  const hsize_t dd = static_cast<hsize_t>(p.me.dim * p.me.dim);
  PetscInt rstart;
  PetscCall(VecGetOwnershipRange(rho, &rstart, nullptr));
  Snapshots snaps;
  snaps.every = cfg.store_states;
  if (snaps.every > 0) {
    snaps.count = opts.last_output / snaps.every + 1;
    PetscCallCXX(out.ensure_group("/evolve"));
    PetscCallCXX(out.create_complex_2d("/evolve/rho", snaps.count, dd,
                                       "density matrices at rho_t, each flat column-stacked "
                                       "(reshape(d, d, order='F'))"));
    PetscCall(WriteSnapshot(out, snaps, rho, rstart, 0.0));
  }

  std::vector<double> times{0.0};
  std::vector<ThermoValues> values(1);
  PetscCall(thermo.Evaluate(rho, &values[0]));
  auto record = [&](index_t k, double t, Vec state) -> PetscErrorCode {
    PetscFunctionBeginUser;
    times.push_back(t);
    values.emplace_back();
    PetscCall(thermo.Evaluate(state, &values.back()));
    if (snaps.every > 0 && k % snaps.every == 0)
      PetscCall(WriteSnapshot(out, snaps, state, rstart, t));
    PetscFunctionReturn(0);
  };
  EvolveStats stats;
  PetscCall(EvolveLinear(L.total, rho, opts, record, &stats));
  PetscCall(PetscPrintf(comm, "evolve: reached t = %g in %lld steps, %.2f s (method %s)\n",
                        times.back(), (long long)stats.steps, stats.wall_seconds,
                        cfg.method.c_str()));

  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX(write_thermo_series(out, "/evolve", times, values, p.ops.observable_names,
                                   thermo.entropy_enabled()));
  PetscCallCXX(out.write_complex_distributed(
      "/evolve/rho_final", dd, rstart, local,
      "density matrix at the final time, flat column-stacked (reshape(d, d, order='F'))"));
  PetscCallCXX(out.write_attribute("/evolve/rho_final", "layout", std::string("column-major")));
  if (snaps.every > 0) {
    PetscCallCXX(out.write_real("/evolve/rho_t", {snaps.times.size()}, snaps.times,
                                "times of the stored density matrices in /evolve/rho"));
    PetscCallCXX(out.write_attribute("/evolve/rho", "layout", std::string("column-major")));
  }
  PetscCallCXX(out.write_attribute("/evolve", "steps", static_cast<long long>(stats.steps)));
  PetscCallCXX(out.write_attribute("/evolve", "method", cfg.method));
  PetscCall(VecDestroy(&rho));
  PetscCall(LiouvillianDestroy(&L));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

#include <petscvec.h>

#include <cstdio>

#include "qcoll/io/output.hpp"
#include "qcoll/solvers/evolve.hpp"
#include "qcoll/tasks/checkpoint.hpp"
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

namespace {

// PETSc log stage by name, registered once per process (-log_view shows them).
PetscLogStage EvolveLogStage(const char* name) {
  PetscLogStage stage = -1;
  if (PetscLogStageGetId(name, &stage) != 0 || stage < 0) PetscLogStageRegister(name, &stage);
  return stage;
}

}  // namespace

PetscErrorCode RunEvolve(MPI_Comm comm, const Problem& p, Hdf5File& out, RunContext& ctx) {
  PetscFunctionBeginUser;
  const EvolveSettings& cfg = p.deck->evolve;
  const PetscLogStage stage_assembly = EvolveLogStage("assembly"),
                      stage_stepping = EvolveLogStage("time stepping"),
                      stage_output = EvolveLogStage("output");
  PetscCall(PetscLogStagePush(stage_assembly));
  Liouvillian L;
  Mat op;  // assembled L or the matrix-free operator (-qcoll_matrix_free)
  PetscCall(CreateEvolutionOperator(comm, p, &L, &op));
  Vec rho;
  PetscCall(CreateInitialVector(p, L, &rho));
  ThermoEvaluator thermo;
  PetscCall(thermo.Setup(op, p.ops, p.betas, cfg.entropy));
  PetscCall(PetscLogStagePop());
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
  std::vector<double> times;
  std::vector<ThermoValues> values;
  const std::string ckpt_path = checkpoint_path(ctx.output_path);

  if (ctx.restart) {
    EvolveCheckpoint ck;
    PetscCall(ReadEvolveCheckpoint(comm, ckpt_path, rho, &ck, p.ops.observable_names));
    PetscCheck(ck.series.t.size() == static_cast<size_t>(ck.k) + 1, comm, PETSC_ERR_FILE_UNEXPECTED,
               "checkpoint %s is inconsistent: %zu outputs for k = %lld", ckpt_path.c_str(),
               ck.series.t.size(), (long long)ck.k);
    times = std::move(ck.series.t);
    values = std::move(ck.series.values);
    opts.first_output = ck.k;
    opts.initial_dt = ck.dt;
    snaps.next_row = ck.snapshots;
    snaps.times = ck.snapshot_times;
    if (ck.deck != p.deck->toml)
      PetscCall(PetscPrintf(comm, "evolve: note: the deck differs from the checkpoint's deck\n"));
    PetscCall(PetscPrintf(comm, "evolve: restarting from %s at t = %g\n", ckpt_path.c_str(), ck.t));
  }
  if (snaps.every > 0) {
    snaps.count = opts.last_output / snaps.every + 1;
    bool have = false;
    PetscCallCXX(have = out.exists("/evolve/rho"));
    if (!have) {
      PetscCallCXX(out.ensure_group("/evolve"));
      PetscCallCXX(out.create_complex_2d("/evolve/rho", snaps.count, dd,
                                         "density matrices at rho_t, each flat column-stacked "
                                         "(reshape(d, d, order='F'))"));
    }
  }
  if (!ctx.restart) {
    times.push_back(0.0);
    values.emplace_back();
    PetscCall(thermo.Evaluate(rho, &values[0]));
    if (snaps.every > 0) PetscCall(WriteSnapshot(out, snaps, rho, rstart, 0.0));
  }

  auto record = [&](index_t k, double t, Vec state) -> PetscErrorCode {
    PetscFunctionBeginUser;
    PetscCall(PetscLogStagePush(stage_output));
    times.push_back(t);
    values.emplace_back();
    PetscCall(thermo.Evaluate(state, &values.back()));
    if (snaps.every > 0 && k % snaps.every == 0)
      PetscCall(WriteSnapshot(out, snaps, state, rstart, t));
    PetscCall(PetscLogStagePop());
    PetscFunctionReturn(0);
  };
  EvolveStats stats;
  CheckpointClock clock(comm, p.deck->checkpoint.every_seconds);
  PetscErrorCode ckpt_error = 0;
  opts.should_stop = [&]() {
    const bool signalled = stop_signal_received(comm);
    if (!signalled && !clock.due()) return false;
    EvolveCheckpoint ck{
        stats.last_output,           times.back(), stats.dt, (index_t)snaps.next_row, snaps.times,
        ThermoSeries{times, values}, p.deck->toml};
    ckpt_error = WriteEvolveCheckpoint(comm, ckpt_path, rho, ck, p.ops.observable_names);
    return signalled || ckpt_error != 0;
  };
  PetscCall(PetscLogStagePush(stage_stepping));
  PetscCall(EvolveLinear(op, rho, opts, record, &stats));
  PetscCall(PetscLogStagePop());
  PetscCall(ckpt_error);
  ctx.stopped = stats.stopped;
  PetscCall(PetscPrintf(comm, "evolve: %s t = %g in %lld steps, %.2f s (method %s)\n",
                        stats.stopped ? "stopped at" : "reached", times.back(),
                        (long long)stats.steps, stats.wall_seconds, cfg.method.c_str()));

  PetscCall(PetscLogStagePush(stage_output));
  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX(write_thermo_series(out, "/evolve", times, values, p.ops.observable_names,
                                   thermo.entropy_enabled()));
  PetscCallCXX(out.write_complex_distributed(
      "/evolve/rho_final", dd, rstart, local,
      "density matrix at the last time reached, flat column-stacked (reshape(d, d, order='F'))"));
  PetscCallCXX(out.write_attribute("/evolve/rho_final", "layout", std::string("column-major")));
  if (snaps.every > 0) {
    PetscCallCXX(out.write_real("/evolve/rho_t", {snaps.times.size()}, snaps.times,
                                "times of the stored density matrices in /evolve/rho"));
    PetscCallCXX(out.write_attribute("/evolve/rho", "layout", std::string("column-major")));
  }
  PetscCallCXX(out.write_attribute("/evolve", "steps", static_cast<long long>(stats.steps)));
  PetscCallCXX(out.write_attribute("/evolve", "method", cfg.method));
  int rank;
  MPI_Comm_rank(comm, &rank);
  if (!stats.stopped && rank == 0) std::remove(ckpt_path.c_str());  // the run is complete
  PetscCall(PetscLogStagePop());
  PetscCall(VecDestroy(&rho));
  PetscCall(MatDestroy(&op));
  PetscCall(LiouvillianDestroy(&L));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

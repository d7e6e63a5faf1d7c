#include "evolve_runner.hpp"

#include <sys/stat.h>

#include <cmath>

#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/io/time_grid.hpp"
#include "qcoll/solvers/evolve.hpp"
#include "qcoll/superop/matrix_free.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/evaluator.hpp"

namespace qcoll {
namespace {

struct Snapshots {
  std::string path;   // group/rho
  index_t every = 0;  // store every k-th output; 0: none
  hsize_t count = 0, next_row = 0;
  std::vector<double> times;
};

PetscErrorCode WriteSnapshot(Hdf5File& out, Snapshots& s, Vec rho, PetscInt rstart, double t) {
  PetscFunctionBeginUser;
  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX(out.write_complex_row_distributed(s.path, s.next_row++, rstart, local));
  s.times.push_back(t);
  PetscFunctionReturn(0);
}

}  // namespace

bool checkpoint_has_deck(MPI_Comm comm, const std::string& path, const std::string& deck) {
  int rank = 0, present = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    struct stat st;
    present = stat(path.c_str(), &st) == 0;
  }
  MPI_Bcast(&present, 1, MPI_INT, 0, comm);
  if (!present) return false;
  try {
    Hdf5File f(path, comm, Hdf5File::Mode::Append);
    const bool same = f.read_string_attribute("/checkpoint", "deck") == deck;
    f.close();
    return same;
  } catch (const std::exception&) {
    return false;  // unreadable: the point starts at t = 0
  }
}

EvolutionOperator::~EvolutionOperator() {
  Release();
}

PetscErrorCode EvolutionOperator::Release() {
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&op_));
  PetscCall(LiouvillianDestroy(&L_));
  fixed_.clear();
  parts_.clear();
  PetscFunctionReturn(0);
}

PetscErrorCode EvolutionOperator::Setup(MPI_Comm comm, const Problem& p) {
  PetscFunctionBeginUser;
  PetscCall(LogStagePush("assembly"));
  PetscCall(Release());
  comm_ = comm;
  d_ = p.me.dim;
  PetscCall(CreateEvolutionOperator(comm, p, &L_, &op_));
  PetscBool shell = PETSC_FALSE;
  PetscCall(MatIsMatrixFreeLiouvillian(op_, &shell));
  matrix_free_ = shell == PETSC_TRUE;
  if (matrix_free_) {
    PetscCallCXX(fixed_ = fixed_liouvillian_terms(p.me));
    PetscCallCXX(parts_ = coherent_liouvillian_terms(p.me));
  }
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode EvolutionOperator::SetLambdas(const Problem& p) {
  PetscFunctionBeginUser;
  PetscCheck(op_ && p.me.dim == d_, comm_, PETSC_ERR_ARG_WRONG,
             "SetLambdas needs an operator set up for the same model");
  PetscCall(LogStagePush("assembly"));
  const std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  if (!matrix_free_) {
    PetscCall(LiouvillianSetCoefficients(&L_, coefs));
  } else {
    Mat shell;
    PetscCall(MatCreateMatrixFreeLiouvillian(comm_, d_, fixed_, parts_, coefs, &shell));
    PetscCall(MatDestroy(&op_));
    PetscCall(MatDestroy(&L_.total));
    PetscCall(PetscObjectReference(reinterpret_cast<PetscObject>(shell)));
    op_ = L_.total = shell;
    L_.coefs = coefs;
  }
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode EvolveProblem(MPI_Comm comm, const Problem& p, const EvolutionOperator& op,
                             Hdf5File& out, const EvolveTarget& target, EvolveResult* result) {
  PetscFunctionBeginUser;
  const EvolveSettings& cfg = p.settings.evolve;
  const std::string& g = target.group;
  PetscLogStage stage_assembly, stage_stepping, stage_output;
  PetscCall(LogStageGet("assembly", &stage_assembly));
  PetscCall(LogStageGet("time stepping", &stage_stepping));
  PetscCall(LogStageGet("output", &stage_output));
  *result = EvolveResult();
  PetscCall(PetscLogStagePush(stage_assembly));
  Vec rho;
  PetscCall(CreateInitialVector(p, op.liouvillian(), &rho));
  ThermoEvaluator thermo;
  PetscCall(thermo.Setup(op.op(), p.ops, p.betas, cfg.entropy));
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
  snaps.path = g + "/rho";
  snaps.every = cfg.store_states;
  std::vector<double>& times = result->t;
  std::vector<ThermoValues>& values = result->values;
  const std::string& ckpt_path = target.checkpoint;

  const bool resume = target.resume;
  if (resume) {
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
    if (ck.deck != p.identity)
      PetscCall(PetscPrintf(comm, "evolve: note: the deck differs from the checkpoint's deck\n"));
    PetscCall(PetscPrintf(comm, "evolve: restarting from %s at t = %g\n", ckpt_path.c_str(), ck.t));
    result->resumed = true;
  }
  if (snaps.every > 0) {
    snaps.count = opts.last_output / snaps.every + 1;
    bool have = false;
    PetscCallCXX(have = out.exists(snaps.path));
    if (!have) {
      PetscCallCXX(out.ensure_group(g));
      PetscCallCXX(out.create_complex_2d(snaps.path, snaps.count, dd,
                                         "density matrices at rho_t, each flat column-stacked "
                                         "(reshape(d, d, order='F'))"));
    }
  }
  if (!resume) {
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
  CheckpointClock clock(comm, p.settings.checkpoint.every_seconds);
  PetscErrorCode ckpt_error = 0;
  opts.should_stop = [&]() {
    const bool signalled = stop_signal_received(comm);
    if (!signalled && !clock.due()) return false;
    // What the output holds so far (the stored states before this point)
    // goes to disk first, so the checkpoint never refers to lost rows.
    try {
      out.flush();
    } catch (const std::exception& e) {
      ckpt_error = PETSC_ERR_FILE_WRITE;
      PetscPrintf(comm, "evolve: %s\n", e.what());
      return true;
    }
    EvolveCheckpoint ck{
        stats.last_output,           times.back(), stats.dt, (index_t)snaps.next_row, snaps.times,
        ThermoSeries{times, values}, p.identity};
    ckpt_error = WriteEvolveCheckpoint(comm, ckpt_path, rho, ck, p.ops.observable_names);
    return signalled || ckpt_error != 0;
  };
  PetscCall(PetscLogStagePush(stage_stepping));
  PetscCall(EvolveLinear(op.op(), rho, opts, record, &stats));
  PetscCall(PetscLogStagePop());
  PetscCall(ckpt_error);
  result->stopped = stats.stopped;
  result->with_entropy = thermo.entropy_enabled();
  PetscCall(PetscPrintf(comm, "evolve: %s t = %g in %lld steps, %.2f s (method %s)\n",
                        stats.stopped ? "stopped at" : "reached", times.back(),
                        (long long)stats.steps, stats.wall_seconds, cfg.method.c_str()));

  PetscCall(PetscLogStagePush(stage_output));
  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX(write_thermo_series(out, g, times, values, p.ops.observable_names,
                                   FieldAvailability::evolution(result->with_entropy, p.betas)));
  PetscCallCXX(out.write_complex_distributed(
      g + "/rho_final", dd, rstart, local,
      "density matrix at the last time reached, flat column-stacked (reshape(d, d, order='F'))"));
  PetscCallCXX(out.write_attribute(g + "/rho_final", "layout", std::string("column-major")));
  if (snaps.every > 0) {
    PetscCallCXX(out.write_real(g + "/rho_t", {snaps.times.size()}, snaps.times,
                                "times of the stored density matrices in " + snaps.path));
    PetscCallCXX(out.write_attribute(snaps.path, "layout", std::string("column-major")));
  }
  PetscCallCXX(out.write_attribute(g, "steps", static_cast<long long>(stats.steps)));
  PetscCallCXX(out.write_attribute(g, "method", cfg.method));
  PetscCall(PetscLogStagePop());
  PetscCall(VecDestroy(&rho));
  // No result without its guarantee: a finished series is the whole dt_output
  // grid up to t_final (written above for inspection; the file stays complete = 0).
  if (!stats.stopped) {
    std::string defect;
    PetscCallCXX(defect = time_series_defect(times, cfg.t_final, cfg.dt_output, true));
    PetscCheck(defect.empty(), comm, PETSC_ERR_PLIB,
               "%s: %s; the output is not marked complete (complete = 0)", g.c_str(),
               defect.c_str());
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll

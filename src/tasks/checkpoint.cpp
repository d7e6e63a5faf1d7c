#include "qcoll/tasks/checkpoint.hpp"

#include <cmath>
#include <csignal>
#include <cstdio>
#include <functional>
#include <stdexcept>

#include "qcoll/io/deck_difference.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {
namespace {
volatile std::sig_atomic_t g_stop_flag = 0;
extern "C" void on_stop_signal(int) {
  g_stop_flag = 1;
}
}  // namespace

void install_stop_signals() {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGUSR1, on_stop_signal);
}

bool stop_flag_raised() {
  return g_stop_flag != 0;
}

void raise_stop_flag() {
  g_stop_flag = 1;
}

void clear_stop_flag() {
  g_stop_flag = 0;
}

bool stop_signal_received(MPI_Comm comm) {
  int local = g_stop_flag ? 1 : 0, any = 0;
  MPI_Allreduce(&local, &any, 1, MPI_INT, MPI_MAX, comm);
  return any != 0;
}

CheckpointClock::CheckpointClock(MPI_Comm comm, double every)
    : comm_(comm), every_(every), last_(MPI_Wtime()) {}

bool CheckpointClock::due() {
  int flag = 0;
  if (every_ > 0) flag = MPI_Wtime() - last_ >= every_;
  MPI_Bcast(&flag, 1, MPI_INT, 0, comm_);
  if (flag) last_ = MPI_Wtime();
  return flag != 0;
}

std::string checkpoint_path(const std::string& output) {
  return output + ".checkpoint";
}

void commit_checkpoint(MPI_Comm comm, const std::string& tmp, const std::string& path) {
  int rank;
  MPI_Comm_rank(comm, &rank);
  int ok = 1;
  if (rank == 0) ok = std::rename(tmp.c_str(), path.c_str()) == 0;
  MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  if (!ok) throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

std::string checkpoint_task(MPI_Comm comm, const std::string& path) {
  Hdf5File f(path, comm, Hdf5File::Mode::Append);
  return f.exists("/checkpoint/collide")  ? "collide"
         : f.exists("/checkpoint/steady") ? "steady"
                                          : "evolve";
}

namespace {

// A new checkpoint file with the distributed state `rho` as /checkpoint/rho
// (and what `more` writes), written to path.tmp and renamed (atomic).
PetscErrorCode WriteStateCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                    const std::string& description,
                                    const std::function<void(Hdf5File&)>& more) {
  PetscFunctionBeginUser;
  const std::string tmp = path + ".tmp";
  PetscInt n, rstart;
  PetscCall(VecGetSize(rho, &n));
  PetscCall(VecGetOwnershipRange(rho, &rstart, nullptr));
  std::vector<cplx> local;
  PetscCall(LocalValues(rho, &local));
  PetscCallCXX({
    Hdf5File f(tmp, comm, Hdf5File::Mode::Create);
    f.allow_non_finite();  // a checkpoint stores what it has
    f.ensure_group("/checkpoint");
    f.write_complex_distributed("/checkpoint/rho", n, rstart, local, description);
    more(f);
    f.close();
  });
  PetscCallCXX(commit_checkpoint(comm, tmp, path));
  PetscFunctionReturn(0);
}

// /checkpoint/rho of `path` into rho (this run's layout; same global size),
// and what `more` reads.
PetscErrorCode ReadStateCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                   const std::function<void(Hdf5File&)>& more) {
  PetscFunctionBeginUser;
  PetscInt n, rstart, rend;
  PetscCall(VecGetSize(rho, &n));
  PetscCall(VecGetOwnershipRange(rho, &rstart, &rend));
  std::vector<cplx> local;
  PetscCallCXX({
    Hdf5File f(path, comm, Hdf5File::Mode::Append);
    const std::vector<hsize_t> shape = f.shape("/checkpoint/rho");
    if (shape.size() != 1 || shape[0] != static_cast<hsize_t>(n))
      throw std::runtime_error("the checkpoint's state has another size than this run's");
    local = f.read_complex_range("/checkpoint/rho", rstart, rend - rstart);
    more(f);
    f.close();
  });
  PetscScalar* a;
  PetscCall(VecGetArray(rho, &a));
  for (PetscInt i = 0; i < rend - rstart; ++i) a[i] = local[i];
  PetscCall(VecRestoreArray(rho, &a));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode WriteEvolveCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                     const EvolveCheckpoint& c,
                                     const std::vector<std::string>& observable_names) {
  PetscFunctionBeginUser;
  PetscCall(WriteStateCheckpoint(
      comm, path, rho, "density matrix at the checkpoint, flat column-stacked", [&](Hdf5File& f) {
        f.write_attribute("/checkpoint", "k", static_cast<long long>(c.k));
        f.write_attribute("/checkpoint", "t", c.t);
        f.write_attribute("/checkpoint", "dt", c.dt);
        f.write_attribute("/checkpoint", "snapshots", static_cast<long long>(c.snapshots));
        f.write_attribute("/checkpoint", "deck", c.deck);
        f.write_real("/checkpoint/snapshot_times", {c.snapshot_times.size()}, c.snapshot_times,
                     "times of the density matrices stored so far in /evolve/rho");
        // Every field, as it is (NaN where not computed): a checkpoint is not a result.
        FieldAvailability all{true, true, true, true, false};
        write_thermo_series(f, "/checkpoint/series", c.series.t, c.series.values, observable_names,
                            all);
      }));
  PetscFunctionReturn(0);
}

PetscErrorCode ReadEvolveCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                    EvolveCheckpoint* c,
                                    const std::vector<std::string>& observable_names) {
  PetscFunctionBeginUser;
  PetscCall(ReadStateCheckpoint(comm, path, rho, [&](Hdf5File& f) {
    c->k = f.read_int_attribute("/checkpoint", "k");
    c->t = f.read_real_attribute("/checkpoint", "t");
    c->dt = f.read_real_attribute("/checkpoint", "dt");
    c->snapshots = f.read_int_attribute("/checkpoint", "snapshots");
    c->deck = f.read_string_attribute("/checkpoint", "deck");
    c->snapshot_times = f.read_real("/checkpoint/snapshot_times");
    c->series = read_thermo_series(f, "/checkpoint/series", observable_names);
  }));
  PetscFunctionReturn(0);
}

void check_restart_deck(MPI_Comm comm, const std::string& deck_toml, const std::string& path,
                        const std::vector<std::string>& free, const std::string& what) {
  std::string saved;
  {
    Hdf5File f(path, comm, Hdf5File::Mode::Append);
    saved = f.read_string_attribute("/checkpoint", "deck");
  }
  const std::vector<DeckDifference> diff = deck_differences(deck_toml, saved, free);
  if (diff.empty()) return;
  std::string more;
  if (diff.size() > 1)
    more = " (and " + std::to_string(diff.size() - 1) + " more key" + (diff.size() > 2 ? "s" : "") +
           ")";
  throw InputError("--restart: the deck differs from the one the checkpoint " + path +
                       " was written with: " + diff[0].key + " is " + diff[0].first + " here and " +
                       diff[0].second + " in the checkpoint" + more + ". " + what +
                       "; restart with the original deck and --set options, or start a new "
                       "run without --restart",
                   diff[0].key);
}

const std::vector<std::string>& evolve_restart_free_tables() {
  static const std::vector<std::string> tables{"title",   "run",    "checkpoint",
                                               "collide", "steady", "sweep"};
  return tables;
}

void check_evolve_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path) {
  check_restart_deck(comm, deck_toml, path, evolve_restart_free_tables(),
                     "An evolve run continues only with the same model, initial state and "
                     "[evolve] settings");
}

PetscErrorCode WriteSteadyCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                     const std::string& deck) {
  PetscFunctionBeginUser;
  PetscCall(WriteStateCheckpoint(comm, path, rho,
                                 "last iterate of the stopped steady-state solve (not a steady "
                                 "state), flat column-stacked",
                                 [&](Hdf5File& f) {
                                   f.ensure_group("/checkpoint/steady");
                                   f.write_attribute("/checkpoint", "deck", deck);
                                 }));
  PetscFunctionReturn(0);
}

PetscErrorCode ReadSteadyCheckpoint(MPI_Comm comm, const std::string& path, Vec rho) {
  PetscFunctionBeginUser;
  PetscCall(ReadStateCheckpoint(comm, path, rho, [](Hdf5File&) {}));
  PetscFunctionReturn(0);
}

const std::vector<std::string>& steady_restart_free_tables() {
  static const std::vector<std::string> tables{"title",   "run",    "checkpoint",
                                               "collide", "evolve", "sweep"};
  return tables;
}

void check_steady_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path) {
  check_restart_deck(comm, deck_toml, path, steady_restart_free_tables(),
                     "A steady solve continues only with the same model and [steady] settings");
}

}  // namespace qcoll

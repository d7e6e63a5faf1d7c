#pragma once
// Checkpoints of long evolutions, and the signals that ask for one.
//
// The checkpoint of OUT.h5 is the HDF5 file OUT.h5.checkpoint: rho
// (distributed, column-stacked), the output index k, t, the next TS step, the
// time series so far and the deck. It is written to OUT.h5.checkpoint.tmp and
// renamed, so a SIGKILL at any moment leaves the previous checkpoint intact.
// (collide writes its own contents the same way: collide_checkpoint.hpp.)
#include <petscvec.h>

#include <string>
#include <vector>

#include "qcoll/io/output.hpp"

namespace qcoll {

// SIGTERM and SIGUSR1 set a flag (SLURM sends them before the time limit);
// the evolution checkpoints at the next output time and exits 0.
void install_stop_signals();
// Collective: whether any rank received a stop signal.
bool stop_signal_received(MPI_Comm comm);
// This process' own flag (no communication; safe from any thread).
bool stop_flag_raised();
// For tests: pretend a signal arrived, and forget it again.
void raise_stop_flag();
void clear_stop_flag();

// Periodic checkpoints every `every` seconds of wall time (0: never). Rank
// 0's clock decides, so all ranks agree; due() is collective.
class CheckpointClock {
 public:
  CheckpointClock(MPI_Comm comm, double every);
  bool due();

 private:
  MPI_Comm comm_;
  double every_;
  double last_;
};

struct EvolveCheckpoint {
  index_t k = 0;  // index of the last output (t = k dt_output)
  double t = 0.0;
  double dt = 0.0;        // next TS step
  index_t snapshots = 0;  // rows of /evolve/rho written so far
  std::vector<double> snapshot_times;
  ThermoSeries series;
  std::string deck;  // deck TOML of the run
};

std::string checkpoint_path(const std::string& output);

// Moves the complete temporary file `tmp` to `path` (rank 0 renames, which
// replaces `path` atomically). Collective; throws std::runtime_error.
void commit_checkpoint(MPI_Comm comm, const std::string& tmp, const std::string& path);

// The task whose checkpoint `path` is: "collide", "steady" or "evolve". Collective;
// throws std::runtime_error when the file cannot be read.
std::string checkpoint_task(MPI_Comm comm, const std::string& path);

PetscErrorCode WriteEvolveCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                     const EvolveCheckpoint& c,
                                     const std::vector<std::string>& observable_names);
// rho must already have the run's layout.
PetscErrorCode ReadEvolveCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                    EvolveCheckpoint* c,
                                    const std::vector<std::string>& observable_names);

// Refuses (InputError naming the first differing key, its values and `what`)
// to continue the checkpoint `path` with the deck `deck_toml` (the TOML
// after overrides) when the two decks differ
// outside the top-level keys and tables `free`. Collective.
void check_restart_deck(MPI_Comm comm, const std::string& deck_toml, const std::string& path,
                        const std::vector<std::string>& free, const std::string& what);

// The top-level deck tables an evolve restart may change, and the check
// itself: model, initial state and [evolve] must be the same.
const std::vector<std::string>& evolve_restart_free_tables();
void check_evolve_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path);

// The checkpoint of an iterative steady solve stopped by a signal: its last
// iterate (full-length, column-stacked; not a steady state) and the deck,
// from which `--restart` continues the solve.
PetscErrorCode WriteSteadyCheckpoint(MPI_Comm comm, const std::string& path, Vec rho,
                                     const std::string& deck);
// rho must already have the run's layout.
PetscErrorCode ReadSteadyCheckpoint(MPI_Comm comm, const std::string& path, Vec rho);
// A steady restart: the same model, initial state and [steady] settings.
const std::vector<std::string>& steady_restart_free_tables();
void check_steady_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path);

}  // namespace qcoll

#pragma once
// Checkpoints of collide runs. Like evolve's (checkpoint.hpp), the checkpoint
// of OUT.h5 is the file OUT.h5.checkpoint, written to OUT.h5.checkpoint.tmp
// and renamed, so a SIGKILL at any moment leaves the previous one intact:
//
//   /checkpoint              attrs task = "collide", deck (TOML after overrides)
//   /checkpoint/collide/<k>  one group per tau of [collide], deck order; attrs
//                            tau, stage ("pending" | "running" | "finished"),
//                            stroke (strokes applied), strokes (of the run);
//                            progress[n]: the run's CollideProgress in the flat
//                            form of collide_run.hpp (stage, stroke,
//                            last_recorded, rho, rho_ME, the records so far)
#include <mpi.h>

#include <string>
#include <vector>

#include "qcoll/collide/collide_run.hpp"

namespace qcoll {

struct CollideCheckpoint {
  std::string deck;                   // the run's deck TOML (Problem::identity)
  std::vector<CollideProgress> runs;  // one per tau of [collide], deck order
};

// Collective; `c` must be the same on every rank. Throws std::runtime_error.
void write_collide_checkpoint(MPI_Comm comm, const std::string& path, const CollideCheckpoint& c);
// Collective; every rank reads all of it. Throws std::runtime_error.
CollideCheckpoint read_collide_checkpoint(MPI_Comm comm, const std::string& path);

// The top-level deck tables a collide restart may change: they do not enter
// the collide results.
const std::vector<std::string>& collide_restart_free_tables();

// Refuses (InputError, naming the first differing key) to continue the
// checkpoint `path` with `deck` when the two decks differ in anything but
// collide_restart_free_tables(): the physics and [collide] must be the same.
// Collective.
void check_collide_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path);

}  // namespace qcoll

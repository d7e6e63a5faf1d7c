#pragma once
// Internal to the collide task: the runs at every tau, each on its owner
// rank, advanced in rounds so that the ranks can checkpoint and stop
// together. In a round every rank works on its current tau for about
// kCollideRoundSeconds of wall time (at least one stroke; a new tau's setup
// counts as work of the round); then the ranks agree on whether all runs are
// done, one failed, a checkpoint is due ([checkpoint] every_seconds) or a
// stop signal (SIGTERM, SIGUSR1) arrived, which checkpoints and stops.
#include <petscsys.h>

#include <string>
#include <vector>

#include "qcoll/collide/collide_run.hpp"
#include "qcoll/problem/problem.hpp"

namespace qcoll {

inline constexpr double kCollideRoundSeconds = 0.1;

// Broadcasts `data` from `root` (every rank gets root's size and values).
PetscErrorCode BroadcastDoubles(MPI_Comm comm, int root, std::vector<double>* data);

// Runs every tau of p.deck->collide on rank owner[k], continuing runs[k]
// (Pending, Running or Finished, the same on every rank; from a checkpoint or
// fresh). On return every run this rank owns is Finished, or `*stopped` is
// set after the checkpoint `checkpoint` was written. A failure on any rank
// fails on every rank with the first failing rank's message. Collective.
PetscErrorCode RunCollideRounds(MPI_Comm comm, const Problem& p, const std::vector<int>& owner,
                                const std::string& checkpoint, std::vector<CollideProgress>* runs,
                                bool* stopped);

}  // namespace qcoll

#pragma once
// `--restart OUT.h5` of a run that already finished: a no-op (a requeued job
// that had completed stays green), but only for the same task and deck.
#include <mpi.h>

#include <string>

namespace qcoll {

// Collective. True when `output` exists and carries the root attribute
// complete = 1, was written by `task` from `deck_toml` (compared outside the
// tables a restart of that task may change, as for a checkpoint). Throws
// InputError when the finished file comes from another task or deck: that
// restart would silently return the old result. False for a missing,
// unreadable or unfinished file (the restart then needs its checkpoint).
bool restart_already_complete(MPI_Comm comm, const std::string& deck_toml, bool sweep,
                              const std::string& task, const std::string& output);

}  // namespace qcoll

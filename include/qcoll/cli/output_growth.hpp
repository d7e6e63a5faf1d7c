#pragma once
// The up-front estimate of everything a run grows with its input: the evolve
// time series (and stored states) and the collide per-stroke tables, in the
// output file, in its checkpoint and in memory. Refused before anything runs
// when it exceeds the free disk of the output directory or the memory left
// per rank, naming the deck key to change (--force runs anyway).
#include <mpi.h>

#include <optional>
#include <string>

#include "qcoll/io/deck.hpp"
#include "qcoll/tasks/resources.hpp"

namespace qcoll {

struct GrowthEstimate {
  std::string what;  // "evolve writes a time series of ..." ("" when nothing grows)
  std::string key;   // the deck key to change, e.g. "evolve.dt_output"
  std::string advice;
  double output_bytes = 0;      // in OUT.h5
  double checkpoint_bytes = 0;  // in OUT.h5.checkpoint, counting a checkpoint being replaced
  double memory_per_rank = 0;   // held on every rank while the run goes on
};

// From the deck alone (d = dimension of the system): `task` "evolve" (every
// [sweep] point, or point `sweep_index`), "collide", or "steady" with a
// [sweep] (each point's rho); other tasks grow nothing and give an empty
// estimate.
GrowthEstimate estimate_output_growth(const Deck& deck, const std::string& task, index_t d,
                                      std::optional<long long> sweep_index);

// Collective. Throws InputError (key g.key) unless force when the output and
// checkpoint exceed the free space of the directory of `output` (with
// `restart`, plus what the existing output and checkpoint files hold, as they
// are rewritten), or g.memory_per_rank exceeds what `m` leaves per rank.
// Unknown free space or memory is not checked.
void check_output_growth(MPI_Comm comm, const GrowthEstimate& g, const MemoryEstimate& m,
                         const std::string& output, bool restart, bool force);

}  // namespace qcoll

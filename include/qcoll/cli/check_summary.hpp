#pragma once
// `qcoll check` (interface.md): what the deck describes and what a run of it
// will cost, printed on rank 0.
#include <mpi.h>

#include "qcoll/io/deck.hpp"

namespace qcoll {

// Collective. Throws InputError.
void print_check_summary(MPI_Comm comm, const Deck& deck);

}  // namespace qcoll

#pragma once
// The -log_view stages every task uses, so a profile splits into the same
// phases whatever ran: "assembly" (deck -> Liouvillian, operators),
// "time stepping", "steady solve", "spectrum", "collisions", "output".
#include <petsclog.h>

namespace qcoll {

// The stage named `name`, registered on first use.
PetscErrorCode LogStageGet(const char* name, PetscLogStage* stage);

// Pushes the stage named `name` (pop with PetscLogStagePop).
PetscErrorCode LogStagePush(const char* name);

}  // namespace qcoll

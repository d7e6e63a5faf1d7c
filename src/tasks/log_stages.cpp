#include "qcoll/tasks/log_stages.hpp"

namespace qcoll {

PetscErrorCode LogStageGet(const char* name, PetscLogStage* stage) {
  PetscFunctionBeginUser;
  *stage = -1;
  PetscCall(PetscLogStageGetId(name, stage));  // -1 for a name not registered yet
  if (*stage < 0) PetscCall(PetscLogStageRegister(name, stage));
  PetscFunctionReturn(0);
}

PetscErrorCode LogStagePush(const char* name) {
  PetscFunctionBeginUser;
  PetscLogStage stage;
  PetscCall(LogStageGet(name, &stage));
  PetscCall(PetscLogStagePush(stage));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

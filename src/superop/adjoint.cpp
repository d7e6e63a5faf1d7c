#include "qcoll/superop/adjoint.hpp"

#include <vector>

namespace qcoll {

PetscErrorCode AdjointScatterCreate(Vec like, index_t d, AdjointScatter* out) {
  PetscFunctionBeginUser;
  PetscInt rstart, rend, n;
  PetscCall(VecGetSize(like, &n));
  PetscCheck(n == static_cast<PetscInt>(d * d),
             PetscObjectComm(reinterpret_cast<PetscObject>(like)), PETSC_ERR_ARG_SIZ,
             "vector of length %" PetscInt_FMT " is not vec of a %lld x %lld matrix", n,
             static_cast<long long>(d), static_cast<long long>(d));
  PetscCall(VecGetOwnershipRange(like, &rstart, &rend));
  // Owned target entry k = i + d*j of vec(rho^T) takes source entry j + d*i.
  std::vector<PetscInt> from(rend - rstart), to(rend - rstart);
  for (PetscInt k = rstart; k < rend; ++k) {
    const PetscInt i = k % d, j = k / d;
    to[k - rstart] = k;
    from[k - rstart] = j + static_cast<PetscInt>(d) * i;
  }
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(like));
  IS is_from, is_to;
  PetscCall(ISCreateGeneral(comm, rend - rstart, from.data(), PETSC_COPY_VALUES, &is_from));
  PetscCall(ISCreateGeneral(comm, rend - rstart, to.data(), PETSC_COPY_VALUES, &is_to));
  PetscCall(VecDuplicate(like, &out->work));
  PetscCall(VecScatterCreate(like, is_from, out->work, is_to, &out->scatter));
  PetscCall(ISDestroy(&is_from));
  PetscCall(ISDestroy(&is_to));
  out->d = d;
  PetscFunctionReturn(0);
}

PetscErrorCode AdjointScatterDestroy(AdjointScatter* a) {
  PetscFunctionBeginUser;
  PetscCall(VecScatterDestroy(&a->scatter));
  PetscCall(VecDestroy(&a->work));
  PetscFunctionReturn(0);
}

PetscErrorCode VecAdjoint(AdjointScatter* a, Vec rho, Vec out) {
  PetscFunctionBeginUser;
  PetscCall(VecScatterBegin(a->scatter, rho, out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(a->scatter, rho, out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecConjugate(out));
  PetscFunctionReturn(0);
}

PetscErrorCode VecHermitianPart(AdjointScatter* a, Vec rho, PetscReal* antihermitian_norm) {
  PetscFunctionBeginUser;
  PetscCall(VecAdjoint(a, rho, a->work));
  if (antihermitian_norm) {
    PetscCall(VecAYPX(a->work, -1.0, rho));  // work = rho - rho^dag
    PetscCall(VecNorm(a->work, NORM_2, antihermitian_norm));
    PetscCall(VecAXPY(rho, -0.5, a->work));  // rho - (rho - rho^dag)/2
  } else {
    PetscCall(VecAXPBY(rho, 0.5, 0.5, a->work));
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll

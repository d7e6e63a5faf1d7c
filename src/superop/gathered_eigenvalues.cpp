#include "qcoll/superop/gathered_eigenvalues.hpp"

#include "qcoll/model/dense.hpp"

namespace qcoll {

PetscErrorCode HermitianEigenvaluesOfVec(Vec x, index_t d, std::vector<double>* eigenvalues) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(x), &comm));
  VecScatter scatter;
  Vec x0;
  PetscCall(VecScatterCreateToZero(x, &scatter, &x0));
  PetscCall(VecScatterBegin(scatter, x, x0, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, x, x0, INSERT_VALUES, SCATTER_FORWARD));
  int rank;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallCXX(eigenvalues->assign(static_cast<size_t>(d), 0.0));
  if (rank == 0) {
    const PetscScalar* a;
    PetscCall(VecGetArrayRead(x0, &a));
    DenseMatrix h(d, d);  // (X + X^+) / 2, against round-off
    for (index_t j = 0; j < d; ++j)
      for (index_t i = 0; i < d; ++i) h(i, j) = 0.5 * (a[i + d * j] + PetscConj(a[j + d * i]));
    PetscCall(VecRestoreArrayRead(x0, &a));
    PetscCallCXX(*eigenvalues = eigvalsh(h));
  }
  PetscCallMPI(MPI_Bcast(eigenvalues->data(), static_cast<int>(d), MPI_DOUBLE, 0, comm));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&x0));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

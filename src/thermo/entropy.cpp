#include "qcoll/thermo/entropy.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "qcoll/model/dense.hpp"

namespace qcoll {
namespace {

// vec (column-stacked) -> row-major dense.
DenseMatrix unvec(const PetscScalar* a, index_t d) {
  DenseMatrix m(d, d);
  for (index_t j = 0; j < d; ++j)
    for (index_t i = 0; i < d; ++i) m(i, j) = a[i + d * j];
  return m;
}

EntropyData entropy_dense(const DenseMatrix& rho, const DenseMatrix* drho) {
  // Symmetrise against round-off before diagonalising.
  const DenseMatrix h = cplx(0.5) * (rho + rho.adjoint());
  // Eigenvectors only for the rate (zheev without them is several times faster).
  HermitianEigen e;
  if (drho) {
    e = eigh(h);
  } else {
    e.values = eigvalsh(h);
  }
  EntropyData out;
  out.min_eigenvalue = e.values.front();
  out.entropy = von_neumann_entropy(e.values);
  if (drho) {
    // tr(rho' ln rho) = sum_k ln p_k <k|rho'|k>, with M = rho' U formed row by row
    // (contiguous inner loop) and <k|rho'|k> = sum_i conj(U_ik) M_ik.
    const index_t d = rho.rows();
    std::vector<cplx> diag(d, 0.0), row(d);
    for (index_t i = 0; i < d; ++i) {
      std::fill(row.begin(), row.end(), cplx(0.0));
      for (index_t j = 0; j < d; ++j) {
        const cplx a = (*drho)(i, j);
        if (a == cplx(0.0)) continue;
        const cplx* u = &e.vectors(j, 0);
        for (index_t k = 0; k < d; ++k) row[k] += a * u[k];
      }
      const cplx* ui = &e.vectors(i, 0);
      for (index_t k = 0; k < d; ++k) diag[k] += std::conj(ui[k]) * row[k];
    }
    for (index_t k = 0; k < d; ++k)
      out.entropy_rate -= std::log(std::max(e.values[k], kEigenvalueFloor)) * diag[k].real();
  }
  return out;
}

}  // namespace

double von_neumann_entropy(const std::vector<double>& eigenvalues) {
  double s = 0.0;
  for (double p : eigenvalues)
    if (p > 0.0) s -= p * std::log(p);
  return s;
}

PetscErrorCode EntropyOfDistributed(Vec rho, Vec drho, index_t d, EntropyData* out) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(rho), &comm));
  VecScatter scatter;
  Vec rho0, drho0 = nullptr;
  PetscCall(VecScatterCreateToZero(rho, &scatter, &rho0));
  PetscCall(VecScatterBegin(scatter, rho, rho0, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, rho, rho0, INSERT_VALUES, SCATTER_FORWARD));
  if (drho) {
    PetscCall(VecDuplicate(rho0, &drho0));
    PetscCall(VecScatterBegin(scatter, drho, drho0, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(scatter, drho, drho0, INSERT_VALUES, SCATTER_FORWARD));
  }
  int rank;
  MPI_Comm_rank(comm, &rank);
  double buf[3] = {0, 0, 0};
  if (rank == 0) {
    const PetscScalar *a, *b = nullptr;
    PetscCall(VecGetArrayRead(rho0, &a));
    if (drho0) PetscCall(VecGetArrayRead(drho0, &b));
    const DenseMatrix r = unvec(a, d);
    DenseMatrix dr;
    if (b) dr = unvec(b, d);
    const EntropyData e = entropy_dense(r, b ? &dr : nullptr);
    buf[0] = e.entropy;
    buf[1] = e.entropy_rate;
    buf[2] = e.min_eigenvalue;
    PetscCall(VecRestoreArrayRead(rho0, &a));
    if (drho0) PetscCall(VecRestoreArrayRead(drho0, &b));
  }
  PetscCallMPI(MPI_Bcast(buf, 3, MPI_DOUBLE, 0, comm));
  out->entropy = buf[0];
  out->entropy_rate = buf[1];
  out->min_eigenvalue = buf[2];
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&rho0));
  if (drho0) PetscCall(VecDestroy(&drho0));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

#include "dense_eigen.hpp"

extern "C" void zgeev_(const char* jobvl, const char* jobvr, const int* n, qcoll::cplx* a,
                       const int* lda, qcoll::cplx* w, qcoll::cplx* vl, const int* ldvl,
                       qcoll::cplx* vr, const int* ldvr, qcoll::cplx* work, const int* lwork,
                       double* rwork, int* info);

namespace qcoll {

bool dense_eigen_column_major(index_t n, const std::vector<cplx>& a, DenseEigen* out) {
  const int m = static_cast<int>(n);
  std::vector<cplx> copy = a;
  out->values.assign(n, 0.0);
  out->vectors.assign(n * n, 0.0);
  if (n == 0) return true;
  int lwork = -1, info = 0, one = 1;
  cplx query;
  std::vector<double> rwork(2 * n);
  cplx dummy;
  zgeev_("N", "V", &m, copy.data(), &m, out->values.data(), &dummy, &one, out->vectors.data(), &m,
         &query, &lwork, rwork.data(), &info);
  if (info != 0) return false;
  lwork = static_cast<int>(query.real());
  std::vector<cplx> work(lwork);
  zgeev_("N", "V", &m, copy.data(), &m, out->values.data(), &dummy, &one, out->vectors.data(), &m,
         work.data(), &lwork, rwork.data(), &info);
  return info == 0;
}

}  // namespace qcoll

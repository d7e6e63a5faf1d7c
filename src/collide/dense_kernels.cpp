#include "dense_kernels.hpp"

#include <limits>
#include <stdexcept>

extern "C" {
void zgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const std::complex<double>* alpha, const std::complex<double>* a, const int* lda,
            const std::complex<double>* b, const int* ldb, const std::complex<double>* beta,
            std::complex<double>* c, const int* ldc, std::size_t transa_len,
            std::size_t transb_len);
void zgesv_(const int* n, const int* nrhs, std::complex<double>* a, const int* lda, int* ipiv,
            std::complex<double>* b, const int* ldb, int* info);
}

namespace qcoll::collide {
namespace {

int blas_int(index_t n) {
  if (n > std::numeric_limits<int>::max())
    throw std::invalid_argument("matrix dimension too large for BLAS");
  return static_cast<int>(n);
}

index_t op_rows(const DenseMatrix& m, Op op) {
  return op == Op::None ? m.rows() : m.cols();
}
index_t op_cols(const DenseMatrix& m, Op op) {
  return op == Op::None ? m.cols() : m.rows();
}

}  // namespace

void gemm(const DenseMatrix& a, Op opa, const DenseMatrix& b, Op opb, DenseMatrix& c, cplx alpha,
          cplx beta) {
  const index_t m = op_rows(a, opa), k = op_cols(a, opa), n = op_cols(b, opb);
  if (op_rows(b, opb) != k) throw std::invalid_argument("gemm: inner dimensions differ");
  if (beta == cplx(0.0)) {
    if (c.rows() != m || c.cols() != n) c = DenseMatrix(m, n);
  } else if (c.rows() != m || c.cols() != n) {
    throw std::invalid_argument("gemm: shape of c differs");
  }
  if (m == 0 || n == 0) return;
  // Row-major X is column-major X^T, and (op(A) op(B))^T = op(B)^T op(A)^T where
  // op(X)^T is X^T itself ('N') or its adjoint ('C').
  const char ta = opa == Op::None ? 'N' : 'C', tb = opb == Op::None ? 'N' : 'C';
  const int im = blas_int(n), in = blas_int(m), ik = blas_int(k);
  const int lda = blas_int(std::max<index_t>(1, a.cols()));
  const int ldb = blas_int(std::max<index_t>(1, b.cols()));
  const int ldc = blas_int(std::max<index_t>(1, c.cols()));
  zgemm_(&tb, &ta, &im, &in, &ik, &alpha, b.data(), &ldb, a.data(), &lda, &beta, c.data(), &ldc, 1,
         1);
}

DenseMatrix product(const DenseMatrix& a, Op opa, const DenseMatrix& b, Op opb) {
  DenseMatrix c;
  gemm(a, opa, b, opb, c);
  return c;
}

DenseMatrix multiply(const CsrMatrix& a, const DenseMatrix& b) {
  if (a.cols() != b.rows()) throw std::invalid_argument("multiply: inner dimensions differ");
  DenseMatrix c(a.rows(), b.cols());
  const auto& rp = a.rowptr();
  const auto& ci = a.colind();
  const auto& v = a.values();
  for (index_t i = 0; i < a.rows(); ++i)
    for (index_t p = rp[i]; p < rp[i + 1]; ++p) {
      const cplx x = v[p];
      const cplx* brow = &b(ci[p], 0);
      cplx* crow = &c(i, 0);
      for (index_t j = 0; j < b.cols(); ++j) crow[j] += x * brow[j];
    }
  return c;
}

cplx trace_product(const CsrMatrix& a, const DenseMatrix& b) {
  cplx t = 0.0;
  const auto& rp = a.rowptr();
  for (index_t i = 0; i < a.rows(); ++i)
    for (index_t p = rp[i]; p < rp[i + 1]; ++p) t += a.values()[p] * b(a.colind()[p], i);
  return t;
}

cplx trace_product(const DenseMatrix& a, const DenseMatrix& b) {
  cplx t = 0.0;
  for (index_t i = 0; i < a.rows(); ++i)
    for (index_t k = 0; k < a.cols(); ++k) t += a(i, k) * b(k, i);
  return t;
}

cplx frobenius_inner(const DenseMatrix& a, const DenseMatrix& b) {
  cplx t = 0.0;
  const index_t n = a.rows() * a.cols();
  for (index_t k = 0; k < n; ++k) t += a.data()[k] * std::conj(b.data()[k]);
  return t;
}

DenseMatrix hermitian_part(const DenseMatrix& m) {
  return cplx(0.5) * (m + m.adjoint());
}

bool solve_linear(const DenseMatrix& a, std::vector<cplx>& b) {
  const int n = blas_int(a.rows()), nrhs = 1;
  if (a.cols() != a.rows() || static_cast<index_t>(b.size()) != a.rows())
    throw std::invalid_argument("solve_linear: shapes differ");
  // Column-major a is the transpose of the row-major buffer.
  DenseMatrix at = a.transpose();
  std::vector<int> ipiv(n);
  int info = 0;
  zgesv_(&n, &nrhs, at.data(), &n, ipiv.data(), b.data(), &n, &info);
  if (info < 0) throw std::runtime_error("zgesv: invalid argument " + std::to_string(-info));
  return info == 0;
}

DenseMatrix unvec(const std::vector<cplx>& v, index_t d) {
  DenseMatrix m(d, d);
  for (index_t j = 0; j < d; ++j)
    for (index_t i = 0; i < d; ++i) m(i, j) = v[i + d * j];
  return m;
}

std::vector<cplx> vec(const DenseMatrix& m) {
  const index_t d = m.rows();
  std::vector<cplx> v(d * m.cols());
  for (index_t j = 0; j < m.cols(); ++j)
    for (index_t i = 0; i < d; ++i) v[i + d * j] = m(i, j);
  return v;
}

}  // namespace qcoll::collide

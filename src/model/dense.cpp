// Dense complex matrices and the LAPACK-backed Hermitian eigensolver.
#include "qcoll/model/dense.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

extern "C" {
// LAPACK Hermitian eigensolver (column-major). The trailing size_t arguments
// are the hidden lengths of the character arguments (gfortran convention).
void zheev_(const char* jobz, const char* uplo, const int* n, std::complex<double>* a,
            const int* lda, double* w, std::complex<double>* work, const int* lwork, double* rwork,
            int* info, std::size_t jobz_len, std::size_t uplo_len);
}

namespace qcoll {
namespace {

void require_same_shape(const DenseMatrix& a, const DenseMatrix& b, const char* what) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument(std::string(what) + ": matrix shapes differ");
}

void require_square(const DenseMatrix& a, const char* what) {
  if (a.rows() != a.cols()) throw std::invalid_argument(std::string(what) + ": matrix not square");
}

// Runs zheev on a (Hermitian, row-major). Returns eigenvalues; if vectors is
// non-null it receives the eigenvectors (columns, row-major storage).
std::vector<double> run_zheev(const DenseMatrix& a, DenseMatrix* vectors) {
  require_square(a, "eigh");
  const index_t n64 = a.rows();
  if (n64 > std::numeric_limits<int>::max() / 2)
    throw std::invalid_argument("eigh: matrix too large for LAPACK");
  const int n = static_cast<int>(n64);
  std::vector<double> w(n);
  if (n == 0) return w;
  // LAPACK reads column-major storage, i.e. the transpose of our row-major
  // data. For Hermitian a, transpose(conj(a)) = a, so hand it conj(a).
  std::vector<cplx> buf(a.data(), a.data() + n64 * n64);
  for (auto& x : buf) {
    if (!std::isfinite(x.real()) || !std::isfinite(x.imag()))
      throw std::invalid_argument("eigh: matrix has non-finite entries");
    x = std::conj(x);
  }
  const char jobz = vectors ? 'V' : 'N', uplo = 'U';
  int lwork = -1, info = 0;
  cplx query;
  std::vector<double> rwork(std::max(1, 3 * n - 2));
  zheev_(&jobz, &uplo, &n, buf.data(), &n, w.data(), &query, &lwork, rwork.data(), &info, 1, 1);
  lwork = std::max(2 * n - 1, static_cast<int>(query.real()));
  std::vector<cplx> work(lwork);
  zheev_(&jobz, &uplo, &n, buf.data(), &n, w.data(), work.data(), &lwork, rwork.data(), &info, 1,
         1);
  if (info != 0)
    throw std::runtime_error("eigh: LAPACK zheev failed, info=" + std::to_string(info));
  if (vectors) {
    *vectors = DenseMatrix(n, n);
    // Column-major output: eigenvector k is buf[n*k .. n*k+n-1].
    for (index_t i = 0; i < n; ++i)
      for (index_t k = 0; k < n; ++k) (*vectors)(i, k) = buf[i + n64 * k];
  }
  return w;
}

}  // namespace

DenseMatrix DenseMatrix::identity(index_t n) {
  DenseMatrix m(n, n);
  for (index_t i = 0; i < n; ++i) m(i, i) = 1.0;
  return m;
}

DenseMatrix DenseMatrix::diagonal(const std::vector<double>& d) {
  const auto n = static_cast<index_t>(d.size());
  DenseMatrix m(n, n);
  for (index_t i = 0; i < n; ++i) m(i, i) = d[i];
  return m;
}

DenseMatrix DenseMatrix::adjoint() const {
  DenseMatrix r(cols_, rows_);
  for (index_t i = 0; i < rows_; ++i)
    for (index_t j = 0; j < cols_; ++j) r(j, i) = std::conj((*this)(i, j));
  return r;
}

DenseMatrix DenseMatrix::transpose() const {
  DenseMatrix r(cols_, rows_);
  for (index_t i = 0; i < rows_; ++i)
    for (index_t j = 0; j < cols_; ++j) r(j, i) = (*this)(i, j);
  return r;
}

cplx DenseMatrix::trace() const {
  cplx t = 0.0;
  for (index_t i = 0; i < std::min(rows_, cols_); ++i) t += (*this)(i, i);
  return t;
}

double DenseMatrix::max_abs() const {
  double m = 0.0;
  for (const auto& x : data_) m = std::max(m, std::abs(x));
  return m;
}

bool DenseMatrix::is_hermitian(double tol) const {
  if (rows_ != cols_) return false;
  const double scale = std::max(1.0, max_abs());
  for (index_t i = 0; i < rows_; ++i)
    for (index_t j = i; j < cols_; ++j)
      if (std::abs((*this)(i, j) - std::conj((*this)(j, i))) > tol * scale) return false;
  return true;
}

DenseMatrix& DenseMatrix::operator+=(const DenseMatrix& o) {
  require_same_shape(*this, o, "DenseMatrix +=");
  for (std::size_t k = 0; k < data_.size(); ++k) data_[k] += o.data_[k];
  return *this;
}

DenseMatrix& DenseMatrix::operator-=(const DenseMatrix& o) {
  require_same_shape(*this, o, "DenseMatrix -=");
  for (std::size_t k = 0; k < data_.size(); ++k) data_[k] -= o.data_[k];
  return *this;
}

DenseMatrix& DenseMatrix::operator*=(cplx s) {
  for (auto& x : data_) x *= s;
  return *this;
}

DenseMatrix operator*(const DenseMatrix& a, const DenseMatrix& b) {
  if (a.cols() != b.rows()) throw std::invalid_argument("DenseMatrix *: inner dimensions differ");
  DenseMatrix r(a.rows(), b.cols());
  for (index_t i = 0; i < a.rows(); ++i)
    for (index_t k = 0; k < a.cols(); ++k) {
      const cplx aik = a(i, k);
      if (aik == 0.0) continue;
      for (index_t j = 0; j < b.cols(); ++j) r(i, j) += aik * b(k, j);
    }
  return r;
}

DenseMatrix operator+(DenseMatrix a, const DenseMatrix& b) {
  return a += b;
}
DenseMatrix operator-(DenseMatrix a, const DenseMatrix& b) {
  return a -= b;
}
DenseMatrix operator*(cplx s, DenseMatrix a) {
  return a *= s;
}

DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b) {
  DenseMatrix r(a.rows() * b.rows(), a.cols() * b.cols());
  for (index_t ia = 0; ia < a.rows(); ++ia)
    for (index_t ja = 0; ja < a.cols(); ++ja) {
      const cplx x = a(ia, ja);
      if (x == 0.0) continue;
      for (index_t ib = 0; ib < b.rows(); ++ib)
        for (index_t jb = 0; jb < b.cols(); ++jb)
          r(ia * b.rows() + ib, ja * b.cols() + jb) = x * b(ib, jb);
    }
  return r;
}

DenseMatrix commutator(const DenseMatrix& a, const DenseMatrix& b) {
  return a * b - b * a;
}

HermitianEigen eigh(const DenseMatrix& a) {
  HermitianEigen e;
  e.values = run_zheev(a, &e.vectors);
  return e;
}

std::vector<double> eigvalsh(const DenseMatrix& a) {
  return run_zheev(a, nullptr);
}

DenseMatrix unitary_propagator(const DenseMatrix& h, double t) {
  return hermitian_function(eigh(h), [t](double w) { return std::exp(cplx(0.0, -t * w)); });
}

DenseMatrix partial_trace_second(const DenseMatrix& m, index_t da, index_t db) {
  if (m.rows() != da * db || m.cols() != da * db)
    throw std::invalid_argument("partial_trace_second: dimensions do not match");
  DenseMatrix r(da, da);
  for (index_t i = 0; i < da; ++i)
    for (index_t j = 0; j < da; ++j)
      for (index_t b = 0; b < db; ++b) r(i, j) += m(i * db + b, j * db + b);
  return r;
}

DenseMatrix partial_trace_first(const DenseMatrix& m, index_t da, index_t db) {
  if (m.rows() != da * db || m.cols() != da * db)
    throw std::invalid_argument("partial_trace_first: dimensions do not match");
  DenseMatrix r(db, db);
  for (index_t a = 0; a < da; ++a)
    for (index_t i = 0; i < db; ++i)
      for (index_t j = 0; j < db; ++j) r(i, j) += m(a * db + i, a * db + j);
  return r;
}

}  // namespace qcoll

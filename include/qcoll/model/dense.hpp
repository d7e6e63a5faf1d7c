#pragma once
// Small dense complex matrices: local operators, ancilla states, and the
// joint system-ancilla unitaries of the finite-tau map. Row-major storage.
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

class DenseMatrix {
 public:
  DenseMatrix() = default;
  DenseMatrix(index_t rows, index_t cols) : rows_(rows), cols_(cols), data_(rows * cols) {}
  static DenseMatrix identity(index_t n);
  static DenseMatrix diagonal(const std::vector<double>& d);

  index_t rows() const { return rows_; }
  index_t cols() const { return cols_; }
  cplx& operator()(index_t i, index_t j) { return data_[i * cols_ + j]; }
  const cplx& operator()(index_t i, index_t j) const { return data_[i * cols_ + j]; }
  cplx* data() { return data_.data(); }
  const cplx* data() const { return data_.data(); }

  DenseMatrix adjoint() const;
  DenseMatrix transpose() const;
  cplx trace() const;
  double max_abs() const;
  bool is_hermitian(double tol = 1e-12) const;

  DenseMatrix& operator+=(const DenseMatrix& o);
  DenseMatrix& operator-=(const DenseMatrix& o);
  DenseMatrix& operator*=(cplx s);

 private:
  index_t rows_ = 0, cols_ = 0;
  std::vector<cplx> data_;
};

DenseMatrix operator*(const DenseMatrix& a, const DenseMatrix& b);
DenseMatrix operator+(DenseMatrix a, const DenseMatrix& b);
DenseMatrix operator-(DenseMatrix a, const DenseMatrix& b);
DenseMatrix operator*(cplx s, DenseMatrix a);
DenseMatrix kron(const DenseMatrix& a, const DenseMatrix& b);
DenseMatrix commutator(const DenseMatrix& a, const DenseMatrix& b);

// Eigen-decomposition of a Hermitian matrix (LAPACK zheev): a = V diag(w) V^dag,
// eigenvalues ascending, eigenvectors in the columns of V.
struct HermitianEigen {
  std::vector<double> values;
  DenseMatrix vectors;
};
HermitianEigen eigh(const DenseMatrix& a);
std::vector<double> eigvalsh(const DenseMatrix& a);

// f(a) = V f(w) V^dag for Hermitian a.
template <class F>
DenseMatrix hermitian_function(const HermitianEigen& e, F f) {
  const index_t n = e.vectors.rows();
  DenseMatrix r(n, n);
  for (index_t k = 0; k < n; ++k) {
    const cplx fk = f(e.values[k]);
    for (index_t i = 0; i < n; ++i) {
      const cplx vik = e.vectors(i, k) * fk;
      for (index_t j = 0; j < n; ++j) r(i, j) += vik * std::conj(e.vectors(j, k));
    }
  }
  return r;
}

// exp(-i t h) for Hermitian h.
DenseMatrix unitary_propagator(const DenseMatrix& h, double t);

// Partial traces of a bipartite operator on A (x) B with dims da, db.
DenseMatrix partial_trace_second(const DenseMatrix& m, index_t da, index_t db);
DenseMatrix partial_trace_first(const DenseMatrix& m, index_t da, index_t db);

}  // namespace qcoll

#pragma once
// Sparse complex matrices in CSR form. Operators on the full system space are
// always built and kept in this form (never dense d x d), directly from the
// Kronecker structure of the local operators.
#include <vector>

#include "qcoll/model/dense.hpp"
#include "qcoll/model/types.hpp"

namespace qcoll {

class CsrMatrix {
 public:
  CsrMatrix() = default;
  CsrMatrix(index_t rows, index_t cols) : rows_(rows), cols_(cols), rowptr_(rows + 1, 0) {}
  static CsrMatrix identity(index_t n);
  static CsrMatrix from_dense(const DenseMatrix& m, double drop_tol = 0.0);
  // Build from (row, col, value) triplets; duplicates are summed, exact zeros dropped.
  struct Triplet {
    index_t row, col;
    cplx value;
  };
  static CsrMatrix from_triplets(index_t rows, index_t cols, std::vector<Triplet> t);

  index_t rows() const { return rows_; }
  index_t cols() const { return cols_; }
  index_t nnz() const { return static_cast<index_t>(values_.size()); }
  const std::vector<index_t>& rowptr() const { return rowptr_; }
  const std::vector<index_t>& colind() const { return colind_; }
  const std::vector<cplx>& values() const { return values_; }
  std::vector<cplx>& values() { return values_; }

  cplx at(index_t i, index_t j) const;  // O(row length)
  DenseMatrix to_dense() const;
  CsrMatrix adjoint() const;
  CsrMatrix transpose() const;
  CsrMatrix conjugate() const;
  double max_abs() const;
  cplx trace() const;
  bool is_hermitian(double tol = 1e-12) const;
  // Drops entries with |value| <= tol.
  CsrMatrix pruned(double tol) const;

  std::vector<cplx> multiply(const std::vector<cplx>& x) const;

  // Low-level construction (rows must be sorted, no duplicates).
  void set_data(std::vector<index_t> rowptr, std::vector<index_t> colind, std::vector<cplx> values);

 private:
  index_t rows_ = 0, cols_ = 0;
  std::vector<index_t> rowptr_{0};
  std::vector<index_t> colind_;
  std::vector<cplx> values_;
};

CsrMatrix operator*(const CsrMatrix& a, const CsrMatrix& b);
CsrMatrix operator+(const CsrMatrix& a, const CsrMatrix& b);
CsrMatrix operator-(const CsrMatrix& a, const CsrMatrix& b);
CsrMatrix operator*(cplx s, const CsrMatrix& a);
// alpha * a + beta * b
CsrMatrix axpby(cplx alpha, const CsrMatrix& a, cplx beta, const CsrMatrix& b);
CsrMatrix kron(const CsrMatrix& a, const CsrMatrix& b);
// Sum of several matrices of one shape in a single pass (needs at least one).
CsrMatrix sum(const std::vector<CsrMatrix>& terms);
CsrMatrix commutator(const CsrMatrix& a, const CsrMatrix& b);
// Anti-commutator {a, b}.
CsrMatrix anticommutator(const CsrMatrix& a, const CsrMatrix& b);

}  // namespace qcoll

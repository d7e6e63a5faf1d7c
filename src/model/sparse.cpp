// Compressed sparse row matrices: construction, products, sums, Kronecker products.
#include "qcoll/model/sparse.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace qcoll {
namespace {

void require_same_shape(const CsrMatrix& a, const CsrMatrix& b, const char* what) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw std::invalid_argument(std::string(what) + ": matrix shapes differ");
}

}  // namespace

CsrMatrix CsrMatrix::identity(index_t n) {
  CsrMatrix m(n, n);
  std::iota(m.rowptr_.begin(), m.rowptr_.end(), index_t{0});
  m.colind_.resize(n);
  std::iota(m.colind_.begin(), m.colind_.end(), index_t{0});
  m.values_.assign(n, cplx(1.0, 0.0));
  return m;
}

CsrMatrix CsrMatrix::from_dense(const DenseMatrix& d, double drop_tol) {
  CsrMatrix m(d.rows(), d.cols());
  for (index_t i = 0; i < d.rows(); ++i) {
    for (index_t j = 0; j < d.cols(); ++j) {
      const cplx x = d(i, j);
      if (x != 0.0 && std::abs(x) > drop_tol) {
        m.colind_.push_back(j);
        m.values_.push_back(x);
      }
    }
    m.rowptr_[i + 1] = static_cast<index_t>(m.colind_.size());
  }
  return m;
}

CsrMatrix CsrMatrix::from_triplets(index_t rows, index_t cols, std::vector<Triplet> t) {
  // Counting sort by row, then sort and merge each row by column.
  std::vector<index_t> count(rows + 1, 0);
  for (const auto& x : t) {
    if (x.row < 0 || x.row >= rows || x.col < 0 || x.col >= cols)
      throw std::out_of_range("CsrMatrix::from_triplets: index out of range");
    ++count[x.row + 1];
  }
  std::partial_sum(count.begin(), count.end(), count.begin());
  std::vector<std::pair<index_t, cplx>> sorted(t.size());
  {
    std::vector<index_t> next(count.begin(), count.end() - 1);
    for (const auto& x : t) sorted[next[x.row]++] = {x.col, x.value};
  }
  t.clear();
  t.shrink_to_fit();
  CsrMatrix m(rows, cols);
  m.colind_.reserve(sorted.size());
  m.values_.reserve(sorted.size());
  for (index_t i = 0; i < rows; ++i) {
    auto first = sorted.begin() + count[i], last = sorted.begin() + count[i + 1];
    std::sort(first, last, [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto it = first; it != last;) {
      const index_t col = it->first;
      cplx sum = 0.0;
      for (; it != last && it->first == col; ++it) sum += it->second;
      if (sum != 0.0) {
        m.colind_.push_back(col);
        m.values_.push_back(sum);
      }
    }
    m.rowptr_[i + 1] = static_cast<index_t>(m.colind_.size());
  }
  return m;
}

void CsrMatrix::set_data(std::vector<index_t> rowptr, std::vector<index_t> colind,
                         std::vector<cplx> values) {
  if (static_cast<index_t>(rowptr.size()) != rows_ + 1 || rowptr.front() != 0 ||
      colind.size() != values.size() || rowptr.back() != static_cast<index_t>(colind.size()))
    throw std::invalid_argument("CsrMatrix::set_data: inconsistent CSR arrays");
  for (index_t i = 0; i < rows_; ++i) {
    if (rowptr[i] > rowptr[i + 1])
      throw std::invalid_argument("CsrMatrix::set_data: row pointers decrease");
    for (index_t k = rowptr[i]; k < rowptr[i + 1]; ++k)
      if (colind[k] < 0 || colind[k] >= cols_ || (k > rowptr[i] && colind[k] <= colind[k - 1]))
        throw std::invalid_argument("CsrMatrix::set_data: columns out of range or unsorted");
  }
  rowptr_ = std::move(rowptr);
  colind_ = std::move(colind);
  values_ = std::move(values);
}

cplx CsrMatrix::at(index_t i, index_t j) const {
  const auto first = colind_.begin() + rowptr_[i], last = colind_.begin() + rowptr_[i + 1];
  const auto it = std::lower_bound(first, last, j);
  return (it != last && *it == j) ? values_[it - colind_.begin()] : cplx(0.0, 0.0);
}

DenseMatrix CsrMatrix::to_dense() const {
  DenseMatrix d(rows_, cols_);
  for (index_t i = 0; i < rows_; ++i)
    for (index_t k = rowptr_[i]; k < rowptr_[i + 1]; ++k) d(i, colind_[k]) = values_[k];
  return d;
}

CsrMatrix CsrMatrix::transpose() const {
  // Counting sort by column; rows are visited in order, so each output row
  // comes out sorted.
  CsrMatrix t(cols_, rows_);
  for (index_t k = 0; k < nnz(); ++k) ++t.rowptr_[colind_[k] + 1];
  std::partial_sum(t.rowptr_.begin(), t.rowptr_.end(), t.rowptr_.begin());
  t.colind_.resize(nnz());
  t.values_.resize(nnz());
  std::vector<index_t> next(t.rowptr_.begin(), t.rowptr_.end() - 1);
  for (index_t i = 0; i < rows_; ++i)
    for (index_t k = rowptr_[i]; k < rowptr_[i + 1]; ++k) {
      const index_t dst = next[colind_[k]]++;
      t.colind_[dst] = i;
      t.values_[dst] = values_[k];
    }
  return t;
}

CsrMatrix CsrMatrix::conjugate() const {
  CsrMatrix c = *this;
  for (auto& x : c.values_) x = std::conj(x);
  return c;
}

CsrMatrix CsrMatrix::adjoint() const {
  return transpose().conjugate();
}

double CsrMatrix::max_abs() const {
  double m = 0.0;
  for (const auto& x : values_) m = std::max(m, std::abs(x));
  return m;
}

cplx CsrMatrix::trace() const {
  cplx t = 0.0;
  for (index_t i = 0; i < std::min(rows_, cols_); ++i) t += at(i, i);
  return t;
}

bool CsrMatrix::is_hermitian(double tol) const {
  if (rows_ != cols_) return false;
  const CsrMatrix diff = *this - adjoint();
  return diff.max_abs() <= tol * std::max(1.0, max_abs());
}

CsrMatrix CsrMatrix::pruned(double tol) const {
  CsrMatrix p(rows_, cols_);
  for (index_t i = 0; i < rows_; ++i) {
    for (index_t k = rowptr_[i]; k < rowptr_[i + 1]; ++k)
      if (std::abs(values_[k]) > tol) {
        p.colind_.push_back(colind_[k]);
        p.values_.push_back(values_[k]);
      }
    p.rowptr_[i + 1] = static_cast<index_t>(p.colind_.size());
  }
  return p;
}

std::vector<cplx> CsrMatrix::multiply(const std::vector<cplx>& x) const {
  if (static_cast<index_t>(x.size()) != cols_)
    throw std::invalid_argument("CsrMatrix::multiply: vector length differs from column count");
  std::vector<cplx> y(rows_);
  for (index_t i = 0; i < rows_; ++i) {
    cplx s = 0.0;
    for (index_t k = rowptr_[i]; k < rowptr_[i + 1]; ++k) s += values_[k] * x[colind_[k]];
    y[i] = s;
  }
  return y;
}

CsrMatrix operator*(const CsrMatrix& a, const CsrMatrix& b) {
  if (a.cols() != b.rows()) throw std::invalid_argument("CsrMatrix *: inner dimensions differ");
  // Gustavson's algorithm with a dense accumulator over the columns of b.
  const auto &ap = a.rowptr(), &ac = a.colind(), &bp = b.rowptr(), &bc = b.colind();
  const auto &av = a.values(), &bv = b.values();
  std::vector<cplx> acc(b.cols());
  std::vector<index_t> marker(b.cols(), -1), cols;
  std::vector<index_t> rowptr(a.rows() + 1, 0), colind;
  std::vector<cplx> values;
  for (index_t i = 0; i < a.rows(); ++i) {
    cols.clear();
    for (index_t ka = ap[i]; ka < ap[i + 1]; ++ka) {
      const index_t k = ac[ka];
      for (index_t kb = bp[k]; kb < bp[k + 1]; ++kb) {
        const index_t j = bc[kb];
        if (marker[j] != i) {
          marker[j] = i;
          acc[j] = 0.0;
          cols.push_back(j);
        }
        acc[j] += av[ka] * bv[kb];
      }
    }
    std::sort(cols.begin(), cols.end());
    for (const index_t j : cols)
      if (acc[j] != 0.0) {
        colind.push_back(j);
        values.push_back(acc[j]);
      }
    rowptr[i + 1] = static_cast<index_t>(colind.size());
  }
  CsrMatrix r(a.rows(), b.cols());
  r.set_data(std::move(rowptr), std::move(colind), std::move(values));
  return r;
}

CsrMatrix axpby(cplx alpha, const CsrMatrix& a, cplx beta, const CsrMatrix& b) {
  require_same_shape(a, b, "axpby");
  const auto &ap = a.rowptr(), &ac = a.colind(), &bp = b.rowptr(), &bc = b.colind();
  const auto &av = a.values(), &bv = b.values();
  std::vector<index_t> rowptr(a.rows() + 1, 0), colind;
  std::vector<cplx> values;
  colind.reserve(a.nnz() + b.nnz());
  values.reserve(a.nnz() + b.nnz());
  auto emit = [&](index_t j, cplx x) {
    if (x != 0.0) {
      colind.push_back(j);
      values.push_back(x);
    }
  };
  for (index_t i = 0; i < a.rows(); ++i) {
    index_t ka = ap[i], kb = bp[i];
    while (ka < ap[i + 1] || kb < bp[i + 1]) {
      if (kb == bp[i + 1] || (ka < ap[i + 1] && ac[ka] < bc[kb])) {
        emit(ac[ka], alpha * av[ka]);
        ++ka;
      } else if (ka == ap[i + 1] || bc[kb] < ac[ka]) {
        emit(bc[kb], beta * bv[kb]);
        ++kb;
      } else {
        emit(ac[ka], alpha * av[ka] + beta * bv[kb]);
        ++ka;
        ++kb;
      }
    }
    rowptr[i + 1] = static_cast<index_t>(colind.size());
  }
  CsrMatrix r(a.rows(), a.cols());
  r.set_data(std::move(rowptr), std::move(colind), std::move(values));
  return r;
}

CsrMatrix operator+(const CsrMatrix& a, const CsrMatrix& b) {
  return axpby(1.0, a, 1.0, b);
}
CsrMatrix operator-(const CsrMatrix& a, const CsrMatrix& b) {
  return axpby(1.0, a, -1.0, b);
}

CsrMatrix operator*(cplx s, const CsrMatrix& a) {
  if (s == 0.0) return CsrMatrix(a.rows(), a.cols());
  CsrMatrix r = a;
  for (auto& x : r.values()) x *= s;
  return r;
}

CsrMatrix sum(const std::vector<CsrMatrix>& terms) {
  if (terms.empty()) throw std::invalid_argument("sum: no matrices given");
  const index_t rows = terms.front().rows(), cols = terms.front().cols();
  index_t total = 0;
  for (const auto& t : terms) {
    require_same_shape(terms.front(), t, "sum");
    total += t.nnz();
  }
  // Row by row with a dense accumulator, as in the sparse product.
  std::vector<cplx> acc(cols);
  std::vector<index_t> marker(cols, -1), row_cols;
  std::vector<index_t> rowptr(rows + 1, 0), colind;
  std::vector<cplx> values;
  colind.reserve(std::min(total, rows * cols));
  values.reserve(colind.capacity());
  for (index_t i = 0; i < rows; ++i) {
    row_cols.clear();
    for (const auto& t : terms)
      for (index_t k = t.rowptr()[i]; k < t.rowptr()[i + 1]; ++k) {
        const index_t j = t.colind()[k];
        if (marker[j] != i) {
          marker[j] = i;
          acc[j] = 0.0;
          row_cols.push_back(j);
        }
        acc[j] += t.values()[k];
      }
    std::sort(row_cols.begin(), row_cols.end());
    for (const index_t j : row_cols)
      if (acc[j] != 0.0) {
        colind.push_back(j);
        values.push_back(acc[j]);
      }
    rowptr[i + 1] = static_cast<index_t>(colind.size());
  }
  CsrMatrix r(rows, cols);
  r.set_data(std::move(rowptr), std::move(colind), std::move(values));
  return r;
}

CsrMatrix kron(const CsrMatrix& a, const CsrMatrix& b) {
  const auto &ap = a.rowptr(), &ac = a.colind(), &bp = b.rowptr(), &bc = b.colind();
  const auto &av = a.values(), &bv = b.values();
  const index_t rows = a.rows() * b.rows(), nnz = a.nnz() * b.nnz();
  std::vector<index_t> rowptr(rows + 1, 0), colind(nnz);
  std::vector<cplx> values(nnz);
  // Row (ia, ib) holds a's row ia times b's row ib; columns ja * b.cols() + jb
  // are sorted because a's and b's rows are.
  index_t pos = 0, row = 0;
  for (index_t ia = 0; ia < a.rows(); ++ia)
    for (index_t ib = 0; ib < b.rows(); ++ib) {
      for (index_t ka = ap[ia]; ka < ap[ia + 1]; ++ka) {
        const index_t off = ac[ka] * b.cols();
        for (index_t kb = bp[ib]; kb < bp[ib + 1]; ++kb, ++pos) {
          colind[pos] = off + bc[kb];
          values[pos] = av[ka] * bv[kb];
        }
      }
      rowptr[++row] = pos;
    }
  CsrMatrix r(rows, a.cols() * b.cols());
  r.set_data(std::move(rowptr), std::move(colind), std::move(values));
  return r;
}

CsrMatrix commutator(const CsrMatrix& a, const CsrMatrix& b) {
  return a * b - b * a;
}
CsrMatrix anticommutator(const CsrMatrix& a, const CsrMatrix& b) {
  return a * b + b * a;
}

}  // namespace qcoll

#pragma once
// Dense kernels of the collisional engine on row-major DenseMatrix, backed by
// BLAS zgemm and LAPACK zgesv. Private to src/collide.
#include <vector>

#include "qcoll/model/sparse.hpp"

namespace qcoll::collide {

enum class Op { None, Adjoint };

// c = alpha op(a) op(b) + beta c. With beta == 0, c is (re)shaped and overwritten.
void gemm(const DenseMatrix& a, Op opa, const DenseMatrix& b, Op opb, DenseMatrix& c,
          cplx alpha = 1.0, cplx beta = 0.0);
DenseMatrix product(const DenseMatrix& a, Op opa, const DenseMatrix& b, Op opb);

// a * b for sparse a.
DenseMatrix multiply(const CsrMatrix& a, const DenseMatrix& b);

// tr(a b).
cplx trace_product(const CsrMatrix& a, const DenseMatrix& b);
cplx trace_product(const DenseMatrix& a, const DenseMatrix& b);
// tr(a b^dag) = sum_ij a_ij conj(b_ij).
cplx frobenius_inner(const DenseMatrix& a, const DenseMatrix& b);

// (m + m^dag) / 2.
DenseMatrix hermitian_part(const DenseMatrix& m);

// Solves a x = b for square a (LAPACK zgesv). Returns false if a is singular.
bool solve_linear(const DenseMatrix& a, std::vector<cplx>& b);

// vec (column-stacked) <-> row-major dense.
DenseMatrix unvec(const std::vector<cplx>& v, index_t d);
std::vector<cplx> vec(const DenseMatrix& m);

}  // namespace qcoll::collide

#pragma once
// Information-theoretic quantities of small dense density matrices (natural
// logarithms, k_B = 1): von Neumann entropy, relative entropy, the relative
// entropy of coherence and the trace norm.
#include "qcoll/model/dense.hpp"

namespace qcoll {

// Eigenvalues below this are treated as zero in logarithms.
inline constexpr double kLogFloor = 1e-14;

// -sum_k p_k ln p_k over the positive p_k.
double entropy_of_spectrum(const std::vector<double>& p);
// S(rho) = -tr(rho ln rho) of the Hermitian part of rho.
double von_neumann_entropy(const DenseMatrix& rho);

// S(rho || sigma) = tr rho (ln rho - ln sigma), with sigma given by its
// eigen-decomposition. +infinity when rho has weight (> 1e-12) on the
// eigenvectors of sigma with eigenvalue below kLogFloor.
double relative_entropy(const DenseMatrix& rho, const HermitianEigen& sigma);

// C(rho) = S(diag(rho)) - S(rho), the diagonal taken in the orthonormal basis
// given by the columns of `basis`.
double relative_entropy_of_coherence(const DenseMatrix& rho, const DenseMatrix& basis);

// ||m||_1 = sum of |eigenvalues| of the Hermitian part of m.
double trace_norm(const DenseMatrix& m);

}  // namespace qcoll

#pragma once
// Linear-algebra description of a superoperator, free of physics:
//     L(rho) = sum_t coef_t * left_t rho right_t
// With column stacking, vec(A X B) = (B^T (x) A) vec(X).
#include <memory>
#include <vector>

#include "qcoll/model/sparse.hpp"

namespace qcoll {

struct SandwichTerm {
  std::shared_ptr<const CsrMatrix> left;   // nullptr: identity
  std::shared_ptr<const CsrMatrix> right;  // nullptr: identity
  cplx coef{1.0, 0.0};
};

using SuperOperatorTerms = std::vector<SandwichTerm>;

// Dense reference (tests, d small): the d^2 x d^2 matrix of the terms.
DenseMatrix dense_superoperator(index_t d, const SuperOperatorTerms& terms);

}  // namespace qcoll

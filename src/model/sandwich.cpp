#include "qcoll/model/sandwich.hpp"

namespace qcoll {

DenseMatrix dense_superoperator(index_t d, const SuperOperatorTerms& terms) {
  DenseMatrix out(d * d, d * d);
  const DenseMatrix id = DenseMatrix::identity(d);
  for (const SandwichTerm& t : terms) {
    const DenseMatrix a = t.left ? t.left->to_dense() : id;
    const DenseMatrix b = t.right ? t.right->to_dense() : id;
    out += t.coef * kron(b.transpose(), a);
  }
  return out;
}

}  // namespace qcoll

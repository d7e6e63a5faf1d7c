#include "qcoll/derive/counting.hpp"

#include <cmath>
#include <functional>
#include <memory>

namespace qcoll {
namespace {

// sum_pq p_q weight(w_pq) S_pq . S_pq^+ over the non-zero blocks.
SuperOperatorTerms weighted_jumps(const SpeciesTerms& s, const std::function<double(double)>& f) {
  SuperOperatorTerms terms;
  for (index_t p = 0; p < s.ancilla_dim; ++p)
    for (index_t q = 0; q < s.ancilla_dim; ++q) {
      const CsrMatrix& block = s.block(p, q);
      const double weight = s.populations[q] * f(s.energies[p] - s.energies[q]);
      if (block.nnz() == 0 || weight == 0.0) continue;
      terms.push_back(SandwichTerm{std::make_shared<const CsrMatrix>(block),
                                   std::make_shared<const CsrMatrix>(block.adjoint()),
                                   cplx(weight, 0.0)});
    }
  return terms;
}

}  // namespace

SuperOperatorTerms counting_derivative_terms(const SpeciesTerms& s, int n) {
  return weighted_jumps(s, [n](double w) { return std::pow(w, n); });
}

SuperOperatorTerms counting_tilt_terms(const SpeciesTerms& s, double field) {
  return weighted_jumps(s, [field](double w) { return std::expm1(field * w); });
}

}  // namespace qcoll

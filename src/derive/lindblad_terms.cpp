#include "qcoll/derive/lindblad_terms.hpp"

#include <memory>

namespace qcoll {
namespace {
std::shared_ptr<const CsrMatrix> share(CsrMatrix m) {
  return std::make_shared<const CsrMatrix>(std::move(m));
}
}  // namespace

SuperOperatorTerms commutator_terms(const CsrMatrix& h) {
  auto hp = share(h);
  return {SandwichTerm{hp, nullptr, cplx(0, -1)}, SandwichTerm{nullptr, hp, cplx(0, 1)}};
}

SuperOperatorTerms dissipator_terms(const std::vector<CsrMatrix>& jumps) {
  SuperOperatorTerms terms;
  for (const CsrMatrix& l : jumps) {
    auto lp = share(l);
    auto ldag = share(l.adjoint());
    auto k = share(*ldag * l);
    terms.push_back({lp, ldag, 1.0});
    terms.push_back({k, nullptr, -0.5});
    terms.push_back({nullptr, k, -0.5});
  }
  return terms;
}

SuperOperatorTerms fixed_liouvillian_terms(const MasterEquation& me) {
  SuperOperatorTerms terms = commutator_terms(me.hamiltonian);
  for (const SpeciesTerms& s : me.species) {
    SuperOperatorTerms d = dissipator_terms(s.jumps);
    terms.insert(terms.end(), d.begin(), d.end());
  }
  return terms;
}

std::vector<SuperOperatorTerms> coherent_liouvillian_terms(const MasterEquation& me) {
  std::vector<SuperOperatorTerms> parts;
  for (const SpeciesTerms& s : me.species) parts.push_back(commutator_terms(s.G));
  return parts;
}

SuperOperatorTerms liouvillian_terms(const MasterEquation& me, const std::vector<double>& lambdas) {
  SuperOperatorTerms terms = fixed_liouvillian_terms(me);
  const std::vector<SuperOperatorTerms> parts = coherent_liouvillian_terms(me);
  for (size_t j = 0; j < parts.size(); ++j)
    for (SandwichTerm t : parts[j]) {
      t.coef *= lambdas.at(j);
      terms.push_back(t);
    }
  return terms;
}

CsrMatrix adjoint_dissipator(const SpeciesTerms& s, const CsrMatrix& x) {
  CsrMatrix out(x.rows(), x.cols());
  for (const CsrMatrix& l : s.jumps) {
    const CsrMatrix ldag = l.adjoint();
    out = out + ldag * x * l - cplx(0.5) * anticommutator(ldag * l, x);
  }
  return out;
}

CsrMatrix adjoint_liouvillian(const MasterEquation& me, const CsrMatrix& x) {
  CsrMatrix out = cplx(0, 1) * commutator(me.effective_hamiltonian(), x);
  for (const SpeciesTerms& s : me.species) out = out + adjoint_dissipator(s, x);
  return out;
}

}  // namespace qcoll

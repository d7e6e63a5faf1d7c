#include "qcoll/tasks/problem.hpp"

#include "qcoll/derive/lindblad_terms.hpp"

namespace qcoll {

Problem prepare_problem(const Deck& deck) {
  MasterEquation me = derive_master_equation(deck.model);
  InitialDensity initial(deck.model, me.hamiltonian);
  Problem p{&deck, std::move(me), {}, {}, {}, std::move(initial)};
  p.ops = thermo_operators(deck.model, p.me);
  for (const SpeciesTerms& s : p.me.species) {
    p.betas.push_back(s.beta);
    p.lambdas.push_back(s.lambda);
  }
  return p;
}

PetscErrorCode CreateLiouvillian(MPI_Comm comm, const Problem& p, Liouvillian* out) {
  PetscFunctionBeginUser;
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  PetscCall(LiouvillianCreate(comm, p.me.dim, fixed_liouvillian_terms(p.me),
                              coherent_liouvillian_terms(p.me), coefs, out));
  PetscFunctionReturn(0);
}

PetscErrorCode CreateInitialVector(const Problem& p, const Liouvillian& l, Vec* out) {
  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(l.total, out, nullptr));
  PetscCall(FillDensityVector(l.layout, *out, p.initial));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

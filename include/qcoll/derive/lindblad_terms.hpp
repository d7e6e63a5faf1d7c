#pragma once
// Master-equation terms -> superoperator terms (vec(A rho B) sandwiches):
//   fixed part  L_0(rho) = -i[H_S, rho] + sum_j D_j(rho)
//   coherent    L_Gj(rho) = -i[G_j, rho]        (L = L_0 + sum_j lambda_j L_Gj)
// and the adjoint (Heisenberg) action used for observables' time derivatives.
#include "qcoll/derive/master_equation.hpp"
#include "qcoll/model/sandwich.hpp"

namespace qcoll {

// -i [H, .] as two sandwich terms.
SuperOperatorTerms commutator_terms(const CsrMatrix& h);
// D[L] for each jump, scaled by `rate`.
SuperOperatorTerms dissipator_terms(const std::vector<CsrMatrix>& jumps);

SuperOperatorTerms fixed_liouvillian_terms(const MasterEquation& me);
std::vector<SuperOperatorTerms> coherent_liouvillian_terms(const MasterEquation& me);
// All of L = L_0 + sum_j lambda_j L_Gj as one list of terms.
SuperOperatorTerms liouvillian_terms(const MasterEquation& me, const std::vector<double>& lambdas);

// Heisenberg picture: L^dag(X) = i[H_eff, X] + sum_j sum_k (L_k^dag X L_k - 1/2 {L_k^dag L_k, X}).
CsrMatrix adjoint_dissipator(const SpeciesTerms& s, const CsrMatrix& x);
CsrMatrix adjoint_liouvillian(const MasterEquation& me, const CsrMatrix& x);

}  // namespace qcoll

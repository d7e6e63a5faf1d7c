#pragma once
// Full counting statistics of the energy each species' ancillas take up
// (physics.md, "Heat fluctuations"). In the eigenbasis {|p>, e_p} of H_A the
// dissipator is D(rho) = sum_pq p_q (S_pq rho S_pq^+ - 1/2 {S_pq^+ S_pq, rho});
// a jump q -> p gives the ancilla w_pq = e_p - e_q. Counting that energy with
// the field s (s = i chi) tilts the generator to
//     L_s = L + sum_pq p_q (exp(s w_pq) - 1) S_pq . S_pq^+,
// whose eigenvalue of largest real part is the scaled cumulant generating
// function. Its n-th derivative at s = 0 is the superoperator
//     L^(n) rho = sum_pq p_q w_pq^n S_pq rho S_pq^+   (n >= 1).
#include "qcoll/derive/master_equation.hpp"
#include "qcoll/model/sandwich.hpp"

namespace qcoll {

// L^(n) of species s as sandwich terms (no terms when every jump has w = 0).
SuperOperatorTerms counting_derivative_terms(const SpeciesTerms& s, int n);

// The tilted jump part sum_pq p_q (exp(s w_pq) - 1) S_pq . S_pq^+ (dense
// references of the cumulants).
SuperOperatorTerms counting_tilt_terms(const SpeciesTerms& s, double field);

}  // namespace qcoll

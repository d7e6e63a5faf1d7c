#pragma once
// The ancilla's initial state at finite tau (physics.md Eq. 5):
//     rho_A = rho_th + sqrt(tau) lambda chi,
// which must be positive semidefinite.
#include "qcoll/model/model.hpp"

namespace qcoll {

// The largest s >= 0 with rho_th + s chi >= 0 (infinity when chi = 0). The
// largest admissible lambda at a given tau is this divided by sqrt(tau).
double max_coherence_amplitude(const DenseMatrix& rho_th, const DenseMatrix& chi);

// Largest admissible |lambda| at tau, in the direction of the sign of s.lambda.
double max_admissible_lambda(const Species& s, double tau);

DenseMatrix ancilla_initial_state(const Species& s, double tau);

// Throws InputError (key species.<name>.lambda) if rho_A is not PSD at tau,
// stating the largest admissible lambda.
void check_ancilla_state(const Species& s, double tau);

}  // namespace qcoll

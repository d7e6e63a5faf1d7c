#pragma once
// Exact thermodynamics of one collision (physics.md section 4). With rho_S,
// rho_A before and rho_SA' = U (rho_S (x) rho_A) U^dag after:
//     Delta E_S = tr H_S (rho_S' - rho_S)         Q_A = tr H_A (rho_A' - rho_A)
//     W_C       = tr(W rho_S)  (see collision.hpp)
//     I         = S(rho_S') + S(rho_A') - S(rho_S) - S(rho_A)
//     D         = S(rho_A' || rho_A)
//     Delta C_A = C(rho_A') - C(rho_A)  (relative entropy of coherence, H_A eigenbasis)
//     Sigma     = I + D >= 0
#include "qcoll/collide/collision.hpp"

namespace qcoll {

struct CollisionThermo {
  double delta_energy = 0.0;        // Delta E_S (energy)
  double heat_ancilla = 0.0;        // Q_A (energy)
  double work_coherent = 0.0;       // W_C (energy)
  double delta_entropy = 0.0;       // S(rho_S') - S(rho_S)
  double mutual_information = 0.0;  // I(rho_SA')
  double relative_entropy = 0.0;    // S(rho_A' || rho_A)
  double delta_coherence = 0.0;     // Delta C_A
  double entropy_production = 0.0;  // Sigma
};

// Applies a collision and measures it. Keeps what depends only on rho_A.
class CollisionMeter {
 public:
  CollisionMeter(const Collision& collision, const CsrMatrix& system_hamiltonian);

  // rho_S -> rho_S'. `entropy` is S(rho_S) on entry and S(rho_S') on return.
  DenseMatrix apply(const DenseMatrix& rho, double* entropy, CollisionThermo* out) const;

 private:
  const Collision* collision_;
  const CsrMatrix* h_s_;
  HermitianEigen rho_a_;
  double entropy_a_ = 0.0, coherence_a_ = 0.0, energy_a_ = 0.0;
};

}  // namespace qcoll

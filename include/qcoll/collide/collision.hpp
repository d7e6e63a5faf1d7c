#pragma once
// One collision of the system with an ancilla of species j at collision time
// tau (physics.md section 1, Eqs. 1, 4, 5):
//     U_j    = exp(-i (tau/m) (H_S + H_j + (m/sqrt(tau)) V_j))
//     rho_SA' = U_j (rho_S (x) rho_j) U_j^dag,   rho_j = rho_th + sqrt(tau) lambda chi.
//
// The joint unitary is computed once (dense eigen-decomposition of the
// (d d_A)-dimensional Hamiltonian). Writing U = sum_ab U_ab (x) |a><b| and
// rho_j = sum_k q_k |k><k|, the collision is kept in the Kraus-like form
//     K_ak = sqrt(q_k) sum_b <b|k> U_ab,   rho_S' = sum_ak K_ak rho_S K_ak^dag,
//     <a|rho_A'|a'> = sum_k tr(K_ak rho_S K_a'k^dag),
// so one collision costs 2 d_A rank(rho_j) products of d x d matrices.
//
// The coherent work of the collision is defined exactly as the part of the
// system's energy change caused by the ancilla's coherence (the map is linear
// in rho_j):
//     W_C = tr[H_S tr_A U (rho_S (x) sqrt(tau) lambda chi) U^dag] = tr(W rho_S),
//     W   = sqrt(tau) lambda sum_ac U_ac^dag H_S R_ac,  R_ac = sum_b chi_bc U_ab,
// which is tau i lambda <[G, H_S]> + O(tau^(3/2)) (physics.md Eq. 15).
#include <vector>

#include "qcoll/model/model.hpp"

namespace qcoll {

struct MasterEquation;

class Collision {
 public:
  // Species `j` of `model` (m = model.species.size() species share the stroke).
  Collision(const Model& model, const MasterEquation& me, index_t j, double tau);

  index_t system_dim() const { return d_; }
  index_t ancilla_dim() const { return da_; }
  const std::string& species_name() const { return name_; }
  double beta() const { return beta_; }

  // The ancilla before the collision and its Hamiltonian, in the ancilla's own basis.
  const DenseMatrix& ancilla_state() const { return rho_a_; }
  const DenseMatrix& ancilla_hamiltonian() const { return h_a_; }
  // Columns: the eigenbasis of H_A (for the coherence C(rho_A)).
  const DenseMatrix& ancilla_eigenbasis() const { return eigenbasis_; }
  // W with W_C = tr(W rho_S) (Hermitian).
  const DenseMatrix& work_operator() const { return work_; }

  // rho_S -> rho_S'; also rho_A' if `ancilla` is not null.
  DenseMatrix apply(const DenseMatrix& rho, DenseMatrix* ancilla = nullptr) const;

  // The map rho_S -> rho_S' as a d^2 x d^2 matrix on column-stacked vec(rho).
  DenseMatrix superoperator() const;

 private:
  std::string name_;
  double beta_ = 1.0;
  index_t d_ = 0, da_ = 0, rank_ = 0;
  std::vector<DenseMatrix> kraus_;  // K_ak at index k * da_ + a
  DenseMatrix rho_a_, h_a_, eigenbasis_, work_;
};

}  // namespace qcoll

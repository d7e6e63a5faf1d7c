#pragma once
// Model -> master-equation terms (paper Eqs. 7-8, physics.md section 2).
//
// For species j the ancilla is written in the eigenbasis {|p>} of H_A, with
// energies e_p and thermal populations p_p. The coupling decomposes uniquely as
//     V = sum_pq S_pq (x) |p><q|,   S_pq = tr_A[V (1 (x) |q><p|)].
// The general recipe D(rho) = sum_ab c_ab (S_a rho S_b - ...) with
// c_ab = tr(B_a rho_th B_b) then reduces (V Hermitian, rho_th diagonal) to
//     D(rho) = sum_pq p_q ( S_pq rho S_pq^dag - 1/2 {S_pq^dag S_pq, rho} ),
// i.e. Lindblad jump operators L_pq = sqrt(p_q) S_pq, and
//     G = tr_A(V chi) = sum_pq chi_qp S_pq.
#include <vector>

#include "qcoll/model/model.hpp"

namespace qcoll {

struct SpeciesTerms {
  std::string name;
  double beta = 1.0;
  double lambda = 0.0;
  index_t ancilla_dim = 0;
  std::vector<double> energies;     // e_p, ascending
  std::vector<double> populations;  // p_p of rho_th
  DenseMatrix eigenvectors;         // columns: |p> in the ancilla's own basis
  DenseMatrix chi_eigenbasis;       // chi_pq in the eigenbasis
  std::vector<CsrMatrix> blocks;    // S_pq at index p * ancilla_dim + q
  std::vector<CsrMatrix> jumps;     // non-zero sqrt(p_q) S_pq
  CsrMatrix G;                      // tr_A(V chi) (lambda not included)
  bool energy_conserving = false;   // [V, H_S + H_A] = 0
  double energy_violation = 0.0;    // ||[V, H_S + H_A]||_F / ||V||_F
  double first_moment = 0.0;        // ||tr_A(V rho_th)||_F / ||V||_F (must vanish)

  const CsrMatrix& block(index_t p, index_t q) const { return blocks[p * ancilla_dim + q]; }
};

struct MasterEquation {
  index_t dim = 0;
  CsrMatrix hamiltonian;  // H_S
  std::vector<SpeciesTerms> species;

  // H_S + sum_j lambda_j G_j with the species' current lambdas.
  CsrMatrix effective_hamiltonian() const;
};

// Derives the master-equation terms. Throws InputError when the coupling or
// H_S is not Hermitian, chi is not Hermitian or has a diagonal in H_A's
// eigenbasis, or tr_A(V rho_th) != 0 (the last only if `require_zero_mean`;
// `qcoll check` reports it instead).
MasterEquation derive_master_equation(const Model& model, bool require_zero_mean = true);

// Dense reference for tests and small systems: the right-hand side of the
// master equation applied to a dense rho, evaluated from the definition
// -1/2 tr_A[V,[V, rho (x) rho_th]] on the joint space (not from the jumps).
DenseMatrix dissipator_from_definition(const Model& model, const Species& s,
                                       const DenseMatrix& rho);
DenseMatrix apply_dissipator(const SpeciesTerms& s, const DenseMatrix& rho);

// Full coupling V (x)-structured on S (x) A as a sparse matrix (system slowest).
CsrMatrix coupling_operator(const std::vector<LocalSpace>& sites, const Species& s);

}  // namespace qcoll

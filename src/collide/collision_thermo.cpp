#include "qcoll/collide/collision_thermo.hpp"

#include "dense_kernels.hpp"
#include "qcoll/collide/quantum_info.hpp"

namespace qcoll {

CollisionMeter::CollisionMeter(const Collision& collision, const CsrMatrix& system_hamiltonian)
    : collision_(&collision), h_s_(&system_hamiltonian) {
  const DenseMatrix& rho_a = collision.ancilla_state();
  rho_a_ = eigh(rho_a);
  entropy_a_ = entropy_of_spectrum(rho_a_.values);
  coherence_a_ = relative_entropy_of_coherence(rho_a, collision.ancilla_eigenbasis());
  energy_a_ = collide::trace_product(collision.ancilla_hamiltonian(), rho_a).real();
}

DenseMatrix CollisionMeter::apply(const DenseMatrix& rho, double* entropy,
                                  CollisionThermo* out) const {
  DenseMatrix rho_a;
  DenseMatrix next = collision_->apply(rho, &rho_a);
  const double s_before = *entropy;
  const double s_after = von_neumann_entropy(next);
  const double s_a_after = von_neumann_entropy(rho_a);
  CollisionThermo& t = *out;
  t.delta_energy =
      collide::trace_product(*h_s_, next).real() - collide::trace_product(*h_s_, rho).real();
  t.heat_ancilla =
      collide::trace_product(collision_->ancilla_hamiltonian(), rho_a).real() - energy_a_;
  t.work_coherent = collide::trace_product(collision_->work_operator(), rho).real();
  t.delta_entropy = s_after - s_before;
  t.mutual_information = s_after + s_a_after - s_before - entropy_a_;
  t.relative_entropy = relative_entropy(rho_a, rho_a_);
  t.delta_coherence =
      relative_entropy_of_coherence(rho_a, collision_->ancilla_eigenbasis()) - coherence_a_;
  t.entropy_production = t.mutual_information + t.relative_entropy;
  *entropy = s_after;
  return next;
}

}  // namespace qcoll

#pragma once
// The exact finite-tau stroboscopic map (physics.md section 1): one stroke is
// one collision with each species in deck order, and advances time by tau.
#include <vector>

#include "qcoll/collide/collide_settings.hpp"
#include "qcoll/collide/collision.hpp"

namespace qcoll {

// The largest joint dimension d * d_A the dense engine accepts. The joint
// unitary comes from a dense eigen-decomposition: peak memory about
// 3 (d d_A)^2 * 16 bytes (0.8 GiB at the limit) and O((d d_A)^3) time once
// per species and tau; each collision then costs O(d_A^2 d^3). With the
// reference BLAS, d d_A = 1024 takes about 13 s of setup and 2 s per stroke;
// at the limit expect 64 times that (an optimised BLAS is much faster).
inline constexpr index_t kMaxJointDimension = 4096;

// Everything about a [collide] run that can be wrong in the input, checked
// before any PETSc work: the joint dimension of every species, and rho_A >= 0
// at every tau (the message states the largest admissible lambda). Throws
// InputError.
void check_collide_input(const Model& model, const CollideSettings& settings);

// Strokes needed to reach t_final (t_final rounded to a multiple of tau, at least one).
index_t stroke_count(double t_final, double tau);

class StroboscopicMap {
 public:
  StroboscopicMap(const Model& model, const MasterEquation& me, double tau);

  double tau() const { return tau_; }
  index_t system_dim() const { return d_; }
  const std::vector<Collision>& collisions() const { return collisions_; }

  // One stroke: every species once, in order.
  DenseMatrix stroke(const DenseMatrix& rho) const;
  // The stroke as a d^2 x d^2 matrix on column-stacked vec(rho).
  DenseMatrix superoperator() const;

 private:
  double tau_ = 0.0;
  index_t d_ = 0;
  std::vector<Collision> collisions_;
};

}  // namespace qcoll

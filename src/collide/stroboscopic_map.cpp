#include "qcoll/collide/stroboscopic_map.hpp"

#include <cmath>
#include <string>

#include "dense_kernels.hpp"
#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/master_equation.hpp"

namespace qcoll {

void check_collide_input(const Model& model, const CollideSettings& settings) {
  const index_t d = model.dimension();
  for (const Species& s : model.species) {
    const index_t joint = d * s.ancilla.dim();
    if (joint > kMaxJointDimension)
      throw InputError("collide: the joint system-ancilla dimension of species '" + s.name +
                           "' is d * d_A = " + std::to_string(d) + " * " +
                           std::to_string(s.ancilla.dim()) + " = " + std::to_string(joint) +
                           ", above the limit " + std::to_string(kMaxJointDimension) +
                           " of the dense finite-tau engine; use a smaller system or ancilla, "
                           "or the master equation (evolve/steady)",
                       "species." + s.name + ".ancilla");
    for (double tau : settings.tau) check_ancilla_state(s, tau);
  }
  if (model.species.empty())
    throw InputError("collide: the deck has no [[species]]; there is nothing to collide with",
                     "species");
}

index_t stroke_count(double t_final, double tau) {
  return std::max<index_t>(1, static_cast<index_t>(std::llround(t_final / tau)));
}

StroboscopicMap::StroboscopicMap(const Model& model, const MasterEquation& me, double tau)
    : tau_(tau), d_(me.dim) {
  for (index_t j = 0; j < static_cast<index_t>(model.species.size()); ++j)
    collisions_.emplace_back(model, me, j, tau);
}

DenseMatrix StroboscopicMap::stroke(const DenseMatrix& rho) const {
  DenseMatrix out = rho;
  for (const Collision& c : collisions_) out = c.apply(out);
  return out;
}

DenseMatrix StroboscopicMap::superoperator() const {
  DenseMatrix out = DenseMatrix::identity(d_ * d_);
  for (const Collision& c : collisions_)
    out = collide::product(c.superoperator(), collide::Op::None, out, collide::Op::None);
  return out;
}

}  // namespace qcoll

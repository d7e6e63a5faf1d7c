#pragma once
// The deck's [initial] state as a density matrix, evaluated entry by entry so
// that each rank fills only its own columns of vec(rho).
#include <memory>

#include "qcoll/model/model.hpp"

namespace qcoll {

// States that need a diagonalisation of H_S (ground, excited, thermal) are
// built densely and are limited to this dimension.
inline constexpr index_t kMaxDenseInitialDimension = 4096;

// The diagonalisation is made on the first entry asked for, so that a
// problem whose task never reads the initial state (a direct steady solve)
// does not pay for it; copies share it.
class InitialDensity {
 public:
  InitialDensity(const Model& model, const CsrMatrix& hamiltonian);
  cplx operator()(index_t i, index_t j) const;

 private:
  const DenseMatrix& dense() const;

  index_t d_ = 0;
  index_t basis_index_ = -1;  // pure basis state
  bool maximally_mixed_ = false;
  InitialState state_;
  CsrMatrix hamiltonian_;                       // for ground, excited, thermal
  mutable std::shared_ptr<DenseMatrix> dense_;  // made by dense()
};

}  // namespace qcoll

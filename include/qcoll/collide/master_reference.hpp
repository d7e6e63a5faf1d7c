#pragma once
// The master equation's solution at the stroboscopic times, the tau -> 0
// reference of the collisional map, on PETSC_COMM_SELF (each rank runs its
// own tau values). For d <= kMaxDenseReferenceDimension the one-stroke
// propagator exp(tau L) is built once as a dense d^2 x d^2 matrix (SLEPc FN,
// Pade scaling and squaring) and applied per stroke; above it SLEPc MFN
// computes exp(k tau L) v per recorded stroke (options prefix -collide_, e.g.
// -collide_mfn_tol 1e-13, -collide_mfn_ncv 20).
#include <slepcmfn.h>

#include "qcoll/collide/collide_input.hpp"
#include "qcoll/superop/liouvillian.hpp"

namespace qcoll {

inline constexpr index_t kMaxDenseReferenceDimension = 16;

class MasterReference {
 public:
  MasterReference() = default;
  MasterReference(const MasterReference&) = delete;
  MasterReference& operator=(const MasterReference&) = delete;
  ~MasterReference();

  enum class Method { Automatic, Dense, Krylov };

  // Sets rho_ME(0) to the deck's initial state; one stroke is `tau`.
  // Automatic: Dense for d <= kMaxDenseReferenceDimension, Krylov above.
  PetscErrorCode Setup(const CollideInput& p, double tau, Method method = Method::Automatic);
  // rho_ME after `strokes` more strokes, into `rho` (dense, row-major).
  PetscErrorCode Advance(index_t strokes, DenseMatrix* rho);
  // The current rho_ME, column-stacked (for checkpoints), and setting it
  // (to continue from a checkpoint; after Setup).
  PetscErrorCode GetState(std::vector<cplx>* vec_rho) const;
  PetscErrorCode SetState(const std::vector<cplx>& vec_rho);
  // Safe to call more than once (also called by the destructor).
  PetscErrorCode Destroy();

 private:
  PetscErrorCode SetupDense(const CollideInput& p);
  PetscErrorCode SetupKrylov(const CollideInput& p);

  index_t d_ = 0;
  double tau_ = 0.0;
  // Dense path.
  DenseMatrix propagator_;
  std::vector<cplx> vec_;
  // Krylov path.
  Liouvillian l_;
  MFN mfn_ = nullptr;
  Vec state_ = nullptr, next_ = nullptr;
};

}  // namespace qcoll

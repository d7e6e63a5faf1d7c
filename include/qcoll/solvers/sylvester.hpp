#pragma once
// The Sylvester preconditioner of the steady state (used by steady.cpp).
//
// It inverts the one-sided (no-jump) part S(X) = A X + X B of the generator
// (superop/structure.hpp), exactly, block by block: with the eigen-
// decompositions A_a = V_a diag(alpha) V_a^-1 and B_b = W_b diag(beta) W_b^-1
// of the diagonal blocks of A and B,
//     X_ab = V_a [ (V_a^-1 Y_ab W_b) ./ (alpha_i + beta_j) ] W_b^-1.
// For a Lindblad generator B = A^+ (then W_b^-1 = V_b^+, one decomposition per
// block); A = -i H_eff with H_eff the effective non-Hermitian Hamiltonian.
// As a right preconditioner of GMRES on the bordered Liouvillian it leaves
// the jumps to the Krylov method: tens of iterations (docs/solvers.md).
//
// Each rank owns columns of X, so products from the left are local (one GEMM
// per block and rank) and products from the right become products from the
// left of X^+ (one VecScatter): four GEMMs and two scatters per application.
// The dense factors of every block are held on every rank (16 d_a^2 bytes
// each); the decompositions are spread over the ranks, then broadcast.
#include <petscvec.h>

#include <complex>
#include <vector>

#include "qcoll/model/sparse.hpp"
#include "qcoll/superop/reduced_space.hpp"

namespace qcoll {

struct SylvesterStats {
  double setup_seconds = 0.0;
  double condition = 0.0;    // max over blocks of ||V||_F ||V^-1||_F / d_a
  bool adjoint_pair = true;  // B = A^+ (one decomposition per block)
  index_t largest_block = 0;
  double bytes_per_rank = 0.0;  // dense factors
  double apply_flops = 0.0;     // GEMM flops of one application, busiest rank
};

class SylvesterPreconditioner {
 public:
  SylvesterPreconditioner() = default;
  SylvesterPreconditioner(const SylvesterPreconditioner&) = delete;
  SylvesterPreconditioner& operator=(const SylvesterPreconditioner&) = delete;
  ~SylvesterPreconditioner();

  // `space` must outlive the preconditioner; `like` has the reduced layout.
  // May be called again with another space (then Factor again).
  PetscErrorCode Setup(const ReducedSpace& space, Vec like);
  // (Re)computes the decompositions for the one-sided part left X + X right
  // (d x d; block diagonal in the space's components).
  PetscErrorCode Factor(const CsrMatrix& left, const CsrMatrix& right);
  // y = S^-1 x (reduced layout).
  PetscErrorCode Apply(Vec x, Vec y);
  // Single precision GEMMs (about 2.3x faster; the preconditioner is then
  // linear only to ~1e-7: the Krylov solve must refine). Any time; the
  // factors are kept in double and copied.
  void SetSinglePrecision(bool single);
  bool single_precision() const { return single_; }

  const SylvesterStats& stats() const { return stats_; }
  // Memory of the dense factors per rank for a structure (bytes).
  static double FactorBytes(const BlockStructure& blocks, bool adjoint_pair = true);

 private:
  struct Block {  // one component: column-major dense factors
    index_t n = 0;
    std::vector<cplx> V, Vinv, Wh, Whinv;  // Wh = W^+, Whinv = W^-+ (empty: adjoint pair)
    std::vector<cplx> alpha, beta;         // eigenvalues of A_a, B_a (beta empty: conj(alpha))
    std::vector<std::complex<float>> Vf, Vinvf, Whf, Whinvf;  // single precision copies
  };
  struct Panel {  // the owned columns of one component c within row block a
    int a = 0;
    index_t ncols = 0;
    size_t offset = 0;                // in the packed buffer
    std::vector<index_t> column_pos;  // position of each column's state in component c
    int c = 0;
  };
  enum class Which { V, Vinv, Wh, Whinv };

  PetscErrorCode Decompose(int a, const CsrMatrix& left, const CsrMatrix& right, Block* out,
                           double* condition);
  PetscErrorCode Broadcast(int a, int owner);
  PetscErrorCode Adjoint(Vec in, Vec out);
  // The application in working precision T (double or float).
  template <class T>
  PetscErrorCode ApplyIn(Vec x, Vec y, std::vector<std::complex<T>>* a,
                         std::vector<std::complex<T>>* b);
  template <class T>
  void Pack(const PetscScalar* x, std::complex<T>* buffer) const;
  template <class T>
  void Unpack(const std::complex<T>* buffer, PetscScalar* x) const;
  // buffer_out = M_a buffer_in for each panel, M chosen by `which`.
  void Multiply(Which which, const cplx* in, cplx* out) const;
  void Multiply(Which which, const std::complex<float>* in, std::complex<float>* out) const;
  template <class T>
  void Divide(std::complex<T>* buffer) const;

  const ReducedSpace* space_ = nullptr;
  std::vector<Block> blocks_;
  std::vector<Panel> panels_;
  std::vector<size_t> to_buffer_;  // local reduced entry -> packed position
  std::vector<cplx> buffer_a_, buffer_b_;
  std::vector<std::complex<float>> single_a_, single_b_;
  bool single_ = false;
  VecScatter adjoint_ = nullptr;
  Vec work_ = nullptr, work2_ = nullptr;
  double floor_ = 0.0;  // smallest |alpha_i + beta_j| used
  SylvesterStats stats_;
};

}  // namespace qcoll

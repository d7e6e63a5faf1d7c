#include "qcoll/collide/collision.hpp"

#include <cmath>
#include <utility>

#include "dense_kernels.hpp"
#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/master_equation.hpp"

namespace qcoll {
namespace {

using collide::Op;

// exp(-i t h) for Hermitian h: V diag(exp(-i t w)) V^dag with one zgemm.
// Takes h by value and releases it after the eigen-decomposition (peak memory
// three matrices of h's size).
DenseMatrix joint_unitary(DenseMatrix h, double t) {
  const index_t n = h.rows();
  const HermitianEigen e = eigh(h);
  h = DenseMatrix();
  DenseMatrix scaled = e.vectors;
  for (index_t k = 0; k < n; ++k) {
    const cplx phase = std::exp(cplx(0.0, -t * e.values[k]));
    for (index_t i = 0; i < n; ++i) scaled(i, k) *= phase;
  }
  return collide::product(scaled, Op::None, e.vectors, Op::Adjoint);
}

// The d x d blocks U_ab = (1 (x) <a|) U (1 (x) |b>) (system slowest in the joint index).
std::vector<DenseMatrix> ancilla_blocks(const DenseMatrix& u, index_t d, index_t da) {
  std::vector<DenseMatrix> blocks(da * da, DenseMatrix(d, d));
  for (index_t s = 0; s < d; ++s)
    for (index_t a = 0; a < da; ++a)
      for (index_t t = 0; t < d; ++t)
        for (index_t b = 0; b < da; ++b) blocks[a * da + b](s, t) = u(s * da + a, t * da + b);
  return blocks;
}

// sum_b c_b m_b
DenseMatrix combination(const std::vector<cplx>& c, const std::vector<const DenseMatrix*>& m) {
  DenseMatrix out(m.front()->rows(), m.front()->cols());
  const index_t n = out.rows() * out.cols();
  for (size_t b = 0; b < c.size(); ++b) {
    if (c[b] == cplx(0.0)) continue;
    const cplx* src = m[b]->data();
    cplx* dst = out.data();
    for (index_t k = 0; k < n; ++k) dst[k] += c[b] * src[k];
  }
  return out;
}

}  // namespace

Collision::Collision(const Model& model, const MasterEquation& me, index_t j, double tau) {
  const Species& s = model.species.at(j);
  check_ancilla_state(s, tau);
  name_ = s.name;
  beta_ = s.beta;
  d_ = me.dim;
  da_ = s.ancilla.dim();
  rho_a_ = ancilla_initial_state(s, tau);
  h_a_ = s.hamiltonian;
  eigenbasis_ = me.species.at(j).eigenvectors;
  const double m = static_cast<double>(model.species.size());

  std::vector<DenseMatrix> u;
  {
    DenseMatrix h = kron(me.hamiltonian.to_dense(), DenseMatrix::identity(da_));
    h += kron(DenseMatrix::identity(d_), s.hamiltonian);
    h += cplx(m / std::sqrt(tau)) * coupling_operator(model.sites, s).to_dense();
    u = ancilla_blocks(joint_unitary(std::move(h), tau / m), d_, da_);
  }

  // Kraus-like operators from the eigen-decomposition of rho_j.
  const HermitianEigen q = eigh(rho_a_);
  for (index_t k = 0; k < da_; ++k) {
    if (q.values[k] <= 1e-15) continue;
    for (index_t a = 0; a < da_; ++a) {
      std::vector<cplx> c(da_);
      std::vector<const DenseMatrix*> ub(da_);
      for (index_t b = 0; b < da_; ++b) {
        c[b] = std::sqrt(q.values[k]) * q.vectors(b, k);
        ub[b] = &u[a * da_ + b];
      }
      kraus_.push_back(combination(c, ub));
    }
    ++rank_;
  }

  // The coherent-work operator W = sqrt(tau) lambda sum_ac U_ac^dag H_S R_ac.
  work_ = DenseMatrix(d_, d_);
  if (s.lambda != 0.0 && s.chi.max_abs() > 0.0) {
    for (index_t a = 0; a < da_; ++a)
      for (index_t c = 0; c < da_; ++c) {
        std::vector<cplx> coef(da_);
        std::vector<const DenseMatrix*> ub(da_);
        for (index_t b = 0; b < da_; ++b) {
          coef[b] = s.chi(b, c);
          ub[b] = &u[a * da_ + b];
        }
        const DenseMatrix hr = collide::multiply(me.hamiltonian, combination(coef, ub));
        collide::gemm(u[a * da_ + c], Op::Adjoint, hr, Op::None, work_, 1.0, 1.0);
      }
    work_ = collide::hermitian_part(cplx(std::sqrt(tau) * s.lambda) * work_);
  }
}

DenseMatrix Collision::apply(const DenseMatrix& rho, DenseMatrix* ancilla) const {
  DenseMatrix out(d_, d_), p;
  std::vector<DenseMatrix> kept(ancilla ? da_ : 0);
  if (ancilla) *ancilla = DenseMatrix(da_, da_);
  for (index_t k = 0; k < rank_; ++k) {
    for (index_t a = 0; a < da_; ++a) {
      const DenseMatrix& kak = kraus_[k * da_ + a];
      collide::gemm(kak, Op::None, rho, Op::None, p);
      collide::gemm(p, Op::None, kak, Op::Adjoint, out, 1.0, 1.0);
      if (ancilla) kept[a] = p;
    }
    if (!ancilla) continue;
    for (index_t a = 0; a < da_; ++a)
      for (index_t b = 0; b < da_; ++b)
        (*ancilla)(a, b) += collide::frobenius_inner(kept[a], kraus_[k * da_ + b]);
  }
  if (ancilla) *ancilla = collide::hermitian_part(*ancilla);
  return collide::hermitian_part(out);
}

DenseMatrix Collision::superoperator() const {
  // vec(K rho K^dag) = (conj(K) (x) K) vec(rho).
  DenseMatrix out(d_ * d_, d_ * d_);
  for (const DenseMatrix& k : kraus_) out += kron(k.adjoint().transpose(), k);
  return out;
}

}  // namespace qcoll

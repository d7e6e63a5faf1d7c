#include "qcoll/solvers/sylvester.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <unordered_map>

extern "C" {
void cgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const std::complex<float>* alpha, const std::complex<float>* a, const int* lda,
            const std::complex<float>* b, const int* ldb, const std::complex<float>* beta,
            std::complex<float>* c, const int* ldc);
void zgemm_(const char* ta, const char* tb, const int* m, const int* n, const int* k,
            const qcoll::cplx* alpha, const qcoll::cplx* a, const int* lda, const qcoll::cplx* b,
            const int* ldb, const qcoll::cplx* beta, qcoll::cplx* c, const int* ldc);
void zgeev_(const char* jobvl, const char* jobvr, const int* n, qcoll::cplx* a, const int* lda,
            qcoll::cplx* w, qcoll::cplx* vl, const int* ldvl, qcoll::cplx* vr, const int* ldvr,
            qcoll::cplx* work, const int* lwork, double* rwork, int* info);
void zgetrf_(const int* m, const int* n, qcoll::cplx* a, const int* lda, int* ipiv, int* info);
void zgetri_(const int* n, qcoll::cplx* a, const int* lda, const int* ipiv, qcoll::cplx* work,
             const int* lwork, int* info);
}

namespace qcoll {
namespace {

// Dense column-major block of a CSR matrix on the states `members` of
// component a (entries into other components are left out: the
// preconditioner may use blocks finer than the matrix's).
std::vector<cplx> dense_block(const CsrMatrix& m, const std::vector<index_t>& members,
                              const std::vector<index_t>& position,
                              const std::vector<int>& component, int a) {
  const index_t n = static_cast<index_t>(members.size());
  std::vector<cplx> out(static_cast<size_t>(n * n), 0.0);
  for (index_t r = 0; r < n; ++r) {
    const index_t i = members[r];
    for (index_t p = m.rowptr()[i]; p < m.rowptr()[i + 1]; ++p)
      if (component[m.colind()[p]] == a)
        out[static_cast<size_t>(r + n * position[m.colind()[p]])] += m.values()[p];
  }
  return out;
}

std::vector<cplx> adjoint_of(const std::vector<cplx>& a, index_t n) {
  std::vector<cplx> out(a.size());
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i) out[j + n * i] = std::conj(a[i + n * j]);
  return out;
}

double frobenius(const std::vector<cplx>& a) {
  double s = 0.0;
  for (const cplx& x : a) s += std::norm(x);
  return std::sqrt(s);
}

// Eigenvalues and right eigenvectors (zgeev), and the inverse of the
// eigenvector matrix (zgetrf, zgetri). False if LAPACK fails or the
// eigenvectors are (numerically) dependent.
bool eigen_with_inverse(index_t n, std::vector<cplx> a, std::vector<cplx>* values,
                        std::vector<cplx>* vectors, std::vector<cplx>* inverse) {
  const int m = static_cast<int>(n);
  values->assign(n, 0.0);
  vectors->assign(static_cast<size_t>(n * n), 0.0);
  int info = 0, lwork = -1, one = 1;
  cplx query, dummy;
  std::vector<double> rwork(2 * n);
  zgeev_("N", "V", &m, a.data(), &m, values->data(), &dummy, &one, vectors->data(), &m, &query,
         &lwork, rwork.data(), &info);
  if (info) return false;
  lwork = std::max(1, static_cast<int>(query.real()));
  std::vector<cplx> work(lwork);
  zgeev_("N", "V", &m, a.data(), &m, values->data(), &dummy, &one, vectors->data(), &m, work.data(),
         &lwork, rwork.data(), &info);
  if (info) return false;
  *inverse = *vectors;
  std::vector<int> pivots(n);
  zgetrf_(&m, &m, inverse->data(), &m, pivots.data(), &info);
  if (info) return false;
  lwork = -1;
  zgetri_(&m, inverse->data(), &m, pivots.data(), &query, &lwork, &info);
  lwork = std::max(1, static_cast<int>(query.real()));
  work.assign(lwork, 0.0);
  zgetri_(&m, inverse->data(), &m, pivots.data(), work.data(), &lwork, &info);
  return info == 0;
}

}  // namespace

SylvesterPreconditioner::~SylvesterPreconditioner() {
  VecScatterDestroy(&adjoint_);
  VecDestroy(&work_);
  VecDestroy(&work2_);
}

double SylvesterPreconditioner::FactorBytes(const BlockStructure& blocks, bool adjoint_pair) {
  double entries = 0.0;
  for (index_t n : blocks.size) entries += static_cast<double>(n) * static_cast<double>(n);
  return entries * sizeof(cplx) * (adjoint_pair ? 2.0 : 4.0);
}

void SylvesterPreconditioner::SetSinglePrecision(bool single) {
  single_ = single;
  auto to_float = [single](const std::vector<cplx>& v) {
    return single ? std::vector<std::complex<float>>(v.begin(), v.end())
                  : std::vector<std::complex<float>>();
  };
  for (Block& b : blocks_) {
    b.Vf = to_float(b.V);
    b.Vinvf = to_float(b.Vinv);
    b.Whf = to_float(b.Wh);
    b.Whinvf = to_float(b.Whinv);
  }
  if (!single) {
    single_a_ = {};
    single_b_ = {};
  }
}

PetscErrorCode SylvesterPreconditioner::Setup(const ReducedSpace& space, Vec like) {
  PetscFunctionBeginUser;
  PetscCall(VecScatterDestroy(&adjoint_));  // set up again (other blocks)
  PetscCall(VecDestroy(&work_));
  PetscCall(VecDestroy(&work2_));
  space_ = &space;
  const BlockStructure& bs = space.blocks();
  const ColumnLayout& lay = space.layout();
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(like));

  // Panels: for each component c with owned columns, one per reached row block a.
  std::vector<index_t> ncols(bs.count, 0);
  for (index_t j = lay.col_begin; j < lay.col_end; ++j) ++ncols[bs.component[j]];
  std::unordered_map<long long, int> panel_of;  // a * count + c -> panel
  panels_.clear();
  size_t offset = 0;
  for (int c = 0; c < bs.count; ++c) {
    if (!ncols[c]) continue;
    for (int a = 0; a < bs.count; ++a) {
      if (!bs.block(a, c)) continue;
      Panel p;
      p.a = a;
      p.c = c;
      p.ncols = ncols[c];
      p.offset = offset;
      p.column_pos.assign(ncols[c], 0);
      offset += static_cast<size_t>(bs.size[a] * ncols[c]);
      panel_of[static_cast<long long>(a) * bs.count + c] = static_cast<int>(panels_.size());
      panels_.push_back(std::move(p));
    }
  }
  PetscCheck(offset == static_cast<size_t>(space.local_size()), comm, PETSC_ERR_PLIB,
             "Sylvester preconditioner: panels do not cover the reduced space");
  to_buffer_.assign(space.local_size(), 0);
  std::vector<index_t> next_col(bs.count, 0);
  const std::vector<index_t>& pos = space.position();
  size_t l = 0;
  for (index_t j = lay.col_begin; j < lay.col_end; ++j) {
    const int c = bs.component[j];
    const index_t k = next_col[c]++;
    int last_a = -1;
    Panel* p = nullptr;
    for (index_t i : space.rows_of_column(j)) {
      const int a = bs.component[i];
      if (a != last_a) {
        p = &panels_[panel_of.at(static_cast<long long>(a) * bs.count + c)];
        p->column_pos[k] = pos[j];
        last_a = a;
      }
      to_buffer_[l++] = p->offset + static_cast<size_t>(pos[i] + bs.size[a] * k);
    }
  }

  // vec(X) -> vec(X^T) within the reduced space: entry (i, j) takes (j, i).
  PetscInt rstart;
  PetscCall(VecGetOwnershipRange(like, &rstart, nullptr));
  std::vector<PetscInt> from(space.local_size()), to(space.local_size());
  l = 0;
  for (index_t j = lay.col_begin; j < lay.col_end; ++j)
    for (index_t i : space.rows_of_column(j)) {
      from[l] = space.index_of(j, i);
      to[l] = rstart + static_cast<PetscInt>(l);
      PetscCheck(from[l] >= 0, comm, PETSC_ERR_PLIB, "reduced space not closed under adjoint");
      ++l;
    }
  IS is_from, is_to;
  PetscCall(ISCreateGeneral(comm, static_cast<PetscInt>(from.size()), from.data(),
                            PETSC_COPY_VALUES, &is_from));
  PetscCall(ISCreateGeneral(comm, static_cast<PetscInt>(to.size()), to.data(), PETSC_COPY_VALUES,
                            &is_to));
  PetscCall(VecDuplicate(like, &work_));
  PetscCall(VecDuplicate(like, &work2_));
  PetscCall(VecScatterCreate(like, is_from, work_, is_to, &adjoint_));
  PetscCall(ISDestroy(&is_from));
  PetscCall(ISDestroy(&is_to));
  PetscFunctionReturn(0);
}

PetscErrorCode SylvesterPreconditioner::Decompose(int a, const CsrMatrix& left,
                                                  const CsrMatrix& right, Block* out,
                                                  double* condition) {
  PetscFunctionBeginUser;
  const std::vector<index_t>& members = space_->members()[a];
  const index_t n = static_cast<index_t>(members.size());
  const std::vector<int>& comp = space_->blocks().component;
  const std::vector<cplx> A = dense_block(left, members, space_->position(), comp, a);
  const std::vector<cplx> B = dense_block(right, members, space_->position(), comp, a);
  double scale = 0.0, mismatch = 0.0;
  for (index_t j = 0; j < n; ++j)
    for (index_t i = 0; i < n; ++i) {
      scale = std::max(scale, std::abs(A[i + n * j]));
      mismatch = std::max(mismatch, std::abs(B[i + n * j] - std::conj(A[j + n * i])));
    }
  out->n = n;
  PetscCheck(eigen_with_inverse(n, A, &out->alpha, &out->V, &out->Vinv), PETSC_COMM_SELF,
             PETSC_ERR_LIB,
             "Sylvester preconditioner: the no-jump part of a block of %d states has no "
             "eigendecomposition (LAPACK); use -steady_pc_type asm",
             static_cast<int>(n));
  *condition = frobenius(out->V) * frobenius(out->Vinv) / static_cast<double>(n);
  out->Wh.clear();
  out->Whinv.clear();
  out->beta.clear();
  if (mismatch > 1e-13 * std::max(scale, 1e-300)) {  // B is not A^+
    std::vector<cplx> W, Winv;
    PetscCheck(eigen_with_inverse(n, B, &out->beta, &W, &Winv), PETSC_COMM_SELF, PETSC_ERR_LIB,
               "Sylvester preconditioner: the right no-jump factor has no eigendecomposition");
    out->Wh = adjoint_of(W, n);
    out->Whinv = adjoint_of(Winv, n);
    *condition = std::max(*condition, frobenius(W) * frobenius(Winv) / static_cast<double>(n));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SylvesterPreconditioner::Broadcast(int a, int owner) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(work_));
  Block& b = blocks_[a];
  const index_t n = static_cast<index_t>(space_->members()[a].size());
  int general = b.beta.empty() ? 0 : 1;
  PetscCallMPI(MPI_Bcast(&general, 1, MPI_INT, owner, comm));
  auto share = [&](std::vector<cplx>& v, index_t size) -> PetscErrorCode {
    v.resize(size);
    PetscCallMPI(MPI_Bcast(reinterpret_cast<double*>(v.data()), static_cast<int>(2 * size),
                           MPI_DOUBLE, owner, comm));
    return 0;
  };
  b.n = n;
  PetscCall(share(b.V, n * n));
  PetscCall(share(b.Vinv, n * n));
  PetscCall(share(b.alpha, n));
  if (general) {
    PetscCall(share(b.Wh, n * n));
    PetscCall(share(b.Whinv, n * n));
    PetscCall(share(b.beta, n));
  } else {
    b.Wh.clear();
    b.Whinv.clear();
    b.beta.clear();
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SylvesterPreconditioner::Factor(const CsrMatrix& left, const CsrMatrix& right) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(work_));
  int rank, size;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  const BlockStructure& bs = space_->blocks();
  blocks_.assign(bs.count, Block());
  // Largest blocks first, each to the rank with the least work so far (n^3).
  std::vector<int> order(bs.count);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return bs.size[x] > bs.size[y]; });
  std::vector<double> load(size, 0.0);
  std::vector<int> owner(bs.count, 0);
  for (int a : order) {
    const int r = static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[a] = r;
    load[r] += std::pow(static_cast<double>(bs.size[a]), 3.0) + 1.0;
  }
  double condition = 0.0;
  PetscErrorCode failed = 0;
  for (int a : order)
    if (owner[a] == rank && !failed) {
      double c = 0.0;
      failed = Decompose(a, left, right, &blocks_[a], &c);
      condition = std::max(condition, c);
    }
  int any = failed ? 1 : 0, all = 0;
  PetscCallMPI(MPI_Allreduce(&any, &all, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!all, comm, PETSC_ERR_LIB,
             "the Sylvester preconditioner could not diagonalise the no-jump part of the "
             "Liouvillian; use -steady_pc_type asm (docs/solvers.md)");
  for (int a = 0; a < bs.count; ++a) PetscCall(Broadcast(a, owner[a]));
  SetSinglePrecision(single_);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &condition, 1, MPI_DOUBLE, MPI_MAX, comm));

  double scale = 0.0;
  stats_ = SylvesterStats();
  for (const Block& b : blocks_) {
    for (const cplx& z : b.alpha) scale = std::max(scale, std::abs(z));
    for (const cplx& z : b.beta) scale = std::max(scale, std::abs(z));
    stats_.adjoint_pair = stats_.adjoint_pair && b.beta.empty();
    stats_.largest_block = std::max(stats_.largest_block, b.n);
  }
  floor_ = 1e-10 * std::max(scale, 1e-300);
  for (const Panel& p : panels_)
    stats_.apply_flops += 4.0 * 8.0 * static_cast<double>(blocks_[p.a].n) *
                          static_cast<double>(blocks_[p.a].n) * static_cast<double>(p.ncols);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &stats_.apply_flops, 1, MPI_DOUBLE, MPI_MAX, comm));
  stats_.condition = condition;
  stats_.bytes_per_rank = FactorBytes(bs, stats_.adjoint_pair);
  stats_.setup_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PetscFunctionReturn(0);
}

template <class T>
void SylvesterPreconditioner::Pack(const PetscScalar* x, std::complex<T>* buffer) const {
  const cplx* in = reinterpret_cast<const cplx*>(x);
  for (size_t l = 0; l < to_buffer_.size(); ++l) buffer[to_buffer_[l]] = std::complex<T>(in[l]);
}

template <class T>
void SylvesterPreconditioner::Unpack(const std::complex<T>* buffer, PetscScalar* x) const {
  cplx* out = reinterpret_cast<cplx*>(x);
  for (size_t l = 0; l < to_buffer_.size(); ++l) out[l] = cplx(buffer[to_buffer_[l]]);
}

void SylvesterPreconditioner::Multiply(Which which, const cplx* in, cplx* out) const {
  const cplx one = 1.0, zero = 0.0;
  for (const Panel& p : panels_) {
    const Block& b = blocks_[p.a];
    const bool pair = b.beta.empty();
    const std::vector<cplx>& m = which == Which::V      ? b.V
                                 : which == Which::Vinv ? b.Vinv
                                 : which == Which::Wh   ? (pair ? b.Vinv : b.Wh)
                                                        : (pair ? b.V : b.Whinv);
    const int n = static_cast<int>(b.n), k = static_cast<int>(p.ncols);
    if (!n || !k) continue;
    zgemm_("N", "N", &n, &k, &n, &one, m.data(), &n, in + p.offset, &n, &zero, out + p.offset, &n);
  }
}

void SylvesterPreconditioner::Multiply(Which which, const std::complex<float>* in,
                                       std::complex<float>* out) const {
  const std::complex<float> one = 1.0f, zero = 0.0f;
  for (const Panel& p : panels_) {
    const Block& b = blocks_[p.a];
    const bool pair = b.beta.empty();
    const std::vector<std::complex<float>>& m = which == Which::V      ? b.Vf
                                                : which == Which::Vinv ? b.Vinvf
                                                : which == Which::Wh   ? (pair ? b.Vinvf : b.Whf)
                                                                       : (pair ? b.Vf : b.Whinvf);
    const int n = static_cast<int>(b.n), k = static_cast<int>(p.ncols);
    if (!n || !k) continue;
    cgemm_("N", "N", &n, &k, &n, &one, m.data(), &n, in + p.offset, &n, &zero, out + p.offset, &n);
  }
}

// The panel of row block b and owned columns of component a holds
// Z_ab^+ (rows: eigen-index q of B_b, columns: eigen-index p of A_a):
// divide by conj(alpha_p + beta_q).
template <class T>
void SylvesterPreconditioner::Divide(std::complex<T>* buffer) const {
  for (const Panel& p : panels_) {
    const Block& rows = blocks_[p.a];
    const Block& cols = blocks_[p.c];
    const index_t n = rows.n;
    for (index_t k = 0; k < p.ncols; ++k) {
      const cplx alpha = cols.alpha[p.column_pos[k]];
      std::complex<T>* column = buffer + p.offset + static_cast<size_t>(n * k);
      for (index_t q = 0; q < n; ++q) {
        const cplx beta = rows.beta.empty() ? std::conj(rows.alpha[q]) : rows.beta[q];
        cplx den = std::conj(alpha + beta);
        const double m = std::abs(den);
        if (m < floor_) den = m > 0 ? den * (floor_ / m) : cplx(-floor_, 0.0);
        column[q] = std::complex<T>(cplx(column[q]) / den);
      }
    }
  }
}

PetscErrorCode SylvesterPreconditioner::Adjoint(Vec in, Vec out) {
  PetscFunctionBeginUser;
  PetscCall(VecScatterBegin(adjoint_, in, out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(adjoint_, in, out, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecConjugate(out));
  PetscFunctionReturn(0);
}

PetscErrorCode SylvesterPreconditioner::Apply(Vec x, Vec y) {
  PetscFunctionBeginUser;
  if (single_) {
    PetscCall(ApplyIn(x, y, &single_a_, &single_b_));
  } else {
    PetscCall(ApplyIn(x, y, &buffer_a_, &buffer_b_));
  }
  PetscFunctionReturn(0);
}

template <class T>
PetscErrorCode SylvesterPreconditioner::ApplyIn(Vec x, Vec y, std::vector<std::complex<T>>* va,
                                                std::vector<std::complex<T>>* vb) {
  PetscFunctionBeginUser;
  va->resize(to_buffer_.size());
  vb->resize(to_buffer_.size());
  std::complex<T>* a = va->data();
  std::complex<T>* b = vb->data();
  const PetscScalar* in;
  PetscScalar* out;
  // T = V^-1 Y
  PetscCall(VecGetArrayRead(x, &in));
  Pack(in, a);
  PetscCall(VecRestoreArrayRead(x, &in));
  Multiply(Which::Vinv, a, b);
  PetscCall(VecGetArray(work_, &out));
  Unpack(b, out);
  PetscCall(VecRestoreArray(work_, &out));
  // U = W^+ T^+ = Z^+, divided; R = W^-+ U
  PetscCall(Adjoint(work_, work2_));
  PetscCall(VecGetArrayRead(work2_, &in));
  Pack(in, a);
  PetscCall(VecRestoreArrayRead(work2_, &in));
  Multiply(Which::Wh, a, b);
  Divide(b);
  Multiply(Which::Whinv, b, a);
  PetscCall(VecGetArray(work_, &out));
  Unpack(a, out);
  PetscCall(VecRestoreArray(work_, &out));
  // X = V R^+
  PetscCall(Adjoint(work_, work2_));
  PetscCall(VecGetArrayRead(work2_, &in));
  Pack(in, a);
  PetscCall(VecRestoreArrayRead(work2_, &in));
  Multiply(Which::V, a, b);
  PetscCall(VecGetArray(y, &out));
  Unpack(b, out);
  PetscCall(VecRestoreArray(y, &out));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

// Matrix-free Liouvillian (MATSHELL): L(rho) = A0 rho + rho B0 + sum_s P_s rho Q_s
// applied column by column on the owned columns of rho; see matrix_free.hpp.
//
// One product: start the ghost-column scatter; for the owned columns, two at
// a time, set y_ij = (A0_ii + B0_jj) x_ij + sum_{k != i} A0_ik x_kj (the
// diagonals of A0 and B0 merged, each entry of A0 loaded once per two
// columns), then add every right-multiplication term (x B0, P_s x Q_s) of
// column j whose columns of x are all owned; finish the scatter; add the terms
// that need ghost columns. Operators are stored as real and imaginary parts
// and complex arithmetic is written out on (re, im) pairs, so the inner loops
// are real coefficients times (re, im) pairs: packed multiply-adds, no
// NaN-recovery calls. Memory traffic per product: x, y and the ghost columns;
// the d x d operators stay in cache.
#include "qcoll/superop/matrix_free.hpp"

#include <petscvec.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <memory>

namespace qcoll {
namespace {

// The real or the imaginary part of a d x d operator, CSR over all d rows,
// 32-bit column indices.
struct RealCsr {
  std::vector<index_t> ptr{0};
  std::vector<int> cols;
  std::vector<double> vals;
};

// A complex operator as re + i im, each part with its own pattern, and the
// rows that have entries. Operators built from real matrices (H, spin jump
// operators) then cost one real multiply-add per entry and component instead
// of a complex product, and every inner loop is "real coefficient times
// (re, im) pairs", which compiles to packed multiply-adds.
struct SplitCsr {
  RealCsr re, im;
  std::vector<int> rows;  // rows with entries in re or im
  // At most one entry per row (local ladder and projection operators): the
  // entry of each listed row, for a loop without inner loops.
  bool single = false;
  std::vector<int> single_cols;
  std::vector<cplx> single_vals;
};

// `drop_diagonal`: the diagonal is kept elsewhere (A0 and B0, see Kernel::diag).
SplitCsr split(const CsrMatrix& m, bool drop_diagonal) {
  SplitCsr s;
  for (index_t i = 0; i < m.rows(); ++i) {
    for (index_t p = m.rowptr()[i]; p < m.rowptr()[i + 1]; ++p) {
      const cplx v = m.values()[p];
      const int c = static_cast<int>(m.colind()[p]);
      if (drop_diagonal && c == i) continue;
      if (v.real() != 0.0) {
        s.re.cols.push_back(c);
        s.re.vals.push_back(v.real());
      }
      if (v.imag() != 0.0) {
        s.im.cols.push_back(c);
        s.im.vals.push_back(v.imag());
      }
    }
    const bool any = static_cast<index_t>(s.re.cols.size()) > s.re.ptr.back() ||
                     static_cast<index_t>(s.im.cols.size()) > s.im.ptr.back();
    s.re.ptr.push_back(static_cast<index_t>(s.re.cols.size()));
    s.im.ptr.push_back(static_cast<index_t>(s.im.cols.size()));
    if (any) s.rows.push_back(static_cast<int>(i));
  }
  s.single = !drop_diagonal;
  for (index_t i = 0; i < m.rows() && s.single; ++i)
    s.single = m.rowptr()[i + 1] - m.rowptr()[i] <= 1;
  if (s.single)
    for (const int i : s.rows) {
      s.single_cols.push_back(static_cast<int>(m.colind()[m.rowptr()[i]]));
      s.single_vals.push_back(m.values()[m.rowptr()[i]]);
    }
  return s;
}

// For each owned column j of rho, the entries (k, R_kj) of column j of a right
// operator R, with k translated into a slot of the column table (owned columns
// first, then ghost columns), split by real and imaginary part of R_kj (B0,
// without its diagonal) or kept complex (sandwich Q_s); `remote` marks columns
// that need a ghost column.
struct SplitColumns {
  std::vector<index_t> ptr_re{0}, ptr_im{0};
  std::vector<int> slot_re, slot_im;
  std::vector<double> val_re, val_im;
  std::vector<unsigned char> remote;
};

struct ComplexColumns {
  std::vector<index_t> ptr{0};
  std::vector<int> slot;
  std::vector<cplx> val;
  std::vector<unsigned char> remote;
};

struct Kernel {
  index_t d = 0, j0 = 0, j1 = 0;
  std::vector<cplx> a0_diag;  // (A0)_ii
  std::vector<cplx> b0_diag;  // (B0)_jj of the owned columns
  SplitCsr a0;                // A0 without its diagonal
  SplitColumns b0;            // B0 without its diagonal
  std::vector<SplitCsr> p;
  std::vector<ComplexColumns> q;
  std::vector<PetscInt> ghost_cols;   // global indices of the ghost columns, ascending
  Vec ghosts = nullptr;               // their values, column after column (sequential)
  VecScatter scatter = nullptr;       // x -> ghosts (null on one rank)
  std::vector<cplx> tmp;              // one column of scratch
  std::vector<const cplx*> colptr;    // slot -> column of x (owned) or of ghosts
  std::vector<const double*> xr, xi;  // the columns of one column's B0 entries
  index_t operator_nnz = 0;
  double bytes = 0.0;
  index_t owned() const { return j1 - j0; }
};

struct Shell {
  GroupedTerms terms;
  std::unique_ptr<Kernel> forward, transpose, hermitian;
  Vec like = nullptr;  // a vector with the operator's layout (for lazily built kernels)
};

constexpr const char* kComposedName = "qcoll_matrix_free";

// The kernels are inlined into two entry points (local and ghost pass) that
// are compiled twice on x86-64 with GCC: for x86-64-v3 (AVX2, FMA) and the
// baseline, chosen at load time (target_clones), so the binary runs anywhere.
#define QCOLL_INLINE inline __attribute__((always_inline))
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define QCOLL_KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define QCOLL_KERNEL_CLONES
#endif

// Complex vectors below are (re, im) pairs of doubles; Pair holds one in a
// 16-byte register (GCC/Clang vector extension), so "real times complex" is
// one packed multiply-add.
typedef double Pair __attribute__((vector_size(16)));
QCOLL_INLINE Pair load_pair(const double* p) {
  Pair v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// y_i = (a_i + b) x_i: the diagonals of A0 and B0 together; sets column y.
QCOLL_INLINE void diagonal_set(index_t d, const cplx* a, cplx b, const double* x, double* y) {
  for (index_t i = 0; i < d; ++i) {
    const double dr = a[i].real() + b.real(), di = a[i].imag() + b.imag();
    const double xr = x[2 * i], xi = x[2 * i + 1];
    y[2 * i] = dr * xr - di * xi;
    y[2 * i + 1] = dr * xi + di * xr;
  }
}

// y_b += A x_b for B columns at once: each entry of A is loaded once per
// block, and the B columns give independent chains of multiply-adds.
template <int B>
QCOLL_INLINE void left_block(const SplitCsr& a, const double* const* x, double* const* y) {
  const index_t *pr = a.re.ptr.data(), *pi = a.im.ptr.data();
  const int *cr = a.re.cols.data(), *ci = a.im.cols.data();
  const double *vr = a.re.vals.data(), *vi = a.im.vals.data();
  for (const int i : a.rows) {
    Pair s[B], t[B];  // (A x)_i = s + i t
    for (int b = 0; b < B; ++b) s[b] = t[b] = Pair{0.0, 0.0};
    for (index_t p = pr[i]; p < pr[i + 1]; ++p) {
      const double v = vr[p];
      const index_t c = 2 * static_cast<index_t>(cr[p]);
      for (int b = 0; b < B; ++b) s[b] += v * load_pair(x[b] + c);
    }
    for (index_t p = pi[i]; p < pi[i + 1]; ++p) {
      const double v = vi[p];
      const index_t c = 2 * static_cast<index_t>(ci[p]);
      for (int b = 0; b < B; ++b) t[b] += v * load_pair(x[b] + c);
    }
    for (int b = 0; b < B; ++b) {
      y[b][2 * i] += s[b][0] - t[b][1];
      y[b][2 * i + 1] += s[b][1] + t[b][0];
    }
  }
}

// y += sum_e br_e xr_e + i sum_e bi_e xi_e over d rows (column j of x B0),
// four rows at a time: contiguous loads, no shuffles until the final sum.
QCOLL_INLINE void right_column(index_t d, const double* const* xr, const double* br, int nr,
                               const double* const* xi, const double* bi, int ni, double* y) {
  constexpr int R = 4;
  index_t i = 0;
  for (; i + R <= d; i += R) {
    double s[2 * R] = {}, t[2 * R] = {};
    for (int e = 0; e < nr; ++e) {
      const double b = br[e];
      const double* xe = xr[e] + 2 * i;
      for (int q = 0; q < 2 * R; ++q) s[q] += b * xe[q];
    }
    for (int e = 0; e < ni; ++e) {
      const double b = bi[e];
      const double* xe = xi[e] + 2 * i;
      for (int q = 0; q < 2 * R; ++q) t[q] += b * xe[q];
    }
    double* yi = y + 2 * i;
    for (int r = 0; r < R; ++r) {
      yi[2 * r] += s[2 * r] - t[2 * r + 1];
      yi[2 * r + 1] += s[2 * r + 1] + t[2 * r];
    }
  }
  for (; i < d; ++i) {
    double s0 = 0.0, s1 = 0.0, t0 = 0.0, t1 = 0.0;
    for (int e = 0; e < nr; ++e) {
      s0 += br[e] * xr[e][2 * i];
      s1 += br[e] * xr[e][2 * i + 1];
    }
    for (int e = 0; e < ni; ++e) {
      t0 += bi[e] * xi[e][2 * i];
      t1 += bi[e] * xi[e][2 * i + 1];
    }
    y[2 * i] += s0 - t1;
    y[2 * i + 1] += s1 + t0;
  }
}

// y += s (P x) over the rows of P that have entries.
QCOLL_INLINE void sandwich_add(const SplitCsr& a, cplx s, const double* x, double* y) {
  if (a.single) {
    const double s_re = s.real(), s_im = s.imag();
    const int* cols = a.single_cols.data();
    const double* v = reinterpret_cast<const double*>(a.single_vals.data());
    for (size_t r = 0; r < a.rows.size(); ++r) {
      const double w_re = s_re * v[2 * r] - s_im * v[2 * r + 1];
      const double w_im = s_re * v[2 * r + 1] + s_im * v[2 * r];
      const double xr = x[2 * cols[r]], xi = x[2 * cols[r] + 1];
      const index_t i = a.rows[r];
      y[2 * i] += w_re * xr - w_im * xi;
      y[2 * i + 1] += w_re * xi + w_im * xr;
    }
    return;
  }
  const index_t *pr = a.re.ptr.data(), *pi = a.im.ptr.data();
  const int *cr = a.re.cols.data(), *ci = a.im.cols.data();
  const double *vr = a.re.vals.data(), *vi = a.im.vals.data();
  const double s_re = s.real(), s_im = s.imag();
  for (const int i : a.rows) {
    double sr = 0.0, si = 0.0, tr = 0.0, ti = 0.0;
    for (index_t p = pr[i]; p < pr[i + 1]; ++p) {
      sr += vr[p] * x[2 * cr[p]];
      si += vr[p] * x[2 * cr[p] + 1];
    }
    for (index_t p = pi[i]; p < pi[i + 1]; ++p) {
      tr += vi[p] * x[2 * ci[p]];
      ti += vi[p] * x[2 * ci[p] + 1];
    }
    const double re = sr - ti, im = si + tr;  // (P x)_i
    y[2 * i] += s_re * re - s_im * im;
    y[2 * i + 1] += s_re * im + s_im * re;
  }
}

// y += s * x over n complex entries.
QCOLL_INLINE void axpy(index_t n, cplx s, const cplx* xc, cplx* yc) {
  const double* x = reinterpret_cast<const double*>(xc);
  double* y = reinterpret_cast<double*>(yc);
  const double sr = s.real(), si = s.imag();
  for (index_t i = 0; i < n; ++i) {
    const double a = x[2 * i], b = x[2 * i + 1];
    y[2 * i] += sr * a - si * b;
    y[2 * i + 1] += sr * b + si * a;
  }
}

QCOLL_INLINE const double* as_doubles(const cplx* c) {
  return reinterpret_cast<const double*>(c);
}

// The right-multiplication terms of owned column jl that belong to this pass
// (remote: those of columns that need a ghost column).
QCOLL_INLINE void right_terms(Kernel& k, index_t jl, bool remote, double* y) {
  const index_t d = k.d;
  const SplitColumns& b = k.b0;
  if (static_cast<bool>(b.remote[jl]) == remote) {
    int nr = 0, ni = 0;
    for (index_t e = b.ptr_re[jl]; e < b.ptr_re[jl + 1]; ++e)
      k.xr[nr++] = as_doubles(k.colptr[b.slot_re[e]]);
    for (index_t e = b.ptr_im[jl]; e < b.ptr_im[jl + 1]; ++e)
      k.xi[ni++] = as_doubles(k.colptr[b.slot_im[e]]);
    if (nr + ni > 0)
      right_column(d, k.xr.data(), b.val_re.data() + b.ptr_re[jl], nr, k.xi.data(),
                   b.val_im.data() + b.ptr_im[jl], ni, y);
  }
  for (size_t s = 0; s < k.p.size(); ++s) {
    const ComplexColumns& q = k.q[s];
    if (static_cast<bool>(q.remote[jl]) != remote) continue;
    const index_t first = q.ptr[jl], last = q.ptr[jl + 1];
    if (first == last) continue;
    if (last - first == 1) {  // P (q x_k): no scratch column
      sandwich_add(k.p[s], q.val[first], as_doubles(k.colptr[q.slot[first]]), y);
      continue;
    }
    std::fill(k.tmp.begin(), k.tmp.end(), cplx(0.0));
    for (index_t e = first; e < last; ++e) axpy(d, q.val[e], k.colptr[q.slot[e]], k.tmp.data());
    sandwich_add(k.p[s], 1.0, as_doubles(k.tmp.data()), y);
  }
}

// Local pass over owned columns [c0, c0 + B): sets them from the diagonal and
// the left products, then adds the right products that need no ghost column.
template <int B>
QCOLL_INLINE void local_block(Kernel& k, index_t c0, cplx* yc) {
  const double* x[B];
  double* y[B];
  for (int b = 0; b < B; ++b) {
    x[b] = as_doubles(k.colptr[c0 + b]);
    y[b] = reinterpret_cast<double*>(yc + (c0 + b) * k.d);
    diagonal_set(k.d, k.a0_diag.data(), k.b0_diag[c0 + b], x[b], y[b]);
  }
  left_block<B>(k.a0, x, y);
  for (int b = 0; b < B; ++b) right_terms(k, c0 + b, false, y[b]);
}

QCOLL_KERNEL_CLONES void local_pass(Kernel& k, cplx* yc) {
  const index_t nown = k.owned();
  index_t c0 = 0;
  for (; c0 + 2 <= nown; c0 += 2) local_block<2>(k, c0, yc);
  for (; c0 < nown; ++c0) local_block<1>(k, c0, yc);
}

QCOLL_KERNEL_CLONES void ghost_pass(Kernel& k, cplx* yc) {
  for (index_t jl = 0; jl < k.owned(); ++jl)
    right_terms(k, jl, true, reinterpret_cast<double*>(yc + jl * k.d));
}

PetscErrorCode KernelApply(Kernel& k, Vec x, Vec y) {
  PetscFunctionBeginUser;
  const index_t d = k.d, nown = k.owned();
  if (k.scatter) PetscCall(VecScatterBegin(k.scatter, x, k.ghosts, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar* xa;
  PetscScalar* ya;
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArrayWrite(y, &ya));
  const cplx* xc = reinterpret_cast<const cplx*>(xa);
  cplx* yc = reinterpret_cast<cplx*>(ya);
  for (index_t c = 0; c < nown; ++c) k.colptr[c] = xc + c * d;
  local_pass(k, yc);
  if (k.scatter) {
    PetscCall(VecScatterEnd(k.scatter, x, k.ghosts, INSERT_VALUES, SCATTER_FORWARD));
    const PetscScalar* ga;
    PetscCall(VecGetArrayRead(k.ghosts, &ga));
    const cplx* gc = reinterpret_cast<const cplx*>(ga);
    for (size_t g = 0; g < k.ghost_cols.size(); ++g) k.colptr[nown + g] = gc + g * d;
    ghost_pass(k, yc);
    PetscCall(VecRestoreArrayRead(k.ghosts, &ga));
  }
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(VecRestoreArrayWrite(y, &ya));
  PetscFunctionReturn(0);
}

PetscErrorCode KernelDestroy(Kernel* k) {
  PetscFunctionBeginUser;
  PetscCall(VecScatterDestroy(&k->scatter));
  PetscCall(VecDestroy(&k->ghosts));
  PetscFunctionReturn(0);
}

double csr_bytes(const SplitCsr& c) {
  double b = c.rows.size() * sizeof(int) + c.single_cols.size() * (sizeof(int) + sizeof(cplx));
  for (const RealCsr* r : {&c.re, &c.im})
    b += r->ptr.size() * sizeof(index_t) + r->cols.size() * (sizeof(int) + sizeof(double));
  return b;
}

double columns_bytes(const SplitColumns& c) {
  return (c.ptr_re.size() + c.ptr_im.size()) * sizeof(index_t) +
         (c.slot_re.size() + c.slot_im.size()) * (sizeof(int) + sizeof(double)) + c.remote.size();
}

double columns_bytes(const ComplexColumns& c) {
  return c.ptr.size() * sizeof(index_t) + c.slot.size() * (sizeof(int) + sizeof(cplx)) +
         c.remote.size();
}

// Builds the kernel of `g` for the layout of `like` (collective).
PetscErrorCode KernelCreate(const GroupedTerms& g, Vec like, Kernel* k) {
  PetscFunctionBeginUser;
  MPI_Comm comm;
  PetscCall(PetscObjectGetComm(reinterpret_cast<PetscObject>(like), &comm));
  const index_t d = g.d;
  PetscCheck(d < std::numeric_limits<int>::max(), comm, PETSC_ERR_SUP,
             "matrix-free Liouvillian: d = %lld too large for 32-bit column indices", (long long)d);
  PetscInt rstart, rend;
  PetscCall(VecGetOwnershipRange(like, &rstart, &rend));
  PetscCheck(rstart % d == 0 && rend % d == 0, comm, PETSC_ERR_ARG_INCOMP,
             "matrix-free Liouvillian: the layout does not own whole columns of rho");
  k->d = d;
  k->j0 = rstart / d;
  k->j1 = rend / d;
  const index_t nown = k->owned();
  k->a0 = split(g.left, true);
  k->a0_diag.resize(d);
  for (index_t i = 0; i < d; ++i) k->a0_diag[i] = g.left.at(i, i);
  for (const GroupedSandwich& s : g.sandwiches) k->p.push_back(split(s.left, false));

  // Right operators transposed: row j of R^T is column j of R.
  std::vector<CsrMatrix> rt;
  rt.push_back(g.right.transpose());
  for (const GroupedSandwich& s : g.sandwiches) rt.push_back(s.right.transpose());

  // Ghost columns: the union of the non-owned k over all right operators.
  std::vector<int> slot_of(d, -1);
  for (index_t c = 0; c < nown; ++c) slot_of[k->j0 + c] = static_cast<int>(c);
  std::vector<unsigned char> need(d, 0);
  for (const CsrMatrix& r : rt)
    for (index_t j = k->j0; j < k->j1; ++j)
      for (index_t e = r.rowptr()[j]; e < r.rowptr()[j + 1]; ++e) {
        const index_t col = r.colind()[e];
        if (col < k->j0 || col >= k->j1) need[col] = 1;
      }
  for (index_t col = 0; col < d; ++col)
    if (need[col]) {
      slot_of[col] = static_cast<int>(nown + k->ghost_cols.size());
      k->ghost_cols.push_back(static_cast<PetscInt>(col));
    }

  // B0: diagonal apart, the other entries split by real and imaginary part.
  {
    const CsrMatrix& r = rt[0];
    SplitColumns& b = k->b0;
    b.remote.assign(nown, 0);
    k->b0_diag.assign(nown, 0.0);
    index_t widest = 0;
    for (index_t j = k->j0; j < k->j1; ++j) {
      for (index_t e = r.rowptr()[j]; e < r.rowptr()[j + 1]; ++e) {
        const cplx v = r.values()[e];
        if (r.colind()[e] == j) {
          k->b0_diag[j - k->j0] = v;
          continue;
        }
        const int slot = slot_of[r.colind()[e]];
        if (v.real() != 0.0) {
          b.slot_re.push_back(slot);
          b.val_re.push_back(v.real());
        }
        if (v.imag() != 0.0) {
          b.slot_im.push_back(slot);
          b.val_im.push_back(v.imag());
        }
        if (slot >= nown) b.remote[j - k->j0] = 1;
      }
      b.ptr_re.push_back(static_cast<index_t>(b.slot_re.size()));
      b.ptr_im.push_back(static_cast<index_t>(b.slot_im.size()));
      widest = std::max(widest, r.rowptr()[j + 1] - r.rowptr()[j]);
    }
    k->xr.assign(widest, nullptr);
    k->xi.assign(widest, nullptr);
  }
  for (size_t s = 1; s < rt.size(); ++s) {
    const CsrMatrix& r = rt[s];
    ComplexColumns c;
    c.remote.assign(nown, 0);
    for (index_t j = k->j0; j < k->j1; ++j) {
      for (index_t e = r.rowptr()[j]; e < r.rowptr()[j + 1]; ++e) {
        const int slot = slot_of[r.colind()[e]];
        c.slot.push_back(slot);
        c.val.push_back(r.values()[e]);
        if (slot >= nown) c.remote[j - k->j0] = 1;
      }
      c.ptr.push_back(static_cast<index_t>(c.slot.size()));
    }
    k->q.push_back(std::move(c));
  }

  PetscMPIInt size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  const PetscInt nghost = static_cast<PetscInt>(k->ghost_cols.size());
  if (size > 1) {
    IS from, to;
    PetscCall(ISCreateBlock(PETSC_COMM_SELF, static_cast<PetscInt>(d), nghost, k->ghost_cols.data(),
                            PETSC_COPY_VALUES, &from));
    PetscCall(ISCreateStride(PETSC_COMM_SELF, static_cast<PetscInt>(d) * nghost, 0, 1, &to));
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, static_cast<PetscInt>(d) * nghost, &k->ghosts));
    PetscCall(VecScatterCreate(like, from, k->ghosts, to, &k->scatter));
    PetscCall(ISDestroy(&from));
    PetscCall(ISDestroy(&to));
  }
  k->tmp.assign(d, cplx(0.0));
  k->colptr.assign(nown + nghost, nullptr);

  k->operator_nnz = g.left.nnz() + g.right.nnz();
  for (const GroupedSandwich& s : g.sandwiches) k->operator_nnz += s.left.nnz() + s.right.nnz();
  k->bytes = csr_bytes(k->a0) + columns_bytes(k->b0) +
             (k->a0_diag.size() + k->b0_diag.size() + d) * sizeof(cplx) +
             static_cast<double>(d) * nghost * sizeof(cplx);
  for (const SplitCsr& c : k->p) k->bytes += csr_bytes(c);
  for (const ComplexColumns& c : k->q) k->bytes += columns_bytes(c);
  PetscFunctionReturn(0);
}

PetscErrorCode GetShell(Mat m, Shell** out) {
  PetscFunctionBeginUser;
  PetscContainer c = nullptr;
  PetscCall(PetscObjectQuery(reinterpret_cast<PetscObject>(m), kComposedName,
                             reinterpret_cast<PetscObject*>(&c)));
  PetscCheck(c, PetscObjectComm(reinterpret_cast<PetscObject>(m)), PETSC_ERR_ARG_WRONG,
             "not a matrix-free Liouvillian");
  void* ptr;
  PetscCall(PetscContainerGetPointer(c, &ptr));
  *out = static_cast<Shell*>(ptr);
  PetscFunctionReturn(0);
}

PetscErrorCode ShellMult(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  Shell* s = nullptr;
  PetscCall(GetShell(m, &s));
  PetscCall(KernelApply(*s->forward, x, y));
  PetscFunctionReturn(0);
}

PetscErrorCode LazyKernel(Shell* s, bool conjugate, Kernel** out) {
  PetscFunctionBeginUser;
  std::unique_ptr<Kernel>& k = conjugate ? s->hermitian : s->transpose;
  if (!k) {
    k = std::make_unique<Kernel>();
    PetscCall(KernelCreate(transposed_terms(s->terms, conjugate), s->like, k.get()));
  }
  *out = k.get();
  PetscFunctionReturn(0);
}

PetscErrorCode ShellMultTranspose(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  Shell* s = nullptr;
  Kernel* k = nullptr;
  PetscCall(GetShell(m, &s));
  PetscCall(LazyKernel(s, false, &k));
  PetscCall(KernelApply(*k, x, y));
  PetscFunctionReturn(0);
}

PetscErrorCode ShellMultHermitianTranspose(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  Shell* s = nullptr;
  Kernel* k = nullptr;
  PetscCall(GetShell(m, &s));
  PetscCall(LazyKernel(s, true, &k));
  PetscCall(KernelApply(*k, x, y));
  PetscFunctionReturn(0);
}

std::vector<cplx> diagonal_of(const CsrMatrix& m) {
  std::vector<cplx> out(m.rows(), 0.0);
  for (index_t i = 0; i < m.rows(); ++i) out[i] = m.at(i, i);
  return out;
}

// L_{(i,j),(i,j)} = A0_ii + B0_jj + sum_s P_s,ii Q_s,jj.
PetscErrorCode ShellGetDiagonal(Mat m, Vec diag) {
  PetscFunctionBeginUser;
  Shell* s = nullptr;
  PetscCall(GetShell(m, &s));
  const Kernel& k = *s->forward;
  const std::vector<cplx> a = diagonal_of(s->terms.left), b = diagonal_of(s->terms.right);
  std::vector<std::vector<cplx>> p, q;
  for (const GroupedSandwich& w : s->terms.sandwiches) {
    p.push_back(diagonal_of(w.left));
    q.push_back(diagonal_of(w.right));
  }
  PetscScalar* v;
  PetscCall(VecGetArrayWrite(diag, &v));
  for (index_t j = k.j0; j < k.j1; ++j)
    for (index_t i = 0; i < k.d; ++i) {
      cplx x = a[i] + b[j];
      for (size_t w = 0; w < p.size(); ++w) x += p[w][i] * q[w][j];
      v[(j - k.j0) * k.d + i] = x;
    }
  PetscCall(VecRestoreArrayWrite(diag, &v));
  PetscFunctionReturn(0);
}

PetscErrorCode ShellDestroyContext(void* ctx) {
  PetscFunctionBeginUser;
  Shell* s = static_cast<Shell*>(ctx);
  for (std::unique_ptr<Kernel>* k : {&s->forward, &s->transpose, &s->hermitian})
    if (*k) PetscCall(KernelDestroy(k->get()));
  PetscCall(VecDestroy(&s->like));
  delete s;
  PetscFunctionReturn(0);
}

CsrMatrix scaled_sum(const CsrMatrix& acc, cplx c, const CsrMatrix& m) {
  return axpby(1.0, acc, c, m);
}

}  // namespace

GroupedTerms group_terms(index_t d, const SuperOperatorTerms& fixed,
                         const std::vector<SuperOperatorTerms>& parts,
                         const std::vector<PetscScalar>& coefs) {
  GroupedTerms g;
  g.d = d;
  g.left = CsrMatrix(d, d);
  g.right = CsrMatrix(d, d);
  const CsrMatrix identity = CsrMatrix::identity(d);
  auto add = [&](const SuperOperatorTerms& terms, cplx scale) {
    for (const SandwichTerm& t : terms) {
      const cplx c = scale * t.coef;
      if (c == cplx(0.0)) continue;
      if (!t.right)
        g.left = scaled_sum(g.left, c, t.left ? *t.left : identity);
      else if (!t.left)
        g.right = scaled_sum(g.right, c, *t.right);
      else
        g.sandwiches.push_back({*t.left, c * *t.right});
    }
  };
  add(fixed, 1.0);
  for (size_t k = 0; k < parts.size() && k < coefs.size(); ++k)
    if (coefs[k] != PetscScalar(0.0)) add(parts[k], coefs[k]);
  return g;
}

GroupedTerms transposed_terms(const GroupedTerms& g, bool conjugate) {
  auto op = [conjugate](const CsrMatrix& m) { return conjugate ? m.adjoint() : m.transpose(); };
  GroupedTerms t;
  t.d = g.d;
  t.left = op(g.left);
  t.right = op(g.right);
  for (const GroupedSandwich& s : g.sandwiches) t.sandwiches.push_back({op(s.left), op(s.right)});
  return t;
}

PetscErrorCode MatCreateMatrixFreeLiouvillian(MPI_Comm comm, GroupedTerms terms, Mat* out) {
  PetscFunctionBeginUser;
  const ColumnLayout lay = column_layout(comm, terms.d);
  const PetscInt nloc = static_cast<PetscInt>(lay.local_rows());
  const PetscInt nglob = static_cast<PetscInt>(terms.d * terms.d);
  auto shell = std::make_unique<Shell>();
  shell->terms = std::move(terms);
  PetscCall(VecCreate(comm, &shell->like));
  PetscCall(VecSetSizes(shell->like, nloc, nglob));
  PetscCall(VecSetType(shell->like, VECSTANDARD));
  shell->forward = std::make_unique<Kernel>();
  PetscCall(KernelCreate(shell->terms, shell->like, shell->forward.get()));

  Mat m;
  PetscCall(MatCreateShell(comm, nloc, nloc, nglob, nglob, shell.get(), &m));
  PetscCall(MatShellSetOperation(m, MATOP_MULT, reinterpret_cast<void (*)(void)>(ShellMult)));
  PetscCall(MatShellSetOperation(m, MATOP_MULT_TRANSPOSE,
                                 reinterpret_cast<void (*)(void)>(ShellMultTranspose)));
  PetscCall(MatShellSetOperation(m, MATOP_MULT_HERMITIAN_TRANSPOSE,
                                 reinterpret_cast<void (*)(void)>(ShellMultHermitianTranspose)));
  PetscCall(MatShellSetOperation(m, MATOP_GET_DIAGONAL,
                                 reinterpret_cast<void (*)(void)>(ShellGetDiagonal)));
  PetscCall(MatShellSetContextDestroy(m, ShellDestroyContext));
  PetscContainer c;
  PetscCall(PetscContainerCreate(comm, &c));
  PetscCall(PetscContainerSetPointer(c, shell.get()));
  PetscCall(PetscObjectCompose(reinterpret_cast<PetscObject>(m), kComposedName,
                               reinterpret_cast<PetscObject>(c)));
  PetscCall(PetscContainerDestroy(&c));
  PetscCall(MatSetUp(m));
  shell.release();  // owned by the matrix from here on (ShellDestroyContext)
  *out = m;
  PetscFunctionReturn(0);
}

PetscErrorCode MatCreateMatrixFreeLiouvillian(MPI_Comm comm, index_t d,
                                              const SuperOperatorTerms& fixed,
                                              const std::vector<SuperOperatorTerms>& parts,
                                              const std::vector<PetscScalar>& coefs, Mat* out) {
  PetscFunctionBeginUser;
  PetscCheck(coefs.size() == parts.size(), comm, PETSC_ERR_ARG_SIZ,
             "one coefficient per Liouvillian part expected");
  GroupedTerms g;
  PetscCallCXX(g = group_terms(d, fixed, parts, coefs));
  PetscCall(MatCreateMatrixFreeLiouvillian(comm, std::move(g), out));
  PetscFunctionReturn(0);
}

PetscErrorCode MatIsMatrixFreeLiouvillian(Mat m, PetscBool* flag) {
  PetscFunctionBeginUser;
  PetscObject c = nullptr;
  PetscCall(PetscObjectQuery(reinterpret_cast<PetscObject>(m), kComposedName, &c));
  *flag = c ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode MatrixFreeGetStats(Mat m, MatrixFreeStats* out) {
  PetscFunctionBeginUser;
  Shell* s = nullptr;
  PetscCall(GetShell(m, &s));
  const Kernel& k = *s->forward;
  out->d = k.d;
  out->owned_columns = k.owned();
  out->ghost_columns = static_cast<index_t>(k.ghost_cols.size());
  out->operator_nnz = k.operator_nnz;
  out->sandwiches = static_cast<index_t>(k.p.size());
  out->bytes_per_rank = k.bytes;
  PetscFunctionReturn(0);
}

}  // namespace qcoll

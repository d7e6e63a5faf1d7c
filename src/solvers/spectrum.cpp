#include "qcoll/solvers/spectrum.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

#include "dense_eigen.hpp"
#include "qcoll/solvers/progress.hpp"

namespace qcoll {

PetscErrorCode SetDefaultFactorSolver(PC pc, const std::string& prefix) {
  PetscFunctionBeginUser;
  char type[64] = MATSOLVERMUMPS;
  PetscBool set = PETSC_FALSE;
  PetscCall(PetscOptionsGetString(nullptr, prefix.c_str(), "-pc_factor_mat_solver_type", type,
                                  sizeof type, &set));
  PetscCall(PCFactorSetMatSolverType(pc, type));
  PetscFunctionReturn(0);
}

double spectral_gap(const std::vector<cplx>& eigenvalues, double zero_threshold) {
  double gap = std::numeric_limits<double>::quiet_NaN();
  for (const cplx& z : eigenvalues)
    if (std::abs(z) > zero_threshold && !(std::abs(z.real()) >= gap)) gap = std::abs(z.real());
  return gap;
}

bool slower(const cplx& a, const cplx& b, double tie) {
  if (std::abs(std::abs(a.real()) - std::abs(b.real())) > tie)
    return std::abs(a.real()) < std::abs(b.real());
  if (std::abs(a.imag() - b.imag()) > tie) return a.imag() < b.imag();
  return false;
}

void sort_by_decay_rate(std::vector<cplx>* values, double tie) {
  std::stable_sort(values->begin(), values->end(),
                   [tie](const cplx& a, const cplx& b) { return slower(a, b, tie); });
}

void conjugate_complete(std::vector<cplx>* values, double tie) {
  for (cplx& z : *values) {
    if (std::abs(z.imag()) <= tie) continue;
    bool paired = false;
    for (const cplx& w : *values) paired = paired || std::abs(w - std::conj(z)) <= tie;
    if (!paired && z.imag() < 0) z = std::conj(z);
  }
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

struct SpectrumSolver::Impl {
  Mat L = nullptr;
  bool dense = false;
  SpectrumOptions options;
  bool shared = false;
  SharedInverse inverse;
  MPI_Comm comm = MPI_COMM_NULL;

  EPS near = nullptr;  // eigenvalues nearest 0
  Mat inverse_shell = nullptr;
  EPS slow = nullptr;  // dominant eigenvalues of exp(t L)
  Mat exp_shell = nullptr;
  MFN mfn = nullptr;
  double t = 0.0;
  PetscInt applications = 0;
  Clock::time_point start, last_progress;
  std::string stage;
  std::string failure;  // what went wrong inside a product with exp(t L)

  static PetscErrorCode ShellMultInverse(Mat m, Vec x, Vec y);
  static PetscErrorCode ShellMultExp(Mat m, Vec x, Vec y);

  ~Impl() {
    EPSDestroy(&near);
    EPSDestroy(&slow);
    MFNDestroy(&mfn);
    MatDestroy(&inverse_shell);
    MatDestroy(&exp_shell);
  }

  void progress(const std::string& detail) {
    if (!options.verbose || seconds_since(last_progress) < 10.0) return;
    last_progress = Clock::now();
    PetscPrintf(comm, "spectrum: %s: %s, wall %.1f s\n", stage.c_str(), detail.c_str(),
                seconds_since(start));
  }

  PetscErrorCode CreateShell(PetscErrorCode (*mult)(Mat, Vec, Vec), Mat* out) {
    PetscFunctionBeginUser;
    PetscInt m, n, M, N;
    PetscCall(MatGetLocalSize(L, &m, &n));
    PetscCall(MatGetSize(L, &M, &N));
    PetscCall(MatCreateShell(comm, m, n, M, N, this, out));
    PetscCall(MatShellSetOperation(*out, MATOP_MULT, reinterpret_cast<void (*)(void)>(mult)));
    PetscFunctionReturn(0);
  }

  // All eigenvalues of a small L: rows gathered on every rank, LAPACK zgeev.
  PetscErrorCode SolveDense(SpectrumResult* out) {
    PetscFunctionBeginUser;
    PetscInt n, lo, hi;
    PetscCall(MatGetSize(L, &n, nullptr));
    PetscCall(MatGetOwnershipRange(L, &lo, &hi));
    std::vector<cplx> mine(static_cast<size_t>((hi - lo) * n), 0.0);  // row-major
    for (PetscInt r = lo; r < hi; ++r) {
      PetscInt ncols;
      const PetscInt* cols;
      const PetscScalar* vals;
      PetscCall(MatGetRow(L, r, &ncols, &cols, &vals));
      for (PetscInt k = 0; k < ncols; ++k) mine[(r - lo) * n + cols[k]] = vals[k];
      PetscCall(MatRestoreRow(L, r, &ncols, &cols, &vals));
    }
    int size;
    MPI_Comm_size(comm, &size);
    std::vector<int> counts(size), offsets(size, 0);
    int count = static_cast<int>(mine.size());
    PetscCallMPI(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm));
    for (int r = 1; r < size; ++r) offsets[r] = offsets[r - 1] + counts[r - 1];
    std::vector<cplx> rows(static_cast<size_t>(n * n));
    PetscCallMPI(MPI_Allgatherv(mine.data(), count, MPIU_SCALAR, rows.data(), counts.data(),
                                offsets.data(), MPIU_SCALAR, comm));
    std::vector<cplx> a(rows.size());  // column-major
    for (PetscInt i = 0; i < n; ++i)
      for (PetscInt j = 0; j < n; ++j) a[i + j * n] = rows[i * n + j];
    DenseEigen e;
    PetscCheck(dense_eigen_column_major(n, a, &e), comm, PETSC_ERR_LIB,
               "LAPACK zgeev failed on the %d x %d Liouvillian", static_cast<int>(n),
               static_cast<int>(n));
    const double scale = out->scale > 0 ? out->scale : 1.0;
    const double tie = 1e-9 * scale;
    std::vector<cplx> values = e.values;
    conjugate_complete(&values, tie);
    sort_by_decay_rate(&values, tie);
    values.resize(std::min<size_t>(values.size(), static_cast<size_t>(options.nev)));
    out->eigenvalues = values;
    for (const cplx& z : values) {
      // residual of the dense eigenpair nearest z
      PetscInt best = 0;
      for (PetscInt k = 1; k < n; ++k)
        if (std::abs(e.values[k] - z) < std::abs(e.values[best] - z)) best = k;
      double rn = 0, vn = 0;
      for (PetscInt i = 0; i < n; ++i) {
        cplx acc = -e.values[best] * e.vectors[best * n + i];
        for (PetscInt j = 0; j < n; ++j) acc += a[i + j * n] * e.vectors[best * n + j];
        rn += std::norm(acc);
        vn += std::norm(e.vectors[best * n + i]);
      }
      out->residuals.push_back(std::sqrt(rn / vn) / scale);
    }
    out->nearest_zero = e.values;
    std::stable_sort(out->nearest_zero.begin(), out->nearest_zero.end(),
                     [](const cplx& x, const cplx& y) { return std::abs(x) < std::abs(y); });
    out->nearest_zero.resize(std::min<size_t>(out->nearest_zero.size(), 6));
    out->zero_count = 0;
    for (const cplx& z : e.values)
      if (std::abs(z) <= out->zero_threshold) ++out->zero_count;
    PetscFunctionReturn(0);
  }

  PetscErrorCode SetupNear() {
    PetscFunctionBeginUser;
    const std::string prefix = options.prefix + "near_";
    const index_t nev = options.near_nev > 0 ? options.near_nev : std::max<index_t>(options.nev, 2);
    PetscCall(EPSCreate(comm, &near));
    PetscCall(EPSSetOptionsPrefix(near, prefix.c_str()));
    PetscCall(EPSSetProblemType(near, EPS_NHEP));
    PetscCall(EPSSetDimensions(near, static_cast<PetscInt>(nev), PETSC_DEFAULT, PETSC_DEFAULT));
    PetscCall(EPSSetTolerances(near, options.tol, PETSC_DEFAULT));
    ST st;
    PetscCall(EPSGetST(near, &st));
    if (shared) {
      // The operator is M^{-1}: its dominant eigenvalues 1/lambda are L's
      // eigenvalues nearest 0 (besides the moved one).
      PetscCall(CreateShell(ShellMultInverse, &inverse_shell));
      PetscCall(EPSSetOperators(near, inverse_shell, nullptr));
      PetscCall(EPSSetWhichEigenpairs(near, EPS_LARGEST_MAGNITUDE));
      PetscCall(STSetType(st, STSHIFT));
    } else {
      // An LU of L - sigma that cannot fit is refused before it is tried.
      double need = 0, have = 0;
      PetscCall(AvailableMemory(comm, prefix, &have));
      PetscCall(EstimateFactorMemory(L, prefix, have, &need));
      PetscInt n;
      PetscCall(MatGetSize(L, &n, nullptr));
      PetscCheck(need <= have, comm, PETSC_ERR_USER_INPUT,
                 "the spectrum's near-zero stage needs an LU factorisation of the %d x %d "
                 "Liouvillian, about %.3g MB per rank, but %.3g MB are available: use more "
                 "ranks, a smaller model, [steady] gap = false, or -%smemory_limit <MB> to "
                 "state the memory per rank",
                 static_cast<int>(n), static_cast<int>(n), need / 1048576.0, have / 1048576.0,
                 prefix.c_str());
      PetscCall(EPSSetOperators(near, L, nullptr));
      PetscCall(EPSSetWhichEigenpairs(near, EPS_TARGET_MAGNITUDE));
      PetscCall(EPSSetTarget(near, 0.0));
      PetscCall(STSetType(st, STSINVERT));
      PetscReal scale;
      PetscCall(MatNorm(L, NORM_INFINITY, &scale));
      // L is singular: the pole sits a little off 0 (far enough that 1/shift
      // does not swamp the others in round-off, close enough that 0 comes first).
      PetscCall(STSetShift(st, -options.shift * (scale > 0 ? scale : 1.0)));
      KSP ksp;
      PC pc;
      PetscCall(STGetKSP(st, &ksp));
      PetscCall(KSPSetType(ksp, KSPPREONLY));
      PetscCall(KSPGetPC(ksp, &pc));
      PetscCall(PCSetType(pc, PCLU));
      PetscCall(SetDefaultFactorSolver(pc, prefix));
    }
    PetscCall(EPSSetFromOptions(near));
    PetscFunctionReturn(0);
  }

  // A fresh MFN for every product: SLEPc 3.18's Expokit leaves its Hessenberg
  // matrix's submatrix checked out after an early (happy-breakdown) exit, and
  // the next solve on the same object then fails ("Need to call
  // MatDenseRestoreSubMatrix() first"). Creating one costs an allocation of
  // its Krylov basis, negligible next to the products with L it makes.
  PetscErrorCode CreateExpSolver() {
    PetscFunctionBeginUser;
    PetscCall(MFNDestroy(&mfn));
    PetscCall(MFNCreate(comm, &mfn));
    PetscCall(MFNSetOptionsPrefix(mfn, (options.prefix + "exp_").c_str()));
    PetscCall(MFNSetOperator(mfn, L));
    PetscCall(MFNSetType(mfn, MFNEXPOKIT));
    FN f;
    PetscCall(MFNGetFN(mfn, &f));
    PetscCall(FNSetType(f, FNEXP));
    PetscCall(FNSetScale(f, t > 0 ? t : 1.0, 1.0));
    // Expokit's iterations are time substeps of length ~ ncv / ||t L||: allow
    // plenty, the products with L are what costs.
    PetscReal norm;
    PetscCall(MatNorm(L, NORM_INFINITY, &norm));
    const double substeps = 20.0 * (t > 0 ? t : 1.0) * norm / 30.0 + 100.0;
    PetscCall(MFNSetTolerances(mfn, 1e-13, static_cast<PetscInt>(std::min(substeps, 1e8))));
    PetscCall(MFNSetErrorIfNotConverged(mfn, PETSC_FALSE));
    PetscCall(MFNSetFromOptions(mfn));
    PetscFunctionReturn(0);
  }

  PetscErrorCode SetupSlow() {
    PetscFunctionBeginUser;
    PetscCall(CreateExpSolver());  // reads the -p_exp_mfn_* options now
    PetscCall(CreateShell(ShellMultExp, &exp_shell));
    PetscCall(EPSCreate(comm, &slow));
    PetscCall(EPSSetOptionsPrefix(slow, options.prefix.c_str()));
    PetscCall(EPSSetOperators(slow, exp_shell, nullptr));
    PetscCall(EPSSetProblemType(slow, EPS_NHEP));
    PetscCall(EPSSetWhichEigenpairs(slow, EPS_LARGEST_MAGNITUDE));
    PetscCall(
        EPSSetDimensions(slow, static_cast<PetscInt>(options.nev), PETSC_DEFAULT, PETSC_DEFAULT));
    PetscCall(EPSSetTolerances(slow, options.tol, PETSC_DEFAULT));
    ST st;
    PetscCall(EPSGetST(slow, &st));
    PetscCall(STSetType(st, STSHIFT));
    PetscCall(EPSSetFromOptions(slow));
    // exp(t L) is applied, never factorised: a spectral transformation asked
    // for on the command line would silently change what is computed.
    PetscBool is_shift;
    PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(st), STSHIFT, &is_shift));
    PetscScalar sigma;
    PetscCall(STGetShift(st, &sigma));
    PetscCheck(is_shift && sigma == PetscScalar(0.0), comm, PETSC_ERR_USER_INPUT,
               "-%sst_* options do not apply: the slow spectrum is computed from exp(t L), "
               "ordered by real part by construction (docs/solvers.md); the eigenvalues "
               "nearest 0 are the near-zero stage's (-%snear_eps_*, -%snear_st_*)",
               options.prefix.c_str(), options.prefix.c_str(), options.prefix.c_str());
    PetscInt nev;
    PetscCall(EPSGetDimensions(slow, &nev, nullptr, nullptr));
    options.nev = nev;
    PetscCall(EPSMonitorSet(
        slow,
        [](EPS, PetscInt its, PetscInt nconv, PetscScalar*, PetscScalar*, PetscReal*, PetscInt,
           void* ctx) -> PetscErrorCode {
          auto* self = static_cast<Impl*>(ctx);
          char line[160];
          std::snprintf(line, sizeof line, "iteration %d, %d of %d converged, %d exp(t L) products",
                        static_cast<int>(its), static_cast<int>(nconv),
                        static_cast<int>(self->options.nev), static_cast<int>(self->applications));
          self->progress(line);
          return 0;
        },
        this, nullptr));
    PetscFunctionReturn(0);
  }

  PetscErrorCode SolveNear(SpectrumResult* out) {
    PetscFunctionBeginUser;
    stage = "eigenvalues nearest 0";
    // Re-setting the operator makes EPS pick up changed values of L.
    PetscCall(EPSSetOperators(near, shared ? inverse_shell : L, nullptr));
    {
      // Its own LU of L - sigma and the solves print nothing: a line every 10 s.
      std::unique_ptr<WallTicker> ticker;
      if (options.verbose && !shared)
        ticker = std::make_unique<WallTicker>(
            comm, "spectrum: eigenvalues nearest 0 (LU of L - sigma)", "");
      PetscCall(EPSSolve(near));
    }
    PetscInt nconv, nev;
    PetscCall(EPSGetConverged(near, &nconv));
    PetscCall(EPSGetDimensions(near, &nev, nullptr, nullptr));
    EPSConvergedReason reason;
    PetscCall(EPSGetConvergedReason(near, &reason));
    const std::string p = options.prefix + "near_";
    PetscCheck(nconv > 0, comm, PETSC_ERR_NOT_CONVERGED,
               "the eigensolver for the eigenvalues nearest 0 (options prefix -%s) found none "
               "(%s); try -%seps_max_it or -%seps_tol",
               p.c_str(), EPSConvergedReasons[reason], p.c_str(), p.c_str());
    out->nearest_zero.clear();
    const double tie = 1e-9 * (out->scale > 0 ? out->scale : 1.0);
    for (PetscInt k = 0; k < std::min(nconv, nev); ++k) {
      PetscScalar value;
      PetscCall(EPSGetEigenvalue(near, k, &value, nullptr));
      cplx z = value;
      if (shared) {
        if (std::abs(z) == 0.0) continue;
        z = 1.0 / z;
        if (std::abs(z - cplx(inverse.moved_zero)) <= tie) continue;
      }
      out->nearest_zero.push_back(z);
    }
    conjugate_complete(&out->nearest_zero, tie);
    std::stable_sort(out->nearest_zero.begin(), out->nearest_zero.end(),
                     [tie](const cplx& a, const cplx& b) {
                       if (std::abs(std::abs(a) - std::abs(b)) > tie)
                         return std::abs(a) < std::abs(b);
                       if (std::abs(a.real() - b.real()) > tie) return a.real() < b.real();
                       return a.imag() < b.imag();
                     });
    index_t zeros = shared ? 1 : 0;
    for (const cplx& z : out->nearest_zero)
      if (std::abs(z) <= out->zero_threshold) ++zeros;
    out->zero_count = zeros;
    PetscFunctionReturn(0);
  }

  // t = 2 / r with r the nev-th smallest decay rate among eigenvalues known to
  // exist: the true nev-th slowest rate is at most r, so exp(t lambda) of every
  // wanted eigenvalue stays above exp(-2) and none is lost in round-off.
  double choose_time(const SpectrumResult& r) const {
    std::vector<double> rates;
    if (shared) rates.push_back(0.0);
    for (const cplx& z : r.nearest_zero) rates.push_back(std::abs(z.real()));
    std::sort(rates.begin(), rates.end());
    double rate = 0.0;
    if (!rates.empty())
      rate = rates[std::min<size_t>(rates.size(), static_cast<size_t>(options.nev)) - 1];
    if (!(rate > r.zero_threshold))
      for (double x : rates) rate = std::max(rate, x);
    if (!(rate > r.zero_threshold)) rate = r.scale > 0 ? r.scale : 1.0;
    return 2.0 / rate;
  }

  PetscErrorCode SolveSlow(SpectrumResult* out) {
    PetscFunctionBeginUser;
    stage = "slowest eigenvalues";
    t = choose_time(*out);
    applications = 0;
    PetscCall(EPSSetOperators(slow, exp_shell, nullptr));
    failure.clear();
    const PetscErrorCode ierr = EPSSolve(slow);
    if (ierr && !failure.empty()) SETERRQ(comm, PETSC_ERR_NOT_CONVERGED, "%s", failure.c_str());
    PetscCall(ierr);
    PetscInt nconv;
    PetscCall(EPSGetConverged(slow, &nconv));
    EPSConvergedReason reason;
    PetscCall(EPSGetConvergedReason(slow, &reason));
    const index_t nev = options.nev;
    const char* p = options.prefix.c_str();
    PetscCheck(nconv >= static_cast<PetscInt>(nev), comm, PETSC_ERR_NOT_CONVERGED,
               "the slow spectrum did not converge: %d of the %d slowest eigenvalues after %d "
               "products with exp(t L), t = %g (%s); try -%seps_max_it, -%seps_ncv or a "
               "smaller nev",
               static_cast<int>(nconv), static_cast<int>(nev), static_cast<int>(applications), t,
               EPSConvergedReasons[reason], p, p);
    PetscCall(EPSGetIterationNumber(slow, &out->iterations));
    out->operator_applications = applications;
    out->exp_time = t;
    PetscCall(RayleighRitz(nconv, out));
    PetscFunctionReturn(0);
  }

  // Projects L on the converged invariant subspace Q of exp(t L):
  // H = Q^H L Q, H y = theta y, Ritz vector Q y with residual ||L Q y - theta Q y||.
  PetscErrorCode RayleighRitz(PetscInt k, SpectrumResult* out) {
    PetscFunctionBeginUser;
    std::vector<Vec> Q(k), W(k);
    for (PetscInt i = 0; i < k; ++i) {
      PetscCall(MatCreateVecs(L, &Q[i], nullptr));
      PetscCall(VecDuplicate(Q[i], &W[i]));
    }
    PetscCall(EPSGetInvariantSubspace(slow, Q.data()));
    for (PetscInt i = 0; i < k; ++i) PetscCall(MatMult(L, Q[i], W[i]));
    std::vector<cplx> H(static_cast<size_t>(k * k));  // column-major
    for (PetscInt j = 0; j < k; ++j)
      PetscCall(VecMDot(W[j], k, Q.data(), reinterpret_cast<PetscScalar*>(&H[j * k])));
    DenseEigen e;
    PetscCheck(dense_eigen_column_major(k, H, &e), comm, PETSC_ERR_LIB,
               "LAPACK zgeev failed on the %d x %d Rayleigh-Ritz matrix", static_cast<int>(k),
               static_cast<int>(k));
    Vec r;
    PetscCall(VecDuplicate(Q[0], &r));
    struct Pair {
      cplx value;
      double residual;
    };
    std::vector<Pair> pairs;
    const double scale = out->scale > 0 ? out->scale : 1.0;
    for (PetscInt i = 0; i < k; ++i) {
      std::vector<PetscScalar> y(k), ty(k);
      double ynorm = 0;
      for (PetscInt j = 0; j < k; ++j) {
        y[j] = e.vectors[i * k + j];
        ty[j] = -e.values[i] * e.vectors[i * k + j];
        ynorm += std::norm(e.vectors[i * k + j]);
      }
      PetscCall(VecSet(r, 0.0));
      PetscCall(VecMAXPY(r, k, y.data(), W.data()));
      PetscCall(VecMAXPY(r, k, ty.data(), Q.data()));
      PetscReal rn;
      PetscCall(VecNorm(r, NORM_2, &rn));
      pairs.push_back({e.values[i], rn / (std::sqrt(ynorm) * scale)});
    }
    PetscCall(VecDestroy(&r));
    for (PetscInt i = 0; i < k; ++i) {
      PetscCall(VecDestroy(&Q[i]));
      PetscCall(VecDestroy(&W[i]));
    }
    const double tie = 1e-9 * scale;
    std::vector<cplx> values;
    for (const Pair& pr : pairs) values.push_back(pr.value);
    sort_by_decay_rate(&values, tie);
    values.resize(std::min<size_t>(values.size(), static_cast<size_t>(options.nev)));
    conjugate_complete(&values, tie);
    sort_by_decay_rate(&values, tie);
    out->eigenvalues = values;
    out->residuals.clear();
    for (const cplx& z : values) {
      double best = std::numeric_limits<double>::infinity();
      double res = 0;
      for (const Pair& pr : pairs) {
        const double dist = std::min(std::abs(pr.value - z), std::abs(std::conj(pr.value) - z));
        if (dist < best) {
          best = dist;
          res = pr.residual;
        }
      }
      out->residuals.push_back(res);
    }
    const double accept = std::max(1e-8, 100 * options.tol);
    for (size_t i = 0; i < values.size(); ++i)
      PetscCheck(out->residuals[i] <= accept, comm, PETSC_ERR_NOT_CONVERGED,
                 "the slow spectrum is not accurate: eigenvalue %g%+gi has relative residual "
                 "%.2g > %.2g; try a smaller -%seps_tol or -%sexp_mfn_tol",
                 values[i].real(), values[i].imag(), out->residuals[i], accept,
                 options.prefix.c_str(), options.prefix.c_str());
    index_t zeros = 0;
    for (const cplx& z : values)
      if (std::abs(z) <= out->zero_threshold) ++zeros;
    out->zero_count = std::max(out->zero_count, zeros);
    PetscFunctionReturn(0);
  }
};

PetscErrorCode SpectrumSolver::Impl::ShellMultInverse(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  Impl* self;
  PetscCall(MatShellGetContext(m, &self));
  PetscCall(self->inverse.apply(x, y));
  PetscFunctionReturn(0);
}

PetscErrorCode SpectrumSolver::Impl::ShellMultExp(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  Impl* self;
  PetscCall(MatShellGetContext(m, &self));
  PetscCall(self->CreateExpSolver());
  PetscCall(MFNSolve(self->mfn, x, y));
  MFNConvergedReason reason;
  PetscCall(MFNGetConvergedReason(self->mfn, &reason));
  if (reason <= 0) {
    // Kept here: SLEPc's clean-up after an error in a product can replace
    // PETSc's message with one of its own.
    char text[512];
    std::snprintf(text, sizeof text,
                  "exp(t L) x did not converge (t = %g, %s): try -%sexp_mfn_ncv or "
                  "-%sexp_mfn_max_it",
                  self->t, MFNConvergedReasons[reason], self->options.prefix.c_str(),
                  self->options.prefix.c_str());
    self->failure = text;
    SETERRQ(PetscObjectComm(reinterpret_cast<PetscObject>(m)), PETSC_ERR_NOT_CONVERGED, "%s", text);
  }
  ++self->applications;
  PetscFunctionReturn(0);
}

SpectrumSolver::SpectrumSolver() : impl_(std::make_unique<Impl>()) {}
SpectrumSolver::~SpectrumSolver() = default;

PetscErrorCode SpectrumSolver::Setup(Mat L, const SpectrumOptions& options,
                                     const SharedInverse* inverse) {
  PetscFunctionBeginUser;
  impl_ = std::make_unique<Impl>();
  Impl& s = *impl_;
  s.L = L;
  s.comm = PetscObjectComm(reinterpret_cast<PetscObject>(L));
  s.options = options;
  s.shared = inverse != nullptr;
  if (inverse) s.inverse = *inverse;
  PetscReal zero_tol = options.zero_tolerance;
  PetscCall(PetscOptionsGetReal(nullptr, options.prefix.c_str(), "-zero_tol", &zero_tol, nullptr));
  s.options.zero_tolerance = zero_tol;
  PetscInt n;
  PetscCall(MatGetSize(L, &n, nullptr));
  // Small L: every rank holds the n x n matrix (at most 1024 x 1024, 16 MB, by
  // default; zgeev takes about a second there, faster than the Krylov stages).
  s.dense = n <= static_cast<PetscInt>(options.dense_dimension) && options.allow_dense;
  if (s.dense) {
    s.options.nev = std::min<index_t>(s.options.nev, n);  // all of them at most
    PetscFunctionReturn(0);
  }
  PetscCall(s.SetupNear());
  if (options.slow) PetscCall(s.SetupSlow());
  // nev cannot exceed the dimension (Krylov needs room beyond it, too).
  PetscCheck(s.options.nev >= 1 && s.options.nev < n - 1, s.comm, PETSC_ERR_USER_INPUT,
             "nev = %d eigenvalues asked for, but L has dimension d^2 = %d: use nev < %d "
             "([steady] nev or -%seps_nev)",
             static_cast<int>(s.options.nev), static_cast<int>(n), static_cast<int>(n - 1),
             options.prefix.c_str());
  PetscFunctionReturn(0);
}

bool SpectrumSolver::dense() const {
  return impl_->dense;
}

PetscErrorCode SpectrumSolver::UpdateSharedInverse(const SharedInverse& inverse) {
  PetscFunctionBeginUser;
  impl_->inverse = inverse;
  PetscFunctionReturn(0);
}

PetscErrorCode SpectrumSolver::Solve(SpectrumResult* out) {
  PetscFunctionBeginUser;
  Impl& s = *impl_;
  s.start = s.last_progress = Clock::now();
  *out = SpectrumResult();
  PetscReal scale;
  PetscCall(MatNorm(s.L, NORM_INFINITY, &scale));
  out->scale = scale;
  out->zero_threshold = s.options.zero_tolerance * (scale > 0 ? scale : 1.0);
  if (s.dense) {
    PetscCall(s.SolveDense(out));
    PetscInt n;
    PetscCall(MatGetSize(s.L, &n, nullptr));
    out->searched = "all " + std::to_string(n) + " eigenvalues of L (dense, LAPACK zgeev)";
    out->gap = spectral_gap(out->eigenvalues, out->zero_threshold);
    out->wall_seconds = seconds_since(s.start);
    PetscFunctionReturn(0);
  }
  PetscCall(s.SolveNear(out));
  std::ostringstream searched;
  searched.precision(4);
  if (s.options.slow) {
    PetscCall(s.SolveSlow(out));
    searched << "the " << s.options.nev
             << " eigenvalues of L with the largest real part (slowest decay): dominant "
                "eigenvalues of exp(t L), t = "
             << out->exp_time << ", Krylov-Schur, Rayleigh-Ritz on L; ";
  } else {
    out->eigenvalues = out->nearest_zero;
  }
  searched << out->nearest_zero.size() << " eigenvalues nearest 0 in modulus ("
           << (s.shared ? "the steady state's factorisation" : "shift-and-invert") << ")";
  out->searched = searched.str();
  out->gap = spectral_gap(out->eigenvalues, out->zero_threshold);
  out->wall_seconds = seconds_since(s.start);
  PetscFunctionReturn(0);
}

PetscErrorCode SpectrumSolver::GetNearZeroEigenvector(index_t k, Vec v) {
  PetscFunctionBeginUser;
  PetscCheck(!impl_->shared && !impl_->dense, impl_->comm, PETSC_ERR_ARG_WRONGSTATE,
             "GetNearZeroEigenvector: not available with a shared inverse");
  PetscCall(EPSGetEigenvector(impl_->near, static_cast<PetscInt>(k), v, nullptr));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

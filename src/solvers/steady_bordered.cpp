// The bordered system: A = L + c e_0 w^H (w^H x = tr x), A x = c e_0.
// w is a left null vector of L (L preserves the trace), so by Brauer's
// theorem A has L's eigenvalues with the simple 0 moved to c w^H e_0 = c:
// A is non-singular exactly when the steady state is unique, and its
// factorisation also serves the eigenvalues of L nearest 0 (the uniqueness
// check and the slow spectrum's time scale, spectrum.hpp). Applying w^H to
// A x = c e_0 gives c tr x = c, then L x = 0. c = -||L||_inf puts the moved
// eigenvalue far from the ones near 0. Only row 0 changes: it gains c at the
// d diagonal positions (i, i) of rho.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "qcoll/solvers/progress.hpp"
#include "steady_methods.hpp"

namespace qcoll {
namespace {

class BorderedSystem : public SteadyMethod {
 public:
  ~BorderedSystem() override {
    KSPDestroy(&ksp_);
    MatDestroy(&A_);
    MatDestroy(&P_);
    VecDestroy(&shift_);
    VecDestroy(&b_);
    VecDestroy(&last_iterate_);
  }

  PetscErrorCode Setup(Mat L, Vec w, bool direct, const SteadyOptions& o,
                       const ApplyFunction* preconditioner, bool inexact, double pc_seconds) {
    PetscFunctionBeginUser;
    L_ = L;
    inexact_ = inexact;
    pc_seconds_ = pc_seconds;
    w_ = w;
    direct_ = direct;
    shell_ = !direct && preconditioner && !PreconditionerRequested(o.prefix);
    if (shell_) preconditioner_ = *preconditioner;
    MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L));
    PetscCall(MatGetOwnershipRange(L_, &rstart_, nullptr));
    if (shell_) {
      PetscCall(CreateShellOperator(comm));
    } else {
      PetscCall(GatherTraceRow(w));
      PetscCall(CreatePreallocated(comm));
    }
    PetscCall(Fill());
    PetscCall(MatCreateVecs(A_, nullptr, &b_));
    PetscCall(VecSet(b_, 0.0));
    if (rstart_ == 0) PetscCall(VecSetValue(b_, 0, border_, INSERT_VALUES));
    PetscCall(VecAssemblyBegin(b_));
    PetscCall(VecAssemblyEnd(b_));

    PetscCall(KSPCreate(comm, &ksp_));
    PetscCall(KSPSetOptionsPrefix(ksp_, o.prefix.c_str()));
    if (!direct && !shell_) PetscCall(SetupDampedPreconditionerMatrix(o.prefix));
    PetscCall(KSPSetOperators(ksp_, A_, P_ ? P_ : A_));
    if (direct) {
      PetscCall(SetDirectDefaults(o));
    } else if (shell_) {
      PetscCall(SetPreconditionedDefaults(o));
    } else {
      PetscCall(SetIterativeDefaults(o));
    }
    PetscCall(KSPSetFromOptions(ksp_));
    PetscCall(KSPGetTolerances(ksp_, nullptr, nullptr, nullptr, &max_its_));
    if (!direct && !shell_) PetscCall(SetSubdomainLevels(o.prefix));
    if (o.verbose && !direct) PetscCall(KSPMonitorSet(ksp_, ProgressMonitor, this, nullptr));
    stop_requested_ = o.stop_requested;
    if (!direct && stop_requested_) PetscCall(KSPMonitorSet(ksp_, StopMonitor, this, nullptr));
    tol_ = o.tol;
    prefix_ = o.prefix;
    verbose_ = o.verbose;
    PetscFunctionReturn(0);
  }

  // When the run is asked to stop (collective): keeps the current iterate
  // and ends the solve (Solve returns it, with stopped() true).
  static PetscErrorCode StopMonitor(KSP ksp, PetscInt it, PetscReal, void* ctx) {
    PetscFunctionBeginUser;
    auto* self = static_cast<BorderedSystem*>(ctx);
    if (!self->stop_requested_()) PetscFunctionReturn(0);
    Vec solution;
    PetscCall(KSPGetSolution(ksp, &solution));
    if (!self->last_iterate_) PetscCall(VecDuplicate(solution, &self->last_iterate_));
    PetscCall(KSPBuildSolution(ksp, self->last_iterate_, nullptr));
    self->stopped_ = true;
    self->stopped_iteration_ = it;
    SETERRQ(PetscObjectComm(reinterpret_cast<PetscObject>(ksp)), PETSC_ERR_USER,
            "stopped by a signal (SIGTERM or SIGUSR1) in iteration %" PetscInt_FMT, it);
  }

  // A progress line at most every 10 s: iterations, residual, wall time.
  static PetscErrorCode ProgressMonitor(KSP, PetscInt it, PetscReal rnorm, void* ctx) {
    auto* self = static_cast<BorderedSystem*>(ctx);
    const auto now = std::chrono::steady_clock::now();
    if (it == 0) self->solve_start_ = self->last_progress_ = now;
    if (std::chrono::duration<double>(now - self->last_progress_).count() < 10.0) return 0;
    self->last_progress_ = now;
    return PetscPrintf(PetscObjectComm(reinterpret_cast<PetscObject>(self->ksp_)),
                       "steady: iteration %d, relative residual %.3g (target %.3g), wall %.1f s\n",
                       static_cast<int>(it),
                       static_cast<double>(rnorm) / PetscAbsScalar(self->border_), self->tol_,
                       std::chrono::duration<double>(now - self->solve_start_).count());
  }

  PetscErrorCode Solve(Vec rho, PetscInt* iterations) override {
    PetscFunctionBeginUser;
    PetscCall(Fill());
    PetscCall(VecSet(b_, 0.0));
    if (rstart_ == 0) PetscCall(VecSetValue(b_, 0, border_, INSERT_VALUES));
    PetscCall(VecAssemblyBegin(b_));
    PetscCall(VecAssemblyEnd(b_));
    // Same non-zero pattern: a factorisation redoes only its numeric phase.
    if (P_) {
      PetscCall(MatCopy(A_, P_, SAME_NONZERO_PATTERN));
      PetscCall(MatDiagonalSet(P_, shift_, ADD_VALUES));
    }
    PetscCall(KSPSetOperators(ksp_, A_, P_ ? P_ : A_));
    {
      // The factorisation prints nothing: a line every 10 s while it runs.
      std::unique_ptr<WallTicker> ticker;
      if (direct_ && verbose_)
        ticker = std::make_unique<WallTicker>(PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)),
                                              "steady: LU factorisation", "");
      stopped_ = false;
      const PetscErrorCode ierr = KSPSolve(ksp_, b_, rho);
      if (ierr && stopped_) {  // the last iterate is the guess of a restart
        PetscCall(VecCopy(last_iterate_, rho));
        *iterations = stopped_iteration_;
        PetscFunctionReturn(0);
      }
      PetscCall(ierr);
    }
    KSPConvergedReason reason;
    PetscCall(KSPGetConvergedReason(ksp_, &reason));
    PetscCall(KSPGetIterationNumber(ksp_, iterations));
    MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(ksp_));
    exhausted_ = budget_ > 0 && reason == KSP_DIVERGED_ITS;
    if (exhausted_) PetscFunctionReturn(0);  // the caller decides (SetIterationBudget)
    const std::string advice =
        direct_ ? "; the bordered Liouvillian L + c e_0 tr(.) is numerically singular, i.e. the "
                  "steady state is not unique (see `qcoll spectrum`; [steady] method = \"evolve\" "
                  "gives the state [initial] relaxes to), or the factorisation's pivoting failed "
                  "(try -" +
                      prefix_ + "pc_factor_mat_solver_type mumps)"
        : shell_
            ? "; the steady state may not be unique, or the Sylvester preconditioner does not "
              "suit this model: try -" +
                  prefix_ + "ksp_gmres_restart 200, -" + prefix_ +
                  "pc_type asm or method = \"direct\" (docs/solvers.md)"
            : "; try -" + prefix_ + "pc_damping, -" + prefix_ + "sub_pc_factor_levels, another -" +
                  prefix_ + "ksp_type or method = \"direct\" (docs/solvers.md)";
    if (reason < 0 && direct_) PetscCall(CheckFactorisation());
    PetscCheck(reason >= 0, comm, PETSC_ERR_NOT_CONVERGED,
               "the %s steady-state solve failed (%s after %" PetscInt_FMT " iterations)%s",
               direct_ ? "direct" : "iterative", KSPConvergedReasons[reason], *iterations,
               advice.c_str());
    if (inexact_ && shell_) {
      PetscInt more = 0;
      PetscCall(Refine(b_, rho, &more, advice));
      *iterations += more;
      if (stopped_) PetscFunctionReturn(0);
    }
    // The direct solve is checked too: PETSc options (-p_pc_type, -p_ksp_type)
    // can turn it into something that is not an LU solve.
    PetscCall(CheckTrueResidual(rho, direct_ ? 1e-10 : tol_));
    solved_ = true;
    PetscFunctionReturn(0);
  }

  // y = A^{-1} x with the KSP (and factorisation) of the last Solve.
  PetscErrorCode ApplyInverse(Vec x, Vec y) override {
    PetscFunctionBeginUser;
    PetscCheck(solved_, PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)),
               PETSC_ERR_ARG_WRONGSTATE, "ApplyInverse before Solve");
    PetscCall(KSPSolve(ksp_, x, y));
    KSPConvergedReason reason;
    PetscCall(KSPGetConvergedReason(ksp_, &reason));
    PetscCheck(reason >= 0, PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)),
               PETSC_ERR_NOT_CONVERGED, "a solve with the bordered Liouvillian failed (%s)",
               KSPConvergedReasons[reason]);
    if (inexact_ && shell_ && !direct_) {
      PetscInt more;
      PetscCall(Refine(x, y, &more, ""));
    }
    PetscFunctionReturn(0);
  }

  PetscScalar border() const override { return border_; }

  // A failed MUMPS factorisation that is not a singular matrix (out of
  // memory, workspace, integer overflow) says so instead of "singular".
  PetscErrorCode CheckFactorisation() {
    PetscFunctionBeginUser;
#if defined(PETSC_HAVE_MUMPS)
    PC pc;
    PetscCall(KSPGetPC(ksp_, &pc));
    MatSolverType type;
    PetscCall(PCFactorGetMatSolverType(pc, &type));
    PetscBool mumps;
    PetscCall(PetscStrcmp(type, MATSOLVERMUMPS, &mumps));
    if (!mumps) PetscFunctionReturn(0);
    Mat F;
    PetscCall(PCFactorGetMatrix(pc, &F));
    PetscInt info1 = 0, info2 = 0;
    PetscCall(MatMumpsGetInfog(F, 1, &info1));
    PetscCall(MatMumpsGetInfog(F, 2, &info2));
    // -10: numerically singular, reported by the caller. The rest are
    // resources (MUMPS users' guide, INFOG(1)).
    PetscCheck(info1 >= 0 || info1 == -10, PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)),
               PETSC_ERR_MEM,
               "the LU factorisation (MUMPS) ran out of resources: INFOG(1) = %d, INFOG(2) = %d "
               "(-9/-8/-14/-15/-17/-20: workspace too small, -13/-19: memory allocation failed, "
               "-18/-51: integer overflow); use [steady] method = \"iterative\", more ranks, or "
               "-%smat_mumps_icntl_14 <percent> for more workspace",
               static_cast<int>(info1), static_cast<int>(info2), prefix_.c_str());
#endif
    PetscFunctionReturn(0);
  }

  void SetTolerance(double tol) override {
    tol_ = tol;
    KSPSetTolerances(ksp_, tol, 1e-300, PETSC_DEFAULT, PETSC_DEFAULT);
  }

  void SetIterationBudget(PetscInt iterations) override {
    budget_ = iterations;
    KSPSetTolerances(ksp_, tol_, 1e-300, PETSC_DEFAULT, iterations > 0 ? iterations : max_its_);
  }

  bool exhausted() const override {
    return exhausted_;
  }

  PetscErrorCode SetPreconditionerProperties(bool inexact, double pc_seconds) override {
    PetscFunctionBeginUser;
    inexact_ = inexact;
    pc_seconds_ = pc_seconds;
    if (!shell_) PetscFunctionReturn(0);
    PetscBool set = PETSC_FALSE;  // a restart given as an option stays
    PetscCall(PetscOptionsHasName(nullptr, prefix_.c_str(), "-ksp_gmres_restart", &set));
    if (set) PetscFunctionReturn(0);
    PetscInt nloc;
    double available = 0;
    PetscCall(VecGetLocalSize(b_, &nloc));
    PetscCall(
        AvailableMemory(PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)), prefix_, &available));
    PetscCall(KSPGMRESSetRestart(ksp_, KrylovRestart(available, nloc, pc_seconds_)));
    PetscFunctionReturn(0);
  }

  bool stopped() const override {
    return stopped_;
  }

 private:
  // ||L||_inf, or for an operator without entries (matrix-free) the largest
  // ||L x||_inf / ||x||_inf over a few fixed +-1 vectors: a scale for c.
  PetscErrorCode OperatorScale(PetscReal* scale) {
    PetscFunctionBeginUser;
    PetscBool has;
    PetscCall(MatHasOperation(L_, MATOP_NORM, &has));
    if (has) {
      PetscCall(MatNorm(L_, NORM_INFINITY, scale));
      PetscFunctionReturn(0);
    }
    Vec x, y;
    PetscCall(MatCreateVecs(L_, &x, &y));
    PetscInt lo, hi;
    PetscCall(VecGetOwnershipRange(x, &lo, &hi));
    *scale = 0;
    for (int k = 0; k < 3; ++k) {
      PetscScalar* a;
      PetscCall(VecGetArray(x, &a));
      for (PetscInt i = lo; i < hi; ++i) a[i - lo] = ((i * 2654435761u + k) >> 7) & 1 ? 1.0 : -1.0;
      PetscCall(VecRestoreArray(x, &a));
      PetscCall(MatMult(L_, x, y));
      PetscReal n;
      PetscCall(VecNorm(y, NORM_INFINITY, &n));
      *scale = std::max(*scale, n);
    }
    PetscCall(VecDestroy(&x));
    PetscCall(VecDestroy(&y));
    PetscFunctionReturn(0);
  }

  // A = L + c e_0 w^H applied without a copy of L.
  PetscErrorCode CreateShellOperator(MPI_Comm comm) {
    PetscFunctionBeginUser;
    PetscInt m, n, M, N;
    PetscCall(MatGetLocalSize(L_, &m, &n));
    PetscCall(MatGetSize(L_, &M, &N));
    PetscCall(MatCreateShell(comm, m, n, M, N, this, &A_));
    PetscCall(MatShellSetOperation(A_, MATOP_MULT, reinterpret_cast<void (*)(void)>(ShellMult)));
    PetscFunctionReturn(0);
  }

  static PetscErrorCode ShellMult(Mat A, Vec x, Vec y) {
    PetscFunctionBeginUser;
    BorderedSystem* self;
    PetscCall(MatShellGetContext(A, &self));
    PetscScalar trace;
    PetscCall(VecDot(x, self->w_, &trace));  // w^H x
    PetscCall(MatMult(self->L_, x, y));
    PetscInt lo, hi;
    PetscCall(VecGetOwnershipRange(y, &lo, &hi));
    if (lo == 0 && hi > 0) {
      PetscScalar* a;
      PetscCall(VecGetArray(y, &a));
      a[0] += self->border_ * trace;
      PetscCall(VecRestoreArray(y, &a));
    }
    PetscFunctionReturn(0);
  }

  static PetscErrorCode ShellPrecondition(PC pc, Vec x, Vec y) {
    PetscFunctionBeginUser;
    BorderedSystem* self;
    PetscCall(PCShellGetContext(pc, &self));
    PetscCall(self->preconditioner_(x, y));
    PetscFunctionReturn(0);
  }

  // GMRES right-preconditioned by the given preconditioner (the Sylvester
  // solve of the no-jump part): the convergence test sees the true residual.
  // Restart: KrylovRestart.
  // Classical Gram-Schmidt with refinement when needed: without it the basis
  // loses orthogonality near 1e-10 and GMRES stalls.
  PetscErrorCode SetPreconditionedDefaults(const SteadyOptions& o) {
    PetscFunctionBeginUser;
    MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(ksp_));
    PetscCall(KSPSetType(ksp_, KSPGMRES));
    double available = 0;
    PetscCall(AvailableMemory(comm, o.prefix, &available));
    PetscInt nloc;
    PetscCall(VecGetLocalSize(b_, &nloc));
    PetscCall(KSPGMRESSetRestart(ksp_, KrylovRestart(available, nloc, pc_seconds_)));
    PetscCall(KSPGMRESSetCGSRefinementType(ksp_, KSP_GMRES_CGS_REFINE_IFNEEDED));
    PetscCall(KSPSetPCSide(ksp_, PC_RIGHT));
    PetscCall(KSPSetTolerances(ksp_, o.tol, 1e-300, PETSC_DEFAULT, 5000));
    PetscCall(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
    PC pc;
    PetscCall(KSPGetPC(ksp_, &pc));
    PetscCall(PCSetType(pc, PCSHELL));
    PetscCall(PCShellSetContext(pc, this));
    PetscCall(PCShellSetApply(pc, ShellPrecondition));
    PetscCall(PCShellSetName(pc, "qcoll Sylvester (no-jump part, docs/solvers.md)"));
    PetscFunctionReturn(0);
  }

  // Rank 0 (which owns row 0) collects the non-zeros of w^H.
  PetscErrorCode GatherTraceRow(Vec w) {
    PetscFunctionBeginUser;
    MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(w));
    PetscInt lo, hi;
    PetscCall(VecGetOwnershipRange(w, &lo, &hi));
    std::vector<PetscInt> cols;
    std::vector<PetscScalar> vals;
    const PetscScalar* a;
    PetscCall(VecGetArrayRead(w, &a));
    for (PetscInt k = lo; k < hi; ++k)
      if (a[k - lo] != PetscScalar(0.0)) {
        cols.push_back(k);
        vals.push_back(PetscConj(a[k - lo]));
      }
    PetscCall(VecRestoreArrayRead(w, &a));
    int rank, size;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    int mine = static_cast<int>(cols.size());
    std::vector<int> counts(size), offsets(size, 0);
    PetscCallMPI(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm));
    int total = 0;
    for (int r = 0; r < size; ++r) {
      offsets[r] = total;
      total += counts[r];
    }
    row_cols_.resize(rank == 0 ? total : 0);
    row_vals_.resize(rank == 0 ? total : 0);
    PetscCallMPI(MPI_Gatherv(cols.data(), mine, MPIU_INT, row_cols_.data(), counts.data(),
                             offsets.data(), MPIU_INT, 0, comm));
    PetscCallMPI(MPI_Gatherv(vals.data(), mine, MPIU_SCALAR, row_vals_.data(), counts.data(),
                             offsets.data(), MPIU_SCALAR, 0, comm));
    PetscFunctionReturn(0);
  }

  PetscErrorCode CreatePreallocated(MPI_Comm comm) {
    PetscFunctionBeginUser;
    PetscInt rend, cstart, cend, n;
    PetscCall(MatGetOwnershipRange(L_, &rstart_, &rend));
    PetscCall(MatGetOwnershipRangeColumn(L_, &cstart, &cend));
    PetscCall(MatGetSize(L_, &n, nullptr));
    const PetscInt nloc = rend - rstart_;
    std::vector<PetscInt> dnz(nloc, 0), onz(nloc, 0);
    auto count = [&](PetscInt row, PetscInt ncols, const PetscInt* cols) {
      for (PetscInt k = 0; k < ncols; ++k)
        (cols[k] >= cstart && cols[k] < cend ? dnz : onz)[row - rstart_] += 1;
    };
    for (PetscInt r = rstart_; r < rend; ++r) {
      PetscInt ncols;
      const PetscInt* cols;
      PetscCall(MatGetRow(L_, r, &ncols, &cols, nullptr));
      if (r == 0) {
        std::vector<PetscInt> all(cols, cols + ncols);
        all.insert(all.end(), row_cols_.begin(), row_cols_.end());
        std::sort(all.begin(), all.end());
        all.erase(std::unique(all.begin(), all.end()), all.end());
        count(0, static_cast<PetscInt>(all.size()), all.data());
      } else {
        count(r, ncols, cols);
      }
      PetscCall(MatRestoreRow(L_, r, &ncols, &cols, nullptr));
    }
    PetscCall(MatCreateAIJ(comm, nloc, nloc, n, n, 0, dnz.data(), 0, onz.data(), &A_));
    PetscCall(MatSetOption(A_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    PetscFunctionReturn(0);
  }

  // Copies the current values of L into A and adds c w^H to row 0 (the
  // shell operator needs only c).
  PetscErrorCode Fill() {
    PetscFunctionBeginUser;
    PetscInt rend;
    PetscCall(MatGetOwnershipRange(L_, nullptr, &rend));
    PetscReal scale;
    PetscCall(OperatorScale(&scale));
    border_ = -(scale > 0 ? scale : 1.0);
    if (shell_) PetscFunctionReturn(0);
    if (rstart_ == 0 && rstart_ < rend) {  // clear the border of an earlier Fill
      const std::vector<PetscScalar> zeros(row_cols_.size(), 0.0);
      const PetscInt zero = 0;
      PetscCall(MatSetValues(A_, 1, &zero, static_cast<PetscInt>(row_cols_.size()),
                             row_cols_.data(), zeros.data(), INSERT_VALUES));
    }
    for (PetscInt r = rstart_; r < rend; ++r) {
      PetscInt ncols;
      const PetscInt* cols;
      const PetscScalar* vals;
      PetscCall(MatGetRow(L_, r, &ncols, &cols, &vals));
      PetscCall(MatSetValues(A_, 1, &r, ncols, cols, vals, INSERT_VALUES));
      PetscCall(MatRestoreRow(L_, r, &ncols, &cols, &vals));
    }
    PetscCall(MatAssemblyBegin(A_, MAT_FLUSH_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A_, MAT_FLUSH_ASSEMBLY));
    if (rstart_ == 0) {
      std::vector<PetscScalar> add(row_vals_.size());
      for (size_t k = 0; k < add.size(); ++k) add[k] = border_ * row_vals_[k];
      const PetscInt zero = 0;
      PetscCall(MatSetValues(A_, 1, &zero, static_cast<PetscInt>(row_cols_.size()),
                             row_cols_.data(), add.data(), ADD_VALUES));
    }
    PetscCall(MatAssemblyBegin(A_, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A_, MAT_FINAL_ASSEMBLY));
    PetscFunctionReturn(0);
  }

  // The "iterative" preconditioner is built from the damped matrix
  // P = A - sigma (I - e_0 e_0^T), sigma = -alpha ||L||_inf (-p_pc_damping
  // alpha, default 0.1; 0 uses A itself). Without damping the incomplete
  // factorisation of a Liouvillian is unstable (zero and tiny pivots from the
  // coherent part); with it ILU becomes usable and the slow modes are left
  // to the Krylov method.
  PetscErrorCode SetupDampedPreconditionerMatrix(const std::string& prefix) {
    PetscFunctionBeginUser;
    PetscReal alpha = 0.1;
    PetscCall(PetscOptionsGetReal(nullptr, prefix.c_str(), "-pc_damping", &alpha, nullptr));
    if (alpha == 0.0) PetscFunctionReturn(0);
    PetscReal scale;
    PetscCall(MatNorm(L_, NORM_INFINITY, &scale));
    PetscCall(MatCreateVecs(A_, nullptr, &shift_));
    PetscCall(VecSet(shift_, -alpha * scale));
    if (rstart_ == 0) PetscCall(VecSetValue(shift_, 0, 0.0, INSERT_VALUES));
    PetscCall(VecAssemblyBegin(shift_));
    PetscCall(VecAssemblyEnd(shift_));
    PetscCall(MatDuplicate(A_, MAT_COPY_VALUES, &P_));
    PetscCall(MatDiagonalSet(P_, shift_, ADD_VALUES));
    PetscFunctionReturn(0);
  }

  // LU with partial pivoting (MUMPS) is used as is: KSP preonly. SuperLU_dist
  // pivots statically, which meets tiny pivots on Liouvillians: its default
  // here is to replace them (-p_mat_superlu_dist_replacetinypivot) and to
  // recover the accuracy by iterative refinement (KSP Richardson with the
  // factorisation as preconditioner, converged in the true residual; GMRES
  // would stall at ~1e-10 in the true residual on the perturbed factors).
  PetscErrorCode SetDirectDefaults(const SteadyOptions& o) {
    PetscFunctionBeginUser;
    PC pc;
    PetscCall(KSPGetPC(ksp_, &pc));
    PetscCall(KSPSetType(ksp_, KSPPREONLY));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(SetDefaultFactorSolver(pc, o.prefix));
    MatSolverType type;
    PetscCall(PCFactorGetMatSolverType(pc, &type));
    PetscBool superlu_dist;
    PetscCall(PetscStrcmp(type, MATSOLVERSUPERLU_DIST, &superlu_dist));
    if (!superlu_dist) PetscFunctionReturn(0);
    PetscCall(KSPSetType(ksp_, KSPRICHARDSON));
    PetscCall(KSPSetNormType(ksp_, KSP_NORM_UNPRECONDITIONED));
    PetscCall(KSPSetTolerances(ksp_, o.tol, 1e-300, PETSC_DEFAULT, 100));
    const std::string replace = "-" + o.prefix + "mat_superlu_dist_replacetinypivot";
    PetscBool set;
    PetscCall(PetscOptionsHasName(nullptr, nullptr, replace.c_str(), &set));
    if (!set) PetscCall(PetscOptionsSetValue(nullptr, replace.c_str(), "1"));
    PetscFunctionReturn(0);
  }

  // Default iterative solver: BiCGStab, right preconditioned (so the
  // convergence test sees the true residual), additive Schwarz with overlap
  // 1 and ILU(1) on each rank's block of the damped matrix. On one rank
  // this is ILU(1) of the whole damped matrix.
  PetscErrorCode SetIterativeDefaults(const SteadyOptions& o) {
    PetscFunctionBeginUser;
    PetscCall(KSPSetType(ksp_, KSPBCGS));
    PetscCall(KSPSetPCSide(ksp_, PC_RIGHT));
    PetscCall(KSPSetTolerances(ksp_, o.tol, 1e-300, PETSC_DEFAULT, 20000));
    PetscCall(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
    PC pc;
    PetscCall(KSPGetPC(ksp_, &pc));
    PetscCall(PCSetType(pc, PCASM));
    PetscCall(PCASMSetOverlap(pc, 1));
    PetscFunctionReturn(0);
  }

  // ILU(1) on the Schwarz blocks unless -p_sub_pc_factor_levels says otherwise.
  // The sub-solvers exist only after setup, and factorise at the first solve.
  PetscErrorCode SetSubdomainLevels(const std::string& prefix) {
    PetscFunctionBeginUser;
    PC pc;
    PetscCall(KSPGetPC(ksp_, &pc));
    PetscBool is_asm, set;
    PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(pc), PCASM, &is_asm));
    PetscCall(PetscOptionsHasName(nullptr, prefix.c_str(), "-sub_pc_factor_levels", &set));
    if (!is_asm || set) PetscFunctionReturn(0);
    PetscCall(KSPSetUp(ksp_));
    KSP* sub;
    PetscInt nlocal;
    PetscCall(PCASMGetSubKSP(pc, &nlocal, nullptr, &sub));
    for (PetscInt k = 0; k < nlocal; ++k) {
      PC subpc;
      PetscCall(KSPGetPC(sub[k], &subpc));
      PetscBool is_ilu;
      PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(subpc), PCILU, &is_ilu));
      if (is_ilu) PetscCall(PCFactorSetLevels(subpc, 1));
    }
    PetscFunctionReturn(0);
  }

  // ||b - A x|| / ||b||.
  PetscErrorCode TrueResidual(Vec b, Vec x, PetscReal* norm) {
    PetscFunctionBeginUser;
    Vec r;
    PetscCall(VecDuplicate(b, &r));
    PetscCall(MatMult(A_, x, r));
    PetscCall(VecAYPX(r, -1.0, b));
    PetscReal bnorm;
    PetscCall(VecNorm(r, NORM_2, norm));
    PetscCall(VecNorm(b, NORM_2, &bnorm));
    *norm /= bnorm > 0 ? bnorm : 1.0;
    PetscCall(VecDestroy(&r));
    PetscFunctionReturn(0);
  }

  // Mixed-precision refinement: GMRES's last update applies the single-
  // precision preconditioner once to the whole correction, so its result
  // can miss the target by ~1e-7 of that correction. Solve again from the
  // result (the KSP's target is absolute, tol ||b||) until the true residual
  // meets the tolerance; at most four times.
  PetscErrorCode Refine(Vec b, Vec x, PetscInt* iterations, const std::string& advice) {
    PetscFunctionBeginUser;
    MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(ksp_));
    *iterations = 0;
    for (int pass = 0; pass < 4; ++pass) {
      PetscReal norm;
      PetscCall(TrueResidual(b, x, &norm));
      if (norm <= tol_) break;
      if (verbose_)
        PetscCall(PetscPrintf(comm,
                              "steady: true residual %.3g above the target %.3g (single-"
                              "precision preconditioner): refining from the result\n",
                              static_cast<double>(norm), tol_));
      stopped_ = false;
      const PetscErrorCode ierr = KSPSolve(ksp_, b, x);
      if (ierr && stopped_) {
        PetscCall(VecCopy(last_iterate_, x));
        *iterations += stopped_iteration_;
        PetscFunctionReturn(0);
      }
      PetscCall(ierr);
      KSPConvergedReason reason;
      PetscInt more = 0;
      PetscCall(KSPGetConvergedReason(ksp_, &reason));
      PetscCall(KSPGetIterationNumber(ksp_, &more));
      *iterations += more;
      PetscCheck(
          reason >= 0, comm, PETSC_ERR_NOT_CONVERGED,
          "the iterative steady-state solve failed in its refinement (%s after %" PetscInt_FMT
          " iterations)%s",
          KSPConvergedReasons[reason], more, advice.c_str());
    }
    PetscFunctionReturn(0);
  }

  // The iterative result must meet tol in the true residual, whatever the
  // KSP's own norm was.
  PetscErrorCode CheckTrueResidual(Vec x, double tol) {
    PetscFunctionBeginUser;
    PetscReal norm;
    PetscCall(TrueResidual(b_, x, &norm));
    PetscCheck(norm <= 100 * tol, PetscObjectComm(reinterpret_cast<PetscObject>(ksp_)),
               PETSC_ERR_NOT_CONVERGED,
               "the %s steady-state solve stopped with true residual %g > 100 tol = %g (%s)",
               direct_ ? "direct" : "iterative", static_cast<double>(norm), 100 * tol,
               direct_ ? "the LU solve is not an LU solve with these -steady_ksp_/-steady_pc_ "
                         "options, or the matrix is numerically singular"
                       : "a left-preconditioned KSP can converge in its own norm only: use "
                         "-steady_ksp_pc_side right, or method = \"direct\"");
    PetscFunctionReturn(0);
  }

  Mat L_ = nullptr, A_ = nullptr, P_ = nullptr;
  Vec w_ = nullptr;
  bool shell_ = false;
  PetscInt budget_ = 0, max_its_ = 5000;
  bool exhausted_ = false;
  bool inexact_ = false;  // the preconditioner is linear to ~1e-7 only: refinement
  double pc_seconds_ = 0.0;
  bool verbose_ = true;
  ApplyFunction preconditioner_;
  std::function<bool()> stop_requested_;
  bool stopped_ = false;
  PetscInt stopped_iteration_ = 0;
  Vec last_iterate_ = nullptr;  // the iterate when a stop signal came
  Vec b_ = nullptr, shift_ = nullptr;
  KSP ksp_ = nullptr;
  PetscInt rstart_ = 0;
  bool direct_ = true;
  bool solved_ = false;
  std::chrono::steady_clock::time_point solve_start_, last_progress_;
  PetscScalar border_ = -1.0;
  double tol_ = 1e-10;
  std::string prefix_;
  std::vector<PetscInt> row_cols_;
  std::vector<PetscScalar> row_vals_;
};

}  // namespace

PetscInt KrylovRestart(double available_bytes, PetscInt local_size, double pc_seconds) {
  const double n = static_cast<double>(std::max<PetscInt>(local_size, 1));
  const double per_vector = 64.0 * n / 7e9;  // s per basis vector and iteration
  const double by_cost =
      pc_seconds > 0 ? std::clamp(2.0 * pc_seconds / per_vector, 30.0, 150.0) : 150.0;
  const double by_memory = 0.5 * available_bytes / (16.0 * n);
  return static_cast<PetscInt>(std::max(10.0, std::min(by_cost, by_memory)));
}

bool PreconditionerRequested(const std::string& prefix) {
  PetscBool set = PETSC_FALSE;
  PetscOptionsHasName(nullptr, prefix.c_str(), "-pc_type", &set);
  return set;
}

PetscErrorCode CreateBorderedMethod(Mat L, Vec trace_covector, bool direct,
                                    const SteadyOptions& options,
                                    const ApplyFunction* preconditioner,
                                    std::unique_ptr<SteadyMethod>* out, bool inexact,
                                    double pc_seconds) {
  PetscFunctionBeginUser;
  auto m = std::make_unique<BorderedSystem>();
  PetscCall(m->Setup(L, trace_covector, direct, options, preconditioner, inexact, pc_seconds));
  *out = std::move(m);
  PetscFunctionReturn(0);
}

}  // namespace qcoll

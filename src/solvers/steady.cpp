#include "qcoll/solvers/steady.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "qcoll/thermo/entropy.hpp"
#include "steady_methods.hpp"

namespace qcoll {
namespace {

std::string megabytes(double bytes) {
  std::ostringstream s;
  s.precision(3);
  s << bytes / (1024.0 * 1024.0) << " MB";
  return s.str();
}

std::string format_eigenvalues(const std::vector<cplx>& values) {
  std::ostringstream s;
  s.precision(3);
  for (size_t k = 0; k < values.size(); ++k)
    s << (k ? ", " : "") << values[k].real() << (values[k].imag() < 0 ? " - " : " + ")
      << std::abs(values[k].imag()) << "i";
  return s.str();
}

}  // namespace

SteadySolver::SteadySolver() = default;

SteadySolver::~SteadySolver() {
  AdjointScatterDestroy(&adjoint_);
  VecDestroy(&work_);
}

PetscErrorCode SteadySolver::Setup(Mat L, const ColumnLayout& layout, Vec trace_covector,
                                   const SteadyOptions& options) {
  PetscFunctionBeginUser;
  L_ = L;
  layout_ = layout;
  trace_ = trace_covector;
  options_ = options;
  method_ = options.method;
  PetscCall(MatCreateVecs(L, nullptr, &work_));
  PetscCall(AdjointScatterCreate(work_, layout.d, &adjoint_));
  PetscCall(ChooseMethod());

  if (method_ == "direct" || method_ == "iterative") {
    PetscCall(CreateBorderedMethod(L, trace_, method_ == "direct", options_, &impl_));
  } else if (method_ == "evolve") {
    PetscCall(CreateEvolveMethod(L, trace_, options_, &impl_));
  } else {
    PetscCheck(method_ == "eigen", PetscObjectComm(reinterpret_cast<PetscObject>(L)),
               PETSC_ERR_ARG_WRONG, "unknown steady-state method '%s'", method_.c_str());
  }
  PetscCall(SetupSpectrum());
  PetscFunctionReturn(0);
}

// The eigenvalues near 0 (uniqueness) and, with `gap`, the slow spectrum:
// from the bordered factorisation when there is one (direct; iterative when
// the check is off), otherwise with an LU of their own.
PetscErrorCode SteadySolver::SetupSpectrum() {
  PetscFunctionBeginUser;
  const bool wanted = check_unique_ || method_ == "eigen" || options_.gap;
  if (!wanted) PetscFunctionReturn(0);
  SpectrumOptions so;
  so.prefix = options_.gap ? options_.spectrum_prefix : options_.prefix;
  so.nev = options_.gap ? options_.nev : 2;
  so.slow = options_.gap;
  so.tol = std::min(options_.tol, 1e-10);
  so.verbose = options_.verbose;
  so.allow_dense = method_ != "eigen";  // eigen needs the eigenvector
  so.dense_dimension = options_.spectrum_dense_dimension;
  PetscReal zero_tol = so.zero_tolerance;
  PetscCall(PetscOptionsGetReal(nullptr, options_.prefix.c_str(), "-zero_tol", &zero_tol, nullptr));
  so.zero_tolerance = zero_tol;
  shared_check_ = method_ == "direct" || (method_ == "iterative" && !check_unique_);
  check_ = std::make_unique<SpectrumSolver>();
  if (shared_check_) {
    // Only the eigenvalue nearest 0 decides uniqueness; the slow spectrum's
    // time scale needs nev of them.
    so.near_nev = options_.gap ? std::max<index_t>(options_.nev, 2) : 1;
    SharedInverse inverse;
    SteadyMethod* impl = impl_.get();
    inverse.apply = [impl](Vec x, Vec y) { return impl->ApplyInverse(x, y); };
    inverse.moved_zero = -1.0;  // updated before each solve
    shared_inverse_ = inverse;
    PetscCall(check_->Setup(L_, so, &shared_inverse_));
  } else {
    so.near_nev = options_.gap ? std::max<index_t>(options_.nev, 2) : 2;
    PetscCall(check_->Setup(L_, so));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::ChooseMethod() {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscBool set = PETSC_FALSE, flag = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(nullptr, options_.prefix.c_str(), "-check_unique", &flag, &set));
  // The LU estimate decides `auto` and whether the uniqueness check runs by
  // default; neither needs it when both are given.
  double need = 0, have = 0;
  PetscCall(AvailableMemory(comm, options_.prefix, &have));
  const bool needs_estimate = method_ == "auto" || (!set && method_ != "direct");
  if (needs_estimate) PetscCall(EstimateFactorMemory(L_, options_.prefix, have, &need));
  // direct: the uniqueness check and the slow spectrum use the solve's own
  // factorisation; the other methods need one LU for the check.
  const bool lu_fits = need <= have;
  const std::string estimate = (need < 1024.0 * 1024.0 ? std::string("LU needs under 1 MB")
                                                       : "LU needs about " + megabytes(need)) +
                               " per rank, " + megabytes(have) + " available";
  if (needs_estimate) lu_estimate_ = estimate;
  if (method_ == "auto") {
    method_ = lu_fits ? "direct" : "iterative";
    reason_ =
        std::string(lu_fits ? "auto: LU fits" : "auto: LU does not fit") + " (" + estimate + ")";
  } else {
    reason_ = "requested";
  }
  check_unique_ =
      set ? static_cast<bool>(flag) : options_.check_unique && (method_ == "direct" || lu_fits);
  if (options_.verbose) {
    PetscCall(PetscPrintf(comm, "steady: method %s (%s)\n", method_.c_str(), reason_.c_str()));
    if (!check_unique_ && options_.check_unique && !set)
      PetscCall(PetscPrintf(comm,
                            "steady: uniqueness not checked (%s; force it with -%scheck_unique)\n",
                            estimate.c_str(), options_.prefix.c_str()));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::CheckUnique(const SpectrumResult& spec, SteadyReport* report) {
  PetscFunctionBeginUser;
  report->unique_checked = check_unique_;
  report->eigenvalues = spec.nearest_zero;
  report->unique = !check_unique_ || spec.zero_count <= 1;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscCheck(spec.zero_count > 0 || !check_unique_, comm, PETSC_ERR_NOT_CONVERGED,
             "no eigenvalue of L within %g of 0 (nearest: %s): L is not a trace-preserving "
             "generator or -%szero_tol is too small",
             spec.zero_threshold, format_eigenvalues(spec.nearest_zero).c_str(),
             options_.prefix.c_str());
  if (report->unique) PetscFunctionReturn(0);
  std::ostringstream s;
  s.precision(3);
  s << "the steady state is not unique: " << spec.zero_count << " eigenvalues of L lie within "
    << spec.zero_threshold << " of 0 (" << (shared_check_ && !check_->dense() ? "0, " : "")
    << format_eigenvalues(spec.nearest_zero)
    << "). The dynamics has more than one invariant block (a part of the system no bath "
       "reaches, or a conserved quantity), so the steady state depends on the initial state";
  const std::string what = s.str();
  PetscCheck(method_ == "evolve", comm, PETSC_ERR_USER_INPUT,
             "%s; use [steady] method = \"evolve\" to get the state that [initial] relaxes to, "
             "or `qcoll spectrum` to inspect the eigenvalues (-%szero_tol sets the threshold)",
             what.c_str(), options_.prefix.c_str());
  PetscCall(PetscPrintf(comm, "steady: warning: %s; returning the state [initial] relaxes to\n",
                        what.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::Solve(Vec rho, SteadyReport* report) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  *report = SteadyReport();
  report->method = method_;
  report->reason = reason_;
  SpectrumResult spec;
  // With its own LU the check runs first: a singular bordered system would
  // only stall the iterative solve.
  if (check_ && !shared_check_) {
    PetscCall(check_->Solve(&spec));
    PetscCall(CheckUnique(spec, report));
  }
  if (impl_) {
    PetscInt n;
    PetscCall(MatGetSize(L_, &n, nullptr));
    if (options_.verbose && method_ == "direct" && n >= 65536)
      PetscCall(PetscPrintf(PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
                            "steady: LU factorisation of %d unknowns%s (one line when done)\n",
                            static_cast<int>(n),
                            lu_estimate_.empty() ? "" : (", " + lu_estimate_).c_str()));
    PetscCall(impl_->Solve(rho, &report->iterations));
  } else {  // eigen: the check's EPS holds the eigenvector nearest 0
    PetscCall(check_->GetNearZeroEigenvector(0, rho));
    PetscScalar trace;
    PetscCall(VecDot(rho, trace_, &trace));
    PetscCheck(PetscAbsScalar(trace) > 0, PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
               PETSC_ERR_NOT_CONVERGED, "the eigenvector nearest 0 has zero trace");
    PetscCall(VecScale(rho, 1.0 / trace));
  }
  if (check_ && shared_check_) {
    shared_inverse_.moved_zero = impl_->border();
    PetscCall(check_->UpdateSharedInverse(shared_inverse_));
    PetscCall(check_->Solve(&spec));
    if (check_unique_) PetscCall(CheckUnique(spec, report));
  }
  if (options_.gap) {
    report->with_spectrum = true;
    report->spectrum = spec;
  }
  PetscCall(Finish(rho, report));
  report->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options_.verbose)
    PetscCall(PetscPrintf(PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
                          "steady: %s: ||L rho|| = %.3g, trace error %.3g, Hermiticity error "
                          "%.3g, min eigenvalue %.3g, %" PetscInt_FMT " iterations, %.3f s\n",
                          method_.c_str(), report->residual, report->trace_error,
                          report->hermiticity_error, report->min_eigenvalue, report->iterations,
                          report->wall_seconds));
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::Finish(Vec rho, SteadyReport* report) {
  PetscFunctionBeginUser;
  PetscScalar trace;
  PetscCall(VecDot(rho, trace_, &trace));
  report->trace_error = PetscAbsScalar(trace - 1.0);
  PetscCall(VecScale(rho, 1.0 / trace));
  PetscReal antihermitian;
  PetscCall(VecHermitianPart(&adjoint_, rho, &antihermitian));
  report->hermiticity_error = antihermitian;
  PetscReal residual;
  PetscCall(MatMult(L_, rho, work_));
  PetscCall(VecNorm(work_, NORM_2, &residual));
  report->residual = residual;
  report->min_eigenvalue = std::numeric_limits<double>::quiet_NaN();
  if (layout_.d <= kMaxEntropyDimension) {
    EntropyData e;
    PetscCall(EntropyOfDistributed(rho, nullptr, layout_.d, &e));
    report->min_eigenvalue = e.min_eigenvalue;
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll

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
  if (check_unique_ || method_ == "eigen") {
    SpectrumOptions so;
    so.prefix = options_.prefix;
    so.nev = check_unique_ ? 2 : 1;
    so.tol = std::min(options_.tol, 1e-10);
    check_ = std::make_unique<SpectrumSolver>();
    PetscCall(check_->Setup(L, so));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::ChooseMethod() {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscBool set = PETSC_FALSE, flag = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(nullptr, options_.prefix.c_str(), "-check_unique", &flag, &set));
  // The LU estimate decides `auto` and whether the uniqueness check (an LU
  // of its own) runs by default; neither needs it when both are given.
  double need = 0, have = 0;
  PetscCall(AvailableMemory(comm, options_.prefix, &have));
  if (method_ == "auto" || !set) PetscCall(EstimateFactorMemory(L_, options_.prefix, have, &need));
  // Room for two factorisations: the uniqueness check's and the solve's
  // (a sweep keeps the latter between points).
  const bool lu_fits = 2 * need <= have;
  const std::string estimate = (need < 1024.0 * 1024.0 ? std::string("LU needs under 1 MB")
                                                       : "LU needs about " + megabytes(need)) +
                               " per rank, " + megabytes(have) +
                               " available, room for two required";
  if (method_ == "auto") {
    method_ = lu_fits ? "direct" : "iterative";
    reason_ =
        std::string(lu_fits ? "auto: LU fits" : "auto: LU does not fit") + " (" + estimate + ")";
  } else {
    reason_ = "requested";
  }
  check_unique_ = set ? static_cast<bool>(flag) : options_.check_unique && lu_fits;
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
  report->eigenvalues = spec.eigenvalues;
  report->unique = !check_unique_ || spec.zero_count <= 1;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscCheck(spec.zero_count > 0 || !check_unique_, comm, PETSC_ERR_NOT_CONVERGED,
             "no eigenvalue of L within %g of 0 (nearest: %s): L is not a trace-preserving "
             "generator or -%szero_tol is too small",
             spec.zero_threshold, format_eigenvalues(spec.eigenvalues).c_str(),
             options_.prefix.c_str());
  if (report->unique) PetscFunctionReturn(0);
  std::ostringstream s;
  s.precision(3);
  s << "the steady state is not unique: " << spec.zero_count << " eigenvalues of L lie within "
    << spec.zero_threshold << " of 0 (" << format_eigenvalues(spec.eigenvalues)
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

PetscErrorCode SteadySolver::Solve(Vec rho, SteadyReport* report, const SpectrumResult* spectrum) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  *report = SteadyReport();
  report->method = method_;
  report->reason = reason_;
  const bool use_given = spectrum && spectrum->eigenvalues.size() >= 2 && method_ != "eigen";
  if (use_given) {
    PetscCall(CheckUnique(*spectrum, report));
  } else if (check_) {
    SpectrumResult own;
    PetscCall(check_->Solve(&own));
    last_check_iterations_ = own.iterations;
    PetscCall(CheckUnique(own, report));
  }
  if (impl_) {
    PetscCall(impl_->Solve(rho, &report->iterations));
  } else {  // eigen: the check's EPS already holds the eigenvector nearest 0
    report->iterations = last_check_iterations_;
    PetscCall(check_->GetEigenvector(0, rho));
    PetscScalar trace;
    PetscCall(VecDot(rho, trace_, &trace));
    PetscCheck(PetscAbsScalar(trace) > 0, PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
               PETSC_ERR_NOT_CONVERGED, "the eigenvector nearest 0 has zero trace");
    PetscCall(VecScale(rho, 1.0 / trace));
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

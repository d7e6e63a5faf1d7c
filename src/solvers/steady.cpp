#include "qcoll/solvers/steady.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "qcoll/solvers/sylvester.hpp"
#include "qcoll/superop/gathered_eigenvalues.hpp"
#include "qcoll/superop/reduced_space.hpp"
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

// A deterministic, rank-independent value in [-1, 1] for state i.
// `auto` takes LU up to this many unknowns when it fits (instant and exact
// there); beyond, the faster by the estimates.
constexpr PetscInt kDirectDimension = 1024;
// Largest ||x2 - x1|| of the second-start uniqueness check (||delta|| = 1).
constexpr double kSecondStartThreshold = 1e-4;

double hashed_unit(index_t i) {
  unsigned long long x = static_cast<unsigned long long>(i) + 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  x ^= x >> 31;
  return static_cast<double>(x >> 11) / static_cast<double>(1ull << 53) * 2.0 - 1.0;
}

}  // namespace

SteadyStructure steady_structure(index_t d, const SuperOperatorTerms& terms,
                                 const SuperOperatorTerms& incoherent) {
  SteadyStructure s{one_sided_part(d, terms), steady_block_structure(d, terms), {}};
  if (!incoherent.empty()) s.split = steady_block_structure(d, incoherent);
  return s;
}

SteadySolver::SteadySolver() = default;

SteadySolver::~SteadySolver() {
  impl_.reset();
  check_.reset();
  full_spectrum_.reset();
  sylvester_.reset();
  AdjointScatterDestroy(&adjoint_);
  VecDestroy(&work_);
  MatDestroy(&sub_);
  VecDestroy(&sub_trace_);
  VecDestroy(&x_);
  VecDestroy(&x_check_);
}

PetscInt SteadySolver::solved_dimension() const {
  PetscInt n = 0;
  if (op_) MatGetSize(op_, &n, nullptr);
  return n;
}

// The reached blocks of the structure, when they are fewer than all of rho:
// op_ = L restricted to their entries (exact: L maps them into themselves).
PetscErrorCode SteadySolver::SetupReduction() {
  PetscFunctionBeginUser;
  op_ = L_;
  w_op_ = trace_;
  const BlockStructure& b = structure_.blocks;
  // evolve follows [initial] (all of rho); eigen's Krylov stage wants room.
  reduced_ = restricted_ || (have_structure_ && options_.reduce && method_ != "evolve" &&
                             method_ != "eigen" && b.count > 0 && b.reduces());
  if (!reduced_) PetscFunctionReturn(0);
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  if (!restricted_) {  // restrict L here (given: the caller assembled it restricted)
    space_ = std::make_unique<ReducedSpace>();
    PetscCall(space_->Setup(comm, b, layout_));
    space_view_ = space_.get();
    PetscCall(MatCreateSubMatrix(L_, space_view_->full_indices(), space_view_->full_indices(),
                                 MAT_INITIAL_MATRIX, &sub_));
  }
  Mat op = restricted_ ? restricted_ : sub_;
  Vec t;
  PetscCall(VecGetSubVector(trace_, space_view_->full_indices(), &t));
  PetscCall(VecDuplicate(t, &sub_trace_));
  PetscCall(VecCopy(t, sub_trace_));
  PetscCall(VecRestoreSubVector(trace_, space_view_->full_indices(), &t));
  PetscCall(MatCreateVecs(op, &x_, nullptr));
  op_ = op;
  w_op_ = sub_trace_;
  if (options_.verbose) {
    index_t largest = 0;
    for (index_t n : b.size) largest = std::max(largest, n);
    PetscCall(PetscPrintf(comm,
                          "steady: invariant blocks: %lld of the %lld entries of rho (%d state "
                          "components, largest %lld; [steady] symmetry = false solves all)\n",
                          static_cast<long long>(space_view_->global_size()),
                          static_cast<long long>(layout_.d * layout_.d), b.count,
                          static_cast<long long>(largest)));
  }
  PetscFunctionReturn(0);
}

bool SteadySolver::SplitPreconditioner() const {
  if (reduced_ || exact_blocks_forced_ ||
      structure_.split.count <= std::max(structure_.blocks.count, 1))
    return false;
  return !exact_blocks_requested_;
}

// The Sylvester preconditioner of `iterative` (unless -p_pc_type names
// another): on the reduced space, or on all of rho with the structure's
// components as its blocks.
PetscErrorCode SteadySolver::SetupSylvester() {
  PetscFunctionBeginUser;
  if (!have_structure_ || method_ != "iterative" || PreconditionerRequested(options_.prefix))
    PetscFunctionReturn(0);
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  if (!reduced_) {
    BlockStructure all = structure_.blocks;
    if (SplitPreconditioner()) all = structure_.split;
    if (all.count == 0) {  // no components given: one block
      all.d = layout_.d;
      all.count = 1;
      all.component.assign(layout_.d, 0);
      all.size = {layout_.d};
    }
    all.reached.assign(static_cast<size_t>(all.count) * all.count, 1);
    space_ = std::make_unique<ReducedSpace>();
    PetscCall(space_->Setup(comm, all, layout_));
    space_view_ = space_.get();
  }
  Vec like;
  PetscCall(MatCreateVecs(op_, &like, nullptr));
  // Kept across a set-up again (the bordered method holds it).
  if (!sylvester_) sylvester_ = std::make_unique<SylvesterPreconditioner>();
  char precision[16] = "auto";
  PetscCall(PetscOptionsGetString(nullptr, options_.prefix.c_str(), "-pc_sylvester_precision",
                                  precision, sizeof precision, nullptr));
  const std::string p = precision;
  PetscCheck(p == "auto" || p == "single" || p == "double", comm, PETSC_ERR_USER_INPUT,
             "-%spc_sylvester_precision %s: expected single, double or auto",
             options_.prefix.c_str(), precision);
  PetscCall(sylvester_->Setup(*space_view_, like));
  PetscCall(VecDestroy(&like));
  PetscCall(sylvester_->Factor(structure_.one_sided.left, structure_.one_sided.right));
  // Precision of the GEMMs (-p_pc_sylvester_precision): auto takes single
  // from blocks of 256 states on, where the GEMMs are the cost (2.3x faster;
  // the solve then refines in double precision, steady_methods.hpp), as long
  // as the eigenvectors are well conditioned.
  const SylvesterStats& stats = sylvester_->stats();
  sylvester_->SetSinglePrecision(
      p == "single" || (p == "auto" && stats.largest_block >= 256 && stats.condition < 1e3));
  if (options_.verbose) {
    const SylvesterStats& st = sylvester_->stats();
    PetscCall(PetscPrintf(comm,
                          "steady: Sylvester preconditioner: %d blocks%s, largest %lld, %s "
                          "precision, eigenvector condition ~%.2g, %.3g MB per rank, %.2f s\n",
                          space_view_->blocks().count,
                          SplitPreconditioner() ? " (the incoherent part's; "
                                                  "-steady_pc_sylvester_blocks exact: L's)"
                                                : "",
                          static_cast<long long>(st.largest_block),
                          sylvester_->single_precision() ? "single" : "double", st.condition,
                          st.bytes_per_rank / 1048576.0, st.setup_seconds));
  }
  PetscFunctionReturn(0);
}

// GEMM rates of this machine class: CGEMM ~95 GFlop/s, ZGEMM ~40.
double SteadySolver::PreconditionerSeconds() const {
  if (!sylvester_) return 0.0;
  return sylvester_->stats().apply_flops / (sylvester_->single_precision() ? 95e9 : 40e9);
}

PetscErrorCode SteadySolver::FallBackToExactBlocks() {
  PetscFunctionBeginUser;
  exact_blocks_forced_ = true;
  PetscCall(SetupSylvester());
  PetscCall(
      impl_->SetPreconditionerProperties(sylvester_->single_precision(), PreconditionerSeconds()));
  PetscFunctionReturn(0);
}

std::string SteadySolver::PreconditionerDescription() const {
  if (method_ != "iterative") return "";
  if (!sylvester_) {
    char pc[64] = "asm";
    PetscOptionsGetString(nullptr, options_.prefix.c_str(), "-pc_type", pc, sizeof pc, nullptr);
    return std::string(pc) + " (BiCGStab)";
  }
  const SylvesterStats& st = sylvester_->stats();
  std::ostringstream s;
  s << "Sylvester (GMRES" << (sylvester_->single_precision() ? ", single-precision GEMMs" : "")
    << "): " << space_view_->blocks().count << " blocks of states, largest " << st.largest_block;
  if (SplitPreconditioner())
    s << "; split by the incoherent part's charge, the coherent terms between the blocks left "
         "to GMRES";
  return s.str();
}

PetscErrorCode SteadySolver::UpdateStructure(const SteadyStructure& structure) {
  PetscFunctionBeginUser;
  structure_.one_sided = structure.one_sided;
  if (sub_)
    PetscCall(MatCreateSubMatrix(L_, space_view_->full_indices(), space_view_->full_indices(),
                                 MAT_REUSE_MATRIX, &sub_));
  if (sylvester_)
    PetscCall(sylvester_->Factor(structure_.one_sided.left, structure_.one_sided.right));
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::Setup(Mat L, const ColumnLayout& layout, Vec trace_covector,
                                   const SteadyOptions& options, const SteadyStructure* structure,
                                   const ReducedSpace* space, Mat restricted) {
  PetscFunctionBeginUser;
  PetscCheck(!restricted || (space && structure), PetscObjectComm(reinterpret_cast<PetscObject>(L)),
             PETSC_ERR_ARG_WRONG, "a restricted L needs its space and structure");
  L_ = L;
  restricted_ = restricted;
  space_view_ = space;
  layout_ = layout;
  trace_ = trace_covector;
  options_ = options;
  method_ = options.method;
  have_structure_ = structure != nullptr;
  if (structure) structure_ = *structure;
  PetscCall(MatCreateVecs(L, nullptr, &work_));
  PetscCall(AdjointScatterCreate(work_, layout.d, &adjoint_));
  char blocks[16] = "split";
  PetscCall(PetscOptionsGetString(nullptr, options_.prefix.c_str(), "-pc_sylvester_blocks", blocks,
                                  sizeof blocks, nullptr));
  PetscCheck(std::string(blocks) == "split" || std::string(blocks) == "exact",
             PetscObjectComm(reinterpret_cast<PetscObject>(L)), PETSC_ERR_USER_INPUT,
             "-%spc_sylvester_blocks %s: expected split or exact", options_.prefix.c_str(), blocks);
  exact_blocks_requested_ = std::string(blocks) == "exact";
  PetscCall(SetupReduction());
  PetscCall(ChooseMethod());
  gap_provided_ = options_.gap && !(options_.gap_in_blocks && reduced_ && method_ != "direct");
  plan_.with_spectrum = options_.gap;
  if (options_.plan_only) PetscFunctionReturn(0);
  PetscCall(SetupSylvester());

  if (method_ == "direct" || method_ == "iterative") {
    ApplyFunction apply;
    if (sylvester_) {
      SylvesterPreconditioner* pc = sylvester_.get();
      apply = [pc](Vec x, Vec y) { return pc->Apply(x, y); };
    }
    PetscCall(CreateBorderedMethod(
        op_, w_op_, method_ == "direct", options_, sylvester_ ? &apply : nullptr, &impl_,
        sylvester_ && sylvester_->single_precision(), PreconditionerSeconds()));
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
// from the bordered solver's inverse when there is one (direct; iterative
// when the check is off or done by a second start), otherwise with an LU of
// their own. A run reduced to the reached blocks checks uniqueness there (a
// second invariant state has a component in the diagonal blocks) but takes
// the gap from all of L (its slowest modes may be coherences between blocks).
PetscErrorCode SteadySolver::SetupSpectrum() {
  PetscFunctionBeginUser;
  const bool second_start = sylvester_ != nullptr;
  const bool check_by_spectrum = check_unique_ && !second_start;
  // gap_in_blocks: the solved blocks' slow spectrum, from direct's factorisation.
  const bool blocks_gap = options_.gap && options_.gap_in_blocks && reduced_;
  const bool gap_here = options_.gap && (!reduced_ || (blocks_gap && method_ == "direct"));
  PetscReal zero_tol = 1e-8;
  PetscCall(PetscOptionsGetReal(nullptr, options_.prefix.c_str(), "-zero_tol", &zero_tol, nullptr));
  auto base = [&]() {
    SpectrumOptions so;
    so.tol = std::min(options_.tol, 1e-10);
    so.verbose = options_.verbose;
    so.dense_dimension = options_.spectrum_dense_dimension;
    so.zero_tolerance = zero_tol;
    return so;
  };
  if (options_.gap && reduced_ && !blocks_gap) {
    SpectrumOptions so = base();
    so.prefix = options_.spectrum_prefix;
    so.nev = options_.nev;
    so.near_nev = std::max<index_t>(options_.nev, 2);
    full_spectrum_ = std::make_unique<SpectrumSolver>();
    PetscCall(full_spectrum_->Setup(L_, so));
  }
  if (!(check_by_spectrum || method_ == "eigen" || gap_here)) PetscFunctionReturn(0);
  // The gap through the iterative solver: every step of the near-zero stage
  // is a whole GMRES solve, and the exp(t L) products grow with the size;
  // beyond LU's range that is hours, so it is refused up front.
  PetscInt size_op;
  PetscCall(MatGetSize(op_, &size_op, nullptr));
  PetscCheck(!(gap_here && method_ == "iterative" && size_op > kSteadyLuDimension),
             PetscObjectComm(reinterpret_cast<PetscObject>(L_)), PETSC_ERR_USER_INPUT,
             "[steady] gap = true for %d unknowns would take hours here (each step of the "
             "spectrum's near-zero stage is a whole iterative solve, and the exp(t L) products "
             "grow with the size): set steady.gap = false for the steady state, and compute "
             "the gap with `qcoll spectrum` on more ranks (docs/solvers.md section 3)",
             static_cast<int>(size_op));
  SpectrumOptions so = base();
  so.prefix = gap_here ? options_.spectrum_prefix : options_.prefix;
  so.nev = gap_here ? options_.nev : 2;
  so.slow = gap_here;
  shared_check_ =
      method_ == "direct" || (method_ == "iterative" && (!check_unique_ || second_start));
  // eigen needs the eigenvector; a check alone with the shared factorisation
  // is a few solves, far cheaper than all eigenvalues densely (zgeev of a
  // 1024 x 1024 matrix takes seconds).
  PetscInt n;
  PetscCall(MatGetSize(op_, &n, nullptr));
  so.allow_dense = method_ != "eigen" && (gap_here || !shared_check_ || n <= 256);
  check_ = std::make_unique<SpectrumSolver>();
  if (shared_check_) {
    // Only the eigenvalue nearest 0 decides uniqueness; the slow spectrum's
    // time scale needs nev of them.
    so.near_nev = gap_here ? std::max<index_t>(options_.nev, 2) : 1;
    SharedInverse inverse;
    SteadyMethod* impl = impl_.get();
    inverse.apply = [impl](Vec x, Vec y) { return impl->ApplyInverse(x, y); };
    inverse.moved_zero = -1.0;  // updated before each solve
    shared_inverse_ = inverse;
    PetscCall(check_->Setup(op_, so, &shared_inverse_));
  } else {
    so.near_nev = gap_here ? std::max<index_t>(options_.nev, 2) : 2;
    PetscCall(check_->Setup(op_, so));
  }
  PetscFunctionReturn(0);
}

// Sylvester-preconditioned GMRES: dense factors, Krylov basis and time.
// Rates of this machine class (2026, one AVX2 core per rank, BLIS): ZGEMM
// 40 GFlop/s, CGEMM 95, an eigendecomposition with inverse 3.5e-9 n^3 s,
// 60 ns per local unknown and iteration for L x, the two scatters and the
// packing, 8 ns per local unknown and basis vector for the Gram-Schmidt
// orthogonalisation; 2.6 log2(d^2) iterations to 1e-13 with the exact
// blocks, 4.0 log2(d^2) with split ones, the second start 0.7 of that.
PetscErrorCode SteadySolver::EstimateSylvester(SteadyPlan* plan) const {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  int size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  const bool split = SplitPreconditioner();
  const BlockStructure& b = split ? structure_.split : structure_.blocks;
  const bool blocks = b.count > 0;
  const double d = static_cast<double>(layout_.d);
  double gemm = 0, setup_total = 0, setup_largest = 0, factors = 0;
  for (int a = 0; a < (blocks ? b.count : 1); ++a) {
    const double na = blocks ? static_cast<double>(b.size[a]) : d;
    setup_total += na * na * na;
    setup_largest = std::max(setup_largest, na * na * na);
    factors += 2.0 * 16.0 * na * na;
    for (int c = 0; c < (blocks ? b.count : 1); ++c)
      if (!blocks || !reduced_ || b.block(a, c))
        gemm += 4.0 * 8.0 * na * na * (blocks ? static_cast<double>(b.size[c]) : d);
  }
  const PetscInt local_size = (plan->unknowns + size - 1) / size;
  const double local = static_cast<double>(local_size);
  // Single precision (CGEMM) from blocks of 256 states on, as SetupSylvester.
  const bool single = std::cbrt(setup_largest) >= 255.5;
  const double rate = single ? 95e9 : 40e9;
  const double per_solve = (split ? 4.0 : 2.6) * std::log2(d * d);
  const double iterations = per_solve * (check_unique_ ? 1.7 : 1.0);
  const double pc_seconds = gemm / size / rate;
  const double restart =
      static_cast<double>(KrylovRestart(plan->available, local_size, pc_seconds));
  const double mean_basis = 0.5 * std::min(per_solve, restart);
  const double per_iteration = pc_seconds + 60e-9 * local + 8e-9 * mean_basis * local;
  plan->sylvester_iterations = iterations;
  // 0.1 s: set-up of the shells, the scatters and the packing maps.
  plan->sylvester_seconds =
      0.1 + 3.5e-9 * std::max(setup_largest, setup_total / size) + iterations * per_iteration;
  // GMRES allocates its basis as the iterations go (at most the restart);
  // about 20 work vectors besides (the solve, its checks, rho).
  const double basis = std::min(restart, per_solve + 10.0);
  plan->sylvester_bytes = factors + (basis + 20.0) * 16.0 * local;
  // A solve in the invariant blocks still has the task's vectors of all of
  // rho (the residual, the observables, the output, L's assembly on the
  // blocks): measured ~29 of them per rank on the 10- to 12-site XX chains.
  if (reduced_) plan->sylvester_bytes += 29.0 * 16.0 * d * d / size;
  PetscFunctionReturn(0);
}

// auto, with the structure (the Sylvester preconditioner): LU when it fits
// and is estimated faster (small systems; it is exact), else GMRES with the
// Sylvester preconditioner. Without it: LU when it fits, else ASM/ILU.
// A method that cannot fit is refused before anything is factorised.
PetscErrorCode SteadySolver::ChooseMethod() {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscBool set = PETSC_FALSE, flag = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(nullptr, options_.prefix.c_str(), "-check_unique", &flag, &set));
  plan_ = SteadyPlan();
  PetscInt n;
  PetscCall(MatGetSize(op_, &n, nullptr));
  plan_.unknowns = n;
  plan_.sylvester = have_structure_ && !PreconditionerRequested(options_.prefix);
  PetscCall(AvailableMemory(comm, options_.prefix, &plan_.available));
  // LU: estimated (MUMPS's analysis) unless GMRES + Sylvester is available
  // and the system is beyond kSteadyLuDimension unknowns (LU is then far slower).
  PetscBool shell = PETSC_FALSE;  // matrix-free L: no LU
  PetscCall(PetscObjectTypeCompare(reinterpret_cast<PetscObject>(op_), MATSHELL, &shell));
  PetscCheck(!shell || method_ == "auto" || method_ == "iterative", comm, PETSC_ERR_ARG_WRONG,
             "the steady method %s needs the assembled Liouvillian", method_.c_str());
  plan_.lu_estimated =
      !shell && (method_ == "direct" || n <= kSteadyLuDimension || !plan_.sylvester);
  double flops = 0;
  if (plan_.lu_estimated)
    PetscCall(EstimateFactorMemory(op_, options_.prefix, plan_.available, &plan_.lu_bytes, &flops));
  plan_.lu_seconds = flops / 4e9 + 0.2;  // MUMPS, about 4 GFlop/s per rank here
  const bool lu_fits = plan_.lu_estimated && plan_.lu_bytes <= plan_.available;
  check_unique_ = set ? static_cast<bool>(flag) : options_.check_unique;
  if (plan_.sylvester) PetscCall(EstimateSylvester(&plan_));
  const std::string estimate =
      (plan_.lu_bytes < 1024.0 * 1024.0 ? std::string("LU needs under 1 MB")
                                        : "LU needs about " + megabytes(plan_.lu_bytes)) +
      " per rank, " + megabytes(plan_.available) + " available";
  if (plan_.lu_estimated) lu_estimate_ = estimate;
  const std::string size = std::to_string(n) + " unknowns";
  if (method_ == "auto" && PreconditionerRequested(options_.prefix)) {
    // -p_pc_type names the preconditioner of a Krylov solve.
    method_ = "iterative";
    reason_ = "auto: -" + options_.prefix + "pc_type given, so a preconditioned Krylov solve";
  } else if (method_ == "auto") {
    char times[160];
    std::snprintf(times, sizeof times, "estimated LU %.3g s, GMRES + Sylvester %.3g s",
                  plan_.lu_seconds, plan_.sylvester_seconds);
    if (plan_.sylvester &&
        !(lu_fits && (n <= kDirectDimension || plan_.lu_seconds < plan_.sylvester_seconds))) {
      method_ = "iterative";
      reason_ = "auto: " + size + ", GMRES with the Sylvester preconditioner (" +
                (plan_.lu_estimated ? std::string(times)
                                    : "LU not considered beyond " +
                                          std::to_string(kSteadyLuDimension) + " unknowns") +
                ")";
    } else if (lu_fits) {
      method_ = "direct";
      reason_ = "auto: " + size + ", LU fits (" + estimate +
                (plan_.sylvester ? std::string("; ") + times : std::string()) + ")";
    } else {
      method_ = "iterative";
      reason_ = "auto: " + size + ", LU does not fit (" + estimate + ")";
    }
  } else {
    reason_ = "requested";
  }
  plan_.method = method_;
  plan_.reason = reason_;
  PetscCheck(method_ != "direct" || lu_fits || options_.plan_only, comm, PETSC_ERR_USER_INPUT,
             "the LU factorisation of the steady state's %s would need about %s per rank, but "
             "%s are available: use [steady] method = \"auto\" or \"iterative\", more ranks, "
             "or -%smemory_limit <MB> to state the memory per rank",
             size.c_str(), megabytes(plan_.lu_bytes).c_str(), megabytes(plan_.available).c_str(),
             options_.prefix.c_str());
  const bool second_start = method_ == "iterative" && plan_.sylvester;
  PetscCheck(!second_start || plan_.sylvester_bytes <= plan_.available || options_.plan_only, comm,
             PETSC_ERR_USER_INPUT,
             "the Sylvester preconditioner's dense factors need about %s per rank, but %s are "
             "available: use more ranks or -%spc_type asm",
             megabytes(plan_.sylvester_bytes).c_str(), megabytes(plan_.available).c_str(),
             options_.prefix.c_str());
  if (!set)
    check_unique_ = options_.check_unique && (method_ == "direct" || second_start || lu_fits);
  if (options_.verbose && !options_.plan_only) {
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
  // Not unique: a result the task refuses to write (exit 2), not a bad input.
  PetscCheck(method_ == "evolve", comm, PETSC_ERR_NOT_CONVERGED,
             "%s; use [steady] method = \"evolve\" to get the state that [initial] relaxes to, "
             "or `qcoll spectrum` to inspect the eigenvalues (-%szero_tol sets the threshold)",
             what.c_str(), options_.prefix.c_str());
  PetscCall(PetscPrintf(comm, "steady: warning: %s; returning the state [initial] relaxes to\n",
                        what.c_str()));
  PetscFunctionReturn(0);
}

// Uniqueness without a factorisation: the iterative solve is repeated from
// the solution plus a traceless diagonal perturbation delta (||delta||_F = 1).
// A unique steady state is found again, to the solver's tolerance; a second
// invariant state makes the bordered system singular, and the solve keeps the
// part of delta along the null space: a difference of order 1/sqrt(d).
PetscErrorCode SteadySolver::CheckUniqueBySecondStart(Vec x, SteadyReport* report) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  if (!x_check_) PetscCall(VecDuplicate(x, &x_check_));
  PetscCall(VecSet(x_check_, 0.0));
  PetscScalar* a;
  PetscCall(VecGetArray(x_check_, &a));
  double sum = 0.0;
  size_t l = 0;
  std::vector<size_t> diagonal;
  for (index_t j = layout_.col_begin; j < layout_.col_end; ++j)
    for (index_t i : space_view_->rows_of_column(j)) {
      if (i == j) {
        a[l] = hashed_unit(i);
        sum += hashed_unit(i);
        diagonal.push_back(l);
      }
      ++l;
    }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &sum, 1, MPI_DOUBLE, MPI_SUM, comm));
  for (size_t k : diagonal) a[k] -= sum / static_cast<double>(layout_.d);
  PetscCall(VecRestoreArray(x_check_, &a));
  PetscReal norm;
  PetscCall(VecNorm(x_check_, NORM_2, &norm));
  PetscCall(VecScale(x_check_, 1.0 / norm));
  PetscCall(VecAXPY(x_check_, 1.0, x));
  // Tolerance 1e-9 (or tol): ample to tell 1e-4 from 1/sqrt(d).
  PetscInt iterations = 0;
  impl_->SetTolerance(std::max(options_.tol, 1e-9));
  const PetscErrorCode ierr = impl_->Solve(x_check_, &iterations);
  impl_->SetTolerance(options_.tol);
  PetscCall(ierr);
  if (impl_->stopped()) PetscFunctionReturn(0);  // x holds the solution: continue from it
  report->iterations += iterations;
  PetscCall(VecAXPY(x_check_, -1.0, x));
  PetscReal difference;
  PetscCall(VecNorm(x_check_, NORM_2, &difference));
  report->unique_checked = true;
  report->unique = difference <= kSecondStartThreshold;
  report->second_start_difference = difference;
  PetscCheck(report->unique, comm, PETSC_ERR_NOT_CONVERGED,
             "the steady state is not unique: a second solve from the solution plus a "
             "perturbation of norm 1 converged to a state %.3g away (a unique one is found again "
             "to the solver's tolerance). The dynamics has more than one invariant block (a part "
             "of the system no bath reaches, or a conserved quantity); use [steady] method = "
             "\"evolve\" to get the state that [initial] relaxes to, or `qcoll spectrum` to "
             "inspect the eigenvalues (-%scheck_unique false skips this check)",
             static_cast<double>(difference), options_.prefix.c_str());
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::SolveTraceless(Vec b, Vec y, double tolerance) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L_));
  PetscCheck(impl_ && (method_ == "direct" || method_ == "iterative"), comm, PETSC_ERR_SUP,
             "this needs the steady state's factorisation or preconditioner: [steady] method "
             "direct or iterative (auto picks one), not %s",
             method_.c_str());
  if (reduced_) {
    Vec rhs, sol;
    PetscCall(VecDuplicate(x_, &rhs));
    PetscCall(VecDuplicate(x_, &sol));
    PetscCall(VecISCopy(b, space_view_->full_indices(), SCATTER_REVERSE, rhs));
    PetscCall(VecSet(sol, 0.0));
    PetscCall(impl_->ApplyInverse(rhs, sol));
    PetscCall(VecSet(y, 0.0));
    PetscCall(VecISCopy(y, space_view_->full_indices(), SCATTER_FORWARD, sol));
    PetscCall(VecDestroy(&rhs));
    PetscCall(VecDestroy(&sol));
  } else {
    PetscCall(VecSet(y, 0.0));
    PetscCall(impl_->ApplyInverse(b, y));
  }
  // The guarantee: the true residual on full-length vectors.
  PetscReal bnorm, rnorm;
  PetscCall(MatMult(L_, y, work_));
  PetscCall(VecAXPY(work_, -1.0, b));
  PetscCall(VecNorm(work_, NORM_2, &rnorm));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  PetscCheck(rnorm <= tolerance * bnorm + 1e-300, comm, PETSC_ERR_NOT_CONVERGED,
             "a linear solve with the steady state's %s did not reach its accuracy: "
             "||L y - b|| / ||b|| = %.3g > %.3g",
             method_ == "direct" ? "factorisation" : "preconditioner",
             static_cast<double>(rnorm / bnorm), tolerance);
  PetscFunctionReturn(0);
}

PetscErrorCode SteadySolver::Solve(Vec rho, SteadyReport* report) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  *report = SteadyReport();
  report->method = method_;
  report->reason = reason_;
  report->solved_dimension = solved_dimension();
  report->preconditioner = PreconditionerDescription();
  SpectrumResult spec;
  if (sub_)
    PetscCall(MatCreateSubMatrix(L_, space_view_->full_indices(), space_view_->full_indices(),
                                 MAT_REUSE_MATRIX, &sub_));
  // With its own LU the check runs first: a singular bordered system would
  // only stall the iterative solve.
  if (check_ && !shared_check_) {
    PetscCall(check_->Solve(&spec));
    PetscCall(CheckUnique(spec, report));
  }
  // The bordered methods and eigen work on op_'s vectors: x_ when reduced.
  Vec x = reduced_ ? x_ : rho;
  if (reduced_) PetscCall(VecISCopy(rho, space_view_->full_indices(), SCATTER_REVERSE, x_));
  if (impl_) {
    PetscInt n;
    PetscCall(MatGetSize(op_, &n, nullptr));
    if (options_.verbose && method_ == "direct" && n >= 16384)
      PetscCall(PetscPrintf(PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
                            "steady: LU factorisation of %d unknowns%s (a line every 10 s)\n",
                            static_cast<int>(n),
                            lu_estimate_.empty() ? "" : (", " + lu_estimate_).c_str()));
    // Split blocks converge in about as many iterations as L's own unless
    // the coherent drive is strong against the dissipation (then hundreds
    // or thousands): a budget of 3x the usual, then L's blocks, from the
    // iterate reached.
    const bool split = sylvester_ && SplitPreconditioner();
    if (split) {
      PetscInt n;
      PetscCall(MatGetSize(op_, &n, nullptr));
      impl_->SetIterationBudget(std::max<PetscInt>(
          60, static_cast<PetscInt>(3.0 * 2.6 * std::log2(static_cast<double>(n)))));
    }
    PetscCall(impl_->Solve(x, &report->iterations));
    if (split) {
      impl_->SetIterationBudget(0);
      if (impl_->exhausted()) {
        if (options_.verbose)
          PetscCall(
              PetscPrintf(PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
                          "steady: the split Sylvester blocks did not converge in %" PetscInt_FMT
                          " iterations (a coherent drive strong against the dissipation): "
                          "continuing with L's own blocks\n",
                          report->iterations));
        PetscCall(FallBackToExactBlocks());
        PetscInt more = 0;
        PetscCall(impl_->Solve(x, &more));
        report->iterations += more;
        report->preconditioner = PreconditionerDescription();
      }
    }
    if (!impl_->stopped() && sylvester_ && check_unique_)
      PetscCall(CheckUniqueBySecondStart(x, report));
    if (impl_->stopped()) {  // rho: the last iterate, to continue from
      report->stopped = true;
      if (reduced_) {
        PetscCall(VecSet(rho, 0.0));
        PetscCall(VecISCopy(rho, space_view_->full_indices(), SCATTER_FORWARD, x_));
      }
      PetscFunctionReturn(0);
    }
  } else {  // eigen: the check's EPS holds the eigenvector nearest 0
    PetscCall(check_->GetNearZeroEigenvector(0, x));
    PetscScalar trace;
    PetscCall(VecDot(x, w_op_, &trace));
    PetscCheck(PetscAbsScalar(trace) > 0, PetscObjectComm(reinterpret_cast<PetscObject>(L_)),
               PETSC_ERR_NOT_CONVERGED, "the eigenvector nearest 0 has zero trace");
    PetscCall(VecScale(x, 1.0 / trace));
  }
  if (reduced_) {
    PetscCall(VecSet(rho, 0.0));
    PetscCall(VecISCopy(rho, space_view_->full_indices(), SCATTER_FORWARD, x_));
  }
  if (check_ && shared_check_) {
    shared_inverse_.moved_zero = impl_->border();
    PetscCall(check_->UpdateSharedInverse(shared_inverse_));
    PetscCall(check_->Solve(&spec));
    if (check_unique_) PetscCall(CheckUnique(spec, report));
  }
  if (gap_provided_) {
    report->with_spectrum = true;
    if (full_spectrum_) {
      PetscCall(full_spectrum_->Solve(&report->spectrum));
    } else {
      report->spectrum = spec;
    }
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
  report->state_eigenvalues.clear();
  if (layout_.d <= kMaxStateEigenvalueDimension) {
    PetscCall(HermitianEigenvaluesOfVec(rho, layout_.d, &report->state_eigenvalues));
    report->min_eigenvalue = report->state_eigenvalues.front();
  }
  PetscFunctionReturn(0);
}

}  // namespace qcoll

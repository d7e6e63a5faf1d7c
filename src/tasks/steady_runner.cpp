#include "steady_runner.hpp"

#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>

#include "qcoll/derive/counting.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/solvers/block_spectrum.hpp"
#include "qcoll/superop/matrix_free.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/entropy.hpp"
#include "qcoll/thermo/evaluator.hpp"

namespace qcoll {

namespace {

// Whether a steady state alone (no gap) is solved on L assembled in the
// invariant blocks only.
bool restricts(const Problem& p, const BlockStructure& blocks) {
  const SteadySettings& cfg = p.settings.steady;
  return cfg.symmetry && blocks.reduces() &&
         (cfg.method == "auto" || cfg.method == "direct" || cfg.method == "iterative");
}

// Whether it is solved with the matrix-free L (no blocks to restrict to, and
// GMRES + Sylvester is what `auto` or the deck takes: beyond LU's size, or
// requested, with no other preconditioner asked for). Then no L is assembled.
bool matrix_free(const Problem& p, const BlockStructure& blocks) {
  const SteadySettings& cfg = p.settings.steady;
  PetscBool pc = PETSC_FALSE;
  PetscOptionsHasName(nullptr, "steady_", "-pc_type", &pc);
  const double n = static_cast<double>(p.me.dim) * static_cast<double>(p.me.dim);
  return !restricts(p, blocks) && !pc &&
         (cfg.method == "iterative" || (cfg.method == "auto" && n > kSteadyLuDimension));
}

// Whether the spectrum is computed block by block (solvers/block_spectrum.hpp):
// [steady] symmetry, more than one class, and with a steady state a solve
// restricted to its blocks.
bool by_blocks(const Problem& p, bool steady, const BlockStructure& blocks) {
  return p.settings.steady.symmetry && block_classes(p.me.dim, current_terms(p)).count > 1 &&
         (!steady || restricts(p, blocks));
}

SpectrumOptions spectrum_options(const Problem& p, bool verbose) {
  SpectrumOptions so;
  so.nev = p.settings.steady.nev;
  so.tol = std::min(p.settings.steady.tol, so.tol);
  so.verbose = verbose;
  return so;
}

}  // namespace

double solved_fraction(const std::string& task, const Problem& p) {
  if (task != "steady") return 1.0;
  const BlockStructure b = steady_block_structure(p.me.dim, current_terms(p));
  if (p.settings.steady.gap && !by_blocks(p, true, b)) return 1.0;
  if (matrix_free(p, b)) return 0.0;
  if (!restricts(p, b)) return 1.0;
  return static_cast<double>(b.reduced_dimension()) /
         (static_cast<double>(p.me.dim) * static_cast<double>(p.me.dim));
}

SteadyRunner::~SteadyRunner() {
  Release();
}

PetscErrorCode SteadyRunner::Release() {
  PetscFunctionBeginUser;
  steady_.reset();
  spectrum_.reset();
  PetscCall(VecDestroy(&rho_));
  PetscCall(VecsDestroy(&trace_));
  PetscCall(MatDestroy(&full_));
  PetscCall(LiouvillianDestroy(&L_));
  space_.reset();
  have_solution_ = false;
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::Setup(MPI_Comm comm, const Problem& p, bool steady, bool spectrum,
                                   bool plan_only) {
  PetscFunctionBeginUser;
  PetscCall(Release());
  plan_only_ = plan_only;
  matrix_free_ = false;
  PetscCall(LogStagePush("assembly"));
  comm_ = comm;
  steady_wanted_ = steady;
  spectrum_with_steady_ = spectrum;
  // A steady state alone, in invariant blocks smaller than rho: L is
  // assembled on those entries only (no full L exists; full_ applies it to
  // full-length vectors for the residual and the entropy rate).
  structure_ = steady_structure(p.me.dim, current_terms(p), fixed_liouvillian_terms(p.me));
  // The spectrum block by block: each class's L is assembled when it is solved.
  block_spectrum_ = spectrum && by_blocks(p, steady, structure_.blocks);
  const bool restrict = steady && (!spectrum || block_spectrum_) && restricts(p, structure_.blocks);
  if (restrict) {
    space_ = std::make_unique<ReducedSpace>();
    PetscCall(space_->Setup(comm, structure_.blocks, column_layout(comm, p.me.dim)));
    PetscCall(CreateLiouvillian(comm, p, &L_, space_.get()));
    PetscCall(ReducedOperatorCreateFull(L_, &full_));
  } else if (steady && !spectrum && matrix_free(p, structure_.blocks)) {
    matrix_free_ = true;
    std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
    PetscCall(MatCreateMatrixFreeLiouvillian(comm, p.me.dim, fixed_liouvillian_terms(p.me),
                                             coherent_liouvillian_terms(p.me), coefs, &full_));
    L_ = Liouvillian();
    L_.layout = column_layout(comm, p.me.dim);
  } else if (!(spectrum && !steady && block_spectrum_)) {
    PetscCall(CreateLiouvillian(comm, p, &L_));
    full_ = L_.total;
    PetscCall(PetscObjectReference(reinterpret_cast<PetscObject>(full_)));
  }
  if (full_) {
    PetscCall(TraceCovectorsCreate(full_, {&p.ops.identity}, &trace_));
    PetscCall(MatCreateVecs(full_, &rho_, nullptr));
  }
  const SpectrumOptions so = spectrum_options(p, !plan_only);
  if (spectrum && !steady && !block_spectrum_) {
    if (plan_only)
      PetscCall(PlanFullSpectrum(L_.total, so, false, &spectrum_plan_));
    else {
      spectrum_ = std::make_unique<SpectrumSolver>();
      PetscCall(spectrum_->Setup(L_.total, so));
    }
  }
  if (steady) PetscCall(SetupSteady(p));
  if (steady && spectrum && !block_spectrum_ && plan_only)
    PetscCall(PlanFullSpectrum(L_.total, so, steady_->plan().method == "direct", &spectrum_plan_));
  if (block_spectrum_) PetscCall(PlanBlocks(p));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::SetupSteady(const Problem& p) {
  PetscFunctionBeginUser;
  const SteadySettings& cfg = p.settings.steady;
  SteadyOptions o;
  o.method = cfg.method;
  o.tol = cfg.tol;
  o.reduce = cfg.symmetry;
  // The gap comes from the steady solver's own factorisation.
  o.gap = spectrum_with_steady_;
  o.nev = cfg.nev;
  o.plan_only = plan_only_;
  o.gap_in_blocks = block_spectrum_;
  MPI_Comm comm = comm_;
  o.stop_requested = [comm]() { return stop_signal_received(comm); };
  o.verbose = !plan_only_;
  steady_.reset();
  steady_ = std::make_unique<SteadySolver>();
  PetscCall(steady_->Setup(full_, L_.layout, trace_[0], o, &structure_, space_.get(),
                           space_ ? L_.total : nullptr));
  PetscFunctionReturn(0);
}

// The block spectrum's plan: memory and time of every solve (qcoll check), or
// of the largest (a factorisation beyond the memory is refused here, before
// anything is solved).
PetscErrorCode SteadyRunner::PlanBlocks(const Problem& p) {
  PetscFunctionBeginUser;
  const BlockClasses classes = block_classes(p.me.dim, current_terms(p));
  const SpectrumOptions so = spectrum_options(p, false);
  BlockSpectrumPlan plan = plan_block_spectrum(classes, so, steady_ && steady_->gap_provided());
  MPI_Comm comm = comm_;
  const ClassAssembler assemble = [comm, &p](const ReducedSpace& s, Liouvillian* l) {
    return CreateLiouvillian(comm, p, l, &s);
  };
  PetscCall(EstimateBlockSpectrum(comm, classes, assemble, so, !plan_only_, &plan));
  spectrum_plan_ = qcoll::spectrum_plan(classes, plan);
  PetscCheck(plan_only_ || plan.bytes <= plan.available, comm, PETSC_ERR_USER_INPUT,
             "the spectrum block by block needs an LU factorisation of its largest class, about "
             "%.3g MB per rank, but %.3g MB are available: use more ranks, a smaller model, "
             "[steady] gap = false, or -spectrum_near_memory_limit <MB> to state the memory "
             "per rank",
             plan.bytes / 1048576.0, plan.available / 1048576.0);
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::SolveBlocks(const Problem& p, SteadyPoint* out) {
  PetscFunctionBeginUser;
  PetscCall(LogStagePush("spectrum"));
  MPI_Comm comm = comm_;
  const ClassAssembler assemble = [comm, &p](const ReducedSpace& s, Liouvillian* l) {
    return CreateLiouvillian(comm, p, l, &s);
  };
  const SpectrumResult* given =
      steady_ && steady_->gap_provided() ? &out->report.spectrum : nullptr;
  SpectrumResult result;
  PetscCall(SolveBlockSpectrum(comm, block_classes(p.me.dim, current_terms(p)), assemble,
                               spectrum_options(p, true), given, &result));
  out->spectrum = result;
  out->with_spectrum = true;
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::SetLambdas(const Problem& p) {
  PetscFunctionBeginUser;
  if (block_spectrum_ && !steady_) PetscFunctionReturn(0);  // each Solve assembles its classes
  if (matrix_free_) {  // the shell holds its coefficients: build it anew
    PetscCall(Setup(comm_, p, steady_wanted_, spectrum_with_steady_, plan_only_));
    PetscFunctionReturn(0);
  }
  PetscCall(LiouvillianSetCoefficients(
      &L_, std::vector<PetscScalar>(p.lambdas.begin(), p.lambdas.end())));
  if (!steady_) PetscFunctionReturn(0);
  // Same blocks: new one-sided part only; a lambda that joins or splits
  // blocks (0 <-> non-zero) sets the solver up anew.
  SteadyStructure s = steady_structure(p.me.dim, current_terms(p), fixed_liouvillian_terms(p.me));
  if (s.blocks.component == structure_.blocks.component &&
      s.blocks.reached == structure_.blocks.reached) {
    structure_ = std::move(s);
    PetscCall(steady_->UpdateStructure(structure_));
  } else if (space_) {  // L was assembled on the old blocks only
    PetscCall(Setup(comm_, p, steady_wanted_, spectrum_with_steady_, plan_only_));
  } else {
    structure_ = std::move(s);
    PetscCall(SetupSteady(p));
    have_solution_ = false;
  }
  PetscFunctionReturn(0);
}

SuperOperatorTerms current_terms(const Problem& p) {
  return liouvillian_terms(p.me, p.lambdas);
}

PetscErrorCode SteadyRunner::Solve(const Problem& p, SteadyPoint* out) {
  PetscFunctionBeginUser;
  *out = SteadyPoint();
  if (spectrum_) {
    PetscCall(LogStagePush("spectrum"));
    PetscCall(spectrum_->Solve(&out->spectrum));
    PetscCall(PetscLogStagePop());
    out->with_spectrum = true;
  }
  if (!steady_) {
    if (block_spectrum_) PetscCall(SolveBlocks(p, out));
    PetscFunctionReturn(0);
  }
  PetscCall(LogStagePush("steady solve"));
  // The previous point of a sweep is the best initial guess of an iterative
  // solve; time stepping starts from [initial], whose relaxation it follows.
  // A direct solve needs no guess (nor the diagonalisation of a ground state).
  if (steady_->method() != "direct" && !have_guess_ &&
      !(have_solution_ && steady_->method() == "iterative"))
    PetscCall(FillDensityVector(L_.layout, rho_, p.initial));
  have_guess_ = false;
  PetscCall(steady_->Solve(rho_, &out->report));
  if (out->report.stopped) {  // rho_: the last iterate (WriteCheckpoint)
    PetscCall(PetscLogStagePop());
    PetscFunctionReturn(0);
  }
  have_solution_ = true;
  if (out->report.with_spectrum) {
    out->with_spectrum = true;
    out->spectrum = out->report.spectrum;
  }
  // The entropy comes with the solver's diagonalisation of rho (for its
  // smallest eigenvalue), not a second one.
  ThermoEvaluator thermo;
  PetscCall(thermo.Setup(full_, p.ops, p.betas, false));
  PetscCall(thermo.Evaluate(rho_, &out->values));
  out->with_entropy = !out->report.state_eigenvalues.empty();
  // dS/dt = 0 at the steady state: Pi = -sum_j beta_j Qdot_inc^j (and Pi_A
  // likewise), free of the round-off in tr(L(rho) ln rho).
  const double entropy =
      out->with_entropy ? von_neumann_entropy(out->report.state_eigenvalues) : 0.0;
  out->values.set_entropy(entropy, 0.0, p.betas);
  PetscCall(PetscLogStagePop());
  if (block_spectrum_) PetscCall(SolveBlocks(p, out));
  std::vector<std::string> names;
  for (const SpeciesTerms& s : p.me.species) names.push_back(s.name);
  const auto [hot, cold] =
      machine_species(names, p.betas, p.settings.machine.hot, p.settings.machine.cold);
  if (hot >= 0) {
    out->with_machine = true;
    out->machine = machine_metrics(out->values, p.betas, hot, cold);
    PetscCall(PetscPrintf(comm_,
                          "steady: machine (hot %s, cold %s): %s, power %.6g, heat_hot %.6g, "
                          "heat_cold %.6g, efficiency %.6g (Carnot %.6g), cop %.6g\n",
                          names[hot].c_str(), names[cold].c_str(), out->machine.regime.c_str(),
                          out->machine.power, out->machine.heat_hot, out->machine.heat_cold,
                          out->machine.efficiency, out->machine.carnot_efficiency,
                          out->machine.cop));
  }
  if (p.settings.steady.fluctuations) {
    PetscCall(LogStagePush("fluctuations"));
    PetscCall(ComputeFluctuations(p, &out->fluctuations));
    out->with_fluctuations = true;
    PetscCall(PetscLogStagePop());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::LoadGuess(const std::string& checkpoint) {
  PetscFunctionBeginUser;
  PetscCall(ReadSteadyCheckpoint(comm_, checkpoint, rho_));
  have_guess_ = true;
  PetscCall(
      PetscPrintf(comm_, "steady: continuing from the iterate saved in %s\n", checkpoint.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::WriteCheckpoint(const std::string& checkpoint,
                                             const std::string& deck) {
  PetscFunctionBeginUser;
  PetscCall(WriteSteadyCheckpoint(comm_, checkpoint, rho_, deck));
  PetscFunctionReturn(0);
}

PetscErrorCode SteadyRunner::ComputeFluctuations(const Problem& p, CountingCumulants* out) {
  PetscFunctionBeginUser;
  std::vector<CountingDerivatives> processes(p.me.species.size());
  for (size_t j = 0; j < processes.size(); ++j) {
    Mat* m[3] = {&processes[j].first, &processes[j].second, &processes[j].third};
    for (int n = 1; n <= 3; ++n)
      PetscCall(MatCreateMatrixFreeLiouvillian(
          comm_, p.me.dim, counting_derivative_terms(p.me.species[j], n), {}, {}, m[n - 1]));
  }
  SteadySolver* solver = steady_.get();
  const TracelessSolve solve = [solver](Vec b, Vec y) { return solver->SolveTraceless(b, y); };
  const auto start = std::chrono::steady_clock::now();
  PetscCall(ComputeCountingCumulants(processes, rho_, trace_[0], solve, out));
  for (CountingDerivatives& d : processes)
    for (Mat* m : {&d.first, &d.second, &d.third}) PetscCall(MatDestroy(m));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PetscCall(PetscPrintf(comm_, "steady: fluctuations: %zu species, %zu traceless solves, %.3f s\n",
                        processes.size(), 2 * processes.size(), seconds));
  PetscFunctionReturn(0);
}

PetscErrorCode PlanSteady(MPI_Comm comm, const Problem& p, SteadyPlan* plan, index_t* unknowns) {
  PetscFunctionBeginUser;
  SteadyRunner runner;
  PetscCall(runner.Setup(comm, p, true, p.settings.steady.gap, /*plan_only=*/true));
  *plan = runner.plan();
  plan->spectrum = runner.spectrum_plan();
  *unknowns = plan->unknowns;
  PetscFunctionReturn(0);
}

void write_fluctuations(Hdf5File& f, const std::string& g, const CountingCumulants& c,
                        double entropy_production, bool with_entropy_production) {
  const hsize_t ns = c.mean.size();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> tur(ns, nan);
  if (with_entropy_production)
    for (size_t j = 0; j < ns; ++j)
      if (c.mean[j] != 0.0)
        tur[j] = c.covariance[j * ns + j] * entropy_production / (c.mean[j] * c.mean[j]);
  f.ensure_group(g);
  f.write_real(g + "/mean", {ns}, c.mean,
               "energy the ancillas of each species take up per unit time, first scaled "
               "cumulant of the counting statistics; equals -heat_incoherent_ancilla "
               "(energy/time)");
  f.write_real(g + "/covariance", {ns, ns}, c.covariance,
               "scaled second cumulants of the energies the species' ancillas take up: noise "
               "on the diagonal, cross-correlations off it (energy^2/time)");
  f.write_real(g + "/cumulant3", {ns}, c.third,
               "scaled third cumulant of each species' energy (energy^3/time)");
  f.write_real(g + "/tur_ratio", {ns}, tur,
               "thermodynamic uncertainty ratio covariance[j,j] * entropy_production / "
               "mean[j]^2 (>= 2 for classical thermal machines; NaN where mean = 0 or Pi is "
               "undefined) (dimensionless)");
  for (const char* name : {"mean", "cumulant3", "tur_ratio"})
    f.label_dimensions(g + "/" + name, {"species"});
}

void write_machine(Hdf5File& f, const std::string& g, const MachineMetrics& m, const Problem& p) {
  f.ensure_group(g);
  f.write_attribute(g, "regime", m.regime);
  f.write_attribute(g, "hot", p.me.species.at(m.hot).name);
  f.write_attribute(g, "cold", p.me.species.at(m.cold).name);
  f.write_real_scalar(g + "/power", m.power,
                      "coherent work the system delivers per unit time, -sum_j Wdot_C^j "
                      "(energy/time)");
  f.write_real_scalar(g + "/heat_hot", m.heat_hot,
                      "Qdot_inc of the hot species, into the system (energy/time)");
  f.write_real_scalar(g + "/heat_cold", m.heat_cold,
                      "Qdot_inc of the cold species, into the system (energy/time)");
  f.write_real_scalar(g + "/efficiency", m.efficiency,
                      "power / heat_hot, NaN unless the regime is engine (dimensionless)");
  f.write_real_scalar(g + "/cop", m.cop,
                      "coefficient of performance heat_cold / (-power), NaN unless the regime "
                      "is refrigerator (dimensionless)");
  f.write_real_scalar(g + "/carnot_efficiency", m.carnot_efficiency,
                      "1 - beta_hot / beta_cold (dimensionless)");
}

PetscErrorCode PlanSpectrum(MPI_Comm comm, const Problem& p, SpectrumPlan* plan) {
  PetscFunctionBeginUser;
  SteadyRunner runner;
  PetscCall(runner.Setup(comm, p, false, true, /*plan_only=*/true));
  *plan = runner.spectrum_plan();
  PetscFunctionReturn(0);
}

void write_spectrum(Hdf5File& f, const std::string& g, const SpectrumResult& s) {
  f.ensure_group(g);
  f.write_complex(g + "/eigenvalues", {s.eigenvalues.size()}, s.eigenvalues,
                  "the slowest eigenvalues of the Liouvillian (largest real part), slowest "
                  "first (1/time)");
  f.write_real(g + "/residuals", {s.residuals.size()}, s.residuals,
               "relative residual ||L v - lambda v|| / (||L||_inf ||v||) of each eigenvalue");
  f.write_complex(g + "/nearest_zero", {s.nearest_zero.size()}, s.nearest_zero,
                  "eigenvalues of the Liouvillian nearest 0 in modulus, nearest first "
                  "(1/time; a steady run's own 0 is not listed)");
  f.write_attribute(g + "/eigenvalues", "searched", s.searched);
  f.write_attribute(g + "/eigenvalues", "exp_time", s.exp_time);
  f.write_real_scalar(g + "/gap", s.gap,
                      "spectral gap: smallest |Re lambda| among the non-zero eigenvalues "
                      "(1/time; NaN if all computed eigenvalues are 0)");
  f.write_attribute(g + "/eigenvalues", "zero_count", static_cast<long long>(s.zero_count));
  f.write_attribute(g + "/eigenvalues", "zero_threshold", s.zero_threshold);
  f.write_attribute(g + "/eigenvalues", "norm_inf", s.scale);
}

PetscErrorCode SteadyRunner::WriteSteady(Hdf5File& f, const std::string& g, const Problem& p,
                                         const SteadyPoint& point) {
  PetscFunctionBeginUser;
  PetscCall(LogStagePush("output"));
  const ThermoValues& v = point.values;
  const SteadyReport& r = point.report;
  std::vector<cplx> local;
  PetscCall(LocalValues(rho_, &local));
  PetscInt rstart;
  PetscCall(VecGetOwnershipRange(rho_, &rstart, nullptr));
  const hsize_t dd = static_cast<hsize_t>(p.me.dim * p.me.dim);
  const double first_law = std::accumulate(v.work_coherent.begin(), v.work_coherent.end(), 0.0) +
                           std::accumulate(v.heat_incoherent.begin(), v.heat_incoherent.end(), 0.0);
  PetscCallCXX({
    write_thermo_point(f, g, v, p.ops.observable_names,
                       FieldAvailability::steady_state(point.with_entropy, p.betas));
    f.write_complex_distributed(g + "/rho", dd, rstart, local,
                                "steady-state density matrix, flat column-stacked "
                                "(reshape(d, d, order='F'))");
    f.write_attribute(g + "/rho", "layout", std::string("column-major"));
    f.write_real_scalar(g + "/residual", r.residual, "||L(rho)||_2 of the steady state (1/time)");
    f.write_real_scalar(g + "/first_law_residual", first_law,
                        "sum_j (Wdot_C^j + Qdot_inc^j), zero at a steady state (energy/time)");
    f.write_real_scalar(g + "/trace_error", r.trace_error,
                        "|tr(x) - 1| of the solver's raw solution x before normalisation");
    f.write_real_scalar(g + "/hermiticity_error", r.hermiticity_error,
                        "||x - x^dag||_F of the raw solution before symmetrisation");
    f.write_real_scalar(g + "/min_eigenvalue", r.min_eigenvalue,
                        "smallest eigenvalue of rho (NaN when d is too large to diagonalise)");
    f.write_attribute(g, "method", r.method);
    f.write_attribute(g, "method_reason", r.reason);
    f.write_attribute(g, "iterations", static_cast<long long>(r.iterations));
    f.write_attribute(g, "wall_seconds", r.wall_seconds);
    f.write_attribute(g, "unique", r.unique);
    f.write_attribute(g, "unique_checked", r.unique_checked);
    f.write_attribute(g, "solved_dimension", static_cast<long long>(r.solved_dimension));
    f.write_attribute(g, "liouvillian",
                      std::string(space_         ? "assembled on the invariant blocks"
                                  : matrix_free_ ? "matrix-free"
                                                 : "assembled"));
    if (r.method == "iterative") {
      f.write_attribute(g, "second_start_difference", r.second_start_difference);
      f.write_attribute(g, "preconditioner", r.preconditioner);
    }
    if (point.with_spectrum) write_spectrum(f, g, point.spectrum);
    if (point.with_fluctuations)
      write_fluctuations(f, g + "/fluctuations", point.fluctuations,
                         point.values.entropy_production,
                         FieldAvailability::steady_state(false, p.betas).entropy_production);
    if (point.with_machine) write_machine(f, g + "/machine", point.machine, p);
  });
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

}  // namespace qcoll

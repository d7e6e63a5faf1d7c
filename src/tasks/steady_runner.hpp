#pragma once
// Internal to the steady, spectrum and sweep tasks: one steady-state (or
// spectrum) computation of a Problem and its HDF5 group. The runner keeps the
// Liouvillian and the solvers, so a lambda sweep only changes coefficients.
#include <memory>
#include <string>

#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/problem/problem.hpp"
#include "qcoll/solvers/counting_statistics.hpp"
#include "qcoll/solvers/spectrum.hpp"
#include "qcoll/solvers/steady.hpp"
#include "qcoll/superop/reduced_space.hpp"
#include "qcoll/thermo/machine.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct SteadyPoint {
  ThermoValues values;  // at the steady state (Pi = -sum_j beta_j Qdot_inc^j)
  bool with_entropy = false;
  SteadyReport report;
  bool with_spectrum = false;
  SpectrumResult spectrum;
  bool with_fluctuations = false;  // [steady] fluctuations
  CountingCumulants fluctuations;  // of the energy each species' ancillas take up
  bool with_machine = false;       // two species with different finite betas
  MachineMetrics machine;
};

class SteadyRunner {
 public:
  SteadyRunner() = default;
  SteadyRunner(const SteadyRunner&) = delete;
  SteadyRunner& operator=(const SteadyRunner&) = delete;
  ~SteadyRunner();

  // Builds L for `p`; `steady` and `spectrum` choose which solvers to set up.
  // plan_only: the steady solver chooses its method and stops (plan()).
  PetscErrorCode Setup(MPI_Comm comm, const Problem& p, bool steady, bool spectrum,
                       bool plan_only = false);
  const SteadyPlan& plan() const { return steady_->plan(); }
  // With plan_only: the spectrum's plan (steady with gap, or spectrum alone).
  const SpectrumPlan& spectrum_plan() const { return spectrum_plan_; }
  // Same model up to lambdas: L = L_0 + sum_j lambda_j L_Gj with p's lambdas.
  PetscErrorCode SetLambdas(const Problem& p);
  // Spectrum (if set up) and steady state (if set up) of the current L.
  // When a stop signal ends an iterative solve, out->report.stopped is set
  // and nothing else: WriteCheckpoint saves the last iterate.
  PetscErrorCode Solve(const Problem& p, SteadyPoint* out);
  // The next Solve starts from the iterate of a stopped solve in `checkpoint`.
  PetscErrorCode LoadGuess(const std::string& checkpoint);
  PetscErrorCode WriteCheckpoint(const std::string& checkpoint, const std::string& deck);
  // Writes rho and everything in `point` under `group`.
  PetscErrorCode WriteSteady(Hdf5File& f, const std::string& group, const Problem& p,
                             const SteadyPoint& point);

 private:
  PetscErrorCode Release();
  PetscErrorCode SetupSteady(const Problem& p);
  // Cumulants of every species' heat at the steady state rho_ (one or two
  // solves per species with the steady solver's factorisation).
  PetscErrorCode ComputeFluctuations(const Problem& p, CountingCumulants* out);
  PetscErrorCode PlanBlocks(const Problem& p);
  PetscErrorCode SolveBlocks(const Problem& p, SteadyPoint* out);

  Liouvillian L_;
  std::vector<Vec> trace_;  // vec(I) as the trace covector
  Vec rho_ = nullptr;
  bool have_solution_ = false;
  bool have_guess_ = false;  // rho_ holds a stopped solve's iterate (LoadGuess)
  std::unique_ptr<SteadySolver> steady_;
  SteadyStructure structure_;
  std::unique_ptr<ReducedSpace> space_;  // L_ is restricted to it (steady alone, blocks reduce)
  Mat full_ = nullptr;                   // L on full-length vectors (L_.total or a shell)
  MPI_Comm comm_ = MPI_COMM_NULL;
  bool steady_wanted_ = false;
  bool plan_only_ = false;
  bool matrix_free_ = false;  // full_ is the matrix-free L (no assembled L)
  bool spectrum_with_steady_ = false;
  std::unique_ptr<SpectrumSolver> spectrum_;
  bool block_spectrum_ = false;  // the spectrum block by block (solvers/block_spectrum.hpp)
  SpectrumPlan spectrum_plan_;
};

// L's sandwich terms with p's lambdas (L_0 + sum_j lambda_j L_Gj).
SuperOperatorTerms current_terms(const Problem& p);

// /steady/fluctuations: mean, covariance, cumulant3, tur_ratio (with Pi when
// `with_entropy_production`).
void write_fluctuations(Hdf5File& f, const std::string& group, const CountingCumulants& c,
                        double entropy_production, bool with_entropy_production);
// /steady/machine: power, heat_hot, heat_cold, efficiency, cop,
// carnot_efficiency; attributes regime, hot, cold.
void write_machine(Hdf5File& f, const std::string& group, const MachineMetrics& m,
                   const Problem& p);

// The spectrum's datasets eigenvalues[k] (complex) and gap under `group`.
void write_spectrum(Hdf5File& f, const std::string& group, const SpectrumResult& s);

}  // namespace qcoll

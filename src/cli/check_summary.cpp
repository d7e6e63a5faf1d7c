// `qcoll check`: validate the deck and summarise the problem, solving nothing.
#include "qcoll/cli/check_summary.hpp"

#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "qcoll/cli/check_details.hpp"
#include "qcoll/cli/output_growth.hpp"
#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/tasks/resources.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/machine.hpp"

namespace qcoll {
namespace {

// The spectrum's method, classes, memory and time (docs/solvers.md,
// "Spectrum block by block").
void print_spectrum_plan(const SpectrumPlan& plan) {
  std::printf("spectrum: %s\n", plan.method.c_str());
  std::printf(
      "  %s per rank beyond L, ~%.3g s%s (estimates for this machine class, "
      "docs/solvers.md)\n",
      human_bytes(plan.bytes).c_str(), plan.seconds,
      plan.bytes > plan.available ? "  (does not fit: refused)" : "");
}

// The steady method `auto` (or the deck's) would use, with memory and time
// estimates; L is assembled for it (not when L alone would not fit).
void print_steady_plan(MPI_Comm comm, const Deck& deck, const MemoryEstimate& mem, int rank) {
  if (mem.available_per_rank > 0 && mem.bytes_per_rank > mem.available_per_rank) {
    if (rank == 0) std::printf("steady: no plan (the Liouvillian alone does not fit)\n");
    return;
  }
  const Problem p = prepare_problem(deck);
  SteadyPlan plan;
  index_t reduced = 0;
  if (PlanSteady(comm, p, &plan, &reduced)) {
    if (rank == 0) std::printf("steady: no plan (PETSc error while estimating)\n");
    return;
  }
  if (rank != 0) return;
  const double d2 = static_cast<double>(p.me.dim) * static_cast<double>(p.me.dim);
  std::printf("steady: method %s (%s)\n", plan.method.c_str(), plan.reason.c_str());
  if (reduced > 0 && reduced < d2)
    std::printf(
        "  invariant blocks of rho: %lld of the %.0f entries are solved for "
        "([steady] symmetry = false: all)\n",
        static_cast<long long>(reduced), d2);
  if (plan.lu_estimated)
    std::printf("  direct (LU):                 %s per rank, ~%.3g s%s\n",
                human_bytes(plan.lu_bytes).c_str(), plan.lu_seconds,
                plan.lu_bytes > plan.available ? "  (does not fit)" : "");
  else
    std::printf("  direct (LU):                 not considered (beyond its size limit)\n");
  if (plan.sylvester)
    std::printf(
        "  iterative (GMRES+Sylvester): %s per rank, ~%.3g s (~%.0f iterations with the "
        "uniqueness check)%s\n",
        human_bytes(plan.sylvester_bytes).c_str(), plan.sylvester_seconds,
        plan.sylvester_iterations, plan.sylvester_bytes > plan.available ? "  (does not fit)" : "");
  std::printf("  (estimates for this machine class, docs/solvers.md; available per rank: %s)\n",
              human_bytes(plan.available).c_str());
  if (plan.with_spectrum) print_spectrum_plan(plan.spectrum);
}

void print_spectrum_plan_of(MPI_Comm comm, const Deck& deck, const MemoryEstimate& mem, int rank) {
  if (mem.available_per_rank > 0 && mem.bytes_per_rank > mem.available_per_rank) {
    if (rank == 0) std::printf("spectrum: no plan (the Liouvillian alone does not fit)\n");
    return;
  }
  SpectrumPlan plan;
  if (PlanSpectrum(comm, prepare_problem(deck), &plan)) {
    if (rank == 0) std::printf("spectrum: no plan (PETSc error while estimating)\n");
    return;
  }
  if (rank == 0) print_spectrum_plan(plan);
}

void print_summary(const Deck& deck, const MasterEquation& me, const MemoryEstimate& mem,
                   int size) {
  const double d = static_cast<double>(me.dim);
  std::printf("deck: %s\n", deck.path.c_str());
  if (!deck.title.empty()) std::printf("title: %s\n", deck.title.c_str());
  std::string sites;
  for (const LocalSpace& s : deck.model.sites) sites += (sites.empty() ? "" : " ") + s.label();
  std::printf("sites: %s\n", sites.c_str());
  std::printf("Hilbert-space dimension d = %lld, superoperator size d^2 = %.0f\n",
              static_cast<long long>(me.dim), d * d);
  std::printf(
      "Liouvillian non-zeros <= %.3g; memory per rank on %d rank(s) ~ %s (available "
      "per rank: %s)\n",
      mem.nonzeros, size, human_bytes(mem.bytes_per_rank).c_str(),
      human_bytes(mem.available_per_rank).c_str());
  std::printf("task: %s\n", deck.run.task.c_str());
  std::printf("%s", describe_initial_state(deck.model, me).c_str());
  for (size_t j = 0; j < me.species.size(); ++j) {
    const SpeciesTerms& t = me.species[j];
    const Species& s = deck.model.species[j];
    std::printf("species %s: ancilla %s, beta = %g, lambda = %g\n", t.name.c_str(),
                s.ancilla.label().c_str(), t.beta, t.lambda);
    std::printf("  [V, H_S + H_A] = 0: %s (relative violation %.2e)\n",
                t.energy_conserving ? "yes" : "no", t.energy_violation);
    std::printf("  tr_A(V rho_th) = 0: %s (relative size %.2e)\n",
                t.first_moment < 1e-10 ? "yes" : "NO (the master equation needs it)",
                t.first_moment);
    std::printf("  jump operators: %zu, G non-zeros: %lld\n", t.jumps.size(),
                static_cast<long long>(t.G.nnz()));
    for (double tau : deck.collide.tau) {
      const double lmax = max_admissible_lambda(s, tau);
      std::printf("  tau = %-8g largest |lambda| with rho_A >= 0: %s%s\n", tau,
                  std::isinf(lmax) ? "unbounded" : std::to_string(lmax).c_str(),
                  std::abs(s.lambda) > lmax ? "  (the deck's lambda exceeds it)" : "");
    }
  }
  std::printf("%s", unit_hints(me).c_str());
  std::vector<std::string> names;
  std::vector<double> betas;
  for (const SpeciesTerms& t : me.species) {
    names.push_back(t.name);
    betas.push_back(t.beta);
  }
  const auto [hot, cold] = machine_species(names, betas, deck.machine.hot, deck.machine.cold);
  if (hot >= 0)
    std::printf(
        "machine: hot %s (beta %g), cold %s (beta %g), Carnot efficiency %.4g; the steady "
        "task reports power, efficiency and the regime (/steady/machine)%s\n",
        names[hot].c_str(), betas[hot], names[cold].c_str(), betas[cold],
        1.0 - betas[hot] / betas[cold],
        deck.steady.fluctuations ? " and the heat fluctuations" : "");
}

}  // namespace

void print_check_summary(MPI_Comm comm, const Deck& deck) {
  const MasterEquation me = derive_master_equation(deck.model, /*require_zero_mean=*/false);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  double fraction = 1.0;
  if (deck.run.task == "steady") {
    try {
      fraction = solved_fraction("steady", prepare_problem(deck));
    } catch (const InputError&) {  // reported below
    }
  }
  const MemoryEstimate mem = estimate_memory(comm, me, fraction);  // collective
  if (rank == 0) print_summary(deck, me, mem, size);
  if (deck.run.task == "steady") print_steady_plan(comm, deck, mem, rank);
  if (deck.run.task == "spectrum") print_spectrum_plan_of(comm, deck, mem, rank);
  if (rank == 0) {
    std::printf("%s", describe_sweep(deck).c_str());
    const GrowthEstimate growth = estimate_output_growth(deck, deck.run.task, me.dim, std::nullopt);
    if (!growth.what.empty()) {
      std::string also;
      if (growth.checkpoint_bytes > 0)
        also += ", " + human_bytes(growth.checkpoint_bytes) + " for its checkpoint";
      if (growth.memory_per_rank > 0)
        also += ", " + human_bytes(growth.memory_per_rank) + " of memory per rank";
      std::printf("output: %s: about %s in the output file%s (change %s to shrink it)\n",
                  growth.what.c_str(), human_bytes(growth.output_bytes).c_str(), also.c_str(),
                  growth.key.c_str());
    }
    std::printf("%s", describe_output_size(deck, deck.run.task, me.dim).c_str());
  }
  std::fflush(stdout);
}

}  // namespace qcoll

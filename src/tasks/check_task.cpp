// `qcoll check`: validate the deck and summarise the problem, solving nothing.
#include <mpi.h>

#include <cmath>
#include <cstdio>

#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/tasks/resources.hpp"
#include "qcoll/tasks/tasks.hpp"

namespace qcoll {

void print_check_summary(MPI_Comm comm, const Deck& deck) {
  const MasterEquation me = derive_master_equation(deck.model, /*require_zero_mean=*/false);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  const MemoryEstimate mem = estimate_memory(comm, me);  // collective
  if (rank != 0) return;
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
  std::fflush(stdout);
}

}  // namespace qcoll

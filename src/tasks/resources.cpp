#include "qcoll/tasks/resources.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "qcoll/derive/lindblad_terms.hpp"

namespace qcoll {
namespace {

double env_number(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::atof(v) : 0.0;
}

double node_available_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key, unit;
  double kb;
  while (meminfo >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024.0;
  return 0.0;
}

}  // namespace

std::string human_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (b >= 1024.0 && u < 5) {
    b /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f %s", b, units[u]);
  return buf;
}

double estimated_liouvillian_nonzeros(const MasterEquation& me) {
  const double d = static_cast<double>(me.dim);
  auto count = [&](const SuperOperatorTerms& terms) {
    double n = 0.0;
    for (const SandwichTerm& t : terms)
      n += (t.left ? t.left->nnz() : d) * (t.right ? t.right->nnz() : d);
    return n;
  };
  double n = d * d + count(fixed_liouvillian_terms(me));
  for (const SuperOperatorTerms& part : coherent_liouvillian_terms(me)) n += count(part);
  return std::min(n, d * d * d * d);
}

MemoryEstimate estimate_memory(MPI_Comm comm, const MasterEquation& me, double fraction) {
  MemoryEstimate m;
  int size = 1;
  MPI_Comm_size(comm, &size);
  const double d2 = static_cast<double>(me.dim) * static_cast<double>(me.dim);
  m.nonzeros = estimated_liouvillian_nonzeros(me) * fraction;
  const double matrices = (2.0 + me.species.size()) * m.nonzeros * 20.0;
  // Work vectors: four of full length (rho, the trace covector, ...), the
  // rest of the task's size.
  const double vectors = fraction < 1.0 ? (4.0 + 8.0 * fraction) : 12.0;
  m.bytes_per_rank = (matrices + vectors * d2 * 16.0) / size;

  MPI_Comm node;
  MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
  int node_rank = 0, node_size = 1;
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_size(node, &node_size);
  double available = node_rank == 0 ? node_available_bytes() : 0.0;
  MPI_Bcast(&available, 1, MPI_DOUBLE, 0, node);
  MPI_Comm_free(&node);
  double share = available / node_size;
  if (const double per_node = env_number("SLURM_MEM_PER_NODE"); per_node > 0)
    share = std::min(share, per_node * 1024.0 * 1024.0 / node_size);
  if (const double per_cpu = env_number("SLURM_MEM_PER_CPU"); per_cpu > 0)
    share = std::min(share, per_cpu * 1024.0 * 1024.0);
  MPI_Allreduce(&share, &m.available_per_rank, 1, MPI_DOUBLE, MPI_MIN, comm);
  return m;
}

void check_memory(const MemoryEstimate& m, bool force) {
  if (force || m.available_per_rank <= 0 || m.bytes_per_rank <= m.available_per_rank) return;
  char nnz[32];
  std::snprintf(nnz, sizeof nnz, "%.3g", m.nonzeros);
  throw InputError("this run needs about " + human_bytes(m.bytes_per_rank) +
                       " per rank (Liouvillian with up to " + nnz +
                       " non-zeros plus work vectors) but only " +
                       human_bytes(m.available_per_rank) +
                       " per rank are available; run on more ranks or nodes, reduce the "
                       "model, or pass --force to try anyway",
                   "system");
}

void check_launcher(MPI_Comm comm) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size != 1) return;
  struct Source {
    const char* variable;
    const char* launcher;
  };
  for (const Source& s :
       {Source{"SLURM_STEP_NUM_TASKS", "srun"}, Source{"OMPI_COMM_WORLD_SIZE", "mpirun (OpenMPI)"},
        Source{"PMI_SIZE", "the PMI launcher"}, Source{"PMIX_SIZE", "the PMIx launcher"}}) {
    const double n = env_number(s.variable);
    if (n > 1)
      throw InputError(std::string("this process runs as a single MPI rank, but ") + s.launcher +
                           " started " + std::to_string(static_cast<long long>(n)) + " tasks (" +
                           s.variable + " = " + std::to_string(static_cast<long long>(n)) +
                           "): the launcher and this MPI library do not talk to each other, so "
                           "every task would run the same job alone. Use the mpirun of the MPI "
                           "qcoll was built with, or srun --mpi=pmix (see jobs/README.md)",
                       "");
  }
}

}  // namespace qcoll

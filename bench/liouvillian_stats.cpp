// liouvillian_stats: the numbers behind docs/performance.md for one deck.
//
//   mpiexec -n P liouvillian_stats DECK.toml [--set KEY=VALUE ...]
//           [-seconds S] [-virtual_ranks 64,128,...] [-ranks_per_node R]
//           [-skip_products] [-skip_assembled]
//
// Measured on the P ranks of the run (rank 0 prints one line
// "STATS_JSON {...}" that bench/run_bench.py parses):
//   * assembly of the Liouvillian (CreateLiouvillian: L_0, the coherent parts
//     and L): time, memory of the matrices, growth of the resident set;
//   * non-zeros of L per rank and their balance (max / mean);
//   * halo of L x: ghost entries per rank = columns of the MPIAIJ off-diagonal
//     block (the size of its VecScatter), and the matrix-free operator's ghost
//     columns of rho (times d);
//   * time per product L x for the assembled MATAIJ and the matrix-free
//     MATSHELL (repeated for at least S seconds, default 1), with the bytes a
//     CSR product moves: values + column indices + row pointers + 2 vectors;
//   * max |L_mf x - L x| / max |L x|.
// With -virtual_ranks, rank 0 also evaluates, without running on that many
// ranks, the column partition the code would use on each listed rank count:
// ghost columns (all, and those owned by ranks on other nodes with
// -ranks_per_node R, default 64, ranks packed in order), neighbour ranks, and an
// upper bound on non-zeros per rank (from the d x d operators only, so it works
// for d = 2^14), printed as "PARTITION_JSON {...}". -skip_assembled measures the matrix-free
// operator only (sizes whose assembled L would not fit).
#include <petscmat.h>
#include <slepcsys.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/io/command_line.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/superop/matrix_free.hpp"

namespace {

using namespace qcoll;

struct Json {
  std::ostringstream s;
  bool first = true;
  Json() { s.precision(10); }
  template <class T>
  void add(const char* key, const T& v) {
    s << (first ? "" : ", ") << '"' << key << "\": " << v;
    first = false;
  }
  void add_list(const char* key, const std::vector<double>& v) {
    s << (first ? "" : ", ") << '"' << key << "\": [";
    for (size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
    s << "]";
    first = false;
  }
  std::string str() const { return "{" + s.str() + "}"; }
};

double max_over(MPI_Comm comm, double x) {
  double y = x;
  MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_MAX, comm);
  return y;
}
double sum_over(MPI_Comm comm, double x) {
  double y = x;
  MPI_Allreduce(&x, &y, 1, MPI_DOUBLE, MPI_SUM, comm);
  return y;
}

double local_rows_of(const Liouvillian& l) {
  return static_cast<double>(l.layout.local_rows());
}

PetscErrorCode CurrentRss(double* bytes) {
  PetscFunctionBeginUser;
  PetscLogDouble m = 0;
  PetscCall(PetscMemoryGetCurrentUsage(&m));
  *bytes = m;
  PetscFunctionReturn(0);
}

double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Seconds per MatMult (wall, max over ranks), repeated for at least
// `seconds`; `cpu_per_product` is the CPU time of this process per product
// (max over ranks), less sensitive to other jobs on a shared machine.
PetscErrorCode TimeProducts(Mat a, Vec x, Vec y, double seconds, double* per_product,
                            double* cpu_per_product, PetscInt* reps_out) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(a));
  PetscCall(MatMult(a, x, y));  // warm-up (and lazy set-up)
  PetscCallMPI(MPI_Barrier(comm));
  double t0 = MPI_Wtime();
  PetscCall(MatMult(a, x, y));
  const double once = max_over(comm, MPI_Wtime() - t0);
  const PetscInt reps =
      static_cast<PetscInt>(std::clamp(seconds / std::max(once, 1e-9), 5.0, 100000.0));
  PetscCallMPI(MPI_Barrier(comm));
  t0 = MPI_Wtime();
  const double c0 = cpu_now();
  for (PetscInt r = 0; r < reps; ++r) PetscCall(MatMult(a, x, y));
  const double cpu = cpu_now() - c0;
  PetscCallMPI(MPI_Barrier(comm));
  *per_product = max_over(comm, (MPI_Wtime() - t0) / reps);
  *cpu_per_product = max_over(comm, cpu / reps);
  *reps_out = reps;
  PetscFunctionReturn(0);
}

// The column partition on each of `rank_counts` ranks, evaluated serially from
// the d x d operators; ranks are packed `per_node` to a node in rank order.
void virtual_partition(const GroupedTerms& g, const std::vector<long long>& rank_counts,
                       long long per_node) {
  const index_t d = g.d;
  std::vector<CsrMatrix> right_t{g.right.transpose()};
  for (const GroupedSandwich& s : g.sandwiches) right_t.push_back(s.right.transpose());
  // Upper bound on the non-zeros of the d rows (i, j), i = 0..d-1, of column j:
  // d (diagonal) + nnz(A0) + d nnz(B0 col j) + sum_s nnz(P_s) nnz(Q_s col j).
  std::vector<double> col_nnz(d);
  for (index_t j = 0; j < d; ++j) {
    double n = static_cast<double>(d) + g.left.nnz();
    n += static_cast<double>(d) * (right_t[0].rowptr()[j + 1] - right_t[0].rowptr()[j]);
    for (size_t s = 0; s < g.sandwiches.size(); ++s)
      n += static_cast<double>(g.sandwiches[s].left.nnz()) *
           (right_t[s + 1].rowptr()[j + 1] - right_t[s + 1].rowptr()[j]);
    col_nnz[j] = n;
  }
  for (long long p : rank_counts) {
    if (p > d) continue;
    std::vector<index_t> begin(p + 1, 0);
    for (long long r = 0; r < p; ++r) begin[r + 1] = begin[r] + d / p + (r < d % p ? 1 : 0);
    auto owner = [&](index_t col) {
      return static_cast<long long>(std::upper_bound(begin.begin(), begin.end(), col) -
                                    begin.begin() - 1);
    };
    const long long nodes = (p + per_node - 1) / per_node;
    std::vector<double> node_off(nodes, 0.0);
    double nnz_max = 0, nnz_sum = 0, ghost_max = 0, ghost_sum = 0, neigh_max = 0, neigh_sum = 0,
           off_max = 0;
    std::vector<long long> mark(d, -1), rank_mark(p, -1);
    for (long long r = 0; r < p; ++r) {
      double nnz = 0, ghosts = 0, neighbours = 0, off = 0;
      for (index_t j = begin[r]; j < begin[r + 1]; ++j) {
        nnz += col_nnz[j];
        for (const CsrMatrix& rt : right_t)
          for (index_t e = rt.rowptr()[j]; e < rt.rowptr()[j + 1]; ++e) {
            const index_t k = rt.colind()[e];
            if ((k >= begin[r] && k < begin[r + 1]) || mark[k] == r) continue;
            mark[k] = r;
            ghosts += 1;
            const long long o = owner(k);
            if (o / per_node != r / per_node) off += 1;
            if (rank_mark[o] != r) {
              rank_mark[o] = r;
              neighbours += 1;
            }
          }
      }
      nnz_max = std::max(nnz_max, nnz);
      nnz_sum += nnz;
      ghost_max = std::max(ghost_max, ghosts);
      ghost_sum += ghosts;
      neigh_max = std::max(neigh_max, neighbours);
      neigh_sum += neighbours;
      off_max = std::max(off_max, off);
      node_off[r / per_node] += off;
    }
    Json j;
    j.add("d", d);
    j.add("ranks", p);
    j.add("ranks_per_node", per_node);
    j.add("columns_per_rank_max", begin[1] - begin[0]);
    j.add("nnz_bound_max", nnz_max);
    j.add("nnz_bound_mean", nnz_sum / p);
    j.add("nnz_balance", nnz_max / (nnz_sum / p));
    j.add("ghost_columns_max", ghost_max);
    j.add("ghost_columns_mean", ghost_sum / p);
    j.add("offnode_ghost_columns_max", off_max);
    j.add("node_offnode_ghost_columns_max", *std::max_element(node_off.begin(), node_off.end()));
    j.add("neighbours_max", neigh_max);
    j.add("neighbours_mean", neigh_sum / p);
    std::printf("PARTITION_JSON %s\n", j.str().c_str());
  }
  std::fflush(stdout);
}

PetscErrorCode Run(const CommandLine& cl) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PETSC_COMM_WORLD;
  PetscMPIInt size, rank;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscReal seconds = 1.0;
  PetscBool skip_products = PETSC_FALSE;
  PetscInt vr[32], nvr = 32;
  PetscBool have_vr = PETSC_FALSE;
  PetscCall(PetscOptionsGetReal(nullptr, nullptr, "-seconds", &seconds, nullptr));
  PetscBool skip_assembled = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(nullptr, nullptr, "-skip_products", &skip_products, nullptr));
  PetscCall(PetscOptionsGetBool(nullptr, nullptr, "-skip_assembled", &skip_assembled, nullptr));
  PetscInt per_node = 64;
  PetscCall(PetscOptionsGetIntArray(nullptr, nullptr, "-virtual_ranks", vr, &nvr, &have_vr));
  PetscCall(PetscOptionsGetInt(nullptr, nullptr, "-ranks_per_node", &per_node, nullptr));

  Deck deck;
  PetscCallCXX(deck = load_deck(cl.deck, cl.overrides));
  std::unique_ptr<Problem> problem;
  PetscCallCXX(problem = std::make_unique<Problem>(prepare_problem(deck)));
  const Problem& p = *problem;
  const index_t d = p.me.dim;
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());

  if (have_vr) {
    if (rank == 0) {
      GroupedTerms g;
      PetscCallCXX(g = group_terms(d, fixed_liouvillian_terms(p.me),
                                   coherent_liouvillian_terms(p.me), coefs));
      PetscCallCXX(virtual_partition(g, std::vector<long long>(vr, vr + nvr), per_node));
    }
    if (skip_products) PetscFunctionReturn(0);
  }

  Json j;
  j.add("d", d);
  j.add("ranks", size);

  // Assembly.
  double rss0, rss1, t0;
  Liouvillian L;
  double nnz_total = 0;
  if (!skip_assembled) {
    PetscCall(CurrentRss(&rss0));
    PetscCallMPI(MPI_Barrier(comm));
    t0 = MPI_Wtime();
    PetscCall(CreateLiouvillian(comm, p, &L));
    const double t_assembly = max_over(comm, MPI_Wtime() - t0);
    PetscCall(CurrentRss(&rss1));
    MatInfo info;
    double mat_bytes = 0;
    std::vector<Mat> all{L.fixed, L.total};
    all.insert(all.end(), L.parts.begin(), L.parts.end());
    // CSR storage (MatInfo's memory field is only filled with malloc logging):
    // values + column indices, and the row arrays (i, ilen, imax) of each block.
    const double blocks = size > 1 ? 2.0 : 1.0;
    auto storage_bytes = [&](const MatInfo& mi) {
      return mi.nz_allocated * (sizeof(PetscScalar) + sizeof(PetscInt)) +
             blocks * 3.0 * local_rows_of(L) * sizeof(PetscInt);
    };
    for (Mat m : all) {
      PetscCall(MatGetInfo(m, MAT_LOCAL, &info));
      mat_bytes += storage_bytes(info);
    }
    PetscCall(MatGetInfo(L.total, MAT_LOCAL, &info));
    const double nnz_local = info.nz_used, total_bytes_local = storage_bytes(info);
    nnz_total = sum_over(comm, nnz_local);
    j.add("assembly_seconds", t_assembly);
    j.add("assembly_matrices", all.size());
    j.add("assembly_bytes_max_rank", max_over(comm, mat_bytes));
    j.add("assembly_bytes_total", sum_over(comm, mat_bytes));
    j.add("total_matrix_bytes_max_rank", max_over(comm, total_bytes_local));
    j.add("assembly_rss_growth_max_rank", max_over(comm, rss1 - rss0));
    j.add("nnz", nnz_total);
    j.add("nnz_per_row", nnz_total / (static_cast<double>(d) * d));
    j.add("nnz_max_rank", max_over(comm, nnz_local));
    j.add("nnz_balance", max_over(comm, nnz_local) / (nnz_total / size));

    // Halo of the assembled product: columns of the off-diagonal block.
    double ghosts = 0, local_rows = static_cast<double>(L.layout.local_rows());
    if (size > 1) {
      Mat ad, ao;
      const PetscInt* garray;
      PetscCall(MatMPIAIJGetSeqAIJ(L.total, &ad, &ao, &garray));
      PetscInt nc;
      PetscCall(MatGetSize(ao, nullptr, &nc));
      ghosts = nc;
    }
    j.add("halo_entries_max_rank", max_over(comm, ghosts));
    j.add("halo_entries_total", sum_over(comm, ghosts));
    j.add("halo_over_local_max", max_over(comm, ghosts / std::max(local_rows, 1.0)));
  }

  // Matrix-free operator.
  PetscCall(CurrentRss(&rss0));
  PetscCallMPI(MPI_Barrier(comm));
  t0 = MPI_Wtime();
  Mat shell;
  PetscCall(MatCreateMatrixFreeLiouvillian(comm, d, fixed_liouvillian_terms(p.me),
                                           coherent_liouvillian_terms(p.me), coefs, &shell));
  const double t_shell = max_over(comm, MPI_Wtime() - t0);
  PetscCall(CurrentRss(&rss1));
  MatrixFreeStats st;
  PetscCall(MatrixFreeGetStats(shell, &st));
  j.add("mf_setup_seconds", t_shell);
  j.add("mf_bytes_max_rank", max_over(comm, st.bytes_per_rank));
  j.add("mf_rss_growth_max_rank", max_over(comm, rss1 - rss0));
  j.add("mf_ghost_columns_max_rank", max_over(comm, static_cast<double>(st.ghost_columns)));
  j.add("mf_ghost_entries_max_rank",
        max_over(comm, static_cast<double>(st.ghost_columns) * static_cast<double>(d)));
  j.add("mf_operator_nnz", st.operator_nnz);
  j.add("mf_sandwiches", st.sandwiches);

  // Products.
  Vec x, ya, ym;
  PetscCall(MatCreateVecs(shell, &x, &ya));
  PetscCall(VecDuplicate(ya, &ym));
  {
    PetscInt rstart, rend;
    PetscCall(VecGetOwnershipRange(x, &rstart, &rend));
    PetscScalar* a;
    PetscCall(VecGetArray(x, &a));
    for (PetscInt r = rstart; r < rend; ++r)
      a[r - rstart] = PetscScalar(std::sin(0.37 * r + 0.1), std::cos(0.11 * r));
    PetscCall(VecRestoreArray(x, &a));
  }
  if (!skip_assembled) {
    PetscCall(MatMult(L.total, x, ya));
    PetscCall(MatMult(shell, x, ym));
    PetscReal scale, diff;
    PetscCall(VecNorm(ya, NORM_INFINITY, &scale));
    PetscCall(VecAXPY(ym, -1.0, ya));
    PetscCall(VecNorm(ym, NORM_INFINITY, &diff));
    j.add("mf_relative_difference", diff / scale);
  }

  const double rows = static_cast<double>(d) * d;
  const double csr_bytes = nnz_total * (sizeof(PetscScalar) + sizeof(PetscInt)) +
                           (rows + size) * sizeof(PetscInt) + 2.0 * rows * sizeof(PetscScalar);
  j.add("product_bytes_csr", csr_bytes);
  j.add("product_bytes_mf_min", 2.0 * rows * sizeof(PetscScalar));
  if (!skip_products) {
    double ta = 0, tm, ca, cm;
    PetscInt ra, rm;
    if (!skip_assembled) {
      PetscCall(TimeProducts(L.total, x, ya, seconds, &ta, &ca, &ra));
      j.add("assembled_cpu_seconds_per_product", ca);
      j.add("assembled_seconds_per_product", ta);
      j.add("assembled_reps", ra);
      j.add("assembled_gbs", csr_bytes / ta / 1e9);
    }
    PetscCall(TimeProducts(shell, x, ym, seconds, &tm, &cm, &rm));
    j.add("mf_cpu_seconds_per_product", cm);
    j.add("mf_seconds_per_product", tm);
    j.add("mf_reps", rm);
    if (!skip_assembled) {
      j.add("mf_effective_gbs", csr_bytes / tm / 1e9);
      j.add("mf_speedup", ta / tm);
    }
  }
  if (rank == 0) {
    std::printf("STATS_JSON %s\n", j.str().c_str());
    std::fflush(stdout);
  }
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&ya));
  PetscCall(VecDestroy(&ym));
  PetscCall(MatDestroy(&shell));
  PetscCall(LiouvillianDestroy(&L));
  PetscFunctionReturn(0);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  qcoll::CommandLine cl;
  try {
    cl = qcoll::parse_command_line(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "liouvillian_stats: %s\n", e.what());
    return 1;
  }
  if (cl.deck.empty()) {
    std::fprintf(
        stderr,
        "usage: liouvillian_stats DECK.toml [--set KEY=VALUE ...] [-seconds S] "
        "[-virtual_ranks P1,P2,...] [-ranks_per_node R] [-skip_products] [-skip_assembled]\n");
    return 1;
  }
  std::vector<char*> pargv{argv[0]};
  for (std::string& a : cl.petsc_args) pargv.push_back(a.data());
  int pargc = static_cast<int>(pargv.size());
  pargv.push_back(nullptr);  // argv[argc] is null, as MPI_Init expects
  char** pargv_ptr = pargv.data();
  PetscCall(SlepcInitialize(&pargc, &pargv_ptr, nullptr, nullptr));
  PetscErrorCode ierr = 0;
  try {
    ierr = Run(cl);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "liouvillian_stats: %s\n", e.what());
    ierr = 1;
  }
  PetscCall(SlepcFinalize());
  return ierr ? 1 : 0;
}

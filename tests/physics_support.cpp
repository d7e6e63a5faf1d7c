#include "physics_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "qcoll/io/output.hpp"
#include "qcoll/solvers/evolve.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/thermo/evaluator.hpp"
#include "test_support.hpp"

namespace qcoll::testing {

Deck deck_from_inputs(const std::string& name, const std::vector<Override>& overrides) {
  return load_deck(source_path("inputs/" + name), overrides);
}

PetscErrorCode GatherDensity(Vec v, index_t d, DenseMatrix* out) {
  PetscFunctionBeginUser;
  VecScatter scatter;
  Vec all;
  PetscCall(VecScatterCreateToAll(v, &scatter, &all));
  PetscCall(VecScatterBegin(scatter, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter, v, all, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar* a;
  PetscCall(VecGetArrayRead(all, &a));
  *out = DenseMatrix(d, d);
  for (index_t j = 0; j < d; ++j)
    for (index_t i = 0; i < d; ++i) (*out)(i, j) = a[i + d * j];
  PetscCall(VecRestoreArrayRead(all, &a));
  PetscCall(VecScatterDestroy(&scatter));
  PetscCall(VecDestroy(&all));
  PetscFunctionReturn(0);
}

PetscErrorCode BuildLiouvillian(MPI_Comm comm, const Deck& deck, Liouvillian* out) {
  PetscFunctionBeginUser;
  Problem p = prepare_problem(deck);
  PetscCall(CreateLiouvillian(comm, p, out));
  PetscFunctionReturn(0);
}

PetscErrorCode EvolveDeck(const Deck& deck, const std::string& method, Trajectory* out) {
  PetscFunctionBeginUser;
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  PetscCall(CreateLiouvillian(MPI_COMM_WORLD, p, &L));
  Vec rho;
  PetscCall(CreateInitialVector(p, L, &rho));
  ThermoEvaluator thermo;
  PetscCall(thermo.Setup(L.total, p.ops, p.betas, deck.evolve.entropy));
  out->t = {0.0};
  out->values.assign(1, ThermoValues());
  PetscCall(thermo.Evaluate(rho, &out->values[0]));
  EvolveOptions o;
  o.method = method;
  o.dt_output = deck.evolve.dt_output;
  o.last_output = static_cast<index_t>(std::llround(deck.evolve.t_final / deck.evolve.dt_output));
  o.rtol = deck.evolve.rtol;
  o.atol = deck.evolve.atol;
  o.progress_seconds = 1e9;
  auto record = [&](index_t, double t, Vec state) -> PetscErrorCode {
    PetscFunctionBeginUser;
    out->t.push_back(t);
    out->values.emplace_back();
    PetscCall(thermo.Evaluate(state, &out->values.back()));
    PetscFunctionReturn(0);
  };
  EvolveStats stats;
  PetscCall(EvolveLinear(L.total, rho, o, record, &stats));
  PetscCall(GatherDensity(rho, p.me.dim, &out->rho_final));
  PetscCall(VecDestroy(&rho));
  PetscCall(LiouvillianDestroy(&L));
  PetscFunctionReturn(0);
}

double trace_norm_hermitian(const DenseMatrix& a) {
  double s = 0.0;
  for (double e : eigvalsh(cplx(0.5) * (a + a.adjoint()))) s += std::abs(e);
  return s;
}

std::string shared_temp_path(const std::string& stem, const std::string& suffix) {
  char buf[512] = {0};
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) std::snprintf(buf, sizeof buf, "%s", temp_path(stem, suffix).c_str());
  MPI_Bcast(buf, sizeof buf, MPI_CHAR, 0, MPI_COMM_WORLD);
  return buf;
}

std::string run_steady_like_command_line(const Deck& deck, const std::string& stem) {
  const std::string path = shared_temp_path(stem);
  const Problem p = prepare_problem(deck);
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  Hdf5File out(path, MPI_COMM_WORLD);
  write_run_header(out, deck, p.me, Provenance{"steady", "", size});
  RunContext ctx;
  ctx.output_path = path;
  EXPECT_EQ(RunProblem(MPI_COMM_WORLD, "steady", p, out, ctx), 0);
  write_complete(out);
  out.close();
  return path;
}

}  // namespace qcoll::testing

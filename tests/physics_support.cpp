#include "physics_support.hpp"

#include <cmath>

#include "qcoll/solvers/evolve.hpp"
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

}  // namespace qcoll::testing

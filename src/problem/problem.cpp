#include "qcoll/problem/problem.hpp"

#include <petscts.h>

#include <cstring>
#include <string>

#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/superop/matrix_free.hpp"

namespace qcoll {

Problem prepare_problem(const Model& model, const Settings& settings, std::string identity) {
  MasterEquation me = derive_master_equation(model);
  InitialDensity initial(model, me.hamiltonian);
  Problem p{model, std::move(me), {}, {}, {}, std::move(initial), settings, std::move(identity)};
  p.ops = thermo_operators(model, p.me);
  for (const SpeciesTerms& s : p.me.species) {
    p.betas.push_back(s.beta);
    p.lambdas.push_back(s.lambda);
  }
  return p;
}

PetscErrorCode CreateLiouvillian(MPI_Comm comm, const Problem& p, Liouvillian* out,
                                 const ReducedSpace* space) {
  PetscFunctionBeginUser;
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  PetscCall(LiouvillianCreate(comm, p.me.dim, fixed_liouvillian_terms(p.me),
                              coherent_liouvillian_terms(p.me), coefs, out, space));
  PetscFunctionReturn(0);
}

PetscErrorCode CreateInitialVector(const Problem& p, const Liouvillian& l, Vec* out) {
  PetscFunctionBeginUser;
  PetscCall(MatCreateVecs(l.total, out, nullptr));
  PetscCall(FillDensityVector(l.layout, *out, p.initial));
  PetscFunctionReturn(0);
}

namespace {

// Whether the evolution needs only products with L: SLEPc MFN, or TS with an
// explicit method (the default RK or -ts_type rk|euler|ssp). `ts_type`
// receives the -ts_type given, if any.
PetscErrorCode ProductsSuffice(const Problem& p, bool* flag, std::string* ts_type) {
  PetscFunctionBeginUser;
  char type[64] = "";
  PetscBool set = PETSC_FALSE;
  PetscCall(PetscOptionsGetString(nullptr, nullptr, "-ts_type", type, sizeof type, &set));
  *ts_type = set ? type : "";
  const bool explicit_ts =
      !set || !std::strcmp(type, TSRK) || !std::strcmp(type, TSEULER) || !std::strcmp(type, TSSSP);
  const std::string& method = p.settings.evolve.method;
  *flag = method == "expm" || (method == "ts" && explicit_ts);
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode CreateEvolutionOperator(MPI_Comm comm, const Problem& p, Liouvillian* l, Mat* op) {
  PetscFunctionBeginUser;
  PetscBool matrix_free = PETSC_FALSE, set = PETSC_FALSE;
  PetscCall(PetscOptionsGetBool(nullptr, nullptr, "-qcoll_matrix_free", &matrix_free, &set));
  bool products_suffice = true;
  std::string ts_type;
  PetscCall(ProductsSuffice(p, &products_suffice, &ts_type));
  PetscCheck(!set || !matrix_free || products_suffice, comm, PETSC_ERR_SUP,
             "-qcoll_matrix_free works with explicit time steppers (-ts_type rk, euler, ssp) "
             "and method expm; -ts_type %s needs the assembled Liouvillian "
             "(-qcoll_matrix_free false)",
             ts_type.c_str());
  if (!set) matrix_free = products_suffice ? PETSC_TRUE : PETSC_FALSE;
  if (!matrix_free) {
    PetscCall(CreateLiouvillian(comm, p, l));
    PetscCall(PetscObjectReference(reinterpret_cast<PetscObject>(l->total)));
    *op = l->total;
    PetscFunctionReturn(0);
  }
  std::vector<PetscScalar> coefs(p.lambdas.begin(), p.lambdas.end());
  PetscCall(MatCreateMatrixFreeLiouvillian(comm, p.me.dim, fixed_liouvillian_terms(p.me),
                                           coherent_liouvillian_terms(p.me), coefs, op));
  *l = Liouvillian();
  l->layout = column_layout(comm, p.me.dim);
  l->coefs = coefs;
  PetscCall(PetscObjectReference(reinterpret_cast<PetscObject>(*op)));
  l->total = *op;
  MatrixFreeStats st;
  PetscCall(MatrixFreeGetStats(*op, &st));
  long long ghosts = st.ghost_columns, max_ghosts = 0;
  double mb = st.bytes_per_rank / 1048576.0, max_mb = 0.0;
  PetscCallMPI(MPI_Allreduce(&ghosts, &max_ghosts, 1, MPI_LONG_LONG, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(&mb, &max_mb, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscCall(PetscPrintf(comm,
                        "evolve: matrix-free Liouvillian (-qcoll_matrix_free false assembles "
                        "it): %lld ghost columns of rho per product, %.1f MB per rank (max)\n",
                        max_ghosts, max_mb));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

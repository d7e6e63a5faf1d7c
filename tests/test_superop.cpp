// The distributed Liouvillian as a matrix: trace and Hermiticity preservation
// (matrix identities), independence of the number of ranks, agreement with an
// explicit construction from the action on basis matrices, and L = L_0 + sum_j lambda_j L_Gj.
#include <gtest/gtest.h>
#include <petscmat.h>

#include <cmath>

#include "physics_support.hpp"
#include "qcoll/derive/lindblad_terms.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// The 3-site chain with two coherent species (tests/decks): small enough for
// dense references, rich enough to exercise every term.
Deck chain_deck(double lambda_hot = 0.3) {
  return load_deck(source_path("tests/decks/chain3_two_coherent_species.toml"),
                   {{"species.hot.lambda", std::to_string(lambda_hot)}});
}

// Column (k, l) of L from its action on E_kl = |k><l|, with dense products.
DenseMatrix liouvillian_by_action(const MasterEquation& me) {
  const index_t d = me.dim;
  const DenseMatrix h = me.effective_hamiltonian().to_dense();
  DenseMatrix out(d * d, d * d);
  for (index_t k = 0; k < d; ++k)
    for (index_t l = 0; l < d; ++l) {
      DenseMatrix e(d, d);
      e(k, l) = 1.0;
      DenseMatrix r = cplx(0, -1) * (h * e - e * h);
      for (const SpeciesTerms& s : me.species) r += apply_dissipator(s, e);
      for (index_t j = 0; j < d; ++j)
        for (index_t i = 0; i < d; ++i) out(i + d * j, k + d * l) = r(i, j);
    }
  return out;
}

// Largest |A_rc - ref_rc| over the rows this rank owns.
double max_owned_difference(Mat a, const DenseMatrix& ref) {
  PetscInt rstart, rend;
  MatGetOwnershipRange(a, &rstart, &rend);
  double worst = 0.0;
  std::vector<cplx> row(ref.cols());
  for (PetscInt r = rstart; r < rend; ++r) {
    std::fill(row.begin(), row.end(), cplx(0.0));
    PetscInt ncols;
    const PetscInt* cols;
    const PetscScalar* vals;
    MatGetRow(a, r, &ncols, &cols, &vals);
    for (PetscInt k = 0; k < ncols; ++k) row[cols[k]] = vals[k];
    MatRestoreRow(a, r, &ncols, &cols, &vals);
    for (index_t c = 0; c < ref.cols(); ++c) worst = std::max(worst, std::abs(row[c] - ref(r, c)));
  }
  double global = 0.0;
  MPI_Allreduce(&worst, &global, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return global;
}

}  // namespace

TEST(Superop, AgreesWithExplicitConstructionFromBasisMatrices) {
  const Deck deck = chain_deck();
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  const DenseMatrix ref = liouvillian_by_action(p.me);
  EXPECT_LT(max_owned_difference(L.total, ref), 1e-13);
  // The Kronecker form of the sandwich terms gives the same matrix.
  DenseMatrix kron_form = dense_superoperator(p.me.dim, fixed_liouvillian_terms(p.me));
  const auto parts = coherent_liouvillian_terms(p.me);
  for (size_t j = 0; j < parts.size(); ++j)
    kron_form += cplx(p.lambdas[j]) * dense_superoperator(p.me.dim, parts[j]);
  EXPECT_LT((kron_form - ref).max_abs(), 1e-13);
  LiouvillianDestroy(&L);
}

TEST(Superop, PreservesTraceAsMatrixIdentity) {
  const Problem p = prepare_problem(chain_deck());
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  std::vector<Vec> w;
  const CsrMatrix id = CsrMatrix::identity(p.me.dim);
  ASSERT_EQ(TraceCovectorsCreate(L.total, {&id}, &w), 0);  // conj(vec(I)) = vec(I)
  Vec out;
  MatCreateVecs(L.total, &out, nullptr);
  MatMultTranspose(L.total, w[0], out);  // (vec(I)^T L)^T
  PetscReal norm, lnorm;
  VecNorm(out, NORM_INFINITY, &norm);
  MatNorm(L.total, NORM_FROBENIUS, &lnorm);
  EXPECT_LT(norm, 1e-14 * lnorm);
  EXPECT_GT(lnorm, 1.0);
  VecDestroy(&out);
  VecsDestroy(&w);
  LiouvillianDestroy(&L);
}

// Hermiticity preservation, L(rho^dag) = L(rho)^dag for all rho, is the matrix
// identity L = P conj(L) P with P the permutation vec(X) -> vec(X^T).
TEST(Superop, PreservesHermiticityAsMatrixIdentity) {
  const Problem p = prepare_problem(chain_deck());
  const index_t d = p.me.dim;
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  Mat P, conjL, PL, PLP;
  PetscInt rstart, rend, nloc;
  MatGetOwnershipRange(L.total, &rstart, &rend);
  nloc = rend - rstart;
  MatCreateAIJ(MPI_COMM_WORLD, nloc, nloc, d * d, d * d, 1, nullptr, 1, nullptr, &P);
  for (PetscInt r = rstart; r < rend; ++r) {
    const PetscInt i = r % d, j = r / d;
    MatSetValue(P, r, j + d * i, 1.0, INSERT_VALUES);
  }
  MatAssemblyBegin(P, MAT_FINAL_ASSEMBLY);
  MatAssemblyEnd(P, MAT_FINAL_ASSEMBLY);
  MatDuplicate(L.total, MAT_COPY_VALUES, &conjL);
  MatConjugate(conjL);
  ASSERT_EQ(MatMatMult(P, conjL, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &PL), 0);
  ASSERT_EQ(MatMatMult(PL, P, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &PLP), 0);
  MatAXPY(PLP, -1.0, L.total, DIFFERENT_NONZERO_PATTERN);
  PetscReal diff, lnorm;
  MatNorm(PLP, NORM_FROBENIUS, &diff);
  MatNorm(L.total, NORM_FROBENIUS, &lnorm);
  EXPECT_LT(diff, 1e-14 * lnorm);
  MatDestroy(&P);
  MatDestroy(&conjL);
  MatDestroy(&PL);
  MatDestroy(&PLP);
  LiouvillianDestroy(&L);
}

TEST(Superop, SameMatrixOnAllRanksAsOnOne) {
  const Problem p = prepare_problem(chain_deck());
  Liouvillian dist, serial;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &dist), 0);
  ASSERT_EQ(CreateLiouvillian(PETSC_COMM_SELF, p, &serial), 0);
  PetscInt rstart, rend;
  MatGetOwnershipRange(dist.total, &rstart, &rend);
  double worst = 0.0;
  for (PetscInt r = rstart; r < rend; ++r) {
    PetscInt n1, n2;
    const PetscInt *c1, *c2;
    const PetscScalar *v1, *v2;
    MatGetRow(dist.total, r, &n1, &c1, &v1);
    MatGetRow(serial.total, r, &n2, &c2, &v2);
    ASSERT_EQ(n1, n2);
    for (PetscInt k = 0; k < n1; ++k) {
      ASSERT_EQ(c1[k], c2[k]);
      worst = std::max(worst, std::abs(v1[k] - v2[k]));
    }
    MatRestoreRow(dist.total, r, &n1, &c1, &v1);
    MatRestoreRow(serial.total, r, &n2, &c2, &v2);
  }
  EXPECT_LT(worst, 1e-13);
  // Every rank owns whole columns of rho.
  EXPECT_EQ(rstart % p.me.dim, 0);
  EXPECT_EQ(rend % p.me.dim, 0);
  LiouvillianDestroy(&dist);
  LiouvillianDestroy(&serial);
}

TEST(Superop, ChangingLambdaIsAnAxpyThatMatchesAFreshAssembly) {
  const Problem p1 = prepare_problem(chain_deck(0.3));
  const Problem p2 = prepare_problem(chain_deck(0.75));
  Liouvillian a, b;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p1, &a), 0);
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p2, &b), 0);
  std::vector<PetscScalar> coefs(p2.lambdas.begin(), p2.lambdas.end());
  ASSERT_EQ(LiouvillianSetCoefficients(&a, coefs), 0);
  MatAXPY(a.total, -1.0, b.total, SAME_NONZERO_PATTERN);
  PetscReal diff;
  MatNorm(a.total, NORM_FROBENIUS, &diff);
  EXPECT_LT(diff, 1e-13);
  LiouvillianDestroy(&a);
  LiouvillianDestroy(&b);
}

TEST(Superop, DiagonalIsAlwaysStored) {
  // Pure Hamiltonian dynamics of a diagonal H has a zero diagonal in L.
  const Deck deck = load_deck_from_string(
      "[system]\nsites = [\"spin1/2\", \"spin1/2\"]\nhamiltonian = [[1.0, \"sz\", 0]]\n", "h");
  const Problem p = prepare_problem(deck);
  Liouvillian L;
  ASSERT_EQ(CreateLiouvillian(MPI_COMM_WORLD, p, &L), 0);
  Vec diag;
  MatCreateVecs(L.total, &diag, nullptr);
  EXPECT_EQ(MatGetDiagonal(L.total, diag), 0);
  MatInfo info;
  MatGetInfo(L.total, MAT_GLOBAL_SUM, &info);
  EXPECT_GE(info.nz_used, 16.0);  // d^2 = 16 diagonal entries
  VecDestroy(&diag);
  LiouvillianDestroy(&L);
}

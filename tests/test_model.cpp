// Model layer: dense and sparse matrices, local spaces, operator sums,
// expressions and thermal states. Serial code, run on every rank.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <random>

#include "qcoll/model/expression.hpp"
#include "qcoll/model/model.hpp"

namespace qcoll {
namespace {

const cplx I(0.0, 1.0);
const double kSqrt2 = std::sqrt(2.0);

DenseMatrix mat(std::initializer_list<std::initializer_list<cplx>> rows) {
  DenseMatrix m(static_cast<index_t>(rows.size()), static_cast<index_t>(rows.begin()->size()));
  index_t i = 0;
  for (const auto& row : rows) {
    index_t j = 0;
    for (const auto& x : row) m(i, j++) = x;
    ++i;
  }
  return m;
}

double dist(const DenseMatrix& a, const DenseMatrix& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  if (a.rows() != b.rows() || a.cols() != b.cols()) return INFINITY;
  return (a - b).max_abs();
}

DenseMatrix random_matrix(index_t rows, index_t cols, std::mt19937& gen, double density = 1.0) {
  std::uniform_real_distribution<double> u(-1.0, 1.0), keep(0.0, 1.0);
  DenseMatrix m(rows, cols);
  for (index_t i = 0; i < rows; ++i)
    for (index_t j = 0; j < cols; ++j)
      if (keep(gen) < density) m(i, j) = cplx(u(gen), u(gen));
  return m;
}

DenseMatrix random_hermitian(index_t n, std::mt19937& gen) {
  const DenseMatrix a = random_matrix(n, n, gen);
  return cplx(0.5) * (a + a.adjoint());
}

DenseMatrix op(const std::string& space, const std::string& name) {
  return LocalSpace::parse(space).op(name);
}

// ---------------------------------------------------------------- local spaces

TEST(LocalSpace, ParsesLabels) {
  const auto s12 = LocalSpace::parse("spin1/2");
  EXPECT_EQ(s12.kind(), LocalSpace::Kind::Spin);
  EXPECT_EQ(s12.dim(), 2);
  EXPECT_DOUBLE_EQ(s12.spin(), 0.5);
  EXPECT_EQ(LocalSpace::parse("spin1").dim(), 3);
  EXPECT_EQ(LocalSpace::parse("spin3/2").dim(), 4);
  EXPECT_EQ(LocalSpace::parse("spin5/2").dim(), 6);
  EXPECT_DOUBLE_EQ(LocalSpace::parse("spin2").spin(), 2.0);
  EXPECT_EQ(LocalSpace::parse("qudit3").kind(), LocalSpace::Kind::Qudit);
  EXPECT_EQ(LocalSpace::parse("qudit3").dim(), 3);
  EXPECT_EQ(LocalSpace::parse("boson10").kind(), LocalSpace::Kind::Boson);
  EXPECT_EQ(LocalSpace::parse("boson10").dim(), 11);
  EXPECT_EQ(LocalSpace::parse("boson10").label(), "boson10");
}

TEST(LocalSpace, RejectsBadLabels) {
  for (const char* bad : {"spin0", "spin2/2", "spin3/4", "spin", "spin-1", "qudit1", "qudit",
                          "boson0", "fermion", "Spin1/2", "qudit100000", "boson99999999999"}) {
    try {
      LocalSpace::parse(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("spin<S>, qudit<n>, boson<nmax>"), std::string::npos)
          << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(LocalSpace, PauliMatrices) {
  const std::string s = "spin1/2";
  EXPECT_EQ(dist(op(s, "sx"), mat({{0, 1}, {1, 0}})), 0.0);
  EXPECT_EQ(dist(op(s, "sy"), mat({{0, -I}, {I, 0}})), 0.0);
  EXPECT_EQ(dist(op(s, "sz"), mat({{1, 0}, {0, -1}})), 0.0);
  EXPECT_EQ(dist(op(s, "sp"), mat({{0, 1}, {0, 0}})), 0.0);
  EXPECT_EQ(dist(op(s, "sm"), mat({{0, 0}, {1, 0}})), 0.0);
  EXPECT_EQ(dist(op(s, "id"), DenseMatrix::identity(2)), 0.0);
  EXPECT_LT(dist(op(s, "Sx"), cplx(0.5) * op(s, "sx")), 1e-15);
  EXPECT_LT(dist(op(s, "Sy"), cplx(0.5) * op(s, "sy")), 1e-15);
  EXPECT_LT(dist(op(s, "Sz"), cplx(0.5) * op(s, "sz")), 1e-15);
  EXPECT_LT(dist(op(s, "Sp"), op(s, "sp")), 1e-15);
  EXPECT_LT(dist(op(s, "Sm"), op(s, "sm")), 1e-15);
}

TEST(LocalSpace, Spin1Matrices) {
  const double r = 1.0 / kSqrt2;
  EXPECT_LT(dist(op("spin1", "Sx"), mat({{0, r, 0}, {r, 0, r}, {0, r, 0}})), 1e-15);
  EXPECT_LT(dist(op("spin1", "Sy"), mat({{0, -I * r, 0}, {I * r, 0, -I * r}, {0, I * r, 0}})),
            1e-15);
  EXPECT_LT(dist(op("spin1", "Sz"), mat({{1, 0, 0}, {0, 0, 0}, {0, 0, -1}})), 1e-15);
  EXPECT_LT(dist(op("spin1", "Sp"), mat({{0, kSqrt2, 0}, {0, 0, kSqrt2}, {0, 0, 0}})), 1e-15);
  EXPECT_LT(dist(op("spin1", "Sm"), op("spin1", "Sp").adjoint()), 1e-15);
}

TEST(LocalSpace, BosonAndQuditMatrices) {
  EXPECT_LT(dist(op("boson2", "a"), mat({{0, 1, 0}, {0, 0, kSqrt2}, {0, 0, 0}})), 1e-15);
  EXPECT_LT(dist(op("boson2", "adag"), mat({{0, 0, 0}, {1, 0, 0}, {0, kSqrt2, 0}})), 1e-15);
  EXPECT_EQ(dist(op("boson2", "n"), DenseMatrix::diagonal({0, 1, 2})), 0.0);
  EXPECT_LT(dist(op("boson2", "adag") * op("boson2", "a"), op("boson2", "n")), 1e-14);
  EXPECT_EQ(dist(op("qudit4", "n"), DenseMatrix::diagonal({0, 1, 2, 3})), 0.0);
  EXPECT_EQ(dist(op("qudit3", "proj01"), mat({{0, 1, 0}, {0, 0, 0}, {0, 0, 0}})), 0.0);
  EXPECT_EQ(dist(op("boson2", "proj21"), mat({{0, 0, 0}, {0, 0, 0}, {0, 1, 0}})), 0.0);
  EXPECT_EQ(dist(op("spin1/2", "proj10"), op("spin1/2", "sm")), 0.0);
  const DenseMatrix p = op("qudit12", "proj10_3");
  EXPECT_EQ(p(10, 3), cplx(1.0));
  EXPECT_EQ(p.max_abs(), 1.0);
  EXPECT_EQ(std::abs(p.trace()), 0.0);
}

TEST(LocalSpace, SpinCommutationAndCasimir) {
  for (const char* label : {"spin1/2", "spin1", "spin3/2", "spin2", "spin5/2"}) {
    const auto sp = LocalSpace::parse(label);
    const auto sx = sp.op("Sx"), sy = sp.op("Sy"), sz = sp.op("Sz");
    EXPECT_LT(dist(commutator(sx, sy), I * sz), 1e-13) << label;
    EXPECT_LT(dist(commutator(sy, sz), I * sx), 1e-13) << label;
    EXPECT_LT(dist(commutator(sz, sx), I * sy), 1e-13) << label;
    const double s = sp.spin();
    EXPECT_LT(
        dist(sx * sx + sy * sy + sz * sz, cplx(s * (s + 1)) * DenseMatrix::identity(sp.dim())),
        1e-13)
        << label;
    EXPECT_LT(dist(sp.op("Sp"), sx + I * sy), 1e-14) << label;
    EXPECT_TRUE(sx.is_hermitian() && sy.is_hermitian() && sz.is_hermitian()) << label;
  }
}

TEST(LocalSpace, BosonCommutatorExceptTopLevel) {
  const auto b = LocalSpace::parse("boson6");
  const DenseMatrix c = commutator(b.op("a"), b.op("adag"));
  DenseMatrix expected = DenseMatrix::identity(7);
  expected(6, 6) = -6.0;  // truncation: [a, adag] = 1 - (nmax+1)|nmax><nmax|
  EXPECT_LT(dist(c, expected), 1e-13);
}

TEST(LocalSpace, UnknownOperatorsAreReported) {
  const auto spin1 = LocalSpace::parse("spin1");
  EXPECT_FALSE(spin1.has_op("sz"));
  EXPECT_TRUE(spin1.has_op("Sz"));
  EXPECT_TRUE(spin1.has_op("proj22"));
  EXPECT_FALSE(spin1.has_op("proj30"));
  try {
    spin1.op("sz");
    ADD_FAILURE() << "spin1 accepted the Pauli name sz";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'Sz'"), std::string::npos) << e.what();
  }
  try {
    LocalSpace::parse("boson3").op("sx");
    ADD_FAILURE() << "boson accepted sx";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("adag"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'sx'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(LocalSpace::parse("qudit3").op("a"), InputError);
  EXPECT_THROW(LocalSpace::parse("qudit3").op("proj03"), InputError);
  EXPECT_THROW(LocalSpace::parse("qudit3").op("proj0"), InputError);
  EXPECT_THROW(LocalSpace::parse("spin1/2").op("proj0_"), InputError);
}

// ---------------------------------------------------------------------- dense

TEST(Dense, KronAndPartialTraces) {
  const DenseMatrix a = mat({{1, 2}, {3, 4}}), b = mat({{0, 5}, {6, 7}});
  const DenseMatrix k = mat({{0, 5, 0, 10}, {6, 7, 12, 14}, {0, 15, 0, 20}, {18, 21, 24, 28}});
  EXPECT_EQ(dist(kron(a, b), k), 0.0);

  std::mt19937 gen(7);
  const DenseMatrix x = random_matrix(3, 3, gen), y = random_matrix(2, 2, gen);
  const DenseMatrix xy = kron(x, y);
  EXPECT_LT(dist(partial_trace_second(xy, 3, 2), y.trace() * x), 1e-14);
  EXPECT_LT(dist(partial_trace_first(xy, 3, 2), x.trace() * y), 1e-14);
  EXPECT_THROW(partial_trace_first(xy, 2, 2), std::invalid_argument);
}

TEST(Dense, EighReconstructsRandomHermitian) {
  std::mt19937 gen(42);
  const DenseMatrix h = random_hermitian(6, gen);
  const HermitianEigen e = eigh(h);
  ASSERT_EQ(e.values.size(), 6u);
  for (std::size_t k = 1; k < e.values.size(); ++k) EXPECT_LE(e.values[k - 1], e.values[k]);
  const DenseMatrix& v = e.vectors;
  EXPECT_LT(dist(v * DenseMatrix::diagonal(e.values) * v.adjoint(), h), 1e-12);
  EXPECT_LT(dist(v.adjoint() * v, DenseMatrix::identity(6)), 1e-12);
  // Eigenvector columns: h v_k = w_k v_k (fails if the LAPACK layout is mishandled).
  EXPECT_LT(dist(h * v, v * DenseMatrix::diagonal(e.values)), 1e-12);
  const auto w = eigvalsh(h);
  for (std::size_t k = 0; k < w.size(); ++k) EXPECT_NEAR(w[k], e.values[k], 1e-12);
}

TEST(Dense, EighOfPauliY) {
  const DenseMatrix sy = op("spin1/2", "sy");
  const HermitianEigen e = eigh(sy);
  EXPECT_NEAR(e.values[0], -1.0, 1e-14);
  EXPECT_NEAR(e.values[1], 1.0, 1e-14);
  EXPECT_LT(dist(sy * e.vectors, e.vectors * DenseMatrix::diagonal(e.values)), 1e-14);
}

TEST(Dense, UnitaryPropagator) {
  std::mt19937 gen(3);
  const DenseMatrix h = random_hermitian(5, gen);
  const DenseMatrix u = unitary_propagator(h, 0.7);
  EXPECT_LT(dist(u * u.adjoint(), DenseMatrix::identity(5)), 1e-13);
  EXPECT_LT(dist(unitary_propagator(h, 0.3) * unitary_propagator(h, 0.4), u), 1e-13);
  // Short-time expansion: U ~ 1 - i t h - t^2 h^2 / 2.
  const double t = 1e-4;
  const DenseMatrix series =
      DenseMatrix::identity(5) - cplx(0, t) * h - cplx(0.5 * t * t) * (h * h);
  EXPECT_LT(dist(unitary_propagator(h, t), series), 1e-11);
  const DenseMatrix uz = unitary_propagator(op("spin1/2", "sz"), 0.9);
  EXPECT_LT(std::abs(uz(0, 0) - std::exp(cplx(0, -0.9))), 1e-15);
  EXPECT_LT(std::abs(uz(1, 1) - std::exp(cplx(0, 0.9))), 1e-15);
}

TEST(Dense, HermitianFunctionAndHelpers) {
  std::mt19937 gen(5);
  const DenseMatrix a = random_matrix(4, 4, gen);
  const DenseMatrix pos = a * a.adjoint();  // positive semidefinite
  const DenseMatrix root =
      hermitian_function(eigh(pos), [](double w) { return cplx(std::sqrt(std::max(w, 0.0))); });
  EXPECT_LT(dist(root * root, pos), 1e-12);
  EXPECT_TRUE(pos.is_hermitian());
  EXPECT_FALSE(a.is_hermitian());
  EXPECT_EQ(dist(a.transpose().transpose(), a), 0.0);
  EXPECT_EQ(a.adjoint()(1, 2), std::conj(a(2, 1)));
}

// --------------------------------------------------------------------- sparse

TEST(Sparse, TripletsSumDuplicatesAndDropZeros) {
  std::vector<CsrMatrix::Triplet> t{{1, 2, 1.0}, {0, 3, 2.0}, {1, 0, 3.0},  {1, 2, 0.5},
                                    {0, 1, 4.0}, {2, 2, 1.0}, {2, 2, -1.0}, {0, 0, 0.0}};
  const CsrMatrix m = CsrMatrix::from_triplets(3, 4, t);
  EXPECT_EQ(m.nnz(), 4);
  EXPECT_EQ(m.rowptr(), (std::vector<index_t>{0, 2, 4, 4}));
  EXPECT_EQ(m.colind(), (std::vector<index_t>{1, 3, 0, 2}));
  EXPECT_EQ(m.at(1, 2), cplx(1.5));
  EXPECT_EQ(m.at(2, 2), cplx(0.0));
  EXPECT_THROW(CsrMatrix::from_triplets(3, 4, {{3, 0, 1.0}}), std::out_of_range);
}

TEST(Sparse, OperationsMatchDense) {
  std::mt19937 gen(11);
  const DenseMatrix a = random_matrix(5, 4, gen, 0.4), b = random_matrix(4, 6, gen, 0.4);
  const DenseMatrix c = random_matrix(5, 4, gen, 0.4), sq = random_matrix(5, 5, gen, 0.5);
  const CsrMatrix sa = CsrMatrix::from_dense(a), sb = CsrMatrix::from_dense(b);
  const CsrMatrix sc = CsrMatrix::from_dense(c), ssq = CsrMatrix::from_dense(sq);
  EXPECT_EQ(dist(sa.to_dense(), a), 0.0);
  EXPECT_LT(dist((sa * sb).to_dense(), a * b), 1e-14);
  EXPECT_LT(dist((sa + sc).to_dense(), a + c), 1e-15);
  EXPECT_LT(dist((sa - sc).to_dense(), a - c), 1e-15);
  EXPECT_LT(dist(axpby(2.0, sa, I, sc).to_dense(), cplx(2.0) * a + I * c), 1e-15);
  EXPECT_LT(dist((cplx(0.5, -1) * sa).to_dense(), cplx(0.5, -1) * a), 1e-15);
  EXPECT_EQ(dist(sa.adjoint().to_dense(), a.adjoint()), 0.0);
  EXPECT_EQ(dist(sa.transpose().to_dense(), a.transpose()), 0.0);
  EXPECT_LT(dist(kron(sa, sb).to_dense(), kron(a, b)), 1e-15);
  EXPECT_LT(dist(commutator(ssq, ssq.adjoint()).to_dense(), commutator(sq, sq.adjoint())), 1e-14);
  EXPECT_LT(dist(anticommutator(ssq, ssq).to_dense(), cplx(2.0) * sq * sq), 1e-14);
  EXPECT_LT(std::abs(ssq.trace() - sq.trace()), 1e-15);
  EXPECT_FALSE(ssq.is_hermitian());
  EXPECT_TRUE((ssq + ssq.adjoint()).is_hermitian());
  EXPECT_EQ((sa - sa).nnz(), 0);
  EXPECT_LT(dist(sum({sa, sc, cplx(-2.0) * sa}).to_dense(), c - a), 1e-15);
  EXPECT_EQ(sum({sa, cplx(-1.0) * sa}).nnz(), 0);
  EXPECT_THROW(sum({sa, sb}), std::invalid_argument);

  std::vector<cplx> x(4);
  for (index_t j = 0; j < 4; ++j) x[j] = cplx(j + 1.0, -0.5 * j);
  const auto y = sa.multiply(x);
  for (index_t i = 0; i < 5; ++i) {
    cplx ref = 0.0;
    for (index_t j = 0; j < 4; ++j) ref += a(i, j) * x[j];
    EXPECT_LT(std::abs(y[i] - ref), 1e-14);
  }
  const CsrMatrix p = sa.pruned(0.8);
  for (const auto& v : p.values()) EXPECT_GT(std::abs(v), 0.8);
  for (index_t i = 0; i < 5; ++i)
    for (index_t j = 0; j < 4; ++j)
      EXPECT_EQ(p.at(i, j), std::abs(a(i, j)) > 0.8 ? a(i, j) : cplx(0.0));
}

TEST(Sparse, ProductsKeepRowsSorted) {
  std::mt19937 gen(13);
  const CsrMatrix a = CsrMatrix::from_dense(random_matrix(8, 8, gen, 0.3));
  const CsrMatrix b = CsrMatrix::from_dense(random_matrix(8, 8, gen, 0.3));
  for (const CsrMatrix& m : {a * b, kron(a, b), (a * b).transpose(), a + b.adjoint()})
    for (index_t i = 0; i < m.rows(); ++i)
      for (index_t k = m.rowptr()[i] + 1; k < m.rowptr()[i + 1]; ++k)
        EXPECT_LT(m.colind()[k - 1], m.colind()[k]);
}

// ------------------------------------------------------------------- op sums

std::vector<LocalSpace> spaces(std::initializer_list<const char*> labels) {
  std::vector<LocalSpace> s;
  for (const char* l : labels) s.push_back(LocalSpace::parse(l));
  return s;
}

TEST(OpSum, ThreeSiteTermMatchesDenseKron) {
  const auto sites = spaces({"spin1/2", "spin1/2", "spin1/2"});
  EXPECT_EQ(product_dimension(sites), 8);
  const Term t{0.5, {{"sx", 0}, {"sz", 2}}};
  const DenseMatrix id = DenseMatrix::identity(2);
  const DenseMatrix ref = cplx(0.5) * kron(kron(op("spin1/2", "sx"), id), op("spin1/2", "sz"));
  EXPECT_EQ(dist(term_system_operator(sites, t).to_dense(), ref), 0.0);
}

TEST(OpSum, MixedSpacesMatchDenseKron) {
  const auto sites = spaces({"spin1/2", "boson2", "qudit3", "spin1"});
  EXPECT_EQ(product_dimension(sites), 54);
  const Term t{cplx(0.25, -1.0), {{"proj02", 2}, {"adag", 1}, {"Sp", 3}}};
  const DenseMatrix ref =
      cplx(0.25, -1.0) *
      kron(kron(kron(DenseMatrix::identity(2), op("boson2", "adag")), op("qudit3", "proj02")),
           op("spin1", "Sp"));
  EXPECT_LT(dist(term_system_operator(sites, t).to_dense(), ref), 1e-15);
  EXPECT_EQ(dist(embed_local(sites, 1, op("boson2", "n")).to_dense(),
                 term_system_operator(sites, Term{1.0, {{"n", 1}}}).to_dense()),
            0.0);
}

TEST(OpSum, FactorsOnOneSiteMultiplyLeftToRight) {
  const auto sites = spaces({"spin1/2", "spin1/2"});
  const DenseMatrix id = DenseMatrix::identity(2);
  const DenseMatrix up = mat({{1, 0}, {0, 0}}), down = mat({{0, 0}, {0, 1}});
  EXPECT_EQ(
      dist(term_system_operator(sites, {1.0, {{"sp", 0}, {"sm", 0}}}).to_dense(), kron(up, id)),
      0.0);
  EXPECT_EQ(
      dist(term_system_operator(sites, {1.0, {{"sm", 0}, {"sp", 0}}}).to_dense(), kron(down, id)),
      0.0);
  // Factors on other sites in between do not change the per-site order.
  EXPECT_EQ(dist(term_system_operator(sites, {1.0, {{"sp", 1}, {"sx", 0}, {"sm", 1}}}).to_dense(),
                 kron(op("spin1/2", "sx"), up)),
            0.0);
  EXPECT_EQ(term_system_operator(sites, {1.0, {{"sp", 0}, {"sp", 0}}}).nnz(), 0);
  EXPECT_EQ(dist(term_system_operator(sites, {cplx(0, 2), {}}).to_dense(),
                 cplx(0, 2) * DenseMatrix::identity(4)),
            0.0);
}

TEST(OpSum, AncillaFactorsAndErrors) {
  const auto sites = spaces({"spin1/2", "qudit3"});
  const auto anc = LocalSpace::parse("spin1/2");
  const Term coupling{0.3, {{"sm", 0}, {"sp", kAncillaSite}, {"sx", kAncillaSite}}};
  EXPECT_EQ(dist(term_system_operator(sites, coupling).to_dense(),
                 cplx(0.3) * kron(op("spin1/2", "sm"), DenseMatrix::identity(3))),
            0.0);
  EXPECT_EQ(dist(term_ancilla_operator(anc, coupling), mat({{1, 0}, {0, 0}})), 0.0);
  EXPECT_EQ(dist(term_ancilla_operator(anc, Term{2.0, {{"sz", 0}}}), DenseMatrix::identity(2)),
            0.0);
  EXPECT_THROW(build_operator(sites, {coupling}), InputError);
  EXPECT_THROW(term_system_operator(sites, {1.0, {{"sz", 2}}}), InputError);
  EXPECT_THROW(term_system_operator(sites, {1.0, {{"sz", -2}}}), InputError);
  EXPECT_THROW(term_system_operator(sites, {1.0, {{"sz", 1}}}), InputError);
  EXPECT_THROW(embed_local(sites, 0, DenseMatrix::identity(3)), InputError);
  EXPECT_THROW(product_dimension(std::vector<LocalSpace>(64, anc)), InputError);
}

TEST(OpSum, BuildOperatorSumsTerms) {
  const auto sites = spaces({"spin1/2", "spin1"});
  const OpSum h{{0.5, {{"sz", 0}}}, {-1.0, {{"Sz", 1}, {"Sz", 1}}}, {0.2, {{"sx", 0}, {"Sx", 1}}}};
  const DenseMatrix ref = cplx(0.5) * kron(op("spin1/2", "sz"), DenseMatrix::identity(3)) -
                          kron(DenseMatrix::identity(2), op("spin1", "Sz") * op("spin1", "Sz")) +
                          cplx(0.2) * kron(op("spin1/2", "sx"), op("spin1", "Sx"));
  const CsrMatrix m = build_operator(sites, h);
  EXPECT_LT(dist(m.to_dense(), ref), 1e-15);
  EXPECT_TRUE(m.is_hermitian());
  EXPECT_EQ(build_operator(sites, {}).nnz(), 0);
  EXPECT_EQ(build_operator(sites, {}).rows(), 6);
}

TEST(OpSum, FourteenSiteChainBuildsQuickly) {
  const int n = 14;
  const std::vector<LocalSpace> sites(n, LocalSpace::parse("spin1/2"));
  const double J = 1.0, delta = 0.5, h = 0.3;
  OpSum terms;
  for (int i = 0; i + 1 < n; ++i) {
    terms.push_back({J, {{"sx", i}, {"sx", i + 1}}});
    terms.push_back({J, {{"sy", i}, {"sy", i + 1}}});
    terms.push_back({delta, {{"sz", i}, {"sz", i + 1}}});
  }
  for (int i = 0; i < n; ++i) terms.push_back({h, {{"sz", i}}});
  const auto start = std::chrono::steady_clock::now();
  const CsrMatrix H = build_operator(sites, terms);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#ifdef NDEBUG
  EXPECT_LT(seconds, 1.0);
#else
  EXPECT_LT(seconds, 20.0);  // unoptimised build
#endif
  const index_t d = index_t{1} << n;
  ASSERT_EQ(H.rows(), d);
  // Diagonal everywhere, plus one flip per antiparallel bond (sx sx + sy sy
  // cancels exactly on parallel pairs): d + d * (n - 1) / 2 entries.
  EXPECT_EQ(H.nnz(), d + d * (n - 1) / 2);
  EXPECT_NEAR(H.at(0, 0).real(), delta * (n - 1) + h * n, 1e-13);
  EXPECT_NEAR(H.at(d - 1, d - 1).real(), delta * (n - 1) - h * n, 1e-13);
  // |0 1 0...> <-> |1 0 0...> via the first bond: amplitude 2J.
  EXPECT_NEAR(std::abs(H.at(d / 4, d / 2) - cplx(2 * J)), 0.0, 1e-14);
  EXPECT_TRUE(H.is_hermitian());
}

// ----------------------------------------------------------------- expressions

TEST(Expression, EvaluatesWithParameters) {
  const Parameters p{{"g", 0.5}, {"Omega", 1.0}};
  EXPECT_DOUBLE_EQ(evaluate_expression("g/2", p), 0.25);
  EXPECT_DOUBLE_EQ(evaluate_expression("-Omega*0.5", p), -0.5);
  EXPECT_NEAR(evaluate_expression("sqrt(2)*pi", p), 4.442882938158366, 1e-14);
  EXPECT_NEAR(evaluate_expression("exp(1) - e", {}), 0.0, 1e-15);
  EXPECT_DOUBLE_EQ(evaluate_expression("  3  ", {}), 3.0);
}

TEST(Expression, ReportsErrors) {
  const Parameters p{{"g", 0.5}};
  try {
    evaluate_expression("gamma/2", p);
    ADD_FAILURE() << "undefined parameter accepted";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("\"gamma/2\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("'gamma'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("defined parameters: g"), std::string::npos) << msg;
  }
  try {
    evaluate_expression("g/", p);
    ADD_FAILURE() << "syntax error accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("\"g/\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(evaluate_expression("", p), InputError);
  EXPECT_THROW(evaluate_expression("(g", p), InputError);
  EXPECT_THROW(evaluate_expression("1, 2", p), InputError);
  EXPECT_THROW(evaluate_expression("1/0", p), InputError);
  EXPECT_THROW(evaluate_expression("1", {{"bad name", 1.0}}), InputError);
}

// -------------------------------------------------------------- thermal state

TEST(ThermalState, InfiniteTemperatureIsMaximallyMixed) {
  std::mt19937 gen(17);
  const DenseMatrix rho = thermal_state(random_hermitian(4, gen), 0.0);
  EXPECT_LT(dist(rho, cplx(0.25) * DenseMatrix::identity(4)), 1e-15);
}

TEST(ThermalState, FiniteTemperature) {
  const double beta = 0.8;
  // H = sx: rho = (cosh(beta) - sinh(beta) sx) / (2 cosh(beta)).
  const DenseMatrix rho = thermal_state(op("spin1/2", "sx"), beta);
  const DenseMatrix ref =
      cplx(0.5) * (DenseMatrix::identity(2) - cplx(std::tanh(beta)) * op("spin1/2", "sx"));
  EXPECT_LT(dist(rho, ref), 1e-14);
  // Diagonal H = diag(0, 1, 3): Boltzmann weights.
  const DenseMatrix r3 = thermal_state(DenseMatrix::diagonal({0.0, 1.0, 3.0}), beta);
  const double z = 1.0 + std::exp(-beta) + std::exp(-3 * beta);
  EXPECT_NEAR(r3(0, 0).real(), 1.0 / z, 1e-14);
  EXPECT_NEAR(r3(1, 1).real(), std::exp(-beta) / z, 1e-14);
  EXPECT_NEAR(r3(2, 2).real(), std::exp(-3 * beta) / z, 1e-14);
  // Huge beta and huge energies stay finite (shifted by the minimum energy).
  const DenseMatrix cold = thermal_state(DenseMatrix::diagonal({1e3, 1e3 + 1.0}), 1e4);
  EXPECT_NEAR(cold(0, 0).real(), 1.0, 1e-14);
  EXPECT_TRUE(std::isfinite(cold(1, 1).real()));
}

TEST(ThermalState, ZeroTemperatureSharesDegenerateGroundSpace) {
  std::mt19937 gen(19);
  // H = U diag(-1, -1, 0, 2) U^dag with a random unitary U.
  const DenseMatrix u = unitary_propagator(random_hermitian(4, gen), 1.3);
  const DenseMatrix h = u * DenseMatrix::diagonal({-1.0, -1.0, 0.0, 2.0}) * u.adjoint();
  const DenseMatrix rho = thermal_state(h, kInfinity);
  const DenseMatrix ref = u * DenseMatrix::diagonal({0.5, 0.5, 0.0, 0.0}) * u.adjoint();
  EXPECT_LT(dist(rho, ref), 1e-12);
  EXPECT_NEAR(rho.trace().real(), 1.0, 1e-14);
  EXPECT_TRUE(rho.is_hermitian(1e-15));
  // Non-degenerate ground state of sz: |1> (down).
  EXPECT_LT(dist(thermal_state(op("spin1/2", "sz"), kInfinity), mat({{0, 0}, {0, 1}})), 1e-15);
  EXPECT_LT(dist(thermal_state(op("spin1/2", "sz"), -kInfinity), mat({{1, 0}, {0, 0}})), 1e-15);
  EXPECT_THROW(thermal_state(op("spin1/2", "sz"), std::nan("")), InputError);
  EXPECT_THROW(thermal_state(op("spin1/2", "sp"), 1.0), InputError);
}

}  // namespace
}  // namespace qcoll

// The boundary-driven XX chain (inputs/xxz_chain.toml with Delta = 0, no
// coherence, the cold bath on the last site) is quasi-free: its steady state
// is fixed by the two-point function C_kl = <c_k^+ c_l>, which solves an
// N x N Lyapunov equation (physics.md section 6). The steady task, run as the
// command line runs it with qcoll's default [steady] settings, must reproduce
// every <sz_i> and <H_S> of that exact solution.
//
// Conventions (checked against qcoll's dense steady state at N = 3, 4, see
// bench/xx_exact.py):
//   * the bath on site s with H_A = (h/2) sz and V = g (sp_s sm_A + sm_s sp_A)
//     gives gamma^- D[sm_s] + gamma^+ D[sp_s] with gamma^+ = g^2 p_up (gain,
//     the ancilla's up state |0> has energy +h/2) and gamma^- = g^2 p_down
//     (loss), p_up = 1 / (1 + exp(beta h));
//   * Jordan-Wigner particle = spin up (|0>, sz = +1): n_i = (1 + sz_i) / 2;
//   * H_S = sum_kl h_kl c_k^+ c_l - h N / 2 with h_ii = h, h_i,i+1 = 2 J;
//   * dC/dt = i [h, C] - 1/2 {Gamma, C} + Gamma_+, so in the steady state
//     X C + C X^+ = -Gamma_+ with X = i h - Gamma / 2;
//   * <sz_i> = 2 C_ii - 1, <H_S> = sum_kl h_kl C_kl - h N / 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "physics_support.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

// Agreement required between qcoll and the exact two-point function.
constexpr double kTol = 1e-8;

struct XXChain {
  int n = 0;
  double J = 0, h = 0, g = 0, beta_hot = 0, beta_cold = 0;
};

struct TwoPointSteadyState {
  std::vector<cplx> c;  // C_kl = <c_k^+ c_l> at c[k * n + l]
  std::vector<double> sz;
  double energy = 0;
  double lyapunov_residual = 0;  // max |X C + C X^+ + Gamma_+|
};

// Solves a x = b (a: n x n, row-major) by Gaussian elimination with partial pivoting.
std::vector<cplx> solve_dense(std::vector<cplx> a, std::vector<cplx> b) {
  const size_t n = b.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[pivot * n + col])) pivot = r;
    if (pivot != col) {
      for (size_t j = 0; j < n; ++j) std::swap(a[col * n + j], a[pivot * n + j]);
      std::swap(b[col], b[pivot]);
    }
    const cplx diag = a[col * n + col];
    for (size_t r = col + 1; r < n; ++r) {
      const cplx f = a[r * n + col] / diag;
      if (f == cplx(0)) continue;
      for (size_t j = col; j < n; ++j) a[r * n + j] -= f * a[col * n + j];
      b[r] -= f * b[col];
    }
  }
  std::vector<cplx> x(n);
  for (size_t r = n; r-- > 0;) {
    cplx s = b[r];
    for (size_t j = r + 1; j < n; ++j) s -= a[r * n + j] * x[j];
    x[r] = s / a[r * n + r];
  }
  return x;
}

// Population of the ancilla's up state (energy +h/2) at inverse temperature beta.
double up_population(double beta, double h) {
  return 1.0 / (1.0 + std::exp(beta * h));
}

// The exact steady two-point function: the N^2 x N^2 linear system of
// X C + C X^+ = -Gamma_+ (row (k, l) of the equation, unknown C_ml / C_km).
TwoPointSteadyState exact_steady_state(const XXChain& m) {
  const int n = m.n;
  std::vector<double> hop(n * n, 0.0);  // single-particle h_kl
  for (int i = 0; i < n; ++i) hop[i * n + i] = m.h;
  for (int i = 0; i + 1 < n; ++i) hop[i * n + i + 1] = hop[(i + 1) * n + i] = 2 * m.J;
  std::vector<double> gain(n, 0.0), loss(n, 0.0);
  for (const auto& [site, beta] : {std::pair{0, m.beta_hot}, std::pair{n - 1, m.beta_cold}}) {
    const double p_up = up_population(beta, m.h);
    gain[site] += m.g * m.g * p_up;
    loss[site] += m.g * m.g * (1 - p_up);
  }
  std::vector<cplx> x(n * n);  // X = i h - Gamma / 2
  for (int k = 0; k < n; ++k)
    for (int l = 0; l < n; ++l)
      x[k * n + l] = cplx(0, hop[k * n + l]) - (k == l ? 0.5 * (gain[k] + loss[k]) : 0.0);
  const size_t n2 = static_cast<size_t>(n) * n;
  std::vector<cplx> a(n2 * n2, 0.0), rhs(n2, 0.0);
  for (int k = 0; k < n; ++k)
    for (int l = 0; l < n; ++l) {
      const size_t row = k * n + l;
      for (int q = 0; q < n; ++q) {
        a[row * n2 + q * n + l] += x[k * n + q];             // (X C)_kl
        a[row * n2 + k * n + q] += std::conj(x[l * n + q]);  // (C X^+)_kl
      }
      if (k == l) rhs[row] = -gain[k];
    }
  TwoPointSteadyState out;
  out.c = solve_dense(a, rhs);
  for (int k = 0; k < n; ++k)
    for (int l = 0; l < n; ++l) {
      cplx r = k == l ? cplx(gain[k]) : cplx(0);
      for (int q = 0; q < n; ++q)
        r += x[k * n + q] * out.c[q * n + l] + out.c[k * n + q] * std::conj(x[l * n + q]);
      out.lyapunov_residual = std::max(out.lyapunov_residual, std::abs(r));
    }
  for (int i = 0; i < n; ++i) out.sz.push_back(2 * out.c[i * n + i].real() - 1);
  double e = -0.5 * m.h * n;
  for (size_t kl = 0; kl < n2; ++kl) e += (hop[kl] * out.c[kl]).real();
  out.energy = e;
  return out;
}

// xxz_chain.toml as the XX chain with n sites: Delta = 0, no coherence on the
// hot bath, the cold bath on site n - 1 and one observable sz<i> per site.
// [steady] gap = false is qcoll's default (the deck asks for the gap, which
// does not change rho and dominates the run time: ~20 s at 6 sites).
std::vector<Override> xx_chain_overrides(int n) {
  const std::string last = std::to_string(n - 1);
  std::string observables = "[";
  for (int i = 0; i < n; ++i)
    observables += (i ? ", " : "") + std::string("{ name = \"sz") + std::to_string(i) +
                   "\", terms = [[1.0, \"sz\", " + std::to_string(i) + "]] }";
  observables += "]";
  return {
      {"params.Delta", "0"},
      {"species.hot.lambda", "0"},
      {"system.model.sites", std::to_string(n)},
      {"species.cold.coupling", "[[\"g\", \"sp\", " + last + ", \"sm\", \"A\"], [\"g\", \"sm\", " +
                                    last + ", \"sp\", \"A\"]]"},
      {"evolve.observables", observables},
      {"steady.gap", "false"}};
}

// The chain's parameters as the loaded deck has them.
XXChain xx_chain_of(const Deck& deck, int n) {
  XXChain m;
  m.n = n;
  m.J = deck.params.at("J");
  m.h = deck.params.at("h");
  m.g = deck.params.at("g");
  for (const Species& s : deck.model.species) (s.name == "hot" ? m.beta_hot : m.beta_cold) = s.beta;
  return m;
}

// <sz_i> of a column-stacked n-qubit rho, site 0 the most significant factor
// and |0> = up.
std::vector<double> sz_from_rho(const std::vector<cplx>& rho, int n) {
  const size_t d = size_t{1} << n;
  std::vector<double> sz(n, 0.0);
  for (size_t k = 0; k < d; ++k)
    for (int i = 0; i < n; ++i)
      sz[i] += ((k >> (n - 1 - i)) & 1 ? -1.0 : 1.0) * rho[k + d * k].real();
  return sz;
}

// <H_S> of a column-stacked rho: (h/2) sum sz_i + 2 J sum (sp_i sm_i+1 + h.c.).
double energy_from_rho(const std::vector<cplx>& rho, const XXChain& m) {
  const size_t d = size_t{1} << m.n;
  double e = 0;
  for (double s : sz_from_rho(rho, m.n)) e += 0.5 * m.h * s;
  for (int i = 0; i + 1 < m.n; ++i) {
    const size_t bi = size_t{1} << (m.n - 1 - i), bj = bi >> 1;
    // sp_i sm_i+1 |l> = |k> for l with site i down, site i+1 up; <O> = sum rho_lk O_kl.
    for (size_t l = 0; l < d; ++l)
      if ((l & bi) && !(l & bj)) {
        const size_t k = (l & ~bi) | bj;
        e += 2 * m.J * 2 * rho[l + d * k].real();  // plus the Hermitian conjugate
      }
  }
  return e;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return a.size() == b.size() ? m : INFINITY;
}

void expect_steady_state_matches_exact_two_point_function(int n) {
  const auto start = std::chrono::steady_clock::now();
  const Deck deck = deck_from_inputs("xxz_chain.toml", xx_chain_overrides(n));
  ASSERT_EQ(deck.steady.method, "auto");
  const XXChain m = xx_chain_of(deck, n);
  ASSERT_EQ(m.n, n);
  const TwoPointSteadyState exact = exact_steady_state(m);
  ASSERT_LT(exact.lyapunov_residual, 1e-13);

  // The reference is sharp enough for kTol to fail: the profile is not flat,
  // and a slightly wrong field, the hopping J instead of 2 J, or the baths on
  // the wrong ends move it by far more than kTol.
  const auto [lo, hi] = std::minmax_element(exact.sz.begin(), exact.sz.end());
  EXPECT_GT(*hi - *lo, 1e3 * kTol);
  XXChain wrong_field = m, wrong_hopping = m, swapped = m;
  wrong_field.h += 1e-3;
  wrong_hopping.J /= 2;
  std::swap(swapped.beta_hot, swapped.beta_cold);
  for (const XXChain& w : {wrong_field, wrong_hopping, swapped})
    EXPECT_GT(max_abs_diff(exact_steady_state(w).sz, exact.sz), 100 * kTol);
  EXPECT_GT(std::abs(exact_steady_state(wrong_field).energy - exact.energy), 100 * kTol);

  const std::string path = run_steady_like_command_line(deck, "xx_chain");
  Hdf5File f(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  const std::vector<cplx> rho = f.read_complex("/steady/rho");
  ASSERT_EQ(rho.size(), (size_t{1} << n) * (size_t{1} << n));
  const double energy = f.read_real("/steady/energy")[0];
  std::vector<double> sz_observables;
  for (int i = 0; i < n; ++i) {
    const cplx v = f.read_complex("/steady/observables/sz" + std::to_string(i))[0];
    EXPECT_LT(std::abs(v.imag()), 1e-12);
    sz_observables.push_back(v.real());
  }
  const std::string method = f.read_string_attribute("/steady", "method");
  f.close();
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());

  const std::vector<double> sz_rho = sz_from_rho(rho, n);
  for (int i = 0; i < n; ++i) {
    EXPECT_NEAR(sz_rho[i], exact.sz[i], kTol) << "site " << i << ", method " << method;
    EXPECT_NEAR(sz_observables[i], exact.sz[i], kTol) << "site " << i << ", method " << method;
  }
  EXPECT_NEAR(energy, exact.energy, kTol) << "method " << method;
  EXPECT_NEAR(energy_from_rho(rho, m), exact.energy, kTol) << "method " << method;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (rank() == 0)
    std::printf(
        "XX chain N = %d (method %s): max |d sz| %.2e (rho) %.2e (observables), |d E| %.2e, "
        "%.2f s\n",
        n, method.c_str(), max_abs_diff(sz_rho, exact.sz), max_abs_diff(sz_observables, exact.sz),
        std::abs(energy - exact.energy), seconds);
}

}  // namespace

// With equal bath temperatures C = p_up 1 solves the Lyapunov equation (both
// ends pump towards the same filling and the hopping conserves it): the exact
// solver must give the uniform thermal magnetisation -tanh(beta h / 2).
TEST(XXChain, ExactReferenceGivesUniformThermalMagnetisationAtEqualTemperatures) {
  const XXChain m{5, 1.0, 1.0, 0.3, 0.7, 0.7};
  const TwoPointSteadyState s = exact_steady_state(m);
  const double sz = -std::tanh(0.5 * m.beta_hot * m.h);
  for (int i = 0; i < m.n; ++i) EXPECT_NEAR(s.sz[i], sz, 1e-13) << i;
  EXPECT_NEAR(s.energy, 0.5 * m.h * m.n * sz, 1e-13);
  for (int k = 0; k < m.n; ++k)
    for (int l = 0; l < m.n; ++l)
      if (k != l) EXPECT_LT(std::abs(s.c[k * m.n + l]), 1e-13) << k << " " << l;
}

TEST(XXChain, SteadyStateMatchesExactTwoPointFunctionsAtSixSites) {
  expect_steady_state_matches_exact_two_point_function(6);
}

TEST(XXChain, SteadyStateMatchesExactTwoPointFunctionsAtEightSites) {
  expect_steady_state_matches_exact_two_point_function(8);
}

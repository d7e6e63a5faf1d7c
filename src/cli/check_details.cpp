#include "qcoll/cli/check_details.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "qcoll/collide/ancilla_state.hpp"
#include "qcoll/derive/initial_state.hpp"
#include "qcoll/tasks/resources.hpp"

namespace qcoll {
namespace {

// Points whose decks are re-read for the per-point checks (each costs a
// deck load); beyond this the checks use the deck's own values.
constexpr std::size_t kMaxPointsChecked = 20000;

std::string num(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", x);
  return text;
}

std::string values_text(const std::vector<double>& v) {
  if (v.empty()) return "no values";
  if (v.size() <= 8) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + num(v[i]);
    return out + "]";
  }
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return std::to_string(v.size()) + " values from " + num(*lo) + " to " + num(*hi);
}

std::string initial_kind(const InitialState& s) {
  using K = InitialState::Kind;
  switch (s.kind) {
    case K::Ground:
      return "the ground state of H_S";
    case K::Excited:
      return "the highest eigenstate of H_S";
    case K::MaximallyMixed:
      return "maximally mixed (identity / d)";
    case K::Thermal:
      return "thermal state of H_S at beta = " + num(s.beta);
    case K::Basis:
      return "basis state |" + std::to_string(s.index) + ">";
    case K::Product: {
      std::string out = "product state |";
      for (std::size_t i = 0; i < s.product.size(); ++i)
        out += (i ? "," : "") + std::to_string(s.product[i]);
      return out + ">";
    }
  }
  return "?";
}

// Whether a swept key can change what `what` depends on: the system's size
// ("system") or a species ("species"); [params] can change anything.
bool sweep_touches(const SweepSettings& sweep, const std::string& what) {
  for (const SweepAxis& a : sweep.axes)
    if (a.key.rfind("params.", 0) == 0 || a.key.rfind(what + ".", 0) == 0) return true;
  return false;
}

std::string point_text(const SweepSettings& sweep, std::size_t k) {
  std::string out = "point " + std::to_string(k) + " (";
  const std::vector<Override> o = sweep_overrides(sweep, k);
  for (std::size_t i = 0; i < o.size(); ++i) out += (i ? ", " : "") + o[i].key + " = " + o[i].value;
  return out + ")";
}

// Per species: |lambda| / bound at the deck's largest tau over the points.
std::string lambda_bounds(const Deck& deck) {
  const SweepSettings& sweep = *deck.sweep;
  if (deck.collide.tau.empty()) return {};
  const double tau = *std::max_element(deck.collide.tau.begin(), deck.collide.tau.end());
  const std::size_t ns = deck.model.species.size();
  const bool per_point = sweep_touches(sweep, "species") && sweep.count() <= kMaxPointsChecked;
  const std::size_t points = per_point ? sweep.count() : 1;
  struct Range {
    double lo = std::numeric_limits<double>::infinity(), hi = 0, ratio = 0;
    std::size_t beyond = 0, first = 0;
    bool any = false;
  };
  std::vector<Range> r(ns);
  for (std::size_t k = 0; k < points; ++k) {
    const Deck point = per_point ? with_overrides(deck, sweep_overrides(sweep, k)) : deck;
    for (std::size_t j = 0; j < ns && j < point.model.species.size(); ++j) {
      const Species& s = point.model.species[j];
      if (s.lambda == 0) continue;
      const double bound = max_admissible_lambda(s, tau);
      Range& x = r[j];
      x.any = true;
      x.lo = std::min(x.lo, bound);
      x.hi = std::max(x.hi, bound);
      const double ratio = std::abs(s.lambda) / bound;
      x.ratio = std::max(x.ratio, ratio);
      if (ratio > 1 && x.beyond++ == 0) x.first = k;
    }
  }
  std::string out;
  for (std::size_t j = 0; j < ns; ++j) {
    const Range& x = r[j];
    if (!x.any) continue;
    const std::string bound = std::isinf(x.hi) ? std::string("unbounded")
                              : x.lo == x.hi   ? num(x.lo)
                                               : num(x.lo) + " ... " + num(x.hi);
    out += "    species " + deck.model.species[j].name + ": bound " + bound + "; ";
    if (x.beyond == 0)
      out += "within it at every point (largest |lambda| / bound = " + num(x.ratio) + ")\n";
    else
      out += "beyond it at " + std::to_string(x.beyond) + " of " + std::to_string(points) +
             " points (first: " + point_text(sweep, x.first) + "); collide refuses those points\n";
  }
  if (out.empty()) return {};
  return "  lambda against its admissible bound (rho_A >= 0) at tau = " + num(tau) +
         ", the deck's largest [collide] tau (the master equation needs no bound)" +
         (per_point ? "" : ", the same at every point") + ":\n" + out;
}

}  // namespace

std::string describe_initial_state(const Model& model, const MasterEquation& me) {
  std::string out = "initial state (evolve, collide): " + initial_kind(model.initial);
  const index_t d = me.dim;
  if (d > 1024) return out + "\n";  // a diagonalisation of H_S would take long
  const InitialDensity rho(model, me.hamiltonian);
  const CsrMatrix& h = me.hamiltonian;
  double energy = 0, purity = 0;
  for (index_t i = 0; i < h.rows(); ++i)
    for (index_t p = h.rowptr()[i]; p < h.rowptr()[i + 1]; ++p)
      energy += std::real(h.values()[p] * rho(h.colind()[p], i));
  for (index_t j = 0; j < d; ++j)
    for (index_t i = 0; i < d; ++i) purity += std::norm(rho(i, j));
  return out + ", <H_S> = " + num(energy) + ", purity " + num(purity) + "\n";
}

std::string describe_sweep(const Deck& deck) {
  if (!deck.sweep) return {};
  const SweepSettings& sweep = *deck.sweep;
  std::string out = "sweep: " + std::to_string(sweep.count()) + " points";
  if (sweep.axes.size() > 1) {
    out += ", " + sweep.mode + " of " + std::to_string(sweep.axes.size()) + " axes";
    if (sweep.mode == "grid") {
      std::string shape;
      for (const SweepAxis& a : sweep.axes)
        shape += (shape.empty() ? "" : " x ") + std::to_string(a.values.size());
      out += " (" + shape + ")";
    }
  }
  out += "\n";
  for (const SweepAxis& a : sweep.axes) out += "  " + a.key + ": " + values_text(a.values) + "\n";
  return out + lambda_bounds(deck);
}

std::string describe_output_size(const Deck& deck, const std::string& task, index_t d) {
  // evolve, collide and steady sweeps: the growth estimate (output_growth.hpp).
  const std::size_t points = deck.sweep ? deck.sweep->count() : 1;
  if (task == "steady" && !deck.sweep)
    return "output: steady writes the steady state rho: about " +
           human_bytes(static_cast<double>(d) * static_cast<double>(d) * 16.0) + "\n";
  if (task == "spectrum")
    return "output: spectrum writes " + std::to_string(deck.steady.nev) + " eigenvalues" +
           (points > 1 ? " per point (" + std::to_string(points) + " points)" : std::string()) +
           ": about " + human_bytes(static_cast<double>(points) * (48.0 * deck.steady.nev + 4096)) +
           "\n";
  return {};
}

std::string unit_hints(const MasterEquation& me) {
  std::string out;
  for (const SpeciesTerms& s : me.species) {
    if (!(s.beta > 0) || std::isinf(s.beta) || s.energies.size() < 2) continue;
    const double scale = std::max(std::abs(s.energies.front()), std::abs(s.energies.back()));
    double spacing = std::numeric_limits<double>::infinity();
    for (std::size_t i = 1; i < s.energies.size(); ++i) {
      const double gap = s.energies[i] - s.energies[i - 1];
      if (gap > 1e-12 * std::max(1.0, scale)) spacing = std::min(spacing, gap);
    }
    if (std::isinf(spacing)) continue;  // H_A = 0 (or a multiple of 1): no spacing
    const double bandwidth = s.energies.back() - s.energies.front();
    if (s.beta * spacing > 100)
      out += "note: species " + s.name +
             ": beta * (ancilla level spacing) = " + num(s.beta * spacing) +
             ": its ancillas are in their ground state (excited populations below exp(-100)). "
             "beta is the inverse temperature (k_B = 1): for a temperature T write beta = 1/T; "
             "for T = 0 write beta = inf, which silences this note.\n";
    else if (s.beta * bandwidth < 0.01)
      out += "note: species " + s.name +
             ": beta * (ancilla bandwidth) = " + num(s.beta * bandwidth) +
             ": its ancillas are at practically infinite temperature (all levels equally "
             "populated to 1%). beta is the inverse temperature (k_B = 1): for a temperature T "
             "write beta = 1/T; for infinite temperature write beta = 0, which silences this "
             "note.\n";
  }
  return out;
}

}  // namespace qcoll

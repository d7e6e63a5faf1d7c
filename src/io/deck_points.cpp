#include "qcoll/io/deck_points.hpp"

#include "qcoll/io/deck_problem.hpp"

namespace qcoll {

DeckPoints::DeckPoints(const Deck& deck, bool sweep)
    : deck_(deck), sweep_(sweep && deck.sweep.has_value()) {}

std::size_t DeckPoints::count() const {
  return sweep_ ? deck_.sweep->count() : 1;
}

std::shared_ptr<const Problem> DeckPoints::load(std::size_t k) const {
  if (!sweep_) return std::make_shared<const Problem>(prepare_problem(deck_));
  const Deck point = with_overrides(deck_, sweep_overrides(*deck_.sweep, k));
  return std::make_shared<const Problem>(prepare_problem(point));
}

namespace {

// Whether `key` is species.<name>.lambda of a species of `model`.
bool is_lambda_key(const std::string& key, const Model& model) {
  const std::string head = "species.", tail = ".lambda";
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
  for (const Species& s : model.species)
    if (s.name == name) return true;
  return false;
}

// "key = value, ..." of point k's overrides.
std::string describe(const std::vector<Override>& overrides) {
  std::string out;
  for (const Override& o : overrides) out += (out.empty() ? "" : ", ") + o.key + " = " + o.value;
  return out;
}

}  // namespace

bool DeckPoints::only_lambdas_change() const {
  if (!sweep_) return true;
  for (const SweepAxis& a : deck_.sweep->axes)
    if (!is_lambda_key(a.key, deck_.model)) return false;
  return true;
}

std::vector<SweepAxisValues> DeckPoints::axes() const {
  if (!sweep_) return {};
  const SweepSettings& sweep = *deck_.sweep;
  std::vector<SweepAxisValues> out;
  for (const SweepAxis& a : sweep.axes) out.push_back({a.key, {}, a.values});
  for (std::size_t k = 0; k < sweep.count(); ++k) {
    const std::vector<std::size_t> at = sweep.axis_index(k);
    for (std::size_t i = 0; i < at.size(); ++i)
      out[i].values.push_back(sweep.axes[i].values[at[i]]);
  }
  return out;
}

std::vector<std::string> DeckPoints::overrides(std::size_t k) const {
  if (!sweep_) return {};
  std::vector<std::string> out;
  for (const Override& o : sweep_overrides(*deck_.sweep, k)) out.push_back(o.key + "=" + o.value);
  return out;
}

std::size_t check_sweep_points(const Deck& deck, std::optional<long long> only) {
  if (!deck.sweep) return 0;
  const SweepSettings& sweep = *deck.sweep;
  std::size_t largest = only ? static_cast<size_t>(*only) : 0;
  index_t largest_dim = 0;
  for (size_t k = 0; k < sweep.count(); ++k) {
    if (only && static_cast<size_t>(*only) != k) continue;
    const std::vector<Override> o = sweep_overrides(sweep, k);
    try {
      const index_t d = with_overrides(deck, o).model.dimension();
      if (d > largest_dim) {
        largest_dim = d;
        largest = k;
      }
    } catch (const InputError& e) {
      throw InputError(
          "point " + std::to_string(k) + " (" + describe(o) + ") is not a valid deck: " + e.what(),
          sweep.axes.size() == 1 ? "sweep.values" : "sweep.axis");
    }
  }
  return largest;
}

}  // namespace qcoll

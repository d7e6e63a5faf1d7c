#include "qcoll/io/deck_points.hpp"

#include "qcoll/io/deck_problem.hpp"

namespace qcoll {

DeckPoints::DeckPoints(const Deck& deck, bool sweep)
    : deck_(deck), sweep_(sweep && deck.sweep.has_value()) {}

std::size_t DeckPoints::count() const {
  return sweep_ ? deck_.sweep->values.size() : 1;
}

std::shared_ptr<const Problem> DeckPoints::load(std::size_t k) const {
  if (!sweep_) return std::make_shared<const Problem>(prepare_problem(deck_));
  const Deck point = with_override(deck_, sweep_override(*deck_.sweep, k));
  return std::make_shared<const Problem>(prepare_problem(point));
}

bool DeckPoints::only_lambdas_change() const {
  if (!sweep_) return true;
  const std::string& key = deck_.sweep->key;
  const std::string head = "species.", tail = ".lambda";
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return false;
  const std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
  for (const Species& s : deck_.model.species)
    if (s.name == name) return true;
  return false;
}

std::vector<SweepAxisValues> DeckPoints::axes() const {
  if (!sweep_) return {};
  return {SweepAxisValues{deck_.sweep->key, deck_.sweep->values}};
}

std::vector<std::string> DeckPoints::overrides(std::size_t k) const {
  if (!sweep_) return {};
  const Override o = sweep_override(*deck_.sweep, k);
  return {o.key + "=" + o.value};
}

std::size_t check_sweep_points(const Deck& deck, std::optional<long long> only) {
  if (!deck.sweep) return 0;
  const SweepSettings& sweep = *deck.sweep;
  std::size_t largest = only ? static_cast<size_t>(*only) : 0;
  index_t largest_dim = 0;
  for (size_t k = 0; k < sweep.values.size(); ++k) {
    if (only && static_cast<size_t>(*only) != k) continue;
    const Override o = sweep_override(sweep, k);
    try {
      const index_t d = with_override(deck, o).model.dimension();
      if (d > largest_dim) {
        largest_dim = d;
        largest = k;
      }
    } catch (const InputError& e) {
      throw InputError("point " + std::to_string(k) + " (" + o.key + " = " + o.value +
                           ") is not a valid deck: " + e.what(),
                       "sweep.values");
    }
  }
  return largest;
}

}  // namespace qcoll

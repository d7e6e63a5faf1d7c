#pragma once
// The points of a deck: its own point, or with [sweep] every point of the
// sweep, each the deck re-loaded with the point's overrides.
#include <optional>

#include "qcoll/io/deck.hpp"
#include "qcoll/problem/point_source.hpp"

namespace qcoll {

class DeckPoints final : public PointSource {
 public:
  // `deck` must outlive this object. `sweep`: false runs the deck's own
  // values even if it has a [sweep] (tasks that do not sweep).
  explicit DeckPoints(const Deck& deck, bool sweep = true);
  bool is_sweep() const override { return sweep_; }
  std::size_t count() const override;
  std::shared_ptr<const Problem> load(std::size_t k) const override;
  bool only_lambdas_change() const override;
  std::vector<SweepAxisValues> axes() const override;
  std::string mode() const override { return sweep_ ? deck_.sweep->mode : "grid"; }
  std::vector<std::string> overrides(std::size_t k) const override;

 private:
  const Deck& deck_;
  bool sweep_ = false;
};

// Throws InputError (key sweep.values, naming the point and its value)
// unless the deck with the override of every [sweep] point (or only of point
// `only`) is valid; cheap (decks only), so a sweep fails before it starts
// instead of at the bad point. Does nothing for a deck without [sweep].
// Returns the index of the point checked whose system has the largest
// Hilbert-space dimension (the first of equals; a sweep of the chain length
// grows it), 0 without [sweep].
std::size_t check_sweep_points(const Deck& deck, std::optional<long long> only);

}  // namespace qcoll

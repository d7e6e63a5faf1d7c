#pragma once
// Where two decks differ, key by key (e.g. a restart's deck against the deck
// its checkpoint was written with).
#include <string>
#include <vector>

namespace qcoll {

struct DeckDifference {
  std::string key;            // dotted, species by name: "species.hot.lambda", "collide.tau"
  std::string first, second;  // the values as TOML text, "not set" when missing
};

// The keys whose values differ between the TOML texts `first` and `second`
// (Deck::toml), in key order, leaving out the top-level keys and tables named
// in `ignored`. Arrays of tables are compared entry by entry (by `name` when
// the entries have one), other arrays as a whole. Throws InputError when a
// text is not TOML.
std::vector<DeckDifference> deck_differences(const std::string& first, const std::string& second,
                                             const std::vector<std::string>& ignored);

}  // namespace qcoll

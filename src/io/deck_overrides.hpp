#pragma once
// Private to the deck loader: applying `--set KEY=VALUE` to the parsed deck.
#include "deck_reader.hpp"

namespace qcoll::deck_detail {

// Sets the value at the override's dotted key (species.<name>.<key> addresses
// the [[species]] entry with that name), creating missing tables. The value's
// nodes carry kCommandLineSource as their source.
void apply_override(const Context& ctx, toml::table& root, const Override& override);

}  // namespace qcoll::deck_detail

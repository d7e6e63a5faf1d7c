#pragma once
// Private to the deck loader: [run], [evolve], [steady], [collide],
// [checkpoint] and [sweep].
#include <optional>

#include "deck_reader.hpp"
#include "qcoll/io/deck.hpp"

namespace qcoll::deck_detail {

RunSettings read_run(Context& ctx, const toml::table& root);
// Also reads evolve.observables into model.observables.
EvolveSettings read_evolve(Context& ctx, const toml::table& root, const Parameters& params,
                           Model& model);
SteadySettings read_steady(Context& ctx, const toml::table& root);
// [machine] hot, cold: species names of the deck.
MachineSettings read_machine(Context& ctx, const toml::table& root, const Model& model);
CollideSettings read_collide(Context& ctx, const toml::table& root);
CheckpointSettings read_checkpoint(Context& ctx, const toml::table& root);
// The sweep key must name a number in the deck, or a valid key not yet set.
std::optional<SweepSettings> read_sweep(Context& ctx, const toml::table& root);

}  // namespace qcoll::deck_detail

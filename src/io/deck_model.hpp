#pragma once
// Private to the deck loader: the parts of the deck that make up the Model.
#include <string>
#include <vector>

#include "deck_reader.hpp"
#include "qcoll/model/expression.hpp"
#include "qcoll/model/model.hpp"

namespace qcoll::deck_detail {

// Largest system Hilbert-space dimension and ancilla dimension accepted.
inline constexpr index_t kMaxSystemDimension = index_t{1} << 30;
inline constexpr index_t kMaxAncillaDimension = 64;

// [params]: numbers, or expressions over other parameters (any order, no cycles).
Parameters read_params(Context& ctx, const toml::table& root);

// [system]: sites (or a model preset) and H_S, checked Hermitian.
void read_system(Context& ctx, const toml::table& root, const Parameters& params, Model& model);

// system.model = { name = "xxz_chain", ... }: fills the sites and H_S terms.
void read_model_preset(Context& ctx, const toml::node& node, const std::string& key,
                       const Parameters& params, std::vector<LocalSpace>& sites, OpSum& terms);

// [[species]]: ancilla, H_A, temperature, coupling, lambda, chi.
void read_species(Context& ctx, const toml::table& root, const Parameters& params, Model& model);

// [initial]: the initial state of the system.
void read_initial(Context& ctx, const toml::table& root, Model& model);

// evolve.observables = [{ name = "...", terms = [...] }, ...]
std::vector<Observable> read_observables(Context& ctx, const toml::node& node,
                                         const std::string& key, const Parameters& params,
                                         const std::vector<LocalSpace>& sites);

// beta or temperature (exactly one, both >= 0; temperature 0 -> beta = inf).
double read_inverse_temperature(const TableReader& table);

// A local space from its label, failing at `key` with the accepted forms.
LocalSpace read_local_space(const Context& ctx, const toml::node& node, const std::string& key);

}  // namespace qcoll::deck_detail

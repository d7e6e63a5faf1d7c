// [sweep]: one deck key scanned over a list of values.
#include <algorithm>
#include <cmath>

#include "deck_schema.hpp"
#include "deck_settings.hpp"
#include "deck_values.hpp"

namespace qcoll::deck_detail {

namespace {

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

const toml::table* find_species(const toml::table& root, const std::string& name) {
  const toml::array* list = root.get_as<toml::array>("species");
  if (!list) return nullptr;
  for (const toml::node& entry : *list) {
    const toml::table* t = entry.as_table();
    const toml::node* n = t ? t->get("name") : nullptr;
    if (n && n->is_string() && n->as_string()->get() == name) return t;
  }
  return nullptr;
}

// Checks that the sweep key names a number in the deck, or a valid key of a
// known table that is not set yet.
void check_sweep_key(const TableReader& reader, const toml::table& root, const std::string& key) {
  const std::vector<std::string> parts = split_key(key);
  for (const auto& p : parts) {
    if (p.empty()) reader.fail("key", "\"" + key + "\" is not a dotted deck key");
  }
  const toml::table* table = &root;
  std::string kind;  // table path with species entries collapsed
  std::size_t i = 0;
  if (parts[0] == "sweep") reader.fail("key", "the sweep cannot scan its own settings");
  if (parts[0] == "species") {
    if (parts.size() < 3) {
      reader.fail("key", "a species key is species.<name>.<key>, got \"" + key + "\"");
    }
    table = find_species(root, parts[1]);
    if (!table) reader.fail("key", "there is no species named \"" + parts[1] + "\"");
    kind = "species";
    i = 2;
  }
  for (; i + 1 < parts.size(); ++i) {
    kind += (kind.empty() ? "" : ".") + parts[i];
    const toml::node* next = table ? table->get(parts[i]) : nullptr;
    if (next && !next->is_table()) {
      reader.fail(
          "key", "\"" + key + "\" does not name a number: " + parts[i] + " is " + type_name(*next));
    }
    if (!keys_of_table(kind)) reader.fail("key", "\"" + key + "\" does not name a deck key");
    table = next ? next->as_table() : nullptr;
  }
  const std::string& leaf = parts.back();
  const toml::node* target = table ? table->get(leaf) : nullptr;
  if (target && !target->is_number()) {
    reader.fail("key", "\"" + key + "\" does not name a number; it is " + type_name(*target));
  }
  const KeyList* valid = keys_of_table(kind);
  const bool known =
      valid && (valid->empty() || std::find(valid->begin(), valid->end(), leaf) != valid->end());
  if (!target && !known) reader.fail("key", "\"" + key + "\" does not name a deck key");
}

std::vector<double> linspace(const TableReader& reader) {
  for (const char* k : {"start", "stop", "count"}) {
    if (!reader.has(k)) {
      reader.missing(k, "either values = [...] or start, stop and count for evenly spaced values");
    }
  }
  const double start = *reader.number("start"), stop = *reader.number("stop");
  if (!std::isfinite(start)) reader.fail("start", "expected a finite number");
  if (!std::isfinite(stop)) reader.fail("stop", "expected a finite number");
  const index_t count = reader.integer_at_least("count", 1, 1);
  // Every point is a full run; the bound also keeps the value list allocatable.
  constexpr index_t kMaxCount = 100000;
  if (count > kMaxCount) {
    reader.fail("count", "expected at most " + std::to_string(kMaxCount) + " sweep points, got " +
                             std::to_string(count));
  }
  std::vector<double> values(static_cast<std::size_t>(count), start);
  for (index_t k = 1; k < count; ++k) values[k] = start + (stop - start) * k / (count - 1);
  if (count > 1) values.back() = stop;
  return values;
}

// One axis: key with values or start/stop/count, from the table `reader` reads.
SweepAxis read_axis(Context& ctx, const TableReader& reader, const toml::table& root) {
  SweepAxis axis;
  if (!reader.has("key")) {
    reader.missing("key", "the dotted deck key to scan, e.g. \"species.hot.lambda\"");
  }
  axis.key = *reader.string("key");
  check_sweep_key(reader, root, axis.key);
  const bool range = reader.has("start") || reader.has("stop") || reader.has("count");
  if (const toml::array* values = reader.array("values")) {
    if (range) reader.fail("values", "give either values or start/stop/count, not both");
    if (values->empty()) reader.fail("values", "expected at least one value");
    for (const toml::node& v : *values) {
      axis.values.push_back(read_number(ctx, v, reader.key_of("values")));
    }
  } else {
    axis.values = linspace(reader);
  }
  return axis;
}

}  // namespace

std::optional<SweepSettings> read_sweep(Context& ctx, const toml::table& root) {
  const toml::node* node = root.get("sweep");
  if (!node) return std::nullopt;
  TableReader reader(ctx, read_table(ctx, *node, "sweep"), "sweep", kSweepKeys);
  SweepSettings sweep;
  const toml::array* axes = reader.array("axis");
  if (!axes) {
    if (reader.has("mode"))
      reader.fail("mode", "mode combines several [[sweep.axis]]; this [sweep] has one key");
    sweep.axes.push_back(read_axis(ctx, reader, root));
    sweep.key = sweep.axes[0].key;
    sweep.values = sweep.axes[0].values;
    return sweep;
  }
  for (const char* k : {"key", "values", "start", "stop", "count"})
    if (reader.has(k))
      reader.fail(k, "give either one key in [sweep] or several [[sweep.axis]] tables, not both");
  sweep.mode = reader.choice("mode", "grid", {"grid", "zip"});
  if (axes->empty()) reader.fail("axis", "expected at least one [[sweep.axis]]");
  for (std::size_t i = 0; i < axes->size(); ++i) {
    const std::string key = "sweep.axis[" + std::to_string(i) + "]";
    TableReader axis(ctx, read_table(ctx, *axes->get(i), key), key, kSweepAxisKeys);
    sweep.axes.push_back(read_axis(ctx, axis, root));
    for (std::size_t j = 0; j < i; ++j)
      if (sweep.axes[j].key == sweep.axes[i].key)
        axis.fail("key", "\"" + sweep.axes[i].key + "\" is already swept by sweep.axis[" +
                             std::to_string(j) + "]");
    if (sweep.mode == "zip" && sweep.axes[i].values.size() != sweep.axes[0].values.size())
      axis.fail("values", "mode = \"zip\" needs axes of equal length: " +
                              std::to_string(sweep.axes[i].values.size()) + " values here, " +
                              std::to_string(sweep.axes[0].values.size()) + " in sweep.axis[0] (" +
                              sweep.axes[0].key + ")");
  }
  // Every point is a full run; the bound also keeps the point list allocatable.
  constexpr double kMaxPoints = 100000;
  double points = sweep.mode == "zip" ? static_cast<double>(sweep.axes[0].values.size()) : 1.0;
  if (sweep.mode != "zip")
    for (const SweepAxis& a : sweep.axes) points *= static_cast<double>(a.values.size());
  if (points > kMaxPoints)
    reader.fail("axis", "the grid has " + std::to_string(static_cast<long long>(points)) +
                            " points; at most " +
                            std::to_string(static_cast<long long>(kMaxPoints)) + " are allowed");
  return sweep;
}

}  // namespace qcoll::deck_detail

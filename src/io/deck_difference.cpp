#include "qcoll/io/deck_difference.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "qcoll/model/types.hpp"

namespace qcoll {
namespace {

using FlatDeck = std::map<std::string, std::string>;

std::string number_text(double x) {
  char buf[32];
  for (int digits = 15; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  return buf;
}

// TOML-like text of a value, floats in their shortest exact form.
std::string as_text(const toml::node& node) {
  if (const auto* x = node.as_floating_point()) return number_text(x->get());
  if (const toml::array* a = node.as_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < a->size(); ++i) out += (i ? ", " : "") + as_text((*a)[i]);
    return out + "]";
  }
  if (const toml::table* t = node.as_table()) {
    std::string out = "{";
    for (const auto& [name, value] : *t)
      out += (out.size() > 1 ? ", " : " ") + std::string(name.str()) + " = " + as_text(value);
    return out + (out.size() > 1 ? " }" : "}");
  }
  std::ostringstream os;
  node.visit([&os](const auto& n) { os << n; });
  return os.str();
}

bool all_tables(const toml::array& a) {
  return !a.empty() &&
         std::all_of(a.begin(), a.end(), [](const toml::node& e) { return e.is_table(); });
}

void flatten(const toml::node& node, const std::string& key, FlatDeck& out) {
  const toml::array* array = node.as_array();
  if (const toml::table* table = node.as_table()) {
    if (table->empty()) out[key] = "{}";
    for (const auto& [name, value] : *table)
      flatten(value, key.empty() ? std::string(name.str()) : key + "." + std::string(name.str()),
              out);
  } else if (array && all_tables(*array)) {
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::table& entry = *(*array)[i].as_table();
      const auto name = entry["name"].value<std::string>();
      flatten(entry, name ? key + "." + *name : key + "[" + std::to_string(i) + "]", out);
    }
  } else {
    out[key] = as_text(node);
  }
}

FlatDeck flat_deck(const std::string& text, const std::vector<std::string>& ignored) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view("deck"));
  } catch (const toml::parse_error& e) {
    throw InputError(std::string("a stored deck is not TOML: ") + std::string(e.description()));
  }
  for (const std::string& name : ignored) root.erase(name);
  FlatDeck out;
  flatten(root, "", out);
  return out;
}

}  // namespace

std::vector<DeckDifference> deck_differences(const std::string& first, const std::string& second,
                                             const std::vector<std::string>& ignored) {
  const FlatDeck a = flat_deck(first, ignored), b = flat_deck(second, ignored);
  const std::string absent = "not set";
  std::vector<DeckDifference> out;
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      out.push_back({ia->first, ia->second, absent});
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      out.push_back({ib->first, absent, ib->second});
      ++ib;
    } else {
      if (ia->second != ib->second) out.push_back({ia->first, ia->second, ib->second});
      ++ia;
      ++ib;
    }
  }
  return out;
}

}  // namespace qcoll

// `--set KEY=VALUE` overrides.
#include "deck_overrides.hpp"

#include <cstdio>
#include <regex>
#include <type_traits>

namespace qcoll::deck_detail {

namespace {

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// VALUE as a TOML basic string literal.
std::string quoted(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The override's value as a TOML node: VALUE parsed as TOML, or the text
// itself as a string when it is not a single valid TOML value.
// Whether VALUE is written like a number (digits with an optional sign,
// fraction and exponent): one TOML cannot hold (an integer beyond 64 bits) is
// an error, not a string.
bool looks_numeric(const std::string& value) {
  static const std::regex number(R"([+-]?[0-9][0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9_]+)?)");
  return std::regex_match(value, number);
}

toml::table parse_value(const std::string& value) {
  // (A value with an overlong dotted key, which toml++ cannot parse safely,
  // is taken as a string.)
  if (!line_of_overlong_key(value)) {
    try {
      toml::table parsed = toml::parse("v = " + value, kCommandLineSource);
      if (parsed.size() == 1 && parsed.contains("v")) return parsed;
    } catch (const toml::parse_error&) {
      if (looks_numeric(value)) throw;
    }
  }
  return toml::parse("v = " + quoted(value), kCommandLineSource);
}

// An empty table marked as coming from the command line, for tables an
// override creates.
toml::table command_line_table() {
  toml::table parsed = toml::parse("v = {}", kCommandLineSource);
  toml::table created = std::move(*parsed.get_as<toml::table>("v"));
  created.is_inline(false);
  return created;
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    parts.push_back(trim(key.substr(start, dot - start)));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

toml::table* species_entry(const Context& ctx, toml::table& root, const Override& ov,
                           const std::string& name) {
  std::vector<std::string> names;
  if (toml::array* list = root.get_as<toml::array>("species")) {
    for (toml::node& entry : *list) {
      toml::table* t = entry.as_table();
      const toml::node* n = t ? t->get("name") : nullptr;
      if (!n || !n->is_string()) continue;
      if (n->as_string()->get() == name) return t;
      names.push_back(n->as_string()->get());
    }
  }
  ctx.fail_line(ov.key, kSetOnCommandLine,
                "cannot apply --set " + ov.key + "=" + ov.value + ": there is no species named \"" +
                    name + "\"" +
                    (names.empty() ? " (the deck has no species)"
                                   : "; the deck's species are: " + join(names)));
}

}  // namespace

void apply_override(const Context& ctx, toml::table& root, const Override& ov) {
  const std::vector<std::string> parts = split_key(ov.key);
  auto fail = [&](const std::string& why) {
    ctx.fail_line(ov.key, kSetOnCommandLine,
                  "cannot apply --set " + ov.key + "=" + ov.value + ": " + why);
  };
  // Deck keys have at most 3 parts (species.<name>.<key>); a very deep key
  // would nest tables deep enough to overflow the stack when printed.
  if (parts.size() > kMaxKeyParts) {
    fail("the key has " + std::to_string(parts.size()) + " dotted parts; deck keys have at most " +
         std::to_string(kMaxKeyParts));
  }
  for (const auto& p : parts) {
    if (p.empty()) fail("the key must be a dotted path such as evolve.t_final");
  }
  toml::table* table = &root;
  std::size_t i = 0;
  if (parts[0] == "species" && parts.size() > 1) {
    if (parts.size() == 2) fail("a species key is species.<name>.<key>, e.g. species.hot.lambda");
    table = species_entry(ctx, root, ov, parts[1]);
    i = 2;
  }
  for (; i + 1 < parts.size(); ++i) {
    toml::node* next = table->get(parts[i]);
    if (!next) next = table->insert(parts[i], command_line_table()).first->second.as_table();
    if (!next->is_table()) {
      fail(parts[i] + " is " + type_name(*next) + ", not a table, so it has no key " +
           parts[i + 1]);
    }
    table = next->as_table();
  }
  toml::table parsed;
  try {
    parsed = parse_value(ov.value);
  } catch (const toml::parse_error& e) {  // a number TOML cannot hold, or invalid UTF-8
    fail(looks_numeric(ov.value)
             ? "the value " + ov.value + " is not a number TOML can hold (" +
                   std::string(e.description()) +
                   "; TOML integers are 64-bit, floats at most 1.8e308)"
             : "the value is not valid text (" + std::string(e.description()) + ")");
  }
  toml::node& value = *parsed.get("v");
  const std::string& leaf = parts.back();
  if (auto* t = value.as_table()) {
    table->insert_or_assign(leaf, std::move(*t));
  } else if (auto* a = value.as_array()) {
    table->insert_or_assign(leaf, std::move(*a));
  } else {
    value.visit([&](auto& v) {
      using T = std::decay_t<decltype(v)>;
      if constexpr (!std::is_same_v<T, toml::table> && !std::is_same_v<T, toml::array>)
        table->insert_or_assign(leaf, std::move(v));
    });
  }
}

}  // namespace qcoll::deck_detail

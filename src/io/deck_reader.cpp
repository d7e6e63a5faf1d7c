// Error reporting and typed table access for the deck loader.
#include "deck_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>

namespace qcoll::deck_detail {

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string compose_message(const std::string& path, const std::string& key, int line,
                            const std::string& message) {
  std::string out = path;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (line > 0) add("line " + std::to_string(line));
  if (key == "command line")
    add(key);
  else if (!key.empty() && key.front() == '-')
    add("option " + key);  // a command-line option such as -o
  else if (!key.empty())
    add("key " + key);
  if (line == kSetOnCommandLine) out += " (set on the command line with --set)";
  std::string text = (out.empty() ? "" : out + ": ") + message;
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// The 1-based line of the first dotted key (or table name) with more than
// kMaxKeyParts parts, or 0. A lexical scan that skips comments and strings
// and counts the dots in runs `part . part . part` (a float such as 1.5 is a
// run of one dot).
int line_of_overlong_key(const std::string& text) {
  enum class Last { Other, Part, Dot } last = Last::Other;
  auto bare = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
  };
  int line = 1;
  std::size_t dots = 0;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t') continue;
    if (c == '\n') {
      ++line;
      dots = 0;
      last = Last::Other;
    } else if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
    } else if (c == '.') {
      if (last == Last::Part && ++dots >= kMaxKeyParts) return line;
      last = Last::Dot;
    } else if (c == '"' || c == '\'' || bare(c)) {
      if (last != Last::Dot) dots = 0;
      last = Last::Part;
      if (bare(c)) {
        while (i + 1 < n && bare(text[i + 1])) ++i;
        continue;
      }
      // A string: skip to its end (multi-line strings may span lines).
      const bool multi = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      i += multi ? 3 : 1;
      for (; i < n; ++i) {
        if (text[i] == '\n') {
          if (!multi) break;
          ++line;
        } else if (c == '"' && text[i] == '\\') {
          if (multi && i + 1 < n && text[i + 1] == '\n') ++line;
          ++i;
        } else if (text[i] == c && (!multi || text.compare(i, 3, std::string(3, c)) == 0)) {
          i += multi ? 2 : 0;
          break;
        }
      }
      if (i < n && text[i] == '\n') --i;  // the newline is handled by the loop
    } else {
      dots = 0;
      last = Last::Other;
    }
  }
  return 0;
}

std::string type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date/time";
  }
}

int Context::line_of(const toml::node* node) {
  if (!node) return 0;
  const auto& src = node->source();
  if (src.path && *src.path == kCommandLineSource) return kSetOnCommandLine;
  return static_cast<int>(src.begin.line);
}

void Context::record(const std::string& key, const toml::node* node) {
  const int line = line_of(node);
  if (line != 0) key_lines_[key] = line;
}

void Context::fail(const std::string& key, const toml::node* node,
                   const std::string& message) const {
  fail_line(key, line_of(node), message);
}

void Context::fail_line(const std::string& key, int line, const std::string& message) const {
  throw DeckError(compose_message(path_, key, line, message), key, line);
}

double read_number(const Context& ctx, const toml::node& node, const std::string& key) {
  double v = 0.0;
  if (auto i = node.as_integer()) {
    v = static_cast<double>(i->get());
  } else if (auto f = node.as_floating_point()) {
    v = f->get();
  } else {
    ctx.fail(key, &node, "expected a number, got " + type_name(node));
  }
  if (std::isnan(v)) ctx.fail(key, &node, "expected a number, got nan");
  return v;
}

index_t read_integer(const Context& ctx, const toml::node& node, const std::string& key) {
  if (auto i = node.as_integer()) return i->get();
  if (auto f = node.as_floating_point()) {
    const double v = f->get();
    if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 9e15)
      return static_cast<index_t>(v);
  }
  ctx.fail(key, &node, "expected an integer, got " + type_name(node));
}

bool read_bool(const Context& ctx, const toml::node& node, const std::string& key) {
  if (auto b = node.as_boolean()) return b->get();
  ctx.fail(key, &node, "expected a boolean (true or false), got " + type_name(node));
}

const std::string& read_string(const Context& ctx, const toml::node& node, const std::string& key) {
  if (auto s = node.as_string()) return s->get();
  ctx.fail(key, &node, "expected a string, got " + type_name(node));
}

const toml::array& read_array(const Context& ctx, const toml::node& node, const std::string& key) {
  if (auto a = node.as_array()) return *a;
  ctx.fail(key, &node, "expected an array, got " + type_name(node));
}

const toml::table& read_table(const Context& ctx, const toml::node& node, const std::string& key) {
  if (auto t = node.as_table()) return *t;
  ctx.fail(key, &node, "expected a table, got " + type_name(node));
}

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const bool same = std::tolower(a[i - 1]) == std::tolower(b[j - 1]);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string best;
  std::size_t best_distance = 3;  // suggest only near misses
  for (auto c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) best_distance = d, best = std::string(c);
  }
  return best;
}

}  // namespace

TableReader::TableReader(Context& ctx, const toml::table& table, std::string key,
                         const std::vector<std::string_view>& allowed)
    : ctx_(&ctx), table_(&table), key_(std::move(key)) {
  if (!key_.empty()) ctx.record(key_, &table);
  for (const auto& [name, node] : table) {
    const std::string_view n = name.str();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), n) == allowed.end()) {
      std::vector<std::string> valid(allowed.begin(), allowed.end());
      const std::string guess = closest(n, allowed);
      const std::string where = key_.empty() ? "at the top level of the deck" : "in " + key_;
      ctx.fail(key_of(n), &node,
               "unknown key '" + std::string(n) + "' " + where +
                   (guess.empty() ? "" : " (did you mean '" + guess + "'?)") +
                   "; valid keys: " + join(valid));
    }
    ctx.record(key_of(n), &node);
  }
}

std::string TableReader::key_of(std::string_view name) const {
  return key_.empty() ? std::string(name) : key_ + "." + std::string(name);
}

void TableReader::fail(std::string_view name, const std::string& message) const {
  const toml::node* node = find(name);
  ctx_->fail(key_of(name), node ? node : table_, message);
}

void TableReader::missing(std::string_view name, const std::string& expected) const {
  const std::string where = key_.empty() ? "the deck" : key_;
  ctx_->fail(key_of(name), table_,
             "missing required key '" + std::string(name) + "' in " + where + ": " + expected);
}

std::optional<double> TableReader::number(std::string_view name) const {
  const toml::node* n = find(name);
  if (!n) return std::nullopt;
  return read_number(*ctx_, *n, key_of(name));
}

std::optional<index_t> TableReader::integer(std::string_view name) const {
  const toml::node* n = find(name);
  if (!n) return std::nullopt;
  return read_integer(*ctx_, *n, key_of(name));
}

std::optional<bool> TableReader::boolean(std::string_view name) const {
  const toml::node* n = find(name);
  if (!n) return std::nullopt;
  return read_bool(*ctx_, *n, key_of(name));
}

std::optional<std::string> TableReader::string(std::string_view name) const {
  const toml::node* n = find(name);
  if (!n) return std::nullopt;
  return read_string(*ctx_, *n, key_of(name));
}

const toml::array* TableReader::array(std::string_view name) const {
  const toml::node* n = find(name);
  return n ? &read_array(*ctx_, *n, key_of(name)) : nullptr;
}

const toml::table* TableReader::subtable(std::string_view name) const {
  const toml::node* n = find(name);
  return n ? &read_table(*ctx_, *n, key_of(name)) : nullptr;
}

double TableReader::positive(std::string_view name, double fallback, bool allow_zero) const {
  const auto v = number(name);
  if (!v) return fallback;
  const bool ok = std::isfinite(*v) && (allow_zero ? *v >= 0.0 : *v > 0.0);
  if (!ok) {
    std::ostringstream msg;
    msg << "expected a finite number " << (allow_zero ? ">= 0" : "> 0") << ", got " << *v;
    fail(name, msg.str());
  }
  return *v;
}

index_t TableReader::integer_at_least(std::string_view name, index_t fallback,
                                      index_t minimum) const {
  const auto v = integer(name);
  if (!v) return fallback;
  if (*v < minimum) {
    fail(name, "expected an integer >= " + std::to_string(minimum) + ", got " + std::to_string(*v));
  }
  return *v;
}

std::string TableReader::choice(std::string_view name, const std::string& fallback,
                                const std::vector<std::string>& choices) const {
  const auto v = string(name);
  if (!v) return fallback;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    fail(name, "'" + *v + "' is not a valid " + std::string(name) +
                   "; expected one of: " + join(choices));
  }
  return *v;
}

}  // namespace qcoll::deck_detail

#pragma once
// Private to the deck loader: error reporting with file/line/key, and typed
// access to TOML tables with unknown-key detection.
#include <toml++/toml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "qcoll/io/deck.hpp"

namespace qcoll::deck_detail {

// Source name given to values parsed from `--set`, so they can be recognised.
inline constexpr std::string_view kCommandLineSource = "<qcoll --set>";

// Most dotted parts accepted in one key (deck keys have at most 3, as in
// species.<name>.<key>). toml++ 3.3 parses and prints nested tables
// recursively, so unbounded dotted keys would overflow the stack.
inline constexpr std::size_t kMaxKeyParts = 16;

// The 1-based line of the first dotted key or table name in TOML `text` with
// more than kMaxKeyParts parts (0: none). Checked before toml::parse.
int line_of_overlong_key(const std::string& text);

// "<file>, line <n>, key <key>: <message>" (parts left out when unknown).
std::string compose_message(const std::string& path, const std::string& key, int line,
                            const std::string& message);

// Readable TOML type name of a node ("a string", "an integer", ...).
std::string type_name(const toml::node& node);

// Reports problems with deck values and records where every key was found.
class Context {
 public:
  explicit Context(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  // kSetOnCommandLine, the 1-based source line, or 0 when unknown.
  static int line_of(const toml::node* node);

  void record(const std::string& key, const toml::node* node);
  std::map<std::string, int>& key_lines() { return key_lines_; }

  [[noreturn]] void fail(const std::string& key, const toml::node* node,
                         const std::string& message) const;
  [[noreturn]] void fail_line(const std::string& key, int line, const std::string& message) const;

 private:
  std::string path_;
  std::map<std::string, int> key_lines_;
};

// Typed scalar readers; each fails with the expected type in the message.
double read_number(const Context& ctx, const toml::node& node, const std::string& key);
index_t read_integer(const Context& ctx, const toml::node& node, const std::string& key);
bool read_bool(const Context& ctx, const toml::node& node, const std::string& key);
const std::string& read_string(const Context& ctx, const toml::node& node, const std::string& key);
const toml::array& read_array(const Context& ctx, const toml::node& node, const std::string& key);
const toml::table& read_table(const Context& ctx, const toml::node& node, const std::string& key);

// One TOML table of the deck. Construction fails on keys not in `allowed`
// (naming the closest valid key) and records the line of every key present.
class TableReader {
 public:
  // `allowed` empty: any key is accepted ([params]).
  TableReader(Context& ctx, const toml::table& table, std::string key,
              const std::vector<std::string_view>& allowed);

  Context& context() const { return *ctx_; }
  const toml::table& table() const { return *table_; }
  const std::string& key() const { return key_; }
  int line() const { return Context::line_of(table_); }
  std::string key_of(std::string_view name) const;

  const toml::node* find(std::string_view name) const { return table_->get(name); }
  bool has(std::string_view name) const { return find(name) != nullptr; }

  [[noreturn]] void fail(std::string_view name, const std::string& message) const;
  [[noreturn]] void missing(std::string_view name, const std::string& expected) const;

  std::optional<double> number(std::string_view name) const;
  std::optional<index_t> integer(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;
  std::optional<std::string> string(std::string_view name) const;
  const toml::array* array(std::string_view name) const;
  const toml::table* subtable(std::string_view name) const;

  // Finite number > 0 (or >= 0 with allow_zero), `fallback` when absent.
  double positive(std::string_view name, double fallback, bool allow_zero = false) const;
  // Integer >= minimum, `fallback` when absent.
  index_t integer_at_least(std::string_view name, index_t fallback, index_t minimum) const;
  // One of `choices`, `fallback` when absent.
  std::string choice(std::string_view name, const std::string& fallback,
                     const std::vector<std::string>& choices) const;

 private:
  Context* ctx_;
  const toml::table* table_;
  std::string key_;
};

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");

}  // namespace qcoll::deck_detail

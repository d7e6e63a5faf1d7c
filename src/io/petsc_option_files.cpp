// Options files checked before PETSc reads them, with PETSc 3.18's rules
// (PetscOptionsInsertFilePetsc), so a bad one is an input error, not a traceback.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "qcoll/io/petsc_options.hpp"
#include "qcoll/model/types.hpp"

namespace qcoll {
namespace {

constexpr int kMaxNesting = 10;  // options files naming options files

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// PetscOptionsValidKey (3.18): "-name" or "--name", the name starting with a
// letter and not a number such as -inf.
bool valid_key(const std::string& key) {
  if (key.size() < 2 || key[0] != '-') return false;
  const char* k = key.c_str();
  if (k[1] == '-') ++k;
  if (!std::isalpha(static_cast<unsigned char>(k[1]))) return false;
  char* end = nullptr;
  (void)std::strtod(k, &end);
  return end == k || *end == '_' || std::isalnum(static_cast<unsigned char>(*end));
}

bool names_file(const std::string& key) {
  const std::string k = lower(key);
  return k == "-options_file" || k == "-options_file_yaml";
}

// The tokens of one line of an options file as PETSc splits them: '#' starts
// a comment, blanks separate, "..." is one token (without the quotes).
std::vector<std::string> tokens_of(std::string line) {
  line = line.substr(0, line.find('#'));
  std::vector<std::string> out;
  std::size_t i = 0;
  const std::size_t n = line.size();
  auto blank = [&](std::size_t k) { return std::isspace(static_cast<unsigned char>(line[k])); };
  while (i < n) {
    while (i < n && blank(i)) ++i;
    if (i >= n) break;
    if (line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      out.push_back(line.substr(i + 1, close == std::string::npos ? n : close - i - 1));
      i = close == std::string::npos ? n : close + 1;
    } else {
      std::size_t j = i;
      while (j < n && !blank(j)) ++j;
      out.push_back(line.substr(i, j - i));
      i = j;
    }
  }
  return out;
}

std::string where(const std::string& file, int line) {
  return "PETSc options file " + file + ", line " + std::to_string(line) + ": ";
}

const char* kRules =
    " (each line holds one option -name and at most one value, or `alias -new -old`; '#' starts "
    "a comment; quote a value with blanks: \"a b\")";

struct FileOption {
  std::string key, value;
  bool has_value = false;
};

// The options of a PETSc-format file; throws InputError where PETSc would refuse it.
std::vector<FileOption> read_options_file(const std::string& file, const std::string& given_as) {
  struct stat st;
  if (stat(file.c_str(), &st) != 0)
    throw InputError("the PETSc options file " + file + " (given with " + given_as +
                     ") cannot be opened: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    throw InputError("the PETSc options file " + file + " (given with " + given_as +
                     ") is a directory; -options_file expects a file of PETSc options");
  std::ifstream in(file);
  if (!in)
    throw InputError("the PETSc options file " + file + " (given with " + given_as +
                     ") cannot be read: " + std::strerror(errno));
  std::vector<FileOption> out;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    const std::vector<std::string> t = tokens_of(text);
    if (t.empty()) continue;
    if (valid_key(t[0])) {
      if (t.size() > 1 && valid_key(t[1]))
        throw InputError(where(file, line) + "two options, " + t[0] + " and " + t[1] +
                         ", on one line" + kRules);
      if (t.size() > 2)
        throw InputError(where(file, line) + "extra token '" + t[2] + "' after " + t[0] + " " +
                         t[1] + kRules);
      out.push_back({t[0], t.size() > 1 ? t[1] : "", t.size() > 1});
    } else if (lower(t[0]) == "alias") {
      if (t.size() < 3 || !valid_key(t[1]) || !valid_key(t[2]))
        throw InputError(where(file, line) + "`alias` needs two options, `alias -new -old`" +
                         kRules);
      if (t.size() > 3)
        throw InputError(where(file, line) + "extra token '" + t[3] + "' after alias " + t[1] +
                         " " + t[2] + kRules);
    } else {
      throw InputError(where(file, line) + "'" + t[0] + "' is not an option" + kRules);
    }
  }
  return out;
}

bool is_yaml(const std::string& key, std::string* file) {
  if (ends_with(*file, ":yaml")) {
    file->resize(file->size() - 5);
    return true;
  }
  return lower(key) == "-options_file_yaml" || ends_with(*file, ".yml") ||
         ends_with(*file, ".yaml");
}

// Walks the options of `args` and of every options file they name (depth
// first), calling `visit(key)` for each option that is not a file name.
template <typename Visit>
void walk(const std::vector<std::string>& args, int depth, const Visit& visit);

template <typename Visit>
void walk_file(const std::string& key, std::string file, int depth, const Visit& visit) {
  if (depth > kMaxNesting)
    throw InputError("PETSc options files nest more than " + std::to_string(kMaxNesting) +
                     " deep (" + key + " " + file + "): is a file including itself?");
  if (file.find("${") != std::string::npos) return;  // PETSc expands these; let it
  if (is_yaml(key, &file)) {
    std::ifstream in(file);
    if (!in)
      throw InputError("the PETSc options file " + file + " (given with " + key +
                       ") cannot be opened: " + std::strerror(errno));
    return;
  }
  std::vector<std::string> args;
  for (const FileOption& o : read_options_file(file, key)) {
    args.push_back(o.key);
    if (o.has_value) args.push_back(o.value);
  }
  walk(args, depth + 1, visit);
}

template <typename Visit>
void walk(const std::vector<std::string>& args, int depth, const Visit& visit) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (!valid_key(args[i])) continue;
    if (names_file(args[i])) {
      if (i + 1 >= args.size() || args[i + 1].empty() || args[i + 1][0] == '-')
        throw InputError(args[i] + " needs a file name after it (PETSc options, one per line)");
      walk_file(args[i], args[i + 1], depth, visit);
      ++i;
      continue;
    }
    visit(args[i]);
  }
}

}  // namespace

std::string petsc_option_name(const std::string& key) {
  const std::size_t start = key.find_first_not_of('-');
  return start == std::string::npos ? std::string() : lower(key.substr(start));
}

void check_options_files(const std::vector<std::string>& petsc_args) {
  walk(petsc_args, 0, [](const std::string&) {});
}

std::vector<std::string> user_option_names(const std::vector<std::string>& petsc_args) {
  std::vector<std::string> names;
  try {
    walk(petsc_args, 0, [&](const std::string& key) { names.push_back(petsc_option_name(key)); });
  } catch (const InputError&) {
    // check_options_files reports these; the names found so far stand.
  }
  return names;
}

}  // namespace qcoll

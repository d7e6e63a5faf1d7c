// A solver type PETSc does not know (-ts_type foo) is an input error naming
// the option, not a solver failure.
#include <petscsys.h>

#include <cctype>

#include "qcoll/io/petsc_options.hpp"

namespace qcoll {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Whether `text` contains `word` delimited by non-identifier characters.
bool mentions(const std::string& text, const std::string& word) {
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool left = at == 0 || !ident(text[at - 1]);
    const std::size_t end = at + word.size();
    if (left && (end == text.size() || !ident(text[end]))) return true;
  }
  return false;
}

}  // namespace

std::string unknown_type_message(const std::vector<std::string>& petsc_args,
                                 const std::string& petsc_message) {
  for (const std::string& name : user_option_names(petsc_args)) {
    if (!ends_with(name, "_type")) continue;
    char value[256] = "";
    PetscBool set = PETSC_FALSE;
    if (PetscOptionsGetString(nullptr, nullptr, ("-" + name).c_str(), value, sizeof value, &set) ||
        !set || value[0] == '\0' || !mentions(petsc_message, value))
      continue;
    return "option -" + name + " " + value + ": PETSc has no such type (" + petsc_message +
           "); check the spelling, or add -help to the command to list the types this "
           "PETSc build offers";
  }
  return {};
}

}  // namespace qcoll

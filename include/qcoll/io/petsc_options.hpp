#pragma once
// PETSc options given on the command line, handled like input: options files
// checked before PETSc reads them (PETSc would print a traceback), and the
// options no solver read reported at the end, with "did you mean" for near
// misses.
#include <petscsys.h>

#include <string>
#include <vector>

namespace qcoll {

// Throws InputError (one paragraph naming the file and line) when an options
// file named by -options_file / -options_file_yaml in `petsc_args` (and,
// recursively, in such a file) is missing, a directory or unreadable, or has
// a line PETSc refuses: a first token that is neither an option (-name) nor
// `alias`, two options or an extra token on one line. Same rules as PETSc
// 3.18's PetscOptionsInsertFile ('#' starts a comment, "..." quotes a value);
// YAML files are only checked for being readable.
void check_options_files(const std::vector<std::string>& petsc_args);

// The names (lower case, without the leading '-') of the options in
// `petsc_args` and in the options files they name.
std::vector<std::string> user_option_names(const std::vector<std::string>& petsc_args);

// One line "qcoll: note: ..." per option of `user` that is in `unused`
// (names as above; PetscOptionsLeftGet's list), saying that no solver of the
// run read it, with "did you mean -X?" for a near miss of an option qcoll's
// solvers read (or the prefixed form they read it under); "" when none.
std::string unused_options_note(const std::vector<std::string>& user,
                                const std::vector<std::string>& unused);

// The names of the options in PETSc's database that nobody queried.
PetscErrorCode PetscUnusedOptionNames(std::vector<std::string>* names);

// After a PETSc error PETSC_ERR_UNKNOWN_TYPE with message `petsc_message`:
// the user's option (in `petsc_args` or an options file they name) whose
// name ends in "_type" and whose value the message names, as an input-error
// paragraph ("option -ts_type foo: PETSc has no such type ..."); "" when no
// user option explains it.
std::string unknown_type_message(const std::vector<std::string>& petsc_args,
                                 const std::string& petsc_message);

// "-Name" or "--name" -> "name" (PETSc compares option names ignoring case).
std::string petsc_option_name(const std::string& key);

// Edit distance with adjacent transpositions (optimal string alignment).
std::size_t edit_distance(const std::string& a, const std::string& b);

}  // namespace qcoll

// PETSc options handled like input (issue 14): options files that PETSc would
// refuse with a traceback are one paragraph and exit 1, a file given to
// -options_file is never taken as the deck, and options no solver read are
// named at the end of the run with "did you mean" for near misses.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "qcoll/io/command_line.hpp"
#include "qcoll/io/petsc_options.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

const std::string kQubit = small_qubit_deck();

// The message check_options_files throws for a file holding `text`, "" if none.
std::string file_error(const std::string& text) {
  const std::string path = write_temp_file("opts", ".opts", text);
  std::string message;
  try {
    check_options_files({"-options_file", path});
  } catch (const InputError& e) {
    message = e.what();
  }
  std::remove(path.c_str());
  return message;
}

}  // namespace

TEST(PetscOptionFiles, SameRulesAsPetsc) {
  if (rank() != 0) return;
  for (const char* good :
       {"-ts_type bdf\n", "  -ts_type\tbdf  # comment\n\n# only a comment\n", "-ts_type \"a b\"\n",
        "alias -x -ts_type\n", "-ts_type -1\n", "--ts_type bdf\n", "-log_view\n"})
    EXPECT_EQ(file_error(good), "") << good;
  struct Case {
    const char *text, *expect;
  };
  for (const Case& c : {Case{"-ts_type bdf extra\n", "line 1: extra token 'extra'"},
                        Case{"# ok\ngarbage here\n", "line 2: 'garbage' is not an option"},
                        Case{"-a -b\n", "two options"}, Case{"-1 x\n", "'-1' is not an option"},
                        Case{"alias -x\n", "alias"}, Case{"-inf\n", "not an option"},
                        Case{"-options_file\n", "needs a file name"}})
    EXPECT_NE(file_error(c.text).find(c.expect), std::string::npos)
        << c.text << " -> " << file_error(c.text);
  EXPECT_THROW(check_options_files({"-options_file", "missing_file.opts"}), InputError);
  EXPECT_THROW(check_options_files({"-options_file", "."}), InputError);
  // Nested files are checked too, and a file including itself ends.
  const std::string inner = write_temp_file("inner", ".opts", "stray\n");
  EXPECT_NE(file_error("-options_file " + inner + "\n").find(inner), std::string::npos);
  std::remove(inner.c_str());
}

TEST(PetscOptionFiles, TheFileIsNeverTheDeck) {
  const CommandLine cl = parse_command_line({"-options_file", "x.toml", "evolve", "deck.toml"});
  EXPECT_EQ(cl.deck, "deck.toml");
  EXPECT_EQ(cl.petsc_args, (std::vector<std::string>{"-options_file", "x.toml"}));
  EXPECT_THROW(parse_command_line({"-options_file", "garbage.toml"}), InputError);
  EXPECT_THROW(parse_command_line({"deck.toml", "-options_file"}), InputError);
  EXPECT_THROW(parse_command_line({"deck.toml", "-options_file", "-ts_type"}), InputError);
}

TEST(UnusedOptions, NearMissesGetASuggestion) {
  EXPECT_EQ(edit_distance("ts_tpye", "ts_type"), 1u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  const std::vector<std::string> user{"ts_tpye", "pc_type", "frobnicate", "ts_type"};
  const std::string note = unused_options_note(user, {"ts_tpye", "pc_type", "frobnicate"});
  EXPECT_NE(note.find("-ts_tpye was not used by this run (did you mean -ts_type?)"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("-pc_type was not used by this run (no solver of this task and method "
                      "reads it; qcoll's solvers read -steady_pc_type)"),
            std::string::npos)
      << note;
  EXPECT_NE(note.find("-frobnicate"), std::string::npos) << note;
  EXPECT_EQ(note.find("-ts_type was"), std::string::npos) << note;  // used
  // Only the user's options: qcoll's own (-no_signal_handler) are never named.
  EXPECT_EQ(unused_options_note({"ts_type"}, {"no_signal_handler"}), "");
  // Read by PetscFinalize, after the note.
  EXPECT_EQ(unused_options_note({"options_left", "options_view"}, {"options_left", "options_view"}),
            "");
  EXPECT_EQ(user_option_names({"-TS_Type", "bdf", "-log_view", "-x", "-1"}),
            (std::vector<std::string>{"ts_type", "log_view", "x"}));
}

TEST(PetscOptionsOnTheCommandLine, ErrorsAreOneParagraphAndUnusedOnesANote) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("opts_deck", ".toml", kQubit);
  const std::string out = temp_path("opts_out", ".h5");
  const std::string extra = write_temp_file("extra", ".opts", "-ts_type rk extra\n");
  const std::string garbage = write_temp_file("garbage", ".opts", "garbage\n");
  struct Case {
    std::string args, expect;
  };
  for (const Case& c : {Case{"-options_file missing_file.opts", "missing_file.opts"},
                        Case{"-options_file " + extra, "extra token"},
                        Case{"-options_file " + garbage, "'garbage' is not an option"},
                        Case{"-options_file", "needs a file name"}}) {
    SCOPED_TRACE(c.args);
    const CommandResult r = run_qcoll("evolve " + deck + " -o " + out + " " + c.args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("qcoll: error:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(c.expect), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("PETSC ERROR"), std::string::npos) << r.output;
  }
  const CommandResult no_deck = run_qcoll("-options_file " + garbage + ".toml");
  EXPECT_EQ(no_deck.exit_code, 1) << no_deck.output;
  EXPECT_EQ(no_deck.output.find("unknown task"), std::string::npos) << no_deck.output;
  EXPECT_EQ(no_deck.output.find("PETSC ERROR"), std::string::npos) << no_deck.output;
  // A run with a misspelt option succeeds and names it at the end.
  const std::string typo = write_temp_file("typo", ".opts", "-ts_rk_tpye 3bs\n");
  const CommandResult r = run_qcoll("evolve " + deck + " -o " + out + " -ts_tpye bdf -ts_type rk " +
                                    "-options_file " + typo);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("-ts_tpye was not used by this run (did you mean -ts_type?)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("-ts_rk_tpye was not used by this run (did you mean -ts_rk_type?)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("no_signal_handler"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("-ts_type was"), std::string::npos) << r.output;
  for (const std::string& f : {deck, out, extra, garbage, typo}) std::remove(f.c_str());
}

// A solver type PETSc does not know is the user's input: exit 1 naming the
// option and its value, from the command line or from an options file.
TEST(PetscOptionsOnTheCommandLine, UnknownSolverTypesAreInputErrors) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("types_deck", ".toml", kQubit);
  const std::string out = temp_path("types_out", ".h5");
  const std::string file = write_temp_file("types", ".opts", "-ts_type bar\n");
  struct Case {
    std::string args, expect;
  };
  for (const Case& c : {Case{"evolve -ts_type foo", "option -ts_type foo: PETSc has no such type"},
                        Case{"evolve -ts_adapt_type foo", "option -ts_adapt_type foo"},
                        Case{"evolve -options_file " + file, "option -ts_type bar"},
                        Case{"steady -steady_ksp_type foo", "option -steady_ksp_type foo"},
                        Case{"steady -steady_method iterative -steady_pc_type foo",
                             "option -steady_pc_type foo"}}) {
    SCOPED_TRACE(c.args);
    const CommandResult r = run_qcoll(c.args + " " + deck + " -o " + out + " --overwrite");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("qcoll: error: " + c.expect), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("task failed"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("PETSC ERROR"), std::string::npos) << r.output;
  }
  for (const std::string& f : {deck, out, file}) std::remove(f.c_str());
}

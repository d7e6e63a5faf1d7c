// The command line as users meet it: the qcoll binary run as a child process.
// Bad input must end in one clear paragraph and exit status 1, never a PETSc
// traceback or a crash; good input writes an HDF5 file h5py can read.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "test_support.hpp"

using namespace qcoll::testing;

namespace {

std::string write_deck(const std::string& text) {
  return write_temp_file("cli_deck", ".toml", text);
}

const std::string kQubit = small_qubit_deck();

void expect_clean_input_error(const CommandResult& r, const std::string& must_contain) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("qcoll: error:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(must_contain), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("PETSC ERROR"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("MPI_ABORT"), std::string::npos) << r.output;
}

}  // namespace

TEST(CommandLine, HelpAndVersion) {
  if (rank() != 0) return;
  const CommandResult help = run_qcoll("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("usage:"), std::string::npos);
  const CommandResult version = run_qcoll("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("qcoll "), std::string::npos);
}

TEST(CommandLine, BadDecksGiveOneParagraphAndExitOne) {
  if (rank() != 0) return;
  const std::string deck = write_deck(kQubit);
  struct Case {
    std::string args, expect;
  };
  const std::vector<Case> cases = {
      {"missing_file.toml", "missing_file.toml"},
      {deck + " --set species.bath.chi='\"sz\"'", "chi"},
      {deck + " --set species.bath.beta=-1.0", "beta"},
      {deck + " --set 'system.hamiltonian=[[1.0, \"sq\", 0]]'", "sq"},
      {deck + " --set 'system.hamiltonian=[[1.0, \"sz\", 3]]'", "hamiltonian"},
      {deck + " --set 'system.hamiltonian=[[\"1.0*\", \"sz\", 0]]'", "hamiltonian"},
      {deck + " --set 'system.hamiltonian=[[\"omega\", \"sz\", 0]]'", "omega"},
      {deck + " --set species.nosuch.lambda=0.1", "nosuch"},
      {deck + " --set species.bath.lamda=0.1", "lamda"},
      {deck + " --set evolve.dt_output=5.0", "dt_output"},
      {deck + " --set species.bath.beta='\"hot\"'", "beta"},
      {"frobnicate " + deck, "frobnicate"},
      {deck + " --unknown-flag", "--unknown-flag"},
      // Messages that locate and say what is wrong (not "got a string", not "nmax >= 1").
      {deck + " --set evolve.store_states=99999999999999999999999",
       "the value 99999999999999999999999 is not a number TOML can hold"},
      {deck + " --set 'system.sites=[\"boson1000000000000\"]'",
       "local dimension 1000000000001 exceeds the limit"},
      {deck + " --set 'system.sites=[\"qudit99999999999999999999\"]'",
       "local dimension above 10^15 exceeds the limit"},
      {deck + " --set 'system.sites=[\"boson99999\"]'", "local dimension 100000 exceeds"},
      {deck + " --set species.bath.beta=1e400", "species.bath.beta"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args);
    expect_clean_input_error(run_qcoll("check " + c.args), c.expect);
  }
  // `check` reports a coupling with a thermal mean; running the deck refuses it.
  const std::string mean = " --set 'species.bath.coupling=[[0.3, \"sz\", 0, \"sz\", \"A\"]]'";
  const CommandResult checked = run_qcoll("check " + deck + mean);
  EXPECT_EQ(checked.exit_code, 0);
  EXPECT_NE(checked.output.find("tr_A(V rho_th) = 0: NO"), std::string::npos) << checked.output;
  expect_clean_input_error(run_qcoll("evolve " + deck + mean + " -o never.h5"), "tr_A(V rho_th)");
  std::remove(deck.c_str());
}

TEST(CommandLine, CheckPrintsTheSummary) {
  if (rank() != 0) return;
  const std::string deck = write_deck(kQubit);
  const CommandResult r = run_qcoll("check " + deck);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* s : {"dimension d = 2", "d^2 = 4", "[V, H_S + H_A] = 0: yes",
                        "tr_A(V rho_th) = 0: yes", "largest |lambda|", "memory per rank"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
  std::remove(deck.c_str());
}

// `check` tells what a run will do: the initial state, the sweep with lambda
// against its bound at each point, the output's size, and a hint when beta
// looks like a temperature (the run prints the hint too).
TEST(CommandLine, CheckTellsWhatTheRunWillDo) {
  if (rank() != 0) return;
  const std::string deck = write_deck(kQubit);
  const std::string sweep =
      " --set 'sweep.key=\"species.bath.lambda\"' --set 'sweep.values=[0.0, 1.0, 2.0]'";
  const CommandResult r = run_qcoll("check " + deck + sweep);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* s :
       {"initial state (evolve, collide): the ground state of H_S, <H_S> = -0.5, purity 1",
        "sweep: 3 points", "species.bath.lambda: [0, 1, 2]", "at tau = 0.1",
        "species bath: bound 1.402; beyond it at 1 of 3 points (first: point 2 "
        "(species.bath.lambda = 2))",
        "output: evolve writes 3 time series (sweep points) of up to 3 rows"})
    EXPECT_NE(r.output.find(s), std::string::npos) << s << "\n" << r.output;
  EXPECT_EQ(r.output.find("note:"), std::string::npos) << r.output;
  const CommandResult cold = run_qcoll("check " + deck + " --set species.bath.beta=300");
  EXPECT_NE(cold.output.find("note: species bath: beta * (ancilla level spacing) = 300"),
            std::string::npos)
      << cold.output;
  const std::string out = temp_path("cli_hint", ".h5");
  const CommandResult run =
      run_qcoll("steady " + deck + " --set species.bath.beta=300 -o " + out + " --overwrite");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("beta = 1/T"), std::string::npos) << run.output;
  const CommandResult hot = run_qcoll("check " + deck + " --set species.bath.beta=0.001");
  EXPECT_NE(hot.output.find("practically infinite temperature"), std::string::npos) << hot.output;
  for (const char* meant : {"inf", "0.0"}) {  // T = 0 and T = inf written as such: no note
    const CommandResult quiet = run_qcoll("check " + deck + " --set species.bath.beta=" + meant);
    EXPECT_EQ(quiet.output.find("note:"), std::string::npos) << meant << quiet.output;
  }
  std::remove(deck.c_str());
  std::remove(out.c_str());
}

// Settings the solvers refuse before solving are input errors (exit 1), the
// message naming the setting; a steady state that is not unique is a result
// the task refuses (exit 2, test_sweep.cpp).
TEST(CommandLine, SolverSettingsRefusedBeforeSolvingAreInputErrors) {
  if (rank() != 0) return;
  const std::string out = temp_path("cli_nev", ".h5");
  const CommandResult r = run_qcoll("spectrum " + source_path("inputs/xxz_chain.toml") +
                                    " -spectrum_eps_nev 4096 -o " + out + " --overwrite");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("qcoll: error: nev = 4096 eigenvalues asked for"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("task failed"), std::string::npos) << r.output;
  std::remove(out.c_str());
}

TEST(CommandLine, EvolveWritesReadableHdf5AndRefusesToClobber) {
  if (rank() != 0) return;
  const std::string deck = write_deck(kQubit);
  const std::string out = temp_path("cli_out", ".h5");
  const CommandResult r =
      run_qcoll("evolve " + deck + " -o " + out + " --set species.bath.lambda=0.3 -ts_type rk");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::string check =
      "/usr/bin/python3 -c \"import h5py, numpy as np; f = h5py.File('" + out +
      "', 'r'); e = f['evolve']; r = e['rho_final'][:].reshape(2, 2, order='F'); "
      "assert e['rho_final'].dtype == np.complex128; assert abs(np.trace(r) - 1) < 1e-9; "
      "import tomllib; assert f.attrs['complete'] == 1; "
      "assert tomllib.loads(f.attrs['deck'])['species'][0]['lambda'] == 0.3; "
      "assert '-ts_type' in f.attrs['petsc_options']; "
      "assert all('description' in e[k].attrs for k in e if isinstance(e[k], h5py.Dataset)); "
      "assert e['work_coherent'].shape == (3, 1); print('h5py ok')\"";
  FILE* p = popen((check + " 2>&1").c_str(), "r");
  char buf[4096];
  std::string text;
  while (fgets(buf, sizeof buf, p)) text += buf;
  EXPECT_EQ(pclose(p), 0) << text;
  EXPECT_NE(text.find("h5py ok"), std::string::npos) << text;
  // The message names where the output's name came from: here option -o.
  const CommandResult clobber = run_qcoll("evolve " + deck + " -o " + out);
  expect_clean_input_error(clobber, "exists");
  EXPECT_NE(clobber.output.find("option -o"), std::string::npos) << clobber.output;
  EXPECT_EQ(clobber.output.find("run.output"), std::string::npos) << clobber.output;
  EXPECT_EQ(run_qcoll("evolve " + deck + " -o " + out + " --overwrite").exit_code, 0);
  expect_clean_input_error(run_qcoll("evolve " + deck + " -o /nonexistent/dir/x.h5"),
                           "nonexistent");
  std::remove(deck.c_str());
  std::remove(out.c_str());
}

TEST(CommandLine, RefusesSingletonLaunchAndOversizedRuns) {
  if (rank() != 0) return;
  const std::string deck = write_deck(kQubit);
  // srun says 4 tasks but MPI sees one: the same job would run 4 times.
  expect_clean_input_error(run_qcoll("check " + deck, "SLURM_STEP_NUM_TASKS=4"), "srun started 4");
  // A 13-site chain needs ~100 GiB per rank: refused before anything is allocated.
  const CommandResult big = run_qcoll("evolve " + source_path("inputs/xxz_chain.toml") +
                                      " --set system.model.sites=13 -o never.h5");
  expect_clean_input_error(big, "--force");
  EXPECT_NE(big.output.find("per rank"), std::string::npos);
  std::remove(deck.c_str());
}

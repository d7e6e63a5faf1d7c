// No silent wrong results (issue 14), as a user meets them on the command
// line: inputs that cannot be honoured are input errors naming the key (exit
// 1, no output file), runaway outputs are refused up front unless --force,
// fitted orders that cannot be fitted are left out with a note, a restart of
// a finished run is a no-op, and PETSc options are handled like input.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "test_support.hpp"

using namespace qcoll::testing;

namespace {

const std::string kQubit = small_qubit_deck();

bool exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

void expect_input_error(const CommandResult& r, const std::string& must_contain) {
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("qcoll: error:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(must_contain), std::string::npos) << must_contain << "\n" << r.output;
  EXPECT_EQ(r.output.find("PETSC ERROR"), std::string::npos) << r.output;
  // One paragraph: the error is a single line.
  const std::size_t at = r.output.find("qcoll: error:");
  if (at != std::string::npos) {
    const std::size_t end = r.output.find('\n', at);
    EXPECT_TRUE(end == std::string::npos || end + 1 == r.output.size()) << r.output;
  }
}

// Runs python (h5py) on `out` with `code` (f is the open file); true on success.
bool h5py_ok(const std::string& out, const std::string& code, std::string* text) {
  const std::string cmd = "/usr/bin/python3 -c \"import h5py, numpy as np; f = h5py.File('" + out +
                          "', 'r'); " + code + "; print('h5py ok')\" 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  while (fgets(buf, sizeof buf, p)) *text += buf;
  return pclose(p) == 0 && text->find("h5py ok") != std::string::npos;
}

}  // namespace

TEST(NoSilentResults, EvolveOutputSpacingBelowRoundOffIsAnInputError) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_never", ".h5");
  for (const char* dt : {"1e-20", "1e-300", "1e-13", "0.4"}) {
    SCOPED_TRACE(dt);
    expect_input_error(run_qcoll("evolve " + deck + " -o " + out + " --set evolve.dt_output=" + dt),
                       "key evolve.dt_output");
    EXPECT_FALSE(exists(out));
  }
  std::remove(deck.c_str());
}

TEST(NoSilentResults, CollideTauBelowRoundOffIsAnInputError) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_never", ".h5");
  for (const char* tau : {"[1e-20]", "[0.1, 1e-300]"}) {
    SCOPED_TRACE(tau);
    expect_input_error(
        run_qcoll("collide " + deck + " -o " + out + " --set 'collide.tau=" + tau + "'"),
        "key collide.tau");
    EXPECT_FALSE(exists(out));
  }
  std::remove(deck.c_str());
}

TEST(NoSilentResults, OrdersFromOneTauAreLeftOutWithANote) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_one_tau", ".h5");
  const CommandResult r = run_qcoll("collide " + deck + " -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("final distance n/a"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("note: no fitted order"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("nan"), std::string::npos) << r.output;
  std::string text;
  EXPECT_TRUE(h5py_ok(out,
                      "a = f['collide'].attrs; assert f.attrs['complete'] == 1; "
                      "assert not any(k.startswith('order_') for k in a), dict(a); "
                      "assert f['collide/0/t'][-1] == 1.0",
                      &text))
      << text;
  // Two tau values: the orders are fitted and written.
  const CommandResult two =
      run_qcoll("collide " + deck + " -o " + out + " --overwrite --set 'collide.tau=[0.1, 0.05]'");
  ASSERT_EQ(two.exit_code, 0) << two.output;
  EXPECT_EQ(two.output.find("n/a"), std::string::npos) << two.output;
  text.clear();
  EXPECT_TRUE(h5py_ok(out, "assert np.isfinite(f['collide'].attrs['order_final_distance'])", &text))
      << text;
  std::remove(deck.c_str());
  std::remove(out.c_str());
}

TEST(NoSilentResults, RunawayOutputIsRefusedUpFrontUnlessForced) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_growth", ".h5");
  // 1e11 rows (about 14 TiB) and 1e11 strokes: more than any disk here.
  const CommandResult evolve =
      run_qcoll("evolve " + deck + " -o " + out + " --set evolve.dt_output=1e-11");
  expect_input_error(evolve, "key evolve.dt_output");
  EXPECT_NE(evolve.output.find("--force"), std::string::npos);
  expect_input_error(run_qcoll("collide " + deck + " -o " + out + " --set 'collide.tau=[1e-11]'"),
                     "collide.output_every");
  EXPECT_FALSE(exists(out));
  // 1e4 rows need a few MB of memory: refused with 1 MiB per rank, run with --force.
  const std::string small = " -o " + out + " --set evolve.dt_output=1e-4";
  expect_input_error(run_qcoll("evolve " + deck + small, "SLURM_MEM_PER_CPU=1"), "memory");
  EXPECT_FALSE(exists(out));
  const CommandResult forced =
      run_qcoll("evolve " + deck + small + " --force", "SLURM_MEM_PER_CPU=1");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_TRUE(exists(out));
  std::remove(deck.c_str());
  std::remove(out.c_str());
}

TEST(NoSilentResults, RestartOfACompleteOutputIsANoOp) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_done", ".h5");
  ASSERT_EQ(run_qcoll("evolve " + deck + " -o " + out).exit_code, 0);
  const CommandResult again = run_qcoll("evolve " + deck + " --restart " + out);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("already complete"), std::string::npos) << again.output;
  // Another deck or task would silently return the old result: refused.
  expect_input_error(run_qcoll("evolve " + deck + " --restart " + out + " --set evolve.t_final=2"),
                     "evolve.t_final");
  expect_input_error(run_qcoll("collide " + deck + " --restart " + out), "qcoll evolve");
  ASSERT_EQ(run_qcoll("collide " + deck + " -o " + out + " --overwrite").exit_code, 0);
  const CommandResult collide = run_qcoll("collide " + deck + " --restart " + out);
  EXPECT_EQ(collide.exit_code, 0) << collide.output;
  EXPECT_NE(collide.output.find("already complete"), std::string::npos) << collide.output;
  std::remove(deck.c_str());
  std::remove(out.c_str());
}

// Faults around the files: a directory given as the deck, an unreadable
// checkpoint, and two runs on one output file.
TEST(NoSilentResults, ADirectoryAsTheDeckIsNamedAsSuch) {
  if (rank() != 0) return;
  const std::string dir = temp_path("rel_dir", "");
  ::mkdir(dir.c_str(), 0755);
  expect_input_error(run_qcoll("steady " + dir), "is a directory, not a deck file");
  ::rmdir(dir.c_str());
}

TEST(NoSilentResults, AnUnreadableCheckpointSaysHowToStartAnew) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_ck_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_ck", ".h5");
  ASSERT_EQ(run_qcoll("evolve " + deck + " -o " + out + " --overwrite").exit_code, 0);
  std::string text;
  // The output loses its completion mark (a run killed during its last write) ...
  ASSERT_TRUE(
      h5py_ok(out, "f.close(); f = h5py.File('" + out + "', 'a'); del f.attrs['complete']", &text))
      << text;
  for (const char* garbage : {"not hdf5", ""}) {  // ... and its checkpoint is garbage or empty
    std::ofstream(out + ".checkpoint") << garbage;
    expect_input_error(run_qcoll("evolve " + deck + " --restart " + out), "cannot be read");
    expect_input_error(run_qcoll("evolve " + deck + " --restart " + out), "start anew");
  }
  std::remove((out + ".checkpoint").c_str());
  std::remove(out.c_str());
  std::remove(deck.c_str());
}

TEST(NoSilentResults, TwoRunsOnOneOutputFileAreRefused) {
  if (rank() != 0) return;
  const std::string deck = write_temp_file("rel_lock_deck", ".toml", kQubit);
  const std::string out = temp_path("rel_lock", ".h5");
  const CommandResult free_run = run_qcoll("steady " + deck + " -o " + out);
  ASSERT_EQ(free_run.exit_code, 0) << free_run.output;  // takes and releases the lock
  EXPECT_FALSE(exists(out + ".lock"));
  // Another run holds the output: its lock, taken here.
  const int fd = ::open((out + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  expect_input_error(run_qcoll("steady " + deck + " -o " + out + " --overwrite"),
                     "is being written by another qcoll run");
  ::close(fd);
  // The holder gone (even killed, its lock file left behind), the output is free.
  EXPECT_EQ(run_qcoll("steady " + deck + " -o " + out + " --overwrite").exit_code, 0);
  EXPECT_FALSE(exists(out + ".lock"));
  std::remove(out.c_str());
  std::remove(deck.c_str());
}

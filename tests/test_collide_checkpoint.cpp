// Checkpoint/restart of collide runs: a run advanced in pieces and resumed
// from its saved progress equals one run; the checkpoint file round-trips;
// a restart with different physics is refused; the task stops on a signal
// and its restart equals an uninterrupted run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include "physics_support.hpp"
#include "qcoll/collide/collide_run.hpp"
#include "qcoll/collide/master_reference.hpp"
#include "qcoll/io/deck_difference.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "test_support.hpp"

using namespace qcoll;
using qcoll::testing::shared_temp_path;

namespace {

struct DeckProblem {
  explicit DeckProblem(const std::string& text)
      : deck(load_deck_from_string(text, "collide_checkpoint_test.toml")),
        problem(prepare_problem(deck)) {}
  Deck deck;
  Problem problem;
};

// A qubit between a hot coherent and a cold bath (two species, so the
// per-collision arrays have two columns).
const std::string kTwoBaths = R"(
[system]
sites = ["spin1/2"]
hamiltonian = [[0.5, "sz", 0]]
[[species]]
name = "hot"
ancilla = "spin1/2"
hamiltonian = [[0.5, "sz", "A"]]
beta = 0.5
coupling = [[0.5, "sp", 0, "sm", "A"], [0.5, "sm", 0, "sp", "A"]]
lambda = 0.2
chi = "sx"
[[species]]
name = "cold"
ancilla = "spin1/2"
hamiltonian = [[0.5, "sz", "A"]]
beta = 2.0
coupling = [[0.3, "sx", 0, "sx", "A"]]
lambda = 0.0
[initial]
state = "ground"
[checkpoint]
every_seconds = 0
)";

// 20 strokes, every third recorded and the last: the reference advances
// between records by different numbers of strokes.
const std::string kShortRun = R"(
[collide]
tau = [0.1]
t_final = 2.0
output_every = 3
)";

// Bitwise equality of flat forms, NaN equal to NaN.
void expect_same(std::vector<double> a, std::vector<double> b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!(std::isnan(a[i]) && std::isnan(b[i]))) ASSERT_EQ(a[i], b[i]) << "entry " << i;
}

// The flat form without the wall time (the only member that may differ).
std::vector<double> results(CollideSeries s) {
  s.wall_seconds = 0.0;
  return pack(s);
}

bool file_exists(const std::string& path) {
  return std::ifstream(path).good();
}

void remove_on_rank0(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (qcoll::testing::rank() == 0) std::remove(path.c_str());
}

}  // namespace

TEST(CollideProgress, FlatFormRoundTrips) {
  CollideProgress p;
  p.stage = CollideProgress::Stage::Running;
  p.stroke = 7;
  p.last_recorded = 6;
  p.rho = {cplx(0.75, 0.0), cplx(0.1, -0.2), cplx(0.1, 0.2), cplx(0.25, 0.0)};
  p.rho_master_equation = {cplx(0.7, 0.0), cplx(0.0, 0.1), cplx(0.0, -0.1), cplx(0.3, 0.0)};
  p.series.tau = 0.05;
  p.series.energy = {1.0, 2.0};
  p.series.delta_free_energy = {CollideSeries::kNaN, 3.0};
  const CollideProgress q = unpack_progress(pack(p));
  EXPECT_EQ(q.stage, p.stage);
  EXPECT_EQ(q.stroke, 7);
  EXPECT_EQ(q.last_recorded, 6);
  EXPECT_EQ(q.rho, p.rho);
  EXPECT_EQ(q.rho_master_equation, p.rho_master_equation);
  expect_same(pack(q.series), pack(p.series));
  std::vector<double> truncated = pack(p);
  truncated.pop_back();
  EXPECT_THROW(unpack_progress(truncated), std::runtime_error);
  std::vector<double> longer = pack(p);
  longer.push_back(0.0);
  EXPECT_THROW(unpack_progress(longer), std::runtime_error);
}

TEST(CollideProgress, RecordedStrokes) {
  // every 3rd of 20: 3, 6, ..., 18, then 20
  EXPECT_EQ(recorded_strokes(0, 20, 3), 0);
  EXPECT_EQ(recorded_strokes(5, 20, 3), 1);
  EXPECT_EQ(recorded_strokes(18, 20, 3), 6);
  EXPECT_EQ(recorded_strokes(19, 20, 3), 6);
  EXPECT_EQ(recorded_strokes(20, 20, 3), 7);
  EXPECT_EQ(recorded_strokes(20, 20, 1), 20);
  EXPECT_EQ(recorded_strokes(21, 21, 3), 7);
}

// Stops after every stroke, saves the progress in its flat form and resumes
// it in a new CollisionRun: the result equals one uninterrupted run bit for bit.
TEST(CollisionRun, ResumedAfterEveryStrokeEqualsOneRun) {
  DeckProblem s(kTwoBaths + kShortRun);
  CollideSeries whole;
  ASSERT_EQ(RunCollisions(collide_input(s.problem), 0.1, &whole), 0);
  ASSERT_EQ(whole.records(), 7u);

  CollideProgress saved;
  int pieces = 0;
  for (;;) {
    CollisionRun run;
    const bool resume = saved.stage == CollideProgress::Stage::Running;
    ASSERT_EQ(run.Setup(collide_input(s.problem), 0.1, resume ? &saved : nullptr), 0);
    ASSERT_EQ(run.Advance(0.0), 0);  // one stroke
    ++pieces;
    if (run.done()) {
      CollideSeries last;
      ASSERT_EQ(run.Finish(&last), 0);
      expect_same(results(last), results(whole));
      break;
    }
    CollideProgress now;
    ASSERT_EQ(run.Snapshot(&now), 0);
    ASSERT_EQ(now.stroke, pieces);
    ASSERT_EQ(now.series.records(), static_cast<size_t>(recorded_strokes(pieces, 20, 3)));
    saved = unpack_progress(pack(now));
  }
  EXPECT_EQ(pieces, 20);
}

TEST(CollisionRun, RefusesProgressOfAnotherRun) {
  DeckProblem s(kTwoBaths + kShortRun);
  CollisionRun run;
  ASSERT_EQ(run.Setup(collide_input(s.problem), 0.1), 0);
  ASSERT_EQ(run.Advance(0.0), 0);
  CollideProgress saved;
  ASSERT_EQ(run.Snapshot(&saved), 0);
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);  // expected errors: no stack dump
  CollisionRun other;
  EXPECT_NE(other.Setup(collide_input(s.problem), 0.05, &saved), 0);  // another tau
  saved.stroke = 3;  // the record of stroke 3 missing
  CollisionRun broken;
  EXPECT_NE(broken.Setup(collide_input(s.problem), 0.1, &saved), 0);
  PetscPopErrorHandler();
}

TEST(MasterReference, KrylovStateContinuesExactly) {
  DeckProblem s(kTwoBaths + kShortRun);
  MasterReference a, b;
  ASSERT_EQ(a.Setup(collide_input(s.problem), 0.05, MasterReference::Method::Krylov), 0);
  DenseMatrix rho_a, rho_b;
  ASSERT_EQ(a.Advance(3, &rho_a), 0);
  std::vector<cplx> state;
  ASSERT_EQ(a.GetState(&state), 0);
  ASSERT_EQ(state.size(), 4u);
  ASSERT_EQ(b.Setup(collide_input(s.problem), 0.05, MasterReference::Method::Krylov), 0);
  ASSERT_EQ(b.SetState(state), 0);
  ASSERT_EQ(a.Advance(4, &rho_a), 0);
  ASSERT_EQ(b.Advance(4, &rho_b), 0);
  EXPECT_EQ((rho_a - rho_b).max_abs(), 0.0);
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_NE(b.SetState({cplx(1.0)}), 0);  // wrong length
  PetscPopErrorHandler();
}

TEST(CollideCheckpoint, FileRoundTripsAndReplacesAtomically) {
  DeckProblem s(kTwoBaths + kShortRun);
  CollideCheckpoint c;
  c.deck = s.deck.toml;
  c.runs.resize(3);  // pending, running, finished
  c.runs[0].series.tau = 0.1;
  {
    CollisionRun run;
    ASSERT_EQ(run.Setup(collide_input(s.problem), 0.1), 0);
    for (int k = 0; k < 5; ++k) ASSERT_EQ(run.Advance(0.0), 0);
    ASSERT_EQ(run.Snapshot(&c.runs[1]), 0);
  }
  c.runs[2].stage = CollideProgress::Stage::Finished;
  ASSERT_EQ(RunCollisions(collide_input(s.problem), 0.1, &c.runs[2].series), 0);
  for (CollideProgress& r : c.runs) r.series.wall_seconds = 1.5;  // the same on every rank

  const std::string path = shared_temp_path("collide_checkpoint", ".h5.checkpoint");
  for (int round = 0; round < 2; ++round) {
    if (round == 1) c.runs[0].stage = CollideProgress::Stage::Finished;  // written over
    write_collide_checkpoint(MPI_COMM_WORLD, path, c);
    EXPECT_FALSE(file_exists(path + ".tmp"));
    EXPECT_EQ(checkpoint_task(MPI_COMM_WORLD, path), "collide");
    const CollideCheckpoint r = read_collide_checkpoint(MPI_COMM_WORLD, path);
    EXPECT_EQ(r.deck, c.deck);
    ASSERT_EQ(r.runs.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) expect_same(pack(r.runs[k]), pack(c.runs[k]));
  }
  remove_on_rank0(path);
}

TEST(CollideCheckpoint, RestartNeedsTheSamePhysicsAndCollideSettings) {
  const std::string base = kTwoBaths + kShortRun;
  DeckProblem s(base);
  const std::string path = shared_temp_path("collide_restart", ".h5.checkpoint");
  write_collide_checkpoint(MPI_COMM_WORLD, path, CollideCheckpoint{s.deck.toml, {{}}});

  // Output, checkpoint interval, other tasks' settings and title may change.
  const Deck free = load_deck_from_string(base, "x.toml",
                                          {{"checkpoint.every_seconds", "60"},
                                           {"run.output", "other.h5"},
                                           {"evolve.t_final", "3"},
                                           {"title", "renamed"}});
  EXPECT_NO_THROW(check_collide_restart(MPI_COMM_WORLD, free.toml, path));

  auto refusal = [&](const Override& o) {
    const Deck changed = load_deck_from_string(base, "x.toml", {o});
    try {
      check_collide_restart(MPI_COMM_WORLD, changed.toml, path);
    } catch (const InputError& e) {
      return std::make_pair(e.key(), std::string(e.what()));
    }
    return std::make_pair(std::string("accepted"), std::string());
  };
  const auto lambda = refusal({"species.hot.lambda", "0.1"});
  EXPECT_EQ(lambda.first, "species.hot.lambda");
  EXPECT_NE(lambda.second.find("0.1 here and 0.2 in the checkpoint"), std::string::npos)
      << lambda.second;
  EXPECT_EQ(refusal({"collide.tau", "[0.1, 0.05]"}).first, "collide.tau");
  EXPECT_EQ(refusal({"collide.t_final", "4.0"}).first, "collide.t_final");
  EXPECT_EQ(refusal({"initial.state", "\"excited\""}).first, "initial.state");
  EXPECT_EQ(refusal({"species.cold.beta", "1.0"}).first, "species.cold.beta");
  remove_on_rank0(path);
}

TEST(DeckDifferences, NamesSpeciesAndComparesArraysWhole) {
  const std::string a =
      "title = \"a\"\n[collide]\ntau = [0.1, 0.05]\n"
      "[[species]]\nname = \"hot\"\nbeta = 0.5\n"
      "[[species]]\nname = \"cold\"\nbeta = 2.0\n";
  const std::string b =
      "title = \"b\"\n[collide]\ntau = [0.1, 0.025]\noutput_every = 2\n"
      "[[species]]\nname = \"hot\"\nbeta = 0.5\n"
      "[[species]]\nname = \"cold\"\nbeta = 3.0\n";
  const auto d = deck_differences(a, b, {"title"});
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].key, "collide.output_every");
  EXPECT_EQ(d[0].first, "not set");
  EXPECT_EQ(d[0].second, "2");
  EXPECT_EQ(d[1].key, "collide.tau");
  EXPECT_EQ(d[1].first, "[0.1, 0.05]");
  EXPECT_EQ(d[1].second, "[0.1, 0.025]");
  EXPECT_EQ(d[2].key, "species.cold.beta");
  EXPECT_EQ(deck_differences(a, b, {"title", "collide", "species"}).size(), 0u);
  EXPECT_EQ(deck_differences(a, a, {}).size(), 0u);
  EXPECT_THROW(deck_differences(a, "[collide", {}), InputError);
}

// The task stops at the first round after a (pretended) signal, leaves a
// checkpoint, and the restart completes the run with the uninterrupted result.
TEST(CollideTask, StopsOnSignalAndRestartEqualsOneRun) {
  // tau[0] alone takes about 0.5 s here (150000 strokes), five rounds.
  DeckProblem s(kTwoBaths +
                "[collide]\ntau = [0.01, 0.005]\nt_final = 1500.0\noutput_every = 70\n");
  const std::string whole_path = shared_temp_path("collide_whole", ".h5");
  const std::string cut_path = shared_temp_path("collide_cut", ".h5");
  {
    Hdf5File out(whole_path, MPI_COMM_WORLD);
    RunContext ctx;
    ctx.output_path = whole_path;
    ASSERT_EQ(RunProblem(MPI_COMM_WORLD, "collide", s.problem, out, ctx), 0);
    EXPECT_FALSE(ctx.stopped);
  }
  {
    Hdf5File out(cut_path, MPI_COMM_WORLD);
    RunContext ctx;
    ctx.output_path = cut_path;
    raise_stop_flag();
    const PetscErrorCode ierr = RunProblem(MPI_COMM_WORLD, "collide", s.problem, out, ctx);
    clear_stop_flag();
    ASSERT_EQ(ierr, 0);
    EXPECT_TRUE(ctx.stopped);
    EXPECT_FALSE(out.exists("/collide"));
  }
  ASSERT_TRUE(file_exists(checkpoint_path(cut_path)));
  const CollideCheckpoint saved =
      read_collide_checkpoint(MPI_COMM_WORLD, checkpoint_path(cut_path));
  ASSERT_EQ(saved.runs.size(), 2u);
  // Rank 0 (1 rank) or 1 (2 ranks) began with tau[0] and did not finish it.
  EXPECT_EQ(saved.runs[0].stage, CollideProgress::Stage::Running);
  EXPECT_GT(saved.runs[0].stroke, 0);
  EXPECT_LT(saved.runs[0].stroke, 150000);
  EXPECT_NE(saved.runs[1].stage, CollideProgress::Stage::Finished);
  {
    Hdf5File out(cut_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    RunContext ctx;
    ctx.output_path = cut_path;
    ctx.restart = true;
    ASSERT_EQ(RunProblem(MPI_COMM_WORLD, "collide", s.problem, out, ctx), 0);
    EXPECT_FALSE(ctx.stopped);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  EXPECT_FALSE(file_exists(checkpoint_path(cut_path)));
  Hdf5File a(whole_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  Hdf5File b(cut_path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  for (const char* name : {"stroke", "energy", "entropy", "heat_ancilla", "work_coherent",
                           "entropy_production_species", "distance_to_master_equation"}) {
    for (int k = 0; k < 2; ++k) {
      const std::string path = "/collide/" + std::to_string(k) + "/" + name;
      const auto x = a.read_real(path), y = b.read_real(path);
      ASSERT_EQ(x.size(), y.size()) << path;
      for (std::size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], y[i]) << path << "[" << i << "]";
    }
  }
  EXPECT_EQ(a.read_complex("/collide/1/rho_final"), b.read_complex("/collide/1/rho_final"));
  EXPECT_EQ(a.read_real("/collide/final_distance"), b.read_real("/collide/final_distance"));
  a.close();
  b.close();
  remove_on_rank0(whole_path);
  remove_on_rank0(cut_path);
}

// The qcoll command line: parse, load the deck, run the task, write HDF5.
// Input errors end in one paragraph on stderr and exit status 1; solver
// failures in a one-line PETSc message and exit status 2.
#include <slepcsys.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "qcoll/cli/check_details.hpp"
#include "qcoll/cli/check_summary.hpp"
#include "qcoll/cli/output_growth.hpp"
#include "qcoll/cli/output_replacement.hpp"
#include "qcoll/collide/stroboscopic_map.hpp"
#include "qcoll/io/command_line.hpp"
#include "qcoll/io/deck_points.hpp"
#include "qcoll/io/deck_problem.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/io/output_lock.hpp"
#include "qcoll/io/petsc_options.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"
#include "qcoll/tasks/completed_output.hpp"
#include "qcoll/tasks/resources.hpp"
#include "qcoll/tasks/stop_watchdog.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "qcoll/version.hpp"

namespace {

using namespace qcoll;

int world_rank() {
  int r = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &r);
  return r;
}

void report(const std::string& message) {
  if (world_rank() == 0) std::fprintf(stderr, "qcoll: error: %s\n", message.c_str());
}

std::string default_output(const Deck& deck, const CommandLine& cl) {
  if (!cl.output.empty()) return cl.output;
  if (!deck.run.output.empty()) return deck.run.output;
  std::string stem = deck.path;
  const auto slash = stem.find_last_of('/');
  if (slash != std::string::npos) stem = stem.substr(slash + 1);
  const auto dot = stem.find_last_of('.');
  if (dot != std::string::npos) stem = stem.substr(0, dot);
  return stem + ".h5";
}

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

std::string petsc_options_string() {
  const char* all = nullptr;
  if (PetscOptionsGetAll(nullptr, const_cast<char**>(&all)) != 0 || !all) return "";
  std::string s(all);
  PetscFree(all);
  const std::string own = "-no_signal_handler";  // qcoll's, not the user's (main)
  const size_t at = s.find(own);
  if (at != std::string::npos) s.erase(at, own.size() + (at + own.size() < s.size() ? 1 : 0));
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// --restart FILE.h5: an evolve, collide or steady run, or any sweep. A single run
// needs FILE.h5.checkpoint from the same task and the same physics; a sweep
// keeps the points FILE.h5 has finished and needs the file or a checkpoint.
void check_restart(const CommandLine& cl, const std::string& task, const Deck& deck) {
  const bool sweep = deck.sweep.has_value();
  if (task != "evolve" && task != "collide" && task != "steady" && !sweep)
    throw InputError(
        "--restart continues an evolve, collide or steady run, or a sweep; the task here "
        "is '" +
            task + "' without [sweep]",
        "command line");
  if (!cl.output.empty() && cl.output != cl.restart)
    throw InputError("--restart " + cl.restart + " continues into the same file; -o " + cl.output +
                         " names another",
                     "command line");
  const std::string checkpoint = checkpoint_path(cl.restart);
  const bool have_checkpoint = file_exists(checkpoint);
  if (sweep && !have_checkpoint) {
    if (!file_exists(cl.restart))
      throw InputError(
          "nothing to restart from: neither " + cl.restart + " nor " + checkpoint + " exists",
          "command line");
    return;  // the finished points of the file are kept, the others computed
  }
  if (!have_checkpoint)
    throw InputError("no checkpoint to restart from: " + checkpoint +
                         " does not exist (checkpoints are written every [checkpoint] "
                         "every_seconds and when the run receives SIGTERM or SIGUSR1)",
                     "command line");
  try {
    const std::string written_by = checkpoint_task(PETSC_COMM_WORLD, checkpoint);
    if (written_by != task)
      throw InputError(checkpoint + " is the checkpoint of a " + written_by +
                           " run; continue it with `qcoll " + written_by + " ... --restart " +
                           cl.restart + "`",
                       "command line");
    // A single run continues only with its own physics and settings; a sweep
    // matches the checkpoint to its point instead.
    if (task == "collide" && !sweep) check_collide_restart(PETSC_COMM_WORLD, deck.toml, checkpoint);
    if (task == "evolve" && !sweep) check_evolve_restart(PETSC_COMM_WORLD, deck.toml, checkpoint);
    if (task == "steady" && !sweep) check_steady_restart(PETSC_COMM_WORLD, deck.toml, checkpoint);
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {  // not a checkpoint qcoll can read
    throw InputError("the checkpoint " + checkpoint + " cannot be read (" + e.what() +
                         "): it cannot be continued. Run again without --restart (with "
                         "--overwrite) to start anew",
                     "command line");
  }
}

// Every collide point's ancilla states are checked before any work (and
// before the output file is touched): rho_A >= 0 at every tau.
void check_collide_points(const Deck& deck, std::optional<long long> only) {
  if (!deck.sweep) {
    check_collide_input(deck.model, deck.collide);
    return;
  }
  for (size_t k = 0; k < deck.sweep->count(); ++k) {
    if (only && static_cast<size_t>(*only) != k) continue;
    const std::vector<Override> o = sweep_overrides(*deck.sweep, k);
    const Deck point = with_overrides(deck, o);
    try {
      check_collide_input(point.model, point.collide);
    } catch (const InputError& e) {
      std::string where;
      for (const Override& x : o) where += (where.empty() ? "" : ", ") + x.key + " = " + x.value;
      throw InputError("point " + std::to_string(k) + " (" + where + "): " + e.what(),
                       e.key().empty() ? "sweep" : e.key());
    }
  }
}

// `arg` quoted for a POSIX shell when it needs it.
std::string shell_word(const std::string& arg) {
  const bool plain = !arg.empty() && arg.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_-+=.,:/@%") == std::string::npos;
  if (plain) return arg;
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command that continues a stopped run (with the run's --set overrides).
std::string restart_command(const CommandLine& cl, const std::string& task,
                            const std::string& output) {
  std::string command = "qcoll " + task + " " + shell_word(cl.deck);
  if (cl.sweep_index) command += " --sweep-index " + std::to_string(*cl.sweep_index);
  command += " --restart " + shell_word(output);
  for (const Override& o : cl.overrides) command += " --set " + shell_word(o.key + "=" + o.value);
  for (const std::string& a : cl.petsc_args) command += " " + shell_word(a);  // the same solvers
  return command;
}

// The deck of sweep point k when its system is larger than the deck's own (a
// sweep of the chain length): the up-front memory check is made for it.
std::optional<Deck> larger_sweep_point(const Deck& deck, std::size_t k) {
  if (!deck.sweep) return std::nullopt;
  Deck point = with_overrides(deck, sweep_overrides(*deck.sweep, k));
  if (point.model.dimension() <= deck.model.dimension()) return std::nullopt;
  return point;
}

// Like -options_left, but only for the user's options and with "did you
// mean" (rank 0 prints; -no_signal_handler and qcoll's own options are not
// the user's).
void report_unused_options(const CommandLine& cl) {
  std::vector<std::string> unused;
  if (PetscUnusedOptionNames(&unused)) return;
  const std::string note = unused_options_note(user_option_names(cl.petsc_args), unused);
  if (!note.empty()) PetscPrintf(PETSC_COMM_WORLD, "%s", note.c_str());
}

// Returns the process exit status.
int run(const CommandLine& cl) {
  Deck deck;
  try {
    deck = load_deck(cl.deck, cl.overrides);
  } catch (const InputError& e) {
    report(format_input_error(e, nullptr));
    return 1;
  }
  const std::string task = cl.task.empty() ? deck.run.task : cl.task;
  OutputLock lock;  // held to the end of the run
  try {
    check_launcher(PETSC_COMM_WORLD);
    if (task == "check") {
      const std::size_t largest = check_sweep_points(deck, std::nullopt);
      print_check_summary(PETSC_COMM_WORLD, deck);
      if (const std::optional<Deck> point = larger_sweep_point(deck, largest)) {
        std::string where, sets;
        for (const Override& o : sweep_overrides(*deck.sweep, largest)) {
          where += (where.empty() ? "" : ", ") + o.key + " = " + o.value;
          sets += " --set " + o.key + "=" + o.value;
        }
        PetscPrintf(PETSC_COMM_WORLD,
                    "sweep: point %zu (%s) has the largest system, d = %lld; the run's memory "
                    "check is made for it (qcoll check%s shows its estimate)\n",
                    largest, where.c_str(), static_cast<long long>(point->model.dimension()),
                    sets.c_str());
      }
      return 0;
    }
    RunContext ctx;
    ctx.restart = !cl.restart.empty();
    ctx.output_path = ctx.restart ? cl.restart : default_output(deck, cl);
    if (cl.sweep_index) {
      const size_t points = deck.sweep ? deck.sweep->count() : 0;
      if (!deck.sweep) throw InputError("--sweep-index needs a deck with [sweep]", "command line");
      if (static_cast<unsigned long long>(*cl.sweep_index) >= points)
        throw InputError("--sweep-index " + std::to_string(*cl.sweep_index) +
                             " is out of range: the sweep has " + std::to_string(points) +
                             " points (0.." + std::to_string(points - 1) + ")",
                         "command line");
      ctx.sweep_index = cl.sweep_index;
      // One file per point unless -o (or --restart) says otherwise (merge with
      // post/qcoll-merge).
      if (cl.output.empty() && !ctx.restart)
        ctx.output_path = ctx.output_path.substr(0, ctx.output_path.rfind(".h5")) + ".sweep" +
                          std::to_string(*cl.sweep_index) + ".h5";
    }
    const std::string& output = ctx.output_path;
    const std::size_t largest = check_sweep_points(deck, cl.sweep_index);
    // Where the output's name came from, for messages about it.
    const std::string output_key = ctx.restart               ? "--restart"
                                   : !cl.output.empty()      ? "-o"
                                   : deck.run.output.empty() ? ""
                                                             : "run.output";
    lock.acquire(PETSC_COMM_WORLD, output, output_key);  // one run per output file
    // A requeued job whose run had finished: nothing to do (same task and deck only).
    if (ctx.restart && (task == "evolve" || task == "collide" || task == "steady") &&
        restart_already_complete(PETSC_COMM_WORLD, deck.toml, deck.sweep.has_value(), task,
                                 output)) {
      PetscPrintf(PETSC_COMM_WORLD, "qcoll: %s is already complete; nothing to restart\n",
                  output.c_str());
      return 0;
    }
    if (ctx.restart) check_restart(cl, task, deck);  // before the output file is touched
    if (!ctx.restart && file_exists(output) && !cl.overwrite)
      throw InputError("the output file " + output +
                           " exists; pass --overwrite to replace it or -o to choose another",
                       output_key);
    if (task == "collide") check_collide_points(deck, cl.sweep_index);
    const Problem problem = prepare_problem(deck);
    PetscPrintf(PETSC_COMM_WORLD, "%s", unit_hints(problem.me).c_str());  // beta typed as T?
    auto estimate = [&task](const Problem& p) {
      return estimate_memory(PETSC_COMM_WORLD, p.me, solved_fraction(task, p));
    };
    // A sweep of the chain length: the largest point (its problem freed right after).
    const std::optional<Deck> larger = larger_sweep_point(deck, largest);
    const MemoryEstimate memory = larger ? estimate(prepare_problem(*larger)) : estimate(problem);
    check_memory(memory, cl.force);
    check_output_growth(PETSC_COMM_WORLD,
                        estimate_output_growth(deck, task, problem.me.dim, cl.sweep_index), memory,
                        output, ctx.restart, cl.force);
    int nranks = 1;
    MPI_Comm_size(PETSC_COMM_WORLD, &nranks);
    // A restart continues into its file when that is readable, else starts it anew.
    const bool append =
        ctx.restart && file_exists(output) && Hdf5File::readable(output, PETSC_COMM_WORLD);
    // An existing output is replaced only by a run that ends well.
    OutputReplacement written(PETSC_COMM_WORLD, output, !ctx.restart && file_exists(output));
    Hdf5File out(written.path(), PETSC_COMM_WORLD,
                 append ? Hdf5File::Mode::Append : Hdf5File::Mode::Create);
    write_run_header(out, deck, problem.me, Provenance{task, petsc_options_string(), nranks});
    install_stop_signals();
    start_stop_watchdog(PETSC_COMM_WORLD, restart_command(cl, task, output), deck.sweep.has_value(),
                        written.path(), output);
    // Without [sweep] the problem prepared above is the one point.
    const PetscErrorCode ierr =
        deck.sweep ? RunTask(PETSC_COMM_WORLD, task, DeckPoints(deck), out, ctx)
                   : RunTask(PETSC_COMM_WORLD, task, SinglePoint(problem), out, ctx);
    if (ierr) {
      const char* text = nullptr;
      char* specific = nullptr;
      PetscErrorMessage(ierr, &text, &specific);
      const std::string message = specific ? specific : text ? text : "";
      // -ts_type foo: the user's input, named, exit 1 (not a solver failure).
      const std::string unknown =
          ierr == PETSC_ERR_ARG_UNKNOWN_TYPE ? unknown_type_message(cl.petsc_args, message) : "";
      if (!unknown.empty()) {
        report(unknown);
        return 1;
      }
      // A setting the solvers refuse before solving (nev beyond d^2, an LU
      // that cannot fit, a gap that would take hours): the message names it.
      if (ierr == PETSC_ERR_USER_INPUT) {
        report(message);
        return 1;
      }
      report(std::string("the ") + task + " task failed: " + message +
             (written.replacing() ? " (" + output + " is left as it was)" : ""));
      return 2;
    }
    if (ctx.stopped) {
      out.close();
      written.commit();
      const std::string saved = file_exists(checkpoint_path(output))
                                    ? "checkpoint in " + checkpoint_path(output)
                                    : "the finished sweep points are in " + output;
      PetscPrintf(PETSC_COMM_WORLD, "qcoll: stopped early; %s. Continue with:\n  %s\n",
                  saved.c_str(), restart_command(cl, task, output).c_str());
      return 0;
    }
    write_complete(out);
    out.close();
    written.commit();
    PetscPrintf(PETSC_COMM_WORLD, "output: %s\n", output.c_str());
    report_unused_options(cl);
  } catch (const InputError& e) {
    report(format_input_error(e, &deck));
    return 1;
  } catch (const std::exception& e) {
    report(e.what());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) or a full quota: the write fails with EFBIG
  // and the run ends with a message naming the file, not killed by SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  CommandLine cl;
  std::string parse_error;
  try {
    cl = parse_command_line(args);
    check_options_files(cl.petsc_args);  // PETSc would answer a bad one with a traceback
  } catch (const InputError& e) {
    parse_error = e.what();
  }
  // PETSc's own signal handler is off: SIGTERM and SIGUSR1 belong to qcoll's
  // stop handler (install_stop_signals), which stays installed to the end, so
  // a signal that arrives while the run finishes is ignored rather than
  // killing the process (PetscFinalize would otherwise restore SIG_DFL).
  std::string no_handler = "-no_signal_handler";
  std::vector<char*> petsc_argv{argv[0], no_handler.data()};
  // After a command-line error PETSc gets none of the user's options: they
  // may be what is wrong (a missing options file, a value taken as the deck).
  if (parse_error.empty())
    for (std::string& a : cl.petsc_args) petsc_argv.push_back(a.data());
  int petsc_argc = static_cast<int>(petsc_argv.size());
  petsc_argv.push_back(nullptr);
  char** pargv = petsc_argv.data();
  if (SlepcInitialize(&petsc_argc, &pargv, nullptr, nullptr)) return 2;
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  int status = 0;
  if (!parse_error.empty()) {
    report(parse_error);
    status = 1;
  } else if (cl.help) {
    if (world_rank() == 0) std::printf("%s", usage_text().c_str());
  } else if (cl.version) {
    if (world_rank() == 0) std::printf("qcoll %s (git %s)\n", kVersion, kGitCommit);
  } else {
    status = run(cl);
  }
  // A file HDF5 could not write (a full disk) cannot be closed either: its
  // library shutdown inside MPI_Finalize would crash on it. The error is
  // reported; end without it (every rank saw the collective failure).
  if (hdf5_write_failed()) {
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(status != 0 ? status : 2);
  }
  SlepcFinalize();
  return status;
}

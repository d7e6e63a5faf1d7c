#include "qcoll/tasks/completed_output.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "qcoll/io/deck_difference.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"

namespace qcoll {
namespace {

struct Finished {
  bool complete = false;
  std::string task, deck;
};

Finished read_finished(MPI_Comm comm, const std::string& output) {
  int rank = 0, present = 0;
  MPI_Comm_rank(comm, &rank);
  if (rank == 0) {
    struct stat st;
    present = stat(output.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  MPI_Bcast(&present, 1, MPI_INT, 0, comm);
  Finished f;
  if (!present || !Hdf5File::readable(output, comm)) return f;
  Hdf5File file(output, comm, Hdf5File::Mode::Append);
  try {
    f.complete = file.read_int_attribute("/", "complete") == 1;
  } catch (const std::exception&) {
    f.complete = false;  // no attribute: the run never finished
  }
  // Every rank reads the same file, so all agree on `complete`.
  if (f.complete) {
    f.task = file.read_string_attribute("/", "task");
    f.deck = file.read_string_attribute("/", "deck");
  }
  file.close();
  return f;
}

}  // namespace

bool restart_already_complete(MPI_Comm comm, const std::string& deck_toml, bool sweep,
                              const std::string& task, const std::string& output) {
  const Finished f = read_finished(comm, output);
  if (!f.complete) return false;
  if (f.task != task)
    throw InputError(output + " is the complete output of `qcoll " + f.task +
                         "`; --restart continues the same task (qcoll " + f.task +
                         " ... --restart " + output + ")",
                     "command line");
  std::vector<std::string> free = task == "collide"  ? collide_restart_free_tables()
                                  : task == "steady" ? steady_restart_free_tables()
                                                     : evolve_restart_free_tables();
  if (sweep) free.erase(std::remove(free.begin(), free.end(), "sweep"), free.end());
  const std::vector<DeckDifference> diff = deck_differences(deck_toml, f.deck, free);
  if (!diff.empty())
    throw InputError(output + " is already complete, but from another deck: " + diff[0].key +
                         " is " + diff[0].first + " here and " + diff[0].second +
                         " in the finished run. Nothing to restart; to compute this deck, run "
                         "without --restart (with --overwrite, or another -o)",
                     diff[0].key);
  return true;
}

}  // namespace qcoll

#include "qcoll/tasks/collide_checkpoint.hpp"

#include <stdexcept>

#include "qcoll/io/deck_difference.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/tasks/checkpoint.hpp"

namespace qcoll {
namespace {

const char* stage_name(CollideProgress::Stage stage) {
  switch (stage) {
    case CollideProgress::Stage::Pending:
      return "pending";
    case CollideProgress::Stage::Running:
      return "running";
    case CollideProgress::Stage::Finished:
      return "finished";
  }
  return "unknown";
}

std::string run_group(std::size_t k) {
  return "/checkpoint/collide/" + std::to_string(k);
}

}  // namespace

void write_collide_checkpoint(MPI_Comm comm, const std::string& path, const CollideCheckpoint& c) {
  const std::string tmp = path + ".tmp";
  Hdf5File f(tmp, comm, Hdf5File::Mode::Create);
  f.allow_non_finite();  // a checkpoint stores what it has
  f.ensure_group("/checkpoint/collide");
  f.write_attribute("/checkpoint", "task", std::string("collide"));
  f.write_attribute("/checkpoint", "deck", c.deck);
  f.write_attribute("/checkpoint/collide", "runs", static_cast<long long>(c.runs.size()));
  for (std::size_t k = 0; k < c.runs.size(); ++k) {
    const CollideProgress& r = c.runs[k];
    const std::string g = run_group(k);
    const std::vector<double> flat = pack(r);
    f.write_real(g + "/progress", {flat.size()}, flat,
                 "the run's state in the flat form of CollideProgress (collide_run.hpp): stage, "
                 "stroke, last_recorded, rho, rho_ME, then the records so far");
    f.write_attribute(g, "tau", r.series.tau);
    f.write_attribute(g, "stage", std::string(stage_name(r.stage)));
    f.write_attribute(g, "stroke", static_cast<long long>(r.stroke));
    f.write_attribute(g, "strokes", r.series.strokes);
  }
  f.close();
  commit_checkpoint(comm, tmp, path);
}

CollideCheckpoint read_collide_checkpoint(MPI_Comm comm, const std::string& path) {
  Hdf5File f(path, comm, Hdf5File::Mode::Append);
  if (!f.exists("/checkpoint/collide"))
    throw std::runtime_error(path + " is not the checkpoint of a collide run");
  CollideCheckpoint c;
  c.deck = f.read_string_attribute("/checkpoint", "deck");
  const long long runs = f.read_int_attribute("/checkpoint/collide", "runs");
  for (long long k = 0; k < runs; ++k) {
    c.runs.push_back(unpack_progress(f.read_real(run_group(k) + "/progress")));
    if (c.runs.back().series.tau != f.read_real_attribute(run_group(k), "tau"))
      throw std::runtime_error(path + ": the progress of run " + std::to_string(k) +
                               " does not belong to its tau");
  }
  f.close();
  return c;
}

const std::vector<std::string>& collide_restart_free_tables() {
  static const std::vector<std::string> tables{"title",  "run",    "checkpoint",
                                               "evolve", "steady", "sweep"};
  return tables;
}

void check_collide_restart(MPI_Comm comm, const std::string& deck_toml, const std::string& path) {
  check_restart_deck(comm, deck_toml, path, collide_restart_free_tables(),
                     "A collide run continues only with the same model and [collide] settings");
}

}  // namespace qcoll

#include "collide_rounds.hpp"

#include <memory>

#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/collide_checkpoint.hpp"

namespace qcoll {
namespace {

// This rank's share of the runs, one after another in deck order.
class OwnRuns {
 public:
  OwnRuns(const Problem& p, const std::vector<int>& owner, int rank,
          std::vector<CollideProgress>& runs)
      : p_(p), rank_(rank), runs_(runs), changed_(runs.size(), 0) {
    for (std::size_t k = 0; k < runs.size(); ++k)
      if (owner[k] == rank && runs[k].stage != CollideProgress::Stage::Finished)
        queue_.push_back(k);
  }

  bool busy() const { return active_ != nullptr || next_ < queue_.size(); }
  // The tau being worked on (or last worked on).
  double tau() const { return p_.settings.collide.tau[current_]; }

  // Works on the current run for about `seconds` (starting the next run if
  // there is none); a run that reaches its last stroke is finished.
  PetscErrorCode Work(double seconds) {
    PetscFunctionBeginUser;
    if (!active_) {
      current_ = queue_[next_++];
      const CollideProgress& saved = runs_[current_];
      const bool resume = saved.stage == CollideProgress::Stage::Running;
      PetscCallCXX(active_ = std::make_unique<CollisionRun>());
      PetscCall(active_->Setup(collide_input(p_), tau(), resume ? &saved : nullptr));
    }
    PetscCall(active_->Advance(seconds));
    if (active_->done()) {
      CollideProgress& r = runs_[current_];
      PetscCall(active_->Finish(&r.series));
      active_.reset();
      r.series.rank = rank_;
      r.stage = CollideProgress::Stage::Finished;
      r.stroke = static_cast<index_t>(r.series.strokes);
      r.last_recorded = r.stroke;
      r.rho.clear();
      r.rho_master_equation.clear();
      changed_[current_] = 1;
    }
    PetscFunctionReturn(0);
  }

  // runs[k] of the run under way := its progress.
  PetscErrorCode Snapshot() {
    PetscFunctionBeginUser;
    if (active_) {
      PetscCall(active_->Snapshot(&runs_[current_]));
      changed_[current_] = 1;
    }
    PetscFunctionReturn(0);
  }

  // Which runs changed since the last call (1 per changed run), then clears.
  std::vector<int> TakeChanged() {
    std::vector<int> out(changed_.begin(), changed_.end());
    std::fill(changed_.begin(), changed_.end(), 0);
    return out;
  }

 private:
  const Problem& p_;
  int rank_;
  std::vector<CollideProgress>& runs_;
  std::vector<std::size_t> queue_;
  std::size_t next_ = 0, current_ = 0;
  std::unique_ptr<CollisionRun> active_;
  std::vector<char> changed_;
};

// The message of a failed run: "collide: tau = ... on rank ...: reason".
PetscErrorCode DescribeFailure(PetscErrorCode ierr, double tau, int rank, std::string* failure) {
  PetscFunctionBeginUser;
  const char* text = nullptr;
  char* specific = nullptr;
  PetscCall(PetscErrorMessage(ierr, &text, &specific));
  const char* reason = specific ? specific : text ? text : "error";
  PetscCallCXX(*failure = "collide: tau = " + std::to_string(tau) + " on rank " +
                          std::to_string(rank) + ": " + reason);
  PetscFunctionReturn(0);
}

// Agrees on failure across comm; the first failing rank's message is raised on all.
PetscErrorCode AgreeOnFailure(MPI_Comm comm, int rank, const std::string& failure) {
  PetscFunctionBeginUser;
  int size = 1;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  int mine = failure.empty() ? size : rank, first = size;
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm));
  if (first == size) PetscFunctionReturn(0);
  int length = static_cast<int>(failure.size());
  PetscCallMPI(MPI_Bcast(&length, 1, MPI_INT, first, comm));
  std::string message;
  PetscCallCXX(message = rank == first ? failure : std::string(length, ' '));
  PetscCallMPI(MPI_Bcast(message.data(), length, MPI_CHAR, first, comm));
  SETERRQ(comm, PETSC_ERR_LIB, "%s", message.c_str());
}

// Brings every rank's copy of the runs up to date and writes the checkpoint.
PetscErrorCode WriteCheckpoint(MPI_Comm comm, const Problem& p, const std::vector<int>& owner,
                               const std::string& path, OwnRuns& own,
                               std::vector<CollideProgress>& runs) {
  PetscFunctionBeginUser;
  int rank = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(own.Snapshot());
  std::vector<int> changed = own.TakeChanged();
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, changed.data(), static_cast<int>(changed.size()),
                             MPI_INT, MPI_MAX, comm));
  for (std::size_t k = 0; k < runs.size(); ++k) {
    if (!changed[k]) continue;
    std::vector<double> flat;
    if (owner[k] == rank) PetscCallCXX(flat = pack(runs[k]));
    PetscCall(BroadcastDoubles(comm, owner[k], &flat));
    if (owner[k] != rank) PetscCallCXX(runs[k] = unpack_progress(flat));
  }
  PetscCallCXX(write_collide_checkpoint(comm, path, CollideCheckpoint{p.identity, runs}));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode BroadcastDoubles(MPI_Comm comm, int root, std::vector<double>* data) {
  PetscFunctionBeginUser;
  long long n = static_cast<long long>(data->size());
  PetscCallMPI(MPI_Bcast(&n, 1, MPI_LONG_LONG, root, comm));
  PetscCallCXX(data->resize(static_cast<std::size_t>(n)));
  PetscCallMPI(MPI_Bcast(data->data(), static_cast<int>(n), MPI_DOUBLE, root, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode RunCollideRounds(MPI_Comm comm, const Problem& p, const std::vector<int>& owner,
                                const std::string& checkpoint, std::vector<CollideProgress>* runs,
                                bool* stopped) {
  PetscFunctionBeginUser;
  int rank = 0;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *stopped = false;
  OwnRuns own(p, owner, rank, *runs);
  CheckpointClock clock(comm, p.settings.checkpoint.every_seconds);
  std::string failure;
  for (;;) {
    if (failure.empty() && own.busy()) {
      const PetscErrorCode ierr = own.Work(kCollideRoundSeconds);
      if (ierr) PetscCall(DescribeFailure(ierr, own.tau(), rank, &failure));
    }
    int state[2] = {own.busy() ? 1 : 0, failure.empty() ? 0 : 1};  // busy, failed
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, state, 2, MPI_INT, MPI_MAX, comm));
    if (state[1] || !state[0]) break;
    const bool signalled = stop_signal_received(comm);
    if (!signalled && !clock.due()) continue;
    PetscCall(WriteCheckpoint(comm, p, owner, checkpoint, own, *runs));
    if (signalled) {
      *stopped = true;
      break;
    }
  }
  PetscCall(AgreeOnFailure(comm, rank, failure));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

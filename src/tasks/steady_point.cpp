// The steady and spectrum tasks as point solvers (interface.md: /steady,
// /spectrum): a SteadyRunner kept across the points of a sweep, so a lambda
// sweep reuses the Liouvillian and the set-up of its solvers.
#include <optional>

#include "evolve_runner.hpp"
#include "point_solver.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/tasks/checkpoint.hpp"
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/stop_watchdog.hpp"
#include "steady_runner.hpp"

namespace qcoll {
namespace {

// gap and eigenvalues of a point's group (written by write_spectrum).
void add_spectrum_columns(Hdf5File& out, const std::string& group, PointRow* row) {
  PointRow::Column gap{"gap",
                       "Liouvillian spectral gap per point (1/time)",
                       out.read_real(group + "/gap"),
                       {},
                       false};
  PointRow::Column eig{"eigenvalues",
                       "the slowest eigenvalues of L per point, slowest first, NaN-padded (1/time)",
                       {},
                       out.read_complex(group + "/eigenvalues"),
                       true};
  row->columns.push_back(std::move(gap));
  row->columns.push_back(std::move(eig));
}

class SteadyTask : public PointSolver {
 public:
  explicit SteadyTask(bool steady) : steady_(steady) {}
  std::string group() const override { return steady_ ? "/steady" : "/spectrum"; }
  // An iterative steady solve stopped by a signal saves its last iterate.
  bool checkpoints() const override { return steady_; }
  bool CanResume(MPI_Comm comm, const Problem& p, const std::string& checkpoint, const Hdf5File&,
                 const std::string&) const override {
    return steady_ && checkpoint_has_deck(comm, checkpoint, p.identity);
  }

  // From the set-up to the end of the solve (not the writing) a stop signal
  // ends the process after a grace (tasks/stop_watchdog.hpp): LU
  // factorisations and dense eigendecompositions poll no flag.
  PetscErrorCode Setup(MPI_Comm comm, const Problem& p) override {
    PetscFunctionBeginUser;
    PetscCallCXX(part_.emplace(part_name()));
    PetscCall(runner_.Setup(comm, p, steady_, !steady_ || p.settings.steady.gap));
    PetscFunctionReturn(0);
  }

  PetscErrorCode SetLambdas(MPI_Comm, const Problem& p) override {
    PetscFunctionBeginUser;
    PetscCallCXX(part_.emplace(part_name()));
    PetscCall(runner_.SetLambdas(p));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Solve(MPI_Comm comm, const Problem& p, Hdf5File& out, const PointTarget& target,
                       bool* stopped) override {
    PetscFunctionBeginUser;
    *stopped = false;
    if (target.resume) PetscCall(runner_.LoadGuess(target.checkpoint));
    SteadyPoint point;
    PetscCall(runner_.Solve(p, &point));
    part_.reset();
    if (point.report.stopped) {
      PetscCall(runner_.WriteCheckpoint(target.checkpoint, p.identity));
      PetscCall(PetscPrintf(comm,
                            "steady: stopped by a signal in iteration %" PetscInt_FMT
                            "; its iterate is saved in %s\n",
                            point.report.iterations, target.checkpoint.c_str()));
      *stopped = true;
      PetscFunctionReturn(0);
    }
    if (steady_) {
      PetscCall(runner_.WriteSteady(out, target.group, p, point));
      PetscFunctionReturn(0);
    }
    const SpectrumResult& s = point.spectrum;
    PetscCall(PetscPrintf(
        comm, "spectrum: the %zu slowest eigenvalues (%lld at 0), gap %.6g, %.3f s\n",
        s.eigenvalues.size(), static_cast<long long>(s.zero_count), s.gap, s.wall_seconds));
    PetscCall(LogStagePush("output"));
    PetscCallCXX(write_spectrum(out, target.group, s));
    PetscCall(PetscLogStagePop());
    PetscFunctionReturn(0);
  }

  PetscErrorCode ReadRow(MPI_Comm, const Problem& p, Hdf5File& out, const std::string& group, bool,
                         PointRow* row) override {
    PetscFunctionBeginUser;
    PetscCallCXX({
      if (steady_) {
        row->has_values = true;
        row->observable_names = p.ops.observable_names;
        FieldAvailability present;
        row->values = read_thermo_point(out, group, p.ops.observable_names, &present);
        row->fields = present;
        row->columns.push_back(PointRow::Column{"residual",
                                                "||L(rho)||_2 per point (1/time)",
                                                out.read_real(group + "/residual"),
                                                {},
                                                false});
      }
      if (out.exists(group + "/gap")) add_spectrum_columns(out, group, row);
      // Per-point lists [np, m] (fluctuations) and single values [np] (machine).
      auto add = [&](std::initializer_list<const char*> names, bool list) {
        for (const char* name : names) {
          const std::string path = group + "/" + name;
          if (!out.exists(path)) continue;
          row->columns.push_back(
              PointRow::Column{name,
                               out.read_string_attribute(path, "description") + "; per point",
                               out.read_real(path),
                               {},
                               list});
        }
      };
      add({"fluctuations/mean", "fluctuations/covariance", "fluctuations/cumulant3",
           "fluctuations/tur_ratio"},
          true);
      add({"machine/power", "machine/heat_hot", "machine/heat_cold", "machine/efficiency",
           "machine/cop", "machine/carnot_efficiency"},
          false);
      if (out.exists(group + "/machine")) {
        PointRow::Column regime{
            "machine/regime", "the machine's regime at each point", {}, {}, false};
        regime.text = {out.read_string_attribute(group + "/machine", "regime")};
        row->columns.push_back(std::move(regime));
      }
    });
    PetscFunctionReturn(0);
  }

 private:
  std::string part_name() const {
    return steady_ ? "the steady-state solve" : "the spectrum solve";
  }

  bool steady_;
  SteadyRunner runner_;
  std::optional<UninterruptiblePart> part_;
};

}  // namespace

std::unique_ptr<PointSolver> make_steady_solver() {
  return std::make_unique<SteadyTask>(true);
}

std::unique_ptr<PointSolver> make_spectrum_solver() {
  return std::make_unique<SteadyTask>(false);
}

}  // namespace qcoll

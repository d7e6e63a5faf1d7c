// The steady and spectrum tasks (interface.md: /steady, /spectrum).
#include "qcoll/tasks/log_stages.hpp"
#include "qcoll/tasks/tasks.hpp"
#include "steady_runner.hpp"

namespace qcoll {

PetscErrorCode RunSteady(MPI_Comm comm, const Problem& p, Hdf5File& out) {
  PetscFunctionBeginUser;
  SteadyRunner runner;
  PetscCall(runner.Setup(comm, p, /*steady=*/true, /*spectrum=*/p.settings.steady.gap));
  SteadyPoint point;
  PetscCall(runner.Solve(p, &point));
  PetscCall(runner.WriteSteady(out, "/steady", p, point));
  PetscFunctionReturn(0);
}

PetscErrorCode RunSpectrum(MPI_Comm comm, const Problem& p, Hdf5File& out) {
  PetscFunctionBeginUser;
  SteadyRunner runner;
  PetscCall(runner.Setup(comm, p, /*steady=*/false, /*spectrum=*/true));
  SteadyPoint point;
  PetscCall(runner.Solve(p, &point));
  const SpectrumResult& s = point.spectrum;
  PetscCall(PetscPrintf(
      comm, "spectrum: the %zu slowest eigenvalues (%lld at 0), gap %.6g, %.3f s\n",
      s.eigenvalues.size(), static_cast<long long>(s.zero_count), s.gap, s.wall_seconds));
  PetscCall(LogStagePush("output"));
  PetscCallCXX(write_spectrum(out, "/spectrum", s));
  PetscCall(PetscLogStagePop());
  PetscFunctionReturn(0);
}

}  // namespace qcoll

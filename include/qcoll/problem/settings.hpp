#pragma once
// The typed run settings of one point (docs/input.md gives every key and its
// default). io fills them from the deck; everything below the command line
// reads them, never the deck.
#include <string>

#include "qcoll/collide/collide_settings.hpp"
#include "qcoll/model/types.hpp"

namespace qcoll {

struct RunSettings {
  std::string task = "evolve";  // evolve | steady | spectrum | collide
  std::string output;           // HDF5 path ("" -> <deck stem>.h5)
};

struct EvolveSettings {
  double t_final = 10.0;
  double dt_output = 0.1;
  std::string method = "ts";  // ts | expm
  double rtol = 1e-8;
  double atol = 1e-10;
  bool entropy = true;
  index_t store_states = 0;  // store rho every k-th output (0: final only)
};

struct SteadySettings {
  std::string method = "auto";  // auto | eigen | direct | iterative | evolve
  bool gap = false;
  index_t nev = 6;  // eigenvalues for the gap / spectrum
  double tol = 1e-13;
  bool symmetry = true;       // solve in the invariant blocks of rho the steady state lives in
  bool fluctuations = false;  // cumulants of each species' heat (full counting statistics)
};

// Which species are the machine's hot and cold baths ("": the smallest and
// largest finite beta).
struct MachineSettings {
  std::string hot, cold;
};

struct CheckpointSettings {
  double every_seconds = 0.0;  // 0: only on signals
};

struct Settings {
  RunSettings run;
  EvolveSettings evolve;
  SteadySettings steady;
  CollideSettings collide;
  CheckpointSettings checkpoint;
  MachineSettings machine;
};

}  // namespace qcoll

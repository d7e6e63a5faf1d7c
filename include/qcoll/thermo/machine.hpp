#pragma once
// A steady state as a thermal machine between a hot and a cold species
// (physics.md, "Machines"): power = -sum_j Wdot_C^j (coherent work the system
// delivers), heat_hot / heat_cold = Qdot_inc of those species (into the
// system), and the regime:
//   engine        power > 0                            efficiency = power / heat_hot
//   refrigerator  power < 0, heat_cold > 0             cop = heat_cold / (-power)
//   accelerator   power < 0, heat_hot > 0 > heat_cold
//   heater        power < 0, heat_hot < 0, heat_cold < 0
//   none          no coherent work (|power| <= 1e-12 of the heat currents,
//                 e.g. lambda = 0), or none of the above
// A metric undefined in the regime is NaN.
#include <string>
#include <vector>

#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct MachineMetrics {
  int hot = -1, cold = -1;  // species indices
  double power = 0, heat_hot = 0, heat_cold = 0;
  double efficiency = 0, cop = 0, carnot_efficiency = 0;
  std::string regime;
};

// The hot and cold species: the names given (either may be ""), else the
// species with the smallest and the largest finite beta. {-1, -1} when there
// are no two species with different finite betas to choose from.
std::pair<int, int> machine_species(const std::vector<std::string>& names,
                                    const std::vector<double>& betas, const std::string& hot,
                                    const std::string& cold);

MachineMetrics machine_metrics(const ThermoValues& v, const std::vector<double>& betas, int hot,
                               int cold);

}  // namespace qcoll

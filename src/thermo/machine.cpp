#include "qcoll/thermo/machine.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qcoll {

std::pair<int, int> machine_species(const std::vector<std::string>& names,
                                    const std::vector<double>& betas, const std::string& hot,
                                    const std::string& cold) {
  auto index_of = [&](const std::string& name) {
    for (size_t j = 0; j < names.size(); ++j)
      if (names[j] == name) return static_cast<int>(j);
    return -1;
  };
  int h = hot.empty() ? -1 : index_of(hot), c = cold.empty() ? -1 : index_of(cold);
  for (size_t j = 0; j < betas.size(); ++j) {
    if (!std::isfinite(betas[j])) continue;
    const int k = static_cast<int>(j);
    if (hot.empty() && k != c && (h < 0 || betas[j] < betas[h])) h = k;
    if (cold.empty() && k != h && (c < 0 || betas[j] > betas[c])) c = k;
  }
  if (h < 0 || c < 0 || h == c) return {-1, -1};
  return {h, c};
}

MachineMetrics machine_metrics(const ThermoValues& v, const std::vector<double>& betas, int hot,
                               int cold) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  MachineMetrics m;
  m.hot = hot;
  m.cold = cold;
  for (double w : v.work_coherent) m.power -= w;
  m.heat_hot = v.heat_incoherent.at(hot);
  m.heat_cold = v.heat_incoherent.at(cold);
  m.carnot_efficiency = 1.0 - betas.at(hot) / betas.at(cold);
  m.efficiency = m.cop = nan;
  const double scale = std::max(std::abs(m.heat_hot), std::abs(m.heat_cold));
  if (std::abs(m.power) <= 1e-12 * scale || m.power == 0.0) {
    m.regime = "none";
  } else if (m.power > 0) {
    m.regime = "engine";
    m.efficiency = m.power / m.heat_hot;
  } else if (m.heat_cold > 0) {
    m.regime = "refrigerator";
    m.cop = m.heat_cold / (-m.power);
  } else if (m.heat_hot > 0 && m.heat_cold < 0) {
    m.regime = "accelerator";
  } else if (m.heat_hot < 0 && m.heat_cold < 0) {
    m.regime = "heater";
  } else {
    m.regime = "none";
  }
  return m;
}

}  // namespace qcoll

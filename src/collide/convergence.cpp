#include "qcoll/collide/convergence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace qcoll {

double fitted_order(const std::vector<double>& x, const std::vector<double>& y) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t k = 0; k < x.size() && k < y.size(); ++k) {
    if (!(x[k] > 0.0 && y[k] > kRoundOffError && std::isfinite(x[k]) && std::isfinite(y[k])))
      continue;
    const double lx = std::log(x[k]), ly = std::log(y[k]);
    n += 1;
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
  }
  const double var = sxx - sx * sx / std::max(n, 1.0);
  if (n < 2 || var <= 1e-14 * std::max(1.0, sxx)) return std::numeric_limits<double>::quiet_NaN();
  return (sxy - sx * sy / n) / var;
}

}  // namespace qcoll

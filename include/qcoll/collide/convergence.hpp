#pragma once
// Convergence of the finite-tau map to the master equation over a list of tau.
#include <vector>

namespace qcoll {

// Errors at or below this are round-off (the map and the master equation agree
// exactly, e.g. nothing happens) and are left out of fits.
inline constexpr double kRoundOffError = 1e-12;

// Least-squares slope of ln y against ln x over the points with finite x > 0
// and y > kRoundOffError: the measured order p of y ~ C x^p. NaN with fewer
// than two such points.
double fitted_order(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace qcoll

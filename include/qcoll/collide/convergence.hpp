#pragma once
// Convergence of the finite-tau map to the master equation over a list of tau.
#include <vector>

namespace qcoll {

// Least-squares slope of ln y against ln x over the points with finite x, y > 0:
// the measured order p of y ~ C x^p. NaN with fewer than two distinct x.
double fitted_order(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace qcoll

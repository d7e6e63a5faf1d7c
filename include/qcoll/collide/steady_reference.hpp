#pragma once
// Dense steady states for the convergence study (small d only): the fixed
// point of the stroboscopic map and the steady state of the master equation,
// both as the normalised null vector of a d^2 x d^2 generator (one LU solve,
// O(d^6) time, 16 d^4 bytes).
#include <optional>

#include "qcoll/collide/stroboscopic_map.hpp"
#include "qcoll/derive/master_equation.hpp"

namespace qcoll {

inline constexpr index_t kMaxDenseSteadyDimension = 32;

// The state x with M vec(x) = 0 and tr x = 1 for a trace-annihilating M
// (column stacking). nullopt when the null space is not one-dimensional.
std::optional<DenseMatrix> stationary_state(const DenseMatrix& generator, index_t d);

// The master equation's L = L_0 + sum_j lambda_j L_Gj as a dense matrix.
DenseMatrix dense_liouvillian(const MasterEquation& me);

std::optional<DenseMatrix> master_equation_steady_state(const MasterEquation& me);
std::optional<DenseMatrix> map_fixed_point(const StroboscopicMap& map);

}  // namespace qcoll

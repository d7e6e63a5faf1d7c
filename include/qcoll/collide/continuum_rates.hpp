#pragma once
// The continuum (master-equation) thermodynamic rates of physics.md section 3
// evaluated at a dense state, for comparison with the per-collision values:
// energy, Wdot_C^j, Qdot_inc^j, Qdot_A^j, and the entropic rates
//     dS/dt = -tr(L(rho) ln rho) = -sum_j tr(D_j(rho) ln rho),
//     Pi = dS/dt - sum_j beta_j Qdot_inc^j,  Pi_A = dS/dt - sum_j beta_j Qdot_incA^j.
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

// `spectrum` is eigh of rho (ln rho uses eigenvalues floored at kLogFloor).
ThermoValues continuum_values(const MasterEquation& me, const ThermoOperators& ops,
                              const std::vector<double>& betas, const DenseMatrix& rho,
                              const HermitianEigen& spectrum);

}  // namespace qcoll

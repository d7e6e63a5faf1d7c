#pragma once
// Thermodynamic bookkeeping of the master equation (physics.md section 3),
// expressed as system operators X whose expectation tr(X rho) is the quantity:
//   energy            H_S
//   dE/dt             L^dag(H_S)
//   Wdot_C^j          i lambda_j [G_j, H_S]
//   Qdot_inc^j        D_j^dag(H_S)
//   Qdot_A^j          i lambda_j sum_pq (e_q - e_p) chi_qp S_pq  -  Qdot_incA^j
//   Qdot_incA^j       1/2 <[V,[V,H_A]]>_{rho (x) rho_th}
//                     = 1/2 sum_pq (e_q - e_p)(p_q S_qp S_pq - p_p S_pq S_qp)
// (S_pq: coupling blocks in H_A's eigenbasis, see derive/master_equation.hpp).
#include <string>
#include <vector>

#include "qcoll/derive/master_equation.hpp"

namespace qcoll {

struct ThermoOperators {
  CsrMatrix identity;
  CsrMatrix energy;
  CsrMatrix energy_rate;
  std::vector<CsrMatrix> work_coherent;            // per species
  std::vector<CsrMatrix> heat_incoherent;          // per species
  std::vector<CsrMatrix> heat_ancilla;             // per species
  std::vector<CsrMatrix> heat_incoherent_ancilla;  // per species
  std::vector<std::string> observable_names;
  std::vector<CsrMatrix> observables;

  // All operators in a fixed order (see ThermoValues::from_traces).
  std::vector<const CsrMatrix*> all() const;
};

ThermoOperators thermo_operators(const Model& model, const MasterEquation& me);

// The same quantities evaluated: from the traces tr(X rho) in the order of
// ThermoOperators::all(), plus entropy data when available.
struct ThermoValues {
  double trace = 0, energy = 0, energy_rate = 0, purity = 0;
  std::vector<double> work_coherent, heat_incoherent, heat_ancilla, heat_incoherent_ancilla;
  double work_switching = 0;  // dE/dt + sum_j Qdot_A^j
  std::vector<cplx> observables;
  // Entropic quantities (NaN when not computed).
  double entropy, entropy_rate, entropy_production, entropy_production_ancilla, free_energy;

  static ThermoValues from_traces(const ThermoOperators& ops, const std::vector<cplx>& traces);
  // Pi = dS/dt - sum_j beta_j Qdot_inc^j, Pi_A likewise with Qdot_incA; F for one species.
  void set_entropy(double s, double dsdt, const std::vector<double>& betas);
};

}  // namespace qcoll

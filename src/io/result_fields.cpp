#include "qcoll/io/result_fields.hpp"

#include <cmath>

#include "qcoll/io/hdf5_file.hpp"

namespace qcoll {

namespace {

bool all_finite(const std::vector<double>& betas) {
  for (double b : betas)
    if (!std::isfinite(b)) return false;
  return true;
}

bool free_energy_defined(const std::vector<double>& betas) {
  return betas.size() == 1 && betas[0] > 0.0;  // beta = inf: F = <H_S>
}

}  // namespace

FieldAvailability FieldAvailability::evolution(bool with_entropy,
                                               const std::vector<double>& betas) {
  return {with_entropy, with_entropy, with_entropy && all_finite(betas),
          with_entropy && free_energy_defined(betas), true};
}

FieldAvailability FieldAvailability::steady_state(bool with_entropy,
                                                  const std::vector<double>& betas) {
  return {with_entropy, true, all_finite(betas), with_entropy && free_energy_defined(betas), true};
}

FieldAvailability FieldAvailability::present_in(const Hdf5File& f, const std::string& group) {
  FieldAvailability a;
  for (const ResultField& field : thermo_result_fields())
    if (field.needs && f.exists(group + "/" + field.name)) a.*field.needs = true;
  return a;
}

std::string ResultField::described() const {
  return std::string(description) + " (" + (std::string(unit) == "1" ? "dimensionless" : unit) +
         ")";
}

const std::vector<ResultField>& thermo_result_fields() {
  using V = ThermoValues;
  using A = FieldAvailability;
  static const std::vector<ResultField> fields{
      {"energy", &V::energy, nullptr, "energy", "<H_S>", nullptr},
      {"dEdt", &V::energy_rate, nullptr, "energy/time",
       "d<H_S>/dt from the master equation, = sum_j (Wdot_C^j + Qdot_inc^j) (first law)", nullptr},
      {"trace", &V::trace, nullptr, "1", "tr(rho)", nullptr},
      {"purity", &V::purity, nullptr, "1", "tr(rho^2)", nullptr},
      {"work_switching", &V::work_switching, nullptr, "energy/time",
       "switching work rate d<H_S>/dt + sum_j Qdot_A^j", nullptr},
      {"work_coherent", nullptr, &V::work_coherent, "energy/time",
       "coherent work rate Wdot_C^j = i lambda_j <[G_j, H_S]> per species", nullptr},
      {"heat_incoherent", nullptr, &V::heat_incoherent, "energy/time",
       "incoherent heat rate Qdot_inc^j = tr(H_S D_j(rho)) per species", nullptr},
      {"heat_ancilla", nullptr, &V::heat_ancilla, "energy/time",
       "energy gained by the ancillas of species j per unit time, Qdot_A^j", nullptr},
      {"heat_incoherent_ancilla", nullptr, &V::heat_incoherent_ancilla, "energy/time",
       "Qdot_incA^j = 1/2 <[V_j,[V_j,H_j]]>_{rho (x) rho_th}, the incoherent heat as seen by "
       "the ancillas of species j, entering Pi_A",
       nullptr},
      {"entropy", &V::entropy, nullptr, "1", "von Neumann entropy S = -tr(rho ln rho) (k_B = 1)",
       &A::entropy},
      {"dSdt", &V::entropy_rate, nullptr, "1/time", "dS/dt = -tr(L(rho) ln rho)", &A::entropy_rate},
      {"entropy_production", &V::entropy_production, nullptr, "1/time",
       "Pi = dS/dt - sum_j beta_j Qdot_inc^j", &A::entropy_production},
      {"entropy_production_ancilla", &V::entropy_production_ancilla, nullptr, "1/time",
       "Pi_A = dS/dt - sum_j beta_j Qdot_incA^j", &A::entropy_production},
      {"free_energy", &V::free_energy, nullptr, "energy", "F = <H_S> - S/beta (one species)",
       &A::free_energy},
  };
  return fields;
}

}  // namespace qcoll

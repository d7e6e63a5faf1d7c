#pragma once
// The one table of the thermodynamic result fields (docs/output.md): every
// writer of ThermoValues (the /evolve time series, the /steady point, the
// sweep tables of every task, the checkpoint series) and the restart reader
// go through it, and it is written into each output file as /result_fields
// for post/. A new quantity is one row here.
#include <string>
#include <vector>

#include "qcoll/thermo/operators.hpp"

namespace qcoll {

// Which rows a set of values carries.
struct FieldAvailability {
  bool entropy = false;             // S
  bool entropy_rate = false;        // dS/dt
  bool entropy_production = false;  // Pi, Pi_A
  bool free_energy = false;         // F = <H_S> - S / beta (one species)

  // A time evolution: the entropic rows with the entropy, or none.
  static FieldAvailability evolution(bool with_entropy, std::size_t species);
  // A steady state: dS/dt = 0, Pi = -sum_j beta_j Qdot_inc^j always; S and F
  // when rho was diagonalised.
  static FieldAvailability steady_state(bool with_entropy, std::size_t species);
};

struct ResultField {
  const char* name;
  double ThermoValues::*scalar;                // one value, or
  std::vector<double> ThermoValues::*species;  // one value per species
  const char* unit;                            // "energy", "energy/time", "1/time", "1"
  const char* description;                     // without the unit
  bool FieldAvailability::*needs;              // nullptr: always present

  bool per_species() const { return species != nullptr; }
  bool available(const FieldAvailability& a) const { return needs == nullptr || a.*needs; }
  // "<description> (<unit>)", the description attribute of the dataset.
  std::string described() const;
};

// The rows, in the order they are written.
const std::vector<ResultField>& thermo_result_fields();

}  // namespace qcoll

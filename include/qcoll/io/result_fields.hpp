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

class Hdf5File;

// Which rows a set of values carries.
struct FieldAvailability {
  bool entropy = false;             // S
  bool entropy_rate = false;        // dS/dt
  bool entropy_production = false;  // Pi, Pi_A
  bool free_energy = false;         // F = <H_S> - S / beta (one species)
  // Results are written only when finite (a NaN or Inf is an error naming the
  // dataset); checkpoints, which are not results, store what they have.
  bool require_finite = true;

  // A time evolution: the entropic rows with the entropy, or none. Pi, Pi_A
  // need every beta finite (a zero-temperature species makes them infinite),
  // F one species with beta > 0.
  static FieldAvailability evolution(bool with_entropy, const std::vector<double>& betas);
  // A steady state: dS/dt = 0, Pi = -sum_j beta_j Qdot_inc^j (betas finite);
  // S and F when rho was diagonalised.
  static FieldAvailability steady_state(bool with_entropy, const std::vector<double>& betas);
  // The optional fields a group has (reading back what was written).
  static FieldAvailability present_in(const Hdf5File& f, const std::string& group);
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

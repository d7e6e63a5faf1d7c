// The one table of result fields (io/result_fields.hpp): what is written, when
// a field exists, and that a non-finite value is never written as a result.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "physics_support.hpp"
#include "qcoll/io/output.hpp"
#include "qcoll/io/result_fields.hpp"
#include "test_support.hpp"

using namespace qcoll;
using namespace qcoll::testing;

namespace {

ThermoValues finite_values(size_t ns) {
  ThermoValues v;
  v.trace = 1.0;
  v.energy = -0.25;
  v.energy_rate = 0.0;
  v.purity = 0.6;
  v.work_switching = 0.0;
  v.work_coherent.assign(ns, 0.01);
  v.heat_incoherent.assign(ns, -0.01);
  v.heat_ancilla.assign(ns, 0.01);
  v.heat_incoherent_ancilla.assign(ns, -0.01);
  v.set_entropy(0.5, 0.0, std::vector<double>(ns, 1.0));
  return v;
}

}  // namespace

TEST(ResultFields, ANonFiniteResultIsRefusedNamingTheDatasetAndRow) {
  const std::string path = shared_temp_path("fields_nan");
  Hdf5File f(path, MPI_COMM_WORLD);
  const FieldAvailability fields = FieldAvailability::steady_state(true, {1.0, 2.0});
  ThermoValues v = finite_values(2);
  EXPECT_NO_THROW(write_thermo_point(f, "/ok", v, {}, fields));
  v.heat_incoherent[1] = std::numeric_limits<double>::infinity();
  try {
    write_thermo_point(f, "/steady", v, {}, fields);
    FAIL() << "an infinite heat current was written";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("/steady/heat_incoherent"), std::string::npos) << m;
    EXPECT_NE(m.find("infinite"), std::string::npos) << m;
    EXPECT_NE(m.find("species 1"), std::string::npos) << m;
  }
  std::vector<ThermoValues> series(3, finite_values(2));
  series[2].energy = std::nan("");
  try {
    write_thermo_rows(f, "/sweep", "values", series, {}, fields, "");
    FAIL() << "a NaN energy was written";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("/sweep/energy is NaN at row 2"), std::string::npos) << m;
  }
  // A checkpoint stores what it has (its file allows it, as tasks/checkpoint.cpp opens it).
  f.allow_non_finite();
  FieldAvailability checkpoint = fields;
  checkpoint.require_finite = false;
  EXPECT_NO_THROW(write_thermo_series(f, "/checkpoint", {0.0, 0.5, 1.0}, series, {}, checkpoint));
  EXPECT_TRUE(std::isnan(f.read_real("/checkpoint/energy")[2]));
}

TEST(ResultFields, UndefinedQuantitiesAreLeftOutNotWrittenAsInfinity) {
  const double inf = std::numeric_limits<double>::infinity();
  // A zero-temperature species: Pi = -sum_j beta_j Qdot_j is infinite, F = <H_S>.
  FieldAvailability a = FieldAvailability::steady_state(true, {inf});
  EXPECT_FALSE(a.entropy_production);
  EXPECT_TRUE(a.free_energy);
  EXPECT_TRUE(a.entropy);
  // Infinite temperature: F = <H_S> - S/beta is undefined.
  a = FieldAvailability::evolution(true, {0.0});
  EXPECT_FALSE(a.free_energy);
  EXPECT_TRUE(a.entropy_production);
  // F needs one species; without the entropy no entropic row at all.
  EXPECT_FALSE(FieldAvailability::evolution(true, {1.0, 2.0}).free_energy);
  const FieldAvailability none = FieldAvailability::evolution(false, {1.0});
  EXPECT_FALSE(none.entropy || none.entropy_rate || none.entropy_production || none.free_energy);
  // A steady state always has dS/dt = 0 and Pi (finite betas).
  const FieldAvailability steady = FieldAvailability::steady_state(false, {1.0, 2.0});
  EXPECT_TRUE(steady.entropy_rate && steady.entropy_production);
  EXPECT_FALSE(steady.entropy);
}

TEST(ResultFields, TheFileCarriesTheTableAndEveryDatasetItsUnit) {
  const std::string path = shared_temp_path("fields_table");
  Hdf5File f(path, MPI_COMM_WORLD);
  write_result_fields(f);
  const FieldAvailability fields = FieldAvailability::steady_state(true, {1.0});
  write_thermo_point(f, "/steady", finite_values(1), {}, fields);
  const std::vector<std::string> names = f.read_strings("/result_fields/name");
  const std::vector<std::string> units = f.read_strings("/result_fields/unit");
  const std::vector<long long> per = f.read_int("/result_fields/per_species");
  const std::vector<ResultField>& table = thermo_result_fields();
  ASSERT_EQ(names.size(), table.size());
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(names[i], table[i].name);
    EXPECT_EQ(units[i], table[i].unit);
    EXPECT_EQ(per[i] == 1, table[i].per_species());
    const std::string path_i = "/steady/" + names[i];
    ASSERT_TRUE(f.exists(path_i)) << path_i;  // one species, entropy: every field
    EXPECT_EQ(f.read_string_attribute(path_i, "units"), units[i]);
  }
  EXPECT_EQ(f.read_real("/steady/work_coherent").size(), 1u);
}

#include "sweep_points.hpp"

#include "qcoll/tasks/tasks.hpp"

namespace qcoll {

int lambda_species(const std::string& key, const MasterEquation& me) {
  const std::string head = "species.", tail = ".lambda";
  if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
      key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
    return -1;
  const std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
  for (size_t j = 0; j < me.species.size(); ++j)
    if (me.species[j].name == name) return static_cast<int>(j);
  return -1;
}

PetscErrorCode LoadPoint(const Deck& base, const SweepSettings& sweep, size_t k, SweepPoint* out) {
  PetscFunctionBeginUser;
  PetscCallCXX(out->deck = with_override(base, sweep_override(sweep, k)));
  PetscCallCXX(out->problem = std::make_unique<Problem>(prepare_problem(out->deck)));
  PetscFunctionReturn(0);
}

PetscErrorCode SweepIndices(MPI_Comm comm, const SweepSettings& sweep,
                            std::optional<long long> only, std::vector<size_t>* out) {
  PetscFunctionBeginUser;
  const size_t count = sweep.values.size();
  PetscCheck(
      !only || (*only >= 0 && static_cast<size_t>(*only) < count), comm, PETSC_ERR_ARG_OUTOFRANGE,
      "--sweep-index %lld is out of range: the sweep has %zu points", only.value_or(0), count);
  out->clear();
  for (size_t k = 0; k < count; ++k)
    if (!only || static_cast<size_t>(*only) == k) out->push_back(k);
  PetscFunctionReturn(0);
}

void write_sweep_attributes(Hdf5File& f, const SweepSettings& sweep, const std::string& task,
                            std::optional<long long> only) {
  f.ensure_group("/sweep");
  f.write_attribute("/sweep", "key", sweep.key);
  f.write_attribute("/sweep", "task", task);
  f.write_attribute("/sweep", "count", static_cast<long long>(sweep.values.size()));
  if (only) f.write_attribute("/sweep", "sweep_index", *only);
}

void write_sweep_index(Hdf5File& f, const SweepSettings& sweep,
                       const std::vector<size_t>& written) {
  std::vector<double> values;
  std::vector<long long> index;
  for (size_t k : written) {
    values.push_back(sweep.values[k]);
    index.push_back(static_cast<long long>(k));
  }
  f.write_real("/sweep/values", {values.size()}, values,
               "values of the swept key " + sweep.key + " (one per point)");
  f.write_int("/sweep/index", {index.size()}, index,
              "index of each point in the full sweep; its group is /sweep/<index>");
}

void write_point_attributes(Hdf5File& f, const std::string& group, const SweepSettings& sweep,
                            size_t k) {
  f.write_attribute(group, "value", sweep.values[k]);
  f.write_attribute(group, "override", sweep.key + "=" + sweep_override(sweep, k).value);
}

void check_sweep_points(const Deck& deck, std::optional<long long> only) {
  if (!deck.sweep) return;
  const SweepSettings& sweep = *deck.sweep;
  for (size_t k = 0; k < sweep.values.size(); ++k) {
    if (only && static_cast<size_t>(*only) != k) continue;
    const Override o = sweep_override(sweep, k);
    try {
      with_override(deck, o);
    } catch (const InputError& e) {
      throw InputError("point " + std::to_string(k) + " (" + o.key + " = " + o.value +
                           ") is not a valid deck: " + e.what(),
                       "sweep.values");
    }
  }
}

}  // namespace qcoll

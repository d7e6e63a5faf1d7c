#include "qcoll/io/output.hpp"

#include <cmath>
#include <ctime>
#include <limits>
#include <stdexcept>

#include "qcoll/version.hpp"

namespace qcoll {
namespace {

std::string now_iso8601() {
  char buf[64];
  const std::time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

template <class Get>
std::vector<double> column(const std::vector<ThermoValues>& v, Get get) {
  std::vector<double> out;
  out.reserve(v.size());
  for (const ThermoValues& x : v) out.push_back(get(x));
  return out;
}

// [nt, ns] row-major from a per-species member.
std::vector<double> per_species(const std::vector<ThermoValues>& v,
                                std::vector<double> ThermoValues::*member) {
  std::vector<double> out;
  for (const ThermoValues& x : v) out.insert(out.end(), (x.*member).begin(), (x.*member).end());
  return out;
}

// No result without its guarantee: a field is written only when every value
// is finite (a NaN or Inf is a failed solve or an overflow, never data).
void require_finite(const std::string& path, const std::vector<double>& data, size_t width) {
  for (size_t i = 0; i < data.size(); ++i) {
    if (std::isfinite(data[i])) continue;
    const std::string where =
        width > 1 ? "row " + std::to_string(i / width) + ", species " + std::to_string(i % width)
                  : "row " + std::to_string(i);
    throw std::runtime_error(path + " is " + (std::isnan(data[i]) ? "NaN" : "infinite") + " at " +
                             where + "; the result is not written (a diverged solve or an " +
                             "overflow: check the deck's magnitudes and the solver options)");
  }
}

void require_finite(const std::string& path, const std::vector<cplx>& data) {
  for (size_t i = 0; i < data.size(); ++i)
    if (!std::isfinite(data[i].real()) || !std::isfinite(data[i].imag()))
      throw std::runtime_error(path + " is not finite at row " + std::to_string(i) +
                               "; the result is not written");
}

}  // namespace

void name_axes(Hdf5File& f, const std::string& g, const std::string& time_name,
               const std::vector<std::string>& observable_names) {
  const std::string t = g + "/" + time_name;
  f.make_dimension_scale(t, time_name);
  const bool species_scale = f.exists("/model/species_names");
  if (species_scale) f.make_dimension_scale("/model/species_names", "species");
  for (const ResultField& field : thermo_result_fields()) {
    const std::string path = g + "/" + field.name;
    if (!f.exists(path)) continue;
    if (field.per_species()) {
      f.label_dimensions(path, {time_name, "species"});
      f.attach_dimension_scale(path, t, 0);
      if (species_scale) f.attach_dimension_scale(path, "/model/species_names", 1);
    } else {
      f.label_dimensions(path, {time_name});
      f.attach_dimension_scale(path, t, 0);
    }
  }
  for (const std::string& name : observable_names) {
    const std::string path = g + "/observables/" + name;
    f.label_dimensions(path, {time_name});
    f.attach_dimension_scale(path, t, 0);
  }
}

void write_run_header(Hdf5File& f, const Deck& deck, const MasterEquation& me,
                      const Provenance& p) {
  f.write_attribute("/", "qcoll_version", std::string(kVersion));
  f.write_attribute("/", "git_commit", std::string(kGitCommit));
  f.write_attribute("/", "created", now_iso8601());
  f.write_attribute("/", "nranks", static_cast<long long>(p.nranks));
  f.write_attribute("/", "task", p.task);
  f.write_attribute("/", "title", deck.title);
  f.write_attribute("/", "deck", deck.toml);
  f.write_attribute("/", "petsc_options", p.petsc_options);
  write_result_fields(f);

  f.ensure_group("/model");
  for (const char* name :
       {"species_names", "beta", "lambda", "energy_conserving", "energy_conservation_violation"})
    f.remove(std::string("/model/") + name);  // a restart rewrites them: no stale scale links
  f.write_attribute("/model", "d", static_cast<long long>(me.dim));
  std::string sites;
  for (const LocalSpace& s : deck.model.sites) sites += (sites.empty() ? "" : ",") + s.label();
  f.write_attribute("/model", "sites", sites);
  std::vector<std::string> names;
  std::vector<double> beta, lambda, violation;
  std::vector<long long> conserving;
  for (const SpeciesTerms& s : me.species) {
    names.push_back(s.name);
    beta.push_back(s.beta);
    lambda.push_back(s.lambda);
    conserving.push_back(s.energy_conserving ? 1 : 0);
    violation.push_back(s.energy_violation);
  }
  const hsize_t ns = names.size();
  f.write_strings("/model/species_names", names, "names of the ancilla species, in deck order");
  f.write_real("/model/beta", {ns}, beta, "inverse temperature of each species (1/energy)");
  f.write_real("/model/lambda", {ns}, lambda, "coherence strength lambda of each species");
  f.write_int("/model/energy_conserving", {ns}, conserving,
              "1 if [V, H_S + H_A] = 0 for the species (strict energy conservation)");
  f.write_real("/model/energy_conservation_violation", {ns}, violation,
               "||[V, H_S + H_A]||_F / ||V||_F for each species (dimensionless)");
}

void write_thermo_series(Hdf5File& f, const std::string& g, const std::vector<double>& t,
                         const std::vector<ThermoValues>& v,
                         const std::vector<std::string>& observable_names,
                         const FieldAvailability& fields) {
  f.ensure_group(g);
  f.remove(g + "/t");  // written anew (restarts): no stale dimension-scale links
  f.write_real(g + "/t", {t.size()}, t, "output times (1/energy, hbar = 1)");
  write_thermo_rows(f, g, "t", v, observable_names, fields, "");
}

void write_thermo_rows(Hdf5File& f, const std::string& g, const std::string& axis,
                       const std::vector<ThermoValues>& v,
                       const std::vector<std::string>& observable_names,
                       const FieldAvailability& fields, const std::string& note) {
  f.ensure_group(g);
  // Written anew (restarts): no stale dimension-scale links.
  for (const ResultField& field : thermo_result_fields()) f.remove(g + "/" + field.name);
  f.remove(g + "/observables");
  const hsize_t nt = v.size();
  const hsize_t ns = v.empty() ? 0 : v.front().work_coherent.size();
  for (const ResultField& field : thermo_result_fields()) {
    if (!field.available(fields)) continue;
    const std::string path = g + "/" + field.name;
    if (field.per_species()) {
      const std::vector<double> data = per_species(v, field.species);
      if (fields.require_finite) require_finite(path, data, ns);
      f.write_real(path, {nt, ns}, data, field.described() + note);
    } else {
      const std::vector<double> data =
          column(v, [&](const ThermoValues& x) { return x.*field.scalar; });
      if (fields.require_finite) require_finite(path, data, 1);
      f.write_real(path, {nt}, data, field.described() + note);
    }
    f.write_attribute(path, "units", std::string(field.unit));
  }
  if (!observable_names.empty()) f.ensure_group(g + "/observables");
  for (size_t k = 0; k < observable_names.size(); ++k) {
    std::vector<cplx> data;
    for (const ThermoValues& x : v) data.push_back(x.observables[k]);
    if (fields.require_finite) require_finite(g + "/observables/" + observable_names[k], data);
    f.write_complex(g + "/observables/" + observable_names[k], {nt}, data,
                    "tr(O rho) for the deck's observable " + observable_names[k] + note);
  }
  name_axes(f, g, axis, observable_names);
}

void write_thermo_point(Hdf5File& f, const std::string& g, const ThermoValues& x,
                        const std::vector<std::string>& observable_names,
                        const FieldAvailability& fields) {
  f.ensure_group(g);
  const hsize_t ns = x.work_coherent.size();
  for (const ResultField& field : thermo_result_fields()) {
    if (!field.available(fields)) continue;
    const std::string path = g + "/" + field.name;
    if (field.per_species()) {
      if (fields.require_finite) require_finite(path, x.*field.species, ns);
      f.write_real(path, {ns}, x.*field.species, field.described());
    } else {
      if (fields.require_finite) require_finite(path, {x.*field.scalar}, 1);
      f.write_real_scalar(path, x.*field.scalar, field.described());
    }
    f.write_attribute(path, "units", std::string(field.unit));
  }
  if (!observable_names.empty()) f.ensure_group(g + "/observables");
  for (size_t k = 0; k < observable_names.size(); ++k) {
    if (fields.require_finite)
      require_finite(g + "/observables/" + observable_names[k], {x.observables[k]});
    f.write_complex(g + "/observables/" + observable_names[k], {}, {x.observables[k]},
                    "tr(O rho) for the deck's observable " + observable_names[k]);
  }
}

void write_result_fields(Hdf5File& f) {
  f.remove("/result_fields");
  f.ensure_group("/result_fields");
  std::vector<std::string> names, units, descriptions;
  std::vector<long long> per;
  for (const ResultField& field : thermo_result_fields()) {
    names.push_back(field.name);
    units.push_back(field.unit);
    descriptions.push_back(field.description);
    per.push_back(field.per_species() ? 1 : 0);
  }
  f.write_strings("/result_fields/name", names,
                  "the thermodynamic result fields of /evolve, /steady and /sweep tables");
  f.write_strings("/result_fields/unit", units, "unit of each field (hbar = k_B = 1; 1: none)");
  f.write_strings("/result_fields/description", descriptions, "what each field is");
  f.write_int("/result_fields/per_species", {per.size()}, per,
              "1 if the field's last axis is the species axis (/model/species_names)");
}

ThermoSeries read_thermo_series(const Hdf5File& f, const std::string& g,
                                const std::vector<std::string>& observable_names) {
  ThermoSeries out;
  out.t = f.read_real(g + "/t");
  const size_t nt = out.t.size();
  out.values.assign(nt, ThermoValues());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (ThermoValues& v : out.values)
    v.entropy = v.entropy_rate = v.entropy_production = v.entropy_production_ancilla =
        v.free_energy = nan;
  for (const ResultField& field : thermo_result_fields()) {
    const std::string path = g + "/" + field.name;
    if (!f.exists(path)) {
      if (field.needs == nullptr)
        throw std::runtime_error("missing dataset " + path + " (every series has it)");
      continue;
    }
    const std::vector<double> data = f.read_real(path);
    const size_t ns = field.per_species() && nt ? data.size() / nt : 1;
    if (data.size() != nt * ns)
      throw std::runtime_error(path + " does not have one row per output time");
    for (size_t k = 0; k < nt; ++k) {
      if (field.per_species()) {
        out.values[k].*field.species =
            std::vector<double>(data.begin() + k * ns, data.begin() + (k + 1) * ns);
      } else {
        out.values[k].*field.scalar = data[k];
      }
    }
  }
  for (const std::string& name : observable_names) {
    const std::vector<cplx> data = f.read_complex(g + "/observables/" + name);
    for (size_t k = 0; k < nt; ++k) out.values[k].observables.push_back(data[k]);
  }
  return out;
}

ThermoValues read_thermo_point(const Hdf5File& f, const std::string& g,
                               const std::vector<std::string>& observable_names,
                               FieldAvailability* present) {
  ThermoValues v;
  v.entropy = v.entropy_rate = v.entropy_production = v.entropy_production_ancilla = v.free_energy =
      std::numeric_limits<double>::quiet_NaN();
  FieldAvailability found;  // all false
  for (const ResultField& field : thermo_result_fields()) {
    const std::string path = g + "/" + field.name;
    if (!f.exists(path)) {
      if (field.needs == nullptr)
        throw std::runtime_error("missing dataset " + path + " (every point has it)");
      continue;
    }
    if (field.needs) found.*field.needs = true;
    if (field.per_species()) {
      v.*field.species = f.read_real(path);
    } else {
      const std::vector<double> data = f.read_real(path);
      if (data.size() != 1) throw std::runtime_error(path + " is not a single value");
      v.*field.scalar = data[0];
    }
  }
  for (const std::string& name : observable_names)
    v.observables.push_back(f.read_complex(g + "/observables/" + name).at(0));
  if (present) *present = found;
  return v;
}

void write_complete(Hdf5File& f) {
  f.write_attribute("/", "complete", true);
}

}  // namespace qcoll

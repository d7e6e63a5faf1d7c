#include "qcoll/io/output.hpp"

#include <ctime>
#include <limits>

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

}  // namespace

void name_axes(Hdf5File& f, const std::string& g, const std::string& time_name,
               const std::vector<std::string>& observable_names) {
  const std::string t = g + "/" + time_name;
  f.make_dimension_scale(t, time_name);
  const bool species_scale = f.exists("/model/species_names");
  if (species_scale) f.make_dimension_scale("/model/species_names", "species");
  for (const char* name : {"energy", "dEdt", "trace", "purity", "work_switching", "entropy", "dSdt",
                           "entropy_production", "entropy_production_ancilla", "free_energy"}) {
    const std::string path = g + "/" + name;
    if (!f.exists(path)) continue;
    f.label_dimensions(path, {time_name});
    f.attach_dimension_scale(path, t, 0);
  }
  for (const char* name :
       {"work_coherent", "heat_incoherent", "heat_ancilla", "heat_incoherent_ancilla"}) {
    const std::string path = g + "/" + name;
    if (!f.exists(path)) continue;
    f.label_dimensions(path, {time_name, "species"});
    f.attach_dimension_scale(path, t, 0);
    if (species_scale) f.attach_dimension_scale(path, "/model/species_names", 1);
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
                         const std::vector<std::string>& observable_names, bool with_entropy) {
  f.ensure_group(g);
  f.remove(g + "/t");  // written anew (restarts): no stale dimension-scale links
  f.write_real(g + "/t", {t.size()}, t, "output times (1/energy, hbar = 1)");
  write_thermo_rows(f, g, "t", v, observable_names, with_entropy, "");
}

void write_thermo_rows(Hdf5File& f, const std::string& g, const std::string& axis,
                       const std::vector<ThermoValues>& v,
                       const std::vector<std::string>& observable_names, bool with_entropy,
                       const std::string& note) {
  f.ensure_group(g);
  for (const char* name :
       {"energy", "dEdt", "trace", "purity", "work_switching", "work_coherent", "heat_incoherent",
        "heat_ancilla", "heat_incoherent_ancilla", "entropy", "dSdt", "entropy_production",
        "entropy_production_ancilla", "free_energy", "observables"})
    f.remove(g + "/" + name);  // written anew (restarts): no stale dimension-scale links
  const hsize_t nt = v.size();
  const hsize_t ns = v.empty() ? 0 : v.front().work_coherent.size();
  auto series = [&](const std::string& name, auto get, const std::string& desc) {
    f.write_real(g + "/" + name, {nt}, column(v, get), desc + note);
  };
  auto species = [&](const std::string& name, std::vector<double> ThermoValues::*member,
                     const std::string& desc) {
    f.write_real(g + "/" + name, {nt, ns}, per_species(v, member), desc + note);
  };
  series(
      "energy", [](const ThermoValues& x) { return x.energy; }, "<H_S> (energy)");
  series(
      "dEdt", [](const ThermoValues& x) { return x.energy_rate; },
      "d<H_S>/dt from the master equation (energy/time)");
  series(
      "trace", [](const ThermoValues& x) { return x.trace; }, "tr(rho) (dimensionless)");
  series(
      "purity", [](const ThermoValues& x) { return x.purity; }, "tr(rho^2) (dimensionless)");
  series(
      "work_switching", [](const ThermoValues& x) { return x.work_switching; },
      "switching work rate d<H_S>/dt + sum_j Qdot_A^j (energy/time)");
  species("work_coherent", &ThermoValues::work_coherent,
          "coherent work rate Wdot_C^j = i lambda_j <[G_j, H_S]> per species (energy/time)");
  species("heat_incoherent", &ThermoValues::heat_incoherent,
          "incoherent heat rate Qdot_inc^j = tr(H_S D_j(rho)) per species (energy/time)");
  species("heat_ancilla", &ThermoValues::heat_ancilla,
          "energy gained by the ancillas of species j per unit time, Qdot_A^j (energy/time)");
  species("heat_incoherent_ancilla", &ThermoValues::heat_incoherent_ancilla,
          "Qdot_incA^j = 1/2 <[V_j,[V_j,H_j]]>_{rho (x) rho_th}, the incoherent heat as seen by "
          "the ancillas, entering Pi_A (energy/time)");
  if (with_entropy) {
    series(
        "entropy", [](const ThermoValues& x) { return x.entropy; },
        "von Neumann entropy S = -tr(rho ln rho) (dimensionless, k_B = 1)");
    series(
        "dSdt", [](const ThermoValues& x) { return x.entropy_rate; },
        "dS/dt = -tr(L(rho) ln rho) (1/time)");
    series(
        "entropy_production", [](const ThermoValues& x) { return x.entropy_production; },
        "Pi = dS/dt - sum_j beta_j Qdot_inc^j (1/time)");
    series(
        "entropy_production_ancilla",
        [](const ThermoValues& x) { return x.entropy_production_ancilla; },
        "Pi_A = dS/dt - sum_j beta_j Qdot_incA^j (1/time)");
    if (ns == 1)
      series(
          "free_energy", [](const ThermoValues& x) { return x.free_energy; },
          "F = <H_S> - S/beta (energy, one species)");
  }
  if (!observable_names.empty()) f.ensure_group(g + "/observables");
  for (size_t k = 0; k < observable_names.size(); ++k) {
    std::vector<cplx> data;
    for (const ThermoValues& x : v) data.push_back(x.observables[k]);
    f.write_complex(g + "/observables/" + observable_names[k], {nt}, data,
                    "tr(O rho) for the deck's observable " + observable_names[k] + note);
  }
  name_axes(f, g, axis, observable_names);
}

void write_thermo_point(Hdf5File& f, const std::string& g, const ThermoValues& x,
                        const std::vector<std::string>& observable_names, bool with_entropy) {
  f.ensure_group(g);
  const hsize_t ns = x.work_coherent.size();
  f.write_real_scalar(g + "/energy", x.energy, "<H_S> (energy)");
  f.write_real_scalar(g + "/dEdt", x.energy_rate,
                      "d<H_S>/dt = sum_j (Wdot_C^j + Qdot_inc^j), the first-law residual "
                      "(energy/time)");
  f.write_real_scalar(g + "/trace", x.trace, "tr(rho)");
  f.write_real_scalar(g + "/purity", x.purity, "tr(rho^2)");
  f.write_real_scalar(g + "/work_switching", x.work_switching,
                      "switching work rate d<H_S>/dt + sum_j Qdot_A^j (energy/time)");
  f.write_real(g + "/work_coherent", {ns}, x.work_coherent,
               "coherent work rate Wdot_C^j per species (energy/time)");
  f.write_real(g + "/heat_incoherent", {ns}, x.heat_incoherent,
               "incoherent heat rate Qdot_inc^j per species (energy/time)");
  f.write_real(g + "/heat_ancilla", {ns}, x.heat_ancilla,
               "energy gained by the ancillas per unit time Qdot_A^j (energy/time)");
  if (with_entropy) {
    f.write_real_scalar(g + "/entropy", x.entropy, "von Neumann entropy of rho");
  }
  f.write_real_scalar(g + "/entropy_production", x.entropy_production,
                      "Pi = dS/dt - sum_j beta_j Qdot_inc^j (1/time)");
  f.write_real_scalar(g + "/entropy_production_ancilla", x.entropy_production_ancilla,
                      "Pi_A = dS/dt - sum_j beta_j Qdot_incA^j (1/time)");
  if (!observable_names.empty()) f.ensure_group(g + "/observables");
  for (size_t k = 0; k < observable_names.size(); ++k)
    f.write_complex(g + "/observables/" + observable_names[k], {}, {x.observables[k]},
                    "tr(O rho) for the deck's observable " + observable_names[k]);
}

ThermoSeries read_thermo_series(const Hdf5File& f, const std::string& g,
                                const std::vector<std::string>& observable_names) {
  ThermoSeries out;
  out.t = f.read_real(g + "/t");
  const size_t nt = out.t.size();
  out.values.assign(nt, ThermoValues());
  auto scalar = [&](const std::string& name, double ThermoValues::*member) {
    if (!f.exists(g + "/" + name)) return;
    const std::vector<double> data = f.read_real(g + "/" + name);
    for (size_t k = 0; k < nt; ++k) out.values[k].*member = data[k];
  };
  auto species = [&](const std::string& name, std::vector<double> ThermoValues::*member) {
    const std::vector<double> data = f.read_real(g + "/" + name);
    const size_t ns = nt ? data.size() / nt : 0;
    for (size_t k = 0; k < nt; ++k)
      out.values[k].*member =
          std::vector<double>(data.begin() + k * ns, data.begin() + (k + 1) * ns);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (ThermoValues& v : out.values)
    v.entropy = v.entropy_rate = v.entropy_production = v.entropy_production_ancilla =
        v.free_energy = nan;
  scalar("energy", &ThermoValues::energy);
  scalar("dEdt", &ThermoValues::energy_rate);
  scalar("trace", &ThermoValues::trace);
  scalar("purity", &ThermoValues::purity);
  scalar("work_switching", &ThermoValues::work_switching);
  scalar("entropy", &ThermoValues::entropy);
  scalar("dSdt", &ThermoValues::entropy_rate);
  scalar("entropy_production", &ThermoValues::entropy_production);
  scalar("entropy_production_ancilla", &ThermoValues::entropy_production_ancilla);
  scalar("free_energy", &ThermoValues::free_energy);
  species("work_coherent", &ThermoValues::work_coherent);
  species("heat_incoherent", &ThermoValues::heat_incoherent);
  species("heat_ancilla", &ThermoValues::heat_ancilla);
  species("heat_incoherent_ancilla", &ThermoValues::heat_incoherent_ancilla);
  for (const std::string& name : observable_names) {
    const std::vector<cplx> data = f.read_complex(g + "/observables/" + name);
    for (size_t k = 0; k < nt; ++k) out.values[k].observables.push_back(data[k]);
  }
  return out;
}

void write_complete(Hdf5File& f) {
  f.write_attribute("/", "complete", true);
}

}  // namespace qcoll

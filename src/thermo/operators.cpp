#include "qcoll/thermo/operators.hpp"

#include <cmath>
#include <limits>

#include "qcoll/derive/lindblad_terms.hpp"

namespace qcoll {
namespace {

CsrMatrix coherent_ancilla_heat(const SpeciesTerms& s) {
  CsrMatrix x(s.G.rows(), s.G.cols());
  const index_t da = s.ancilla_dim;
  for (index_t p = 0; p < da; ++p)
    for (index_t q = 0; q < da; ++q) {
      const cplx c = cplx(0, s.lambda) * (s.energies[q] - s.energies[p]) * s.chi_eigenbasis(q, p);
      if (std::abs(c) > 0.0 && s.block(p, q).nnz() > 0) x = x + c * s.block(p, q);
    }
  return x;
}

CsrMatrix incoherent_ancilla_heat(const SpeciesTerms& s) {
  CsrMatrix x(s.G.rows(), s.G.cols());
  const index_t da = s.ancilla_dim;
  for (index_t p = 0; p < da; ++p)
    for (index_t q = 0; q < da; ++q) {
      const double w = s.energies[q] - s.energies[p];
      if (w == 0.0 || s.block(p, q).nnz() == 0) continue;
      const CsrMatrix& spq = s.block(p, q);
      const CsrMatrix& sqp = s.block(q, p);
      x = x + cplx(0.5 * w * s.populations[q]) * (sqp * spq) -
          cplx(0.5 * w * s.populations[p]) * (spq * sqp);
    }
  return x;
}

}  // namespace

std::vector<const CsrMatrix*> ThermoOperators::all() const {
  std::vector<const CsrMatrix*> out{&identity, &energy, &energy_rate};
  for (auto* group : {&work_coherent, &heat_incoherent, &heat_ancilla, &heat_incoherent_ancilla})
    for (const CsrMatrix& m : *group) out.push_back(&m);
  for (const CsrMatrix& m : observables) out.push_back(&m);
  return out;
}

ThermoOperators thermo_operators(const Model& model, const MasterEquation& me) {
  ThermoOperators ops;
  const CsrMatrix& h = me.hamiltonian;
  ops.identity = CsrMatrix::identity(me.dim);
  ops.energy = h;
  ops.energy_rate = adjoint_liouvillian(me, h);
  for (const SpeciesTerms& s : me.species) {
    ops.work_coherent.push_back(cplx(0, s.lambda) * commutator(s.G, h));
    ops.heat_incoherent.push_back(adjoint_dissipator(s, h));
    const CsrMatrix inc_a = incoherent_ancilla_heat(s);
    ops.heat_ancilla.push_back(coherent_ancilla_heat(s) - inc_a);
    ops.heat_incoherent_ancilla.push_back(inc_a);
  }
  for (const Observable& o : model.observables) {
    ops.observable_names.push_back(o.name);
    ops.observables.push_back(build_operator(model.sites, o.terms));
  }
  return ops;
}

ThermoValues ThermoValues::from_traces(const ThermoOperators& ops, const std::vector<cplx>& tr) {
  ThermoValues v;
  const size_t ns = ops.work_coherent.size();
  size_t k = 0;
  v.trace = tr[k++].real();
  v.energy = tr[k++].real();
  v.energy_rate = tr[k++].real();
  for (auto* group :
       {&v.work_coherent, &v.heat_incoherent, &v.heat_ancilla, &v.heat_incoherent_ancilla})
    for (size_t j = 0; j < ns; ++j) group->push_back(tr[k++].real());
  for (size_t j = 0; j < ops.observables.size(); ++j) v.observables.push_back(tr[k++]);
  v.work_switching = v.energy_rate;
  for (double q : v.heat_ancilla) v.work_switching += q;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  v.entropy = v.entropy_rate = v.entropy_production = v.entropy_production_ancilla = v.free_energy =
      nan;
  return v;
}

namespace {
// sum_j beta_j Q_j with the conventions beta = inf and Q = 0 -> 0.
double weighted_heat(const std::vector<double>& betas, const std::vector<double>& q) {
  double s = 0.0;
  for (size_t j = 0; j < betas.size(); ++j)
    if (q[j] != 0.0) s += betas[j] * q[j];
  return s;
}
}  // namespace

void ThermoValues::set_entropy(double s, double dsdt, const std::vector<double>& betas) {
  entropy = s;
  entropy_rate = dsdt;
  entropy_production = dsdt - weighted_heat(betas, heat_incoherent);
  entropy_production_ancilla = dsdt - weighted_heat(betas, heat_incoherent_ancilla);
  if (betas.size() == 1) free_energy = energy - s / betas[0];
}

}  // namespace qcoll

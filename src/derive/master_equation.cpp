// Model -> master-equation terms, physics.md section 2 (paper Eqs. 7-8).
#include "qcoll/derive/master_equation.hpp"

#include <cmath>
#include <sstream>

namespace qcoll {
namespace {

double frobenius_squared(const CsrMatrix& m) {
  double s = 0.0;
  for (const cplx& v : m.values()) s += std::norm(v);
  return s;
}

// Coefficients are finite, but their products and sums can overflow.
void require_finite(const CsrMatrix& m, const std::string& what, const std::string& key) {
  for (const cplx& v : m.values()) {
    if (!std::isfinite(v.real()) || !std::isfinite(v.imag()))
      throw InputError(what + " has entries that are not finite (the coefficients are too large)",
                       key);
  }
}

std::string species_key(const Species& s, const std::string& field) {
  return "species." + s.name + "." + field;
}

// The coupling's system operators grouped by the ancilla matrix element in the
// eigenbasis of H_A: S_pq = sum_t <p|B_t|q> S_t.
std::vector<CsrMatrix> coupling_blocks(const Model& model, const Species& s,
                                       const DenseMatrix& eigenvectors) {
  const index_t da = s.ancilla.dim(), d = model.dimension();
  std::vector<CsrMatrix> blocks(da * da, CsrMatrix(d, d));
  const DenseMatrix vdag = eigenvectors.adjoint();
  for (const Term& term : s.coupling) {
    const CsrMatrix system_part = term_system_operator(model.sites, term);
    const DenseMatrix b = vdag * term_ancilla_operator(s.ancilla, term) * eigenvectors;
    for (index_t p = 0; p < da; ++p)
      for (index_t q = 0; q < da; ++q)
        if (std::abs(b(p, q)) > 1e-15)
          blocks[p * da + q] = blocks[p * da + q] + b(p, q) * system_part;
  }
  return blocks;
}

void check_coupling_hermitian(const SpeciesTerms& t, const Species& s, double scale) {
  const index_t da = t.ancilla_dim;
  for (index_t p = 0; p < da; ++p)
    for (index_t q = p; q < da; ++q) {
      const double diff = std::sqrt(frobenius_squared(t.block(p, q) - t.block(q, p).adjoint()));
      if (diff > 1e-12 * std::max(1.0, scale)) {
        throw InputError("the coupling V of species '" + s.name +
                             "' is not Hermitian (||V - V^dag|| = " + std::to_string(diff) +
                             "); add the Hermitian-conjugate terms",
                         species_key(s, "coupling"));
      }
    }
}

void check_first_moment(SpeciesTerms& t, const Species& s, double scale, bool strict) {
  const index_t da = t.ancilla_dim;
  CsrMatrix mean(t.blocks[0].rows(), t.blocks[0].cols());
  for (index_t p = 0; p < da; ++p)
    if (t.populations[p] > 0.0) mean = mean + cplx(t.populations[p]) * t.block(p, p);
  t.first_moment = std::sqrt(frobenius_squared(mean));
  if (strict && t.first_moment > 1e-10 * std::max(1.0, scale)) {
    std::ostringstream msg;
    msg << "tr_A(V rho_th) must vanish for the master equation (physics.md section 2), but for "
           "species '"
        << s.name << "' ||tr_A(V rho_th)|| = " << t.first_moment
        << "; remove the ancilla operators with a non-zero thermal mean from the coupling "
           "(or subtract their mean)";
    throw InputError(msg.str(), species_key(s, "coupling"));
  }
}

// ||[V, H_S + H_A]||_F / ||V||_F from the blocks: the (p,q) block of the
// commutator is [S_pq, H_S] + (e_q - e_p) S_pq.
void measure_energy_conservation(SpeciesTerms& t, const CsrMatrix& hs, double v_norm) {
  const index_t da = t.ancilla_dim;
  double violation = 0.0;
  for (index_t p = 0; p < da; ++p)
    for (index_t q = 0; q < da; ++q) {
      const CsrMatrix& s = t.block(p, q);
      if (s.nnz() == 0) continue;
      violation +=
          frobenius_squared(axpby(1.0, commutator(s, hs), t.energies[q] - t.energies[p], s));
    }
  t.energy_violation = v_norm > 0 ? std::sqrt(violation) / v_norm : 0.0;
  t.energy_conserving = t.energy_violation < 1e-10;
}

SpeciesTerms derive_species(const Model& model, const Species& s, const CsrMatrix& hs,
                            bool strict) {
  SpeciesTerms t;
  t.name = s.name;
  t.beta = s.beta;
  t.lambda = s.lambda;
  t.ancilla_dim = s.ancilla.dim();
  const index_t da = t.ancilla_dim;
  HermitianEigen eig = eigh(s.hamiltonian);
  t.energies = eig.values;
  t.eigenvectors = eig.vectors;
  const DenseMatrix rho_th = thermal_state(DenseMatrix::diagonal(t.energies), s.beta);
  for (index_t p = 0; p < da; ++p) t.populations.push_back(rho_th(p, p).real());
  t.chi_eigenbasis = t.eigenvectors.adjoint() * s.chi * t.eigenvectors;
  t.blocks = coupling_blocks(model, s, t.eigenvectors);
  for (const CsrMatrix& b : t.blocks)
    require_finite(b, "the coupling V of species '" + s.name + "'", species_key(s, "coupling"));

  double v_norm2 = 0.0;
  for (const CsrMatrix& b : t.blocks) v_norm2 += frobenius_squared(b);
  const double v_norm = std::sqrt(v_norm2);
  check_coupling_hermitian(t, s, v_norm);
  check_first_moment(t, s, v_norm, strict);
  t.first_moment /= std::max(v_norm, 1e-300);
  measure_energy_conservation(t, hs, v_norm);

  const index_t d = hs.rows();
  t.G = CsrMatrix(d, d);
  for (index_t p = 0; p < da; ++p)
    for (index_t q = 0; q < da; ++q) {
      const CsrMatrix& spq = t.block(p, q);
      if (spq.nnz() == 0) continue;
      const cplx chi_qp = t.chi_eigenbasis(q, p);
      if (std::abs(chi_qp) > 0.0) t.G = t.G + chi_qp * spq;
      if (t.populations[q] > 0.0) t.jumps.push_back(cplx(std::sqrt(t.populations[q])) * spq);
    }
  t.G = t.G.pruned(1e-14 * std::max(1.0, v_norm));
  require_finite(t.G, "tr_A(V chi) of species '" + s.name + "'", species_key(s, "chi"));
  require_finite(cplx(s.lambda) * t.G, "lambda tr_A(V chi) of species '" + s.name + "'",
                 species_key(s, "lambda"));
  return t;
}

}  // namespace

CsrMatrix MasterEquation::effective_hamiltonian() const {
  CsrMatrix h = hamiltonian;
  for (const SpeciesTerms& s : species)
    if (s.lambda != 0.0) h = h + cplx(s.lambda) * s.G;
  return h;
}

MasterEquation derive_master_equation(const Model& model, bool require_zero_mean) {
  MasterEquation me;
  me.dim = model.dimension();
  me.hamiltonian = build_operator(model.sites, model.hamiltonian);
  require_finite(me.hamiltonian, "the system Hamiltonian", "system.hamiltonian");
  if (!me.hamiltonian.is_hermitian(1e-12 * std::max(1.0, me.hamiltonian.max_abs())))
    throw InputError(
        "the system Hamiltonian is not Hermitian; check complex coefficients and "
        "add the Hermitian-conjugate terms",
        "system.hamiltonian");
  for (const Species& s : model.species)
    me.species.push_back(derive_species(model, s, me.hamiltonian, require_zero_mean));
  return me;
}

CsrMatrix coupling_operator(const std::vector<LocalSpace>& sites, const Species& s) {
  const index_t d = product_dimension(sites), da = s.ancilla.dim();
  CsrMatrix v(d * da, d * da);
  for (const Term& term : s.coupling)
    v = v + kron(term_system_operator(sites, term),
                 CsrMatrix::from_dense(term_ancilla_operator(s.ancilla, term)));
  return v;
}

DenseMatrix dissipator_from_definition(const Model& model, const Species& s,
                                       const DenseMatrix& rho) {
  const index_t d = model.dimension(), da = s.ancilla.dim();
  const DenseMatrix v = coupling_operator(model.sites, s).to_dense();
  const DenseMatrix joint = kron(rho, thermal_state(s.hamiltonian, s.beta));
  const DenseMatrix inner = commutator(v, commutator(v, joint));
  return cplx(-0.5) * partial_trace_second(inner, d, da);
}

DenseMatrix apply_dissipator(const SpeciesTerms& s, const DenseMatrix& rho) {
  const index_t d = rho.rows();
  DenseMatrix out(d, d);
  for (const CsrMatrix& jump : s.jumps) {
    const DenseMatrix l = jump.to_dense(), ldag = l.adjoint(), k = ldag * l;
    out += l * rho * ldag;
    out -= cplx(0.5) * (k * rho + rho * k);
  }
  return out;
}

}  // namespace qcoll

// Hermiticity of operator sums and the conditions on chi.
#include "deck_checks.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "deck_values.hpp"

namespace qcoll::deck_detail {

namespace {

constexpr double kRelativeTolerance = 1e-12;

std::optional<double> defect_of(const CsrMatrix& op) {
  const double defect = (op - op.adjoint()).max_abs();
  if (defect <= kRelativeTolerance * std::max(1.0, op.max_abs())) return std::nullopt;
  return defect;
}

// Terms grouped by the sorted set of sites they act on.
std::map<std::vector<int>, OpSum> group_by_sites(const OpSum& sum) {
  std::map<std::vector<int>, OpSum> groups;
  for (const Term& term : sum) {
    std::vector<int> support;
    for (const Factor& f : term.factors) support.push_back(f.site);
    std::sort(support.begin(), support.end());
    support.erase(std::unique(support.begin(), support.end()), support.end());
    groups[support].push_back(term);
  }
  return groups;
}

// "<i|chi|i>" when eigenvector k is the basis state |i> (up to a phase),
// otherwise "<e_k|chi|e_k>" for the k-th eigenstate in ascending energy.
std::string eigenstate_label(const DenseMatrix& vectors, index_t k) {
  for (index_t i = 0; i < vectors.rows(); ++i) {
    if (std::abs(vectors(i, k)) > 1.0 - 1e-12) {
      return "<" + std::to_string(i) + "|chi|" + std::to_string(i) + ">";
    }
  }
  return "<e" + std::to_string(k) + "|chi|e" + std::to_string(k) + ">";
}

}  // namespace

std::optional<double> non_hermitian_defect(const std::vector<LocalSpace>& sites, const OpSum& sum) {
  if (product_dimension(sites) <= kExactHermiticityDimension) {
    return defect_of(build_operator(sites, sum));
  }
  for (const auto& [support, terms] : group_by_sites(sum)) {
    std::vector<LocalSpace> local;
    for (int s : support) local.push_back(sites[s]);
    if (product_dimension(local) > kExactHermiticityDimension) continue;
    OpSum remapped = terms;
    for (Term& t : remapped) {
      for (Factor& f : t.factors) {
        f.site = static_cast<int>(std::lower_bound(support.begin(), support.end(), f.site) -
                                  support.begin());
      }
    }
    if (auto defect = defect_of(build_operator(local, remapped))) return defect;
  }
  return std::nullopt;
}

void check_chi(const Context& ctx, const std::string& key, const toml::node* node,
               const DenseMatrix& h_ancilla, const DenseMatrix& chi) {
  const index_t n = chi.rows();
  const double tol = 1e-10 * std::max(1.0, chi.max_abs());
  for (index_t i = 0; i < n; ++i) {
    for (index_t j = i; j < n; ++j) {
      if (std::abs(chi(i, j) - std::conj(chi(j, i))) > tol) {
        ctx.fail(key, node,
                 "chi must be Hermitian, but chi[" + std::to_string(i) + "][" + std::to_string(j) +
                     "] = " + format_complex(chi(i, j)) + " while chi[" + std::to_string(j) + "][" +
                     std::to_string(i) + "] = " + format_complex(chi(j, i)));
      }
    }
  }
  const HermitianEigen eig = eigh(h_ancilla);
  const DenseMatrix c = eig.vectors.adjoint() * chi * eig.vectors;
  double energy_scale = 1.0;
  for (double e : eig.values) energy_scale = std::max(energy_scale, std::abs(e));
  const double degenerate = 1e-9 * energy_scale;
  for (index_t a = 0; a < n;) {
    index_t b = a + 1;
    while (b < n && eig.values[b] - eig.values[a] <= degenerate) ++b;
    if (b == a + 1 && std::abs(c(a, a)) > tol) {
      ctx.fail(key, node,
               "chi must have zero diagonal in the eigenbasis of H_A, but " +
                   eigenstate_label(eig.vectors, a) + " = " + format_number(c(a, a).real()) +
                   " (on the eigenstate of H_A with energy " + format_number(eig.values[a]) + ")");
    }
    double block = 0.0;
    for (index_t i = a; i < b; ++i) {
      for (index_t j = a; j < b; ++j) block = std::max(block, std::abs(c(i, j)));
    }
    if (b > a + 1 && block > tol) {
      ctx.fail(key, node,
               "chi must have zero diagonal in the eigenbasis of H_A; H_A has the degenerate "
               "energy " +
                   format_number(eig.values[a]) + " (multiplicity " + std::to_string(b - a) +
                   "), so the eigenbasis is not unique and chi must vanish on the whole "
                   "eigenspace, but its block there has an entry of size " +
                   format_number(block));
    }
    a = b;
  }
}

}  // namespace qcoll::deck_detail

// Sparse operators on the composite system built from the Kronecker structure
// of the named local operators (site 0 is the most significant factor).
#include "qcoll/model/opsum.hpp"

#include <optional>
#include <string>
#include <utility>

namespace qcoll {
namespace {

// d^2 (superoperator size) must fit in a 64-bit index.
constexpr index_t kMaxDimension = index_t{1} << 31;

void check_site(const std::vector<LocalSpace>& sites, int site) {
  if (site < 0 || site >= static_cast<int>(sites.size()))
    throw InputError("term refers to site " + std::to_string(site) + ", but the system has " +
                     std::to_string(sites.size()) + " site(s), numbered from 0");
}

// kron of the given per-site operators, identity on sites without one.
CsrMatrix kron_sites(const std::vector<LocalSpace>& sites,
                     const std::vector<std::optional<CsrMatrix>>& ops) {
  std::optional<CsrMatrix> result;
  index_t identity_run = 1;
  auto append = [&result](const CsrMatrix& m) { result = result ? kron(*result, m) : m; };
  for (std::size_t s = 0; s < sites.size(); ++s) {
    if (!ops[s]) {
      identity_run *= sites[s].dim();
      continue;
    }
    if (identity_run > 1) append(CsrMatrix::identity(identity_run));
    identity_run = 1;
    append(*ops[s]);
  }
  if (identity_run > 1 || !result) append(CsrMatrix::identity(identity_run));
  return *result;
}

}  // namespace

index_t product_dimension(const std::vector<LocalSpace>& sites) {
  index_t d = 1;
  for (const auto& s : sites) {
    if (s.dim() > kMaxDimension / d)
      throw InputError("the system's Hilbert-space dimension exceeds the limit 2^31 (" +
                       std::to_string(sites.size()) + " sites)");
    d *= s.dim();
  }
  return d;
}

CsrMatrix term_system_operator(const std::vector<LocalSpace>& sites, const Term& term) {
  const index_t d = product_dimension(sites);
  std::vector<std::optional<DenseMatrix>> local(sites.size());
  for (const auto& f : term.factors) {
    if (f.site == kAncillaSite) continue;
    check_site(sites, f.site);
    DenseMatrix m = sites[f.site].op(f.op);
    local[f.site] = local[f.site] ? *local[f.site] * m : std::move(m);
  }
  if (term.coef == 0.0) return CsrMatrix(d, d);
  std::vector<std::optional<CsrMatrix>> ops(sites.size());
  bool coef_applied = false;
  for (std::size_t s = 0; s < sites.size(); ++s) {
    if (!local[s]) continue;
    ops[s] = CsrMatrix::from_dense(*local[s]);
    if (!coef_applied) ops[s] = term.coef * *ops[s];
    coef_applied = true;
  }
  const CsrMatrix full = kron_sites(sites, ops);
  return coef_applied ? full : term.coef * full;
}

DenseMatrix term_ancilla_operator(const LocalSpace& ancilla, const Term& term) {
  DenseMatrix m = DenseMatrix::identity(ancilla.dim());
  for (const auto& f : term.factors)
    if (f.site == kAncillaSite) m = m * ancilla.op(f.op);
  return m;
}

CsrMatrix build_operator(const std::vector<LocalSpace>& sites, const OpSum& sum) {
  const index_t d = product_dimension(sites);
  std::vector<CsrMatrix> parts;
  parts.reserve(sum.size());
  for (const auto& term : sum) {
    for (const auto& f : term.factors)
      if (f.site == kAncillaSite)
        throw InputError("operator '" + f.op +
                         "' on the ancilla site \"A\" is not allowed in a system operator");
    parts.push_back(term_system_operator(sites, term));
  }
  if (parts.empty()) return CsrMatrix(d, d);
  return qcoll::sum(parts);
}

CsrMatrix embed_local(const std::vector<LocalSpace>& sites, int site, const DenseMatrix& op) {
  check_site(sites, site);
  const index_t dim = sites[site].dim();
  if (op.rows() != dim || op.cols() != dim)
    throw InputError("local operator on site " + std::to_string(site) + " must be " +
                     std::to_string(dim) + "x" + std::to_string(dim) + " for " +
                     sites[site].label());
  std::vector<std::optional<CsrMatrix>> ops(sites.size());
  ops[site] = CsrMatrix::from_dense(op);
  return kron_sites(sites, ops);
}

}  // namespace qcoll

#pragma once
// Operator sums: sum of coefficient * (product of named local operators).
// A term's operators are multiplied left to right; operators on different
// sites commute, so a term is a tensor product of per-site products.
#include <vector>

#include "qcoll/model/local_space.hpp"
#include "qcoll/model/sparse.hpp"

namespace qcoll {

inline constexpr int kAncillaSite = -1;  // the site "A" in a species' coupling

struct Factor {
  std::string op;
  int site;  // 0..nsites-1, or kAncillaSite
};

struct Term {
  cplx coef{1.0, 0.0};
  std::vector<Factor> factors;
};

using OpSum = std::vector<Term>;

// Dimension of the tensor product of the sites (site 0 most significant).
index_t product_dimension(const std::vector<LocalSpace>& sites);

// The operator of a single term restricted to the system sites (ancilla
// factors ignored), as a sparse matrix on the full system space. The
// coefficient is included.
CsrMatrix term_system_operator(const std::vector<LocalSpace>& sites, const Term& term);
// Product of the ancilla factors of a term (identity if none), coefficient excluded.
DenseMatrix term_ancilla_operator(const LocalSpace& ancilla, const Term& term);

// Sum of all terms (system factors only; must not contain ancilla factors).
CsrMatrix build_operator(const std::vector<LocalSpace>& sites, const OpSum& sum);

// Embed a local operator acting on one site into the full space.
CsrMatrix embed_local(const std::vector<LocalSpace>& sites, int site, const DenseMatrix& op);

}  // namespace qcoll

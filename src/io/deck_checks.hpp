#pragma once
// Private to the deck loader: physical consistency checks of operators.
#include <optional>
#include <string>
#include <vector>

#include "deck_reader.hpp"
#include "qcoll/model/model.hpp"

namespace qcoll::deck_detail {

// Up to this dimension an operator sum is checked for hermiticity exactly
// (built as a sparse matrix); above it, each group of terms acting on the same
// set of sites is checked on those sites alone.
inline constexpr index_t kExactHermiticityDimension = index_t{1} << 16;

// The largest |O_ij - conj(O_ji)| of the operator sum on `sites` when it
// exceeds the rounding tolerance, otherwise nothing (the sum is Hermitian).
std::optional<double> non_hermitian_defect(const std::vector<LocalSpace>& sites, const OpSum& sum);

// chi must be Hermitian and vanish on the diagonal of H_A's eigenbasis; where
// H_A is degenerate, chi's whole block inside the eigenspace must vanish.
void check_chi(const Context& ctx, const std::string& key, const toml::node* node,
               const DenseMatrix& h_ancilla, const DenseMatrix& chi);

}  // namespace qcoll::deck_detail

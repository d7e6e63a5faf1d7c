#include "qcoll/derive/initial_state.hpp"

namespace qcoll {
namespace {

index_t product_index(const Model& model) {
  const auto& idx = model.initial.product;
  index_t flat = 0;
  for (size_t s = 0; s < model.sites.size(); ++s) flat = flat * model.sites[s].dim() + idx[s];
  return flat;
}

}  // namespace

InitialDensity::InitialDensity(const Model& model, const CsrMatrix& hamiltonian)
    : d_(model.dimension()) {
  using Kind = InitialState::Kind;
  const InitialState& init = model.initial;
  switch (init.kind) {
    case Kind::MaximallyMixed:
      maximally_mixed_ = true;
      return;
    case Kind::Basis:
      basis_index_ = init.index;
      return;
    case Kind::Product:
      basis_index_ = product_index(model);
      return;
    default:
      break;
  }
  if (d_ > kMaxDenseInitialDimension)
    throw InputError(
        "initial.state = ground/excited/thermal diagonalises H_S densely and is "
        "limited to d <= " +
            std::to_string(kMaxDenseInitialDimension) + " (here d = " + std::to_string(d_) +
            "); use state = \"product\" or \"basis\" for larger systems",
        "initial.state");
  state_ = init;
  hamiltonian_ = hamiltonian;
}

const DenseMatrix& InitialDensity::dense() const {
  using Kind = InitialState::Kind;
  if (!dense_) {
    const DenseMatrix h = hamiltonian_.to_dense();
    if (state_.kind == Kind::Ground)
      dense_ = std::make_shared<DenseMatrix>(thermal_state(h, kInfinity));
    if (state_.kind == Kind::Excited)
      dense_ = std::make_shared<DenseMatrix>(thermal_state(cplx(-1.0) * h, kInfinity));
    if (state_.kind == Kind::Thermal)
      dense_ = std::make_shared<DenseMatrix>(thermal_state(h, state_.beta));
  }
  return *dense_;
}

cplx InitialDensity::operator()(index_t i, index_t j) const {
  if (maximally_mixed_) return i == j ? 1.0 / static_cast<double>(d_) : 0.0;
  if (basis_index_ >= 0) return (i == basis_index_ && j == basis_index_) ? 1.0 : 0.0;
  return dense()(i, j);
}

}  // namespace qcoll

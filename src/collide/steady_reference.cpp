#include "qcoll/collide/steady_reference.hpp"

#include "dense_kernels.hpp"
#include "qcoll/derive/lindblad_terms.hpp"

namespace qcoll {

std::optional<DenseMatrix> stationary_state(const DenseMatrix& generator, index_t d) {
  // The trace covector is a left null vector of M, so the row of the (0,0)
  // element is redundant: replace it by tr(x) = 1.
  DenseMatrix a = generator;
  for (index_t c = 0; c < d * d; ++c) a(0, c) = 0.0;
  for (index_t i = 0; i < d; ++i) a(0, i + d * i) = 1.0;
  std::vector<cplx> b(d * d, 0.0);
  b[0] = 1.0;
  if (!collide::solve_linear(a, b)) return std::nullopt;
  return collide::hermitian_part(collide::unvec(b, d));
}

DenseMatrix dense_liouvillian(const MasterEquation& me) {
  DenseMatrix l = dense_superoperator(me.dim, fixed_liouvillian_terms(me));
  const std::vector<SuperOperatorTerms> parts = coherent_liouvillian_terms(me);
  for (size_t j = 0; j < parts.size(); ++j)
    if (me.species[j].lambda != 0.0)
      l += cplx(me.species[j].lambda) * dense_superoperator(me.dim, parts[j]);
  return l;
}

std::optional<DenseMatrix> master_equation_steady_state(const MasterEquation& me) {
  return stationary_state(dense_liouvillian(me), me.dim);
}

std::optional<DenseMatrix> map_fixed_point(const StroboscopicMap& map) {
  const index_t d = map.system_dim();
  return stationary_state(map.superoperator() - DenseMatrix::identity(d * d), d);
}

}  // namespace qcoll

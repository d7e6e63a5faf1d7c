#include "qcoll/collide/continuum_rates.hpp"

#include <algorithm>
#include <cmath>

#include "dense_kernels.hpp"
#include "qcoll/collide/quantum_info.hpp"

namespace qcoll {
namespace {

// Diagonal of D(rho) in rho's eigenbasis {|b>}, for D = sum_L D[L]:
//     <b|D(rho)|b> = sum_a |<b|L|a>|^2 p_a - p_b sum_a |<a|L|b>|^2.
void add_dissipator_diagonal(const CsrMatrix& jump, const HermitianEigen& e,
                             std::vector<double>& diag) {
  using collide::Op;
  const DenseMatrix l =
      collide::product(e.vectors, Op::Adjoint, collide::multiply(jump, e.vectors), Op::None);
  const index_t d = l.rows();
  for (index_t b = 0; b < d; ++b)
    for (index_t a = 0; a < d; ++a) {
      const double w = std::norm(l(b, a));
      diag[b] += w * e.values[a];
      diag[a] -= w * e.values[a];
    }
}

}  // namespace

ThermoValues continuum_values(const MasterEquation& me, const ThermoOperators& ops,
                              const std::vector<double>& betas, const DenseMatrix& rho,
                              const HermitianEigen& spectrum) {
  std::vector<cplx> traces;
  for (const CsrMatrix* x : ops.all()) traces.push_back(collide::trace_product(*x, rho));
  ThermoValues v = ThermoValues::from_traces(ops, traces);
  // The Hamiltonian part of L does not change the entropy.
  std::vector<double> diag(rho.rows(), 0.0);
  for (const SpeciesTerms& s : me.species)
    for (const CsrMatrix& jump : s.jumps) add_dissipator_diagonal(jump, spectrum, diag);
  double dsdt = 0.0;
  for (index_t b = 0; b < rho.rows(); ++b)
    dsdt -= std::log(std::max(spectrum.values[b], kLogFloor)) * diag[b];
  v.set_entropy(entropy_of_spectrum(spectrum.values), dsdt, betas);
  return v;
}

}  // namespace qcoll

#pragma once
// Evaluates ThermoValues on a distributed vec(rho): every linear quantity is
// one precomputed covector, all of them reduced in a single VecMDot; purity
// is a norm; entropy (optional, small d) gathers rho, see entropy.hpp.
#include <petscmat.h>

#include "qcoll/thermo/entropy.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

class ThermoEvaluator {
 public:
  ThermoEvaluator() = default;
  ThermoEvaluator(const ThermoEvaluator&) = delete;
  ThermoEvaluator& operator=(const ThermoEvaluator&) = delete;
  ~ThermoEvaluator();

  // `liouvillian` gives the layout and L for dS/dt; `betas` per species.
  PetscErrorCode Setup(Mat liouvillian, const ThermoOperators& ops, std::vector<double> betas,
                       bool entropy);
  PetscErrorCode Evaluate(Vec rho, ThermoValues* out);
  bool entropy_enabled() const { return entropy_; }

 private:
  const ThermoOperators* ops_ = nullptr;
  Mat L_ = nullptr;
  std::vector<Vec> covectors_;
  std::vector<double> betas_;
  Vec work_ = nullptr;
  bool entropy_ = false;
  index_t d_ = 0;
};

}  // namespace qcoll

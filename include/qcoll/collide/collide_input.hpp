#pragma once
// What a finite-tau collide run reads: the model (its species' ancillas and
// couplings), the derived master equation (the tau -> 0 reference), the
// thermodynamic operators and betas, the initial state and the [collide]
// settings. References: the caller keeps the
// objects alive while a run uses them.
#include "qcoll/collide/collide_settings.hpp"
#include "qcoll/derive/initial_state.hpp"
#include "qcoll/derive/master_equation.hpp"
#include "qcoll/model/model.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct CollideInput {
  const Model& model;
  const MasterEquation& me;
  const ThermoOperators& ops;  // for the continuum rates Pi, Pi_A
  const std::vector<double>& betas;
  const InitialDensity& initial;
  const CollideSettings& settings;
};

}  // namespace qcoll

#pragma once
// What a [collide] run does (docs/input.md): the settings the collide layer reads.
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

struct CollideSettings {
  std::vector<double> tau{0.1, 0.05, 0.025, 0.0125};
  double t_final = 10.0;
  bool compare_master_equation = true;
  index_t output_every = 1;  // record every n-th stroke
};

}  // namespace qcoll

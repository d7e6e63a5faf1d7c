#pragma once
// Coefficient expressions over the deck's [params], evaluated with muparser.
#include <map>
#include <string>

#include "qcoll/model/types.hpp"

namespace qcoll {

using Parameters = std::map<std::string, double>;

// Evaluates a real expression such as "g/2" or "-Omega*0.5" (also: pi, e,
// sqrt, exp, sin, ...). Throws InputError with muparser's reason (undefined
// parameter, syntax error, non-finite value) and the expression text.
double evaluate_expression(const std::string& expr, const Parameters& params);

}  // namespace qcoll

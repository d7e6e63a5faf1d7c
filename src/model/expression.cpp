// Coefficient expressions evaluated with muparser.
#include "qcoll/model/expression.hpp"

#include <muParser.h>

#include <cmath>

namespace qcoll {
namespace {

std::string parameter_list(const Parameters& params) {
  if (params.empty()) return "none";
  std::string list;
  for (const auto& [name, value] : params) list += (list.empty() ? "" : ", ") + name;
  return list;
}

}  // namespace

double evaluate_expression(const std::string& expr, const Parameters& params) {
  const std::string where = "cannot evaluate expression \"" + expr + "\": ";
  Parameters values = params;  // muparser binds variables by address
  double result = 0.0;
  try {
    mu::Parser parser;
    if (!values.count("pi")) parser.DefineConst("pi", M_PI);
    if (!values.count("e")) parser.DefineConst("e", M_E);
    for (auto& [name, value] : values) {
      try {
        parser.DefineVar(name, &value);
      } catch (const mu::Parser::exception_type&) {
        throw InputError(where + "invalid parameter name '" + name +
                         "' (use letters, digits and '_', not starting with a digit)");
      }
    }
    parser.SetExpr(expr);
    result = parser.Eval();
    if (parser.GetNumResults() != 1)
      throw InputError(where + "expected a single value, not a comma-separated list");
  } catch (const mu::Parser::exception_type& e) {
    if (e.GetCode() == mu::ecUNASSIGNABLE_TOKEN)
      throw InputError(where + "undefined parameter or unknown name '" + e.GetToken() +
                       "' (defined parameters: " + parameter_list(params) + ")");
    throw InputError(where + e.GetMsg());
  }
  if (!std::isfinite(result)) throw InputError(where + "the value is not finite");
  return result;
}

}  // namespace qcoll

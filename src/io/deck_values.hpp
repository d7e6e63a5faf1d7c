#pragma once
// Private to the deck loader: coefficients, operator terms and matrices.
#include <string>
#include <vector>

#include "deck_reader.hpp"
#include "qcoll/model/expression.hpp"
#include "qcoll/model/model.hpp"

namespace qcoll::deck_detail {

// Which sites a term may name: system sites by index, the ancilla as "A".
struct SiteRules {
  const std::vector<LocalSpace>* system = nullptr;  // null: no system sites allowed
  const LocalSpace* ancilla = nullptr;              // null: "A" not allowed
};

// A real value given as a number or an expression over the parameters; finite.
double read_real_value(const Context& ctx, const toml::node& node, const std::string& key,
                       const Parameters& params);

// A coefficient: number, expression string, or [re, im] of those; finite.
cplx read_coefficient(const Context& ctx, const toml::node& node, const std::string& key,
                      const Parameters& params);

// A term [coef, op, site, op, site, ...].
Term read_term(const Context& ctx, const toml::node& node, const std::string& key,
               const Parameters& params, const SiteRules& rules);

// An array of terms; records the line of every term as "<key>[i]".
OpSum read_terms(Context& ctx, const toml::node& node, const std::string& key,
                 const Parameters& params, const SiteRules& rules);

// A dim x dim matrix given as an array of rows of coefficients.
DenseMatrix read_matrix(const Context& ctx, const toml::node& node, const std::string& key,
                        const Parameters& params, index_t dim);

// The integer value of expression `expr` (a string node) over the parameters,
// for a site or a number of sites: fails at `key` when the expression cannot
// be evaluated or its value is not within 1e-9 of an integer; the message
// names the expression, its value and ends with `expected` ("a site is an
// integer 0..3 ..."). The caller checks the range.
double evaluate_integer(const Context& ctx, const toml::node& node, const std::string& key,
                        const std::string& expr, const Parameters& params, const std::string& what,
                        const std::string& expected);

// A number with up to 15 significant digits ("3.0000001", "1e+20").
std::string format_exact(double v);

// Formats a number for messages ("0.3", "1e-12", "inf").
std::string format_number(double v);
std::string format_complex(cplx v);

}  // namespace qcoll::deck_detail

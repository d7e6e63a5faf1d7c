#include "qcoll/io/time_grid.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "deck_values.hpp"

namespace qcoll {
namespace {

using deck_detail::format_number;

constexpr double kWholeTolerance = 1e-9;  // relative, for t_final = N * step

// Round-off of the times k * step (k <= N): a few ulps of the largest time.
double grid_tolerance(double time, double step) {
  return kWholeTolerance * step + 8.0 * std::numeric_limits<double>::epsilon() * std::abs(time);
}

}  // namespace

long long grid_intervals(double t_final, double step) {
  const double n = std::round(t_final / step);
  if (!(n >= 1.0)) return 1;
  if (n > kRoundOffGridIntervals) return static_cast<long long>(kRoundOffGridIntervals);
  return static_cast<long long>(n);
}

std::string time_grid_problem(double t_final, double step, const std::string& step_name,
                              bool whole) {
  const double ratio = t_final / step;
  const std::string grid = step_name + " = " + format_number(step) +
                           " and t_final = " + format_number(t_final) + " give t_final / " +
                           step_name + " = " + format_number(ratio) + " intervals";
  if (!(ratio <= kRoundOffGridIntervals) || t_final + step == t_final)
    return grid + ": " + step_name + " is below the round-off of t_final (times k * " + step_name +
           " near t_final are not distinct in floating point, and the run would " +
           "not advance); raise " + step_name;
  if (ratio > kMaxGridIntervals)
    return grid + ", more than the " + format_number(kMaxGridIntervals) +
           " any run can store or step through; raise " + step_name;
  const long long n = grid_intervals(t_final, step);
  const double last = static_cast<double>(n) * step;
  if (std::abs(last - t_final) > step / 2 + grid_tolerance(t_final, step))
    return grid + ", but " + std::to_string(n) + " intervals end at t = " + format_number(last) +
           ", not t_final rounded to a multiple of " + step_name + "; choose another " + step_name;
  if (whole && std::abs(last - t_final) > kWholeTolerance * t_final) {
    const double below = t_final / std::max(1.0, std::floor(ratio));
    const double above = t_final / std::ceil(ratio);
    return grid + ", not a whole number: the last output would be at t = " + format_number(last) +
           " instead of t_final; choose " + step_name + " = t_final / n for a whole n (e.g. " +
           format_number(above) + " or " + format_number(below) + ")";
  }
  return "";
}

std::string time_series_defect(const std::vector<double>& t, double t_final, double step,
                               bool whole) {
  const long long n = grid_intervals(t_final, step);
  if (t.size() != static_cast<std::size_t>(n) + 1)
    return "the time series has " + std::to_string(t.size()) +
           " times (last t = " + (t.empty() ? std::string("none") : format_number(t.back())) +
           "), but t_final = " + format_number(t_final) + " with spacing " + format_number(step) +
           " needs " + std::to_string(n + 1) + " (t = 0 .. " +
           format_number(static_cast<double>(n) * step) + ")";
  for (std::size_t k = 0; k < t.size(); ++k) {
    const double expected = static_cast<double>(k) * step;
    if (!(std::abs(t[k] - expected) <= grid_tolerance(expected, step)))
      return "time " + std::to_string(k) + " of the series is t = " + format_number(t[k]) +
             ", not k * " + format_number(step) + " = " + format_number(expected);
  }
  const double end = t.back();
  const double allowed = whole ? kWholeTolerance * t_final : step / 2 + grid_tolerance(end, step);
  if (!(std::abs(end - t_final) <= allowed))
    return "the time series ends at t = " + format_number(end) +
           ", not at t_final = " + format_number(t_final);
  return "";
}

}  // namespace qcoll

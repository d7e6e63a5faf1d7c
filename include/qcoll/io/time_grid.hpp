#pragma once
// Uniform time grids t_k = k * step, k = 0..N, N = round(t_final / step): the
// evolve time series (step = dt_output) and the collide strokes (step = tau).
// What floating point and a run can honour is decided here, once, for the
// deck checks (before anything runs) and for the checks of what a finished
// run wrote (before `complete = 1`).
#include <string>
#include <vector>

namespace qcoll {

// More intervals than any run can store or step through (8 bytes per number
// and interval is already 8 TB per column at this size).
inline constexpr double kMaxGridIntervals = 1e12;
// Beyond this many intervals the step is below the round-off of t_final:
// t_final + step rounds back to t_final, or k * step no longer lands on
// distinct times.
inline constexpr double kRoundOffGridIntervals = 1e15;

// N = round(t_final / step), at least 1. Only meaningful for grids that
// time_grid_problem accepts.
long long grid_intervals(double t_final, double step);

// Why t_final and `step` (named `step_name`, e.g. "dt_output") give no usable
// grid, in one sentence ("" when they do): the step is below the round-off of
// t_final, or the grid has more than kMaxGridIntervals intervals, or (with
// `whole`) t_final is not a whole number of steps within 1e-9 relative, so
// the last grid time would miss t_final. Both values must be finite and > 0.
std::string time_grid_problem(double t_final, double step, const std::string& step_name,
                              bool whole);

// Why the times `t` of a finished run are not the grid t_k = k * step,
// k = 0..round(t_final / step), up to round-off ("" when they are): too few
// or too many times, a time off its grid point, or a last time that is not
// t_final (whole grids) or t_final rounded to a multiple of step.
std::string time_series_defect(const std::vector<double>& t, double t_final, double step,
                               bool whole);

}  // namespace qcoll

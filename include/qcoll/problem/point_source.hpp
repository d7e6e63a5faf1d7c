#pragma once
// The points of a run: one Problem, or every point of a sweep. A run is a
// sweep of one point (tasks/run_driver): the driver asks this interface for
// each point's Problem and for what to record about the sweep, and never sees
// where the points came from (io/deck_points builds them from a deck).
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "qcoll/problem/problem.hpp"

namespace qcoll {

// One swept key and its value at every point, in point order.
struct SweepAxisValues {
  std::string key;             // dotted deck key, e.g. "species.hot.lambda"
  std::vector<double> values;  // at every point, [count()]
  std::vector<double> levels;  // the axis' own list of values
};

class PointSource {
 public:
  virtual ~PointSource() = default;
  // False for a run without [sweep]: one point, written to the task's group.
  virtual bool is_sweep() const = 0;
  virtual std::size_t count() const = 0;
  // The Problem of point k (throws InputError).
  virtual std::shared_ptr<const Problem> load(std::size_t k) const = 0;
  // Whether every point differs from the others only in species lambdas,
  // so a solver keeps its operators and only changes coefficients.
  virtual bool only_lambdas_change() const = 0;
  // The sweep's keys and the value of each at every point (empty: no sweep).
  virtual std::vector<SweepAxisValues> axes() const = 0;
  // How several axes combine: "grid" (cartesian product, last axis fastest)
  // or "zip" (point k takes value k of each).
  virtual std::string mode() const { return "grid"; }
  // Every override of point k as "key=value" (one per axis), e.g. for
  // attribute `override` of its group.
  virtual std::vector<std::string> overrides(std::size_t k) const = 0;
};

// A run of one given problem (no sweep).
class SinglePoint final : public PointSource {
 public:
  explicit SinglePoint(const Problem& p) : p_(p) {}
  bool is_sweep() const override { return false; }
  std::size_t count() const override { return 1; }
  // The given problem itself (not owned).
  std::shared_ptr<const Problem> load(std::size_t) const override {
    return std::shared_ptr<const Problem>(&p_, [](const Problem*) {});
  }
  bool only_lambdas_change() const override { return true; }
  std::vector<SweepAxisValues> axes() const override { return {}; }
  std::vector<std::string> overrides(std::size_t) const override { return {}; }

 private:
  const Problem& p_;
};

}  // namespace qcoll

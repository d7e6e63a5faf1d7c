// The flat forms of CollideSeries and CollideProgress (a vector of doubles,
// for MPI broadcasts and checkpoints): scalars as they are, vectors as their
// length followed by the entries, complex numbers as (real, imaginary).
#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "qcoll/collide/collide_run.hpp"

namespace qcoll {
namespace {

// Calls f on every member of a CollideSeries, in the order of the flat form.
template <class Series, class F>
void visit_members(Series& s, F&& f) {
  for (auto* x : {&s.tau, &s.strokes, &s.species, &s.rank, &s.wall_seconds, &s.compared,
                  &s.final_distance, &s.steady_distance, &s.sigma_over_tau, &s.pi, &s.pi_ancilla})
    f(*x);
  for (auto* v : {&s.stroke, &s.t, &s.energy, &s.entropy, &s.mutual_information,
                  &s.entropy_production, &s.delta_free_energy, &s.rate_entropy_production,
                  &s.rate_entropy_production_ancilla, &s.distance, &s.delta_energy, &s.heat_ancilla,
                  &s.work_coherent, &s.mutual_information_species, &s.relative_entropy,
                  &s.delta_coherence, &s.entropy_production_species})
    f(*v);
  f(s.rho_final);
}

class FlatWriter {
 public:
  explicit FlatWriter(std::vector<double>& out) : out_(out) {}
  void operator()(double x) { out_.push_back(x); }
  void operator()(const std::vector<double>& x) {
    out_.push_back(static_cast<double>(x.size()));
    out_.insert(out_.end(), x.begin(), x.end());
  }
  void operator()(const std::vector<cplx>& x) {
    out_.push_back(static_cast<double>(x.size()));
    for (const cplx& z : x) {
      out_.push_back(z.real());
      out_.push_back(z.imag());
    }
  }

 private:
  std::vector<double>& out_;
};

class FlatReader {
 public:
  explicit FlatReader(const std::vector<double>& data) : data_(data) {}
  void operator()(double& x) { x = next(); }
  void operator()(std::vector<double>& x) {
    x.resize(length());
    for (double& v : x) v = next();
  }
  void operator()(std::vector<cplx>& x) {
    x.resize(length());
    for (cplx& z : x) {
      const double re = next();
      z = cplx(re, next());
    }
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  double next() {
    if (pos_ >= data_.size()) throw std::runtime_error("collide: truncated series data");
    return data_[pos_++];
  }
  std::size_t length() {
    const double n = next();
    if (!(n >= 0 && n <= static_cast<double>(data_.size() - pos_)))
      throw std::runtime_error("collide: corrupt series data");
    return static_cast<std::size_t>(n);
  }

  const std::vector<double>& data_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<double> pack(const CollideSeries& s) {
  std::vector<double> out;
  FlatWriter put(out);
  visit_members(s, put);
  return out;
}

CollideSeries unpack_series(const std::vector<double>& data) {
  CollideSeries s;
  FlatReader get(data);
  visit_members(s, get);
  if (!get.at_end()) throw std::runtime_error("collide: series data longer than expected");
  return s;
}

std::vector<double> pack(const CollideProgress& p) {
  std::vector<double> out;
  FlatWriter put(out);
  put(static_cast<double>(p.stage));
  put(static_cast<double>(p.stroke));
  put(static_cast<double>(p.last_recorded));
  put(p.rho);
  put(p.rho_master_equation);
  visit_members(p.series, put);
  return out;
}

CollideProgress unpack_progress(const std::vector<double>& data) {
  CollideProgress p;
  FlatReader get(data);
  double stage = 0, stroke = 0, last_recorded = 0;
  get(stage);
  get(stroke);
  get(last_recorded);
  if (stage != 0 && stage != 1 && stage != 2)
    throw std::runtime_error("collide: corrupt progress data");
  p.stage = static_cast<CollideProgress::Stage>(static_cast<int>(stage));
  p.stroke = static_cast<index_t>(stroke);
  p.last_recorded = static_cast<index_t>(last_recorded);
  get(p.rho);
  get(p.rho_master_equation);
  visit_members(p.series, get);
  if (!get.at_end()) throw std::runtime_error("collide: progress data longer than expected");
  return p;
}

index_t recorded_strokes(index_t stroke, index_t strokes, index_t every) {
  every = std::max<index_t>(1, every);
  return stroke / every + (stroke == strokes && strokes % every != 0 ? 1 : 0);
}

}  // namespace qcoll

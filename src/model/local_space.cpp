// Local Hilbert spaces and their named operators (conventions in local_space.hpp).
#include "qcoll/model/local_space.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <sstream>
#include <utility>

namespace qcoll {
namespace {

constexpr index_t kMaxLocalDim = 1024;
constexpr const char* kAcceptedForms = "spin1/2, spin1, spin3/2, spin<S>, qudit<n>, boson<nmax>";

// Parses a non-empty string of at most 9 decimal digits.
// Digits beyond this value saturate (no overflow): check_dim then says the
// number is too large instead of calling it malformed.
constexpr index_t kSaturated = 1'000'000'000'000'000;

std::optional<index_t> parse_digits(const std::string& s) {
  if (s.empty()) return std::nullopt;
  index_t v = 0;
  for (const char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = std::min(kSaturated, 10 * v + (c - '0'));
  }
  return v;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

[[noreturn]] void bad_label(const std::string& label, const std::string& why) {
  throw InputError("invalid local space '" + label + "'" + (why.empty() ? "" : " (" + why + ")") +
                   "; accepted forms: " + kAcceptedForms);
}

// Twice the spin of "1/2", "1", "3/2", "2", ...
index_t parse_twice_spin(const std::string& label, const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) {
    const auto v = parse_digits(s);
    if (!v || *v < 1) bad_label(label, "spin must be a positive integer or half-integer");
    return 2 * *v;
  }
  const auto num = parse_digits(s.substr(0, slash));
  if (!num || s.substr(slash + 1) != "2" || *num % 2 == 0)
    bad_label(label, "a half-integer spin is written <odd>/2");
  return *num;
}

void check_dim(const std::string& label, index_t dim) {
  if (dim > kMaxLocalDim)
    bad_label(label, "local dimension " +
                         (dim >= kSaturated ? "above 10^15" : std::to_string(dim)) +
                         " exceeds the limit " + std::to_string(kMaxLocalDim));
}

// |i><j| from "proj<i><j>" (single digits) or "proj<i>_<j>".
std::optional<std::pair<index_t, index_t>> parse_proj(const std::string& name) {
  if (!starts_with(name, "proj")) return std::nullopt;
  const std::string rest = name.substr(4);
  const auto us = rest.find('_');
  std::optional<index_t> i, j;
  if (us == std::string::npos) {
    if (rest.size() != 2) return std::nullopt;
    i = parse_digits(rest.substr(0, 1));
    j = parse_digits(rest.substr(1, 1));
  } else {
    i = parse_digits(rest.substr(0, us));
    j = parse_digits(rest.substr(us + 1));
  }
  if (!i || !j) return std::nullopt;
  return std::make_pair(*i, *j);
}

// Spin raising operator in the basis m = S, S-1, ..., -S.
DenseMatrix spin_plus(index_t dim) {
  const double s = 0.5 * static_cast<double>(dim - 1);
  DenseMatrix sp(dim, dim);
  for (index_t k = 1; k < dim; ++k) {
    const double m = s - static_cast<double>(k);
    sp(k - 1, k) = std::sqrt(s * (s + 1.0) - m * (m + 1.0));
  }
  return sp;
}

DenseMatrix spin_z(index_t dim) {
  const double s = 0.5 * static_cast<double>(dim - 1);
  std::vector<double> m(dim);
  for (index_t k = 0; k < dim; ++k) m[k] = s - static_cast<double>(k);
  return DenseMatrix::diagonal(m);
}

DenseMatrix boson_a(index_t dim) {
  DenseMatrix a(dim, dim);
  for (index_t n = 1; n < dim; ++n) a(n - 1, n) = std::sqrt(static_cast<double>(n));
  return a;
}

DenseMatrix number(index_t dim) {
  std::vector<double> n(dim);
  for (index_t k = 0; k < dim; ++k) n[k] = static_cast<double>(k);
  return DenseMatrix::diagonal(n);
}

std::optional<DenseMatrix> spin_op(const std::string& name, index_t dim) {
  const cplx half_i(0.0, 0.5);
  if (name == "Sz") return spin_z(dim);
  if (name == "Sp") return spin_plus(dim);
  if (name == "Sm") return spin_plus(dim).adjoint();
  if (name == "Sx") return cplx(0.5) * (spin_plus(dim) + spin_plus(dim).adjoint());
  if (name == "Sy") return -half_i * (spin_plus(dim) - spin_plus(dim).adjoint());
  if (dim != 2) return std::nullopt;
  // Pauli matrices and the spin-1/2 ladder operators.
  if (name == "sz") return cplx(2.0) * spin_z(2);
  if (name == "sp") return spin_plus(2);
  if (name == "sm") return spin_plus(2).adjoint();
  if (name == "sx") return spin_plus(2) + spin_plus(2).adjoint();
  if (name == "sy") return cplx(0.0, -1.0) * (spin_plus(2) - spin_plus(2).adjoint());
  return std::nullopt;
}

}  // namespace

LocalSpace LocalSpace::parse(const std::string& label) {
  LocalSpace sp;
  sp.label_ = label;
  if (starts_with(label, "spin")) {
    const index_t twice = parse_twice_spin(label, label.substr(4));
    check_dim(label, twice + 1);
    sp.kind_ = Kind::Spin;
    sp.dim_ = twice + 1;
    sp.spin_ = 0.5 * static_cast<double>(twice);
  } else if (starts_with(label, "qudit")) {
    const auto n = parse_digits(label.substr(5));
    if (!n || *n < 2) bad_label(label, "a qudit needs n >= 2 levels");
    check_dim(label, *n);
    sp.kind_ = Kind::Qudit;
    sp.dim_ = *n;
  } else if (starts_with(label, "boson")) {
    const auto nmax = parse_digits(label.substr(5));
    if (!nmax || *nmax < 1) bad_label(label, "a boson needs a cutoff nmax >= 1");
    check_dim(label, *nmax + 1);
    sp.kind_ = Kind::Boson;
    sp.dim_ = *nmax + 1;
  } else {
    bad_label(label, "");
  }
  return sp;
}

std::vector<std::string> LocalSpace::operator_names() const {
  std::vector<std::string> names{"id"};
  if (kind_ == Kind::Spin && dim_ == 2) names.insert(names.end(), {"sx", "sy", "sz", "sp", "sm"});
  if (kind_ == Kind::Spin) names.insert(names.end(), {"Sx", "Sy", "Sz", "Sp", "Sm"});
  if (kind_ == Kind::Boson) names.insert(names.end(), {"a", "adag"});
  if (kind_ == Kind::Boson || kind_ == Kind::Qudit) names.push_back("n");
  names.insert(names.end(), {"proj<i><j>", "proj<i>_<j>"});
  return names;
}

bool LocalSpace::has_op(const std::string& name) const {
  if (name == "id") return true;
  if (const auto p = parse_proj(name)) return p->first < dim_ && p->second < dim_;
  switch (kind_) {
    case Kind::Spin:
      return spin_op(name, dim_).has_value();
    case Kind::Boson:
      return name == "a" || name == "adag" || name == "n";
    case Kind::Qudit:
      return name == "n";
  }
  return false;
}

DenseMatrix LocalSpace::op(const std::string& name) const {
  if (name == "id") return DenseMatrix::identity(dim_);
  if (const auto p = parse_proj(name)) {
    if (p->first >= dim_ || p->second >= dim_)
      throw InputError("operator '" + name + "' on " + label_ + ": level index out of range 0.." +
                       std::to_string(dim_ - 1));
    DenseMatrix m(dim_, dim_);
    m(p->first, p->second) = 1.0;
    return m;
  }
  if (kind_ == Kind::Spin) {
    if (auto m = spin_op(name, dim_)) return *m;
  } else if (kind_ == Kind::Boson) {
    if (name == "a") return boson_a(dim_);
    if (name == "adag") return boson_a(dim_).adjoint();
    if (name == "n") return number(dim_);
  } else if (name == "n") {
    return number(dim_);
  }
  std::ostringstream msg;
  msg << "unknown operator '" << name << "' for local space " << label_;
  if (kind_ == Kind::Spin && dim_ > 2 && name.size() == 2 && name[0] == 's' &&
      std::string("xyzpm").find(name[1]) != std::string::npos)
    msg << " (the lower-case Pauli names exist only for spin1/2; use 'S" << name[1]
        << "' for spin operators)";
  msg << "; valid operators:";
  for (const auto& n : operator_names()) msg << ' ' << n;
  throw InputError(msg.str());
}

}  // namespace qcoll

#pragma once
// Local Hilbert spaces (one per site or ancilla) and their named operators.
//
//   spin1/2      dim 2, basis |0> = up (sz = +1), |1> = down. Pauli operators
//                sx, sy, sz; sp = |0><1|, sm = |1><0|. Also Sx = sx/2, ...
//   spin<S>      dim 2S+1, basis m = S, S-1, ..., -S (QuTiP's jmat order).
//                Sx, Sy, Sz, Sp, Sm (spin operators, not Pauli); for spin1/2
//                these are half the Pauli matrices.
//   qudit<n>     dim n, basis |0>..|n-1>.
//   boson<nmax>  Fock |0>..|nmax> (dim nmax+1): a, adag, n.
//   every space  id, proj<i><j> = |i><j| (also proj<i>_<j> for indices >= 10).
#include <string>
#include <vector>

#include "qcoll/model/dense.hpp"

namespace qcoll {

class LocalSpace {
 public:
  enum class Kind { Spin, Qudit, Boson };

  // Parses "spin1/2", "spin1", "spin3/2", "spin<S>", "qudit3", "boson10", ...
  // Throws InputError with a list of accepted forms.
  static LocalSpace parse(const std::string& label);

  Kind kind() const { return kind_; }
  index_t dim() const { return dim_; }
  const std::string& label() const { return label_; }
  double spin() const { return spin_; }  // only for Kind::Spin

  // The named local operator; throws InputError naming the valid operators.
  DenseMatrix op(const std::string& name) const;
  bool has_op(const std::string& name) const;
  std::vector<std::string> operator_names() const;

 private:
  Kind kind_ = Kind::Qudit;
  index_t dim_ = 0;
  double spin_ = 0.0;
  std::string label_;
};

}  // namespace qcoll

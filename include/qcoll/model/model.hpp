#pragma once
// The physical model a deck describes: the system, its Hamiltonian and the
// ancilla species that collide with it. Input layer output, derive layer input.
#include <limits>
#include <string>
#include <vector>

#include "qcoll/model/opsum.hpp"

namespace qcoll {

struct Species {
  std::string name;
  LocalSpace ancilla;
  DenseMatrix hamiltonian;  // H_A on the ancilla space
  double beta = 1.0;        // inverse temperature; +inf = ground state, 0 = infinite T
  OpSum coupling;           // V_SA, ancilla factors on kAncillaSite
  double lambda = 0.0;      // coherence strength
  DenseMatrix chi;          // Hermitian, zero diagonal in H_A's eigenbasis
};

struct Observable {
  std::string name;
  OpSum terms;
};

struct InitialState {
  enum class Kind { Ground, Excited, MaximallyMixed, Thermal, Basis, Product };
  Kind kind = Kind::Ground;
  double beta = 1.0;             // Thermal
  index_t index = 0;             // Basis
  std::vector<index_t> product;  // Product: per-site basis index
};

struct Model {
  std::vector<LocalSpace> sites;
  OpSum hamiltonian;
  std::vector<Species> species;
  std::vector<Observable> observables;
  InitialState initial;

  index_t dimension() const { return product_dimension(sites); }
};

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Thermal state exp(-beta H)/Z of a small Hermitian H (beta = inf: the
// normalised projector on the ground space; beta = 0: maximally mixed;
// beta < 0: population inversion, -inf the top eigenspace).
DenseMatrix thermal_state(const DenseMatrix& h, double beta);

}  // namespace qcoll

#pragma once
// A deck's point as a typed Problem: its model, its settings and its text.
#include "qcoll/io/deck.hpp"
#include "qcoll/problem/problem.hpp"

namespace qcoll {

// Throws InputError (derivation, initial state).
inline Problem prepare_problem(const Deck& deck) {
  return prepare_problem(deck.model, static_cast<const Settings&>(deck), deck.toml);
}

}  // namespace qcoll

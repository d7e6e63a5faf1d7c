#pragma once
// The parts of `qcoll check` beyond the model and the solver plans: the
// initial state, the sweep's points and keys (lambda against its admissible
// bound at each point), the size of the output, and hints about suspicious
// units. Each returns text (empty when it has nothing to say), for rank 0 to
// print; the unit hints are also printed by every run.
#include <string>

#include "qcoll/derive/master_equation.hpp"
#include "qcoll/io/deck.hpp"

namespace qcoll {

// "initial state: ..." with <H_S> and purity (computed for d <= 4096).
std::string describe_initial_state(const Model& model, const MasterEquation& me);

// The sweep: mode, point count, each axis' key, count and range; with
// lambda != 0 somewhere, the largest |lambda| / (admissible bound) over the
// points at the deck's largest [collide] tau, and the points beyond it.
// Empty without [sweep].
std::string describe_sweep(const Deck& deck);

// What the output file will hold and its size, for `task`.
std::string describe_output_size(const Deck& deck, const std::string& task, index_t d);

// One "note:" line per species whose beta * (ancilla level spacing) is
// above 100 (ancillas in their ground state: a temperature typed as beta?)
// or whose beta * (ancilla bandwidth) is below 0.01 (infinite temperature).
// beta = inf and beta = 0 are taken as meant.
std::string unit_hints(const MasterEquation& me);

}  // namespace qcoll

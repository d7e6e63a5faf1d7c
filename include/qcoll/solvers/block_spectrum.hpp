#pragma once
// The slow spectrum block by block (docs/solvers.md, "Spectrum block by
// block"): spec(L) is the union of the spectra of L restricted to the classes
// of superop/structure.hpp (BlockClasses), so the nev slowest eigenvalues of L
// are the nev slowest of the union of each class's nev slowest.
//
// * A class of dimension at most SpectrumOptions::dense_dimension (or not
//   above nev + 1) is diagonalised densely; such classes are batched (a union
//   of classes has the union of their spectra) up to dense_dimension entries.
// * A larger class: SpectrumSolver (near-zero stage with its own LU of
//   L_c - sigma, exp(t L_c) + Rayleigh-Ritz) on L assembled on its entries.
// * Of a pair of classes related by (a, b) -> (b, a) one is computed, the
//   other's eigenvalues are the complex conjugates.
// * Class 0 (the steady class) may be given by the caller (a steady run's
//   own factorisation, SteadySolver with SteadyOptions::gap_in_blocks).
// Large classes go first, so a factorisation beyond the memory is refused
// before anything else is computed.
#include <functional>
#include <string>
#include <vector>

#include "qcoll/solvers/spectrum.hpp"
#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/superop/reduced_space.hpp"
#include "qcoll/superop/structure.hpp"

namespace qcoll {

// Assembles L restricted to `space`'s entries (LiouvillianCreate with it).
using ClassAssembler = std::function<PetscErrorCode(const ReducedSpace& space, Liouvillian* out)>;

// One solve of the block spectrum: a class (or a batch of small ones).
struct ClassSolve {
  std::vector<int> classes;  // computed together
  index_t dimension = 0;     // entries of rho
  bool conjugates = false;   // their conjugate classes' eigenvalues are added
  bool dense = false;
  bool given = false;  // class 0 from the caller
  double bytes = 0;    // estimated memory per rank (0 until planned)
  double seconds = 0;  // estimated time (0 until planned)
};

struct BlockSpectrumPlan {
  int classes = 0;                 // all classes of blocks
  std::vector<ClassSolve> solves;  // largest first
  double bytes = 0;                // per rank: the largest solve's
  double seconds = 0;              // all solves
  double available = 0;            // per rank
  bool estimated = false;          // bytes and seconds filled in
  std::string summary() const;     // "21 classes (sizes ...), 11 computed ..."
};

// Which solves the classes need (cheap: no assembly).
BlockSpectrumPlan plan_block_spectrum(const BlockClasses& classes, const SpectrumOptions& options,
                                      bool steady_given);

// Memory and time of every solve (assembles each large class once, MUMPS's
// analysis for its LU); `largest_only`: of the largest non-dense solve only.
// Rates: docs/solvers.md, "Spectrum block by block".
PetscErrorCode EstimateBlockSpectrum(MPI_Comm comm, const BlockClasses& classes,
                                     const ClassAssembler& assemble, const SpectrumOptions& options,
                                     bool largest_only, BlockSpectrumPlan* plan);

// The plan as qcoll check prints it.
SpectrumPlan spectrum_plan(const BlockClasses& classes, const BlockSpectrumPlan& plan);

// The plan of the spectrum of all of L (no classes): dense for small L, else
// exp(t L) with the near-zero stage from `shared` (a steady run's own
// factorisation: no LU of its own) or an own LU of L - sigma.
PetscErrorCode PlanFullSpectrum(Mat L, const SpectrumOptions& options, bool shared,
                                SpectrumPlan* plan);

// The nev slowest eigenvalues of L. `steady_class`: class 0's spectrum, when
// the plan was made with steady_given (ignored otherwise).
PetscErrorCode SolveBlockSpectrum(MPI_Comm comm, const BlockClasses& classes,
                                  const ClassAssembler& assemble, const SpectrumOptions& options,
                                  const SpectrumResult* steady_class, SpectrumResult* out);

}  // namespace qcoll

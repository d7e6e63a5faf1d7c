#pragma once
// Structure of a superoperator L(rho) = sum_t coef_t left_t rho right_t that
// the steady-state solvers exploit (linear algebra only, docs/solvers.md):
//
// * The one-sided ("no-jump") part S(X) = A X + X B: the terms whose right
//   (A) or left (B) factor is the identity. For a Lindblad generator
//   A = -i H_eff = -i H - 1/2 sum_k L_k^+ L_k and B = A^+. The rest are the
//   jumps sum_k L_k X L_k^+.
// * Blocks. Let the basis states split into the connected components of the
//   graph of the one-sided operators (i ~ k when A_ik, A_ki, B_ik or B_ki is
//   non-zero), so that A and B are block diagonal. rho splits into blocks
//   (a, b) = rows of component a, columns of component b; the one-sided part
//   maps each block into itself and a jump maps block (a, b) into the blocks
//   (a', b') with L_k[a', a] and L_k[b', b] non-zero. The blocks reachable from
//   the diagonal blocks (a, a) span an invariant subspace of L that holds
//   every state (trace and Hermiticity need only those blocks): the steady
//   state lives there. A conserved diagonal charge Q (total magnetisation,
//   excitation number) shows up this way as the q = Q_m - Q_n = 0 sector,
//   found from the operators' sparsity, with no charge named.
#include <vector>

#include "qcoll/model/sandwich.hpp"

namespace qcoll {

// S(X) = left X + X right, the terms with an identity factor.
struct OneSidedPart {
  CsrMatrix left;
  CsrMatrix right;
};

OneSidedPart one_sided_part(index_t d, const SuperOperatorTerms& terms);

struct BlockStructure {
  index_t d = 0;
  int count = 0;                       // number of components
  std::vector<int> component;          // component of each basis state (d)
  std::vector<index_t> size;           // states per component
  std::vector<unsigned char> reached;  // count x count: block (a, b) at a * count + b

  bool block(int a, int b) const { return reached[static_cast<size_t>(a) * count + b] != 0; }
  // Entries of rho in the reached blocks (the reduced dimension).
  index_t reduced_dimension() const;
  // Whether the reduction is worth anything (fewer entries than d^2).
  bool reduces() const { return reduced_dimension() < d * d; }
};

// The blocks reachable from the diagonal blocks (see above). `terms` is the
// whole superoperator with its current coefficients (terms with coefficient
// 0 are ignored, so a coherent part switched off does not merge blocks).
BlockStructure steady_block_structure(index_t d, const SuperOperatorTerms& terms);

// A partition of ALL blocks (a, b) of rho into classes whose spectra make up
// L's (docs/solvers.md, "Spectrum block by block"). Class 0 is the steady
// class: exactly the reached blocks of steady_block_structure, invariant under
// L. L maps the remaining blocks R into R + (class 0), so in the order
// (class 0, R) it is block upper triangular, and the other classes are the
// connected components of the jump graph on R: L restricted to R is block
// diagonal over them. Hence spec(L) is the union of the spectra of L
// restricted to each class (P_c L P_c, what LiouvillianCreate with a space
// assembles). Transposing the blocks of a class, (a, b) -> (b, a), gives a
// class (L(X^+) = L(X)^+ pattern-wise): its spectrum is the complex
// conjugate.
struct BlockClasses {
  BlockStructure blocks;           // components; blocks.reached = the steady class
  int count = 0;                   // number of classes
  std::vector<int> class_of;       // blocks.count^2: class of block (a, b) at a * blocks.count + b
  std::vector<int> conjugate;      // class of the transposed blocks; -1 if not a class
  std::vector<index_t> dimension;  // entries of rho in each class

  // Classes as a BlockStructure whose reached blocks are theirs (for
  // ReducedSpace); class_blocks({0}).reached == blocks.reached. The spectrum
  // of L restricted to a union of classes is the union of their spectra.
  BlockStructure class_blocks(const std::vector<int>& classes) const;
};

BlockClasses block_classes(index_t d, const SuperOperatorTerms& terms);

}  // namespace qcoll

#pragma once
// Matrix-free Liouvillian: a MATSHELL that applies
//     L(rho) = A0 rho + rho B0 + sum_s P_s rho Q_s
// on the column-distributed vec(rho) (vec index i + d*j, each rank owns whole
// columns j of rho, the layout of liouvillian.hpp) without storing the
// d^2 x d^2 matrix. The sandwich terms of sandwich.hpp are grouped once:
//   left-only  terms c A rho     -> A0 (identity terms c rho land here too)
//   right-only terms c rho B     -> B0
//   sandwiches       c P rho Q   -> (P, c Q)
// For the master equation A0 = -i H_eff - 1/2 sum_k L_k^dag L_k,
// B0 = +i H_eff - 1/2 sum_k L_k^dag L_k, and the sandwiches are L_k rho L_k^dag.
//
// Left products act on the owned columns only. Column j of rho B needs the
// columns k with B_kj != 0; the non-owned ones ("ghost" columns, the union over
// B0 and every Q_s) are gathered once per product by a VecScatter built at
// creation, overlapped with the purely local work. Only d x d operators and the
// ghost columns are stored: per rank O(nnz(H) + d * ghost columns) memory
// instead of the assembled nnz(L) ~ d^2 * (row length).
//
// Supported: MatMult (explicit TS, SLEPc MFN, Krylov solvers), MatMultTranspose
// and MatMultHermitianTranspose (built on first use), MatGetDiagonal (Jacobi),
// and MatScale/MatShift (MATSHELL bookkeeping). Not supported: anything that
// needs the entries (LU/ILU factorisations, MatGetRow, MatConvert), so the
// direct steady state and implicit time steppers with their default
// preconditioner need the assembled Liouvillian (liouvillian.hpp).
#include <petscmat.h>

#include <vector>

#include "qcoll/superop/liouvillian.hpp"

namespace qcoll {

struct GroupedSandwich {
  CsrMatrix left;   // P
  CsrMatrix right;  // c Q (the coefficient is folded in)
};

struct GroupedTerms {
  index_t d = 0;
  CsrMatrix left;   // A0
  CsrMatrix right;  // B0
  std::vector<GroupedSandwich> sandwiches;
};

// Groups fixed + sum_g coefs[g] parts[g] (parts with a zero coefficient are dropped).
GroupedTerms group_terms(index_t d, const SuperOperatorTerms& fixed,
                         const std::vector<SuperOperatorTerms>& parts,
                         const std::vector<PetscScalar>& coefs);

// The terms of the transposed (conjugate = false) or adjoint (conjugate = true)
// superoperator: A rho B -> A^T rho B^T (A^dag rho B^dag, conjugated coefficient).
GroupedTerms transposed_terms(const GroupedTerms& g, bool conjugate);

// The MATSHELL on comm with the column layout of column_layout(comm, d).
PetscErrorCode MatCreateMatrixFreeLiouvillian(MPI_Comm comm, GroupedTerms terms, Mat* out);
PetscErrorCode MatCreateMatrixFreeLiouvillian(MPI_Comm comm, index_t d,
                                              const SuperOperatorTerms& fixed,
                                              const std::vector<SuperOperatorTerms>& parts,
                                              const std::vector<PetscScalar>& coefs, Mat* out);

// True for a matrix made by MatCreateMatrixFreeLiouvillian.
PetscErrorCode MatIsMatrixFreeLiouvillian(Mat m, PetscBool* flag);

struct MatrixFreeStats {
  index_t d = 0;
  index_t owned_columns = 0;
  index_t ghost_columns = 0;  // non-owned columns of rho gathered per product
  index_t operator_nnz = 0;   // nnz(A0) + nnz(B0) + sum_s (nnz(P_s) + nnz(Q_s))
  index_t sandwiches = 0;
  double bytes_per_rank = 0.0;  // operators, column patterns, ghost buffer (this rank)
};
PetscErrorCode MatrixFreeGetStats(Mat m, MatrixFreeStats* out);

}  // namespace qcoll

#pragma once
// Sandwich terms -> distributed PETSc matrix (complex MATMPIAIJ).
//
// Layout: vec(rho)[i + d*j] = rho_ij (column stacking). Each rank owns a
// contiguous block of whole columns of rho, i.e. rows [d*j0, d*j1) of L.
// L = L_0 + sum_j c_j L_j: L_0 carries the union non-zero pattern of all parts
// (explicit zeros where only a part has entries, diagonal always stored), so
// changing the coefficients is a MatAXPY with SUBSET_NONZERO_PATTERN.
#include <petscmat.h>

#include <utility>
#include <vector>

#include "qcoll/model/sandwich.hpp"

namespace qcoll {

struct ColumnLayout {
  index_t d = 0;          // dimension of rho
  index_t col_begin = 0;  // first owned column of rho
  index_t col_end = 0;    // one past the last owned column
  index_t local_rows() const { return d * (col_end - col_begin); }
  index_t row_begin() const { return d * col_begin; }
};

// Splits the d columns of rho over the ranks of comm as PETSc would.
ColumnLayout column_layout(MPI_Comm comm, index_t d);

class ReducedSpace;  // reduced_space.hpp

// Owns its matrices (destroyed with it, or earlier by LiouvillianDestroy);
// movable, not copyable.
struct Liouvillian {
  Liouvillian() = default;
  Liouvillian(const Liouvillian&) = delete;
  Liouvillian& operator=(const Liouvillian&) = delete;
  Liouvillian(Liouvillian&& other) noexcept { *this = std::move(other); }
  Liouvillian& operator=(Liouvillian&& other) noexcept;
  ~Liouvillian();

  ColumnLayout layout;
  const ReducedSpace* space = nullptr;  // restricted to these entries of vec(rho) (not owned)
  Mat fixed = nullptr;                  // L_0
  std::vector<Mat> parts;               // L_j
  std::vector<PetscScalar> coefs;       // current c_j
  Mat total = nullptr;                  // L_0 + sum_j c_j L_j
};

// With `space` (must outlive `out`): L restricted to those entries of
// vec(rho), rows and columns numbered as the space's (P L P^T; exact on
// vectors in the space when L maps it into itself, as for the reached blocks
// of superop/structure.hpp). Only those rows are generated.
PetscErrorCode LiouvillianCreate(MPI_Comm comm, index_t d, const SuperOperatorTerms& fixed,
                                 const std::vector<SuperOperatorTerms>& parts,
                                 const std::vector<PetscScalar>& coefs, Liouvillian* out,
                                 const ReducedSpace* space = nullptr);
// A MATSHELL with the layout of all of vec(rho) applying a restricted L:
// y = P^T L_S P x (x's entries outside the space are ignored, y's are 0).
PetscErrorCode ReducedOperatorCreateFull(const Liouvillian& restricted, Mat* out);
PetscErrorCode LiouvillianSetCoefficients(Liouvillian* l, const std::vector<PetscScalar>& coefs);
PetscErrorCode LiouvillianDestroy(Liouvillian* l);

// Covectors w_X with w_X . vec(rho) = tr(X rho), stored conjugated so that
// VecMDot(rho, n, w, values) returns values[k] = tr(X_k rho) in one reduction.
PetscErrorCode TraceCovectorsCreate(Mat layout_of, const std::vector<const CsrMatrix*>& ops,
                                    std::vector<Vec>* out);
PetscErrorCode VecsDestroy(std::vector<Vec>* vs);

// Fills the owned part of vec(rho) from a function rho(i, j).
template <class F>
PetscErrorCode FillDensityVector(const ColumnLayout& layout, Vec v, F rho) {
  PetscFunctionBeginUser;
  PetscScalar* a;
  PetscCall(VecGetArray(v, &a));
  for (index_t j = layout.col_begin; j < layout.col_end; ++j)
    for (index_t i = 0; i < layout.d; ++i) a[(j - layout.col_begin) * layout.d + i] = rho(i, j);
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

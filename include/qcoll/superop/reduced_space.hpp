#pragma once
// The entries of vec(rho) in the reached blocks of a
// BlockStructure (superop/structure.hpp), distributed like vec(rho): each rank
// holds, for its own columns j of rho (ascending), the rows i of the blocks
// (component(i), component(j)) that are reached, ascending. With a single
// component this is all of vec(rho) in its usual layout.
#include <petscis.h>
#include <petscvec.h>

#include <vector>

#include "qcoll/superop/liouvillian.hpp"
#include "qcoll/superop/structure.hpp"

namespace qcoll {

class ReducedSpace {
 public:
  ReducedSpace() = default;
  ReducedSpace(const ReducedSpace&) = delete;
  ReducedSpace& operator=(const ReducedSpace&) = delete;
  ~ReducedSpace();

  PetscErrorCode Setup(MPI_Comm comm, const BlockStructure& blocks, const ColumnLayout& layout);

  const BlockStructure& blocks() const { return blocks_; }
  const ColumnLayout& layout() const { return layout_; }
  // Local and global number of reduced entries.
  PetscInt local_size() const { return static_cast<PetscInt>(local_rows_.size()); }
  PetscInt global_size() const { return global_; }
  // The owned entries as indices of the full vec(rho) (ascending), for
  // MatCreateSubMatrix and VecGetSubVector.
  IS full_indices() const { return is_; }
  // Rows i of column j's reduced entries, in order (global j).
  const std::vector<index_t>& rows_of_column(index_t j) const {
    return rows_[blocks_.component[j]];
  }
  // Row i of each owned entry, in order (its column follows from the layout).
  const std::vector<index_t>& local_rows() const { return local_rows_; }
  // Global reduced index of the entry (i, j); -1 if it is not in a reached block.
  PetscInt index_of(index_t i, index_t j) const;
  // Members of each component, ascending, and each state's position there.
  const std::vector<std::vector<index_t>>& members() const { return members_; }
  const std::vector<index_t>& position() const { return position_; }
  // Whether the reduced space is all of vec(rho).
  bool whole() const { return global_ == static_cast<PetscInt>(layout_.d * layout_.d); }

 private:
  BlockStructure blocks_;
  ColumnLayout layout_;
  std::vector<std::vector<index_t>> rows_;     // per column component: reached rows, ascending
  std::vector<std::vector<index_t>> members_;  // per component
  std::vector<index_t> position_;              // of each state in its component
  std::vector<PetscInt> column_offset_;        // global reduced index of column j's first entry
  std::vector<index_t> local_rows_;
  PetscInt global_ = 0;
  IS is_ = nullptr;
};

}  // namespace qcoll

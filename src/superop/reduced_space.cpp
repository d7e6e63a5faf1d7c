#include "qcoll/superop/reduced_space.hpp"

#include <algorithm>

namespace qcoll {

ReducedSpace::~ReducedSpace() {
  ISDestroy(&is_);
}

PetscErrorCode ReducedSpace::Setup(MPI_Comm comm, const BlockStructure& blocks,
                                   const ColumnLayout& layout) {
  PetscFunctionBeginUser;
  blocks_ = blocks;
  layout_ = layout;
  const index_t d = layout.d;
  const int count = blocks.count;
  members_.assign(count, {});
  position_.assign(d, 0);
  for (index_t i = 0; i < d; ++i) {
    std::vector<index_t>& m = members_[blocks.component[i]];
    position_[i] = static_cast<index_t>(m.size());
    m.push_back(i);
  }
  rows_.assign(count, {});
  for (int c = 0; c < count; ++c)
    for (index_t i = 0; i < d; ++i)
      if (blocks.block(blocks.component[i], c)) rows_[c].push_back(i);
  column_offset_.assign(d + 1, 0);
  for (index_t j = 0; j < d; ++j)
    column_offset_[j + 1] =
        column_offset_[j] + static_cast<PetscInt>(rows_[blocks.component[j]].size());
  global_ = column_offset_[d];
  local_rows_.clear();
  std::vector<PetscInt> full;
  for (index_t j = layout.col_begin; j < layout.col_end; ++j)
    for (index_t i : rows_of_column(j)) {
      local_rows_.push_back(i);
      full.push_back(static_cast<PetscInt>(i + d * j));
    }
  PetscCall(ISDestroy(&is_));
  PetscCall(ISCreateGeneral(comm, static_cast<PetscInt>(full.size()), full.data(),
                            PETSC_COPY_VALUES, &is_));
  PetscFunctionReturn(0);
}

PetscInt ReducedSpace::index_of(index_t i, index_t j) const {
  const std::vector<index_t>& rows = rows_of_column(j);
  const auto it = std::lower_bound(rows.begin(), rows.end(), i);
  if (it == rows.end() || *it != i) return -1;
  return column_offset_[j] + static_cast<PetscInt>(it - rows.begin());
}

}  // namespace qcoll

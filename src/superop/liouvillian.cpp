// Assembly of the distributed Liouvillian from sandwich terms. Each rank
// generates only its own rows: row (i, j) of vec(A rho B) has the entries
// B_lj A_ik at column (k, l), so it needs row i of A and column j of B.
#include "qcoll/superop/liouvillian.hpp"

#include <algorithm>

#include "qcoll/superop/reduced_space.hpp"

namespace qcoll {
namespace {

struct Entry {
  PetscInt col;
  int group;  // 0: fixed part, g > 0: part g-1
  PetscScalar value;
};

// Per term: left operator (CSR rows) and right operator transposed (so that
// column j of B is row j of B^T).
struct PreparedTerm {
  const CsrMatrix* left;
  CsrMatrix right_t;
  bool right_identity;
  cplx coef;
  int group;
};

std::vector<PreparedTerm> prepare(const SuperOperatorTerms& fixed,
                                  const std::vector<SuperOperatorTerms>& parts) {
  std::vector<PreparedTerm> out;
  auto add = [&](const SuperOperatorTerms& terms, int group) {
    for (const SandwichTerm& t : terms)
      out.push_back({t.left.get(), t.right ? t.right->transpose() : CsrMatrix(), t.right == nullptr,
                     t.coef, group});
  };
  add(fixed, 0);
  for (size_t g = 0; g < parts.size(); ++g) add(parts[g], static_cast<int>(g) + 1);
  return out;
}

void row_entries(const std::vector<PreparedTerm>& terms, index_t d, index_t i, index_t j,
                 std::vector<Entry>& row) {
  row.clear();
  for (const PreparedTerm& t : terms) {
    auto emit_left = [&](index_t l, cplx b) {
      if (!t.left) {
        row.push_back({static_cast<PetscInt>(i + d * l), t.group, t.coef * b});
        return;
      }
      const auto& rp = t.left->rowptr();
      for (index_t p = rp[i]; p < rp[i + 1]; ++p)
        row.push_back({static_cast<PetscInt>(t.left->colind()[p] + d * l), t.group,
                       t.coef * t.left->values()[p] * b});
    };
    if (t.right_identity) {
      emit_left(j, 1.0);
    } else {
      const auto& rp = t.right_t.rowptr();
      for (index_t p = rp[j]; p < rp[j + 1]; ++p)
        emit_left(t.right_t.colind()[p], t.right_t.values()[p]);
    }
  }
  row.push_back({static_cast<PetscInt>(i + d * j), 0, 0.0});  // diagonal always stored
  std::sort(row.begin(), row.end(), [](const Entry& a, const Entry& b) {
    return a.col != b.col ? a.col < b.col : a.group < b.group;
  });
}

// Local CSR arrays of one group (group 0 carries the union pattern).
struct LocalCsr {
  std::vector<PetscInt> rowptr{0};
  std::vector<PetscInt> cols;
  std::vector<PetscScalar> vals;
};

void append_row(const std::vector<Entry>& row, int ngroups, std::vector<LocalCsr>& csr) {
  size_t k = 0;
  while (k < row.size()) {
    const PetscInt col = row[k].col;
    std::vector<PetscScalar> sum(ngroups, 0.0);
    std::vector<bool> present(ngroups, false);
    for (; k < row.size() && row[k].col == col; ++k) {
      sum[row[k].group] += row[k].value;
      present[row[k].group] = true;
    }
    csr[0].cols.push_back(col);
    csr[0].vals.push_back(sum[0]);
    for (int g = 1; g < ngroups; ++g)
      if (present[g]) {
        csr[g].cols.push_back(col);
        csr[g].vals.push_back(sum[g]);
      }
  }
  for (LocalCsr& c : csr) c.rowptr.push_back(static_cast<PetscInt>(c.cols.size()));
}

}  // namespace

ColumnLayout column_layout(MPI_Comm comm, index_t d) {
  PetscInt local = PETSC_DECIDE, global = static_cast<PetscInt>(d);
  PetscSplitOwnership(comm, &local, &global);
  PetscInt end = 0, mine = local;
  MPI_Scan(&mine, &end, 1, MPIU_INT, MPI_SUM, comm);
  return ColumnLayout{d, end - local, end};
}

PetscErrorCode LiouvillianCreate(MPI_Comm comm, index_t d, const SuperOperatorTerms& fixed,
                                 const std::vector<SuperOperatorTerms>& parts,
                                 const std::vector<PetscScalar>& coefs, Liouvillian* out,
                                 const ReducedSpace* space) {
  PetscFunctionBeginUser;
  PetscCheck(coefs.size() == parts.size(), comm, PETSC_ERR_ARG_SIZ,
             "one coefficient per Liouvillian part expected");
  out->layout = column_layout(comm, d);
  out->space = space;
  const ColumnLayout& lay = out->layout;
  const std::vector<PreparedTerm> terms = prepare(fixed, parts);
  const int ngroups = static_cast<int>(parts.size()) + 1;
  std::vector<LocalCsr> csr(ngroups);
  std::vector<Entry> row;
  for (index_t j = lay.col_begin; j < lay.col_end; ++j) {
    if (!space) {
      for (index_t i = 0; i < d; ++i) {
        row_entries(terms, d, i, j, row);
        append_row(row, ngroups, csr);
      }
      continue;
    }
    for (index_t i : space->rows_of_column(j)) {
      row_entries(terms, d, i, j, row);
      // Renumber the columns (k, l) -> the space's index; drop those outside.
      size_t kept = 0;
      for (const Entry& e : row) {
        const PetscInt r = space->index_of(e.col % d, e.col / d);
        if (r >= 0) row[kept++] = {r, e.group, e.value};
      }
      row.resize(kept);
      append_row(row, ngroups, csr);  // still sorted: the renumbering is monotone
    }
  }
  const PetscInt nloc = space ? space->local_size() : static_cast<PetscInt>(lay.local_rows()),
                 nglob = space ? space->global_size() : static_cast<PetscInt>(d * d);
  std::vector<Mat> mats(ngroups);
  for (int g = 0; g < ngroups; ++g) {
    // MATAIJ: SeqAIJ on one rank, MPIAIJ otherwise; the CSR gives exact preallocation.
    PetscCall(MatCreate(comm, &mats[g]));
    PetscCall(MatSetSizes(mats[g], nloc, nloc, nglob, nglob));
    PetscCall(MatSetType(mats[g], MATAIJ));
    PetscCall(MatSeqAIJSetPreallocationCSR(mats[g], csr[g].rowptr.data(), csr[g].cols.data(),
                                           csr[g].vals.data()));
    PetscCall(MatMPIAIJSetPreallocationCSR(mats[g], csr[g].rowptr.data(), csr[g].cols.data(),
                                           csr[g].vals.data()));
    csr[g] = LocalCsr();  // free as we go
  }
  out->fixed = mats[0];
  out->parts.assign(mats.begin() + 1, mats.end());
  out->coefs.assign(parts.size(), 0.0);
  PetscCall(MatDuplicate(out->fixed, MAT_COPY_VALUES, &out->total));
  PetscCall(LiouvillianSetCoefficients(out, coefs));
  PetscFunctionReturn(0);
}

namespace {

PetscErrorCode ReducedShellMult(Mat m, Vec x, Vec y) {
  PetscFunctionBeginUser;
  const Liouvillian* l;
  PetscCall(MatShellGetContext(m, &l));
  Vec xs, ys;
  PetscCall(MatCreateVecs(l->total, &xs, &ys));
  PetscCall(VecISCopy(x, l->space->full_indices(), SCATTER_REVERSE, xs));
  PetscCall(MatMult(l->total, xs, ys));
  PetscCall(VecSet(y, 0.0));
  PetscCall(VecISCopy(y, l->space->full_indices(), SCATTER_FORWARD, ys));
  PetscCall(VecDestroy(&xs));
  PetscCall(VecDestroy(&ys));
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode ReducedOperatorCreateFull(const Liouvillian& restricted, Mat* out) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(restricted.total));
  const index_t d = restricted.layout.d;
  PetscCall(MatCreateShell(comm, static_cast<PetscInt>(restricted.layout.local_rows()),
                           static_cast<PetscInt>(restricted.layout.local_rows()),
                           static_cast<PetscInt>(d * d), static_cast<PetscInt>(d * d),
                           const_cast<Liouvillian*>(&restricted), out));
  PetscCall(
      MatShellSetOperation(*out, MATOP_MULT, reinterpret_cast<void (*)(void)>(ReducedShellMult)));
  PetscFunctionReturn(0);
}

PetscErrorCode LiouvillianSetCoefficients(Liouvillian* l, const std::vector<PetscScalar>& coefs) {
  PetscFunctionBeginUser;
  PetscCall(MatCopy(l->fixed, l->total, SAME_NONZERO_PATTERN));
  for (size_t g = 0; g < l->parts.size(); ++g)
    if (coefs[g] != PetscScalar(0.0))
      PetscCall(MatAXPY(l->total, coefs[g], l->parts[g], SUBSET_NONZERO_PATTERN));
  l->coefs = coefs;
  PetscFunctionReturn(0);
}

Liouvillian& Liouvillian::operator=(Liouvillian&& other) noexcept {
  if (this == &other) return *this;
  LiouvillianDestroy(this);
  layout = other.layout;
  space = other.space;
  fixed = other.fixed;
  parts = std::move(other.parts);
  coefs = std::move(other.coefs);
  total = other.total;
  other.fixed = other.total = nullptr;
  other.parts.clear();
  return *this;
}

Liouvillian::~Liouvillian() {
  LiouvillianDestroy(this);
}

PetscErrorCode LiouvillianDestroy(Liouvillian* l) {
  PetscFunctionBeginUser;
  PetscCall(MatDestroy(&l->fixed));
  PetscCall(MatDestroy(&l->total));
  for (Mat& m : l->parts) PetscCall(MatDestroy(&m));
  l->parts.clear();
  PetscFunctionReturn(0);
}

PetscErrorCode TraceCovectorsCreate(Mat layout_of, const std::vector<const CsrMatrix*>& ops,
                                    std::vector<Vec>* out) {
  PetscFunctionBeginUser;
  PetscInt rstart, rend, nglob;
  PetscCall(MatGetOwnershipRange(layout_of, &rstart, &rend));
  PetscCall(MatGetSize(layout_of, &nglob, nullptr));
  index_t d = 0;
  while (d * d < nglob) ++d;
  for (const CsrMatrix* x : ops) {
    Vec w;
    PetscCall(MatCreateVecs(layout_of, &w, nullptr));
    PetscCall(VecSet(w, 0.0));
    PetscScalar* a;
    PetscCall(VecGetArray(w, &a));
    // tr(X rho) = sum_ij X_ji rho_ij: the owned columns j of rho need rows j of X.
    for (index_t j = rstart / d; j < rend / d; ++j)
      for (index_t p = x->rowptr()[j]; p < x->rowptr()[j + 1]; ++p)
        a[d * j + x->colind()[p] - rstart] = std::conj(x->values()[p]);
    PetscCall(VecRestoreArray(w, &a));
    out->push_back(w);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VecsDestroy(std::vector<Vec>* vs) {
  PetscFunctionBeginUser;
  for (Vec& v : *vs) PetscCall(VecDestroy(&v));
  vs->clear();
  PetscFunctionReturn(0);
}

}  // namespace qcoll

#include "qcoll/superop/structure.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>

namespace qcoll {
namespace {

class UnionFind {
 public:
  explicit UnionFind(index_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  index_t find(index_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void join(index_t a, index_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<index_t> parent_;
};

void join_entries(const CsrMatrix& m, UnionFind* uf) {
  for (index_t i = 0; i < m.rows(); ++i)
    for (index_t p = m.rowptr()[i]; p < m.rowptr()[i + 1]; ++p)
      if (m.values()[p] != 0.0) uf->join(i, m.colind()[p]);
}

// Component transitions (from, to) of an operator M acting from the left:
// M_ik != 0 sends component(k) to component(i).
std::set<std::pair<int, int>> left_transitions(const CsrMatrix& m, const std::vector<int>& comp) {
  std::set<std::pair<int, int>> t;
  for (index_t i = 0; i < m.rows(); ++i)
    for (index_t p = m.rowptr()[i]; p < m.rowptr()[i + 1]; ++p)
      if (m.values()[p] != 0.0) t.insert({comp[m.colind()[p]], comp[i]});
  return t;
}

// ... of an operator R acting from the right (X R): R_nk != 0 sends the
// column component(n) to component(k).
std::set<std::pair<int, int>> right_transitions(const CsrMatrix& r, const std::vector<int>& comp) {
  std::set<std::pair<int, int>> t;
  for (index_t n = 0; n < r.rows(); ++n)
    for (index_t p = r.rowptr()[n]; p < r.rowptr()[n + 1]; ++p)
      if (r.values()[p] != 0.0) t.insert({comp[n], comp[r.colind()[p]]});
  return t;
}

}  // namespace

OneSidedPart one_sided_part(index_t d, const SuperOperatorTerms& terms) {
  std::vector<CsrMatrix> left{CsrMatrix(d, d)}, right{CsrMatrix(d, d)};
  for (const SandwichTerm& t : terms) {
    if (t.coef == 0.0) continue;
    if (!t.right) {
      left.push_back(t.coef * (t.left ? *t.left : CsrMatrix::identity(d)));
    } else if (!t.left) {
      right.push_back(t.coef * *t.right);
    }
  }
  return {sum(left), sum(right)};
}

index_t BlockStructure::reduced_dimension() const {
  index_t n = 0;
  for (int a = 0; a < count; ++a)
    for (int b = 0; b < count; ++b)
      if (block(a, b)) n += size[a] * size[b];
  return n;
}

namespace {

// Component transitions of each jump term, from its left and right factor.
struct Jump {
  std::vector<std::vector<int>> left, right;  // per component: the components it goes to
};

std::vector<Jump> jump_transitions(const BlockStructure& b, const SuperOperatorTerms& terms) {
  std::vector<Jump> jumps;
  for (const SandwichTerm& t : terms) {
    if (t.coef == 0.0 || !t.left || !t.right) continue;
    Jump j{std::vector<std::vector<int>>(b.count), std::vector<std::vector<int>>(b.count)};
    for (const auto& [from, to] : left_transitions(*t.left, b.component))
      j.left[from].push_back(to);
    for (const auto& [from, to] : right_transitions(*t.right, b.component))
      j.right[from].push_back(to);
    jumps.push_back(std::move(j));
  }
  return jumps;
}

// Components of the one-sided part; no blocks reached yet.
BlockStructure components(index_t d, const SuperOperatorTerms& terms) {
  const OneSidedPart s = one_sided_part(d, terms);
  UnionFind uf(d);
  join_entries(s.left, &uf);
  join_entries(s.right, &uf);
  BlockStructure out;
  out.d = d;
  out.component.assign(d, -1);
  std::vector<int> label(d, -1);
  for (index_t i = 0; i < d; ++i) {
    const index_t root = uf.find(i);
    if (label[root] < 0) label[root] = out.count++;
    out.component[i] = label[root];
  }
  out.size.assign(out.count, 0);
  for (int c : out.component) ++out.size[c];
  return out;
}

void reach_from_diagonal(const std::vector<Jump>& jumps, BlockStructure* out) {
  out->reached.assign(static_cast<size_t>(out->count) * out->count, 0);
  std::vector<std::pair<int, int>> stack;
  auto visit = [&](int a, int b) {
    unsigned char& r = out->reached[static_cast<size_t>(a) * out->count + b];
    if (!r) {
      r = 1;
      stack.push_back({a, b});
    }
  };
  // Reachable from the diagonal blocks, closed under (a, b) -> (b, a).
  for (int a = 0; a < out->count; ++a) visit(a, a);
  while (!stack.empty()) {
    const auto [a, b] = stack.back();
    stack.pop_back();
    visit(b, a);
    for (const Jump& j : jumps)
      for (int a2 : j.left[a])
        for (int b2 : j.right[b]) visit(a2, b2);
  }
}

}  // namespace

BlockStructure steady_block_structure(index_t d, const SuperOperatorTerms& terms) {
  BlockStructure out = components(d, terms);
  reach_from_diagonal(jump_transitions(out, terms), &out);
  return out;
}

BlockStructure BlockClasses::class_blocks(const std::vector<int>& classes) const {
  BlockStructure out = blocks;
  std::vector<unsigned char> in(count, 0);
  for (int c : classes) in[c] = 1;
  for (size_t k = 0; k < out.reached.size(); ++k) out.reached[k] = in[class_of[k]];
  return out;
}

BlockClasses block_classes(index_t d, const SuperOperatorTerms& terms) {
  BlockClasses out;
  out.blocks = components(d, terms);
  const std::vector<Jump> jumps = jump_transitions(out.blocks, terms);
  reach_from_diagonal(jumps, &out.blocks);
  const int n = out.blocks.count;
  const auto at = [n](int a, int b) { return static_cast<index_t>(a) * n + b; };
  // Connected components of the jump graph on the blocks outside class 0.
  UnionFind uf(static_cast<index_t>(n) * n);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      if (out.blocks.block(a, b)) continue;
      for (const Jump& j : jumps)
        for (int a2 : j.left[a])
          for (int b2 : j.right[b])
            if (!out.blocks.block(a2, b2)) uf.join(at(a, b), at(a2, b2));
    }
  out.class_of.assign(static_cast<size_t>(n) * n, -1);
  std::vector<int> label(static_cast<size_t>(n) * n, -1);
  out.count = 1;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      if (out.blocks.block(a, b)) {
        out.class_of[at(a, b)] = 0;
        continue;
      }
      const index_t root = uf.find(at(a, b));
      if (label[root] < 0) label[root] = out.count++;
      out.class_of[at(a, b)] = label[root];
    }
  out.dimension.assign(out.count, 0);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      out.dimension[out.class_of[at(a, b)]] += out.blocks.size[a] * out.blocks.size[b];
  // The transpose of a class is a class when every block's transpose lands
  // in one class and the dimensions agree.
  out.conjugate.assign(out.count, -2);
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      int& c = out.conjugate[out.class_of[at(a, b)]];
      const int t = out.class_of[at(b, a)];
      c = (c == -2 || c == t) ? t : -1;
    }
  for (int c = 0; c < out.count; ++c) {
    int& t = out.conjugate[c];
    if (t >= 0 && out.dimension[t] != out.dimension[c]) t = -1;
  }
  for (int c = 0; c < out.count; ++c)  // both ways
    if (out.conjugate[c] >= 0 && out.conjugate[out.conjugate[c]] != c) out.conjugate[c] = -1;
  return out;
}

}  // namespace qcoll

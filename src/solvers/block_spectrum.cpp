#include "qcoll/solvers/block_spectrum.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <sstream>

namespace qcoll {
namespace {

// Rates of this machine class (docs/solvers.md, "Spectrum block by block"):
// zgeev with eigenvectors ~kDenseSecondsPerCube n^3 s; the slow stage of a
// large class ~kSlowSecondsPerEntry per entry of rho and wanted eigenvalue.
constexpr double kDenseSecondsPerCube = 4e-9;
constexpr double kSlowSecondsPerEntry = 1.4e-2;

struct Part {
  SpectrumResult result;
  bool conjugates = false;
};

std::string list_dimensions(const BlockClasses& c) {
  std::vector<index_t> dims = c.dimension;
  std::ostringstream s;
  s << dims[0] << " (steady)";
  std::vector<index_t> rest(dims.begin() + 1, dims.end());
  std::sort(rest.rbegin(), rest.rend());
  for (size_t k = 0; k < rest.size(); ++k) {
    if (k == 10) {
      s << ", ... (" << rest.size() - 10 << " more)";
      break;
    }
    s << ", " << rest[k];
  }
  return s.str();
}

SpectrumResult merge(const std::vector<Part>& parts, index_t nev) {
  SpectrumResult out;
  for (const Part& p : parts) out.scale = std::max(out.scale, p.result.scale);
  for (const Part& p : parts)
    out.zero_threshold = std::max(out.zero_threshold, p.result.zero_threshold);
  const double tie = 1e-9 * (out.scale > 0 ? out.scale : 1.0);
  struct Value {
    cplx z;
    double residual;
  };
  std::vector<Value> all;
  std::vector<cplx> near;
  for (const Part& p : parts) {
    const SpectrumResult& r = p.result;
    for (size_t k = 0; k < r.eigenvalues.size(); ++k) {
      all.push_back({r.eigenvalues[k], r.residuals[k]});
      if (p.conjugates) all.push_back({std::conj(r.eigenvalues[k]), r.residuals[k]});
    }
    for (const cplx& z : r.nearest_zero) {
      near.push_back(z);
      if (p.conjugates) near.push_back(std::conj(z));
    }
    out.zero_count += r.zero_count * (p.conjugates ? 2 : 1);
    out.iterations += r.iterations;
    out.operator_applications += r.operator_applications;
    out.exp_time = std::max(out.exp_time, r.exp_time);
  }
  std::stable_sort(all.begin(), all.end(),
                   [tie](const Value& a, const Value& b) { return slower(a.z, b.z, tie); });
  all.resize(std::min<size_t>(all.size(), static_cast<size_t>(nev)));
  for (const Value& v : all) out.eigenvalues.push_back(v.z);
  conjugate_complete(&out.eigenvalues, tie);
  for (const Value& v : all) out.residuals.push_back(v.residual);
  std::stable_sort(near.begin(), near.end(), [tie](const cplx& a, const cplx& b) {
    if (std::abs(std::abs(a) - std::abs(b)) > tie) return std::abs(a) < std::abs(b);
    if (std::abs(a.real() - b.real()) > tie) return a.real() < b.real();
    return a.imag() < b.imag();
  });
  near.resize(std::min<size_t>(near.size(), std::max<size_t>(static_cast<size_t>(nev), 6)));
  out.nearest_zero = near;
  out.gap = spectral_gap(out.eigenvalues, out.zero_threshold);
  return out;
}

}  // namespace

std::string BlockSpectrumPlan::summary() const {
  int dense = 0, large = 0, given = 0;
  for (const ClassSolve& s : solves) (s.given ? given : s.dense ? dense : large) += 1;
  std::ostringstream o;
  o << classes << " classes of blocks of rho, " << solves.size()
    << " solves (one class of each conjugate pair; " << large << " large: exp(t L) + LU, " << dense
    << " dense batches" << (given ? ", the steady class from the steady solve" : "") << ")";
  return o.str();
}

BlockSpectrumPlan plan_block_spectrum(const BlockClasses& classes, const SpectrumOptions& options,
                                      bool steady_given) {
  BlockSpectrumPlan plan;
  plan.classes = classes.count;
  const index_t dense_limit = options.allow_dense ? options.dense_dimension : 0;
  // Dense batches: self-conjugate classes, and representatives of pairs.
  ClassSolve batch[2];
  auto flush = [&](ClassSolve* b) {
    if (!b->classes.empty()) plan.solves.push_back(*b);
    b->classes.clear();
    b->dimension = 0;
  };
  for (int c = 0; c < classes.count; ++c) {
    const int t = classes.conjugate[c];
    if (t >= 0 && t < c) continue;  // its partner is computed
    const bool pair = t >= 0 && t != c;
    const index_t n = classes.dimension[c];
    if (c == 0 && steady_given) {
      plan.solves.push_back({{0}, n, false, false, true});
      continue;
    }
    if (n > dense_limit && n > options.nev + 1) {
      plan.solves.push_back({{c}, n, pair, false, false});
      continue;
    }
    ClassSolve& b = batch[pair ? 1 : 0];
    if (b.dimension > 0 && b.dimension + n > std::max(dense_limit, n)) flush(&b);
    b.classes.push_back(c);
    b.dimension += n;
    b.conjugates = pair;
    b.dense = true;
  }
  flush(&batch[0]);
  flush(&batch[1]);
  std::stable_sort(
      plan.solves.begin(), plan.solves.end(),
      [](const ClassSolve& a, const ClassSolve& b) { return a.dimension > b.dimension; });
  return plan;
}

PetscErrorCode EstimateBlockSpectrum(MPI_Comm comm, const BlockClasses& classes,
                                     const ClassAssembler& assemble, const SpectrumOptions& options,
                                     bool largest_only, BlockSpectrumPlan* plan) {
  PetscFunctionBeginUser;
  int size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(AvailableMemory(comm, options.prefix + "near_", &plan->available));
  plan->bytes = plan->seconds = 0;
  bool large_done = false;
  for (ClassSolve& s : plan->solves) {
    const double n = static_cast<double>(s.dimension);
    const double nev = static_cast<double>(std::min<index_t>(options.nev, s.dimension));
    if (s.given) {  // the steady solve's own factorisation: its slow stage only
      s.bytes = 0;
      s.seconds = kSlowSecondsPerEntry * n * nev / size;
    } else if (s.dense) {  // every rank holds the matrix, a copy and the eigenvectors
      s.bytes = 3.0 * 16.0 * n * n;
      s.seconds = kDenseSecondsPerCube * n * n * n;
    } else if (!(largest_only && large_done)) {
      large_done = true;
      ReducedSpace space;
      PetscCall(space.Setup(comm, classes.class_blocks(s.classes),
                            column_layout(comm, classes.blocks.d)));
      Liouvillian L;
      PetscCall(assemble(space, &L));
      double flops = 0;
      PetscCall(EstimateFactorMemory(L.total, options.prefix + "near_", plan->available, &s.bytes,
                                     &flops));
      PetscCall(LiouvillianDestroy(&L));
      // LU (MUMPS, ~4 GFlop/s per rank, as the steady plan) and the slow stage.
      s.seconds = flops / 4e9 + 0.2 + kSlowSecondsPerEntry * n * nev / size;
    }
    plan->bytes = std::max(plan->bytes, s.bytes);
    plan->seconds += s.seconds;
  }
  plan->estimated = true;
  PetscFunctionReturn(0);
}

SpectrumPlan spectrum_plan(const BlockClasses& classes, const BlockSpectrumPlan& plan) {
  SpectrumPlan out;
  out.method = "block by block: " + plan.summary() + "; dimensions " + list_dimensions(classes);
  out.bytes = plan.bytes;
  out.seconds = plan.seconds;
  out.available = plan.available;
  return out;
}

PetscErrorCode PlanFullSpectrum(Mat L, const SpectrumOptions& options, bool shared,
                                SpectrumPlan* plan) {
  PetscFunctionBeginUser;
  MPI_Comm comm = PetscObjectComm(reinterpret_cast<PetscObject>(L));
  int size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscInt n;
  PetscCall(MatGetSize(L, &n, nullptr));
  const double nn = static_cast<double>(n);
  const double nev = static_cast<double>(std::min<index_t>(options.nev, n));
  PetscCall(AvailableMemory(comm, options.prefix + "near_", &plan->available));
  if (options.allow_dense && n <= static_cast<PetscInt>(options.dense_dimension)) {
    plan->method = "all of L, dense (" + std::to_string(n) + " eigenvalues, LAPACK zgeev)";
    plan->bytes = 3.0 * 16.0 * nn * nn;
    plan->seconds = kDenseSecondsPerCube * nn * nn * nn;
  } else if (shared) {
    plan->method =
        "all of L: exp(t L) + Rayleigh-Ritz, near-zero stage from the steady "
        "state's factorisation";
    plan->bytes = 0;
    plan->seconds = kSlowSecondsPerEntry * nn * nev / size;
  } else {
    double flops = 0;
    PetscCall(
        EstimateFactorMemory(L, options.prefix + "near_", plan->available, &plan->bytes, &flops));
    plan->method = "all of L: exp(t L) + Rayleigh-Ritz, near-zero stage by an LU of L - sigma";
    plan->seconds = flops / 4e9 + 0.2 + kSlowSecondsPerEntry * nn * nev / size;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SolveBlockSpectrum(MPI_Comm comm, const BlockClasses& classes,
                                  const ClassAssembler& assemble, const SpectrumOptions& options,
                                  const SpectrumResult* steady_class, SpectrumResult* out) {
  PetscFunctionBeginUser;
  const auto start = std::chrono::steady_clock::now();
  const BlockSpectrumPlan plan = plan_block_spectrum(classes, options, steady_class != nullptr);
  // Dense solves hold the whole matrix on every rank: refused up front when
  // that does not fit (a huge nev makes a large class dense).
  double available = 0;
  PetscCall(AvailableMemory(comm, options.prefix + "near_", &available));
  for (const ClassSolve& s : plan.solves) {
    const double need = 3.0 * 16.0 * static_cast<double>(s.dimension) * s.dimension;
    PetscCheck(!s.dense || need <= available, comm, PETSC_ERR_USER_INPUT,
               "nev = %d: the spectrum's class of %lld entries would be diagonalised densely "
               "(it has at most nev + 1), about %.3g MB per rank, but %.3g MB are available: "
               "use a smaller nev ([steady] nev or -%seps_nev)",
               static_cast<int>(options.nev), static_cast<long long>(s.dimension), need / 1048576.0,
               available / 1048576.0, options.prefix.c_str());
  }
  std::vector<Part> parts;
  std::ostringstream how;
  how.precision(4);
  int k = 0;
  for (const ClassSolve& s : plan.solves) {
    ++k;
    Part part;
    part.conjugates = s.conjugates;
    if (s.given) {
      part.result = *steady_class;
      how << "; steady class (" << s.dimension << "): the steady state's factorisation";
      parts.push_back(part);
      continue;
    }
    if (options.verbose && !s.dense)
      PetscCall(PetscPrintf(comm, "spectrum: class %d of %d solves, %lld entries of rho\n", k,
                            static_cast<int>(plan.solves.size()),
                            static_cast<long long>(s.dimension)));
    ReducedSpace space;
    PetscCall(
        space.Setup(comm, classes.class_blocks(s.classes), column_layout(comm, classes.blocks.d)));
    Liouvillian L;
    PetscCall(assemble(space, &L));
    SpectrumOptions so = options;
    so.nev = std::min<index_t>(options.nev, s.dimension);
    if (s.dense) {
      so.allow_dense = true;
      so.dense_dimension = std::max<index_t>(options.dense_dimension, s.dimension);
    }
    SpectrumSolver solver;
    PetscCall(solver.Setup(L.total, so));
    PetscCall(solver.Solve(&part.result));
    PetscCall(LiouvillianDestroy(&L));
    if (s.dense) {
      how << "; " << s.classes.size() << (s.classes.size() == 1 ? " class" : " classes") << " ("
          << s.dimension << " entries) dense";
    } else {
      how << "; class of " << s.dimension << ": exp(t L) t = " << part.result.exp_time << ", "
          << part.result.iterations << " iterations";
    }
    parts.push_back(part);
  }
  *out = merge(parts, std::min<index_t>(options.nev, classes.blocks.d * classes.blocks.d));
  std::ostringstream searched;
  searched << "the " << out->eigenvalues.size()
           << " eigenvalues of L with the largest real part (slowest decay), block by block: "
           << classes.count << " invariant classes of blocks of rho, dimensions "
           << list_dimensions(classes) << "; " << plan.solves.size()
           << " solves (one class of each conjugate pair, its eigenvalues conjugated for the "
              "other)"
           << how.str();
  out->searched = searched.str();
  out->wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  PetscFunctionReturn(0);
}

}  // namespace qcoll

// The options no solver read, named at the end of a run with a suggestion:
// a near miss of an option qcoll's solvers read, or its prefixed form.
#include <algorithm>
#include <set>

#include "qcoll/io/petsc_options.hpp"

namespace qcoll {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = text.find_first_not_of(' ', i)) != std::string::npos) {
    const std::size_t j = std::min(text.find(' ', i), text.size());
    out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

// Option names qcoll's solvers read, by family, and the prefixes they read
// them under (docs/solvers.md). Used only to suggest, never to refuse.
const std::vector<std::string>& known_bases() {
  static const std::vector<std::string> bases = words(
      "ts_type ts_rk_type ts_adapt_type ts_adapt_clip ts_adapt_safety ts_adapt_dt_min "
      "ts_adapt_dt_max ts_max_steps ts_max_time ts_dt ts_rtol ts_atol ts_monitor "
      "ts_view ts_exact_final_time ts_arkimex_type ts_bdf_order ts_theta_theta "
      "ts_max_reject ts_max_snes_failures ksp_type ksp_rtol ksp_atol ksp_max_it "
      "ksp_monitor ksp_monitor_true_residual ksp_view ksp_converged_reason "
      "ksp_gmres_restart ksp_pc_side ksp_norm_type pc_type pc_factor_mat_solver_type "
      "pc_factor_levels pc_asm_overlap pc_damping sub_pc_type sub_pc_factor_levels "
      "sub_ksp_type mat_mumps_icntl_4 mat_mumps_icntl_7 mat_mumps_icntl_14 "
      "mat_mumps_icntl_23 mat_superlu_dist_replacetinypivot snes_type snes_rtol "
      "snes_atol snes_max_it snes_monitor eps_type eps_nev eps_ncv eps_mpd eps_tol "
      "eps_max_it eps_monitor eps_view eps_target eps_converged_reason "
      "eps_largest_real st_type st_shift st_ksp_type st_pc_type "
      "st_pc_factor_mat_solver_type mfn_type mfn_tol mfn_ncv mfn_max_it mfn_monitor "
      "mfn_view mfn_converged_reason fn_type zero_tol check_unique memory_limit ");
  return bases;
}

const std::vector<std::string>& global_options() {
  static const std::vector<std::string> globals = words(
      "log_view log_trace info malloc_debug malloc_dump memory_view options_left "
      "options_view options_monitor help version on_error_abort fp_trap history "
      "qcoll_matrix_free vec_type mat_type ");
  return globals;
}

struct PrefixFamilies {
  const char* prefix;
  std::vector<std::string> families;  // leading parts of the option names read with the prefix
};

const std::vector<PrefixFamilies>& prefixes() {
  static const std::vector<PrefixFamilies> table{
      {"", {"ts_", "ksp_", "pc_", "sub_", "mat_", "snes_", "mfn_", "fn_"}},
      {"steady_",
       {"ksp_", "pc_", "sub_", "mat_", "ts_", "snes_", "zero_tol", "check_unique", "memory_limit"}},
      {"spectrum_", {"eps_", "st_", "zero_tol"}},
      {"spectrum_near_", {"eps_", "st_"}},
      {"steady_near_", {"eps_", "st_"}},
      {"spectrum_exp_", {"mfn_", "fn_"}},
      {"steady_exp_", {"mfn_", "fn_"}},
      {"collide_", {"mfn_", "fn_"}}};
  return table;
}

bool in_family(const std::string& base, const std::vector<std::string>& families) {
  for (const std::string& f : families)
    if (base.compare(0, f.size(), f) == 0) return true;
  return false;
}

// Every option name (prefix + base) qcoll's solvers read.
const std::set<std::string>& known_options() {
  static const std::set<std::string> known = [] {
    std::set<std::string> out(global_options().begin(), global_options().end());
    for (const PrefixFamilies& p : prefixes())
      for (const std::string& base : known_bases())
        if (in_family(base, p.families)) out.insert(p.prefix + base);
    return out;
  }();
  return known;
}

// The closest known option within a few edits, or "".
std::string near_miss(const std::string& name) {
  const std::size_t allowed = name.size() <= 4 ? 1 : name.size() <= 12 ? 2 : 3;
  std::string best;
  std::size_t best_distance = allowed + 1;
  for (const std::string& k : known_options()) {
    const std::size_t d = edit_distance(name, k);
    if (d < best_distance) {
      best_distance = d;
      best = k;
    }
  }
  return best;
}

// The prefixed forms under which qcoll's solvers read the unprefixed `name`.
std::vector<std::string> prefixed_forms(const std::string& name) {
  std::vector<std::string> out;
  for (const PrefixFamilies& p : prefixes())
    if (*p.prefix && in_family(name, p.families)) out.push_back("-" + std::string(p.prefix) + name);
  return out;
}

std::string suggestion(const std::string& name) {
  const auto& bases = known_bases();
  const bool base = std::find(bases.begin(), bases.end(), name) != bases.end();
  if (known_options().count(name) || base) {
    // A real option, not read by this run: say where qcoll reads it.
    const std::vector<std::string> forms = prefixed_forms(name);
    std::string text = " (no solver of this task and method reads it";
    if (forms.empty()) return text + ")";
    text += "; qcoll's solvers read " + forms[0];
    for (std::size_t k = 1; k < forms.size(); ++k)
      text += (k + 1 == forms.size() ? " or " : ", ") + forms[k];
    return text + ")";
  }
  const std::string near = near_miss(name);
  return near.empty() ? " (no solver reads an option of that name)"
                      : " (did you mean -" + near + "?)";
}

}  // namespace

std::size_t edit_distance(const std::string& a, const std::string& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

std::string unused_options_note(const std::vector<std::string>& user,
                                const std::vector<std::string>& unused) {
  // Read by PetscFinalize, after this note: not unused.
  static const std::set<std::string> at_finalize{"options_left", "options_view", "options_view_all",
                                                 "malloc_info",  "malloc_view",  "objects_dump",
                                                 "memory_view"};
  std::set<std::string> left;
  for (const std::string& u : unused)
    if (!at_finalize.count(petsc_option_name(u))) left.insert(petsc_option_name(u));
  std::set<std::string> reported;
  std::string note;
  for (const std::string& name : user) {
    if (!left.count(name) || !reported.insert(name).second) continue;
    note += "qcoll: note: the PETSc option -" + name + " was not used by this run" +
            suggestion(name) + "\n";
  }
  return note;
}

PetscErrorCode PetscUnusedOptionNames(std::vector<std::string>* names) {
  PetscFunctionBeginUser;
  PetscInt n = 0;
  char** left = nullptr;
  char** values = nullptr;
  PetscCall(PetscOptionsLeftGet(nullptr, &n, &left, &values));
  names->clear();
  for (PetscInt k = 0; k < n; ++k) PetscCallCXX(names->push_back(left[k] ? left[k] : ""));
  PetscCall(PetscOptionsLeftRestore(nullptr, &n, &left, &values));
  PetscFunctionReturn(0);
}

}  // namespace qcoll

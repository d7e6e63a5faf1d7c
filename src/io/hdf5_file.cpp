// Parallel HDF5 file layer (HDF5 C API, MPI-IO driver). See hdf5_file.hpp for
// the conventions; the notes here are about how collectivity is kept.
//
// Every writer first checks with one MPI_Allreduce that all ranks make the
// same call (hash of path, shape, description) with data that fits, then does
// the HDF5 metadata operation (identical on all ranks) and the collective
// H5Dwrite, checking success collectively after each step. Any failure is
// therefore reported as the same std::runtime_error on every rank instead of
// leaving some ranks waiting in a collective call.
#include "qcoll/io/hdf5_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace qcoll {

namespace {

// Owns an HDF5 identifier and closes it with the matching H5?close.
class H5Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  H5Handle() = default;
  H5Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  ~H5Handle() { reset(); }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  H5Handle(H5Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = -1; }
  H5Handle& operator=(H5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, -1);
      closer_ = other.closer_;
    }
    return *this;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  // Gives up ownership without closing.
  hid_t release() { return std::exchange(id_, -1); }
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) closer_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer closer_ = nullptr;
};

H5Handle type_handle(hid_t id) {
  return H5Handle(id, H5Tclose);
}
H5Handle space_handle(hid_t id) {
  return H5Handle(id, H5Sclose);
}
H5Handle dataset_handle(hid_t id) {
  return H5Handle(id, H5Dclose);
}
H5Handle plist_handle(hid_t id) {
  return H5Handle(id, H5Pclose);
}
H5Handle object_handle(hid_t id) {
  return H5Handle(id, H5Oclose);
}
H5Handle attribute_handle(hid_t id) {
  return H5Handle(id, H5Aclose);
}
H5Handle group_handle(hid_t id) {
  return H5Handle(id, H5Gclose);
}

herr_t innermost_error(unsigned n, const H5E_error2_t* err, void* data) {
  if (n == 0 && err != nullptr && err->desc != nullptr) {
    *static_cast<std::string*>(data) = err->desc;
  }
  return 0;
}

// The innermost message of HDF5's error stack (the stack is then cleared).
bool g_write_failed = false;  // hdf5_write_failed()

std::string hdf5_reason() {
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_error, &reason);
  H5Eclear2(H5E_DEFAULT);
  return reason.empty() ? std::string("HDF5 library error") : "HDF5: " + reason;
}

// "/a//b/" -> {"a", "b"}.
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : path) {
    if (c == '/') {
      if (!part.empty()) parts.push_back(std::move(part));
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) parts.push_back(std::move(part));
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, std::size_t n) {
  std::string out;
  for (std::size_t k = 0; k < n; ++k) out += "/" + parts[k];
  return out.empty() ? std::string("/") : out;
}

// Canonical absolute form: "evolve/t/" -> "/evolve/t".
std::string normalize(const std::string& path) {
  const auto parts = split_path(path);
  return join_path(parts, parts.size());
}

std::string parent_of(const std::string& normalized) {
  const auto parts = split_path(normalized);
  return parts.empty() ? std::string("/") : join_path(parts, parts.size() - 1);
}

std::string shape_string(const std::vector<hsize_t>& shape) {
  std::ostringstream out;
  out << "[";
  for (std::size_t k = 0; k < shape.size(); ++k) out << (k ? "," : "") << shape[k];
  out << "]";
  return out.str();
}

hsize_t element_count(const std::vector<hsize_t>& shape) {
  hsize_t n = 1;
  for (hsize_t s : shape) n *= s;
  return n;
}

std::string bcast_string(std::string value, int root, MPI_Comm comm) {
  unsigned long long n = value.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, root, comm);
  value.resize(n);
  if (n > 0) MPI_Bcast(value.data(), static_cast<int>(n), MPI_CHAR, root, comm);
  return value;
}

// {r: float64, i: float64}; with H5T_NATIVE_DOUBLE members it is the memory
// layout of std::complex<double>, with H5T_IEEE_F64LE the on-disk type.
H5Handle complex_type(hid_t member) {
  static_assert(sizeof(cplx) == 2 * sizeof(double), "std::complex<double> layout");
  H5Handle type = type_handle(H5Tcreate(H5T_COMPOUND, sizeof(cplx)));
  H5Tinsert(type.get(), "r", 0, member);
  H5Tinsert(type.get(), "i", sizeof(double), member);
  return type;
}

H5Handle vlen_utf8_type() {
  H5Handle type = type_handle(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), H5T_VARIABLE);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

H5Handle fixed_utf8_type(std::size_t length) {
  H5Handle type = type_handle(H5Tcopy(H5T_C_S1));
  H5Tset_size(type.get(), std::max<std::size_t>(length, 1));
  H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

H5Handle collective_transfer() {
  H5Handle dxpl = plist_handle(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  return dxpl;
}

// A fixed-length string of `size` bytes from a buffer: up to the first NUL
// (NULLTERM / NULLPAD) or without trailing blanks (SPACEPAD).
std::string fixed_string(const char* buf, std::size_t size, H5T_str_t pad) {
  std::string s(buf, size);
  if (pad == H5T_STR_SPACEPAD) {
    const auto end = s.find_last_not_of(' ');
    s.erase(end == std::string::npos ? 0 : end + 1);
  } else {
    const auto nul = s.find('\0');
    if (nul != std::string::npos) s.erase(nul);
  }
  return s;
}

// A reason why `path` cannot be created/opened, from the file system's view;
// empty if nothing obvious is wrong.
std::string filesystem_reason(const std::string& path, bool create) {
  const auto slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? std::string(".") : (slash == 0 ? "/" : path.substr(0, slash));
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) return "directory '" + dir + "' does not exist";
  if (!S_ISDIR(st.st_mode)) return "'" + dir + "' is not a directory";
  const bool file_exists = stat(path.c_str(), &st) == 0;
  if (create) {
    if (file_exists && S_ISDIR(st.st_mode)) return "the path is a directory";
    if (file_exists && access(path.c_str(), W_OK) != 0) return "the file is not writable";
    if (!file_exists && access(dir.c_str(), W_OK) != 0)
      return "directory '" + dir + "' is not writable";
  } else {
    if (!file_exists) return "the file does not exist";
    if (access(path.c_str(), R_OK | W_OK) != 0) return "the file is not readable and writable";
  }
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------
// Open / close and collective checks

Hdf5File::Hdf5File(const std::string& path, MPI_Comm comm, Mode mode) : comm_(comm), path_(path) {
  MPI_Comm_rank(comm_, &rank_);
  // Failures are reported as exceptions; never print HDF5 error stacks.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const std::string what = mode == Mode::Create ? "cannot create file" : "cannot open file";
  agree(true, {}, what, "open " + path + (mode == Mode::Create ? " create" : " append"));

  H5Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS));
  bool ok = fapl.valid() && H5Pset_fapl_mpio(fapl.get(), comm_, MPI_INFO_NULL) >= 0 &&
            H5Pset_coll_metadata_write(fapl.get(), 1) >= 0;
  hid_t file = -1;
  if (ok) {
    file = mode == Mode::Create ? H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get())
                                : H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get());
  }
  std::string reason;
  if (file < 0) {
    const std::string library = hdf5_reason();
    reason = filesystem_reason(path, mode == Mode::Create);
    if (reason.empty() && library.find("signature not found") != std::string::npos) {
      reason = "not an HDF5 file";
    }
    if (reason.empty()) reason = library;
  }
  // If only some ranks opened the file (which MPI-IO's collective open should
  // prevent), their handles are left open: closing would be a collective
  // call the failed ranks cannot join.
  agree(file >= 0, reason, what, {});
  file_ = file;
}

Hdf5File::~Hdf5File() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;  // closing needs MPI; nothing can be done now
  try {
    close();
  } catch (...) {
    // Destructors must not throw; close() errors are reported when close()
    // is called explicitly.
  }
}

void Hdf5File::close() {
  if (file_ < 0) return;
  const herr_t status = H5Fclose(file_);
  file_ = -1;
  if (status < 0) g_write_failed = true;
  const std::string reason = status < 0 ? hdf5_reason() : std::string();
  agree(status >= 0, reason, "cannot close file", {});
}

void Hdf5File::flush() {
  require_open("cannot flush");
  const herr_t status = H5Fflush(file_, H5F_SCOPE_GLOBAL);
  if (status < 0) g_write_failed = true;
  const std::string reason = status < 0 ? hdf5_reason() : std::string();
  agree(status >= 0, reason, "cannot flush file", {});
}

void Hdf5File::agree(bool ok, const std::string& local_reason, const std::string& what,
                     const std::string& signature) const {
  int size = 1;
  MPI_Comm_size(comm_, &size);
  const long long hash =
      static_cast<long long>(std::hash<std::string>{}(signature) & ((1ULL << 62) - 1));
  long long in[3] = {ok ? size : rank_, hash, -hash};
  long long out[3] = {0, 0, 0};
  MPI_Allreduce(in, out, 3, MPI_LONG_LONG, MPI_MIN, comm_);
  if (out[1] != -out[2]) {
    fail(what,
         "the ranks made different calls (a collective call needs identical path, shape "
         "and description on every rank)");
  }
  if (out[0] < size) {
    const int failed = static_cast<int>(out[0]);
    std::string reason = bcast_string(local_reason, failed, comm_);
    if (failed != 0) reason += " (on rank " + std::to_string(failed) + ")";
    fail(what, reason);
  }
}

void Hdf5File::fail(const std::string& what, const std::string& reason) const {
  throw std::runtime_error("HDF5 file '" + path_ + "': " + what + ": " + reason);
}

void Hdf5File::require_open(const std::string& what) const {
  if (file_ < 0) fail(what, "the file is closed");
}

// ---------------------------------------------------------------------------
// Groups and paths

void Hdf5File::ensure_group(const std::string& path) {
  const std::string group = normalize(path);
  const std::string what = "cannot create group '" + group + "'";
  require_open(what);
  agree(true, {}, what, "group " + group);
  const auto parts = split_path(group);
  bool ok = true;
  std::string reason;
  for (std::size_t n = 1; n <= parts.size() && ok; ++n) {
    const std::string prefix = join_path(parts, n);
    const htri_t present = H5Lexists(file_, prefix.c_str(), H5P_DEFAULT);
    if (present < 0) {
      ok = false;
      reason = "cannot look up '" + prefix + "' (" + hdf5_reason() + ")";
    } else if (present > 0) {
      H5Handle g = group_handle(H5Gopen2(file_, prefix.c_str(), H5P_DEFAULT));
      if (!g.valid()) {
        H5Eclear2(H5E_DEFAULT);
        ok = false;
        reason = "'" + prefix + "' exists and is not a group";
      }
    } else {
      H5Handle g =
          group_handle(H5Gcreate2(file_, prefix.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      if (!g.valid()) {
        ok = false;
        reason = hdf5_reason();
      }
    }
  }
  agree(ok, reason, what, {});
}

bool Hdf5File::exists(const std::string& path) const {
  require_open("cannot look up '" + path + "'");
  const auto parts = split_path(path);
  for (std::size_t n = 1; n <= parts.size(); ++n) {
    const std::string prefix = join_path(parts, n);
    if (H5Lexists(file_, prefix.c_str(), H5P_DEFAULT) <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return false;
    }
  }
  if (parts.empty()) return true;
  const htri_t resolves = H5Oexists_by_name(file_, normalize(path).c_str(), H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return resolves > 0;
}

std::vector<hsize_t> Hdf5File::dataset_dims(hid_t dset, const std::string& path) const {
  H5Handle space = space_handle(H5Dget_space(dset));
  const int ndims = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
  if (ndims < 0) fail("cannot read the shape of '" + path + "'", hdf5_reason());
  std::vector<hsize_t> dims(static_cast<std::size_t>(ndims));
  if (ndims > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::vector<hsize_t> Hdf5File::shape(const std::string& path) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read the shape of '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  return dataset_dims(dset.get(), name);
}

// ---------------------------------------------------------------------------
// Attributes

void Hdf5File::write_attribute_raw(const std::string& object, const std::string& name,
                                   hid_t file_type, hid_t mem_type, const void* value) {
  const std::string target = normalize(object);
  const std::string what = "cannot write attribute '" + name + "' on '" + target + "'";
  require_open(what);
  agree(true, {}, what, "attribute " + target + " " + name);
  bool ok = true;
  std::string reason;
  H5Handle obj = object_handle(H5Oopen(file_, target.c_str(), H5P_DEFAULT));
  if (!obj.valid()) {
    H5Eclear2(H5E_DEFAULT);
    ok = false;
    reason = "no such group or dataset";
  }
  if (ok) {
    const htri_t present = H5Aexists(obj.get(), name.c_str());
    if (present < 0 || (present > 0 && H5Adelete(obj.get(), name.c_str()) < 0)) {
      ok = false;
      reason = hdf5_reason();
    }
  }
  if (ok) {
    H5Handle space = space_handle(H5Screate(H5S_SCALAR));
    H5Handle attr = attribute_handle(
        H5Acreate2(obj.get(), name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid() || H5Awrite(attr.get(), mem_type, value) < 0) {
      ok = false;
      reason = hdf5_reason();
    }
  }
  agree(ok, reason, what, {});
}

void Hdf5File::write_attribute(const std::string& object, const std::string& name,
                               const std::string& value) {
  const std::string shared = bcast_string(value, 0, comm_);
  H5Handle type = vlen_utf8_type();
  const char* ptr = shared.c_str();
  write_attribute_raw(object, name, type.get(), type.get(), &ptr);
}

void Hdf5File::write_attribute(const std::string& object, const std::string& name, double value) {
  MPI_Bcast(&value, 1, MPI_DOUBLE, 0, comm_);
  write_attribute_raw(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

void Hdf5File::write_attribute(const std::string& object, const std::string& name,
                               long long value) {
  MPI_Bcast(&value, 1, MPI_LONG_LONG, 0, comm_);
  write_attribute_raw(object, name, H5T_STD_I64LE, H5T_NATIVE_LLONG, &value);
}

void Hdf5File::write_attribute(const std::string& object, const std::string& name, bool value) {
  std::uint8_t flag = value ? 1 : 0;
  MPI_Bcast(&flag, 1, MPI_UINT8_T, 0, comm_);
  write_attribute_raw(object, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, &flag);
}

void Hdf5File::read_attribute_raw(const std::string& object, const std::string& name,
                                  hid_t mem_type, void* value) const {
  const std::string target = normalize(object);
  const std::string what = "cannot read attribute '" + name + "' of '" + target + "'";
  require_open(what);
  H5Handle attr = attribute_handle(
      H5Aopen_by_name(file_, target.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) {
    H5Eclear2(H5E_DEFAULT);
    fail(what, "no such attribute");
  }
  if (H5Aread(attr.get(), mem_type, value) < 0) fail(what, hdf5_reason());
}

std::string Hdf5File::read_string_attribute(const std::string& object,
                                            const std::string& name) const {
  const std::string target = normalize(object);
  const std::string what = "cannot read attribute '" + name + "' of '" + target + "'";
  require_open(what);
  H5Handle attr = attribute_handle(
      H5Aopen_by_name(file_, target.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) {
    H5Eclear2(H5E_DEFAULT);
    fail(what, "no such attribute");
  }
  H5Handle type = type_handle(H5Aget_type(attr.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) fail(what, "the attribute is not a string");
  H5Handle space = space_handle(H5Aget_space(attr.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) fail(what, "the attribute is not a scalar");
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Handle mem = vlen_utf8_type();
    char* buf = nullptr;
    if (H5Aread(attr.get(), mem.get(), &buf) < 0) fail(what, hdf5_reason());
    std::string value = buf != nullptr ? buf : "";
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, &buf);
    return value;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::vector<char> buf(size);
  if (H5Aread(attr.get(), type.get(), buf.data()) < 0) fail(what, hdf5_reason());
  return fixed_string(buf.data(), size, H5Tget_strpad(type.get()));
}

double Hdf5File::read_real_attribute(const std::string& object, const std::string& name) const {
  double value = 0.0;
  read_attribute_raw(object, name, H5T_NATIVE_DOUBLE, &value);
  return value;
}

long long Hdf5File::read_int_attribute(const std::string& object, const std::string& name) const {
  long long value = 0;
  read_attribute_raw(object, name, H5T_NATIVE_LLONG, &value);
  return value;
}

// ---------------------------------------------------------------------------
// Datasets

hid_t Hdf5File::open_or_create_dataset(const std::string& path, hid_t file_type,
                                       const std::vector<hsize_t>& shape, std::string& reason) {
  const htri_t present = H5Lexists(file_, path.c_str(), H5P_DEFAULT);
  if (present < 0) {
    reason = hdf5_reason();
    return -1;
  }
  if (present > 0) {
    H5Handle dset = dataset_handle(H5Dopen2(file_, path.c_str(), H5P_DEFAULT));
    if (!dset.valid()) {
      H5Eclear2(H5E_DEFAULT);
      reason = "'" + path + "' exists and is not a dataset";
      return -1;
    }
    // Same type and shape: overwrite in place (keeps the file from growing
    // when e.g. a checkpoint is rewritten). Otherwise replace the dataset.
    H5Handle type = type_handle(H5Dget_type(dset.get()));
    H5Handle space = space_handle(H5Dget_space(dset.get()));
    const bool simple = H5Sget_simple_extent_type(space.get()) == H5S_SIMPLE;
    const bool scalar = H5Sget_simple_extent_type(space.get()) == H5S_SCALAR;
    bool same = H5Tequal(type.get(), file_type) > 0 && (shape.empty() ? scalar : simple);
    if (same && simple) {
      std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space.get())));
      H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
      same = dims == shape;
    }
    if (same) return dset.release();
    dset.reset();
    if (H5Ldelete(file_, path.c_str(), H5P_DEFAULT) < 0) {
      reason = "cannot replace the existing dataset (" + hdf5_reason() + ")";
      return -1;
    }
  }
  H5Handle space = space_handle(
      shape.empty() ? H5Screate(H5S_SCALAR)
                    : H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr));
  const hid_t dset = space.valid() ? H5Dcreate2(file_, path.c_str(), file_type, space.get(),
                                                H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)
                                   : -1;
  if (dset < 0) reason = hdf5_reason();
  return dset;
}

void Hdf5File::write_rank0(const std::string& path, const std::vector<hsize_t>& shape,
                           hid_t mem_type, hid_t file_type, const void* data, std::size_t n_local,
                           const std::string& description) {
  const std::string name = normalize(path);
  const std::string what = "cannot write dataset '" + name + "'";
  require_open(what);
  const hsize_t n = element_count(shape);
  const bool fits = rank_ == 0 ? n_local == n : (n_local == 0 || n_local == n);
  agree(fits,
        "shape " + shape_string(shape) + " needs " + std::to_string(n) + " values, got " +
            std::to_string(n_local),
        what, "dataset " + name + " " + shape_string(shape) + " " + description);
  ensure_group(parent_of(name));

  std::string reason;
  H5Handle dset = dataset_handle(open_or_create_dataset(name, file_type, shape, reason));
  agree(dset.valid(), reason, what, {});

  // Only rank 0 selects its data; the write is collective on all ranks. A
  // dataset without elements has no storage to write to (same on all ranks).
  if (n == 0) {
    dset.reset();
    write_attribute(name, "description", description);
    return;
  }
  H5Handle file_space = space_handle(H5Dget_space(dset.get()));
  H5Handle mem_space = space_handle(H5Scopy(file_space.get()));
  bool ok = file_space.valid() && mem_space.valid();
  if (ok && (rank_ != 0 || n == 0)) {
    ok = H5Sselect_none(file_space.get()) >= 0 && H5Sselect_none(mem_space.get()) >= 0;
  }
  const char dummy = 0;
  const void* buf = (rank_ == 0 && n > 0) ? data : &dummy;
  H5Handle dxpl = collective_transfer();
  if (ok) {
    ok = H5Dwrite(dset.get(), mem_type, mem_space.get(), file_space.get(), dxpl.get(), buf) >= 0;
  }
  if (!ok) g_write_failed = true;
  agree(ok, ok ? std::string() : hdf5_reason(), what, {});
  dset.reset();
  write_attribute(name, "description", description);
}

void Hdf5File::check_finite(const std::string& name, const double* values, std::size_t n,
                            std::size_t per_element, const std::string& description) const {
  if (allow_non_finite_ || description.find("NaN") != std::string::npos) return;
  std::size_t bad = n;
  for (std::size_t i = 0; i < n && bad == n; ++i)
    if (!std::isfinite(values[i])) bad = i;
  agree(bad == n,
        bad == n ? std::string()
                 : "element " + std::to_string(bad / per_element) + " is " +
                       std::to_string(values[bad]) +
                       ", not a finite number: the computation of this quantity failed, and "
                       "nothing non-finite is written as a result",
        "refused to write dataset '" + normalize(name) + "'", {});
}

void Hdf5File::write_real(const std::string& path, const std::vector<hsize_t>& shape,
                          const std::vector<double>& data, const std::string& description) {
  check_finite(path, data.data(), rank_ == 0 ? data.size() : 0, 1, description);
  write_rank0(path, shape, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data.data(), data.size(),
              description);
}

void Hdf5File::write_complex(const std::string& path, const std::vector<hsize_t>& shape,
                             const std::vector<cplx>& data, const std::string& description) {
  check_finite(path, reinterpret_cast<const double*>(data.data()), rank_ == 0 ? 2 * data.size() : 0,
               2, description);
  H5Handle mem = complex_type(H5T_NATIVE_DOUBLE);
  H5Handle file = complex_type(H5T_IEEE_F64LE);
  write_rank0(path, shape, mem.get(), file.get(), data.data(), data.size(), description);
}

void Hdf5File::write_int(const std::string& path, const std::vector<hsize_t>& shape,
                         const std::vector<long long>& data, const std::string& description) {
  write_rank0(path, shape, H5T_NATIVE_LLONG, H5T_STD_I64LE, data.data(), data.size(), description);
}

void Hdf5File::write_strings(const std::string& path, const std::vector<std::string>& data,
                             const std::string& description) {
  // Count and width come from rank 0, which holds the data to write.
  unsigned long long header[2] = {data.size(), 0};
  for (const auto& s : data) header[1] = std::max<unsigned long long>(header[1], s.size());
  MPI_Bcast(header, 2, MPI_UNSIGNED_LONG_LONG, 0, comm_);
  const std::size_t count = header[0];
  const std::size_t width = std::max<std::size_t>(header[1], 1);
  std::vector<char> buf;
  if (rank_ == 0) {
    buf.assign(count * width, '\0');
    for (std::size_t k = 0; k < count; ++k) {
      std::memcpy(buf.data() + k * width, data[k].data(), data[k].size());
    }
  }
  H5Handle type = fixed_utf8_type(width);
  write_rank0(path, {count}, type.get(), type.get(), buf.data(), rank_ == 0 ? count : 0,
              description);
}

void Hdf5File::write_complex_distributed(const std::string& path, hsize_t global, hsize_t offset,
                                         const std::vector<cplx>& local,
                                         const std::string& description) {
  const std::string name = normalize(path);
  const std::string what = "cannot write dataset '" + name + "'";
  require_open(what);
  check_finite(name, reinterpret_cast<const double*>(local.data()), 2 * local.size(), 2,
               description);
  const hsize_t count = local.size();
  agree(offset + count <= global,
        "local range [" + std::to_string(offset) + ", " + std::to_string(offset + count) +
            ") exceeds the global length " + std::to_string(global),
        what, "distributed " + name + " " + std::to_string(global) + " " + description);
  ensure_group(parent_of(name));

  H5Handle mem = complex_type(H5T_NATIVE_DOUBLE);
  H5Handle file = complex_type(H5T_IEEE_F64LE);
  std::string reason;
  H5Handle dset = dataset_handle(open_or_create_dataset(name, file.get(), {global}, reason));
  agree(dset.valid(), reason, what, {});
  if (global == 0) {  // no storage to write to (same on all ranks)
    dset.reset();
    write_attribute(name, "description", description);
    return;
  }

  H5Handle file_space = space_handle(H5Dget_space(dset.get()));
  H5Handle mem_space = space_handle(H5Screate_simple(1, &count, nullptr));
  bool ok = file_space.valid() && mem_space.valid();
  if (ok && count > 0) {
    ok = H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr) >=
         0;
  } else if (ok) {
    ok = H5Sselect_none(file_space.get()) >= 0 && H5Sselect_none(mem_space.get()) >= 0;
  }
  const cplx dummy{};
  H5Handle dxpl = collective_transfer();
  if (ok) {
    ok = H5Dwrite(dset.get(), mem.get(), mem_space.get(), file_space.get(), dxpl.get(),
                  count > 0 ? local.data() : &dummy) >= 0;
  }
  if (!ok) g_write_failed = true;
  agree(ok, ok ? std::string() : hdf5_reason(), what, {});
  dset.reset();
  write_attribute(name, "description", description);
}

void Hdf5File::create_complex_2d(const std::string& path, hsize_t nrows, hsize_t ncols,
                                 const std::string& description) {
  const std::string name = normalize(path);
  const std::string what = "cannot create dataset '" + name + "'";
  require_open(what);
  agree(true, {}, what,
        "create2d " + name + " " + shape_string({nrows, ncols}) + " " + description);
  ensure_group(parent_of(name));
  H5Handle file = complex_type(H5T_IEEE_F64LE);
  std::string reason;
  H5Handle dset = dataset_handle(open_or_create_dataset(name, file.get(), {nrows, ncols}, reason));
  agree(dset.valid(), reason, what, {});
  dset.reset();
  write_attribute(name, "description", description);
}

void Hdf5File::write_complex_row_distributed(const std::string& path, hsize_t row, hsize_t offset,
                                             const std::vector<cplx>& local) {
  const std::string name = normalize(path);
  const std::string what = "cannot write row " + std::to_string(row) + " of '" + name + "'";
  require_open(what);
  check_finite(name + " row " + std::to_string(row), reinterpret_cast<const double*>(local.data()),
               2 * local.size(), 2, {});
  agree(true, {}, what, "row " + name + " " + std::to_string(row));
  const hsize_t count = local.size();
  H5Handle dset = dataset_handle(H5Dopen2(file_, name.c_str(), H5P_DEFAULT));
  std::string reason;
  bool ok = dset.valid();
  if (!ok) {
    H5Eclear2(H5E_DEFAULT);
    reason = "no such dataset (create it with create_complex_2d)";
  }
  hsize_t dims[2] = {0, 0};
  if (ok) {
    H5Handle space = space_handle(H5Dget_space(dset.get()));
    if (!space.valid() || H5Sget_simple_extent_ndims(space.get()) != 2) {
      ok = false;
      reason = "the dataset is not two-dimensional";
    } else {
      H5Sget_simple_extent_dims(space.get(), dims, nullptr);
    }
  }
  if (ok && (row >= dims[0] || offset + count > dims[1])) {
    ok = false;
    reason = "row " + std::to_string(row) + ", columns [" + std::to_string(offset) + ", " +
             std::to_string(offset + count) + ") lie outside shape " +
             shape_string({dims[0], dims[1]});
  }
  agree(ok, reason, what, {});
  if (dims[1] == 0) return;  // no storage to write to (same on all ranks)

  H5Handle mem = complex_type(H5T_NATIVE_DOUBLE);
  H5Handle file_space = space_handle(H5Dget_space(dset.get()));
  H5Handle mem_space = space_handle(H5Screate_simple(1, &count, nullptr));
  ok = file_space.valid() && mem_space.valid();
  if (ok && count > 0) {
    const hsize_t start[2] = {row, offset};
    const hsize_t extent[2] = {1, count};
    ok =
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start, nullptr, extent, nullptr) >= 0;
  } else if (ok) {
    ok = H5Sselect_none(file_space.get()) >= 0 && H5Sselect_none(mem_space.get()) >= 0;
  }
  const cplx dummy{};
  H5Handle dxpl = collective_transfer();
  if (ok) {
    ok = H5Dwrite(dset.get(), mem.get(), mem_space.get(), file_space.get(), dxpl.get(),
                  count > 0 ? local.data() : &dummy) >= 0;
  }
  if (!ok) g_write_failed = true;
  agree(ok, ok ? std::string() : hdf5_reason(), what, {});
}

// ---------------------------------------------------------------------------
// Readers (independent: each rank reads what it asks for)

hid_t Hdf5File::open_dataset(const std::string& name, const std::string& what) const {
  require_open(what);
  const hid_t dset = H5Dopen2(file_, name.c_str(), H5P_DEFAULT);
  if (dset < 0) {
    H5Eclear2(H5E_DEFAULT);
    fail(what, "no such dataset");
  }
  return dset;
}

std::vector<double> Hdf5File::read_real(const std::string& path) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read dataset '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  H5Handle space = space_handle(H5Dget_space(dset.get()));
  std::vector<double> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (!out.empty() &&
      H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    fail(what, hdf5_reason());
  }
  return out;
}

std::vector<long long> Hdf5File::read_int(const std::string& path) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read dataset '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  H5Handle space = space_handle(H5Dget_space(dset.get()));
  std::vector<long long> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  if (!out.empty() &&
      H5Dread(dset.get(), H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    fail(what, hdf5_reason());
  }
  return out;
}

std::vector<cplx> Hdf5File::read_complex(const std::string& path) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read dataset '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  H5Handle space = space_handle(H5Dget_space(dset.get()));
  std::vector<cplx> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get())));
  H5Handle mem = complex_type(H5T_NATIVE_DOUBLE);
  if (!out.empty() &&
      H5Dread(dset.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    fail(what, hdf5_reason() + " (expected a complex {r, i} dataset)");
  }
  return out;
}

std::vector<cplx> Hdf5File::read_complex_range(const std::string& path, hsize_t offset,
                                               hsize_t count) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read dataset '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  const auto dims = dataset_dims(dset.get(), name);
  if (dims.size() != 1) fail(what, "range reads need a 1-D dataset, not " + shape_string(dims));
  if (offset + count > dims[0]) {
    fail(what, "range [" + std::to_string(offset) + ", " + std::to_string(offset + count) +
                   ") exceeds the length " + std::to_string(dims[0]));
  }
  std::vector<cplx> out(static_cast<std::size_t>(count));
  if (count == 0) return out;
  H5Handle file_space = space_handle(H5Dget_space(dset.get()));
  H5Handle mem_space = space_handle(H5Screate_simple(1, &count, nullptr));
  H5Handle mem = complex_type(H5T_NATIVE_DOUBLE);
  if (H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr) <
          0 ||
      H5Dread(dset.get(), mem.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, out.data()) <
          0) {
    fail(what, hdf5_reason() + " (expected a complex {r, i} dataset)");
  }
  return out;
}

std::vector<std::string> Hdf5File::read_strings(const std::string& path) const {
  const std::string name = normalize(path);
  const std::string what = "cannot read dataset '" + name + "'";
  H5Handle dset = dataset_handle(open_dataset(name, what));
  H5Handle type = type_handle(H5Dget_type(dset.get()));
  if (H5Tget_class(type.get()) != H5T_STRING) fail(what, "the dataset does not hold strings");
  H5Handle space = space_handle(H5Dget_space(dset.get()));
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.get()));
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  if (H5Tis_variable_str(type.get()) > 0) {
    H5Handle mem = vlen_utf8_type();
    std::vector<char*> ptrs(n, nullptr);
    if (H5Dread(dset.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
      fail(what, hdf5_reason());
    }
    for (char* p : ptrs) out.emplace_back(p != nullptr ? p : "");
    H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
    return out;
  }
  const std::size_t width = H5Tget_size(type.get());
  std::vector<char> buf(n * width);
  if (H5Dread(dset.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
    fail(what, hdf5_reason());
  }
  const H5T_str_t pad = H5Tget_strpad(type.get());
  for (std::size_t k = 0; k < n; ++k)
    out.push_back(fixed_string(buf.data() + k * width, width, pad));
  return out;
}

bool Hdf5File::readable(const std::string& path, MPI_Comm comm) {
  try {
    Hdf5File f(path, comm, Mode::Append);
    f.close();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

bool hdf5_write_failed() {
  return g_write_failed;
}

}  // namespace qcoll

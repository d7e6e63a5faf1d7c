#pragma once
// Parallel HDF5 output (one file per run, opened collectively on a communicator).
// Complex numbers use the compound type {r: float64, i: float64}, which h5py
// reads as complex128. Every dataset carries a one-line `description`.
//
// All calls are collective on the file's communicator unless stated. Scalar and
// small datasets are written by rank 0 (others pass the same shape and may pass
// empty data); distributed vectors are written as per-rank hyperslabs.
//
// Conventions of the file layer:
// - Paths may be given with or without the leading "/"; missing parent groups
//   of a dataset are created. Writing a dataset that already exists overwrites
//   it in place when type and shape agree, otherwise replaces it.
// - Every writer checks collectively that all ranks passed the same path,
//   shape and description and that the data sizes fit; a mismatch or any HDF5
//   failure throws std::runtime_error (naming the file and the object) on all
//   ranks, never a hang and never an HDF5 error dump (automatic HDF5 error
//   printing is switched off).
// - Attribute values are taken from rank 0 (broadcast), so e.g. a timestamp
//   computed separately on each rank is still written consistently. String
//   attributes are variable-length UTF-8 scalars (h5py: str); double as
//   float64, long long as int64; bool as uint8 0/1 (h5py: numpy.uint8). An
//   existing attribute of the same name is replaced.
// - write_strings stores a 1-D fixed-length UTF-8 string dataset (NUL padded
//   to the longest entry; h5py: bytes, `.asstr()[:]` gives str), because
//   parallel HDF5 cannot write variable-length data to datasets. The strings
//   are taken from rank 0.
// - Real data are float64, integer data int64; `shape` is row-major (C order).
#include <hdf5.h>
#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

class Hdf5File {
 public:
  enum class Mode { Create, Append };
  // Create: truncates an existing file. Append: opens read-write.
  // Throws std::runtime_error with the path on failure, on all ranks.
  Hdf5File(const std::string& path, MPI_Comm comm, Mode mode = Mode::Create);
  ~Hdf5File();
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  // Collective; idempotent (also called by the destructor).
  // Collective: whether `path` opens as an HDF5 file for appending (false for
  // a missing, truncated or corrupt file).
  static bool readable(const std::string& path, MPI_Comm comm);

  void close();
  // Collective: writes everything buffered to the file (H5Fflush), so a run
  // killed later leaves what was written so far readable.
  void flush();
  bool is_open() const { return file_ >= 0; }
  MPI_Comm comm() const { return comm_; }
  const std::string& path() const { return path_; }

  // Creates the group and its parents if missing ("/evolve/observables").
  void ensure_group(const std::string& path);
  bool exists(const std::string& path) const;

  // Attributes on a group or dataset ("/" is the root).
  void write_attribute(const std::string& object, const std::string& name,
                       const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name, long long value);
  void write_attribute(const std::string& object, const std::string& name, bool value);

  // Datasets with data held identically on every rank (rank 0 writes).
  // `shape` empty means a scalar; row-major data of prod(shape) elements.
  void write_real(const std::string& path, const std::vector<hsize_t>& shape,
                  const std::vector<double>& data, const std::string& description);
  void write_complex(const std::string& path, const std::vector<hsize_t>& shape,
                     const std::vector<cplx>& data, const std::string& description);
  void write_int(const std::string& path, const std::vector<hsize_t>& shape,
                 const std::vector<long long>& data, const std::string& description);
  void write_strings(const std::string& path, const std::vector<std::string>& data,
                     const std::string& description);
  void write_real_scalar(const std::string& path, double value, const std::string& description) {
    write_real(path, {}, {value}, description);
  }

  // Distributed complex vector of global length `global`, this rank holding
  // `local.size()` entries starting at `offset` (contiguous ownership ranges).
  void write_complex_distributed(const std::string& path, hsize_t global, hsize_t offset,
                                 const std::vector<cplx>& local, const std::string& description);
  // Row `row` of a 2-D dataset [nrows, global] created by create_complex_2d.
  void create_complex_2d(const std::string& path, hsize_t nrows, hsize_t ncols,
                         const std::string& description);
  void write_complex_row_distributed(const std::string& path, hsize_t row, hsize_t offset,
                                     const std::vector<cplx>& local);

  // Unlinks a dataset or group if present (collective). Rewritten datasets
  // that carry dimension scales are removed first, so no stale references stay.
  void remove(const std::string& path);

  // Dimension scales (collective; see hdf5_dimensions.cpp): make `path` a scale
  // named `name`, attach it to dimension `dim` of `dataset`, or label a
  // dataset's dimensions ("t", "species", ...).
  void make_dimension_scale(const std::string& path, const std::string& name);
  void attach_dimension_scale(const std::string& dataset, const std::string& scale, unsigned dim);
  void label_dimensions(const std::string& dataset, const std::vector<std::string>& labels);

  // Readers (every rank reads; used by restart and tests). Call them on all
  // ranks; each rank reads independently. Values are converted to the
  // requested type (read_real of an int dataset gives doubles).
  std::vector<double> read_real(const std::string& path) const;
  std::vector<cplx> read_complex(const std::string& path) const;
  std::vector<cplx> read_complex_range(const std::string& path, hsize_t offset,
                                       hsize_t count) const;
  std::vector<long long> read_int(const std::string& path) const;
  std::vector<std::string> read_strings(const std::string& path) const;
  // Reads variable-length and fixed-length string attributes.
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  double read_real_attribute(const std::string& object, const std::string& name) const;
  // Also reads bool attributes (0/1).
  long long read_int_attribute(const std::string& object, const std::string& name) const;
  // Dimensions of a dataset (empty for a scalar).
  std::vector<hsize_t> shape(const std::string& path) const;

  // Real and complex datasets are written only when every value is finite
  // (else every rank throws, naming the dataset and the element), unless
  // their description says what a NaN in them means (it contains "NaN").
  // Checkpoints, which store what they have, allow anything.
  void allow_non_finite() { allow_non_finite_ = true; }

 private:
  // Throws on every rank unless `ok` holds on every rank and `signature` (the
  // call's path, shape, ...) is identical on every rank.
  void agree(bool ok, const std::string& local_reason, const std::string& what,
             const std::string& signature) const;
  [[noreturn]] void fail(const std::string& what, const std::string& reason) const;
  void require_open(const std::string& what) const;
  // Returns the open dataset, or -1 with `reason` set (local; callers agree()).
  hid_t open_or_create_dataset(const std::string& path, hid_t file_type,
                               const std::vector<hsize_t>& shape, std::string& reason);
  // Collective: the finiteness rule above for `n` values (doubles) of this
  // rank; `per_element` doubles make one element (2 for complex).
  void check_finite(const std::string& name, const double* values, std::size_t n,
                    std::size_t per_element, const std::string& description) const;
  void write_rank0(const std::string& path, const std::vector<hsize_t>& shape, hid_t mem_type,
                   hid_t file_type, const void* data, std::size_t n_local,
                   const std::string& description);
  void write_attribute_raw(const std::string& object, const std::string& name, hid_t file_type,
                           hid_t mem_type, const void* value);
  void read_attribute_raw(const std::string& object, const std::string& name, hid_t mem_type,
                          void* value) const;
  // Opens an existing dataset for reading; throws (locally) if there is none.
  hid_t open_dataset(const std::string& name, const std::string& what) const;
  std::vector<hsize_t> dataset_dims(hid_t dset, const std::string& path) const;

  hid_t file_ = -1;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  std::string path_;
  bool allow_non_finite_ = false;
};

// Whether a write, flush or close of some file failed in this process (a
// full disk, a file-size limit). HDF5 1.10 cannot close such a file: its
// library shutdown (H5close, or the one inside MPI_Finalize) crashes on it,
// so main ends the process without it after reporting the error.
bool hdf5_write_failed();

}  // namespace qcoll

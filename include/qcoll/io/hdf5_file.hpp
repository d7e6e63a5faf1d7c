#pragma once
// Parallel HDF5 output (one file per run, opened collectively on a communicator).
// Complex numbers use the compound type {r: float64, i: float64}, which h5py
// reads as complex128. Every dataset carries a one-line `description`.
//
// All calls are collective on the file's communicator unless stated. Scalar and
// small datasets are written by rank 0 (others pass the same shape and may pass
// empty data); distributed vectors are written as per-rank hyperslabs.
#include <hdf5.h>
#include <mpi.h>

#include <string>
#include <vector>

#include "qcoll/model/types.hpp"

namespace qcoll {

class Hdf5File {
 public:
  enum class Mode { Create, Append };
  // Create: truncates an existing file. Append: opens read-write.
  // Throws std::runtime_error with the path on failure.
  Hdf5File(const std::string& path, MPI_Comm comm, Mode mode = Mode::Create);
  ~Hdf5File();
  Hdf5File(const Hdf5File&) = delete;
  Hdf5File& operator=(const Hdf5File&) = delete;

  void close();
  MPI_Comm comm() const { return comm_; }

  // Creates the group and its parents if missing ("/evolve/observables").
  void ensure_group(const std::string& path);
  bool exists(const std::string& path) const;

  // Attributes on a group or dataset ("/" is the root).
  void write_attribute(const std::string& object, const std::string& name, const std::string& value);
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

  // Readers (every rank reads; used by restart and tests).
  std::vector<double> read_real(const std::string& path) const;
  std::vector<cplx> read_complex(const std::string& path) const;
  std::vector<cplx> read_complex_range(const std::string& path, hsize_t offset, hsize_t count) const;
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  std::vector<hsize_t> shape(const std::string& path) const;

 private:
  hid_t file_ = -1;
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
};

}  // namespace qcoll

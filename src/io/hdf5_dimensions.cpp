// HDF5 dimension scales and labels (H5DS, the high-level library), so h5py,
// xarray (engine h5netcdf) and HDFView show named axes such as t and species.
#include <hdf5_hl.h>

#include <stdexcept>

#include "qcoll/io/hdf5_file.hpp"

namespace qcoll {
namespace {

struct Dataset {
  hid_t id;
  Dataset(hid_t file, const std::string& path) : id(H5Dopen2(file, path.c_str(), H5P_DEFAULT)) {
    if (id < 0) {
      H5Eclear2(H5E_DEFAULT);
      throw std::runtime_error("HDF5: cannot open dataset '" + path + "' for dimension scales");
    }
  }
  ~Dataset() { H5Dclose(id); }
};

void check(herr_t status, const std::string& what) {
  if (status < 0) {
    H5Eclear2(H5E_DEFAULT);
    throw std::runtime_error("HDF5: " + what);
  }
}

}  // namespace

void Hdf5File::remove(const std::string& path) {
  require_open("cannot remove '" + path + "'");
  if (!exists(path)) return;
  check(H5Ldelete(file_, path.c_str(), H5P_DEFAULT), "cannot remove '" + path + "'");
}

void Hdf5File::make_dimension_scale(const std::string& path, const std::string& name) {
  require_open("cannot make dimension scale '" + path + "'");
  Dataset d(file_, path);
  if (H5DSis_scale(d.id) > 0) return;
  check(H5DSset_scale(d.id, name.c_str()), "cannot make '" + path + "' a dimension scale");
}

void Hdf5File::attach_dimension_scale(const std::string& dataset, const std::string& scale,
                                      unsigned dim) {
  require_open("cannot attach dimension scale to '" + dataset + "'");
  Dataset d(file_, dataset), s(file_, scale);
  if (H5DSis_attached(d.id, s.id, dim) > 0) return;
  check(H5DSattach_scale(d.id, s.id, dim), "cannot attach '" + scale + "' to dimension " +
                                               std::to_string(dim) + " of '" + dataset + "'");
}

void Hdf5File::label_dimensions(const std::string& dataset,
                                const std::vector<std::string>& labels) {
  require_open("cannot label dimensions of '" + dataset + "'");
  Dataset d(file_, dataset);
  for (unsigned k = 0; k < labels.size(); ++k)
    check(H5DSset_label(d.id, k, labels[k].c_str()), "cannot label '" + dataset + "'");
}

}  // namespace qcoll

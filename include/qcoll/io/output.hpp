#pragma once
// The HDF5 layout of interface.md: provenance, /model, and the thermodynamic
// quantities of the master equation (time series under /evolve, single values
// under /steady).
#include <string>
#include <vector>

#include "qcoll/derive/master_equation.hpp"
#include "qcoll/io/deck.hpp"
#include "qcoll/io/hdf5_file.hpp"
#include "qcoll/io/result_fields.hpp"
#include "qcoll/thermo/operators.hpp"

namespace qcoll {

struct Provenance {
  std::string task;
  std::string petsc_options;
  int nranks = 1;
};

// Root attributes (qcoll_version, git_commit, created, nranks, task, deck,
// petsc_options), /result_fields and the /model group.
void write_run_header(Hdf5File& f, const Deck& deck, const MasterEquation& me, const Provenance& p);

// Time series of ThermoValues under `group` (e.g. "/evolve"), with t[nt].
void write_thermo_series(Hdf5File& f, const std::string& group, const std::vector<double>& t,
                         const std::vector<ThermoValues>& values,
                         const std::vector<std::string>& observable_names,
                         const FieldAvailability& fields);

// The rows of write_thermo_series without the axis: every quantity [n] or
// [n, ns] along the 1-D dataset `group/axis` (written by the caller, made
// the dimension scale of dimension 0); `note` is appended to each
// description. /sweep of an evolve sweep uses it with axis "values".
void write_thermo_rows(Hdf5File& f, const std::string& group, const std::string& axis,
                       const std::vector<ThermoValues>& values,
                       const std::vector<std::string>& observable_names,
                       const FieldAvailability& fields, const std::string& note);

// Dimension scales for a time-series group: `group/time_name` becomes the
// scale of dimension 0 of every series, /model/species_names of the species
// dimension; dimensions are labelled (h5py: ds.dims[0].label).
void name_axes(Hdf5File& f, const std::string& group, const std::string& time_name,
               const std::vector<std::string>& observable_names);

// Inverse of write_thermo_series (checkpoint restart).
struct ThermoSeries {
  std::vector<double> t;
  std::vector<ThermoValues> values;
};
ThermoSeries read_thermo_series(const Hdf5File& f, const std::string& group,
                                const std::vector<std::string>& observable_names);

// One set of ThermoValues under `group` (e.g. "/steady").
void write_thermo_point(Hdf5File& f, const std::string& group, const ThermoValues& v,
                        const std::vector<std::string>& observable_names,
                        const FieldAvailability& fields);

// /result_fields: the table of result_fields.hpp (name, unit, description,
// per_species), for post/.
void write_result_fields(Hdf5File& f);

// Inverse of write_thermo_point (sweep tables, restarts); `present`
// (optional) receives which optional fields the group has.
ThermoValues read_thermo_point(const Hdf5File& f, const std::string& group,
                               const std::vector<std::string>& observable_names,
                               FieldAvailability* present = nullptr);

// Marks the file as finished (attribute complete = true, written last).
void write_complete(Hdf5File& f);

}  // namespace qcoll

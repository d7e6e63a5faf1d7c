// Parallel HDF5 file layer: round trip of every dataset/attribute kind on
// MPI_COMM_WORLD, distributed writes with uneven splits, h5py compatibility,
// and errors raised consistently on all ranks.
#include <gtest/gtest.h>
#include <mpi.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "qcoll/io/hdf5_file.hpp"
#include "test_support.hpp"

namespace {

using qcoll::cplx;
using qcoll::Hdf5File;
using qcoll::testing::rank;
using qcoll::testing::size;

// A path chosen on rank 0 and shared by all ranks.
std::string common_path(const std::string& stem, const std::string& suffix) {
  std::string path = qcoll::testing::temp_path(stem, suffix);
  unsigned long long n = path.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  path.resize(n);
  MPI_Bcast(path.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
  return path;
}

// True on every rank iff `ok` holds on every rank.
bool all_ranks(bool ok) {
  int local = ok ? 1 : 0;
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return global == 1;
}

void remove_on_rank0(const std::string& path) {
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank() == 0) std::remove(path.c_str());
  MPI_Barrier(MPI_COMM_WORLD);
}

// Uneven contiguous split of n entries: rank r < size-1 owns r+2 entries (or
// what is left), the last rank owns the rest.
void uneven_split(hsize_t n, hsize_t& offset, hsize_t& count) {
  offset = 0;
  count = 0;
  for (int r = 0; r < size(); ++r) {
    hsize_t c = r == size() - 1 ? n - offset : std::min<hsize_t>(r + 2, n - offset);
    if (r == rank()) {
      count = c;
      return;
    }
    offset += c;
  }
}

cplx vector_entry(hsize_t k) {
  return {0.5 * k - 1.25, 1.0 / (k + 3.0)};
}
cplx matrix_entry(hsize_t row, hsize_t col) {
  return {row + 0.1 * col, -0.3 * row * col + 1e-7};
}

// Runs a Python script with Debian's python (which has h5py) on rank 0;
// returns {exit status, output} on every rank.
std::pair<int, std::string> run_python_on_rank0(const std::string& script, const std::string& arg) {
  int status = -1;
  std::string output;
  if (rank() == 0) {
    const std::string script_path = qcoll::testing::temp_path("h5py_check", ".py");
    {
      std::ofstream out(script_path);
      out << script;
    }
    const std::string cmd = "/usr/bin/python3 " + script_path + " " + arg + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (pipe != nullptr) {
      char buf[4096];
      std::size_t n;
      while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) output.append(buf, n);
      const int raw = pclose(pipe);
      status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    }
    std::remove(script_path.c_str());
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return {status, output};
}

TEST(Hdf5File, RoundTripAllKinds) {
  const std::string path = common_path("hdf5_roundtrip", ".h5");
  const std::vector<double> real1{1.5, -2.25, 3.0e-300, 4.0};
  const std::vector<double> real2{1, 2, 3, 4, 5, 6};  // shape [2, 3]
  const std::vector<cplx> cvec{{1.0, -1.0}, {0.0, 2.5}, {-3.75, 0.0}};
  const std::vector<long long> ints{-7, 0, 9000000000LL};
  const std::vector<std::string> names{"bath", "hot", "a longer species name", ""};
  const hsize_t global = 11;
  const hsize_t nrows = 3;
  const hsize_t ncols = 7;
  {
    Hdf5File file(path, MPI_COMM_WORLD);
    EXPECT_TRUE(file.is_open());
    // Attributes on the root; string values come from rank 0.
    file.write_attribute("/", "created", "written by rank " + std::to_string(rank()));
    file.write_attribute("/", "task", std::string("evolve"));
    file.write_attribute("/", "deck", std::string("title = \"x\"\n[params]\ng = 0.5\n"));
    file.write_attribute("/", "tolerance", 1e-8);
    file.write_attribute("/", "nranks", static_cast<long long>(size()));
    file.write_attribute("/", "flag", true);
    // Overwrite with a different type.
    file.write_attribute("/", "flag", false);
    file.write_attribute("/", "task", std::string("steady"));

    file.ensure_group("/model/sub");
    EXPECT_TRUE(file.exists("/model"));
    EXPECT_TRUE(file.exists("model/sub"));
    EXPECT_FALSE(file.exists("/nothing/here"));
    file.write_attribute("/model", "d", 4LL);

    // Non-root ranks pass empty data (allowed) except for real1.
    const bool root = rank() == 0;
    file.write_real("/evolve/t", {4}, real1, "time (1/Omega)");
    file.write_real("/evolve/heat", {2, 3}, root ? real2 : std::vector<double>{}, "heat");
    file.write_real_scalar("/steady/energy", 0.125, "energy");
    file.write_real("/evolve/empty", {0}, {}, "no entries");
    file.write_complex("/spectrum/eigenvalues", {3}, root ? cvec : std::vector<cplx>{},
                       "eigenvalues of L");
    file.write_int("/checkpoint/step", {3}, ints, "step counters");
    file.write_strings("/model/species_names", root ? names : std::vector<std::string>{},
                       "species names");
    file.write_attribute("/evolve/t", "units", std::string("1/Omega"));

    // Overwrite in place (same shape) and replace (other shape).
    file.write_real("/steady/energy", {}, {0.25}, "energy (overwritten)");
    file.write_real("/evolve/replaced", {2}, {1.0, 2.0}, "first");
    file.write_real("/evolve/replaced", {3}, {3.0, 4.0, 5.0}, "second");

    // Distributed vectors: uneven split, and one with rank 0 owning nothing.
    hsize_t offset = 0;
    hsize_t count = 0;
    uneven_split(global, offset, count);
    std::vector<cplx> local;
    for (hsize_t k = offset; k < offset + count; ++k) local.push_back(vector_entry(k));
    file.write_complex_distributed("/evolve/rho_final", global, offset, local, "final rho");
    const bool last = rank() == size() - 1;
    std::vector<cplx> all_on_last;
    if (last) {
      for (hsize_t k = 0; k < global; ++k) all_on_last.push_back(vector_entry(k));
    }
    file.write_complex_distributed("/steady/rho", global, 0, all_on_last, "steady rho");

    // 2-D distributed: each row written with each rank's column range.
    file.create_complex_2d("/evolve/rho", nrows, ncols, "rho snapshots");
    uneven_split(ncols, offset, count);
    for (hsize_t row = 0; row < nrows; ++row) {
      std::vector<cplx> part;
      for (hsize_t c = offset; c < offset + count; ++c) part.push_back(matrix_entry(row, c));
      file.write_complex_row_distributed("/evolve/rho", row, offset, part);
    }
    file.close();
    file.close();  // idempotent
    EXPECT_FALSE(file.is_open());
  }
  {
    Hdf5File file(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
    file.write_real("/appended", {1}, {42.0}, "added on append");

    EXPECT_EQ(file.read_string_attribute("/", "created"), "written by rank 0");
    EXPECT_EQ(file.read_string_attribute("/", "task"), "steady");
    EXPECT_EQ(file.read_string_attribute("/", "deck"), "title = \"x\"\n[params]\ng = 0.5\n");
    EXPECT_EQ(file.read_real_attribute("/", "tolerance"), 1e-8);
    EXPECT_EQ(file.read_int_attribute("/", "nranks"), size());
    EXPECT_EQ(file.read_int_attribute("/", "flag"), 0);
    EXPECT_EQ(file.read_int_attribute("model", "d"), 4);
    EXPECT_EQ(file.read_string_attribute("/evolve/t", "units"), "1/Omega");
    EXPECT_EQ(file.read_string_attribute("/evolve/t", "description"), "time (1/Omega)");
    EXPECT_EQ(file.read_string_attribute("/steady/energy", "description"), "energy (overwritten)");

    EXPECT_EQ(file.read_real("/evolve/t"), real1);
    EXPECT_EQ(file.read_real("/evolve/heat"), real2);
    EXPECT_EQ(file.shape("/evolve/heat"), (std::vector<hsize_t>{2, 3}));
    EXPECT_EQ(file.read_real("/steady/energy"), std::vector<double>{0.25});
    EXPECT_TRUE(file.shape("/steady/energy").empty());
    EXPECT_TRUE(file.read_real("/evolve/empty").empty());
    EXPECT_EQ(file.shape("/evolve/empty"), std::vector<hsize_t>{0});
    EXPECT_EQ(file.read_real("/evolve/replaced"), (std::vector<double>{3.0, 4.0, 5.0}));
    EXPECT_EQ(file.read_string_attribute("/evolve/replaced", "description"), "second");
    EXPECT_EQ(file.read_complex("/spectrum/eigenvalues"), cvec);
    EXPECT_EQ(file.read_int("/checkpoint/step"), ints);
    EXPECT_EQ(file.read_strings("/model/species_names"), names);
    EXPECT_EQ(file.read_real("/appended"), std::vector<double>{42.0});

    std::vector<cplx> expected;
    for (hsize_t k = 0; k < global; ++k) expected.push_back(vector_entry(k));
    EXPECT_EQ(file.read_complex("/evolve/rho_final"), expected);
    EXPECT_EQ(file.read_complex("/steady/rho"), expected);
    EXPECT_EQ(file.read_complex_range("/evolve/rho_final", 3, 5),
              std::vector<cplx>(expected.begin() + 3, expected.begin() + 8));
    EXPECT_TRUE(file.read_complex_range("/evolve/rho_final", global, 0).empty());

    std::vector<cplx> matrix;
    for (hsize_t r = 0; r < nrows; ++r) {
      for (hsize_t c = 0; c < ncols; ++c) matrix.push_back(matrix_entry(r, c));
    }
    EXPECT_EQ(file.shape("/evolve/rho"), (std::vector<hsize_t>{nrows, ncols}));
    EXPECT_EQ(file.read_complex("/evolve/rho"), matrix);
  }

  // h5py reads what we wrote: complex128, str attributes, strings, uint8 bool.
  const std::string script = R"PY(
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    ev = f["spectrum/eigenvalues"]
    assert ev.dtype == np.complex128, ev.dtype
    assert np.array_equal(ev[:], np.array([1 - 1j, 2.5j, -3.75])), ev[:]
    assert isinstance(ev.attrs["description"], str), type(ev.attrs["description"])
    assert ev.attrs["description"] == "eigenvalues of L"
    rho = f["evolve/rho_final"][:]
    assert rho.dtype == np.complex128
    k = np.arange(11)
    assert np.array_equal(rho, (0.5 * k - 1.25) + 1j / (k + 3.0)), rho
    snaps = f["evolve/rho"][:]
    assert snaps.shape == (3, 7) and snaps.dtype == np.complex128
    r, c = np.meshgrid(np.arange(3), np.arange(7), indexing="ij")
    assert np.array_equal(snaps, (r + 0.1 * c) + 1j * (-0.3 * r * c + 1e-7))
    assert isinstance(f.attrs["task"], str) and f.attrs["task"] == "steady"
    assert f.attrs["flag"] == 0 and f.attrs["flag"].dtype == np.uint8
    assert f.attrs["tolerance"] == 1e-8
    names = f["model/species_names"]
    assert list(names.asstr()[:]) == ["bath", "hot", "a longer species name", ""]
    assert list(names[:].astype(str)) == ["bath", "hot", "a longer species name", ""]
    assert np.array_equal(f["evolve/heat"][:], np.arange(1.0, 7.0).reshape(2, 3))
    assert f["steady/energy"][()] == 0.25
    assert f["checkpoint/step"].dtype == np.int64
for name in ["evolve/t", "evolve/heat", "model/species_names", "evolve/rho"]:
    with h5py.File(sys.argv[1], "r") as f:
        assert isinstance(f[name].attrs["description"], str), name
print("h5py OK")
)PY";
  const auto [status, output] = run_python_on_rank0(script, path);
  EXPECT_EQ(status, 0) << output;
  if (rank() == 0) EXPECT_NE(output.find("h5py OK"), std::string::npos) << output;

  remove_on_rank0(path);
}

TEST(Hdf5File, CreateInMissingDirectoryThrowsOnAllRanks) {
  const std::string path = common_path("no_such_dir", "") + "/out.h5";
  bool threw = false;
  std::string message;
  try {
    Hdf5File file(path, MPI_COMM_WORLD);
  } catch (const std::runtime_error& e) {
    threw = true;
    message = e.what();
  }
  EXPECT_TRUE(all_ranks(threw));
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
}

TEST(Hdf5File, AppendToMissingFileThrowsOnAllRanks) {
  const std::string path = common_path("missing", ".h5");
  bool threw = false;
  std::string message;
  try {
    Hdf5File file(path, MPI_COMM_WORLD, Hdf5File::Mode::Append);
  } catch (const std::runtime_error& e) {
    threw = true;
    message = e.what();
  }
  EXPECT_TRUE(all_ranks(threw));
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

TEST(Hdf5File, BadCallsThrowOnAllRanksAndFileStaysUsable) {
  const std::string path = common_path("hdf5_errors", ".h5");
  {
    Hdf5File file(path, MPI_COMM_WORLD);
    // Wrong amount of data on rank 0 only: every rank must throw, none hang.
    const std::vector<double> data =
        rank() == 0 ? std::vector<double>{1.0, 2.0} : std::vector<double>{};
    bool threw = false;
    try {
      file.write_real("/x", {3}, data, "x");
    } catch (const std::runtime_error& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("/x"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(all_ranks(threw));

    // A distributed range beyond the global length on the last rank.
    threw = false;
    const bool last = rank() == size() - 1;
    try {
      file.write_complex_distributed("/y", 2, last ? 1 : 0,
                                     last ? std::vector<cplx>{1.0, 2.0} : std::vector<cplx>{}, "y");
    } catch (const std::runtime_error&) {
      threw = true;
    }
    EXPECT_TRUE(all_ranks(threw));

    // A row outside the 2-D dataset.
    file.create_complex_2d("/z", 2, 2, "z");
    EXPECT_THROW(file.write_complex_row_distributed("/z", 5, 0, {}), std::runtime_error);
    // Attribute on a missing object; group over a dataset.
    EXPECT_THROW(file.write_attribute("/missing", "a", 1.0), std::runtime_error);
    file.write_real_scalar("/scalar", 1.0, "s");
    EXPECT_THROW(file.ensure_group("/scalar/sub"), std::runtime_error);
    // Readers of missing things.
    EXPECT_THROW(file.read_real("/missing"), std::runtime_error);
    EXPECT_THROW(file.read_string_attribute("/", "missing"), std::runtime_error);
    EXPECT_THROW(file.read_complex_range("/z", 0, 1), std::runtime_error);  // 2-D

    // The file still works after the errors.
    file.write_real("/ok", {2}, {1.0, 2.0}, "ok");
    EXPECT_EQ(file.read_real("/ok"), (std::vector<double>{1.0, 2.0}));
  }
  remove_on_rank0(path);
}

}  // namespace

// Nothing non-finite is written as a result: a NaN or Inf in a real, complex
// or distributed dataset makes every rank throw, naming the dataset and the
// element, and nothing is written; a description that says what a NaN means
// allows it; a checkpoint file allows anything.
TEST(Hdf5File, NonFiniteValuesAreRefusedUnlessDocumented) {
  const std::string path = common_path("hdf5_finite", ".h5");
  const double nan = std::nan("");
  {
    Hdf5File file(path, MPI_COMM_WORLD);
    bool threw = false;
    try {
      file.write_real("/r", {3}, {1.0, nan, 2.0}, "r");
    } catch (const std::runtime_error& e) {
      threw = true;
      const std::string m = e.what();
      EXPECT_NE(m.find("'/r'"), std::string::npos) << m;
      EXPECT_NE(m.find("element 1 is nan"), std::string::npos) << m;
    }
    EXPECT_TRUE(all_ranks(threw));
    EXPECT_THROW(file.read_real("/r"), std::runtime_error);  // not written
    EXPECT_THROW(file.write_complex("/c", {2}, {cplx(1.0), cplx(0.0, INFINITY)}, "c"),
                 std::runtime_error);
    // The last rank holds an Inf of a distributed vector: every rank throws.
    const bool last = rank() == size() - 1;
    threw = false;
    try {
      file.write_complex_distributed("/d", size(), rank(), {last ? cplx(INFINITY, 0.0) : cplx(1.0)},
                                     "d");
    } catch (const std::runtime_error& e) {
      threw = true;
      EXPECT_NE(std::string(e.what()).find("'/d'"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(all_ranks(threw));
    file.write_real("/efficiency", {2}, {0.5, nan}, "power / heat_hot; NaN outside the engine");
    EXPECT_TRUE(std::isnan(file.read_real("/efficiency")[1]));
    file.allow_non_finite();
    file.write_real("/checkpoint", {1}, {nan}, "what the run has");
    EXPECT_TRUE(std::isnan(file.read_real("/checkpoint")[0]));
  }
  remove_on_rank0(path);
}

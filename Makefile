# qcoll: the two set-up commands of the README.
#   make run    install missing Debian packages (as root), build, run the default deck
#   make test   the same set-up, then the whole test suite (CTest: C++ at 1 and 2 ranks, pytest)
#   make bench  Release build and the benchmark table (see docs/performance.md)
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
NP ?= 2
DECK ?= inputs/qubit.toml
OUT ?= out
export OMPI_ALLOW_RUN_AS_ROOT = 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM = 1
export OMPI_MCA_rmaps_base_oversubscribe = 1

# libblis4-serial: Debian's PETSc, MUMPS and SuperLU call BLAS through the
# libblas.so.3 alternative, which is the slow reference BLAS unless an
# optimised one is installed; BLIS makes the direct steady state about 2x
# faster (docs/performance.md). Serial build: one thread per MPI rank.
# Not OpenBLAS: Debian 12's OpenBLAS 0.3.21 made MUMPS return wrong
# eigenvalues in about half the runs of test_steady here (docs/performance.md).
DEBIAN_PACKAGES = build-essential cmake pkg-config git openmpi-bin libopenmpi-dev \
  libpetsc-complex-dev libslepc-complex3.18-dev libhdf5-openmpi-dev libtomlplusplus-dev \
  libmuparser-dev libgtest-dev liblapack-dev libblis4-serial python3 python3-h5py \
  python3-numpy python3-matplotlib python3-pytest python3-qutip python3-xarray \
  python3-h5netcdf python3-netcdf4 python3-venv python3-pip python3-setuptools python3-wheel
# QuTiP is also in DEBIAN_PACKAGES (the heat-noise test compares with it); listed here for bench.
# xarray, h5netcdf, netcdf4: qcoll_post.open_dataset and its netCDF round trip;
# venv, pip, setuptools, wheel: `pip install --no-build-isolation ./post` (tested).
BENCH_PACKAGES = python3-qutip

.PHONY: all deps build run test bench bench-steady figures check-examples clean fuzz-asan
all: build

deps:
	@missing=$$(for p in $(DEBIAN_PACKAGES) $(EXTRA_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "missing Debian packages; run as root:"; \
	    echo "  sudo apt-get install -y $$missing"; exit 1; \
	  fi; \
	fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

run: build
	@mkdir -p $(OUT)
	mpiexec -n $(NP) --oversubscribe $(BUILD)/qcoll $(DECK) -o $(OUT)/qubit.h5 --overwrite
	@echo "HDF5 output: $(OUT)/qubit.h5"
	MPLBACKEND=Agg /usr/bin/python3 post/qcoll-plot $(OUT)/qubit.h5 -o $(OUT)

test: build
	cd $(BUILD) && ctest --output-on-failure -j 1

# Release build in build-release, then bench/run_bench.py (docs/performance.md).
BENCH_BUILD ?= build-release
SIZES ?= 4 5 6 7 8 9 10
BENCH_ARGS ?=
bench: EXTRA_PACKAGES = $(BENCH_PACKAGES)
bench: deps
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target qcoll liouvillian_stats stream_triad
	/usr/bin/python3 bench/run_bench.py --build $(BENCH_BUILD) --sizes $(SIZES) $(BENCH_ARGS)

# Steady states only: Release build in build-release, then bench/steady_bench.py
# (XX and XXZ chains, qcoll's default [steady] on 2 ranks, QuTiP up to N = 7, targets).
STEADY_SIZES ?= 4 5 6 7 8 9 10 11 12
STEADY_ARGS ?=
bench-steady: EXTRA_PACKAGES = $(BENCH_PACKAGES)
bench-steady: deps
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BENCH_BUILD) -j $(JOBS) --target qcoll
	/usr/bin/python3 bench/steady_bench.py --build $(BENCH_BUILD) --sizes $(STEADY_SIZES) $(STEADY_ARGS)

# The deck fuzz test (tests/test_fuzz_deck.cpp, 5000 mutated decks and the
# targeted cases) built with AddressSanitizer and UndefinedBehaviorSanitizer
# and run serially (no mpiexec); any UB report stops it. Leak checking is
# off: MPI and PETSc keep their allocations until exit.
ASAN_BUILD ?= build-asan
fuzz-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DQCOLL_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(ASAN_BUILD) --target test_fuzz_deck -j2
	cd $(ASAN_BUILD)/tests && ASAN_OPTIONS=detect_leaks=0 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 OMPI_ALLOW_RUN_AS_ROOT=1 \
	  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ./test_fuzz_deck

# The README's figures (docs/figures/), regenerated from the example decks.
FIG = docs/figures
figures: build
	@mkdir -p $(FIG) $(OUT)
	$(BUILD)/qcoll evolve inputs/qubit.toml -o $(OUT)/qubit_evolve.h5 --overwrite
	$(BUILD)/qcoll collide inputs/qubit.toml -o $(OUT)/qubit_collide.h5 --overwrite
	$(BUILD)/qcoll steady inputs/qubit.toml -o $(OUT)/qubit_sweep.h5 --overwrite \
	  --set 'sweep.key="species.bath.lambda"' --set 'sweep.values=[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]'
	$(BUILD)/qcoll steady inputs/coherent_engine.toml -o $(OUT)/coherent_engine.h5 --overwrite
	$(BUILD)/qcoll steady inputs/maser.toml -o $(OUT)/maser_sweep.h5 --overwrite \
	  --set 'sweep.key="species.drive.lambda"' --set 'sweep.values=[0.0, 0.25, 0.5, 0.75, 1.0]'
	$(BUILD)/qcoll steady inputs/coherent_engine.toml -o $(OUT)/engine_map.h5 --overwrite --set \
	  'sweep={ axis = [{ key = "species.drive.lambda", values = [0.0, 0.5, 1.0, 1.5, 2.0] }, { key = "species.hot.beta", start = 0.2, stop = 2.2, count = 6 }] }'
	MPLBACKEND=Agg /usr/bin/python3 post/qcoll-plot $(OUT)/qubit_evolve.h5 $(OUT)/qubit_collide.h5 $(OUT)/qubit_sweep.h5 \
	  $(OUT)/coherent_engine.h5 $(OUT)/engine_map.h5 $(OUT)/maser_sweep.h5 -o $(OUT)/figures
	cp $(OUT)/figures/qubit_evolve_evolve_energy.png $(OUT)/figures/qubit_collide_collide_convergence.png \
	  $(OUT)/figures/qubit_sweep_sweep_currents.png $(OUT)/figures/coherent_engine_sweep_machine.png $(FIG)/
	cp $(OUT)/figures/engine_map_sweep_grid.png $(FIG)/coherent_engine_grid.png
	cp $(OUT)/figures/engine_map_sweep_regime.png $(FIG)/coherent_engine_regime.png
	cp $(OUT)/figures/maser_sweep_sweep_currents.png $(FIG)/maser_sweep_currents.png

# docs/check.md: `qcoll check` of every example deck.
check-examples: build
	sh docs/make_check_examples.sh $(BUILD)/qcoll

clean:
	rm -rf $(BUILD) $(OUT)

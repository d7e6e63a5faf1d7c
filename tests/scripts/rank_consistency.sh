#!/usr/bin/env bash
# Runs a deck with 1, 2 and 3 MPI ranks and checks that every dataset of the
# HDF5 outputs agrees to 1e-12 (relative): results must not depend on the
# number of ranks. Usage: rank_consistency.sh QCOLL_BINARY DECK TASK [--set ...]
set -euo pipefail
qcoll=$1; deck=$2; task=$3; shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for np in 1 2 3; do
  mpiexec --oversubscribe -n "$np" "$qcoll" "$task" "$deck" -o "$work/np$np.h5" "$@" > "$work/np$np.log"
done
/usr/bin/python3 - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
files = [h5py.File(f"{work}/np{n}.h5", "r") for n in (1, 2, 3)]
names = []
files[0].visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
assert names, "no datasets written"
worst = 0.0
for n in names:
    a = np.asarray(files[0][n][()])
    if a.dtype.kind not in "fc":
        continue
    for f in files[1:]:
        b = np.asarray(f[n][()])
        assert a.shape == b.shape, (n, a.shape, b.shape)
        # relative to the dataset's size, with a floor so that quantities that
        # vanish up to round-off (e.g. switching work of conserving decks) compare absolutely
        scale = max(np.max(np.abs(a)), 1e-3) if a.size else 1.0
        diff = np.max(np.abs(a - b)) / scale if a.size else 0.0
        if not np.isfinite(diff):
            assert np.array_equal(np.isnan(a), np.isnan(b)), n
            continue
        worst = max(worst, diff)
        # States and thermodynamic quantities must agree to 1e-12; eigenvalues
        # come from an iterative eigensolver whose own tolerance is 1e-10.
        tol = 1e-9 if ("eigenvalues" in n or n.endswith("gap")) else 1e-12
        assert diff < tol, f"{n}: relative difference {diff:.3e} (tolerance {tol:g})"
print(f"{len(names)} datasets agree on 1, 2 and 3 ranks (worst relative difference {worst:.2e})")
print("1 passed, 0 failed")
PY

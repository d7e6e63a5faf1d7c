#!/usr/bin/env bash
# An output directory on a read-only file system (a read-only tmpfs mounted
# for the test: root writes through permissions, not through this) is
# refused before anything is computed: exit 1, one paragraph naming the
# output and the cause, on 1 and 2 ranks, for evolve, steady and a sweep.
# Skipped (77) where mounting is not allowed.
# Usage: read_only_dir.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
ro=$(mktemp -d)
mount -t tmpfs -o ro,size=1m tmpfs "$ro" 2>/dev/null || { echo "cannot mount a read-only tmpfs here"; rmdir "$ro"; exit 77; }
trap 'umount "$ro"; rmdir "$ro"' EXIT
fail() { echo "FAIL: $*"; cat "$log"; exit 1; }
log=$(mktemp)
for n in 1 2; do
  for args in "evolve $src/inputs/qubit.toml" "steady $src/inputs/xxz_chain.toml" \
              "steady $src/inputs/chain_length_scan.toml"; do
    start=$(date +%s)
    mpiexec --oversubscribe -n $n "$qcoll" $args -o "$ro/out.h5" > "$log" 2>&1
    status=$?
    took=$(( $(date +%s) - start ))
    echo "== $n rank(s): qcoll $args: exit $status in $took s"; cat "$log"
    [ $status -eq 1 ] || fail "exit status $status, expected 1"
    grep -q "qcoll: error: .*$ro/out.h5.*Read-only file system" "$log" || fail "the cause is not named"
    ! grep -q "PETSC ERROR" "$log" || fail "a PETSc traceback"
    ! grep -qE "^(steady|evolve|sweep):" "$log" || fail "it computed before refusing"
  done
done
rm -f "$log"
echo "a read-only output directory is refused before computing"

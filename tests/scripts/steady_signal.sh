#!/usr/bin/env bash
# SIGTERM during an iterative steady-state solve stops it within seconds:
# exit status 2, a message naming the signal, and an output file without the
# attribute `complete` (the steady task has no checkpoint). The solve is the
# 8-site chain with ASM/ILU (BiCGStab, tens of seconds; no uniqueness check,
# whose LU would not be interruptible), signalled after 3 s.
# Usage: steady_signal.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
out="$work/signal.h5"
mpiexec --oversubscribe -n 2 "$qcoll" steady "$src/inputs/xxz_chain.toml" -o "$out" \
  --set system.model.sites=8 --set 'species.cold.coupling=[["g","sp",7,"sm","A"],["g","sm",7,"sp","A"]]' \
  --set steady.gap=false --set 'evolve.observables=[]' -steady_pc_type asm -steady_check_unique false \
  > "$work/log" 2>&1 &
launcher=$!
sleep 3
kill -0 $launcher 2>/dev/null || { echo "the solve ended before the signal"; cat "$work/log"; exit 1; }
pkill -TERM -f "^$qcoll steady .*$out"  # the qcoll processes, not the launcher
start=$(date +%s)
wait $launcher
status=$?
took=$(( $(date +%s) - start ))
cat "$work/log"
[ "$took" -le 10 ] || { echo "FAIL: stopped $took s after SIGTERM (at most 10 s)"; exit 1; }
grep -q "stopped by a signal" "$work/log" || { echo "FAIL: no message naming the signal"; exit 1; }
[ "$status" -ne 0 ] || { echo "FAIL: exit status 0 after a stopped solve"; exit 1; }
/usr/bin/python3 - "$out" <<'PY' || exit 1
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert "complete" not in f.attrs or f.attrs["complete"] == 0, "a stopped run is marked complete"
PY
echo "stopped $took s after SIGTERM, exit status $status, output not complete"

#!/usr/bin/env bash
# SIGTERM during an iterative steady-state solve stops it within seconds and
# saves the last iterate: exit status 0, the restart command, a checkpoint,
# an output without the attribute `complete`. `--restart` continues the
# solve from that iterate (not from [initial]) to the steady state, removes
# the checkpoint and marks the output complete. The solve is the 8-site
# chain with ASM/ILU (BiCGStab, about 20 s; no uniqueness check), signalled
# after 3 s.
# Usage: steady_signal.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
out="$work/signal.h5"
args=(steady "$src/inputs/xxz_chain.toml" --set system.model.sites=8
      --set 'species.cold.coupling=[["g","sp",7,"sm","A"],["g","sm",7,"sp","A"]]'
      --set steady.gap=false --set 'evolve.observables=[]' -steady_pc_type asm
      -steady_check_unique false)
mpiexec --oversubscribe -n 2 "$qcoll" "${args[@]}" -o "$out" > "$work/log" 2>&1 &
launcher=$!
sleep 3
kill -0 $launcher 2>/dev/null || { echo "the solve ended before the signal"; cat "$work/log"; exit 1; }
pkill -TERM -f "^$qcoll steady .*$out"  # the qcoll processes, not the launcher
start=$(date +%s)
wait $launcher
status=$?
took=$(( $(date +%s) - start ))
cat "$work/log"
fail() { echo "FAIL: $*"; exit 1; }
[ "$took" -le 10 ] || fail "stopped $took s after SIGTERM (at most 10 s)"
[ "$status" -eq 0 ] || fail "exit status $status after a stop with a checkpoint"
grep -q "stopped by a signal in iteration" "$work/log" || fail "no message naming the signal"
grep -q "Continue with:" "$work/log" && grep -q -- "-steady_pc_type asm" "$work/log" ||
  fail "no restart command with the run's PETSc options"
[ -f "$out.checkpoint" ] || fail "no checkpoint"
/usr/bin/python3 - "$out" <<'PY' || exit 1
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert "complete" not in f.attrs or f.attrs["complete"] == 0, "a stopped run is marked complete"
PY
mpiexec --oversubscribe -n 2 "$qcoll" "${args[@]}" --restart "$out" > "$work/log" 2>&1
status=$?
cat "$work/log"
[ "$status" -eq 0 ] || fail "the restart failed"
grep -q "continuing from the iterate saved in $out.checkpoint" "$work/log" ||
  fail "the restart did not start from the saved iterate"
[ ! -e "$out.checkpoint" ] || fail "the checkpoint is left after the finished run"
/usr/bin/python3 - "$out" <<'PY' || exit 1
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["complete"] == 1
assert f["steady/residual"][()] < 1e-10, f["steady/residual"][()]
PY
echo "stopped $took s after SIGTERM with a checkpoint; the restart continued it to the steady state"

#!/usr/bin/env bash
# Kills evolve runs with SIGTERM and with SIGKILL at random moments, restarts
# them with --restart, and checks that the result equals an uninterrupted run
# to 1e-10, with a time series that has no gap and no duplicate.
# Usage: checkpoint_restart.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
deck=$src/inputs/xxz_chain.toml
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
set_args=(--set evolve.t_final=40 --set evolve.dt_output=0.25 --set evolve.entropy=false
          --set checkpoint.every_seconds=0.2)
passed=0; failed=0
"$qcoll" evolve "$deck" -o "$work/full.h5" "${set_args[@]}" > "$work/full.log" || { echo "reference run failed"; exit 1; }

compare() {  # compare FILE against the reference
  /usr/bin/python3 - "$work/full.h5" "$1" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert b.attrs["complete"] == 1, "restarted file not marked complete"
t = b["evolve/t"][:]
assert np.allclose(np.diff(t), 0.25, atol=1e-12), "time series has a gap or a duplicate"
assert np.array_equal(t, a["evolve/t"][:])
for k in ["energy", "dEdt", "work_coherent", "heat_incoherent", "heat_ancilla", "purity", "rho_final"]:
    d = np.max(np.abs(a["evolve/" + k][:] - b["evolve/" + k][:]))
    assert d < 1e-10, f"{k} differs by {d:.3e}"
print("restart matches the uninterrupted run")
PY
}

for signal in TERM TERM KILL KILL; do
  out="$work/cut_${signal}_$RANDOM.h5"
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 1.0 * r / 32767 }')
  mpiexec --oversubscribe -n 2 "$qcoll" evolve "$deck" -o "$out" "${set_args[@]}" > "$work/run.log" 2>&1 &
  launcher=$!
  # Wait (bounded) until the run is under way, with a first checkpoint, then
  # kill it at a random moment of the next second.
  for _ in $(seq 600); do [ -f "$out.checkpoint" ] && break; kill -0 $launcher 2>/dev/null || break; sleep 0.1; done
  sleep "$delay"
  # signal the qcoll processes (not the launcher), as a batch system does
  pkill -"$signal" -f "^$qcoll evolve .*$out"
  wait $launcher 2>/dev/null
  status=$?
  if [ "$signal" = TERM ] && [ $status -ne 0 ] && ! grep -q "output:" "$work/run.log"; then
    echo "SIGTERM run exited with $status:"; cat "$work/run.log"; failed=$((failed + 1)); continue
  fi
  if [ ! -f "$out.checkpoint" ]; then
    if grep -q "output:" "$work/run.log"; then
      echo "SIG$signal ${delay}s after the first checkpoint: run had already finished; nothing to restart"; passed=$((passed + 1)); continue
    fi
    echo "SIG$signal ${delay}s after the first checkpoint: no checkpoint left"; cat "$work/run.log"; failed=$((failed + 1)); continue
  fi
  mpiexec --oversubscribe -n 2 "$qcoll" evolve "$deck" --restart "$out" "${set_args[@]}" > "$work/restart.log" 2>&1
  if compare "$out"; then
    echo "SIG$signal ${delay}s after the first checkpoint: restart ok ($(grep -o 'restarting from .*' "$work/restart.log"))"
    passed=$((passed + 1))
  else
    echo "SIG$signal ${delay}s after the first checkpoint: restart differs"; cat "$work/restart.log"; failed=$((failed + 1))
  fi
  if [ -f "$out.checkpoint" ]; then echo "checkpoint not removed after completion"; failed=$((failed + 1)); fi
done

# A restart with other physics is refused (exit 1, naming the key) and leaves
# the checkpoint as it was.
out="$work/other_deck.h5"
mpiexec --oversubscribe -n 2 "$qcoll" evolve "$deck" -o "$out" "${set_args[@]}" > "$work/run.log" 2>&1 &
launcher=$!
for _ in $(seq 600); do [ -f "$out.checkpoint" ] && break; kill -0 $launcher 2>/dev/null || break; sleep 0.1; done
pkill -TERM -f "^$qcoll evolve .*$out"
wait $launcher 2>/dev/null
if [ -f "$out.checkpoint" ]; then
  before=$(md5sum < "$out.checkpoint")
  "$qcoll" evolve "$deck" --restart "$out" "${set_args[@]}" --set species.hot.lambda=0.35 > "$work/other.log" 2>&1
  status=$?
  if [ $status -eq 1 ] && grep -q "species.hot.lambda is 0.35 here" "$work/other.log" &&
     [ "$(md5sum < "$out.checkpoint")" = "$before" ]; then
    echo "restart with another lambda refused"; passed=$((passed + 1))
  else
    echo "restart with another lambda: exit $status"; cat "$work/other.log"; failed=$((failed + 1))
  fi
else
  echo "other-deck check: the run finished before it could be stopped; not checked"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# Kills collide runs with SIGTERM and with SIGKILL at random moments, restarts
# them with --restart, and checks that every dataset of /collide equals an
# uninterrupted run to 1e-10, with per-stroke series that have no gap and no
# duplicate. Three tau values on two ranks: one rank runs two of them one
# after the other, so kills land before, during and after a finished run.
# Also checks that a restart with different physics is refused.
# Usage: collide_checkpoint_restart.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
deck=$src/inputs/xxz_chain.toml
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
set_args=(--set 'collide.tau=[0.2,0.1,0.05]' --set collide.t_final=24 --set collide.output_every=3
          --set checkpoint.every_seconds=0.3)
passed=0; failed=0
mpiexec --oversubscribe -n 2 "$qcoll" collide "$deck" -o "$work/full.h5" "${set_args[@]}" > "$work/full.log" 2>&1 || { echo "reference run failed"; cat "$work/full.log"; exit 1; }

compare() {  # compare FILE against the reference
  /usr/bin/python3 - "$work/full.h5" "$1" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert b.attrs["complete"] == 1, "restarted file not marked complete"
for k in range(3):
    g = f"collide/{k}"
    strokes = int(b[g].attrs["strokes"])
    expected = sorted(set(range(3, strokes + 1, 3)) | {strokes})
    assert list(b[g + "/stroke"][:]) == expected, f"{g}/stroke has a gap or a duplicate"
    for name in ("tau", "strokes", "t_final"):
        assert a[g].attrs[name] == b[g].attrs[name], f"{g} attribute {name} differs"
names = []
a["collide"].visit(lambda n: names.append(n) if isinstance(a["collide/" + n], h5py.Dataset) else None)
assert set(names) == set(n for n in names if "collide/" + n in b), "datasets missing"
for n in names:
    x, y = a["collide/" + n][()], b["collide/" + n][()]
    if x.dtype.names:
        x, y = x["r"] + 1j * x["i"], y["r"] + 1j * y["i"]
    assert x.shape == y.shape, f"{n}: shape {y.shape}, expected {x.shape}"
    finite = np.isfinite(x)
    assert np.array_equal(finite, np.isfinite(y)), f"{n}: NaN/inf at other places"
    d = np.max(np.abs(x[finite] - y[finite]), initial=0.0)
    assert d < 1e-10, f"{n} differs by {d:.3e}"
for name in ("order_final_distance", "order_entropy_production"):
    assert abs(a["collide"].attrs[name] - b["collide"].attrs[name]) < 1e-10, f"{name} differs"
print(f"restart matches the uninterrupted run ({len(names)} datasets)")
PY
}

refusal_checked=0
for signal in TERM TERM KILL KILL; do
  out="$work/cut_${signal}_$RANDOM.h5"
  delay=$(awk -v r=$RANDOM 'BEGIN { printf "%.2f", 2.0 * r / 32767 }')
  mpiexec --oversubscribe -n 2 "$qcoll" collide "$deck" -o "$out" "${set_args[@]}" > "$work/run.log" 2>&1 &
  launcher=$!
  # Wait (bounded) until the run is under way, with a first checkpoint, then
  # kill it at a random moment of the next 2 seconds.
  for _ in $(seq 600); do [ -f "$out.checkpoint" ] && break; kill -0 $launcher 2>/dev/null || break; sleep 0.1; done
  sleep "$delay"
  # signal the qcoll processes (not the launcher), as a batch system does
  pkill -"$signal" -f "^$qcoll collide .*$out"
  wait $launcher 2>/dev/null
  status=$?
  if [ "$signal" = TERM ] && [ $status -ne 0 ]; then
    echo "SIGTERM run exited with $status:"; cat "$work/run.log"; failed=$((failed + 1)); continue
  fi
  if [ "$signal" = TERM ] && ! grep -q "output:" "$work/run.log" && ! grep -q -- "--restart $out" "$work/run.log"; then
    echo "SIGTERM run neither finished nor printed the restart command:"; cat "$work/run.log"; failed=$((failed + 1)); continue
  fi
  if [ ! -f "$out.checkpoint" ]; then
    if grep -q "output:" "$work/run.log"; then
      echo "SIG$signal ${delay}s after the first checkpoint: run had already finished; nothing to restart"; passed=$((passed + 1)); continue
    fi
    echo "SIG$signal ${delay}s after the first checkpoint: no checkpoint left"; cat "$work/run.log"; failed=$((failed + 1)); continue
  fi
  if [ $refusal_checked -eq 0 ]; then  # different physics: refused, checkpoint kept
    refusal_checked=1
    cp "$out.checkpoint" "$work/saved.checkpoint"
    "$qcoll" collide "$deck" --restart "$out" "${set_args[@]}" --set species.hot.lambda=0.1 > "$work/refused.log" 2>&1
    status=$?
    if [ $status -ne 1 ] || ! grep -q "species.hot.lambda is 0.1 here and 0.2 in the checkpoint" "$work/refused.log" \
       || ! cmp -s "$out.checkpoint" "$work/saved.checkpoint"; then
      echo "restart with a different lambda was not refused cleanly (status $status):"; cat "$work/refused.log"; failed=$((failed + 1))
    else
      echo "restart with a different lambda refused: $(grep -o 'the deck differs[^:]*' "$work/refused.log")"; passed=$((passed + 1))
    fi
  fi
  mpiexec --oversubscribe -n 2 "$qcoll" collide "$deck" --restart "$out" "${set_args[@]}" > "$work/restart.log" 2>&1
  if compare "$out"; then
    echo "SIG$signal ${delay}s after the first checkpoint: restart ok ($(grep -o 'restarting from .*' "$work/restart.log"))"
    passed=$((passed + 1))
  else
    echo "SIG$signal ${delay}s after the first checkpoint: restart differs"; cat "$work/restart.log"; failed=$((failed + 1))
  fi
  if [ -f "$out.checkpoint" ]; then echo "checkpoint not removed after completion"; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

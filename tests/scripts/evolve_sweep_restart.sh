#!/usr/bin/env bash
# Evolve sweeps and checkpoints: stops a whole-sweep run (SIGUSR1, on 1 rank
# and through mpiexec on 2 ranks) and kills one (SIGKILL) while its second
# point runs, stops a --sweep-index run, restarts each with --restart, and
# checks that the result equals an uninterrupted sweep to 1e-10 (every
# dataset of /sweep), that finished points were kept, not recomputed, that
# a restart with another deck recomputes them, and that
# jobs/sweep_array.sbatch continues a stopped point.
# Usage: evolve_sweep_restart.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
deck=$work/sweep.toml
cp "$src/inputs/xxz_chain.toml" "$deck"
printf '\n[sweep]\nkey = "species.hot.lambda"\nvalues = [0.1, 0.3, 0.5]\n' >> "$deck"
sets=(--set evolve.t_final=20 --set evolve.dt_output=0.25 --set evolve.entropy=false
      --set evolve.store_states=10 --set checkpoint.every_seconds=0.1)
passed=0; failed=0
pass() { echo "ok: $1"; passed=$((passed + 1)); }
fail() { echo "FAILED: $1"; [ -n "${2:-}" ] && cat "$2"; failed=$((failed + 1)); }

"$qcoll" evolve "$deck" -o "$work/full.h5" "${sets[@]}" > "$work/full.log" 2>&1 ||
  { cat "$work/full.log"; echo "reference run failed"; exit 1; }

compare() {  # compare FILE [POINT]: FILE's /sweep (or only POINT's group and row) against the reference
  /usr/bin/python3 - "$work/full.h5" "$@" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
point = int(sys.argv[3]) if len(sys.argv) > 3 else None
assert b.attrs["complete"] == 1, "restarted file not marked complete"
checked = 0
def visit(name, ds):
    global checked
    if not isinstance(ds, h5py.Dataset) or name in ("values", "index"):
        return
    head = name.split("/")[0]
    if head.isdigit():  # a point's group
        if point is not None and head != str(point):
            return
        x, y = ds[()], b["sweep"][name][()]
    elif point is None:  # a table
        x, y = ds[()], b["sweep"][name][()]
    else:  # the point's row of a table
        x, y = ds[list(a["sweep/index"][()]).index(point)], b["sweep"][name][0]
    assert np.shape(x) == np.shape(y), f"{name}: {np.shape(x)} != {np.shape(y)}"
    d = float(np.max(np.abs(x - y))) if np.size(x) else 0.0
    assert d < 1e-10, f"{name} differs by {d:.3e}"
    checked += 1
a["sweep"].visititems(visit)
t = b[f"sweep/{point if point is not None else 1}/t"][()]
assert np.allclose(np.diff(t), 0.25, atol=1e-12), "time series has a gap or a duplicate"
assert checked > 20, f"only {checked} datasets compared"
for k in ([point] if point is not None else range(3)):
    assert b[f"sweep/{k}"].attrs["complete"] == 1
print(f"restart matches the uninterrupted sweep ({checked} datasets)")
PY
}

# wait_for LOG PATTERN PID: until LOG matches (true) or PID ended (false), at most 60 s.
wait_for() {
  for _ in $(seq 1200); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# Starts a run in the background (pid in $run_pid); ranks 1 runs qcoll itself.
start() {  # start NRANKS OUT LOG ARGS...
  local np=$1 out=$2 log=$3; shift 3
  if [ "$np" -eq 1 ]; then
    "$qcoll" evolve "$deck" -o "$out" "${sets[@]}" "$@" > "$log" 2>&1 &
  else
    # Open MPI's launcher forwards SIGUSR1 to the ranks, as a batch system signals them.
    mpiexec --oversubscribe -n "$np" "$qcoll" evolve "$deck" -o "$out" "${sets[@]}" "$@" > "$log" 2>&1 &
  fi
  run_pid=$!
  pids+=("$run_pid")
}

restart() {  # restart NRANKS OUT LOG ARGS...
  local np=$1 out=$2 log=$3; shift 3
  if [ "$np" -eq 1 ]; then
    "$qcoll" evolve "$deck" --restart "$out" "${sets[@]}" "$@" > "$log" 2>&1
  else
    mpiexec --oversubscribe -n "$np" "$qcoll" evolve "$deck" --restart "$out" "${sets[@]}" "$@" > "$log" 2>&1
  fi
}

# 1, 2: SIGUSR1 while point 1 runs: the run stops with a checkpoint of point 1.
for np in 1 2; do
  out=$work/stop_np$np.h5
  start "$np" "$out" "$work/stop.log"
  if ! wait_for "$work/stop.log" "sweep: point 1 (2 of 3)" "$run_pid"; then
    fail "np $np: the sweep did not reach point 1" "$work/stop.log"; continue
  fi
  kill -USR1 "$run_pid"
  wait "$run_pid"; status=$?
  if [ $status -ne 0 ] || ! grep -q "stopped early" "$work/stop.log"; then
    fail "np $np: SIGUSR1 did not stop the sweep cleanly (exit $status)" "$work/stop.log"; continue
  fi
  grep -q "stopped in point 1" "$work/stop.log" ||
    echo "note: np $np stopped in another point than 1: $(grep -o 'stopped in point [0-9]*' "$work/stop.log")"
  restart "$np" "$out" "$work/restart.log"
  if ! grep -q "point 0 was finished before the restart" "$work/restart.log"; then
    fail "np $np: the restart did not keep the finished point 0" "$work/restart.log"
  elif ! grep -q "restarting from" "$work/restart.log"; then
    fail "np $np: the restart did not resume the stopped point from its checkpoint" "$work/restart.log"
  elif ! compare "$out"; then
    fail "np $np: the restarted sweep differs" "$work/restart.log"
  elif [ -f "$out.checkpoint" ]; then
    fail "np $np: checkpoint not removed after the sweep completed"
  else
    pass "np $np: SIGUSR1 in point 1, restart keeps point 0, resumes point 1, equals the full sweep"
  fi
done

# 3: SIGKILL while point 1 runs (no chance to checkpoint on the way out).
out=$work/kill.h5
start 1 "$out" "$work/kill.log"
if wait_for "$work/kill.log" "sweep: point 1 (2 of 3)" "$run_pid"; then
  sleep 0.15
  kill -KILL "$run_pid"; wait "$run_pid" 2>/dev/null
  if grep -q "^output:" "$work/kill.log"; then
    pass "SIGKILL: the sweep had already finished; nothing to restart"
  elif [ ! -f "$out.checkpoint" ]; then
    fail "SIGKILL: no checkpoint left" "$work/kill.log"
  else
    restart 1 "$out" "$work/restart.log"
    if compare "$out"; then
      pass "SIGKILL in point 1: restart equals the full sweep ($(grep -c 'finished before the restart' "$work/restart.log") point(s) kept)"
    else
      fail "SIGKILL: the restarted sweep differs" "$work/restart.log"
    fi
  fi
else
  fail "SIGKILL: the sweep did not reach point 1" "$work/kill.log"
fi

# 4: a --sweep-index run stopped and restarted with the same --sweep-index.
out=$work/point2.h5
start 1 "$out" "$work/point.log" --sweep-index 2
if wait_for "$work/point.log" "sweep: point 2 (1 of 1)" "$run_pid"; then
  kill -USR1 "$run_pid"; wait "$run_pid"
  if grep -q "^output:" "$work/point.log"; then
    pass "--sweep-index: the point had already finished; nothing to restart"
  else
    restart 1 "$out" "$work/restart.log" --sweep-index 2
    if grep -q "restarting from" "$work/restart.log" && compare "$out" 2; then
      pass "--sweep-index 2 stopped and restarted equals point 2 of the full sweep"
    else
      fail "--sweep-index restart" "$work/restart.log"
    fi
  fi
else
  fail "--sweep-index: the run did not start" "$work/point.log"
fi

# 5: a restart with another deck keeps no point of the old one.
out=$work/other.h5
start 1 "$out" "$work/other.log"
if wait_for "$work/other.log" "sweep: point 1 (2 of 3)" "$run_pid"; then
  kill -USR1 "$run_pid"; wait "$run_pid"
  restart 1 "$out" "$work/restart.log" --set evolve.t_final=10
  if [ $? -ne 0 ] || grep -q "finished before the restart\|restarting from" "$work/restart.log"; then
    fail "a restart with another deck kept or resumed points of the old deck" "$work/restart.log"
  elif ! /usr/bin/python3 -c "import h5py, sys; f = h5py.File(sys.argv[1], 'r'); \
assert list(f['sweep/t_final'][()]) == [10.0] * 3" "$out"; then
    fail "a restart with another deck: not every point ran to the new t_final" "$work/restart.log"
  else
    pass "a restart with another deck recomputes every point"
  fi
else
  fail "other deck: the sweep did not reach point 1" "$work/other.log"
fi

# 6: jobs/sweep_array.sbatch (run without SLURM) continues a stopped evolve
# point from its checkpoint instead of starting it anew.
mkdir -p "$work/array"
out=$work/array/sweep_1.h5
start 1 "$out" "$work/array.log" --sweep-index 1
if wait_for "$work/array.log" "sweep: point 1 (1 of 1)" "$run_pid"; then
  kill -USR1 "$run_pid"; wait "$run_pid"
  if [ ! -f "$out.checkpoint" ]; then
    fail "sweep_array.sbatch: the point left no checkpoint" "$work/array.log"
  elif SWEEP_INDEX=1 TASK=evolve DECK=$deck OUTDIR=$work/array QCOLL=$qcoll NP=1 SETS="${sets[*]}" \
      bash "$src/jobs/sweep_array.sbatch" > "$work/array_job.log" 2>&1 &&
      grep -q "restarting from" "$work/array_job.log" && compare "$out" 1; then
    pass "sweep_array.sbatch continues a stopped evolve point from its checkpoint"
  else
    fail "sweep_array.sbatch did not continue the stopped point" "$work/array_job.log"
  fi
else
  fail "sweep_array.sbatch: the point did not start" "$work/array.log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# SIGTERM inside the parts of a run that poll no stop flag (an LU
# factorisation, the block spectrum's exp(t L) and dense solves) ends the run
# within seconds (tasks/stop_watchdog.hpp): one paragraph naming the part, an
# output that h5py reads and that is not marked complete; in a sweep, exit 0
# with the restart command and the points finished before it kept.
# Usage: uninterruptible_signal.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
work=$(mktemp -d)
trap 'pkill -KILL -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; cat "$work/log"; exit 1; }

# run_and_signal NAME EXPECTED_STATUS WAIT_FOR_LINE DELAY -- qcoll arguments
# (WAIT_FOR_LINE "-": DELAY counts from the start)
run_and_signal() {
  local name=$1 expected=$2 wait_line=$3 delay=$4; shift 5
  local out="$work/$name.h5"
  "$qcoll" "$@" -o "$out" > "$work/log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 300); do  # up to 30 s for the line that says the part began
    [ "$wait_line" = "-" ] || grep -q "$wait_line" "$work/log" && break
    kill -0 $pid 2>/dev/null || fail "$name: ended before '$wait_line'"
    sleep 0.1
  done
  sleep "$delay"
  kill -0 $pid 2>/dev/null || fail "$name: ended before the signal"
  kill -TERM $pid
  local start status took
  start=$(date +%s.%N)
  wait $pid
  status=$?
  took=$(echo "$(date +%s.%N) - $start" | bc)
  echo "== $name: exit $status, $took s after SIGTERM"
  cat "$work/log"
  [ "$(echo "$took <= 10" | bc)" = 1 ] || fail "$name: stopped $took s after SIGTERM (at most 10 s)"
  [ "$status" -eq "$expected" ] || fail "$name: exit status $status, expected $expected"
  grep -q "stopped by a signal (SIGTERM or SIGUSR1) during the" "$work/log" ||
    fail "$name: no message naming the part"
  ! grep -q "PETSC ERROR" "$work/log" || fail "$name: a PETSc traceback"
  /usr/bin/python3 - "$out" <<'PY' || fail "$name: output"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs.get("complete", 0) == 0, "a stopped run is marked complete"
assert "deck" in f.attrs and "model" in f, "the header written before the solve is lost"
PY
}

chain="$src/inputs/xxz_chain.toml"
# 1. The LU factorisation of a steady state (8-site chain, 65536 unknowns).
run_and_signal lu 2 "LU factorisation" 2 -- steady "$chain" --set system.model.sites=8 \
  --set steady.gap=false --set 'steady.method="direct"'
grep -q "during the steady-state solve" "$work/log" || fail "lu: the part is not named"

# 2. The block spectrum of the 6-site chain (about 15 s of exp(t L) and dense solves).
run_and_signal spectrum 2 - 4 -- spectrum "$chain"
grep -q "during the spectrum solve" "$work/log" || fail "spectrum: the part is not named"

# 3. A sweep stopped in the LU of its second point keeps the first.
run_and_signal sweep 0 "sweep: point 1" 2 -- steady "$src/inputs/chain_length_scan.toml" \
  --set 'sweep.values=[3, 8]' --set 'steady.method="direct"'
grep -q "Continue with:" "$work/log" && grep -q -- "--restart" "$work/log" ||
  fail "sweep: no restart command"
/usr/bin/python3 - "$work/sweep.h5" <<'PY' || fail "sweep: the finished point is lost"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f["sweep/0"].attrs["complete"] == 1 and "rho" in f["sweep/0"]
assert "1" not in f["sweep"] or f["sweep/1"].attrs.get("complete", 0) == 0
PY
# 4. That file continues: the restart keeps point 0 (and is stopped the same way).
cp "$work/sweep.h5" "$work/again.h5"
run_and_signal again 0 "sweep: point 1" 2 -- steady "$src/inputs/chain_length_scan.toml" \
  --restart "$work/again.h5" --set 'sweep.values=[3, 8]' --set 'steady.method="direct"'
grep -q "point 0 was finished before the restart" "$work/log" || fail "again: point 0 recomputed"
echo "every uninterruptible part stopped within 10 s"

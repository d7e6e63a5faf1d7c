#!/usr/bin/env bash
# A full disk, emulated by a file-size limit (ulimit -f 10000: 10 MB per
# file; root ignores permissions, but not this limit). An output that cannot
# fit is refused before the run, naming the key; with --force the write fails
# and the run ends with one message naming the file, exit 2, on 1 and 2
# ranks: no crash (HDF5 cannot close such a file: main ends without its
# shutdown), an existing output it would replace left as it was, and no
# output marked complete.
# Usage: full_disk.sh QCOLL_BINARY SOURCE_DIR
set -uo pipefail
qcoll=$1; src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*"; cat "$work/log"; exit 1; }
# The 6-site chain storing every state: 401 states of 64 KiB, about 26 MB.
args=(evolve "$src/inputs/xxz_chain.toml" --set evolve.store_states=1 --set evolve.t_final=200
      -o "$work/out.h5" --overwrite)

(ulimit -f 10000; "$qcoll" "${args[@]}") > "$work/log" 2>&1
status=$?
cat "$work/log"
[ $status -eq 1 ] || fail "up front: exit $status, expected 1"
grep -q "key evolve.store_states" "$work/log" && grep -q "free" "$work/log" ||
  fail "up front: no refusal naming evolve.store_states and the free space"
[ ! -e "$work/out.h5" ] || fail "up front: an output was written"

# An existing output that the failing runs would replace: it must stay as it was.
"$qcoll" evolve "$src/inputs/qubit.toml" -o "$work/out.h5" > "$work/log" 2>&1 || fail "the old output"
for n in 1 2; do
  (ulimit -f 10000; mpiexec --oversubscribe -n $n "$qcoll" "${args[@]}" --force) > "$work/log" 2>&1
  status=$?
  echo "== --force on $n rank(s): exit $status"
  cat "$work/log"
  [ $status -eq 2 ] || fail "$n ranks: exit $status, expected 2"
  grep -q "qcoll: error: the evolve task failed: HDF5 file '$work/out.h5.new'" "$work/log" ||
    fail "$n ranks: no message naming the file"
  grep -q "file write failed" "$work/log" || fail "$n ranks: the cause is not named"
  ! grep -qE "Segmentation|signal|core dumped|PETSC ERROR" "$work/log" || fail "$n ranks: a crash"
  grep -q "$work/out.h5 is left as it was" "$work/log" || fail "$n ranks: no word on the old output"
  /usr/bin/python3 - "$work/out.h5" <<'PY' || fail "$n ranks: the old output was touched"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
assert f.attrs["complete"] == 1 and f.attrs["title"] == "paper's qubit example", dict(f.attrs)
assert "evolve" in f
PY
  [ ! -e "$work/out.h5.new" ] || fail "$n ranks: the failed replacement is left behind"
done
# Without an old output the failed run leaves no file marked complete.
rm -f "$work/out.h5"
(ulimit -f 10000; "$qcoll" "${args[@]}" --force) > "$work/log" 2>&1
[ $? -eq 2 ] || fail "new output: exit status"
/usr/bin/python3 - "$work/out.h5" <<'PY' || fail "new output: marked complete"
import sys, h5py
try:
    f = h5py.File(sys.argv[1], "r")
except OSError:
    sys.exit(0)  # truncated by the limit: unreadable, so certainly not complete
assert f.attrs.get("complete", 0) == 0
PY
echo "a full disk ends every run with one message, exit 2, nothing marked complete"

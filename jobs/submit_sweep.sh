#!/bin/bash
# qcoll: submit a parameter sweep as a SLURM job array plus a merge step.
#
#   jobs/submit_sweep.sh DECK.toml            # run from the repository root
#   TASK=evolve SETS="--set evolve.t_final=50" jobs/submit_sweep.sh inputs/my_sweep.toml
#
# 1. counts the points N of the deck's [sweep] section (values = [...] or
#    count = N; with [[sweep.axis]] the product of the axis lengths, or their
#    common length with mode = "zip"; set SWEEP_N yourself if the sweep is
#    changed with --set),
# 2. submits jobs/sweep_array.sbatch with --array=0-(N-1): task K runs
#    `qcoll TASK DECK --sweep-index K -o OUTDIR/sweep_K.h5`,
# 3. submits jobs/sweep_merge.sbatch with --dependency=afterok:<array job>:
#    it starts only when every array task exited 0, and merges the N files
#    into OUTDIR/sweep.h5 with post/qcoll-merge.
# It prints the two job ids (squeue -j ID; a failed point leaves the merge
# job pending with reason DependencyNeverSatisfied: scancel it, fix, resubmit).
#
# Environment (all optional; the jobs inherit it, since sbatch exports the
# submitting environment):
#   DECK                 the deck (or the first argument)
#   TASK                 steady (default) | evolve | spectrum | collide
#   SETS, PETSC_OPTS     more qcoll arguments, the same for every point
#   OUTDIR               where the files go (default sweep-<deck name>)
#   MERGED               merged file (default OUTDIR/sweep.h5)
#   SWEEP_N              number of points (default: read from the deck)
#   MAX_PARALLEL         run at most this many points at once (--array=...%M)
#   QCOLL, LAUNCHER, NP  as in single_run.sbatch
#   ARRAY_SBATCH_ARGS    more sbatch options for the array (e.g. "--ntasks=4")
#   MERGE_SBATCH_ARGS    more sbatch options for the merge step
#   SBATCH_PARTITION, SBATCH_ACCOUNT, ...   read by sbatch itself for both
set -euo pipefail

JOBS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DECK=${1:-${DECK:-}}
if [ -z "$DECK" ] || [ ! -f "$DECK" ]; then
  echo "usage: $0 DECK.toml   (a deck with a [sweep] section; got '${DECK}')" >&2
  exit 1
fi
PYTHON=${PYTHON:-/usr/bin/python3}

if [ -z "${SWEEP_N:-}" ]; then
  SWEEP_N=$("$PYTHON" - "$DECK" <<'PY'
import sys
try:
    import tomllib
except ImportError:          # Python < 3.11
    import tomli as tomllib
with open(sys.argv[1], "rb") as f:
    sweep = tomllib.load(f).get("sweep")
if not sweep:
    sys.exit(f"{sys.argv[1]}: no [sweep] section (see docs/input.md)")
def length(table):
    return len(table["values"]) if "values" in table else int(table["count"])
axes = sweep.get("axis")
if not axes:
    print(length(sweep))
elif sweep.get("mode") == "zip":
    print(length(axes[0]))
else:
    n = 1
    for axis in axes:
        n *= length(axis)
    print(n)
PY
  )
fi
if ! [ "$SWEEP_N" -ge 1 ] 2>/dev/null; then
  echo "submit_sweep: cannot tell the number of sweep points (got '$SWEEP_N'); set SWEEP_N" >&2
  exit 1
fi

name=$(basename "$DECK" .toml)
export DECK SWEEP_N
export TASK=${TASK:-steady}
export OUTDIR=${OUTDIR:-sweep-$name}
export MERGED=${MERGED:-$OUTDIR/sweep.h5}
mkdir -p "$OUTDIR"

array=0-$((SWEEP_N - 1))${MAX_PARALLEL:+%$MAX_PARALLEL}
# shellcheck disable=SC2086
array_id=$(sbatch --parsable --array="$array" ${ARRAY_SBATCH_ARGS:-} "$JOBS_DIR/sweep_array.sbatch")
array_id=${array_id%%;*}     # --parsable prints "id" or "id;cluster"
# shellcheck disable=SC2086
merge_id=$(sbatch --parsable --dependency=afterok:"$array_id" ${MERGE_SBATCH_ARGS:-} \
  "$JOBS_DIR/sweep_merge.sbatch")
merge_id=${merge_id%%;*}

echo "sweep of $DECK: $SWEEP_N points, task $TASK, files in $OUTDIR/"
echo "array job: $array_id   (--array=$array)"
echo "merge job: $merge_id   (after all of $array_id succeeded -> $MERGED)"

#!/usr/bin/env bash
# The job scripts of jobs/ on a real SLURM scheduler: a throw-away one-node
# cluster (munged, slurmctld, slurmd on localhost, all state in a temporary
# directory) runs each script with small decks and the outputs are checked.
#
#   tests/slurm/run_slurm_tests.sh QCOLL_BINARY SOURCE_DIR
#
# Needs root (slurmd launches the jobs); installs Debian's slurm-wlm and munge
# if missing. Exits 77 (CTest: skipped) when it cannot run at all, 0 when no
# sub-test failed, 1 otherwise. Sub-tests that need a qcoll feature this
# binary lacks (the sweep, checkpoint on SIGUSR1, post/qcoll-merge) are
# reported as skipped, with the reason; a checkpoint that is written but from
# which --restart fails is a failure. Closing line: "N passed, M failed, K skipped".
# Runtime on an idle 2-core machine: about 2 minutes (most of it the
# long_evolve job, which has to be signalled by SLURM's time-limit check).
#
# Environment: QCOLL_SLURM_KEEP=1 keeps the temporary directory (logs, outputs,
# slurm.conf) for inspection; QCOLL_SLURM_TIMEOUT (s, default 300) bounds the
# wait for the jobs.
set -uo pipefail

SKIP=77
if [ $# -lt 2 ]; then
  echo "usage: $0 QCOLL_BINARY SOURCE_DIR" >&2
  exit 2
fi
QCOLL=$(readlink -f "$1")
SRC=$(readlink -f "$2")
JOBS=$SRC/jobs
PY=/usr/bin/python3
TIMEOUT=${QCOLL_SLURM_TIMEOUT:-300}
T0=$(date +%s)

passed=0; failed=0; skipped=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
skip() { echo "SKIP: $*"; skipped=$((skipped + 1)); }
note() { echo "---- $*"; }
summary() {
  echo "slurm job scripts: $(( $(date +%s) - T0 )) s in total"
  echo "$passed passed, $failed failed, $skipped skipped"
}
skip_all() { echo "SKIP (whole test): $*"; echo "0 passed, 0 failed, 1 skipped"; exit "$SKIP"; }

[ -x "$QCOLL" ] || { echo "no qcoll binary at '$1'"; echo "0 passed, 1 failed"; exit 1; }

# ---------------------------------------------------------------- set-up ------
if [ "$(id -u)" != 0 ]; then
  skip_all "not root: slurmd must run as root to launch jobs, and munge/slurm may need installing"
fi

need_pkgs=()
for exe in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${exe%%:*}" >/dev/null 2>&1 || need_pkgs+=("${exe#*:}")
done
"$PY" -c 'import h5py, numpy' 2>/dev/null || need_pkgs+=(python3-h5py python3-numpy)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  # slurm-wlm pulls slurmctld, slurmd and slurm-client
  pkgs=(); for p in "${need_pkgs[@]}"; do case $p in slurm*) pkgs+=(slurm-wlm) ;; *) pkgs+=("$p") ;; esac; done
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | sort -u)
  note "installing Debian packages: ${pkgs[*]}"
  command -v apt-get >/dev/null 2>&1 || skip_all "packages ${pkgs[*]} missing and no apt-get"
  if ! apt-cache show "${pkgs[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" > /tmp/qcoll-slurm-apt.log 2>&1; then
    tail -n 5 /tmp/qcoll-slurm-apt.log
    skip_all "could not install ${pkgs[*]} (apt-get failed, log /tmp/qcoll-slurm-apt.log)"
  fi
  rm -f /tmp/qcoll-slurm-apt.log
fi
for exe in slurmctld slurmd sbatch squeue scontrol sinfo munged; do
  command -v "$exe" >/dev/null 2>&1 || skip_all "$exe still missing after installing"
done

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1

T=$(mktemp -d /tmp/qcoll-slurm.XXXXXX)
chmod 755 "$T"              # munge wants its socket's path searchable by all
# Every process started here (daemons, jobs) carries this tag in its
# environment, so that clean-up can find the stragglers by pid.
TAG="QCOLL_SLURM_TEST_TAG=$T"

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local f pid p
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$T/slurmctld.pid" ]; then
    # jobs first (qcoll checkpoints on SIGTERM: give them KillWait to end),
    # then the daemons, munged last: slurmstepd needs it to report the end
    cancel_all
    for _ in $(seq 1 30); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 1
    done
    scontrol shutdown >/dev/null 2>&1
  fi
  for f in slurmd slurmctld munge/munged; do
    [ -f "$T/$f.pid" ] || continue
    pid=$(cat "$T/$f.pid" 2>/dev/null)
    [ -n "$pid" ] || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null
  done
  # leftovers (slurmstepd, job processes): every process with our tag
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [ "$pid" = $$ ] && continue
    if { tr '\0' '\n' < "$p/environ"; } 2>/dev/null | grep -qxF "$TAG"; then
      kill -9 "$pid" 2>/dev/null
    fi
  done
  if [ "${QCOLL_SLURM_KEEP:-0}" = 1 ]; then
    echo "kept $T"
  else
    rm -rf "$T" 2>/dev/null
  fi
  exit "$rc"
}
cancel_all() {  # every job of this private cluster is ours
  local ids
  ids=$(squeue -h -o %i 2>/dev/null | paste -sd' ')
  # shellcheck disable=SC2086
  [ -n "$ids" ] && scancel --quiet $ids 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

show_logs() {  # the daemons' logs, when something went wrong with the cluster itself
  for f in "$T"/log/*.log "$T/munge/munged.log"; do
    [ -f "$f" ] && { echo "== $f (last 15 lines)"; tail -n 15 "$f"; }
  done
}

# munge: own key, socket, pid and log in $T (no system service involved).
mkdir -p "$T/munge" "$T/log" "$T/state" "$T/spool" "$T/work" "$T/tmp"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$T/munge/munge.key"
MUNGE_SOCKET=$T/munge/munge.sock
env "$TAG" munged --force --socket="$MUNGE_SOCKET" --key-file="$T/munge/munge.key" \
  --log-file="$T/munge/munged.log" --pid-file="$T/munge/munged.pid" \
  --seed-file="$T/munge/munged.seed" \
  || { show_logs; fail "munged did not start"; summary; exit 1; }
if ! munge --socket="$MUNGE_SOCKET" -n | unmunge --socket="$MUNGE_SOCKET" >/dev/null 2>&1; then
  show_logs; fail "munge credential round trip failed"; summary; exit 1
fi

# Two free TCP ports for slurmctld and slurmd.
read -r CTLD_PORT SLURMD_PORT < <("$PY" - <<'PY'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)

NODE=localhost
CPUS=$(nproc)
MEM=$(free -m | awk '/^Mem:/ { print int($2 * 0.9) }')
export SLURM_CONF=$T/slurm.conf
mkdir -p "$T/spool/slurmd-$NODE"
cat > "$SLURM_CONF" <<EOF
# single-node test cluster written by tests/slurm/run_slurm_tests.sh
ClusterName=qcolltest
SlurmctldHost=localhost
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays the restart of a requeued job (default 120 s)
AuthInfo=socket=$MUNGE_SOCKET,cred_expire=10
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool/slurmd-%n
# srun --mpi=pmix puts its per-step directories under TmpFS
TmpFS=$T/tmp
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
# no cgroups: plain process tracking, no task binding
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
SwitchType=switch/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2,bf_interval=2
JobRequeue=1
MinJobAge=600
KillWait=10
InactiveLimit=0
NodeName=$NODE NodeHostname=$(hostname -s) NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

env "$TAG" slurmctld -f "$SLURM_CONF" || { show_logs; fail "slurmctld did not start"; summary; exit 1; }
env "$TAG" slurmd -f "$SLURM_CONF" -N "$NODE" || { show_logs; fail "slurmd did not start"; summary; exit 1; }
state=""
for _ in $(seq 1 60); do
  state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null)
  [ "$state" = idle ] && break
  sleep 0.5
done
if [ "$state" != idle ]; then
  show_logs; fail "node $NODE not idle after 30 s (state '${state}')"; summary; exit 1
fi
note "cluster up in $(( $(date +%s) - T0 )) s: $NODE, $CPUS CPUs, ports $CTLD_PORT/$SLURMD_PORT, $T"

# A private copy of the binary: a rebuild of the build tree during the test
# cannot swap it under the jobs.
cp "$QCOLL" "$T/qcoll" && QCOLL=$T/qcoll

# ---------------------------------------------------------- probes -----------
# Quick local runs (no scheduler) telling which qcoll features this binary has.
W=$T/work
cd "$W" || exit 1
DECK=$SRC/inputs/qubit.toml
h5get() {  # h5get FILE EXPR: print a Python expression over the open file f
  "$PY" - "$1" "$2" <<'PY' 2>/dev/null
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    print(eval(sys.argv[2]))
PY
}
# The swept value a sweep point ran with: /sweep/values of a point file, else
# the lambda the model was built with.
POINT_VALUE='float(f["sweep/values"][0]) if "sweep" in f else float(f["model/lambda"][0])'
h5complete() { [ "$(h5get "$1" 'int(f.attrs.get("complete", 0))')" = 1 ]; }
near() { awk -v a="${1:-nan}" -v b="$2" 'BEGIN { d = a - b; exit (a != "nan" && d < 1e-9 && -d < 1e-9) ? 0 : 1 }'; }

# The sweep deck: the qubit example scanning the bath's lambda.
SWEEP_VALUES=(0.1 0.3 0.5)
cp "$DECK" "$W/sweep.toml"
printf '\n[sweep]\nkey = "species.bath.lambda"\nvalues = [%s]\n' \
  "$(IFS=,; echo "${SWEEP_VALUES[*]}")" >> "$W/sweep.toml"
sweep_task=steady; sweep_sets=""; sweep_ok=1; sweep_reason=""
if ! "$QCOLL" steady "$DECK" -o "$W/probe_steady.h5" > "$W/probe_steady.log" 2>&1; then
  note "qcoll steady does not work in this binary ($(tail -n 1 "$W/probe_steady.log")): the sweep runs evolve instead"
  sweep_task=evolve; sweep_sets="--set evolve.t_final=1"
fi
# shellcheck disable=SC2086
if ! "$QCOLL" "$sweep_task" "$W/sweep.toml" --sweep-index 1 -o "$W/probe_sweep.h5" $sweep_sets \
    > "$W/probe_sweep.log" 2>&1; then
  sweep_ok=0; sweep_reason="qcoll $sweep_task DECK --sweep-index 1 failed: $(grep -m 1 -i error "$W/probe_sweep.log" || tail -n 1 "$W/probe_sweep.log")"
elif [ "$(h5get "$W/probe_sweep.h5" "$POINT_VALUE")" != "${SWEEP_VALUES[1]}" ]; then
  sweep_ok=0
  sweep_reason="qcoll has no [sweep] yet: --sweep-index 1 ran lambda = $(h5get "$W/probe_sweep.h5" "$POINT_VALUE"), not ${SWEEP_VALUES[1]}"
fi
merge_ok=1; merge_reason=""
if [ ! -f "$SRC/post/qcoll-merge" ]; then
  merge_ok=0; merge_reason="post/qcoll-merge does not exist yet"
fi

# Checkpoint/restart: on SIGUSR1 evolve must stop, exit 0 and print how to
# continue (`--restart OUT`), and `--restart OUT` must then finish the run.
# A run made long by a small maximal step (-ts_adapt_dt_max) so that it can be
# interrupted; the same trick sizes the long_evolve job below.
LONG_PETSC="-ts_adapt_dt_max 1e-4"
restart_ok=1; restart_reason=""
if ! "$QCOLL" --help 2>&1 | grep -q -- --restart; then
  restart_ok=0; restart_reason="qcoll has no --restart yet (not in qcoll --help)"
else
  # calibration: seconds of solver time per unit of simulated time (1 rank:
  # two ranks of this tiny deck only measure MPI latency, and suffer most
  # when the machine is busy)
  # shellcheck disable=SC2086
  mpirun -n 1 "$QCOLL" evolve "$DECK" --set evolve.t_final=5 --set evolve.dt_output=0.5 \
    -o "$W/calib.h5" $LONG_PETSC > "$W/calib.log" 2>&1
  secs=$(sed -n 's/.* \([0-9.][0-9.]*\) s (method.*/\1/p' "$W/calib.log" | head -n 1)
  per_unit=$(awk -v s="${secs:-0}" 'BEGIN { v = s / 5; if (v < 1e-3) v = 1e-3; print v }')
  probe_t=$(awk -v p="$per_unit" 'BEGIN { printf "%.1f", 3 / p }')   # about 3 s of work
  # qcoll stops at the next output time: many outputs, short stop latency
  probe_args=(evolve "$DECK" --set evolve.t_final="$probe_t"
              --set evolve.dt_output="$(awk -v t="$probe_t" 'BEGIN { print t / 100 }')")
  # shellcheck disable=SC2086
  mpirun -n 1 "$QCOLL" "${probe_args[@]}" -o "$W/probe_ckpt.h5" $LONG_PETSC > "$W/probe_ckpt.log" 2>&1 &
  ppid_=$!
  sleep 1
  kill -USR1 "$ppid_" 2>/dev/null
  wait "$ppid_"; prc=$?
  if [ "$prc" -ne 0 ]; then
    restart_ok=0; restart_reason="qcoll has no --restart yet: on SIGUSR1 evolve exited with status $prc instead of checkpointing"
  elif ! grep -q -- --restart "$W/probe_ckpt.log"; then
    restart_ok=0; restart_reason="qcoll has no --restart yet: on SIGUSR1 evolve printed no '--restart' hint ($(tail -n 1 "$W/probe_ckpt.log"))"
  else
    # shellcheck disable=SC2086
    mpirun -n 1 "$QCOLL" "${probe_args[@]}" --restart "$W/probe_ckpt.h5" $LONG_PETSC > "$W/probe_restart.log" 2>&1
    prc=$?
    t_end=$(h5get "$W/probe_ckpt.h5" 'float(f["evolve/t"][-1])')
    if [ "$prc" -ne 0 ] || ! h5complete "$W/probe_ckpt.h5" || ! near "$t_end" "$probe_t"; then
      # the feature is there (it checkpointed) but broken: a failure, not a skip
      restart_ok=2
      restart_reason="qcoll evolve --restart after a SIGUSR1 checkpoint failed locally (no scheduler involved): exit status $prc, t_end = $t_end (want $probe_t): $(grep -m 1 -i error "$W/probe_restart.log" || tail -n 1 "$W/probe_restart.log")"
    fi
  fi
fi
note "features: sweep $( ((sweep_ok)) && echo "yes (task $sweep_task)" || echo "no: $sweep_reason")"
note "          qcoll-merge $( ((merge_ok)) && echo yes || echo "no: $merge_reason")"
note "          checkpoint/restart $( [ "$restart_ok" = 1 ] && echo yes || echo "no: $restart_reason")"

# ---------------------------------------------------------- submit -----------
cd "$SRC" || exit 1   # the scripts' defaults are relative to the repository root
SB=(sbatch --parsable --nodes=1 --time=5 --partition=debug)
submit() {  # submit NAME [sbatch options and script]: prints the job id
  local name=$1; shift
  local id
  id=$(env "$TAG" "${SB[@]}" --job-name="$name" "$@" 2>"$W/$name.submit.err")
  id=${id%%;*}
  [ -n "$id" ] || { echo "sbatch $name: $(cat "$W/$name.submit.err")" >&2; return 1; }
  echo "$id"
}
export QCOLL MPIRUN_FLAGS="--oversubscribe --bind-to none"
SHORT=(--set evolve.t_final=2 --set evolve.dt_output=0.5)

# 1, 2: single run, via mpirun and via srun --mpi=pmix
id_mpirun=$(DECK=$DECK OUT=$W/single_mpirun.h5 SETS="${SHORT[*]}" LAUNCHER=mpirun \
  submit single_mpirun --ntasks=2 --ntasks-per-node=2 --output="$W/single_mpirun.log" "$JOBS/single_run.sbatch")
id_srun=$(DECK=$DECK OUT=$W/single_srun.h5 SETS="${SHORT[*]}" LAUNCHER=srun \
  submit single_srun --ntasks=2 --ntasks-per-node=2 --output="$W/single_srun.log" "$JOBS/single_run.sbatch")
# 3: strong scaling on 1 and 2 ranks
id_scaling=$(DECK=$DECK SETS="${SHORT[*]}" OUTDIR=$W/scaling \
  submit scaling --ntasks=2 --ntasks-per-node=2 --output="$W/scaling.log" "$JOBS/strong_scaling.sbatch")

# 4: the sweep through submit_sweep.sh: job array, then the merge step with
# --dependency=afterok (without post/qcoll-merge that step fails, and is
# reported as skipped)
id_array=""; id_merge=""
if ((sweep_ok)); then
  if DECK=$W/sweep.toml TASK=$sweep_task SETS="$sweep_sets" OUTDIR=$W/sweep NP=1 \
      ARRAY_SBATCH_ARGS="--time=5 --output=$W/sweep_%a.log" \
      MERGE_SBATCH_ARGS="--time=5 --output=$W/sweep_merge.log" \
      env "$TAG" "$JOBS/submit_sweep.sh" > "$W/submit_sweep.out" 2>&1; then
    sed 's/^/  /' "$W/submit_sweep.out"
    id_array=$(sed -n 's/^array job: \([0-9]*\).*/\1/p' "$W/submit_sweep.out")
    id_merge=$(sed -n 's/^merge job: \([0-9]*\).*/\1/p' "$W/submit_sweep.out")
  else
    fail "submit_sweep.sh failed: $(cat "$W/submit_sweep.out")"
  fi
fi

# 5: long evolution, signalled by SLURM's time limit, checkpointing, requeueing
# itself and restarting. With --time=1 and --signal=B:USR1@50 the signal
# comes 10 to 40 s into the segment (slurmctld checks limits every 30 s), so
# about 55 s of work is sure to need a requeue. Once it has requeued, the
# wait loop below raises the job's time limit, so that the second segment
# runs to the end instead of being signalled again every 10 to 40 s.
# One rank: the script's signal handling is the same for any number, and the
# timing stays predictable on a busy machine.
id_long=""; long_t=""
if [ "$restart_ok" = 1 ]; then
  long_t=$(awk -v p="$per_unit" 'BEGIN { printf "%.1f", 55 / p }')
  id_long=$(DECK=$DECK OUT=$W/long.h5 NP=1 PETSC_OPTS="$LONG_PETSC" \
    SETS="--set evolve.t_final=$long_t --set evolve.dt_output=$(awk -v t="$long_t" 'BEGIN { print t / 400 }')" \
    submit long --ntasks=1 --ntasks-per-node=1 --time=1 --signal=B:USR1@50 --output="$W/long.log" "$JOBS/long_evolve.sbatch")
fi
note "submitted: single_mpirun=$id_mpirun single_srun=$id_srun scaling=$id_scaling array=${id_array:--} merge=${id_merge:--} long=${id_long:--}"

# ---------------------------------------------------------- wait -------------
deadline=$(( T0 + TIMEOUT ))
timed_out=0
long_extended=0
while true; do
  mapfile -t active < <(squeue -h -o '%i %T %r' 2>/dev/null)
  [ ${#active[@]} -eq 0 ] && break
  if [ -n "$id_long" ] && [ "$long_extended" = 0 ] && grep -q "requeueing job" "$W/long.log" 2>/dev/null; then
    scontrol update JobId="$id_long" TimeLimit=5 && long_extended=1 \
      && note "long_evolve requeued itself after $(( $(date +%s) - T0 )) s; its time limit is now 5 min"
  fi
  # a dependency that can never be satisfied never ends by itself
  for line in "${active[@]}"; do
    case $line in *DependencyNeverSatisfied*) scancel "${line%% *}" ;; esac
  done
  if [ "$(date +%s)" -ge "$deadline" ]; then
    timed_out=1
    note "timed out after $TIMEOUT s; still in the queue:"; printf '  %s\n' "${active[@]}"
    cancel_all
    sleep 2
    break
  fi
  sleep 2
done
note "jobs done after $(( $(date +%s) - T0 )) s"

job_state() {  # JobState and ExitCode of one job (or of every task of an array)
  [ -n "$1" ] || { echo "(not submitted)"; return; }
  scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p; s/.*[^d]ExitCode=\([0-9:]*\).*/\1/p' | paste -sd' '
}
job_ok() {  # every task COMPLETED with exit code 0:0
  local s; s=$(job_state "$1")
  [ -n "$s" ] && [ -z "$(echo "$s" | tr ' ' '\n' | grep -vxE 'COMPLETED|0:0')" ]
}
showlog() { [ -f "$1" ] && { echo "  -- $1 (last ${2:-15} lines)"; tail -n "${2:-15}" "$1" | sed 's/^/  | /'; }; }

# ---------------------------------------------------------- checks -----------
for v in mpirun srun; do
  id=$([ $v = mpirun ] && echo "$id_mpirun" || echo "$id_srun")
  f=$W/single_$v.h5; log=$W/single_$v.log
  if [ -z "$id" ]; then fail "single_run ($v): not submitted"; continue; fi
  if job_ok "$id" && h5complete "$f" && [ "$(h5get "$f" 'int(f.attrs["nranks"])')" = 2 ] \
      && grep -q "PETSc Performance Summary" "$log"; then
    pass "single_run.sbatch via $v: 2 ranks, complete HDF5, -log_view in the job log"
  else
    fail "single_run.sbatch via $v: job $(job_state "$id"), complete=$(h5get "$f" 'f.attrs.get("complete")'), nranks=$(h5get "$f" 'f.attrs.get("nranks")')"
    showlog "$log"
  fi
done

csv=$W/scaling/scaling.csv
if [ -n "$id_scaling" ] && job_ok "$id_scaling" && [ -f "$csv" ] \
    && [ "$(sed -n 1p "$csv")" = "ranks,wall_s,petsc_s,speedup,efficiency" ] \
    && awk -F, 'NR > 1 { n++; if ($1 != (n == 1 ? 1 : 2) || !($2 > 0) || !($3 > 0) || !($4 > 0) || !($5 > 0)) bad = 1 }
                END { exit (n == 2 && !bad) ? 0 : 1 }' "$csv" \
    && h5complete "$W/scaling/np1.h5" && h5complete "$W/scaling/np2.h5"; then
  pass "strong_scaling.sbatch: 1 and 2 ranks, table $(tr '\n' ' ' < "$csv")"
else
  fail "strong_scaling.sbatch: job $(job_state "$id_scaling")"; [ -f "$csv" ] && cat "$csv"; showlog "$W/scaling.log"
fi

if ! ((sweep_ok)); then
  skip "sweep_array.sbatch/submit_sweep.sh: $sweep_reason"
  skip "sweep_merge.sbatch: $sweep_reason"
else
  n=${#SWEEP_VALUES[@]}; good=1; got=""
  for ((k = 0; k < n; k++)); do
    f=$W/sweep/sweep_$k.h5
    lam=$(h5get "$f" "$POINT_VALUE")
    got="$got $lam"
    { h5complete "$f" && [ "$lam" = "${SWEEP_VALUES[k]}" ]; } || good=0
  done
  if [ -n "$id_array" ] && ((good)) && job_ok "$id_array"; then
    pass "sweep_array.sbatch: --array=0-$((n - 1)), $n complete files, lambda =$got"
  else
    fail "sweep_array.sbatch: array job $(job_state "$id_array"), lambda =$got (want ${SWEEP_VALUES[*]})"
    for ((k = 0; k < n; k++)); do showlog "$W/sweep_$k.log" 8; done
  fi
  if ! ((merge_ok)); then
    skip "sweep_merge.sbatch: $merge_reason"
  else
    merged=$W/sweep/sweep.h5
    newest=$(ls -t "$W"/sweep/sweep_[0-9]*.h5 2>/dev/null | head -n 1)
    if [ -n "$id_merge" ] && job_ok "$id_merge" && h5complete "$merged" && [ "$merged" -nt "$newest" ] \
        && [ "$(h5get "$merged" '[round(float(v), 12) for v in f["sweep/values"][()]]')" \
             = "[$(IFS=,; echo "${SWEEP_VALUES[*]}" | sed 's/,/, /g')]" ]; then
      pass "sweep_merge.sbatch: ran after the array (afterok), merged $n points into sweep.h5"
    else
      fail "sweep_merge.sbatch: job $(job_state "$id_merge"), merged file: $( [ -f "$merged" ] && h5get "$merged" 'list(f.keys())' || echo missing)"
      showlog "$W/sweep_merge.log"
    fi
  fi
fi

if [ "$restart_ok" = 0 ]; then
  skip "long_evolve.sbatch (checkpoint on --signal=B:USR1, requeue, --restart): $restart_reason"
elif [ "$restart_ok" = 2 ]; then
  fail "long_evolve.sbatch not submitted: $restart_reason"
  showlog "$W/probe_restart.log" 8
else
  f=$W/long.h5; log=$W/long.log
  restarts=$(grep -c "restart [0-9]* from the checkpoint" "$log" 2>/dev/null)
  t_end=$(h5get "$f" 'float(f["evolve/t"][-1])')
  mono=$(h5get "$f" 'bool(np.all(np.diff(f["evolve/t"][()]) > 0))')
  # reference: the same evolution uninterrupted (without the step cap)
  "$QCOLL" evolve "$DECK" --set evolve.t_final="$long_t" -o "$W/long_ref.h5" > /dev/null 2>&1
  diff=$("$PY" - "$f" "$W/long_ref.h5" <<'PY' 2>/dev/null
import sys, h5py, numpy as np
a, b = (h5py.File(n, "r")["evolve/rho_final"][()] for n in sys.argv[1:3])
print(f"{np.max(np.abs(a - b)):.1e}")
PY
)
  if [ -n "$id_long" ] && job_ok "$id_long" && [ "${restarts:-0}" -ge 1 ] && h5complete "$f" \
      && near "$t_end" "$long_t" \
      && [ "$mono" = True ] && awk -v d="${diff:-1}" 'BEGIN { exit d < 1e-6 ? 0 : 1 }'; then
    pass "long_evolve.sbatch: signalled by the time limit, $restarts requeue(s), complete at t = $t_end, |rho - uninterrupted| = $diff"
  else
    fail "long_evolve.sbatch: job $(job_state "$id_long"), restarts=$restarts, t_end=$t_end (want $long_t), t increasing=$mono, complete=$(h5get "$f" 'f.attrs.get("complete")'), |rho - ref|=$diff"
    showlog "$log" 40
  fi
fi

((timed_out)) && note "some jobs did not finish within $TIMEOUT s"
((failed)) && show_logs
summary
[ "$failed" -eq 0 ]

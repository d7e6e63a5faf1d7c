#!/usr/bin/env python3
"""Fuzz qcoll's command line: tasks, decks, --set, PETSc options, flags.

Each case is a random command line built from pieces that users get wrong
(unknown tasks and options, wrong types and sizes in --set values, bad option
files, missing values, sweep indices, restarts of missing files). Whatever
the input, qcoll must answer the way the brief says: exit 0 or 1 (2 only for
a solver failure, which these tiny runs never hit), and on exit 1 one
paragraph on stderr starting "qcoll: error:"; never a PETSc traceback, an
uncaught exception, a signal or an MPI abort.

Usage: fuzz_command_line.py QCOLL_BINARY SOURCE_DIR [CASES] [SEED]
"""
import os
import random
import subprocess
import sys
import tempfile

FORBIDDEN = ("PETSC ERROR", "terminate called", "Segmentation", "MPI_ABORT", "Aborted",
             "core dumped", "what():", "Traceback")

TASKS = ["", "check", "check", "check", "evolve", "steady", "spectrum", "collide", "frobnicate",
         "Check", "--", "-", "check check"]
KEYS = ["species.bath.lambda", "species.bath.beta", "species.bath.chi", "species.bath.name",
        "species.nosuch.lambda", "species.bath.lamda", "system.sites", "system.sites[0]",
        "system.hamiltonian", "evolve.t_final", "evolve.dt_output", "evolve.store_states",
        "collide.tau", "collide.t_final", "collide.output_every", "steady.method", "steady.nev",
        "steady.gap", "run.task", "run.output", "params.g", "params", "sweep.key",
        "sweep.values", "sweep", "initial.state", "initial.beta", "checkpoint.every_seconds",
        "machine.hot", "", ".", "a..b", "x" * 300, "species", "title"]
VALUES = ["0.3", "-1", "0", "1e400", "-1e400", "1e-400", "nan", "inf", "-inf",
          "99999999999999999999999", "9223372036854775807", "-9223372036854775808", "true",
          '"text"', "text", '""', "[]", "[1, 2]", "[[1, 2]]", '["boson1000000000000"]',
          '["spin1/2"]', "{}", "{ a = 1 }", "[0.1, 1e-30]", "'single'", '"\\u00e9"', "é",
          "1 2", "=", "[", "{", '"unterminated', "0x10", "1_000", "2024-01-01", "\x01"]
PETSC = ["-ts_type bdf", "-ts_type foo", "-ts_tpye bdf", "-ksp_type", "-steady_ksp_type foo",
         "-eps_nev 3", "-spectrum_eps_nev -5", "-log_view", "-options_file",
         "-options_file /nonexistent.opts", "-options_file {garbage}", "-options_file {dir}",
         "-ts_max_steps abc", "-help intro", "-version", "-malloc_debug", "-no_signal_handler",
         "-", "--", "-1", "-qcoll_matrix_free false", "-mat_type aij"]
FLAGS = ["--overwrite", "--force", "--sweep-index 0", "--sweep-index -1",
         "--sweep-index 99999999999999999999", "--sweep-index x", "--sweep-index",
         "--restart {missing}", "--restart", "-o", "-o {dir}", "-o {out}", "-o /nonexistent/x.h5",
         "--set", "--set =1", "--unknown", "--version", "--help"]


def deck_choices(src, tmp):
    qubit = os.path.join(src, "tests", "decks", "small_qubit.toml")
    garbage = os.path.join(tmp, "garbage.toml")
    with open(garbage, "w") as f:
        f.write("this is [not toml\n")
    empty = os.path.join(tmp, "empty.toml")
    open(empty, "w").close()
    return [qubit] * 6 + [garbage, empty, tmp, os.path.join(tmp, "missing.toml"), ""]


def build_case(rng, src, tmp):
    fill = {"garbage": os.path.join(tmp, "garbage.toml"), "dir": tmp,
            "missing": os.path.join(tmp, "missing.h5"), "out": os.path.join(tmp, "out.h5")}
    words = []
    task = rng.choice(TASKS)
    if task:
        words += task.split()
    deck = rng.choice(deck_choices(src, tmp))
    if deck:
        words.append(deck)
    for _ in range(rng.randrange(0, 4)):
        words += ["--set", f"{rng.choice(KEYS)}={rng.choice(VALUES)}"]
    for _ in range(rng.randrange(0, 3)):
        words += rng.choice(PETSC).format(**fill).split()
    for _ in range(rng.randrange(0, 3)):
        words += rng.choice(FLAGS).format(**fill).split()
    rng.shuffle(words) if rng.random() < 0.15 else None
    if "-o" not in words and "--restart" not in words:
        words += ["-o", fill["out"], "--overwrite"]
    return words


def check(binary, words, tmp):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    proc = subprocess.run([binary, *words], cwd=tmp, env=env, capture_output=True, timeout=120)
    out = proc.stdout.decode(errors="replace")
    err = proc.stderr.decode(errors="replace")
    problems = []
    if proc.returncode not in (0, 1):
        problems.append(f"exit status {proc.returncode}")
    for text in FORBIDDEN:
        if text in out or text in err:
            problems.append(f"'{text}' in the output")
    if proc.returncode == 1:
        lines = [line for line in err.splitlines() if line.strip()]
        if not lines or not lines[0].startswith("qcoll: error:"):
            problems.append("exit 1 without 'qcoll: error:' first on stderr")
        elif len(lines) > 3:
            problems.append(f"exit 1 with {len(lines)} lines on stderr, not one paragraph")
    return problems, proc.returncode, err


def main():
    binary, src = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    cases = int(sys.argv[3]) if len(sys.argv) > 3 else 150
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261205
    rng = random.Random(seed)
    failures, counts = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(cases):
            words = build_case(rng, src, tmp)
            try:
                problems, status, err = check(binary, words, tmp)
            except subprocess.TimeoutExpired:
                problems, status, err = ["no answer within 120 s"], None, ""
            counts[status] = counts.get(status, 0) + 1
            if problems:
                failures.append((i, words, problems, err))
    print(f"{cases} command lines (seed {seed}): exit statuses {counts}")
    for i, words, problems, err in failures:
        print(f"case {i}: qcoll {' '.join(repr(w) for w in words)}\n  {'; '.join(problems)}\n"
              f"  stderr: {err.strip()[:600]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""Run qcoll from Python: ``run(deck, task=..., ranks=..., set={...}, output=...)``.

    >>> import qcoll_post as qp
    >>> ds = qp.run("inputs/qubit.toml", task="evolve", ranks=2,
    ...             set={"species.bath.lambda": 0.5}, output="strong.h5", overwrite=True)
    >>> ds.heat_incoherent.sel(species="bath")

The deck is a path, TOML text or a dict (written to a file next to the
output). The qcoll executable is, in this order: the `binary` argument, the
environment variable QCOLL_BINARY, `qcoll` on the PATH, or `build/qcoll` of
the source tree this package sits in. With ranks > 1 it runs under
`mpiexec -n ranks` (with --oversubscribe beyond the CPU count; as root with
OMPI_ALLOW_RUN_AS_ROOT set). qcoll's progress lines are streamed as they
come; a failure raises QcollError carrying qcoll's message and exit status.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading

from . import toml_writer
from .dataset import open_dataset

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class QcollError(RuntimeError):
    """qcoll exited with a non-zero status: `message` is its error paragraph
    (the lines after "qcoll: error:"), `status` the exit status (1 input
    error, 2 solver failure), `command` the command line, `stderr` all of it."""

    def __init__(self, message, status, command, stderr):
        super().__init__(f"{message} (exit status {status})")
        self.message, self.status, self.command, self.stderr = message, status, command, stderr


def find_qcoll(binary=None):
    """The qcoll executable: `binary`, $QCOLL_BINARY, `qcoll` on the PATH, or
    the source tree's build/qcoll; FileNotFoundError naming what was tried."""
    tried = []
    for candidate in (binary, os.environ.get("QCOLL_BINARY"), shutil.which("qcoll"),
                      os.path.join(PACKAGE_DIR, os.pardir, os.pardir, "build", "qcoll")):
        if not candidate:
            continue
        candidate = os.path.abspath(candidate)
        tried.append(candidate)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise FileNotFoundError("no qcoll executable found (tried: " + ", ".join(tried) +
                            "); build it with `make` or pass binary= or set QCOLL_BINARY")


def _deck_file(deck, directory):
    """(path of the deck file, stem for the default output name)."""
    if isinstance(deck, dict):
        text = toml_writer.dumps(deck)
    elif isinstance(deck, os.PathLike) or (isinstance(deck, str) and "\n" not in deck
                                           and "=" not in deck):
        path = os.fspath(deck)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no deck file {path}")
        return os.path.abspath(path), os.path.splitext(os.path.basename(path))[0]
    elif isinstance(deck, str):
        text = deck
    else:
        raise TypeError("deck: a path, TOML text or a dict")
    fd, path = tempfile.mkstemp(prefix="deck_", suffix=".toml", dir=directory)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path, "deck"


def _command(binary, task, deck_path, output, settings, options, overwrite, ranks):
    command = [binary] + ([task] if task else []) + [deck_path, "-o", output]
    for key, v in (settings or {}).items():
        command += ["--set", f"{key}={v if isinstance(v, str) and _is_toml(v) else toml_writer.value(v)}"]
    if overwrite:
        command.append("--overwrite")
    command += [str(o) for o in options]
    if ranks > 1:
        mpiexec = shutil.which("mpiexec")
        if mpiexec is None:
            raise FileNotFoundError("mpiexec not found: install openmpi-bin or use ranks=1")
        extra = ["--oversubscribe"] if ranks > (os.cpu_count() or 1) else []
        command = [mpiexec, "-n", str(ranks), *extra, *command]
    return command


def _is_toml(text):
    """Whether a string given in set= is already TOML (a quoted string, an
    array, an inline table): passed on as it is; other strings are quoted."""
    t = text.strip()
    return t[:1] in ('"', "'", "[", "{")


def _environment():
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def run(deck, task=None, ranks=1, set=None, output=None, options=(), overwrite=False,
        binary=None, progress=True, group=None, cwd=None):
    """Run qcoll on `deck` and return the results as an xarray.Dataset.

    deck: a path, TOML text or a dict. task: "evolve", "steady", "spectrum",
    "collide" (None: the deck's [run] task). ranks: MPI ranks. set: {key:
    value} overrides (`--set`; values are Python numbers, strings, lists,
    dicts, written as TOML). output: the HDF5 file (default: <deck stem>.h5
    in the current directory for a deck file; in a new temporary directory
    for TOML text or a dict). options: further command-line words (PETSc
    options such as "-ts_type", "bdf"). overwrite: replace an existing
    output. progress: True prints qcoll's lines as they come, a callable
    receives each line, False is silent. group: the group to open (default:
    the file's main group, see open_dataset).
    """
    binary = find_qcoll(binary)
    workdir = None
    if output is None and (isinstance(deck, dict) or (isinstance(deck, str) and
                                                      ("\n" in deck or "=" in deck))):
        workdir = tempfile.mkdtemp(prefix="qcoll_run_")
    deck_path, stem = _deck_file(deck, workdir or os.path.dirname(os.path.abspath(output or ".")))
    if output is None:
        output = os.path.join(workdir or os.getcwd(), f"{stem}{'.' + task if task else ''}.h5")
    output = os.path.abspath(os.fspath(output))
    command = _command(binary, task, deck_path, output, set, options, overwrite, int(ranks))
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_environment(), cwd=cwd)
    errors = []
    reader = threading.Thread(target=lambda: errors.extend(proc.stderr), daemon=True)
    reader.start()
    for line in proc.stdout:
        if callable(progress):
            progress(line.rstrip("\n"))
        elif progress:
            sys.stdout.write(line)
            sys.stdout.flush()
    status = proc.wait()
    reader.join()
    stderr = "".join(errors)
    if status != 0:
        lines = [line for line in stderr.splitlines() if line.strip()]
        ours = [line[len("qcoll: error: "):] for line in lines if line.startswith("qcoll: error: ")]
        message = " ".join(ours) or (lines[0] if lines else f"qcoll failed: {' '.join(command)}")
        raise QcollError(message, status, command, stderr)
    if stderr.strip() and progress:
        sys.stderr.write(stderr)
    return open_dataset(output, group)

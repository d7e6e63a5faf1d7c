"""The README's quick start and five-minute tour run top to bottom, as printed.

The commands are read from README.md itself (every line of the two sections
that starts with `build/qcoll`, `mpiexec` or `post/qcoll-plot`, with its
continuation lines), and run in order in a fresh directory laid out like a
clone after `make`: `inputs/` and `post/` of the source tree and
`build/qcoll`. Then the README's Python snippets run there too. `make run`
itself is what CI runs; it is not repeated here.
"""
import os
import re
import shlex
import subprocess

import pytest

from helpers import mpi_env, source_dir

README = os.path.join(source_dir(), "README.md")
SECTIONS = ("## Quick start", "## A five-minute tour")
COMMAND_START = re.compile(r"^(build/qcoll|mpiexec|post/qcoll-)")


def section_lines(text):
    """The lines of the README's quick start and tour sections."""
    lines, keep = [], False
    for line in text.splitlines():
        if line.startswith("## "):
            keep = line.startswith(SECTIONS)
        elif keep:
            lines.append(line)
    return lines


def strip_comment(line):
    """Drop a trailing `# comment` (after whitespace, outside quotes)."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "'\"" and quote in (None, ch):
            quote = None if quote == ch else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def readme_commands(text):
    commands, current = [], None
    for raw in section_lines(text):
        line = raw.strip()
        if current is not None:
            current += " " + strip_comment(line)
        elif COMMAND_START.match(line):
            current = strip_comment(line)
        else:
            continue
        if current.endswith("\\"):
            current = current[:-1].rstrip()
        else:
            commands.append(current)
            current = None
    return commands


def python_snippets(text):
    return re.findall(r"```python\n(.*?)```", "\n".join(section_lines(text)), re.DOTALL)


def test_commands_are_found():
    with open(README) as f:
        text = f.read()
    commands = readme_commands(text)
    assert any("collide" in c for c in commands) and any("sweep" in c for c in commands)
    assert len(commands) >= 12, commands
    assert python_snippets(text)


def test_readme_tour_runs_top_to_bottom(qcoll_binary, tmp_path):
    with open(README) as f:
        text = f.read()
    src = source_dir()
    for name in ("inputs", "post"):
        os.symlink(os.path.join(src, name), tmp_path / name)
    (tmp_path / "build").mkdir()
    os.symlink(os.path.abspath(qcoll_binary), tmp_path / "build" / "qcoll")
    env = mpi_env()
    env.update({"MPLBACKEND": "Agg", "PYTHONPATH": os.path.join(src, "post")})
    for command in readme_commands(text):
        argv = shlex.split(command)
        if argv[0] == "mpiexec":
            argv = [argv[0], "--oversubscribe", *argv[1:]]
        if argv[0].startswith("post/"):
            argv = ["/usr/bin/python3", *argv]
        proc = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
        assert proc.returncode == 0, f"README command failed: {command}\n{proc.stderr[-3000:]}"
    for snippet in python_snippets(text):
        proc = subprocess.run(["/usr/bin/python3", "-c", snippet], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"README snippet failed:\n{snippet}\n{proc.stderr[-3000:]}"

#!/usr/bin/env python3
"""The layer matrix of docs/architecture.md, checked on every #include.

Each folder of include/qcoll/ and src/ is a layer; a file may include the
public headers (qcoll/<layer>/...) of the layers its row allows, and private
headers only from its own folder. Usage:

    check_layers.py [ROOT]       exit 0 if every include is allowed, 1 otherwise
    check_layers.py --self-test  a copy of the tree with one wrong include added
                                 must fail, and the tree itself must pass
"""
import os
import re
import shutil
import sys
import tempfile

# Lowest first. Each layer may include itself and the layers listed.
LAYERS = [
    "model", "derive", "superop", "thermo", "solvers", "collide", "problem", "io", "tasks", "cli"
]
ALLOWED = {
    "model": set(),
    "derive": {"model"},
    # Linear algebra only: no spins, species or physics derivations.
    "superop": {"model"},
    "thermo": {"model", "derive", "superop"},
    # Solvers never know what a spin is: matrices and vectors only.
    "solvers": {"model", "superop"},
    "collide": {"model", "derive", "superop", "thermo", "solvers"},
    "problem": {"model", "derive", "superop", "thermo", "solvers", "collide"},
    "io": {"model", "derive", "superop", "thermo", "solvers", "collide", "problem"},
    "tasks": {"model", "derive", "superop", "thermo", "solvers", "collide", "problem", "io"},
    # The command line's checks and summaries before a run (the deck's last stop).
    "cli": {"model", "derive", "superop", "thermo", "solvers", "collide", "problem", "io", "tasks"},
    "main": set(LAYERS),  # src/main.cpp, the command line
}
# What superop and solvers may take from model: the linear-algebra types.
LINEAR_ALGEBRA = {"types.hpp", "dense.hpp", "sparse.hpp", "sandwich.hpp"}
NO_LAYER = {"version.hpp"}  # generated at configure time

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
# The deck is io's: below io and in tasks the typed settings and Problem are used.
DECK_LAYERS = {"io", "cli", "main"}
DECK_TYPE = re.compile(r"\bDeck\b")


def layer_of(root, path):
    rel = os.path.relpath(path, root).split(os.sep)
    if rel[:2] == ["include", "qcoll"] and len(rel) > 3:
        return rel[2]
    if rel[0] == "src" and len(rel) == 2 and rel[1] == "main.cpp":
        return "main"
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    return None


def violations(root):
    found = []
    for top in ("include", "src"):
        for folder, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp", ".h")):
                    continue
                path = os.path.join(folder, name)
                layer = layer_of(root, path)
                if layer is None:
                    continue
                if layer not in ALLOWED:
                    found.append(f"{path}: folder '{layer}' is not a layer of the matrix")
                    continue
                with open(path, encoding="utf-8") as f:
                    for number, line in enumerate(f, 1):
                        code = line.split("//", 1)[0]
                        if layer not in DECK_LAYERS and DECK_TYPE.search(code):
                            found.append(f"{os.path.relpath(path, root)}:{number}: the Deck type "
                                         f"in layer {layer} (only io, cli and main see the deck)")
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        target = m.group(1)
                        where = f"{os.path.relpath(path, root)}:{number}"
                        if target in NO_LAYER or target.startswith("qcoll/version"):
                            continue
                        if not target.startswith("qcoll/"):
                            if "/" in target or not os.path.exists(os.path.join(folder, target)):
                                found.append(f'{where}: "{target}" is not a private header of '
                                             f"{layer}/ (include another layer as qcoll/<layer>/...)")
                            continue
                        parts = target.split("/")
                        other = parts[1] if len(parts) > 2 else None
                        if other == layer:
                            continue
                        if other not in ALLOWED[layer]:
                            found.append(f'{where}: layer {layer} includes "{target}" '
                                         f"({other or 'no layer'}); {layer} may include "
                                         f"{', '.join(sorted(ALLOWED[layer])) or 'nothing else'}")
                        elif (layer in ("superop", "solvers") and other == "model"
                              and parts[-1] not in LINEAR_ALGEBRA):
                            found.append(f'{where}: layer {layer} includes "{target}"; from '
                                         f"model it may include only {sorted(LINEAR_ALGEBRA)}")
    return found


def self_test(root):
    if violations(root):
        print("self-test: the tree itself has violations")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "tree")
        for top in ("include", "src"):
            shutil.copytree(os.path.join(root, top), os.path.join(copy, top))
        # A lower layer reaching up: solvers including the deck.
        target = os.path.join(copy, "include", "qcoll", "solvers", "steady.hpp")
        with open(target, "a", encoding="utf-8") as f:
            f.write('\n#include "qcoll/io/deck.hpp"\n')
        found = violations(copy)
        if len(found) != 1 or "layer solvers includes \"qcoll/io/deck.hpp\"" not in found[0]:
            print("self-test: the added wrong include was not reported exactly once:", found)
            return 1
    print("self-test: a wrong include (solvers -> io) is reported; the tree is clean")
    return 0


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    default_root = os.path.normpath(os.path.join(here, "..", ".."))
    if argv[1:2] == ["--self-test"]:
        return self_test(argv[2] if len(argv) > 2 else default_root)
    root = argv[1] if len(argv) > 1 else default_root
    found = violations(root)
    for v in found:
        print(v)
    if found:
        print(f"{len(found)} include(s) break the layer matrix (docs/architecture.md)")
        return 1
    print("every #include respects the layer matrix")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

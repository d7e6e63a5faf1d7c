#!/bin/sh
# Writes docs/check.md: `qcoll check` of every example deck in inputs/
# (`make check-examples`; the binary is $1, default build/qcoll).
set -e
QCOLL=${1:-build/qcoll}
OUT=docs/check.md
{
  echo "# \`qcoll check\` of every example deck"
  echo
  echo "What \`qcoll check DECK.toml\` prints for each deck in [inputs/](../inputs/README.md):"
  echo "the model, the per-species checks, the initial state, the solver plan with"
  echo "its memory and time estimates (steady and spectrum decks), the sweep with"
  echo "lambda against its admissible bound at every point, and the output's size."
  echo "Memory available and the time estimates are this machine's (2 cores,"
  echo "24 GiB, one rank); regenerate with \`make check-examples\`."
  for deck in inputs/*.toml; do
    echo
    echo "## $(basename "$deck")"
    echo
    echo "    \$ qcoll check $deck"
    "$QCOLL" check "$deck" | sed 's/^/    /'
  done
} > "$OUT"
echo "wrote $OUT"

"""A small TOML writer for decks given as Python dicts (tomllib only reads).

Supports what decks use: tables, arrays of tables ([[species]]), arrays
(nested, mixed numbers and strings, inline tables inside arrays), strings,
integers, floats (inf, nan), booleans. ``dumps(tomllib.loads(text))`` reads
back to the same dict.
"""
import math
import re

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(k):
    k = str(k)
    return k if BARE_KEY.match(k) else _string(k)


def _string(s):
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def value(v):
    """One TOML value (inline form), e.g. for `--set key=value`."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if hasattr(v, "tolist"):  # numpy scalars and arrays
        return value(v.tolist())
    raise TypeError(f"cannot write {type(v).__name__} as a TOML value: {v!r}")


def _is_table_array(v):
    return isinstance(v, (list, tuple)) and v and all(isinstance(x, dict) for x in v)


def _table(d, path, lines):
    plain = [(k, v) for k, v in d.items() if not isinstance(v, dict) and not _is_table_array(v)]
    for k, v in plain:
        lines.append(f"{_key(k)} = {value(v)}")
    for k, v in d.items():
        name = path + [_key(k)]
        if isinstance(v, dict):
            lines.append("")
            lines.append("[" + ".".join(name) + "]")
            _table(v, name, lines)
        elif _is_table_array(v):
            for item in v:
                lines.append("")
                lines.append("[[" + ".".join(name) + "]]")
                _table(item, name, lines)


def dumps(deck):
    """The TOML text of the dict `deck`."""
    if not isinstance(deck, dict):
        raise TypeError("a deck is a dict of tables and keys")
    lines = []
    _table(deck, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"

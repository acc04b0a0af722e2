"""Keyword arguments to rgflow's experiment files (TOML).

A keyword argument names a configuration key (``rgflow config`` lists
them). A nested key is written either as a dict, ``hmc={"beta": 8}``, or
with a double underscore, ``hmc__beta=8``; both may be mixed, and a key
given twice is an error. Python's standard library reads TOML (tomllib,
3.11+) but cannot write it, so the few types a configuration holds are
written here.
"""

import math

__all__ = ["nest", "merge", "dumps"]


def nest(keys):
    """Turn keyword arguments into a nested dict: ``cd__samples=64`` and
    ``cd={"samples": 64}`` both become ``{"cd": {"samples": 64}}``."""
    out = {}
    for name, value in keys.items():
        path = name.split("__")
        if any(p == "" for p in path):
            raise ValueError(f"keyword {name!r}: a nested key is written table__key, with no empty part")
        for p in reversed(path[1:]):
            value = {p: value}
        merge(out, {path[0]: value}, name)
    return out


def merge(base, over, where=""):
    """Merge the nested dict over into base (in place). A key set in both
    is an error when both come from keyword arguments (where names the
    argument); call with where=None to let over win (a file's keys under
    the arguments)."""
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            merge(base[k], v, where)
        elif k in base and where is not None:
            raise ValueError(f"key {k!r} is given twice (the second time in {where!r})")
        else:
            base[k] = dict(v) if isinstance(v, dict) else v
    return base


def dumps(cfg):
    """Write a nested dict as TOML: top-level keys first, then one
    [table] per dict, depth first."""
    lines = []
    _table(lines, [], cfg)
    return "\n".join(lines) + "\n"


def _table(lines, path, table):
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in table.items() if isinstance(v, dict)}
    if path and (scalars or not tables):
        if lines:
            lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    for k, v in scalars.items():
        lines.append(f"{_key(k)} = {_value(v, '.'.join(path + [str(k)]))}")
    for k, v in tables.items():
        _table(lines, path + [k], v)


def _key(k):
    k = str(k)
    if k and all(c.isascii() and (c.isalnum() or c in "_-") for c in k):
        return k
    return _string(k)


def _string(s):
    out = ['"']
    for c in s:
        if c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _value(v, key):
    # bool before int: True is an int in Python
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # the shortest string that reads back to the same bits
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x, key) for x in v) + "]"
    # numpy scalars and the like
    for conv in (int, float):
        if hasattr(v, "dtype") and getattr(v.dtype, "kind", "") == ("i" if conv is int else "f"):
            return _value(conv(v), key)
    if hasattr(v, "tolist"):
        return _value(v.tolist(), key)
    raise TypeError(f"key {key!r}: cannot write a {type(v).__name__} to an experiment file")

"""JSON numbers without binary float noise: 7547.400000000001 is written 7547.4.

Floats are rounded to 10 significant digits (more than any figure in the datasets carries,
fewer than the 15-17 at which sums of decimal fractions show their binary error). Used by
the CLI's `--json` output and the API's responses, so both print the same numbers.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

SIGNIFICANT = 10
_FMT = f".{SIGNIFICANT}g"


def tidy(value: Any) -> Any:
    """`value` with every finite float rounded to SIGNIFICANT significant digits (recursively
    through dicts, lists and tuples); integers, strings and non-finite floats unchanged."""
    if hasattr(value, "dtype") and hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # a numpy scalar
    if isinstance(value, float):
        if value == 0.0 or not math.isfinite(value):
            return value
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, dict):
        return {k: tidy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy(v) for v in value]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return tidy(value.tolist())  # a numpy array
    return value


def dumps(value: Any, **kw: Any) -> str:
    """json.dumps of tidy(value); UTF-8 text kept as is."""
    kw.setdefault("ensure_ascii", False)
    return json.dumps(tidy(value), **kw)


def tidy_safe(value: Any) -> Any:
    """`tidy` for an answer about to be sent as strict JSON: every finite float rounded to
    SIGNIFICANT digits, non-finite floats None, numpy scalars Python numbers, dict keys
    strings, tuples lists. Exact built-in types are tested first (the common case)."""
    t = type(value)
    if t is float:
        if value - value != 0.0:  # inf - inf and nan - nan are nan
            return None
        return float(format(value, _FMT)) if value != 0.0 else value
    if t is str or t is int or t is bool or value is None:
        return value
    if t is dict:
        return {k if type(k) is str else str(k): tidy_safe(v) for k, v in value.items()}
    if t is list or t is tuple:
        return [tidy_safe(v) for v in value]
    if t is orjson.Fragment:
        return value
    if isinstance(value, dict):
        return {str(k): tidy_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [tidy_safe(v) for v in value]
    if isinstance(value, float):
        return tidy_safe(float(value))
    if hasattr(value, "dtype") and hasattr(value, "tolist"):
        return tidy_safe(value.tolist())  # a numpy scalar or array
    return value


def dumps_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON of tidy_safe(value) (orjson); `orjson.Fragment`s inside `value` are
    written as they are (they must hold tidy JSON already)."""
    return orjson.dumps(tidy_safe(value))


def encode_tidy(value: Any) -> bytes:
    """Compact UTF-8 JSON of a value that `tidy_safe` already made tidy (orjson, no second
    pass over the numbers)."""
    return orjson.dumps(value)


def fragment(value: Any) -> orjson.Fragment:
    """A piece of tidy JSON serialised once, to be embedded by `dumps_bytes` as is."""
    return orjson.Fragment(dumps_bytes(value))

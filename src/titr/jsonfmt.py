"""JSON numbers without binary float noise: 7547.400000000001 is written 7547.4.

Floats are rounded to 10 significant digits (more than any figure in the datasets carries,
fewer than the 15-17 at which sums of decimal fractions show their binary error). Used by
the CLI's `--json` output and the API's responses, so both print the same numbers.
"""

from __future__ import annotations

import json
import math
from typing import Any

SIGNIFICANT = 10


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

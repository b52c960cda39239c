"""JSON numbers without float noise, the same in the CLI and the API."""

from __future__ import annotations

import json
import math

from titr.jsonfmt import dumps, tidy


def test_noise_is_gone_and_meaning_kept() -> None:
    assert tidy(7547.400000000001) == 7547.4
    assert tidy(0.1 + 0.2) == 0.3
    assert tidy(9.645833333333332) == 9.645833333
    assert tidy(123456789.0) == 123456789.0
    assert tidy(1.5e-12) == 1.5e-12
    assert tidy(-2.0000000000000004) == -2.0


def test_structure_and_other_values_unchanged() -> None:
    obj = {"a": [1, 2.0, "x", None, True], "b": {"c": (0.30000000000000004,)}}
    assert tidy(obj) == {"a": [1, 2.0, "x", None, True], "b": {"c": [0.3]}}
    assert math.isnan(tidy(float("nan")))
    assert tidy(float("inf")) == float("inf")
    assert tidy(0.0) == 0.0


def test_dumps_keeps_utf8() -> None:
    assert json.loads(dumps({"name": "Актау", "v": 7547.400000000001})) == {
        "name": "Актау",
        "v": 7547.4,
    }
    assert "Актау" in dumps({"name": "Актау"})

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


def test_tidy_safe_and_dumps_bytes_agree_with_tidy() -> None:
    import numpy as np
    import orjson

    from titr.jsonfmt import dumps_bytes, fragment, tidy_safe

    obj = {
        "a": [7547.400000000001, 0.1 + 0.2, -0.0, 0.0, 1e300, 1.5e-12, 3, True, None, "Актау"],
        "t": (0.30000000000000004, np.float64(9.645833333333332), np.int64(4), np.bool_(True)),
        "arr": np.array([0.1 + 0.2, 2.0]),
        7: "int key",
    }
    want = json.loads(json.dumps(tidy(obj), default=str))
    assert tidy_safe(obj) == want
    assert json.loads(dumps_bytes(obj)) == want
    assert "Актау".encode() in dumps_bytes(obj)
    # non-finite numbers are null (strict JSON), not NaN/Infinity
    for bad in (float("nan"), float("inf"), -float("inf"), np.float64("nan")):
        assert tidy_safe([bad]) == [None]
        assert dumps_bytes({"v": bad}) == b'{"v":null}'
    # a fragment is embedded as it is
    frag = fragment({"x": 0.1 + 0.2})
    assert isinstance(frag, orjson.Fragment)
    assert dumps_bytes({"f": frag, "g": [frag]}) == b'{"f":{"x":0.3},"g":[{"x":0.3}]}'

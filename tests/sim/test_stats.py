"""Statistics of a replication: intervals and flattening. The hourly occupancy counts are
tested against the sort-and-search definition in test_kernels.py; the summary against the
frozen statistics in test_engine.py."""

from __future__ import annotations

import math

import numpy as np

from titr.sim.stats import combine, flatten, t_interval


def test_t_interval_matches_formula() -> None:
    x = np.array([1.0, 2.0, 4.0, 7.0])
    m, lo, hi = t_interval(x)
    from scipy import stats as sps

    h = sps.t.ppf(0.975, 3) * x.std(ddof=1) / math.sqrt(4)
    assert m == 3.5 and math.isclose(hi - m, h) and math.isclose(m - lo, h)
    assert t_interval(np.array([2.0])) == (2.0, 2.0, 2.0)


def test_flatten_and_combine_skip_missing_and_non_finite() -> None:
    a = {"rep": 0, "x": {"y": 1.0, "z": float("nan")}, "flag": True, "s": "text"}
    b = {"rep": 1, "x": {"y": 3.0}}
    assert flatten(a) == {"x.y": 1.0}
    c = combine([a, b])
    assert set(c) == {"x.y"} and c["x.y"]["mean"] == 2.0 and c["x.y"]["n"] == 2.0

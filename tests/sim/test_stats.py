"""Statistics of a replication: intervals and flattening. The hourly occupancy counts are
tested against the sort-and-search definition in test_kernels.py; the summary against the
frozen statistics in test_engine.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

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


def _combine_reference(summaries: list[dict], level: float = 0.95) -> dict:  # type: ignore[type-arg]
    """The definition: per statistic, the values of the replications that have it, in order,
    and scipy's t quantile at n - 1 degrees of freedom."""
    from scipy import stats as sps

    def leaves(d: dict, prefix: str = "") -> dict[str, float]:  # type: ignore[type-arg]
        out: dict[str, float] = {}
        for k, v in d.items():
            if isinstance(v, dict):
                out.update(leaves(v, f"{prefix}{k}."))
            elif (
                not isinstance(v, bool)
                and k != "rep"
                and isinstance(v, int | float)
                and math.isfinite(v)
            ):
                out[f"{prefix}{k}"] = float(v)
        return out

    flat = [leaves(s) for s in summaries]
    res = {}
    for k in sorted({k for f in flat for k in f}):
        x = np.array([f[k] for f in flat if k in f])
        m = float(x.mean())
        h = 0.0
        if len(x) > 1:
            h = float(sps.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
        res[k] = {"mean": m, "ci_low": m - h, "ci_high": m + h, "n": float(len(x))}
    return res


def test_combine_equals_its_definition_bit_for_bit_on_real_summaries() -> None:
    from titr.network.bundled import load
    from titr.sim import compile_model, load_scenario, replicate

    data = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "sim"
    sc = load_scenario(data / "tiny.toml")
    model = compile_model(load(sc.dataset or ""), sc)
    sums = [replicate(model, 4, r) for r in range(6)]
    sums[2] = {**sums[2], "extra": {"only_here": 5.0, "inf": float("inf")}}  # missing elsewhere
    sums[4] = {**sums[4], "transit": {**sums[4]["transit"], "p90_d": float("nan")}}
    got, want = combine(sums), _combine_reference(sums)
    assert len(got) > 20 and list(got) == list(want)
    assert got == want  # floats compared exactly: same values, same order, same quantile
    assert got["extra.only_here"]["n"] == 1.0 and got["transit.p90_d"]["n"] == 5.0
    assert combine(sums, 0.9) == _combine_reference(sums, 0.9)


# --- throughput accounting (simops): release cohort of the window, never above demand -----

from titr.sim import Scenario, rep_rng, run_replication  # noqa: E402
from titr.sim.model import Fixed, Stage, finish_model  # noqa: E402
from titr.sim.model import Path as SimPath  # noqa: E402
from titr.sim.scenario import Closure  # noqa: E402
from titr.sim.stats import summarise  # noqa: E402


def _one_queue(lam_per_h: float, closures: list[Closure] | None = None, warmup: float = 30.0):  # type: ignore[no-untyped-def]
    """One FIFO server holding each lot 2 h (capacity 0.5 lot/h); 1 t and 1 TEU per lot."""
    sc = Scenario(horizon_days=200, warmup_days=warmup, closures=closures or [])
    st = Stage("queue:Q", "queue", "Q", "N", Fixed(2.0), servers=1)
    flows = [
        {
            "path": 0,
            "lots_per_year": lam_per_h * 8760,
            "lot": 1.0,
            "t_per_lot": 1.0,
            "teu_per_lot": 1.0,
            "promised_h": 1e9,
            "name": "A>B:container",
            "unit": "TEU",
        }
    ]
    return finish_model([st], [SimPath("A", "B", "container", [0])], flows, sc)


def _thr(model, seed: int = 0) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return summarise(model, run_replication(model, rep_rng(seed, 0)))["throughput"]


@pytest.mark.parametrize("lam", [0.2, 0.45, 0.6, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_throughput_never_above_demand(lam: float, seed: int) -> None:
    th = _thr(_one_queue(lam), seed)
    assert th["t_per_year"] <= th["demand_t_per_year"] + 1e-9
    assert th["teu_per_year"] <= th["demand_teu_per_year"] + 1e-9
    assert th["undelivered_t_per_year"] == pytest.approx(th["demand_t_per_year"] - th["t_per_year"])
    if lam < 0.5:  # stable: all the window's freight is delivered
        assert th["t_per_year"] == pytest.approx(th["demand_t_per_year"])
        assert th["demand_t_per_year"] == pytest.approx(lam * 8760, rel=0.1)
    else:  # overloaded: throughput at most the server's capacity over window + drain time
        cap = 0.5 * 8760 * (200 - 30 + 30) / (200 - 30)
        assert th["t_per_year"] <= cap * 1.01 and th["t_per_year"] < th["demand_t_per_year"]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize(("start", "end"), [(0, 30), (5, 25), (20, 40), (100, 130), (180, 200)])
def test_a_closure_never_raises_throughput(seed: int, start: float, end: float) -> None:
    for lam in (0.3, 0.48, 0.7):
        base = _thr(_one_queue(lam), seed)
        shut = _thr(_one_queue(lam, [Closure("Q", start, end)]), seed)
        assert shut["t_per_year"] <= base["t_per_year"] + 1e-9, (lam, start, end)
        assert shut["demand_t_per_year"] == base["demand_t_per_year"]  # same released freight
    # a closure inside the window of an overloaded resource loses throughput
    if start >= 30:
        b = _thr(_one_queue(0.7), seed)["t_per_year"]
        s = _thr(_one_queue(0.7, [Closure("Q", start, end)]), seed)["t_per_year"]
        assert s < b

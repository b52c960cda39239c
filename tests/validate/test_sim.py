"""Validation of the fast engine against external truth: queueing formulas (Erlang C for M/M/c,
Pollaczek–Khinchine for M/D/1), Little's law on every resource, and the SimPy reference model
of the same scenario."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

from titr.network.bundled import load
from titr.sim import Scenario, compile_model, load_scenario, rep_rng, run_replication
from titr.sim.model import Expo, Fixed, Stage, finish_model
from titr.sim.model import Path as SimPath
from titr.sim.stats import combine, summarise, t_interval

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
DATA = ROOT / "tests" / "data" / "sim"


def erlang_c_wait(lam: float, mean_s: float, c: int) -> float:
    """Mean wait in queue of M/M/c: Wq = C(c, a) / (c μ − λ), a = λ/μ."""
    mu = 1.0 / mean_s
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def md1_wait(lam: float, d: float) -> float:
    """Mean wait in queue of M/D/1: Wq = ρ d / (2 (1 − ρ))."""
    rho = lam * d
    return rho * d / (2 * (1 - rho))


def single_queue(lam_per_h: float, dist, servers: int, days: float):  # type: ignore[no-untyped-def]
    sc = Scenario(horizon_days=days, warmup_days=10)
    st = Stage("queue:Q", "queue", "Q", "N", dist, servers=servers)
    flows = [
        {
            "path": 0,
            "lots_per_year": lam_per_h * 8760,
            "lot": 1.0,
            "t_per_lot": 1.0,
            "teu_per_lot": 1.0,
            "promised_h": 1e9,
            "name": "A>B:x",
        }
    ]
    return finish_model([st], [SimPath("A", "B", "x", [0])], flows, sc)


def _waits(model, reps: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    return np.array(
        [
            summarise(model, run_replication(model, rep_rng(42, r)), r)["resources"]["queue:Q"][
                "mean_wait_h"
            ]
            for r in range(reps)
        ]
    )


def test_mmc_against_erlang_c() -> None:
    lam, mean_s, c = 2.0, 1.2, 3  # rho = 0.8
    w = _waits(single_queue(lam, Expo(mean_s), c, 200), 12)
    m, lo, hi = t_interval(w)
    exact = erlang_c_wait(lam, mean_s, c)
    assert lo <= exact <= hi, (exact, m, lo, hi)
    assert abs(m - exact) / exact < 0.1


def test_md1_against_closed_form() -> None:
    lam, d = 0.5, 1.5  # rho = 0.75
    w = _waits(single_queue(lam, Fixed(d), 1, 300), 12)
    m, lo, hi = t_interval(w)
    exact = md1_wait(lam, d)
    assert lo <= exact <= hi, (exact, m, lo, hi)


def test_mm1_utilisation_is_rho() -> None:
    model = single_queue(0.6, Expo(1.0), 1, 200)
    u = [
        summarise(model, run_replication(model, rep_rng(1, r)), r)["resources"]["queue:Q"][
            "utilisation"
        ]
        for r in range(6)
    ]
    assert abs(np.mean(u) - 0.6) < 0.02


@pytest.fixture(scope="module")
def corridor_model():  # type: ignore[no-untyped-def]
    sc = load_scenario(DATA / "tiny.json")
    return compile_model(load(sc.dataset or ""), sc)


def test_littles_law_on_every_resource(tmp_path: Path) -> None:
    """L (time average of the hourly queue-length series) = λ W on every stage of a stable
    corridor (demand below the ferry's capacity, storms on, a year long)."""
    import json

    d = json.loads((DATA / "tiny.json").read_text())
    d.update(dataset=str(DATA.parent / "tiny"), horizon_days=365)
    for f in d["demand"]:
        f["per_year"] *= 0.5
    (tmp_path / "s.json").write_text(json.dumps(d))
    sc = load_scenario(tmp_path / "s.json")
    model = compile_model(load(sc.dataset or ""), sc)
    s = summarise(model, run_replication(model, rep_rng(9, 0)))
    assert len(s["resources"]) == len(model.stages)
    for key, r in s["resources"].items():
        lw = r["lambda_per_h"] * r["W_h"]
        assert abs(r["L"] - lw) <= 0.05 * max(lw, 1.0), (key, r["L"], lw)


@pytest.mark.slow
def test_fast_engine_agrees_with_simpy_reference(corridor_model) -> None:  # type: ignore[no-untyped-def]
    from simpy_reference import simulate_simpy

    reps = 5
    fast = [
        summarise(corridor_model, run_replication(corridor_model, rep_rng(100, r)), r)
        for r in range(reps)
    ]
    ref = [
        summarise(corridor_model, simulate_simpy(corridor_model, rep_rng(200, r)), r)
        for r in range(reps)
    ]
    cf, cr = combine(fast), combine(ref)
    for key in (
        "transit.mean_d",
        "transit.p90_d",
        "throughput.t_per_year",
        "resources.sail:SV_CD:KZ_C>AZ_D.utilisation",
        "resources.queue:P_B_BORDER.mean_wait_h",
    ):
        a, b = cf[key], cr[key]
        half = (a["ci_high"] - a["mean"]) + (b["ci_high"] - b["mean"])
        assert abs(a["mean"] - b["mean"]) <= max(half, 0.03 * abs(b["mean"])), (key, a, b)

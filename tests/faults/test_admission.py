"""Admission control of /api/simulations under parallel requests, cancel frees the slot, and
numeric query parameters at their extremes answer 4xx, never 500."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from titr import limits
from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
PROBLEM = "application/problem+json"
SCENARIO = {
    "name": "admission",
    "horizon_days": 60,
    "demand": [
        {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": 20000}
    ],
}
LONG = {"scenario": SCENARIO, "replications": 500, "seed": 1, "days": 365}


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[str, Store, list[str]]]:
    store = Store(db_url)
    store.save_network(read_dataset(TINY))
    tokens = [store.create_token(f"t{i}") for i in range(8)]
    limits.set_limits(max_running=2, max_running_per_token=1)
    app = create_app(db_url, default_dataset="tiny")
    try:
        with serve_in_thread(app) as url:
            yield url, store, tokens
    finally:
        limits.reset_limits()
        store.close()


def _post_all(url: str, tokens: list[str]) -> list[httpx.Response]:
    out: list[httpx.Response | None] = [None] * len(tokens)
    barrier = threading.Barrier(len(tokens))

    def go(i: int) -> None:
        with httpx.Client(base_url=url, timeout=60) as c:
            barrier.wait()
            out[i] = c.post(
                "/api/simulations", json=LONG, headers={"Authorization": f"Bearer {tokens[i]}"}
            )

    ths = [threading.Thread(target=go, args=(i,)) for i in range(len(tokens))]
    for t in ths:
        t.start()
    for t in ths:
        t.join(120)
    return [r for r in out if r is not None]


def _cancel_all(c: httpx.Client, runs: list[tuple[str, str]]) -> None:
    for run_id, token in runs:
        r = c.delete(f"/api/simulations/{run_id}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 202, r.text


def test_eight_parallel_posts_hold_the_running_limit(live: tuple[str, Store, list[str]]) -> None:
    url, store, tokens = live
    rs = _post_all(url, tokens)
    assert len(rs) == 8
    accepted = [(r.json()["id"], tokens[i]) for i, r in enumerate(rs) if r.status_code == 202]
    full = [r for r in rs if r.status_code == 429]
    assert len(accepted) == 2 and len(full) == 6, [r.status_code for r in rs]
    for r in full:
        assert r.headers["content-type"].startswith(PROBLEM)
        assert int(r.headers["retry-after"]) > 0 and "max_running" in r.json()["detail"]
    assert store.table_counts()["runs"] == 2  # refused requests left nothing behind
    with httpx.Client(base_url=url, timeout=60) as c:
        _cancel_all(c, accepted)
        # the threads stop and their slots (and memory) are returned
        app_jobs = [run_id for run_id, _ in accepted]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            st = [c.get(f"/api/simulations/{r}").json()["status"] for r in app_jobs]
            if all(s == "cancelled" for s in st):
                break
            time.sleep(0.1)
        assert st == ["cancelled", "cancelled"]

        def alive() -> list[str]:
            return [
                t.name
                for t in threading.enumerate()
                if t.name.startswith("titr-sim-") and any(r in t.name for r in app_jobs)
            ]

        while alive() and time.monotonic() < deadline:  # the status is written just before
            time.sleep(0.05)
        assert not alive()
        r = c.post("/api/simulations", json=LONG, headers={"Authorization": f"Bearer {tokens[7]}"})
        assert r.status_code == 202, r.text
        _cancel_all(c, [(r.json()["id"], tokens[7])])


def test_one_token_holds_one_run(live: tuple[str, Store, list[str]]) -> None:
    url, _, tokens = live
    auth = {"Authorization": f"Bearer {tokens[0]}"}
    with httpx.Client(base_url=url, timeout=60) as c:
        r1 = c.post("/api/simulations", json=LONG, headers=auth)
        assert r1.status_code == 202
        r2 = c.post("/api/simulations", json=LONG, headers=auth)
        assert r2.status_code == 429 and "max_running_per_token" in r2.json()["detail"]
        r3 = c.post("/api/simulations", json=LONG, headers={"Authorization": f"Bearer {tokens[1]}"})
        assert r3.status_code == 202
        _cancel_all(c, [(r1.json()["id"], tokens[0]), (r3.json()["id"], tokens[1])])


def test_work_and_memory_larger_than_a_limit_are_422(live: tuple[str, Store, list[str]]) -> None:
    url, store, tokens = live
    auth = {"Authorization": f"Bearer {tokens[0]}"}
    before = store.table_counts()["runs"]
    with httpx.Client(base_url=url, timeout=60) as c:
        big = {**LONG, "days": 3650}  # 500 x 3650 replication-days
        r = c.post("/api/simulations", json=big, headers=auth)
        assert r.status_code == 422 and r.json()["limit"]["name"] == "max_rep_days_per_run"
        limits.set_limits(max_sim_memory_bytes=10 * 2**20)
        r = c.post("/api/simulations", json=LONG, headers=auth)
        assert r.status_code == 422 and r.json()["limit"]["name"] == "max_sim_memory_bytes"
    assert store.table_counts()["runs"] == before


def test_plans_numeric_extremes_are_4xx_not_500(tmp_path: Path) -> None:
    """The attack's request (a subnormal discount rate) is an annuity of capex / n, not a
    division by a rounded-off zero; degenerate rates and lifetimes are 422, never 500."""
    from fastapi.testclient import TestClient

    app = create_app(f"sqlite:///{tmp_path / 'titr.db'}")
    with TestClient(app, raise_server_exceptions=False) as c:
        base = "/api/plans?target=11Mt&by=2029&lifetime=60&exclude_unpriced=true"
        for q in ("&rate=1.175494351e-38", "&rate=5e-324"):
            r = c.get(base + q)
            assert r.status_code == 200, (q, r.status_code, r.text[:300])
            for pr in r.json()["projects"]:
                assert pr["annuity_musd_per_yr"] == pytest.approx(pr["capex_musd"] / 60, rel=1e-6)
        for q in (
            "&rate=-0.0000001",
            "&rate=1",
            "&rate=nan",
            "&rate=inf",
            "&rate=-inf",
            "&rate=1e400",
            "&lifetime=0",
            "&lifetime=1000000000000",
        ):
            r = c.get(base + q)
            assert r.status_code == 422, (q, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith(PROBLEM)


def test_memory_estimate_bounds_a_measured_replication() -> None:
    """The admission's memory estimate is at least the traced peak of a replication, and
    grows with the horizon as the peak does (within a factor of 3)."""
    import tracemalloc

    from titr.sim import compile_model, parse_scenario
    from titr.sim.montecarlo import BASE_BYTES, estimate_memory_bytes, replicate

    net = read_dataset(TINY)
    for days in (120, 480):
        sc = parse_scenario({**SCENARIO, "horizon_days": days, "name": "mem"}, "t")
        model = compile_model(net, sc)
        tracemalloc.start()
        try:
            replicate(model, 1, 0)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        est = estimate_memory_bytes(model)
        assert peak <= est, (days, peak, est)
        assert est - BASE_BYTES <= 3 * peak, (days, peak, est)

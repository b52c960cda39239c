"""/api/routes on a real uvicorn server: an uncached answer is computed off the event loop, so
other requests (health, cached answers) are answered meanwhile; answers are the engine's."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.jsonfmt import tidy
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_uncached_route_does_not_block_other_requests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from titr.api.routers import routes as mod
    from titr.routing import route as real_route

    url = f"sqlite:///{tmp_path / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    st.close()
    started = threading.Event()

    def slow_route(*a, **kw):  # type: ignore[no-untyped-def]
        started.set()
        time.sleep(1.5)  # stands for a long computation in the worker thread
        return real_route(*a, **kw)

    monkeypatch.setattr(mod, "route", slow_route)
    q = {"from": "CN_A", "to": "GE_E", "alternatives": 2, "seed": 5}
    with serve_in_thread(create_app(url, default_dataset="tiny")) as base:
        out: dict[str, httpx.Response] = {}
        th = threading.Thread(
            target=lambda: out.setdefault(
                "r", httpx.get(f"{base}/api/routes", params=q, timeout=30)
            )
        )
        th.start()
        assert started.wait(10)
        t0 = time.perf_counter()
        for _ in range(5):
            assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200
        assert time.perf_counter() - t0 < 1.0  # answered while the route was being computed
        assert th.is_alive()
        th.join(30)
        r = out["r"]
        assert r.status_code == 200, r.text
        want = real_route(read_dataset(TINY), "CN_A", "GE_E", alternatives=2, seed=5)
        assert r.json() == tidy(want.to_dict())
        # a second identical request is a cached answer: no new computation
        started.clear()
        again = httpx.get(f"{base}/api/routes", params=q, timeout=30)
        assert again.content == r.content and not started.is_set()


def test_cheap_route_kinds_run_inline_and_dear_ones_leave_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uncached answers of a kind measured cheap are computed on the event loop (no thread
    hand-off); once one of a kind took longer than the budget, the next of that kind is
    computed in the compute thread while /api/health keeps answering."""
    from titr.api.compute import Placement
    from titr.api.routers import routes as mod
    from titr.routing import route as real_route

    url = f"sqlite:///{tmp_path / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    st.close()
    monkeypatch.setattr(mod, "PLACEMENT", Placement(budget_s=0.1, window=2))
    where: list[str] = []
    computing = threading.Event()

    def traced_route(*a, **kw):  # type: ignore[no-untyped-def]
        where.append(threading.current_thread().name)
        if kw["seed"] >= 100:  # a dear answer: 0.3 or 2 s of CPU (not sleep: the thread's
            computing.set()  # cost is its CPU time)
            t0 = time.thread_time()
            while time.thread_time() - t0 < (0.3 if kw["seed"] == 100 else 2.0):
                pass
        return real_route(*a, **kw)

    monkeypatch.setattr(mod, "route", traced_route)
    q = {"from": "CN_A", "to": "GE_E", "alternatives": 2}
    with serve_in_thread(create_app(url, default_dataset="tiny")) as base:

        def get(seed: int) -> httpx.Response:
            r = httpx.get(f"{base}/api/routes", params={**q, "seed": seed}, timeout=30)
            assert r.status_code == 200, r.text
            return r

        for seed in (1, 2, 3):  # unknown kind: 2 in the thread, then inline
            got = get(seed)
        assert got.json() == tidy(
            real_route(read_dataset(TINY), "CN_A", "GE_E", alternatives=2, seed=3).to_dict()
        )
        loop_thread = where[2]
        assert loop_thread.startswith("uvicorn") and not where[0].startswith("uvicorn")
        get(100)  # mispredicted: computed inline, measured over the budget
        assert where[3] == loop_thread
        out: dict[str, httpx.Response] = {}
        computing.clear()
        th = threading.Thread(target=lambda: out.setdefault("r", get(101)))
        th.start()
        assert computing.wait(10)
        t0 = time.perf_counter()
        for _ in range(5):
            assert httpx.get(f"{base}/api/health", timeout=10).status_code == 200
        # answered while the dear answer is computed off the loop (slowed by the GIL only)
        assert th.is_alive() and time.perf_counter() - t0 < 1.5
        th.join(30)
        assert out["r"].status_code == 200 and where[4] != loop_thread
        # another kind (3 alternatives) is unknown: the thread again
        httpx.get(f"{base}/api/routes", params={**q, "alternatives": 3, "seed": 1}, timeout=30)
        assert where[5] != loop_thread


BAD_AVOIDS = [
    "XX",  # the code sea legs carry, not a country of the dataset
    "QQ",
    "Narnia",
    "country:Narnia",
    "passage:Panama",
    "corridor:silk",
    "link:L_NOPE",
    "node:ZZ_X",
    "ZZ_X",
    "!!!",
    "AZ,Narnia",  # one good, one bad: the bad one is named
    "country:",
]


def test_unknown_places_to_avoid_are_422_naming_the_query_parameter(tmp_path: Path) -> None:
    """An unknown ?avoid= value is a bad query value (422 problem+json naming `avoid` and the
    value), not a 404, and the message names no CLI flag; /api/compare says the same."""
    from fastapi.testclient import TestClient

    url = f"sqlite:///{tmp_path / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    st.close()
    client = TestClient(create_app(url, default_dataset="tiny"))
    tried = 0
    for path in ("/api/routes", "/api/compare"):
        for bad in BAD_AVOIDS:
            r = client.get(path, params={"from": "CN_A", "to": "GE_E", "avoid": bad})
            assert r.status_code == 422, (path, bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            body = r.json()
            assert body["title"] == "invalid request" and "--" not in body["detail"]
            assert "query parameter 'avoid'" in body["detail"], body
            (issue,) = body["errors"]
            assert issue["column"] == "avoid" and issue["file"] == "query"
            assert issue["value"] == ("Narnia" if bad == "AZ,Narnia" else bad)
            tried += 1
    assert tried == 24
    # a good value still routes around it; a value that blocks every route is a 422 that
    # says which restriction is to blame (no admissible route), not a bad parameter
    blocked = client.get("/api/routes", params={"from": "CN_A", "to": "GE_E", "avoid": "AZ"})
    assert blocked.status_code == 422 and blocked.json()["title"] == "no admissible route"
    assert "avoiding country AZ blocks every route" in blocked.json()["detail"]

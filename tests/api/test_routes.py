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

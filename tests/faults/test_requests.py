"""Request limits over a live server: body sizes (413 naming the limit), strings and nesting
in JSON bodies (422), time-outs (503) and client disconnects cancel the work in the worker
thread, OPTIONS lists the documented methods."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from fastapi import FastAPI

from titr import limits
from titr.api import create_app
from titr.api.guard import RequestGuard
from titr.api.server import serve_in_thread
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
SCENARIO = {
    "name": "x",
    "horizon_days": 30,
    "demand": [
        {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": 2000}
    ],
}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('req') / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    token = st.create_token("req")
    with serve_in_thread(create_app(url, default_dataset="tiny")) as base:
        yield {"base": base, "auth": {"Authorization": f"Bearer {token}"}, "store": st}
    st.close()


def test_a_huge_scenario_name_is_refused_not_echoed(live: dict[str, Any]) -> None:
    with httpx.Client(base_url=live["base"], timeout=60) as c:
        body = {"scenario": {**SCENARIO, "name": "n" * (6 * 2**20)}}
        r = c.post("/api/simulations", json=body, headers=live["auth"])
        assert r.status_code == 413 and r.json()["limit"]["name"] == "max_body_bytes"
        assert len(r.content) < 2000
        body = {"scenario": {**SCENARIO, "name": "n" * 20_000}}
        r = c.post("/api/simulations", json=body, headers=live["auth"])
        assert r.status_code == 422 and r.json()["limit"]["name"] == "max_string_chars"
        assert len(r.content) < 2000


def test_deep_json_bodies_are_422(live: dict[str, Any]) -> None:
    with httpx.Client(base_url=live["base"], timeout=60) as c:
        for depth in (40, 5000, 200_000):
            raw = '{"scenario": {"a": ' + "[" * depth + "]" * depth + "}}"
            r = c.post(
                "/api/simulations",
                content=raw,
                headers={**live["auth"], "content-type": "application/json"},
            )
            assert r.headers["content-type"].startswith("application/problem+json")
            if depth == 40:
                assert r.status_code == 422 and r.json()["limit"]["name"] == "max_json_depth"
            else:  # the body parser gives up first: a 400 problem, never a 500
                assert r.status_code in (400, 422), (depth, r.status_code, r.text[:300])


def test_upload_over_the_limit_is_413_even_when_chunked(live: dict[str, Any]) -> None:
    limits.set_limits(max_upload_bytes=2**20)
    try:
        before = live["store"].table_counts()
        with httpx.Client(base_url=live["base"], timeout=60) as c:
            r = c.post(
                "/api/datasets",
                headers=live["auth"],
                files={"file": ("big.zip", b"PK" + b"\x00" * (3 * 2**20), "application/zip")},
            )
            assert r.status_code == 413 and r.json()["limit"]["name"] == "max_upload_bytes"

            def chunks() -> Iterator[bytes]:
                for _ in range(40):
                    yield b"x" * 2**16

            r = c.post(
                "/api/simulations",
                content=chunks(),
                headers={**live["auth"], "content-type": "application/json"},
            )
            # 2.5 MiB < max_body_bytes: refused as a body, not for its size
            assert r.status_code == 422
        limits.set_limits(max_body_bytes=2**20)
        with httpx.Client(base_url=live["base"], timeout=60) as c:
            r = c.post(
                "/api/simulations",
                content=chunks(),
                headers={**live["auth"], "content-type": "application/json"},
            )
            assert r.status_code == 413 and r.json()["limit"]["name"] == "max_body_bytes"
        assert live["store"].table_counts() == before
    finally:
        limits.reset_limits()


def test_options_lists_the_documented_methods(live: dict[str, Any]) -> None:
    spec = httpx.get(live["base"] + "/openapi.json").json()
    with httpx.Client(base_url=live["base"], timeout=60) as c:
        for path, item in spec["paths"].items():
            concrete = path.replace("{ref}", "tiny").replace("{run_id}", "abc")
            concrete = concrete.replace("{", "").replace("}", "")
            r = c.options(concrete)
            assert r.status_code == 204, (path, r.status_code)
            allow = {m.strip() for m in r.headers["allow"].split(",")}
            documented = {m.upper() for m in item}
            assert documented <= allow, (path, allow, documented)
            assert allow - documented == {"OPTIONS"}, (path, allow)


def _slow_app(record: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/slow")
    def slow() -> dict[str, str]:
        record["started"].set()
        end = time.monotonic() + 20
        try:
            while time.monotonic() < end:
                limits.checkpoint()
                time.sleep(0.01)
        except limits.Cancelled:
            record["cancelled"].set()
            raise
        record["finished"].set()
        return {"ok": "yes"}

    app.add_middleware(RequestGuard, routes=app)
    return app


def test_time_out_answers_503_and_stops_the_worker() -> None:
    rec = {k: threading.Event() for k in ("started", "cancelled", "finished")}
    limits.set_limits(request_timeout_s=0.5)
    try:
        with serve_in_thread(_slow_app(rec)) as base:
            t0 = time.monotonic()
            r = httpx.get(base + "/slow", timeout=30)
            assert r.status_code == 503 and r.json()["limit"]["name"] == "request_timeout_s"
            assert time.monotonic() - t0 < 5
            assert rec["cancelled"].wait(5) and not rec["finished"].is_set()
    finally:
        limits.reset_limits()


def test_client_disconnect_stops_the_worker() -> None:
    rec = {k: threading.Event() for k in ("started", "cancelled", "finished")}
    with serve_in_thread(_slow_app(rec)) as base:
        u = urlparse(base)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        conn.request("GET", "/slow")
        assert rec["started"].wait(10)
        conn.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        conn.close()
        assert rec["cancelled"].wait(10), "the worker kept going after the client left"
        assert not rec["finished"].is_set()


def test_import_reading_honours_the_cancel_flag(tmp_path: Path) -> None:
    """The dataset reader stops between rows once the request's flag is set."""
    from titr.errors import TitrError

    ev = threading.Event()
    ev.set()
    tok = limits.CANCEL.set(ev)
    try:
        ds = tmp_path / "ds"
        ds.mkdir()
        for p in TINY.iterdir():
            (ds / p.name).write_bytes(p.read_bytes())
        nodes = (TINY / "nodes.csv").read_text("utf-8")
        (ds / "nodes.csv").write_text(nodes + "\n" * 1000, "utf-8")
        with pytest.raises(TitrError) as ei:
            read_dataset(ds)
        assert isinstance(ei.value, limits.Cancelled)
    finally:
        limits.CANCEL.reset(tok)
    assert json.dumps(limits.Limits().__dict__)  # the table is plain data

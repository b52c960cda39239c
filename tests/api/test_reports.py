"""/api/reports: a report as a background job over a real server; token, 4xx problems, file."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.store.db import Store

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[httpx.Client, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('rep') / 'titr.db'}"
    store = Store(url)
    token = store.create_token("tests")
    app = create_app(url, default_dataset="middle-corridor-2025")
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        yield client, token
    store.close()


def _problem(r: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    return r.json()  # type: ignore[no-any-return]


GOOD = {
    "target_t": 11e6,
    "by": 2030,
    "lang": "tr",
    "format": "html",
    "replications": 1,
    "draws": 500,
}
BAD = [
    {**GOOD, "lang": "de"},
    {**GOOD, "format": "docx"},
    {**GOOD, "target_t": -1},
    {**GOOD, "by": 1800},
    {**GOOD, "by": 2020},
    {**GOOD, "scenario": "no-such"},
    {**GOOD, "draws": 0},
    {**GOOD, "budget_musd": -5},
    {**GOOD, "extra": 1},
    {k: v for k, v in GOOD.items() if k != "target_t"},
]


def test_report_job(api: tuple[httpx.Client, str], tmp_path: Path) -> None:
    client, token = api
    auth = {"Authorization": f"Bearer {token}"}
    _problem(client.post("/api/reports", json=GOOD), 401)
    r = client.post("/api/reports", json=GOOD, headers=auth)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.headers["location"] == f"/api/reports/{run_id}"
    end = time.monotonic() + 240
    st = r.json()
    while st["status"] == "running" and time.monotonic() < end:
        time.sleep(0.5)
        st = client.get(f"/api/reports/{run_id}").json()
    assert st["status"] == "done", st
    f = client.get(st["file"])
    assert f.status_code == 200
    assert f.headers["content-type"].startswith("text/html")
    assert "Orta Koridor değerlendirmesi" in f.text
    assert st["dataset"] in f.text
    _problem(client.get("/api/reports/nope"), 404)


@pytest.mark.parametrize("body", BAD)
def test_bad_requests_are_422(api: tuple[httpx.Client, str], body: dict) -> None:  # type: ignore[type-arg]
    client, token = api
    _problem(
        client.post("/api/reports", json=body, headers={"Authorization": f"Bearer {token}"}), 422
    )

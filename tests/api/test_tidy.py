"""API JSON without float noise (the tidy middleware) and /docs served offline."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from titr.api import create_app
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('tidy') / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    st.close()
    with TestClient(create_app(url, default_dataset="tiny")) as c:
        yield c


def test_route_numbers_have_no_float_noise(client: TestClient) -> None:
    r = client.get("/api/routes", params={"from": "Alpha", "to": "Echo"})
    assert r.status_code == 200, r.text
    assert int(r.headers["content-length"]) == len(r.content)
    assert re.findall(r"\d\.\d{11,}", r.text) == []
    assert r.json()["routes"][0]["nodes"][-1] == "GE_E"


def test_problem_json_still_tidy_and_named(client: TestClient) -> None:
    r = client.get("/api/network/nodes/Charly")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "Charlie Port (KZ_C)" in r.json()["suggestions"]


def test_docs_use_no_cdn(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    html = r.text
    assert "cdn" not in html.lower() and "https://" not in html
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/docs-assets/swagger-ui-bundle.js" in srcs
    for s in srcs:
        assert s.startswith("/"), s
        assert client.get(s).status_code == 200, s
    assert client.get("/redoc").status_code == 404  # no second, CDN-based docs page


def test_static_and_html_pass_through(client: TestClient) -> None:
    r = client.get("/docs-assets/swagger-ui.css")
    assert r.status_code == 200 and "swagger-ui" in r.text
    assert httpx.codes.is_success(client.get("/openapi.json").status_code)


def test_route_answer_is_sent_as_is_without_the_marker(client: TestClient) -> None:
    # /api/routes sends RouteResult.to_json (tidy already): the middleware passes the bytes
    # through and strips its private marker header
    from titr.api.tidy import TIDY_HEADER
    from titr.routing import route

    r = client.get("/api/routes", params={"from": "CN_A", "to": "GE_E", "alternatives": 2})
    assert r.status_code == 200, r.text
    assert TIDY_HEADER not in r.headers
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    expect = route(read_dataset(TINY), "CN_A", "GE_E", alternatives=2)
    assert r.content == expect.to_json()


def test_marker_header_passes_any_json_untouched() -> None:
    from fastapi import FastAPI
    from fastapi.responses import Response

    from titr.api.tidy import TIDY_HEADER, TidyJSONMiddleware

    app = FastAPI()
    app.add_middleware(TidyJSONMiddleware)

    @app.get("/api/raw")
    def raw(marked: bool = False) -> Response:
        headers = {TIDY_HEADER: "1"} if marked else {}
        return Response(
            b'{"x":0.30000000000000004}', media_type="application/json", headers=headers
        )

    with TestClient(app) as c:
        assert c.get("/api/raw").content == b'{"x":0.3}'  # unmarked: tidied
        m = c.get("/api/raw", params={"marked": True})
        assert m.content == b'{"x":0.30000000000000004}' and TIDY_HEADER not in m.headers

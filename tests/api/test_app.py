"""REST API over a real uvicorn server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.jsonfmt import tidy
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
PROBLEM = "application/problem+json"


def zip_folder(folder: Path, edit: dict[str, str] | None = None) -> bytes:
    """The folder as a zip (files under a top folder, as users zip them); `edit` replaces
    whole files by name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in sorted(folder.iterdir()):
            data = (edit or {}).get(f.name)
            zf.writestr(f"{folder.name}/{f.name}", data if data is not None else f.read_bytes())
    return buf.getvalue()


@dataclass
class Api:
    url: str
    client: httpx.Client
    store: Store
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def api(db_url: str) -> Iterator[Api]:
    store = Store(db_url)
    store.save_network(read_dataset(TINY))
    token = store.create_token("tests")
    app = create_app(db_url, default_dataset="tiny")
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        yield Api(url, client, store, token)
    store.close()


def assert_problem(r: httpx.Response, status: int) -> dict:  # type: ignore[type-arg]
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["instance"].startswith("/api")
    return body  # type: ignore[no-any-return]


def test_health_and_openapi(api: Api) -> None:
    assert api.client.get("/api/health").json()["dataset"] == "tiny"
    spec = api.client.get("/openapi.json").json()
    assert {"datasets", "network", "indicators"} <= {t["name"] for t in spec["tags"]}
    imp = spec["paths"]["/api/datasets"]["post"]
    assert imp["security"] and PROBLEM in imp["responses"]["422"]["content"]
    assert PROBLEM in imp["responses"]["401"]["content"]
    assert "Problem" in spec["components"]["schemas"]


def test_datasets_list_paginates_and_detail(api: Api) -> None:
    r = api.client.post(
        "/api/datasets",
        headers=api.auth,
        data={"name": "tiny-b"},
        files={"file": ("tiny.zip", zip_folder(TINY), "application/zip")},
    )
    assert r.status_code == 201, r.text
    full = api.client.get("/api/datasets").json()
    names = [d["name"] for d in full["items"]]
    assert {"tiny", "tiny-b"} <= set(names) and full["total"] == len(names)
    page = api.client.get("/api/datasets", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == full["total"] and page["items"] == full["items"][1:2]
    d = api.client.get("/api/datasets/tiny@1").json()
    assert d["label"].startswith("tiny@1#") and d["counts"]["nodes"] == 5
    assert d["countries"] == ["AZ", "CN", "GE", "KZ"]
    body = assert_problem(api.client.get("/api/datasets/tinyy"), 404)
    assert "tiny" in body["suggestions"]
    assert_problem(api.client.get("/api/datasets/tiny@9"), 404)


def test_network_geojson_and_details_with_sources(api: Api) -> None:
    fc = api.client.get("/api/network", params={"lang": "ru"}).json()
    assert fc["type"] == "FeatureCollection" and fc["dataset"].startswith("tiny@1#")
    nodes = {f["id"]: f for f in fc["features"] if f["properties"]["feature"] == "node"}
    links = [f for f in fc["features"] if f["properties"]["feature"] == "link"]
    assert len(nodes) == 5 and len(links) == 4
    assert nodes["KZ_C"]["properties"]["name"] == "Порт Чарли"
    assert nodes["KZ_C"]["geometry"]["coordinates"] == [51.2, 43.6]  # lon, lat

    n = api.client.get("/api/network/nodes/Браво", params={"lang": "tr"}).json()
    assert n["id"] == "KZ_B" and n["name"] == "Bravo" and n["dataset"] == fc["dataset"]
    assert {p["id"] for p in n["processes"]} == {"P_B_GAUGE", "P_B_BORDER"}
    src = {s["field"]: s for s in n["sources"]}
    assert src["source"]["sources"][0]["publisher"] == "Example Ministry"
    assert src["coord_source"]["estimate"] and src["coord_source"]["ids"] == []

    lk = api.client.get("/api/network/links/L_DE").json()
    cap = next(s for s in lk["sources"] if s["field"] == "capacity_source")
    assert cap["ids"] == [] and "half of test line" in cap["estimate"]
    assert lk["record"]["capacity"] == 5_000_000 and lk["record"]["capacity_unit"] == "t/yr"
    ferry = api.client.get("/api/network/links/L_CD").json()
    assert ferry["service"]["id"] == "SV_CD"
    assert ferry["service"]["yearly_capacity"] == pytest.approx(2 * 300 * 8760 / 96 * 0.9)

    body = assert_problem(api.client.get("/api/network/nodes/Charly"), 404)
    assert "Charlie Port (KZ_C)" in body["suggestions"]  # names with codes
    assert "L_DE" in assert_problem(api.client.get("/api/network/links/L_DF"), 404)["suggestions"]


def test_indicators_targets_sources(api: Api) -> None:
    ind = api.client.get("/api/indicators").json()
    assert ind["total"] == 1 and ind["dataset"].startswith("tiny@1#")
    s = ind["items"][0]
    assert [p["value"] for p in s["points"]] == [2.764, 4.484]
    assert s["targets"][0]["value"] == 10
    tg = api.client.get("/api/targets").json()["targets"][0]
    assert tg["share_reached"] == pytest.approx(0.4484)
    assert tg["required_growth"] == pytest.approx((10 / 4.484) ** (1 / 3) - 1)
    # two points cannot carry a trend: the forecast says so, as the CLI does
    body = assert_problem(api.client.get("/api/indicators/titr_cargo/forecast"), 422)
    assert "at least 3" in body["errors"][0]["rule"]
    src = api.client.get("/api/sources", params={"limit": 1}).json()
    assert src["total"] == 2 and [x["id"] for x in src["items"]] == ["S001"]
    assert api.client.get("/api/sources/S002").json()["url"] is None
    assert_problem(api.client.get("/api/sources/S009"), 404)


def test_bad_parameters_are_problem_422(api: Api) -> None:
    body = assert_problem(api.client.get("/api/datasets", params={"limit": 0}), 422)
    assert body["errors"][0]["column"] == "limit" and body["errors"][0]["file"] == "query"
    assert_problem(api.client.get("/api/network", params={"lang": "de"}), 422)
    assert_problem(api.client.get("/api/network", params={"dataset": "bad name!"}), 404)
    assert_problem(api.client.get("/api/nowhere"), 404)


def test_writes_need_a_valid_unrevoked_token(api: Api) -> None:
    files = {"file": ("tiny.zip", zip_folder(TINY), "application/zip")}
    r = api.client.post("/api/datasets", files=files, data={"name": "x"})
    assert_problem(r, 401)
    assert r.headers["www-authenticate"].startswith("Bearer")
    bad = {"Authorization": "Bearer titr_not-a-token"}
    assert_problem(api.client.post("/api/datasets", files=files, headers=bad), 401)
    assert_problem(api.client.delete("/api/datasets/tiny"), 401)
    assert_problem(api.client.delete("/api/datasets/tiny", headers=bad), 401)
    other = api.store.create_token("other")
    assert (
        api.client.post(
            "/api/datasets",
            files=files,
            data={"name": "x"},
            headers={"Authorization": f"Bearer {other}"},
        ).status_code
        == 201
    )
    assert api.store.revoke_tokens("other") == 1
    r = api.client.post(
        "/api/datasets",
        files=files,
        data={"name": "y"},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert_problem(r, 401)
    assert {d["name"] for d in api.store.list_datasets()} == {"tiny", "x"}
    # the first token still works
    assert api.client.delete("/api/datasets/x", headers=api.auth).status_code == 200


def test_malformed_imports_are_422_and_leave_the_store_unchanged(api: Api) -> None:
    before = api.store.table_counts()
    r = api.client.post(
        "/api/datasets",
        headers=api.auth,
        files={"file": ("x.zip", b"PK\x03\x04 not really", "application/zip")},
    )
    body = assert_problem(r, 422)
    assert body["errors"][0]["file"] == "x.zip" and "zip" in body["errors"][0]["rule"]

    nodes = (TINY / "nodes.csv").read_text("utf-8").splitlines()
    nodes[2] = nodes[2].replace(",44.2,", ",144.2,")  # KZ_B latitude out of range
    links = (TINY / "links.csv").read_text("utf-8").replace("L_DE,AZ_D,GE_E", "L_DE,AZ_D,GE_X")
    bad = zip_folder(TINY, {"nodes.csv": "\n".join(nodes) + "\n"})
    r = api.client.post(
        "/api/datasets",
        headers=api.auth,
        data={"name": "broken"},
        files={"file": ("broken.zip", bad, "application/zip")},
    )
    body = assert_problem(r, 422)
    (lat,) = body["errors"]
    assert (lat["file"], lat["row"], lat["column"], lat["value"]) == (
        "nodes.csv",
        3,
        "lat",
        "144.2",
    )
    assert "nodes.csv, row 3, column 'lat'" in body["detail"]
    r = api.client.post(
        "/api/datasets",
        headers=api.auth,
        data={"name": "broken"},
        files={"file": ("b.zip", zip_folder(TINY, {"links.csv": links}), "application/zip")},
    )
    ref = next(e for e in assert_problem(r, 422)["errors"] if e["file"] == "links.csv")
    assert (ref["row"], ref["column"], ref["value"]) == (5, "b_node", "GE_X")

    missing = zip_folder(TINY, {"manifest.json": "{not json"})
    assert_problem(
        api.client.post(
            "/api/datasets", headers=api.auth, files={"file": ("m.zip", missing, "application/zip")}
        ),
        422,
    )
    assert_problem(api.client.post("/api/datasets", headers=api.auth), 422)  # no file
    assert api.store.table_counts() == before


def test_export_round_trip_and_delete(api: Api, tmp_path: Path) -> None:
    r = api.client.get("/api/datasets/tiny/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    h = api.client.get("/api/datasets/tiny").json()["content_hash"]
    r2 = api.client.post(
        "/api/datasets",
        headers=api.auth,
        data={"name": "tiny-copy"},
        files={"file": ("e.zip", r.content, "application/zip")},
    )
    assert r2.status_code == 201, r2.text
    copy = api.client.get("/api/datasets/tiny-copy").json()
    # same content under a new name: only the manifest name differs from the original
    (tmp_path / "e.zip").write_bytes(r.content)
    assert read_dataset(tmp_path / "e.zip").content_hash == h
    assert copy["counts"] == api.client.get("/api/datasets/tiny").json()["counts"]

    gj = api.client.get("/api/datasets/tiny/export", params={"format": "geojson"})
    assert gj.headers["content-type"].startswith("application/geo+json")
    assert len(gj.json()["features"]) == 9
    xl = api.client.get("/api/datasets/tiny/export", params={"format": "xlsx"})
    assert xl.content[:2] == b"PK" and "spreadsheetml" in xl.headers["content-type"]

    r = api.client.delete("/api/datasets/tiny-copy", headers=api.auth)
    assert r.status_code == 200 and r.json()["deleted"].startswith("tiny-copy@1#")
    assert_problem(api.client.get("/api/datasets/tiny-copy"), 404)
    assert {d["name"] for d in api.store.list_datasets()} == {"tiny"}


def test_import_conflict_is_409(api: Api) -> None:
    changed = zip_folder(
        TINY,
        {
            "sources.csv": (TINY / "sources.csv")
            .read_text("utf-8")
            .replace("Test source one", "Test source 1")
        },
    )
    r = api.client.post(
        "/api/datasets", headers=api.auth, files={"file": ("c.zip", changed, "application/zip")}
    )
    assert "already stored" in assert_problem(r, 409)["detail"]
    r = api.client.post(
        "/api/datasets",
        headers=api.auth,
        data={"replace": "true"},
        files={"file": ("c.zip", changed, "application/zip")},
    )
    assert r.status_code == 201
    srcs = api.client.get("/api/sources", params={"dataset": "tiny"}).json()["items"]
    assert srcs[0]["title"] == "Test source 1"  # the new content is served at once


def test_cors_off_by_default_and_configurable(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    hdr = {"Origin": "http://example.test"}
    with serve_in_thread(create_app(url, cors_origins=[])) as base:
        r = httpx.get(base + "/api/health", headers=hdr)
        assert "access-control-allow-origin" not in r.headers
    with serve_in_thread(create_app(url, cors_origins=["http://example.test"])) as base:
        r = httpx.get(base + "/api/health", headers=hdr)
        assert r.headers["access-control-allow-origin"] == "http://example.test"
        r = httpx.get(base + "/api/health", headers={"Origin": "http://evil.test"})
        assert "access-control-allow-origin" not in r.headers


def test_token_cli(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from titr.cli.main import main

    monkeypatch.setenv("TITR_DATABASE_URL", db_url)
    assert main(["token", "create", "ci"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    st = Store(db_url)
    try:
        assert token.startswith("titr_") and st.check_token(token)
        assert main(["token", "revoke", "ci"]) == 0
        assert not st.check_token(token)
        assert main(["token", "revoke", "nobody"]) == 2
    finally:
        st.close()


def test_routes_match_the_engine_and_errors_are_precise(api: Api) -> None:
    from titr.routing import route

    q = {"from": "Alpha", "to": "GE_E", "by": "time", "alternatives": 2}
    r = api.client.get("/api/routes", params=q)
    assert r.status_code == 200, r.text
    body = r.json()
    net = read_dataset(TINY)
    expect = route(net, "CN_A", "GE_E", by="time", alternatives=2, seed=0).to_dict()
    assert body == tidy(expect)  # the engine's numbers without float noise
    assert body["dataset"].startswith("tiny@1#") and body["routes"][0]["nodes"][0] == "CN_A"
    assert body["routes"][0]["nodes"][-1] == "GE_E"
    assert api.client.get("/api/routes", params=q).json() == body  # cached answer identical
    cost = api.client.get("/api/routes", params={**q, "by": "cost", "per": "t"}).json()
    assert cost["by"] == "cost" and cost["routes"][0]["tariff"]["per"] == "t"

    miss = assert_problem(
        api.client.get("/api/routes", params={"from": "Alpah", "to": "GE_E"}), 404
    )
    assert "Alpha (CN_A)" in miss["suggestions"]
    blocked = assert_problem(
        api.client.get("/api/routes", params={"from": "CN_A", "to": "GE_E", "avoid": "AZ"}), 422
    )
    assert blocked["title"] == "no admissible route" and "AZ" in blocked["detail"]
    assert_problem(api.client.get("/api/routes", params={"from": "CN_A", "to": "CN_A"}), 400)
    assert_problem(
        api.client.get("/api/routes", params={"from": "CN_A", "to": "GE_E", "by": "speed"}), 422
    )
    assert_problem(api.client.get("/api/routes", params={"to": "GE_E"}), 422)


def test_compare_corridors_matches_the_engine(api: Api) -> None:
    from titr.routing import compare_corridors

    r = api.client.get("/api/compare", params={"from": "CN_A", "to": "GE_E", "by": "time"})
    assert r.status_code == 200, r.text
    body = r.json()
    net = read_dataset(TINY)
    assert body == tidy(compare_corridors(net, "CN_A", "GE_E", by="time", seed=0).to_dict())
    rows = {c["corridor"]: c for c in body["corridors"]}
    assert rows["middle"]["available"] and rows["middle"]["nodes"][-1] == "GE_E"
    assert not rows["northern"]["available"] and "northern" in rows["northern"]["reason"]
    assert body["dataset"].startswith("tiny@1#")
    assert_problem(api.client.get("/api/compare", params={"from": "Nowhere", "to": "GE_E"}), 404)


SCENARIO = {
    "name": "api-test",
    "horizon_days": 60,
    "demand": [
        {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": 20000}
    ],
}


def _wait(api: Api, run_id: str, timeout: float = 60.0) -> dict:  # type: ignore[type-arg]
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        st = api.client.get(f"/api/simulations/{run_id}").json()
        if st["status"] != "running":
            return st  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError(f"simulation {run_id} still running after {timeout} s")


def test_simulation_runs_in_background_and_persists(api: Api) -> None:
    from titr.sim import simulate

    req = {"scenario": SCENARIO, "replications": 3, "seed": 7}
    assert_problem(api.client.post("/api/simulations", json=req), 401)
    r = api.client.post("/api/simulations", json=req, headers=api.auth)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert r.headers["location"] == f"/api/simulations/{run_id}"
    st = _wait(api, run_id)
    assert st["status"] == "done" and st["done"] == 3 and st["progress"] == 1.0
    assert st["dataset"].startswith("tiny@1#") and st["result"]["run_id"] == run_id
    expect = simulate(read_dataset(TINY), SCENARIO, replications=3, seed=7).to_dict()
    assert st["result"]["statistics"] == tidy(expect["statistics"])  # same seed, same numbers
    res = api.client.get(f"/api/simulations/{run_id}/results", params={"limit": 2}).json()
    assert res["total"] == 3 and [x["rep"] for x in res["replications"]] == [0, 1]
    assert api.store.get_run(run_id)["status"] == "done"  # persisted in the store
    runs = api.client.get("/api/runs", params={"kind": "simulation"}).json()
    assert runs["total"] == 1 and runs["items"][0]["id"] == run_id
    assert api.client.get("/api/simulations").json()["items"][0]["id"] == run_id
    assert_problem(api.client.delete(f"/api/simulations/{run_id}", headers=api.auth), 409)
    assert_problem(api.client.get("/api/simulations/nope"), 404)


def test_simulation_cancel_and_bad_scenarios(api: Api) -> None:
    before = api.store.table_counts()["runs"]
    bad = {
        "scenario": {
            "horizon_days": 0,
            "demand": [
                {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": -5}
            ],
        }
    }
    body = assert_problem(api.client.post("/api/simulations", json=bad, headers=api.auth), 422)
    assert {e["column"] for e in body["errors"]} == {"horizon_days", "demand[0].per_year"}
    body = assert_problem(
        api.client.post(
            "/api/simulations", headers=api.auth, json={"scenario": SCENARIO, "replications": 0}
        ),
        422,
    )
    assert body["errors"][0]["column"] == "replications"
    assert api.store.table_counts()["runs"] == before  # nothing half-started

    long = {"scenario": SCENARIO, "replications": 500, "seed": 1, "days": 365}
    r = api.client.post("/api/simulations", json=long, headers=api.auth)
    assert r.status_code == 202, r.text
    run_id = r.json()["id"]
    assert_problem(api.client.delete(f"/api/simulations/{run_id}"), 401)
    r = api.client.delete(f"/api/simulations/{run_id}", headers=api.auth)
    assert r.status_code == 202
    st = _wait(api, run_id)
    assert st["status"] == "cancelled" and st["done"] < 500


def test_assignment_bottlenecks_and_persisted_run(api: Api) -> None:
    csv = "origin,destination,commodity,quantity,unit,source\nCN_A,GE_E,container,300000,TEU,S001\n"
    assert_problem(api.client.post("/api/assignments", json={"demand_csv": csv}), 401)
    r = api.client.post("/api/assignments", json={"demand_csv": csv, "top": 3}, headers=api.auth)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["dataset"].startswith("tiny@1#") and out["run_id"]
    top = out["bottlenecks"][0]
    # the feeder is the bottleneck: 2 vessels x 300 TEU x 8760/96 h x 0.9 = 49,275 TEU/yr
    assert (top["ref"], top["utilisation"]) == ("SV_CD", pytest.approx(1.0))
    served = out["summary"]["by_commodity"]["container"]["served"]
    assert served == pytest.approx(2 * 300 * 8760 / 96 * 0.9)
    assert (
        api.client.get(f"/api/runs/{out['run_id']}").json()["result"]["bottlenecks"][0]["ref"]
        == "SV_CD"
    )
    bad = csv.replace("300000", "-1").replace("GE_E", "GE_Q")
    body = assert_problem(
        api.client.post("/api/assignments", json={"demand_csv": bad}, headers=api.auth), 422
    )
    assert {(e["row"], e["column"]) for e in body["errors"]} >= {(2, "destination")}
    assert_problem(api.client.get("/api/bottlenecks", params={"scenario": "nope"}), 404)


@pytest.mark.slow
def test_titr_serve_starts_uvicorn_with_the_store(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys
    import time

    from titr.api.server import free_port

    port = free_port()
    env = {**os.environ, "TITR_HOME": str(tmp_path), "TITR_DATASET": "tiny"}
    env.pop("TITR_DATABASE_URL", None)
    st = Store(f"sqlite:///{tmp_path / 'titr.db'}")
    st.save_network(read_dataset(TINY))
    st.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "titr.cli.main", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        end = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < end, "serve did not start"
                time.sleep(0.2)
        assert r.json()["dataset"] == "tiny"
        ds = httpx.get(f"http://127.0.0.1:{port}/api/datasets/tiny").json()
        assert ds["origin"] == "store" and ds["counts"]["links"] == 4
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_route_for_a_tonne_commodity_reports_per_tonne_by_default() -> None:
    """Uranium is counted in tonnes: the default tariff basis is its own unit, not TEU."""
    from fastapi.testclient import TestClient

    from titr.api.app import create_app

    with TestClient(create_app()) as c:
        r = c.get("/api/routes", params={"from": "KZ_KZO", "to": "GE_POTI", "commodity": "uranium"})
    assert r.status_code == 200, r.text
    assert r.json()["routes"][0]["nodes"][-1] == "GE_POTI"


def test_a_router_that_fails_to_import_is_an_error_not_silently_dropped(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    import pytest as _pytest

    from titr.api import app as app_mod

    monkeypatch.setattr(app_mod, "ROUTERS", (*app_mod.ROUTERS, "no_such_router"))
    with _pytest.raises(RuntimeError, match="no_such_router"):
        app_mod.create_app(f"sqlite:///{tmp_path / 'x.db'}")


def test_no_router_imports_another_router() -> None:
    import ast
    from pathlib import Path

    import titr.api.routers as pkg

    for f in Path(pkg.__file__).parent.glob("*.py"):
        tree = ast.parse(f.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("titr.api.routers"), (f.name, node.module)
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("titr.api.routers") for a in node.names), f.name


API_BAD_VIAS = ["country:", "node:", "country:Narnia", "Narnia", "ZZ_X", "!!!", "node:ZZ"]


def test_route_via_country_and_bad_vias(api: Api) -> None:
    """?via= takes countries by code or name in en/ru/tr (the CLI's resolver); bad ones are 404
    problem+json in the asked language."""
    for via in ("AZ", "Azerbaijan", "Азербайджан", "Azerbaycan", "country:az", "Delta"):
        r = api.client.get("/api/routes", params={"from": "CN_A", "to": "GE_E", "via": via})
        assert r.status_code == 200, (via, r.text)
        assert "AZ_D" in r.json()["routes"][0]["nodes"]
    for via in API_BAD_VIAS:
        q = {"from": "CN_A", "to": "GE_E", "via": via, "lang": "ru"}
        body = assert_problem(api.client.get("/api/routes", params=q), 404)
        assert body["title"] == "не найдено", body

"""/api/choice/* over a real uvicorn server on loopback: forecast, observed shares,
estimates, break-even; malformed parameters as problem+json (never a 500)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    url = f"sqlite:///{tmp_path_factory.mktemp('choice') / 'titr.db'}"
    app = create_app(url, default_dataset="middle-corridor-2025")
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


def test_forecast_link_volumes_equal_the_cli(
    client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    """The map's forecast widths (`link_volumes`) are the numbers `titr forecast --json`
    prints: one domain function, serialised twice."""
    import json

    from titr.cli.main import main
    from titr.jsonfmt import tidy

    r = client.get("/api/choice/forecast", params={"scenario": "time-halved", "to": 2028})
    assert r.status_code == 200, r.text
    api = tidy(r.json())
    assert main(["forecast", "--scenario", "time-halved", "--to", "2028", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    assert api["link_volumes"] == cli["link_volumes"]
    assert {x["year"] for x in api["link_volumes"]} == {2026, 2027, 2028}
    assert len(api["link_volumes"]) > 30


def test_forecast_and_slider(client: httpx.Client) -> None:
    r = client.get("/api/choice/forecast", params={"scenario": "time-halved", "to": 2030})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["dataset"].startswith("middle-corridor-2025@")
    assert d["years"] == [2026, 2027, 2028, 2029, 2030]
    assert d["converged"] and d["convergence"]
    assert len(d["diversion"]["matrix"]) == len(d["diversion"]["corridors"])
    by_year: dict[int, float] = {}
    for v in d["volumes"]:
        by_year[v["year"]] = by_year.get(v["year"], 0.0) + v["share"]
    assert all(abs(s - 1) < 1e-9 for s in by_year.values())
    # the tariff slider: a lower single tariff never lowers the Middle Corridor's volume
    mids = []
    for t in (9000, 6000, 3000):
        rr = client.get(
            "/api/choice/forecast", params={"scenario": "baseline", "to": 2027, "tariff": t}
        )
        assert rr.status_code == 200, rr.text
        mids.append(
            next(
                v["volume"]
                for v in rr.json()["volumes"]
                if v["year"] == 2027 and v["corridor"] == "middle"
            )
        )
    # at a binding capacity the equilibrium's volumes agree to its convergence tolerance
    tol = 1e-6 * max(mids)
    assert mids[0] <= mids[1] + tol and mids[1] <= mids[2] + tol


def test_observed_estimates_scenarios_breakeven(client: httpx.Client) -> None:
    o = client.get("/api/choice/observed").json()
    assert {r["year"] for r in o["rows"]} == set(range(2019, 2026))
    e = client.get("/api/choice/estimates").json()
    assert e["values"]["b_cost"] < 0 and e["value_of_time_usd_per_day"] > 0
    s = client.get("/api/choice/scenarios").json()
    assert any(x["name"] == "single-tariff" for x in s["scenarios"])
    b = client.get("/api/choice/breakeven", params={"target_share": 0.003}).json()
    assert b["usd_per_feu"] > 0 and b["usd_per_t"] > 0


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/choice/forecast", {"to": 2050}),
        ("/api/choice/forecast", {"to": "soon"}),
        ("/api/choice/forecast", {"tariff": -5}),
        ("/api/choice/forecast", {"tariff": "nan"}),
        ("/api/choice/forecast", {"scenario": "../etc"}),
        ("/api/choice/forecast", {"scenario": "nope"}),
        ("/api/choice/breakeven", {}),
        ("/api/choice/breakeven", {"target_share": 2}),
        ("/api/choice/breakeven", {"comparator": "moon"}),
        ("/api/choice/breakeven", {"target_share": 0.1, "comparator": "northern"}),
        ("/api/choice/tripling", {"multiple": 0}),
    ],
)
def test_bad_parameters_are_problems(
    client: httpx.Client, path: str, params: dict[str, object]
) -> None:
    r = client.get(path, params=params)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.headers["content-type"].startswith(PROBLEM)

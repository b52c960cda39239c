"""Routes in a given month (titr.routing.scenarios): storm waits before weather-sensitive
sailings, the same answer from the domain call, the CLI and the API, bad months refused."""

from __future__ import annotations

import json

import pytest

from titr.errors import TitrError
from titr.routing import route
from titr.routing.scenarios import check_month, storm_steps


def test_a_winter_departure_waits_for_storms_a_summer_one_does_not(corridor) -> None:  # type: ignore[no-untyped-def]
    calm = route(corridor, "KZ_ALT", "GE_POTI")
    july = route(corridor, "KZ_ALT", "GE_POTI", month=7)
    dec = route(corridor, "KZ_ALT", "GE_POTI", month=12)
    storms = [s for s in dec.routes[0].steps if s.arc_kind == "storm"]
    assert [s.ref for s in storms] == ["SV_CASP_FDR"]
    i = [s.arc_kind for s in dec.routes[0].steps].index("storm")
    assert dec.routes[0].steps[i + 1].kind == "wait"  # just before the sailing's own wait
    t0, t7, t12 = (r.routes[0].transit_time for r in (calm, july, dec))
    assert t7.p90 == pytest.approx(t0.p90, abs=0.1) and t7.mean == pytest.approx(t0.mean)
    assert t12.mean > t0.mean + 2.0 and t12.p90 > t0.p90 + 5.0
    assert "December" in dec.notes[-1] and "SV_CASP_FDR" in dec.notes[-1]
    assert dec.routes[0].tariff.total_usd == calm.routes[0].tariff.total_usd


def test_a_route_without_sailings_is_unchanged(corridor) -> None:  # type: ignore[no-untyped-def]
    calm = route(corridor, "CN_XIAN", "KZ_DOS")
    dec = route(corridor, "CN_XIAN", "KZ_DOS", month=12)
    assert dec.routes[0].transit_time == calm.routes[0].transit_time
    assert "no weather-sensitive sailing" in dec.notes[-1]


def test_the_storm_month_follows_the_shipment(corridor) -> None:  # type: ignore[no-untyped-def]
    """Leaving Xi'an late in October still meets November's storms at Aktau: a departure month
    is shifted by the mean time to the sailing (Xi'an → Aktau ~10 days)."""
    r = route(corridor, "CN_XIAN", "GE_POTI")
    steps = storm_steps(corridor, r.routes[0].steps, 10)
    wait = next(s.time for s in steps if s.arc_kind == "storm")
    steps_nov = storm_steps(corridor, r.routes[0].steps, 11)
    nov = next(s.time for s in steps_nov if s.arc_kind == "storm")
    assert 0 < wait.mean < nov.mean


BAD_MONTHS = [0, 13, -1, 1.5, True, "1", None]


@pytest.mark.parametrize("m", BAD_MONTHS)
def test_bad_months_are_refused(m: object) -> None:
    with pytest.raises(TitrError, match="calendar month 1..12"):
        check_month(m)  # type: ignore[arg-type]


def test_route_refuses_a_bad_month_before_routing(corridor) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TitrError, match="calendar month"):
        route(corridor, "KZ_ALT", "GE_POTI", month=13)


@pytest.mark.parametrize("m", ["0", "13", "x", "-3", "1e1"])
def test_cli_refuses_a_bad_month(capsys: pytest.CaptureFixture[str], m: str) -> None:
    from titr.cli.main import main

    assert main(["route", "KZ_ALT", "GE_POTI", "--month", m]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_cli_and_api_give_the_same_winter_route(capsys: pytest.CaptureFixture[str]) -> None:
    from fastapi.testclient import TestClient

    from titr.api.app import create_app
    from titr.cli.main import main

    assert main(["route", "KZ_ALT", "GE_POTI", "--month", "1", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    with TestClient(create_app()) as c:
        r = c.get("/api/routes", params={"from": "KZ_ALT", "to": "GE_POTI", "month": 1})
        bad = [
            c.get("/api/routes", params={"from": "KZ_ALT", "to": "GE_POTI", "month": v})
            for v in ("0", "13", "x")
        ]
    assert r.status_code == 200, r.text
    api = r.json()
    for k in ("p10_days", "p50_days", "p90_days", "mean_days"):
        assert api["routes"][0]["transit_time"][k] == pytest.approx(
            cli["routes"][0]["transit_time"][k], rel=1e-6
        )
    assert api["notes"] == cli["notes"]
    assert [b.status_code for b in bad] == [422, 422, 422]

"""Regressions of the review's fuzz pass (session 3): malformed values that a command or an
endpoint accepted, crashed on or misread. Each must be a clear error naming the place and
the rule: CLI exit 2 without a traceback, API 4xx problem+json, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from titr.api import create_app
from titr.cli.main import main
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
PROBLEM = "application/problem+json"
HEADER = "origin,destination,commodity,quantity,unit,source\n"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from fastapi.testclient import TestClient

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    token = st.create_token("fuzz")
    with TestClient(create_app(url, default_dataset="tiny"), raise_server_exceptions=False) as c:
        yield {"c": c, "auth": {"Authorization": f"Bearer {token}"}, "store": st}
    st.close()


@pytest.mark.parametrize(
    ("row", "needle"),
    [
        ("CN_A,GE_E,container,1e10,Mt,EST: too much", "more than 1e+10"),  # was accepted
        ("CN_A,GE_E,general,9e9,kt,EST: too much", "more than 1e+10"),
        ("CN_A,GE_E,general,1e400,t,EST: overflow", "finite"),
        ("CN_A,GE_E,general,nan,t,EST: not a number", "finite"),
        ("CN_A,GE_E,general,-5,t,EST: negative amount", "> 0"),
        ("CN_A,GE_E,general,10,Mtt,EST: unit typo", "must be one of"),
        ("CN_A,GE_E,general,10,t,EST:", "reasoning"),
    ],
)
def test_assignment_demand_rows_are_refused(api: dict[str, Any], row: str, needle: str) -> None:
    runs = api["store"].table_counts()["runs"]
    r = api["c"].post("/api/assignments", json={"demand_csv": HEADER + row}, headers=api["auth"])
    assert r.status_code == 422, r.text[:300]
    assert r.headers["content-type"].startswith(PROBLEM)
    assert needle in r.text and r.json()["errors"][0]["row"] == 2
    assert api["store"].table_counts()["runs"] == runs  # nothing stored


@pytest.mark.parametrize("row", ["CN_A,GE_E,general,1e10,Mt,EST: too much"])
def test_demand_import_refuses_converted_overflow(
    row: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    monkeypatch.delenv("TITR_DATABASE_URL", raising=False)
    f = tmp_path / "d.csv"
    f.write_text(HEADER + row + "\n", "utf-8")
    rc = main(["demand", "import", str(f), "--name", "x", "--year", "2025", "-d", str(TINY)])
    err = capsys.readouterr().err
    assert rc == 2 and "column 'quantity'" in err and "Traceback" not in err


def test_simulation_scenario_dataset_is_not_ignored(api: dict[str, Any]) -> None:
    """A scenario naming a dataset that does not exist ran on the default one (202)."""
    runs = api["store"].table_counts()["runs"]
    body = {"scenario": {"dataset": "nope", "horizon_days": 30}, "replications": 1}
    r = api["c"].post("/api/simulations", json=body, headers=api["auth"])
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    assert "nope" in r.json()["detail"]
    body = {"dataset": "tiny", "scenario": {"dataset": "other", "horizon_days": 30}}
    r = api["c"].post("/api/simulations", json=body, headers=api["auth"])
    assert r.status_code == 422 and "two datasets given" in r.text
    assert api["store"].table_counts()["runs"] == runs


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/routes", {"from": "';--", "to": "GE_E"}, 404),
        ("/api/plans", {"target": "1e400 Mt", "by": 2027}, 422),
        ("/api/plans", {"target": "1,000 t", "by": 2027}, 422),
        ("/api/plans", {"target": "1e308 Mt", "by": 2027}, 422),
        ("/api/plans", {"target": "5 Mtt", "by": 2027}, 422),
        ("/api/plans", {"target": "1Mt", "by": 2027, "rate": "-inf"}, 422),
        ("/api/plans", {"target": "1Mt", "by": 2027, "lifetime": 0}, 422),
    ],
)
def test_query_values_name_the_rule(
    api: dict[str, Any], path: str, params: dict[str, Any], status: int
) -> None:
    r = api["c"].get(path, params=params)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "Traceback" not in r.text


HUGE = "9" * 400
SIM = str(Path(__file__).resolve().parents[1] / "data" / "sim" / "tiny.toml")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        # OverflowError tracebacks before
        (["appraise", "--target", "1Mt", "--by", "2028", "--period", HUGE], "appraisal_period"),
        (["simulate", SIM, "-n", HUGE], "--replications"),
        (["claims", "--dataset", HUGE], "not a dataset name or path"),
        # accepted before: a target of nan/inf/-1 x the base year, a negative row count
        (["choice", "tripling", "--multiple", "nan"], "--multiple"),
        (["choice", "tripling", "--multiple", "inf"], "--multiple"),
        (["choice", "tripling", "--multiple", "-1"], "--multiple"),
        (["choice", "tripling", "--multiple", "1e400"], "--multiple"),
        (["simulate", SIM, "-n", "0"], "--replications"),
        (["bottlenecks", "--scenario", "mine", "--top", "-1"], "--top"),
        (["bottlenecks", "--scenario", "mine", "--top", "0"], "--top"),
        (["assign", "--scenario", "mine", "--top", "-5"], "--top"),
    ],
)
def test_cli_values_are_refused_without_traceback(
    argv: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    monkeypatch.delenv("TITR_DATABASE_URL", raising=False)
    rc = main([*argv, "--dataset", str(TINY)] if argv[0] != "claims" else argv)
    cap = capsys.readouterr()
    assert rc == 2, cap.out[-500:]
    assert needle in cap.err and "Traceback" not in cap.err + cap.out

"""Scenario files: valid JSON/TOML load; every malformed file is rejected with the place and
the rule (file, key path), by the API and by the CLI (exit 2, no traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.cli.main import main
from titr.errors import DataError
from titr.network.bundled import load
from titr.sim import compile_model, load_scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"

BAD = [
    ("bad_unknown_key.json", "horizon_day", "unknown key"),
    ("bad_horizon.json", "horizon_days", ">= 1"),
    ("bad_seasonality.json", "seasonality", "12 monthly factors"),
    ("bad_same_od.json", "demand[0].destination", "must differ from the origin"),
    ("bad_per_year.json", "demand[0].per_year", "must be a number"),
    ("bad_closure.json", "plugins.closures[0].end_day", "after start_day"),
    ("bad_payload.json", "plugins.low_water.payload_factor", "<= 1"),
    ("bad_breakdown_kind.json", "plugins.breakdowns.kinds", "stage kinds"),
    ("bad_warmup.json", "warmup_days", "shorter than horizon_days"),
    ("bad_plugin.toml", "plugins.tornado", "unknown key"),
    ("bad_plugin.toml", "plugins.weather.season_months", "months 1..12"),
    ("bad_syntax.json", None, "invalid JSON"),
    ("bad_suffix.yaml", None, ".json or .toml"),
]


@pytest.mark.parametrize(("fname", "column", "rule"), BAD)
def test_malformed_scenario_names_place_and_rule(fname: str, column: str | None, rule: str) -> None:
    with pytest.raises(DataError) as ei:
        load_scenario(DATA / fname)
    hits = [i for i in ei.value.issues if rule in i.rule and (column is None or i.column == column)]
    assert hits, [str(i) for i in ei.value.issues]
    assert all(i.file.endswith(fname) for i in ei.value.issues)


def test_syntax_error_names_the_line() -> None:
    with pytest.raises(DataError) as ei:
        load_scenario(DATA / "bad_syntax.json")
    assert ei.value.issues[0].row == 3


def test_unknown_node_is_reported_at_compile_time() -> None:
    sc = load_scenario(DATA / "bad_node.json")
    net = load(sc.dataset or "")
    with pytest.raises(DataError) as ei:
        compile_model(net, sc)
    (iss,) = ei.value.issues
    assert iss.column == "demand[0].origin" and iss.value == "XX_NOWHERE"
    assert "not a node" in iss.rule


def test_several_errors_reported_together() -> None:
    with pytest.raises(DataError) as ei:
        load_scenario(DATA / "bad_plugin.toml")
    assert len(ei.value.issues) >= 2


def test_valid_json_and_toml() -> None:
    sc = load_scenario(DATA / "tiny.toml")
    assert sc.horizon_days == 60 and sc.weather is not None
    assert sc.weather["storm_days_per_year"] == 30 and sc.weather["season_months"] is None
    assert Path(sc.dataset or "").is_dir()
    sj = load_scenario(DATA / "tiny.json")
    assert len(sj.demand) == 2 and len(sj.closures) == 1
    assert abs(sum(sj.seasonality) - 12) < 1e-9


@pytest.mark.parametrize("fname", ["bad_closure.json", "bad_syntax.json", "bad_node.json"])
def test_cli_reports_bad_scenario_with_exit_2(
    fname: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["simulate", str(DATA / fname), "-n", "1", "--executor", "serial"])
    err = capsys.readouterr().err
    assert rc == 2
    assert fname in err and "Traceback" not in err


def test_scenario_round_trips_through_its_dict() -> None:
    from titr.sim import parse_scenario

    sc = load_scenario(DATA / "tiny.json")
    again = parse_scenario(sc.to_dict())
    assert again.to_dict() == sc.to_dict()
    assert again.closures == sc.closures and again.weather == sc.weather

"""`titr forecast`, `titr tariff breakeven`, `titr choice scenarios` through the CLI entry
point: results printed, bad input located with exit code 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_forecast_time_halved_prints_2030_and_diversion(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "forecast", "--scenario", "time-halved", "--to", "2030")
    assert rc == 0, err
    assert "2030" in out and "middle TEU" in out
    assert "diversion in 2030" in out and "Middle Corridor revenue 2030" in out
    assert "all converged: True" in out


def test_forecast_with_tariff_json(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    rc, out, err = _run(
        capsys, "forecast", "--scenario", "baseline", "--to", "2027", "--tariff", "2500", "--json"
    )
    assert rc == 0, err
    d = json.loads(out)
    assert d["scenario"]["name"] == "baseline+tariff2500" and d["diversion"]["year"] == 2027


def test_breakeven_and_scenarios(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "tariff", "breakeven", "--target-share", "0.003")
    assert rc == 0, err
    assert "per FEU" in out and "per t" in out and "assumptions" in out
    rc, out, _ = _run(capsys, "tariff", "breakeven", "--comparator", "northern")
    assert rc == 0 and "generalized cost of northern" in out
    rc, out, _ = _run(capsys, "choice", "scenarios")
    assert rc == 0 and "single-tariff" in out


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["forecast", "--to", "2040"], "at most 2035"),
        (["forecast", "--scenario", "nope"], "Did you mean"),
        (["forecast", "--tariff", "-3"], "--tariff"),
        (["tariff", "breakeven"], "exactly one"),
        (["tariff", "breakeven", "--target-share", "3"], "strictly between"),
        (["tariff", "breakeven", "--comparator", "moon"], "--comparator"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    rc, out, err = _run(capsys, *argv)
    assert rc == 2
    assert needle in err and "Traceback" not in err


def test_malformed_scenario_file_is_located(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(
        'name = "x"\n[[levers]]\nkind = "time"\ncorridor = "middle"\ncut = 2\nfrom_year = 2027\n',
        "utf-8",
    )
    rc, _, err = _run(capsys, "forecast", "--scenario", str(p))
    assert rc == 2
    assert "bad.toml" in err and "levers[0].cut" in err

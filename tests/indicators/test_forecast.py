"""Indicator series, target progress and the log-linear forecast against hand computations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from titr.errors import DataError, NotFoundError
from titr.indicators import forecast, series, target_progress
from titr.network.io_csv import read_dataset
from titr.network.model import Indicator

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _with_series(values: dict[int, float]):  # type: ignore[no-untyped-def]
    net = read_dataset(TINY)
    inds = [
        Indicator(series="titr_cargo", year=y, value=v, unit="Mt", source="S001")
        for y, v in values.items()
    ]
    return net.model_copy(update={"indicators": inds})


def test_exact_exponential_growth_is_recovered() -> None:
    net = _with_series({2019 + k: 1.5 * 1.3**k for k in range(5)})
    fc = forecast(net, "titr_cargo", 2026, bound=False)
    assert fc.growth_rate == pytest.approx(0.3, rel=1e-9)
    assert fc.years == (2024, 2025, 2026)
    assert fc.value[-1] == pytest.approx(1.5 * 1.3**7, rel=1e-9)
    # a perfect fit has a zero-width band
    assert fc.upper[-1] - fc.lower[-1] == pytest.approx(0, abs=1e-6)


def test_prediction_band_matches_textbook_formula() -> None:
    vals = {2019: 0.759, 2020: 0.783, 2021: 0.586, 2022: 1.485, 2023: 2.764, 2024: 4.484}
    net = _with_series(vals)
    fc = forecast(net, "titr_cargo", 2027, level=0.9, bound=False)
    t = np.array(list(vals), float)
    y = np.log(list(vals.values()))
    b, a = np.polyfit(t, y, 1)
    s = math.sqrt(((y - (a + b * t)) ** 2).sum() / (len(t) - 2))
    from scipy import stats

    q = stats.t.ppf(0.95, len(t) - 2)
    h = q * s * math.sqrt(1 + 1 / len(t) + (2027 - t.mean()) ** 2 / ((t - t.mean()) ** 2).sum())
    assert fc.value[-1] == pytest.approx(math.exp(a + b * 2027), rel=1e-9)
    assert fc.lower[-1] == pytest.approx(math.exp(a + b * 2027 - h), rel=1e-9)
    assert fc.upper[-1] == pytest.approx(math.exp(a + b * 2027 + h), rel=1e-9)
    assert fc.lower[-1] < fc.value[-1] < fc.upper[-1]


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"until": 2020}, "must be after the last observed year"),
        ({"until": 2090}, "limited to 30 years"),
        ({"until": 2027, "level": 1.5}, "between 0 and 1"),
    ],
)
def test_bad_forecast_requests(kwargs: dict, fragment: str) -> None:  # type: ignore[type-arg]
    net = _with_series({2021: 1.0, 2022: 2.0, 2023: 3.0})
    with pytest.raises(DataError, match=fragment):
        forecast(net, "titr_cargo", **kwargs)


def test_too_short_series_and_unknown_series() -> None:
    net = read_dataset(TINY)
    with pytest.raises(DataError, match="at least 3 positive"):
        forecast(net, "titr_cargo", 2027)
    with pytest.raises(NotFoundError, match="titr_cargo"):
        series(net, "titr_cargoo")
    with pytest.raises(NotFoundError, match="no variant"):
        series(net, "titr_cargo", "nope")


def test_target_progress_required_growth() -> None:
    net = _with_series({2022: 1.0, 2023: 2.0, 2024: 4.0})
    (p,) = target_progress(net, bound=False)
    assert p.target == "TG_10MT" and p.last_value == 4.0 and p.last_year == 2024
    assert p.share_reached == pytest.approx(0.4)
    assert p.required_growth == pytest.approx((10 / 4) ** (1 / 3) - 1)
    assert p.trend_growth == pytest.approx(1.0)  # doubling each year
    assert p.on_track is True


def test_cli_indicators_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["indicators", "--dataset", str(TINY)]) == 0
    out = capsys.readouterr().out
    assert "titr_cargo" in out and "TG_10MT" in out
    assert main(["indicators", "--dataset", str(TINY), "--series", "nope"]) == 2
    assert "no indicator series 'nope'" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2


def test_cli_error_text_is_not_read_as_markup(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["indicators", "--dataset", str(TINY), "--series", "[bold]x"]) == 2
    assert "'[bold]x'" in capsys.readouterr().err


def test_cli_returns_the_exit_code_a_command_raises() -> None:
    import typer

    from titr.cli.app import app
    from titr.cli.main import main

    @app.command("_exit-code-probe", hidden=True)
    def _probe() -> None:
        raise typer.Exit(7)

    assert main(["_exit-code-probe"]) == 7


def test_forecast_is_cut_to_the_capacity_path() -> None:
    """The tiny network carries at most its capacity path; a steep trend is cut to it, the
    years are named, and the unbounded trend is the same fit."""
    from titr.indicators import capacity_path

    net = _with_series({2019 + k: 0.2 * 1.5**k for k in range(5)})
    free = forecast(net, "titr_cargo", 2027, bound=False)
    fc = forecast(net, "titr_cargo", 2027)
    cap = capacity_path(net, list(fc.years))
    assert fc.capacity == cap.mt_per_year and all(c > 0 for c in cap.mt_per_year)
    assert fc.growth_rate == free.growth_rate
    for v, lo, hi, c, fv in zip(
        fc.value, fc.lower, fc.upper, cap.mt_per_year, free.value, strict=True
    ):
        assert lo <= v <= hi <= c + 1e-12
        assert v == pytest.approx(min(fv, c))
    assert fc.bounded_years and set(fc.bounded_years) <= set(fc.years)
    assert "capacity path" in fc.capacity_note
    assert "capacity" in fc.to_frame().columns


def test_target_above_capacity_is_not_on_track() -> None:
    """A trend doubling each year would reach 10 Mt, but the tiny network cannot carry it."""
    net = _with_series({2022: 1.0, 2023: 2.0, 2024: 4.0})
    (p,) = target_progress(net)
    assert p.trend_growth == pytest.approx(1.0)
    assert p.capacity_in_year is not None and p.capacity_in_year < p.target_value
    assert p.on_track is False and "capacity" in p.reason


def test_a_series_without_a_corridor_capacity_is_not_bounded() -> None:
    net = read_dataset(TINY)
    inds = [
        Indicator(series="kz_oil_btc", year=2019 + k, value=2.0**k, unit="Mt", source="S001")
        for k in range(4)
    ]
    fc = forecast(net.model_copy(update={"indicators": inds}), "kz_oil_btc", 2025)
    assert fc.capacity is None and fc.bounded_years == () and fc.capacity_note == ""

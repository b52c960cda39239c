"""The bundled indicator series: every series has a default variant, plain `titr indicators`
works, mixed-source series are flagged, both 2025 growth figures are kept, the trade series is
split by reporting country, and the tonnage forecast respects the capacity path."""

from __future__ import annotations

import pytest

from titr.indicators import capacity_path, forecast, series, series_info, target_progress
from titr.network.bundled import load
from titr.network.model import Network


@pytest.fixture(scope="module")
def net() -> Network:
    return load()


def test_every_series_has_a_default_variant(net: Network) -> None:
    names = sorted({i.series for i in net.indicators})
    missing = [n for n in names if not net.indicator_series(n, "default")]
    assert missing == []
    for n in names:
        assert series(net, n)


def test_plain_cli_indicators_works(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["indicators"]) == 0
    out = capsys.readouterr().out
    assert "ady_containers_jan_oct" in out and "kz_az_trade_az_reported" in out
    assert "mixed sources" in out
    assert "summit_seed_ytd: 2" in out  # the +2 % next to the default −8 %


def test_growth_2025_default_is_the_official_figure(net: Network) -> None:
    info = series_info(net, "titr_cargo_growth_pct")
    (d,) = [r for r in series(net, "titr_cargo_growth_pct") if r.year == 2025]
    assert d.value == -8 and d.source == "S174"
    assert info.variants[2025]["summit_seed_ytd"] == 2
    assert "official" in info.default_notes[2025] and "+2 %" in info.default_notes[2025]


def test_trade_series_split_by_reporting_country(net: Network) -> None:
    kz = {r.year: r for r in series(net, "kz_az_trade")}
    az = {r.year: r for r in series(net, "kz_az_trade_az_reported")}
    assert {r.source for r in kz.values()} == {"S212", "S213"}  # Kazakh statistics
    assert {r.source for r in az.values()} == {"S210", "S215"}  # Azerbaijani statistics
    jul = [
        i
        for i in net.indicators
        if i.series == "kz_az_trade_az_reported" and i.year == 2025 and i.variant == "jan_jul"
    ]
    assert [i.value for i in jul] == [517.1]
    assert not series_info(net, "titr_cargo").mixed_sources
    assert series_info(net, "titr_containers").mixed_sources


def test_tonnage_forecast_is_bounded_by_capacity(net: Network) -> None:
    years = list(range(2026, 2031))
    cap = capacity_path(net, years)
    assert all(
        a <= b for a, b in zip(cap.mt_per_year, cap.mt_per_year[1:], strict=False)
    )  # projects add
    # above the 2024 peak (4.484 Mt carried) and below the 20 Mt the port director named
    assert cap.mt_per_year[0] > 4.484 and cap.mt_per_year[-1] < 20
    fc = forecast(net, "titr_cargo", 2030)
    assert all(v <= c for v, c in zip(fc.value, cap.mt_per_year, strict=True))
    assert all(u <= c for u, c in zip(fc.upper, cap.mt_per_year, strict=True))
    p20 = next(p for p in target_progress(net) if p.target == "TG_TITR_20MT_2030")
    assert p20.on_track is False and "capacity" in p20.reason

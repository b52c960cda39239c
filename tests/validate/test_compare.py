"""The corridor comparison on the main container OD pairs, against published figures.

Every corridor reaches every destination with a complete through tariff (no unpriced link),
and the end-to-end times come out of the legs: the test prints them next to the published
schedule and rate figures (with their source ids) for a reader to judge."""

from __future__ import annotations

import pytest

from titr.network.model import Network
from titr.routing.compare import compare_corridors

ODS = [("CN_XIAN", "DE_DUI"), ("CN_XIAN", "RO_CTA"), ("CN_XIAN", "TR_IST"), ("CN_SHA", "NL_RTM")]
CORRIDORS = ("middle", "northern", "sea_suez", "sea_cape", "iran")

# published end-to-end figures: (origin, destination, corridor) -> (low, high, unit, source)
PUBLISHED = {
    ("CN_XIAN", "DE_DUI", "northern"): (12, 14, "days", "S069"),
    ("CN_SHA", "NL_RTM", "sea_suez"): (32, 36, "days", "S010;S098 (median 2025)"),
    ("CN_SHA", "NL_RTM", "sea_cape"): (35, 48, "days", "S010;S098"),
    ("CN_SHA", "NL_RTM", "northern"): (3121, 3121, "USD/FEU China–Europe (2023, WB)", "S145"),
}


@pytest.fixture(scope="module")
def comparisons(corridor: Network) -> dict[tuple[str, str], object]:
    return {(o, d): compare_corridors(corridor, o, d, samples=4000) for o, d in ODS}


@pytest.mark.parametrize(("o", "d"), ODS)
def test_every_corridor_has_a_complete_tariff(comparisons: dict, o: str, d: str) -> None:
    c = comparisons[(o, d)]
    got = {opt.corridor: opt for opt in c.options}
    assert set(CORRIDORS) <= set(got)
    for name in CORRIDORS:
        opt = got[name]
        assert opt.result is not None, f"{o}→{d} {name}: {opt.reason}"
        rt = opt.result.routes[0]
        missing = [m["link"] for m in rt.tariff.missing]
        assert missing == [], f"{o}→{d} {name}: unpriced links {missing}"
        tt = rt.transit_time
        pub = PUBLISHED.get((o, d, name))
        note = f"; published {pub[0]:g}–{pub[1]:g} {pub[2]} ({pub[3]})" if pub else ""
        print(
            f"{o}→{d} {name:9s} p10 {tt.p10:5.1f} p50 {tt.p50:5.1f} p90 {tt.p90:5.1f} d, "
            f"{rt.distance_km:7,.0f} km, USD {rt.tariff.total_usd:6,.0f}/{rt.tariff.per}, "
            f"CO2 {rt.co2.kg:6,.0f} kg/TEU{note}"
        )


def test_cli_compare_prints_no_asterisk(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    for o, d in (("Xi'an", "Duisburg"), ("Xi'an", "Istanbul")):
        assert main(["compare", o, d]) == 0
        out = capsys.readouterr().out
        assert "*" not in out and "no tariff data" not in out
        assert "no route" not in out

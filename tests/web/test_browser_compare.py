"""Dashboard route planner on the bundled corridor, in Chromium: the corridor comparison names
its units and shows CO2 next to the tariff (the same numbers as `GET /api/compare`), and a
through tariff that leaves segments out is marked wherever it is shown, alternatives included
(review items 21 and 44 of session 3; issue 10's "complete tariffs (no asterisk)")."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _api(base: str, path: str, **query: str) -> Any:
    with urllib.request.urlopen(f"{base}{path}?{urllib.parse.urlencode(query)}") as r:
        return json.load(r)


def _plan(pg: Any, origin: str, destination: str, button: str) -> None:
    pg.fill("#route-from", origin)
    pg.fill("#route-to", destination)
    pg.click(button)


def test_compare_table_states_its_unit_and_co2(cpage: Any, corridor: str) -> None:
    pg = cpage
    pg.open()
    _plan(pg, "Xi'an", "Duisburg", "#route-compare")
    pg.wait_for_selector("[data-testid=compare] [data-testid=compare-co2]")
    head = pg.locator("[data-testid=compare] thead").inner_text()
    assert "per TEU" in head and "CO₂" in head
    api = _api(corridor, "/api/compare", **{"from": "Xi'an", "to": "Duisburg"})
    ok = [c for c in api["corridors"] if c["available"]]
    assert {c["corridor"] for c in ok} == {"middle", "northern", "sea_suez", "sea_cape", "iran"}
    shown_co2 = [
        int(x.replace(",", "")) for x in pg.locator("[data-testid=compare-co2]").all_inner_texts()
    ]
    assert shown_co2 == [round(c["co2_kg"]) for c in ok]
    tariffs = pg.locator("[data-testid=compare-tariff]").all_inner_texts()
    assert len(tariffs) == 5 and not any("*" in x for x in tariffs), tariffs
    assert all(c["tariff_missing_links"] == 0 for c in ok)
    pg.screenshot(path="test-artifacts/compare-xian-duisburg.png")


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_compare_table_scrolls_inside_its_card(cpage: Any, lang: str) -> None:
    """Russian and Turkish headers are longer: the table may be wider than the side panel, but
    then it scrolls inside its own box and the card never clips the last columns."""
    pg = cpage
    pg.open(lang)
    _plan(pg, "Xi'an", "Duisburg", "#route-compare")
    pg.wait_for_selector("[data-testid=compare] [data-testid=compare-co2]")
    card = pg.locator("[data-testid=compare]").evaluate(
        "e => ({sw: e.scrollWidth, cw: e.clientWidth})"
    )
    assert card["sw"] <= card["cw"] + 1, card
    wrap = pg.locator("[data-testid=compare-wrap]").evaluate(
        "e => ({sw: e.scrollWidth, cw: e.clientWidth, ox: getComputedStyle(e).overflowX,"
        " tw: e.querySelector('table').scrollWidth})"
    )
    assert wrap["ox"] == "auto" and wrap["sw"] >= wrap["tw"], wrap
    pg.screenshot(path=f"test-artifacts/compare-xian-duisburg-{lang}.png")


def test_incomplete_tariff_is_marked(page: Any, server: str) -> None:
    """Tiny network Alpha → Echo crosses a link without tariff data: the total shows an
    asterisk and says why in its tooltip, with the count the API lists as missing."""
    page.open()
    _plan(page, "Alpha", "Echo", "#route-go")
    page.wait_for_selector("[data-testid=route-summary]")
    api = _api(server, "/api/routes", **{"from": "Alpha", "to": "Echo", "alternatives": "3"})
    n = len(api["routes"][0]["tariff"]["missing"])
    assert n >= 1
    mark = page.locator("[data-testid=route-summary] [data-testid=route-tariff]")
    assert mark.inner_text().endswith("*")
    title = mark.locator("[data-testid=tariff-incomplete]").get_attribute("title") or ""
    assert f"No tariff data for {n} segment" in title
    marks = page.locator("[data-testid=route-summary] [data-testid=tariff-incomplete]")
    assert marks.count() == sum(1 for r in api["routes"] if r["tariff"]["missing"])


def test_complete_tariffs_carry_no_mark(cpage: Any, corridor: str) -> None:
    """Altynkol → Poti on the bundled corridor: every route is fully priced, none is marked."""
    pg = cpage
    pg.open()
    _plan(pg, "Altynkol", "Poti", "#route-go")
    pg.wait_for_selector("[data-testid=route-summary] .alts")
    api = _api(corridor, "/api/routes", **{"from": "Altynkol", "to": "Poti", "alternatives": "3"})
    assert all(r["tariff"]["missing"] == [] for r in api["routes"])
    assert pg.locator("[data-testid=route-summary] [data-testid=tariff-incomplete]").count() == 0
    assert "*" not in pg.locator("[data-testid=route-tariff]").inner_text()


def test_russian_trend_is_not_called_the_actual_pace(cpage: Any) -> None:
    """Indicators in Russian: the 2019–2025 fitted trend is a trend ("тренд"), not "фактический
    темп" (the actual pace) — the last observed year fell 8 % (session 3, item 33)."""
    pg = cpage
    pg.open("ru")
    pg.click("#tab-indicators")
    pg.wait_for_selector("#ind-result .card", timeout=60_000)
    text = pg.locator("#ind-result").inner_text()
    assert "тренд" in text and "фактический темп" not in text

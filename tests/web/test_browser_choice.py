"""The corridor-choice panel in Debian's Chromium (Playwright) against a real uvicorn server on
the bundled dataset (`corridor` in tests/web/conftest.py): shares chart, the tariff slider re-runs the scenario, diversion table and
map overlay, Russian strings. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_choice_panel(cpage: Any, lang: str) -> None:
    pg = cpage
    pg.open(lang, "#choice")
    pg.wait_for_selector("#choice-chart svg", timeout=180_000)
    pg.wait_for_selector("#choice-diversion")  # single-tariff is the default: a diversion
    assert pg.locator("#choice-result tr[data-corridor]").count() == 4
    heading = pg.locator("#choice-result h3").first.inner_text()
    assert ("Доли коридоров" in heading) if lang == "ru" else ("Corridor shares" in heading)
    # the tariff slider re-runs the scenario: a lower single tariff never lowers the Middle volume
    pg.check("#choice-tariff-on")

    def middle_after(value: str) -> float:
        before = pg.locator("#choice-middle-mt").inner_text()
        pg.locator("#choice-tariff").fill(value)
        pg.wait_for_function(
            "b => document.querySelector('#choice-middle-mt')?.textContent !== b && !document.querySelector('#choice-result[aria-busy]')",
            arg=before,
            timeout=180_000,
        )
        cell = pg.locator("#choice-result tr[data-corridor=middle] td.num").first.inner_text()
        return float("".join(ch for ch in cell if ch.isdigit()))

    if lang == "ru":  # units from the catalogue, joined by a non-breaking space
        text = pg.locator("#choice-result").inner_text()
        assert " Mt" not in text and "USD/TEU" not in text, text
        assert "\u00a0млн\u00a0т" in text or "\u00a0млн т" in text, text
    # the forecast's last-year volumes are line widths on the map, explained by a key
    pg.wait_for_selector("[data-testid=flow-legend]")
    key = pg.locator("[data-testid=flow-legend]").inner_text()
    assert ("2030" in key) and (("т/год" in key) if lang == "ru" else ("t/yr" in key)), key
    drawn = pg.evaluate(
        """() => window.titr.map.querySourceFeatures('flows').map((f) => f.properties.id)"""
    )
    assert len(set(drawn)) >= 10, drawn
    # every corridor's route: the Caspian crossing, the Northern route, Suez and the Cape
    assert {"L_AKTAU_ALAT", "L_PET_YEK", "L_BAB_SUEZ", "L_MAL_CAPE"} <= set(drawn), drawn
    pg.click(".tab[data-panel=route]")  # the widths leave with the tab
    assert pg.locator("#map").get_attribute("data-flow-features") == "0"
    assert pg.locator("[data-testid=flow-legend]").count() == 0
    pg.click(".tab[data-panel=choice]")
    pg.wait_for_selector("[data-testid=flow-legend]", timeout=180_000)
    hi = middle_after("12000")
    lo = middle_after("2000")
    assert lo > hi
    pg.screenshot(path=str(ARTIFACTS / f"choice-{lang}.png"))

"""The dashboard's tariff breakdown agrees with the API: carriers' lines add up to the
unsubsidised cost, the China block-train subsidy row is deducted, the shipper price is the
API's total (titr.tariff.through.block_train_subsidy), in en and ru."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest

pytestmark = pytest.mark.slow


def _money(text: str) -> float:
    digits = re.sub(r"[^\d]", "", text)
    return float(digits)


@pytest.mark.parametrize(
    ("lang", "frm", "to", "label"),
    [
        ("en", "Xi'an", "Duisburg", "Subsidy"),
        ("ru", "Сиань", "Дуйсбург", "Субсидия"),
    ],
)
def test_breakdown_shows_the_subsidy_between_cost_and_price(
    cpage: Any, corridor: str, lang: str, frm: str, to: str, label: str
) -> None:
    q = "from=CN_XIAN&to=DE_DUI&alternatives=3"
    with urllib.request.urlopen(f"{corridor}/api/routes?{q}") as r:
        tariff = json.load(r)["routes"][0]["tariff"]
    assert tariff["subsidy"] is not None
    cpage.open(lang)
    cpage.fill("#route-from", frm)
    cpage.fill("#route-to", to)
    cpage.click("#route-go")
    cpage.wait_for_selector("[data-testid=route-subsidy]", timeout=60_000)
    row = cpage.locator("[data-testid=route-subsidy]").inner_text()
    assert label in row and "−" in row
    assert _money(row.split("−")[-1]) == pytest.approx(tariff["subsidy"]["usd"], abs=1)
    foot = cpage.locator("#route-tariff-table tfoot").inner_text().splitlines()
    cost, price = (_money(ln.split("\t")[-1]) for ln in foot if ln.strip())
    assert cost == pytest.approx(tariff["unsubsidised_usd"], abs=1)
    assert price == pytest.approx(tariff["total_usd"], abs=1)
    summary = cpage.locator("[data-testid=route-tariff]").inner_text()
    assert _money(summary) == pytest.approx(tariff["total_usd"], abs=1)
    cpage.screenshot(path=f"/tmp/tariff-subsidy-{lang}.png", full_page=True)

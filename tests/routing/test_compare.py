"""Corridor comparison (titr.routing.compare); the summit's claims moved to
tests/indicators/test_claims.py."""

from __future__ import annotations

import pytest

from titr.network.model import Network


def test_northern_from_altynkol_runs_via_almaty_and_aktogay(corridor: Network) -> None:
    """Khorgos/Altynkol trains to Europe via Russia take Altynkol–Zhetygen–Almaty–Aktogay
    (Turksib) and then the Northern line: those links carry the 'northern' tag (before, the
    Northern corridor had no route from Altynkol)."""
    from titr.routing.compare import compare_corridors

    for lid in ("L_ALT_ZHE", "L_ZHE_ALM", "L_AKT_ALM"):
        assert "northern" in corridor.links[lid].corridors, lid
    cmp = compare_corridors(corridor, "Altynkol", "Duisburg", corridors=("northern",), samples=500)
    (opt,) = cmp.options
    assert opt.route is not None, opt.reason
    nodes = opt.route.nodes
    assert nodes[0] == "KZ_ALT" and nodes[-1] == "DE_DUI"
    assert {"KZ_ALM", "KZ_AKT", "RU_MOW", "BY_BRE"} <= set(nodes)
    assert opt.route.tariff.missing == []


def test_compare_row_gives_co2_in_the_tariffs_unit(corridor: Network) -> None:
    """One row, one unit: `co2_kg` follows `--per` like `tariff_usd` (it was per TEU next to a
    tariff per FEU); `co2_per` names it."""
    from titr.routing.compare import compare_corridors

    rows = {}
    for per in ("teu", "feu"):
        cmp = compare_corridors(
            corridor, "Xian", "Duisburg", corridors=("northern",), per=per, samples=200
        )
        rows[per] = cmp.to_dict()["corridors"][0]
    teu, feu = rows["teu"], rows["feu"]
    assert teu["co2_per"] == "teu" and feu["co2_per"] == "feu" == feu["tariff_per"]
    assert feu["co2_kg"] == pytest.approx(2 * teu["co2_kg"])
    assert feu["tariff_usd"] == pytest.approx(2 * teu["tariff_usd"])

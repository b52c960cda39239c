"""End-to-end transit claims checked against the model built from the sourced legs."""

from __future__ import annotations

import pytest

from titr.network.model import Indicator, Network
from titr.routing.compare import CLAIM_ROUTES, check_claims


def test_summit_claim_is_reported_next_to_the_model(corridor: Network) -> None:
    got = {c.series: c for c in check_claims(corridor, samples=1000)}
    c = got["transit_days_cn_border_ge"]
    assert c.origin in ("CN_KHG", "CN_ALA") and c.destination in ("GE_POTI", "GE_BUS")
    assert c.figures["summit_seed_min"] == 15 and c.figures["summit_seed_max"] == 18
    assert c.figures["default"] == 12 and c.sources["default"] == "S227"
    assert c.model_p10 < c.model_p50 < c.model_p90
    s = c.sentence()
    assert f"model p50 {c.model_p50:.1f} days" in s and "summit_seed_max 18" in s


def test_claims_skip_series_or_nodes_the_dataset_lacks(corridor: Network) -> None:
    net = corridor.model_copy(
        update={"indicators": [i for i in corridor.indicators if i.series not in CLAIM_ROUTES]}
    )
    assert check_claims(net, samples=500) == []
    extra = Indicator(
        series="transit_days_almaty_poti", year=2025, value=20, unit="days", source="S100"
    )
    nodes = {k: v for k, v in corridor.nodes.items() if k != "KZ_ALM"}
    net2 = corridor.model_copy(update={"indicators": [extra], "nodes": nodes})
    assert check_claims(net2, samples=500) == []


def test_cli_claims(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert "transit_days_cn_border_ge" in out and "summit_seed_max" in out and "model p50" in out


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

"""Emission factors of the bundled dataset against the ISO 14083 / GLEC Framework defaults they
cite (well-to-wheel), per TEU-km and per tonne-km consistently, and the comparator CO2 that
follows from them."""

from __future__ import annotations

import re

import pytest

from titr.network.model import Network
from titr.routing import route

# mode -> (low, high) g CO2e per t-km from the sources the factor cites, and those sources
RANGES = {
    # GLEC v3.1 trade-lane defaults 80.4 (S1000) – 89.4 (S1001) g/TEU-km; Asia–North Europe with
    # the largest ships is lower: ≥ 40 g/TEU-km (EST) — per tonne at 14 t/TEU
    "sea": (40 / 14, 89.4 / 14, {"S1000", "S1001"}),
    # GLEC v3.0 Ro-Pax: > 20,000 GT VLSFO 98 (S1003) to 10–20 kGT MDO 124.8 (S1002) g/t-km
    "ferry": (98.0, 124.8, {"S1002"}),
    # rail: 11.3 g/t-km (European mix, 80 % electric, S1004) to ~30 g/t-km (diesel, EST)
    "rail_1520": (11.3, 30.0, set()),
    "rail_1435": (11.3, 30.0, set()),
    # short-sea container feeders: Defra short-sea container ship (≤ 2,999 TEU) 29.7 g/t-km
    # direct (S6202), well-to-wheel up to +25 % (GLEC v3.0 MDO ratio 1.173, S1002)
    "sea/feeder_line": (29.7, 29.7 * 1.25, {"S6202", "S1002"}),
}


@pytest.mark.parametrize("mode", sorted(RANGES))
def test_factor_within_its_sourced_range(corridor: Network, mode: str) -> None:
    lo, hi, srcs = RANGES[mode]
    ef = corridor.emission_factors[mode]
    print(f"{mode}: {ef.g_co2_per_tkm} g/t-km (sourced range {lo:.2f}–{hi:.2f}; {ef.source})")
    assert lo <= ef.g_co2_per_tkm <= hi
    assert srcs <= set(re.findall(r"S\d{3,}", ef.source))


def test_sea_per_teu_km_is_the_glec_trade_lane_figure(corridor: Network) -> None:
    """Per TEU and per tonne agree: the per-t-km factor times the container's t/TEU gives the
    GLEC per-TEU-km figure (80.4 g), not 2-3x it (the old 12 g/t-km gave 168 g/TEU-km)."""
    t_teu = corridor.commodities["container"].t_per_unit
    per_teu_km = corridor.emission_factors["sea"].g_co2_per_tkm * t_teu
    assert per_teu_km == pytest.approx(80.4, abs=0.2)


def test_sea_co2_per_teu_shanghai_rotterdam(corridor: Network) -> None:
    """Shanghai → Rotterdam via Suez at 80.4 g/TEU-km over ~19,600 km ≈ 1.6 t CO2e per TEU."""
    r = route(corridor, "CN_SHA", "NL_RTM", "container", only_corridor="sea_suez", samples=2000)
    rt = r.routes[0]
    kg = rt.co2.kg
    print(f"Shanghai → Rotterdam sea: {rt.distance_km:,.0f} km, {kg:,.0f} kg CO2e per TEU")
    assert kg == pytest.approx(rt.distance_km * 80.4 / 1000, rel=0.01)


def test_caspian_and_black_sea_feeders_use_the_short_sea_factor(corridor: Network) -> None:
    """The Aktau → Alat container feeder and the Poti → Constanța feeder are priced with the
    short-sea feeder factor, the deep-sea legs of the same routes with the trade-lane one."""
    from titr.routing.emissions import link_factor

    feeder = corridor.emission_factors["sea/feeder_line"]
    deep = corridor.emission_factors["sea"]
    for lid in ("L_AKTAU_ALAT", "L_POTI_CTA_FDR"):
        assert link_factor(corridor, corridor.links[lid]) is feeder, lid
    for lid in ("L_SHA_MAL", "L_SUEZ_BOS", "L_BOS_CTA"):
        assert link_factor(corridor, corridor.links[lid]) is deep, lid
    r = route(corridor, "KZ_AKTAU", "AZ_ALAT", "container", samples=200).routes[0]
    km = sum(s.distance_km for s in r.steps if s.kind == "link" and s.mode == "sea")
    t = corridor.commodities["container"].t_per_unit
    assert r.co2.by_mode_kg["sea"] == pytest.approx(km * t * feeder.g_co2_per_tkm / 1000)
    assert "sea/feeder_line" in r.co2.factors
    print(
        f"Aktau → Alat feeder {km:,.0f} km: {r.co2.kg:,.0f} kg CO2e/TEU at "
        f"{feeder.g_co2_per_tkm} g/t-km (deep-sea factor would give "
        f"{km * t * deep.g_co2_per_tkm / 1000:,.0f})"
    )

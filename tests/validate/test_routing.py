"""The route planner on the bundled 2025 dataset against sourced leg times (shared facts
§6.2/§6.3): Xi'an → Baku 11–12 days (S071), Altynkol → Baku 9 and → Poti 12 days (S227),
Xi'an → Budapest ~25 days (S001), Poti–Baku rail 24–34 h, Caspian sailing 18–24 h, Turkish
side (Kars → west) 57.5 h.

The legs are set from their own sources, not tuned to an end-to-end figure. The summit's
"15–18 days from the China border to Georgia" (S181, not found elsewhere) is a claim titr
checks and reports next to its own p50; it stays in the data as the named indicator variants
summit_seed_* of transit_days_cn_border_ge.
"""

from __future__ import annotations

import pytest

from titr.network.model import Network
from titr.routing import route

CASPIAN_KZ = {"KZ_AKTAU", "KZ_KUR"}
CASPIAN_AZ = {"AZ_ALAT", "AZ_BAK"}


def china_border_to_georgian_port(net: Network) -> object:
    best = None
    for o in ("CN_KHG", "CN_ALA"):
        for d in ("GE_POTI", "GE_BUS"):
            r = route(net, o, d, "container").routes[0]
            if best is None or r.transit_time.p50 < best.transit_time.p50:
                best = r
    assert best is not None
    return best


# (origin, destination, low, high, published, source): the p50 must fall in [low, high],
# the published figure widened by the sourced spread (CR daily service 12 days, KTZ Express
# 12–15 days, late-2025 Almaty → Poti ~20 days, facts §6.2)
LEGS = [
    ("CN_XIAN", "AZ_ALAT", "middle", 11.0, 13.5, "11 days (Jan/Mar 2024), 12 days", "S071"),
    ("KZ_ALT", "AZ_ALAT", "middle", 8.0, 10.5, "9 days", "S227"),
    ("KZ_ALT", "GE_POTI", "middle", 11.0, 15.0, "12 days (12–15 KTZ Express)", "S227"),
    ("CN_XIAN", "HU_BUD", "middle", 22.0, 28.0, "~25 days", "S001"),
    # the Iran route's eastern half: Xi'an → Tehran via Altynkol, Bolashak and Etrek
    ("CN_XIAN", "IR_THR", "iran", 12.0, 16.0, "~15 days (2024); 14 days (2016)", "S032;S008"),
]


# other published figures for the same legs, printed next to the model (not asserted: they
# span showcase runs and congested months, 8 to 21 days for Xi'an → Baku)
ALSO_PUBLISHED = {
    ("CN_XIAN", "AZ_ALAT"): [
        "China → Azerbaijan 8–10 days on average (ADY, 2024, S6205)",
        "Xi'an → Absheron 15–20 days Dec, 16–21 days Jan with Caspian storms (Argus, S6204)",
    ],
    ("KZ_ALT", "GE_POTI"): ["China → Georgian ports within 12 days (ADY, 2024, S6205)"],
}


@pytest.mark.parametrize(("o", "d", "corr", "lo", "hi", "published", "src"), LEGS)
def test_sourced_leg_times(
    corridor: Network, o: str, d: str, corr: str, lo: float, hi: float, published: str, src: str
) -> None:
    r = route(corridor, o, d, "container", only_corridor=corr).routes[0]
    tt = r.transit_time
    print(
        f"{o} → {d}: model p50 {tt.p50:.1f} d (p10 {tt.p10:.1f}, p90 {tt.p90:.1f}); "
        f"published {published} ({src})" + "".join(f"; {x}" for x in ALSO_PUBLISHED.get((o, d), []))
    )
    assert lo <= tt.p50 <= hi


def test_summit_claim_is_checked_not_calibrated(corridor: Network) -> None:
    """China border → Georgian port: report the model p50 next to the summit's 15–18 days;
    the claim stays in the data as named variants, the default is the sourced 12 days."""
    best = china_border_to_georgian_port(corridor)
    p50 = best.transit_time.p50  # type: ignore[attr-defined]
    claims = {
        i.variant: i.value for i in corridor.indicators if i.series == "transit_days_cn_border_ge"
    }
    print(
        f"China border → Georgian port: model p50 {p50:.1f} days; "
        f"the summit said {claims['summit_seed_min']:g}–{claims['summit_seed_max']:g} (S181); "
        f"sourced Altynkol → Poti {claims['default']:g} days (S227)"
    )
    assert claims["default"] == 12 and {"summit_seed_min", "summit_seed_max"} <= set(claims)
    # the sourced legs put it within the facts' defensible 12–20 days (facts §12 item 12)
    assert 11.0 <= p50 <= 20.0
    for p in corridor.processes.values():  # nothing in the data is tuned to the claim
        assert "15-18" not in p.time_source and "15–18" not in p.time_source.split("was ")[0]


def test_caspian_crossing_dominates_the_spread(corridor: Network) -> None:
    best = china_border_to_georgian_port(corridor)
    steps = best.steps  # type: ignore[attr-defined]
    top = max(steps, key=lambda s: s.time.variance)
    assert top.node in CASPIAN_KZ | CASPIAN_AZ, f"largest spread at {top.ref} ({top.node})"
    caspian = [s for s in steps if s.node in CASPIAN_KZ | CASPIAN_AZ and s.kind != "link"]
    share = sum(s.time.variance for s in caspian) / sum(s.time.variance for s in steps)
    assert share > 0.5, f"Caspian port/wait share of variance {share:.0%}"


def test_poti_baku_rail_24_to_34_hours(corridor: Network) -> None:
    r = route(corridor, "AZ_BAK", "GE_POTI", "container", avoid=["Caspian"]).routes[0]
    h = sum(s.time.mean for s in r.steps if s.kind == "link")
    assert 24.0 <= h <= 34.0, f"rail running time Baku→Poti {h:.1f} h via {r.nodes}"


def _caspian_links(net: Network) -> list[str]:
    return sorted(
        lk.id
        for lk in net.links.values()
        if lk.mode in ("ferry", "sea")
        and {lk.a_node, lk.b_node} & CASPIAN_KZ
        and {lk.a_node, lk.b_node} & CASPIAN_AZ
    )


@pytest.mark.parametrize("link", ["L_AKTAU_ALAT", "L_KUR_ALAT", "L_AKTAU_ALAT_DRY"])
def test_caspian_sailing_18_to_24_hours(corridor: Network, link: str) -> None:
    assert link in _caspian_links(corridor)
    t = corridor.links[link].time
    assert 18.0 <= t.mean <= 24.0, f"{link}: {t}"


def test_every_caspian_sailing_is_checked(corridor: Network) -> None:
    assert set(_caspian_links(corridor)) <= {"L_AKTAU_ALAT", "L_KUR_ALAT", "L_AKTAU_ALAT_DRY"}


def test_turkish_side_about_57_hours(corridor: Network) -> None:
    r = route(corridor, "TR_KARS", "TR_IST", "container").routes[0]
    h = sum(s.time.mean for s in r.steps if s.kind == "link")
    km = r.distance_km
    # 1,974 km in 57.5 h (Daily Sabah 2019), scaled to the modelled distance, ±20 %
    expect = 57.5 * km / 1974.0
    assert 0.8 * expect <= h <= 1.2 * expect, f"Kars→Istanbul {h:.1f} h for {km:.0f} km"

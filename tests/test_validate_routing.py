"""Calibration of the route planner on the bundled 2025 dataset against the sourced figures
(shared facts §6.2/§6.3): China border → Georgian Black Sea port p50 of 15–18 days (summit
figure), Poti–Baku rail 24–34 h, Caspian sailing 18–24 h, Turkish side (Kars → west) 57.5 h.

Where the bundled data disagrees with a sourced range the test is marked ``xfail(strict=True)``
with the figures to change in its reason: it fails loudly (XPASS) once the data is fixed, so the
marker is then removed. The algorithm is not bent to fit.
"""

from __future__ import annotations

import pytest

from titr.network.bundled import bundled_names
from titr.network.model import Network
from titr.routing import route

pytestmark = pytest.mark.skipif(
    "middle-corridor-2025" not in bundled_names(),
    reason="bundled dataset middle-corridor-2025 is not in the tree yet",
)

CASPIAN_KZ = {"KZ_AKTAU", "KZ_KUR"}
CASPIAN_AZ = {"AZ_ALAT", "AZ_BAK"}


def china_border_to_georgian_port(net: Network) -> object:
    best = None
    for o in ("KZ_ALT", "KZ_DOS"):
        for d in ("GE_POTI", "GE_BUS"):
            r = route(net, o, d, "container").routes[0]
            if best is None or r.transit_time.p50 < best.transit_time.p50:
                best = r
    assert best is not None
    return best


P50_FIX = (
    "data calibrated to the 12-day figures (turkic.world, agenda.ge): p50 KZ_ALT→GE_POTI "
    "12.9 d, KZ_DOS→GE_POTI 12.1 d. Facts §6.3 (Caspian waiting typically 2–3 days, up to a "
    "week) suggest sailings_per_week=2 on SV_CASP_KUR_FERRY and SV_CASP_FDR (mean wait 5.8 h "
    "/ 11 h → 42 h) and port dwell 24/72/168 h at PR_KUR_PORT, PR_AKTAU_CTR and PR_ALAT_CTR; "
    "that gives p50 16.0 d (KZ_ALT) and 15.3 d (KZ_DOS)"
)


@pytest.mark.xfail(strict=True, reason=P50_FIX)
@pytest.mark.parametrize("origin", ["KZ_ALT", "KZ_DOS"])
def test_china_border_to_georgian_port_p50_15_to_18_days(corridor: Network, origin: str) -> None:
    r = route(corridor, origin, "GE_POTI", "container").routes[0]
    tt = r.transit_time
    assert 15.0 <= tt.p50 <= 18.0, f"p50 {tt.p50:.1f} d via {r.nodes}"


def test_caspian_crossing_dominates_the_spread(corridor: Network) -> None:
    best = china_border_to_georgian_port(corridor)
    steps = best.steps  # type: ignore[attr-defined]
    top = max(steps, key=lambda s: s.time.variance)
    assert top.node in CASPIAN_KZ | CASPIAN_AZ, f"largest spread at {top.ref} ({top.node})"
    caspian = [s for s in steps if s.node in CASPIAN_KZ | CASPIAN_AZ and s.kind != "link"]
    share = sum(s.time.variance for s in caspian) / sum(s.time.variance for s in steps)
    assert share > 0.5, f"Caspian port/wait share of variance {share:.0%}"


@pytest.mark.xfail(
    strict=True,
    reason="rail running time AZ_BAK→GE_POTI is 36.3 h (34 h in 2014, 24 h in 2022): the "
    "triangular tails are long — L_ALAT_BKS 11.6/16/26 h → 11.6/16/20 h (mean 17.9 → 15.9) "
    "and L_TBS_SAM 6.6/9.1/14.8 → 6.6/9.1/11 (10.2 → 8.9) give 33.0 h",
)
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


SLOW_SAILINGS = {
    "L_KUR_ALAT": "20/24/30 h has mean 24.7 h: time_mode 24 → 22 gives 24.0 h",
    "L_AKTAU_ALAT_DRY": "20/24/32 h has mean 25.3 h: time_max 32 → 28 gives 24.0 h",
}


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(x, marks=pytest.mark.xfail(strict=True, reason=SLOW_SAILINGS[x]))
        if x in SLOW_SAILINGS
        else x
        for x in ("L_AKTAU_ALAT", "L_KUR_ALAT", "L_AKTAU_ALAT_DRY")
    ],
)
def test_caspian_sailing_18_to_24_hours(corridor: Network, link: str) -> None:
    assert link in _caspian_links(corridor)
    t = corridor.links[link].time
    assert 18.0 <= t.mean <= 24.0, f"{link}: {t}"


def test_every_caspian_sailing_is_checked(corridor: Network) -> None:
    assert set(_caspian_links(corridor)) <= {"L_AKTAU_ALAT", "L_KUR_ALAT", "L_AKTAU_ALAT_DRY"}


@pytest.mark.xfail(
    strict=True,
    reason="Kars→Istanbul means 67.9 h for 1,898 km vs 55.3 h scaled from 57.5 h/1,974 km: the "
    "mode is at 800 km/day but the 450 km/day tail lifts the mean; time_max at 600 km/day "
    "(L_KARS_SIV 43.8 → 32.9 h, L_SIV_KSK 51.0 → 38.2 h, L_KSK_IST 6.5 → 4.8 h) gives 59.4 h",
)
def test_turkish_side_about_57_hours(corridor: Network) -> None:
    r = route(corridor, "TR_KARS", "TR_IST", "container").routes[0]
    h = sum(s.time.mean for s in r.steps if s.kind == "link")
    km = r.distance_km
    # 1,974 km in 57.5 h (Daily Sabah 2019), scaled to the modelled distance, ±20 %
    expect = 57.5 * km / 1974.0
    assert 0.8 * expect <= h <= 1.2 * expect, f"Kars→Istanbul {h:.1f} h for {km:.0f} km"

"""Sea links along shipping lanes (searoute / MARNET), passages closed unless the link uses
them, and the GeoJSON drawing the lanes."""

from __future__ import annotations

import math

import pytest

from titr.network.export import network_geojson
from titr.network.model import Network, haversine_km
from titr.network.sealanes import allowed_passages, lane
from titr.routing import route


def test_cape_leg_does_not_cut_through_suez(corridor: Network) -> None:
    ln = lane(corridor, corridor.links["L_MAL_CAPE"])
    assert ln is not None and ln.along_network
    assert "suez" not in ln.passages and "babalmandab" not in ln.passages
    assert min(y for _, y in ln.coordinates) < -30  # goes round the south of Africa


def test_suez_leg_uses_the_canal(corridor: Network) -> None:
    lk = corridor.links["L_BAB_SUEZ"]
    assert {"suez", "babalmandab"} <= allowed_passages(corridor, lk)
    ln = lane(corridor, lk)
    assert ln is not None and "suez" in ln.passages


@pytest.mark.parametrize("lid", ["L_SHA_MAL", "L_GIB_RTM", "L_CAPE_RTM", "L_BOS_CTA"])
def test_lane_starts_and_ends_at_the_nodes_and_is_longer_than_great_circle(
    corridor: Network, lid: str
) -> None:
    lk = corridor.links[lid]
    ln = lane(corridor, lk)
    a, b = corridor.nodes[lk.a_node], corridor.nodes[lk.b_node]
    assert ln is not None and ln.along_network and len(ln.coordinates) > 3
    assert ln.coordinates[0] == pytest.approx((a.lon, a.lat), abs=1e-4)
    assert ln.coordinates[-1] == pytest.approx((b.lon, b.lat), abs=1e-4)
    assert ln.km >= haversine_km(a.lat, a.lon, b.lat, b.lon) * 0.98


def test_deep_sea_distances_are_the_lane_lengths(corridor: Network) -> None:
    """Data-build consistency: the links written by scripts/build_sea_lanes.py carry the lane
    length (S1008); Shanghai–Rotterdam adds up to the published 10,600 nmi via Suez and
    13,800 nmi via the Cape (S010) within 3 %."""
    built = [lk for lk in corridor.links.values() if lk.distance_source == "S1008"]
    assert len(built) >= 15
    for lk in built:
        ln = lane(corridor, lk)
        assert ln is not None and lk.distance == pytest.approx(ln.km, abs=0.1), lk.id
    suez = sum(
        corridor.links[x].distance
        for x in ("L_SHA_MAL", "L_MAL_BAB", "L_BAB_SUEZ", "L_SUEZ_SIC", "L_SIC_GIB", "L_GIB_RTM")
    )
    cape = sum(corridor.links[x].distance for x in ("L_SHA_MAL", "L_MAL_CAPE", "L_CAPE_RTM"))
    assert suez / 1.852 == pytest.approx(10_600, rel=0.03)
    assert cape / 1.852 == pytest.approx(13_800, rel=0.03)


def test_lake_van_keeps_a_straight_line(corridor: Network) -> None:
    ln = lane(corridor, corridor.links["L_VAN_TAT"])
    assert ln is not None and not ln.along_network and len(ln.coordinates) == 2


def test_geojson_draws_sea_links_along_lanes(corridor: Network) -> None:
    gj = network_geojson(corridor)
    by_id = {f["id"]: f for f in gj["features"]}
    cape = by_id["L_CAPE_RTM"]
    assert cape["geometry"]["type"] == "LineString"
    assert len(cape["geometry"]["coordinates"]) > 10
    assert cape["properties"]["lane"] == "shipping lane"
    rail = by_id["L_KAP_SOF"]
    assert len(rail["geometry"]["coordinates"]) == 2 and rail["properties"]["lane"] is None
    for f in gj["features"]:
        if f["geometry"]["type"] == "LineString":
            for x, y in f["geometry"]["coordinates"]:
                assert -180 <= x <= 180 and -90 <= y <= 90 and math.isfinite(x + y)


def test_route_geojson_follows_the_lanes(corridor: Network) -> None:
    r = route(corridor, "CN_SHA", "NL_RTM", "container", only_corridor="sea_cape", samples=500)
    line = r.to_geojson()["features"][0]["geometry"]["coordinates"]
    assert len(line) > 50 and min(y for _, y in line) < -30
    assert line[0] == pytest.approx([121.47, 31.23], abs=1e-3)
    assert line[-1] == pytest.approx([corridor.nodes["NL_RTM"].lon, corridor.nodes["NL_RTM"].lat])


def test_closing_suez_closes_the_suez_lane(corridor: Network) -> None:
    r = route(corridor, "CN_SHA", "NL_RTM", "container", by="cost", avoid=["Suez"], samples=500)
    links = {s.ref for s in r.routes[0].steps if s.kind == "link"}
    assert "L_BAB_SUEZ" not in links and "L_MAL_CAPE" in links

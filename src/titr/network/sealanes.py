"""Sea links along real shipping lanes.

A sea or ferry link runs between two nodes; its lane is the shortest path on the `searoute`
maritime network (Eurostat MARNET, shipped inside the package: Apache-2.0, nothing is
downloaded) with every named strait or canal closed except the ones the link uses: the
passages the link lists (``passages`` column) and the passage an endpoint stands for (a node
of kind ``passage`` named after it, e.g. "Strait of Gibraltar"). So the Cape link cannot cut
through Suez and the Suez link does not go round Africa.

`lane` returns the line (``[lon, lat]`` points, starting and ending at the nodes), its length
in km and the passages it crosses; the GeoJSON export draws it, and
``scripts/build_sea_lanes.py`` writes the lengths into ``links.csv`` at data-build time.
A lake or sea the network does not cover (Lake Van) keeps the straight line.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

from titr.network.model import Link, Network

#: titr passage names (case-folded) -> searoute restriction names.
SEAROUTE_PASSAGES: dict[str, str] = {
    "suez": "suez",
    "bab-el-mandeb": "babalmandab",
    "bosphorus": "bosporus",
    "dardanelles": "bosporus",
    "gibraltar": "gibraltar",
    "panama": "panama",
    "hormuz": "ormuz",
    "northwest": "northwest",
}
_ALL = tuple(dict.fromkeys(SEAROUTE_PASSAGES.values()))
WATER = ("sea", "ferry")


@dataclass(frozen=True)
class Lane:
    link: str
    coordinates: tuple[tuple[float, float], ...]  # (lon, lat)
    km: float
    passages: tuple[str, ...]  # searoute passages crossed
    along_network: bool  # False: straight line (no maritime path found)


def allowed_passages(net: Network, lk: Link) -> frozenset[str]:
    """searoute passages the link may use: its own and those of its passage endpoints."""
    names = [p.casefold() for p in lk.passages]
    for nid in (lk.a_node, lk.b_node):
        n = net.nodes.get(nid)
        if n is not None and n.kind == "passage":
            names += [k for k in SEAROUTE_PASSAGES if k in n.name_en.casefold()]
    return frozenset(SEAROUTE_PASSAGES[x] for x in names if x in SEAROUTE_PASSAGES)


@lru_cache(maxsize=4096)
def _route(
    a: tuple[float, float], b: tuple[float, float], closed: tuple[str, ...]
) -> tuple[tuple[tuple[float, float], ...], float, tuple[str, ...]] | None:
    import searoute

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # searoute warns (and returns empty) when no path
        f = searoute.searoute(
            list(a), list(b), units="km", restrictions=list(closed), return_passages=True
        )
    coords = f["geometry"]["coordinates"] if f and f.get("geometry") else []
    if len(coords) <= 2:  # no path, or a straight hop (a lake the network does not cover)
        return None
    pts = [a, *((float(x), float(y)) for x, y in coords), b]
    dedup = [pts[0]] + [p for i, p in enumerate(pts[1:], 1) if p != pts[i - 1]]
    return (
        tuple((round(x, 5), round(y, 5)) for x, y in dedup),
        float(f["properties"]["length"]),
        tuple(f["properties"].get("traversed_passages") or ()),
    )


def lane(net: Network, lk: Link) -> Lane | None:
    """The shipping lane of a sea/ferry link (None for other modes)."""
    if lk.mode not in WATER:
        return None
    a, b = net.nodes[lk.a_node], net.nodes[lk.b_node]
    pa, pb = (a.lon, a.lat), (b.lon, b.lat)
    closed = tuple(x for x in _ALL if x not in allowed_passages(net, lk))
    r = _route(pa, pb, closed)
    if r is None:
        return Lane(lk.id, (pa, pb), lk.distance, (), False)
    return Lane(lk.id, r[0], r[1], r[2], True)

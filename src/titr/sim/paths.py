"""Shipment paths for the simulation: the routing engine's fastest route as a list of link and
process steps, with a minimal networkx adapter for commodities the routing engine cannot price."""

from __future__ import annotations

from typing import Any

import networkx as nx

from titr.errors import NoRouteError, TitrError
from titr.network.model import RAIL_MODES, WATER_MODES, Network


def _commodity_ok(allowed: list[str], com: str) -> bool:
    return "*" in allowed or com in allowed


def network_steps(net: Network, origin: str, dest: str, commodity: str) -> list[dict[str, Any]]:
    """Minimal path adapter: fastest path by expected running time on the link graph, with the
    processes passed at each node (border always; gauge change where the rail gauge changes;
    port handling where the mode changes between land and water; transshipment otherwise).
    Used when `titr.routing` is not available."""
    g = nx.DiGraph()
    for lk in net.links.values():
        if lk.status != "existing" or not _commodity_ok(lk.commodities, commodity):
            continue
        com = net.commodities.get(commodity)
        if com is not None and lk.mode not in com.modes:
            continue
        ends = [(lk.a_node, lk.b_node)] + ([(lk.b_node, lk.a_node)] if lk.bidirectional else [])
        for u, v in ends:
            w = lk.time.mean + (
                net.services[lk.service].headway_hours() / 2 if lk.service in net.services else 0.0
            )
            if not g.has_edge(u, v) or g[u][v]["w"] > w:
                g.add_edge(u, v, w=w, link=lk.id)
    for n in (origin, dest):
        if n not in g:
            raise NoRouteError(f"node {n} has no link open to {commodity}")
    try:
        nodes = nx.shortest_path(g, origin, dest, weight="w")
    except nx.NetworkXNoPath as e:
        raise NoRouteError(f"no path from {origin} to {dest} for {commodity}") from e
    steps: list[dict[str, Any]] = []
    prev_mode: str | None = None
    for i in range(len(nodes) - 1):
        u, v = nodes[i], nodes[i + 1]
        lk = net.links[g[u][v]["link"]]
        for p in net.processes_at(u):
            if p.status != "existing" or not _commodity_ok(p.commodities, commodity):
                continue
            if _process_applies(p.kind, prev_mode, lk.mode):
                steps.append(
                    {"kind": "process", "ref": p.id, "node": u, "to_node": u, "mode": lk.mode}
                )
        steps.append({"kind": "link", "ref": lk.id, "node": u, "to_node": v, "mode": lk.mode})
        prev_mode = lk.mode
    for p in net.processes_at(dest):
        if (
            p.status == "existing"
            and _commodity_ok(p.commodities, commodity)
            and _process_applies(p.kind, prev_mode, None)
        ):
            steps.append(
                {"kind": "process", "ref": p.id, "node": dest, "to_node": dest, "mode": prev_mode}
            )
    return steps


def _process_applies(kind: str, before: str | None, after: str | None) -> bool:
    if kind == "border":
        return before is not None and after is not None
    if kind == "gauge_change":
        return before in RAIL_MODES and after in RAIL_MODES and before != after
    water_b, water_a = before in WATER_MODES, after in WATER_MODES
    if kind in ("port_handling", "loading", "unloading"):
        return water_b != water_a and (before is not None or water_a)
    if kind == "transshipment":
        return (
            before is not None
            and after is not None
            and before != after
            and not (water_b or water_a)
        )
    return False


def _unsuitable_water_links(net: Network, com: str) -> list[str]:
    """Water links whose vessels do not suit the commodity: containers ride container feeders
    (sailing unit TEU), other freight rail ferries / dry-cargo ships / tankers (wagons, t)."""
    out = []
    for lk in net.links.values():
        sv = net.services.get(lk.service or "")
        if (
            lk.mode in WATER_MODES
            and sv is not None
            and ((com == "container") != (sv.sailing_unit == "TEU"))
        ):
            out.append(f"link:{lk.id}")
    return out


def shipment_steps(
    net: Network,
    o: str,
    d: str,
    com: str,
    corridor: str | None = "middle",
    extra_avoid: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Shipment path: the routing engine's fastest route, kept to `corridor` (with access
    links) and to vessels suited to the commodity where such a route exists; the local
    adapter if the routing engine cannot price this commodity."""
    try:
        from titr.routing import route
    except ImportError:  # pragma: no cover - routing is part of the package
        return network_steps(net, o, d, com)
    ex = list(extra_avoid or [])
    tries: list[tuple[list[str], str | None]] = [
        (_unsuitable_water_links(net, com) + ex, corridor),
        (ex, corridor),
        (ex, None),
    ]
    last: Exception | None = None
    for avoid, only in tries:
        try:
            res = route(
                net,
                o,
                d,
                commodity=com,
                by="time",
                per="unit",
                samples=200,
                avoid=avoid,
                only_corridor=only,
            )
        except NoRouteError as e:
            last = e
            continue
        except TitrError:
            return network_steps(net, o, d, com)
        return [
            {"kind": s.kind, "ref": s.ref, "node": s.node, "to_node": s.to_node, "mode": s.mode}
            for s in res.routes[0].steps
            if s.kind in ("link", "process")
        ]
    assert last is not None
    raise last

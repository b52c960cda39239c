"""Shipment paths for the simulation: the routing engine's fastest route (on the one compiled
graph of `titr.graph`, so the simulation admits exactly the arcs and transfers the router and
the capacity LP do) as a list of link and process steps."""

from __future__ import annotations

from typing import Any

from titr.errors import NoRouteError


def shipment_steps(
    net: Any,
    o: str,
    d: str,
    com: str,
    corridor: str | None = "middle",
    extra_avoid: list[str] | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Fastest route's link and process steps, kept to ``corridor`` where such a route exists
    (else on the whole network); ``extra_avoid`` lists links to keep off (full lines)."""
    from titr.routing import route

    ex = list(extra_avoid or [])
    tries: list[str | None] = [corridor, None] if corridor is not None else [None]
    last: NoRouteError | None = None
    for only in tries:
        try:
            res = route(
                net,
                o,
                d,
                commodity=com,
                by="time",
                per="unit",
                samples=200,
                avoid=ex,
                only_corridor=only,
                year=year,
            )
        except NoRouteError as e:
            last = e
            continue
        return [
            {"kind": s.kind, "ref": s.ref, "node": s.node, "to_node": s.to_node, "mode": s.mode}
            for s in res.routes[0].steps
            if s.kind in ("link", "process")
        ]
    assert last is not None
    raise last

"""Adapter: the generalized-cost attributes of each corridor, read from titr's own routing.

This is the ONE place where `titr.choice` asks the routing layer for a corridor's tariff, transit
time distribution, border crossings, CO2 and revenue split (`titr.routing.compare_corridors`, by
generalized cost). When the routing/graph layers change, only this module is re-pointed.

All figures are per commodity unit (TEU for containers, t otherwise), in USD, days and kg.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from titr.network.model import Network
from titr.routing.compare import compare_corridors

_CACHE: dict[tuple[object, ...], dict[str, CorridorCost]] = {}


@dataclass(frozen=True)
class CorridorCost:
    """One corridor's best route for a market's OD (per commodity unit)."""

    corridor: str
    available: bool
    tariff_usd: float = 0.0  # through tariff per commodity unit
    days: float = 0.0  # expected transit time
    p50_days: float = 0.0
    p90_days: float = 0.0
    border_crossings: int = 0
    co2_kg: float = 0.0  # per commodity unit
    distance_km: float = 0.0
    tariff_missing_links: int = 0
    by_country: dict[str, float] = field(default_factory=dict)  # share of the tariff
    by_operator: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    links: tuple[str, ...] = ()  # the route's link ids, in order (what the map draws)

    @property
    def reliability_days(self) -> float:
        """p90 - p50 of the transit time (days)."""
        return max(0.0, self.p90_days - self.p50_days)


def corridor_costs(
    net: Network,
    origin: str,
    destination: str,
    commodity: str,
    corridors: Sequence[str],
    *,
    projects: Iterable[str] = (),
    year: int | None = None,
) -> dict[str, CorridorCost]:
    """Attributes of each corridor's best generalized-cost route (cached per dataset hash)."""
    projects = tuple(sorted(projects))
    key = (net.label, origin, destination, commodity, tuple(corridors), projects, year)
    hit = _CACHE.get(key)
    if hit is not None:
        return hit
    cmp = compare_corridors(
        net,
        origin,
        destination,
        commodity,
        by="generalized",
        corridors=tuple(corridors),
        per="unit",
        seed=0,
        include_planned=bool(projects),
        projects=projects,
        year=year,
        samples=4000,
    )
    out: dict[str, CorridorCost] = {}
    for opt in cmp.options:
        r = opt.route
        if r is None:
            out[opt.corridor] = CorridorCost(opt.corridor, False, reason=opt.reason or "")
            continue
        tt, tar = r.transit_time, r.tariff
        tot = sum(tar.by_country.values()) or 1.0
        tot_op = sum(tar.by_operator.values()) or 1.0
        out[opt.corridor] = CorridorCost(
            opt.corridor,
            True,
            tariff_usd=float(tar.total_usd),
            days=float(tt.mean),
            p50_days=float(tt.p50),
            p90_days=float(tt.p90),
            border_crossings=int(r.border_crossings),
            co2_kg=float(r.co2_kg),
            distance_km=float(r.distance_km),
            tariff_missing_links=len(tar.missing),
            by_country={k: v / tot for k, v in tar.by_country.items()},
            by_operator={k: v / tot_op for k, v in tar.by_operator.items()},
            links=tuple(r.links),
        )
    if len(_CACHE) > 256:
        _CACHE.clear()
    _CACHE[key] = out
    return out

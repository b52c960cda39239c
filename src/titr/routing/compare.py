"""Corridor against corridor: the best route of each corridor for one origin, destination and
commodity.

A corridor's route may use only links tagged with that corridor, plus ``access`` links (feeder
legs to and from the corridor); everything else about the search is `route`'s. A corridor with
no admissible route is listed with the reason (no link tagged with it, or the planner's
`NoRouteError` text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from titr.errors import NoRouteError
from titr.network.model import Network
from titr.routing.plan import route
from titr.routing.result import Route, RouteResult, _json_safe
from titr.tariff.through import per_factor

COMPARED = ("middle", "northern", "sea_suez", "sea_cape", "iran")


@dataclass
class CorridorOption:
    corridor: str
    result: RouteResult | None
    reason: str | None = None
    per_factor: float = 1.0  # per commodity unit -> per the tariff's `per` unit (CO2 too)

    @property
    def route(self) -> Route | None:
        return self.result.routes[0] if self.result is not None else None

    def row(self) -> dict[str, Any]:
        r = self.route
        if r is None:
            return {"corridor": self.corridor, "available": False, "reason": self.reason}
        tt = r.transit_time
        return {
            "corridor": self.corridor,
            "available": True,
            "distance_km": r.distance_km,
            "mean_days": tt.mean,
            "p10_days": tt.p10,
            "p50_days": tt.p50,
            "p90_days": tt.p90,
            "tariff_usd": r.tariff.total_usd,  # the shipper price (after any subsidy)
            "tariff_unsubsidised_usd": r.tariff.unsubsidised_usd,
            "tariff_subsidy_usd": r.tariff.subsidy["usd"] if r.tariff.subsidy else 0.0,
            "tariff_per": r.tariff.per,
            "tariff_missing_links": len(r.tariff.missing),
            "co2_kg": r.co2_kg * self.per_factor,  # in the tariff's unit, as the CLI table
            "co2_per": r.tariff.per,
            "border_crossings": r.border_crossings,
            "mode_changes": r.mode_changes,
            "nodes": r.nodes,
            "reason": None,
        }


@dataclass
class CorridorComparison:
    net: Network
    origin: str
    destination: str
    commodity: str
    by: str
    options: list[CorridorOption] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.net.label

    def best(self) -> CorridorOption | None:
        ok = [o for o in self.options if o.route is not None]
        return min(ok, key=lambda o: o.route.objective_value) if ok else None  # type: ignore[union-attr]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([o.row() for o in self.options])

    def to_dict(self) -> dict[str, Any]:
        return _json_safe(
            {  # type: ignore[no-any-return]
                "dataset": self.label,
                "origin": self.origin,
                "destination": self.destination,
                "commodity": self.commodity,
                "by": self.by,
                "corridors": [
                    dict(o.row(), route=o.route.to_dict() if o.route else None)
                    for o in self.options
                ],
            }
        )

    def to_geojson(self) -> dict[str, Any]:
        feats = []
        for o in self.options:
            if o.result is None:
                continue
            for f in o.result.to_geojson()["features"][:1]:
                f["properties"]["corridor"] = o.corridor
                feats.append(f)
        return {"type": "FeatureCollection", "features": feats}


def compare_corridors(
    net: Network,
    origin: str,
    destination: str,
    commodity: str = "container",
    *,
    by: str = "time",
    corridors: Sequence[str] = COMPARED,
    per: str | None = None,
    value_of_time: float | None = None,
    avoid: Iterable[str] = (),
    seed: int | np.random.Generator | None = 0,
    include_planned: bool = False,
    projects: Iterable[str] = (),
    year: int | None = None,
    samples: int = 20_000,
) -> CorridorComparison:
    """Best route per corridor (see the module docstring)."""
    o, d = net.resolve_node(origin), net.resolve_node(destination)
    out = CorridorComparison(net=net, origin=o, destination=d, commodity=commodity, by=by)
    tagged = {c for lk in net.links.values() for c in lk.corridors}
    projects = tuple(projects)
    avoid = tuple(avoid)
    for c in corridors:
        if c not in tagged:
            out.options.append(CorridorOption(c, None, f"the dataset has no link tagged '{c}'"))
            continue
        try:
            res = route(
                net,
                o,
                d,
                commodity,
                by=by,
                only_corridor=c,
                per=per,
                value_of_time=value_of_time,
                avoid=avoid,
                seed=seed,
                include_planned=include_planned,
                projects=projects,
                year=year,
                samples=samples,
            )
            rt = res.routes[0]
            f = per_factor(net, net.commodities[rt.commodity], rt.tariff.per)
            out.options.append(CorridorOption(c, res, per_factor=f))
        except NoRouteError as e:
            out.options.append(CorridorOption(c, None, str(e)))
    return out

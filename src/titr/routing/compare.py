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


#: Transit-time indicator series that state an end-to-end claim, and what they measure: from
#: any of the origins to any of the destinations on one corridor (the best pair is taken).
CLAIM_ROUTES: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "transit_days_cn_border_ge": (("CN_KHG", "CN_ALA"), ("GE_POTI", "GE_BUS"), "middle"),
    "transit_days_almaty_poti": (("KZ_ALM",), ("GE_POTI",), "middle"),
}


@dataclass(frozen=True)
class ClaimCheck:
    series: str
    origin: str
    destination: str
    corridor: str
    model_p10: float
    model_p50: float
    model_p90: float
    figures: dict[str, float]  # variant -> days (default = the sourced figure)
    sources: dict[str, str]
    dataset: str

    def sentence(self) -> str:
        claims = ", ".join(f"{v} {d:g}" for v, d in self.figures.items() if v != "default")
        base = self.figures.get("default")
        return (
            f"{self.origin} → {self.destination}: model p50 {self.model_p50:.1f} days "
            f"(p10 {self.model_p10:.1f}, p90 {self.model_p90:.1f})"
            + (f"; sourced default {base:g} days" if base is not None else "")
            + (f"; other figures: {claims}" if claims else "")
        )


def check_claims(net: Network, samples: int = 4000) -> list[ClaimCheck]:
    """Each end-to-end transit claim in the indicators next to the model's p50 (the claim is
    checked, never used to tune the legs)."""
    out = []
    for series, (origins, dests, corridor) in CLAIM_ROUTES.items():
        rows = [i for i in net.indicators if i.series == series]
        if not rows or not all(n in net.nodes for n in origins + dests):
            continue
        best = None
        for o in origins:
            for d in dests:
                try:
                    r = route(net, o, d, "container", only_corridor=corridor, samples=samples)
                except NoRouteError:
                    continue
                rt = r.routes[0]
                if best is None or rt.transit_time.p50 < best[2].transit_time.p50:
                    best = (o, d, rt)
        if best is None:
            continue
        o, d, rt = best
        tt = rt.transit_time
        out.append(
            ClaimCheck(
                series,
                o,
                d,
                corridor,
                float(tt.p10),
                float(tt.p50),
                float(tt.p90),
                {i.variant: i.value for i in rows},
                {i.variant: i.source for i in rows},
                net.label,
            )
        )
    return out

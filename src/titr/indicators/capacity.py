"""The corridor's capacity path: the most freight the corridor can carry in each year, with
the projects completed or under construction by then.

Per year y: `titr.flows.usecases.corridor_capacity` (the rule `titr bottlenecks` reports too)
on the network of y, between the origins and destinations of the bundled demand scenario that
fits the dataset and lies nearest y: dry cargo in any mix, jointly, on the Middle Corridor
links, plus crude oil on its own legs (tankers and pipeline). It is the most tonnage of any
mix between those ends; `titr plan` answers a narrower question (the most of one scenario's
own mix it can carry). Planned projects and ideas are not counted. A dataset no bundled
scenario fits is measured the same way between every node of the corridor's links east of
the Caspian and every node west of it. A year without a finite cut has no bound (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from titr.errors import DataError
from titr.flows import max_throughput
from titr.flows.demand import DemandScenario, load_scenario, scenario_manifest
from titr.flows.usecases import CAPACITY_MEASURES, corridor_capacity, records
from titr.graph.projects import active_projects, apply_projects
from titr.graph.rules import commodity_sector
from titr.network.model import Network

#: Countries east of the Caspian (ends of a dataset no bundled scenario fits).
EAST_COUNTRIES = frozenset({"CN", "KZ", "UZ", "TM"})
EAST_WEST_MEASURES = (
    "dry cargo (any mix, jointly) on the Middle Corridor plus crude oil on its own legs, "
    "from every node east of the Caspian to every node west of it"
)
#: The series the capacity path bounds (tonnage carried on the corridor, dry cargo and oil as
#: in the TITR statistics, S174).
BOUNDED_SERIES = frozenset({"titr_cargo"})


@dataclass(frozen=True)
class CapacityPath:
    years: tuple[int, ...]
    mt_per_year: tuple[float, ...]  # Mt/yr; NaN where no bound exists
    projects: tuple[tuple[str, ...], ...]  # projects in service in each year
    limiting: tuple[str, ...]  # elements of the limiting cuts, per year ("; "-joined)
    dataset: str
    oil_mt_per_year: tuple[float, ...] = ()  # the crude-oil part
    scenarios: tuple[str, ...] = ()  # the demand scenario whose ends were used, per year
    measures: str = CAPACITY_MEASURES

    def at(self, year: int) -> float:
        return self.mt_per_year[self.years.index(year)]


def network_in(net: Network, year: int) -> Network:
    """A copy of the network with the projects in service by `year` applied to its elements
    (the one way projects change a network: `titr.graph.projects.apply_projects`)."""
    return apply_projects(net, active_projects(net, [], year))


def ends_scenario(net: Network, year: int) -> DemandScenario | None:
    """The bundled demand scenario that fits the dataset nearest `year` (the earlier on a
    tie), or None."""
    fits = []
    for s in scenario_manifest():
        try:
            fits.append(load_scenario(s["name"], net))
        except DataError:
            continue
    return min(fits, key=lambda c: (abs(c.year - year), c.year, c.name), default=None)


def capacity_path(net: Network, years: list[int]) -> CapacityPath:
    """Most tonnage the corridor can carry (Mt/yr) in each of `years` (module doc)."""
    caps, oils, projs, cuts, scs = [], [], [], [], []
    for y in years:
        sc = ends_scenario(net, y)
        cap = oil = math.nan
        cut: list[str] = []
        cc = corridor_capacity(net, sc, y) if sc is not None else _east_west(net, y)
        if cc:
            parts = [cc[k] for k in ("dry_cargo", "oil") if k in cc]
            if parts and not any(p["unbounded"] for p in parts):
                cap = cc["total_t"] / 1e6
                oil = cc["oil"]["max_t"] / 1e6 if "oil" in cc else 0.0
            cut = [
                f"{k}:{r['ref']}"
                for k in ("dry_cargo", "oil")
                if k in cc
                for r in cc[k]["limited_by"]
            ]
        caps.append(cap)
        oils.append(oil)
        projs.append(tuple(active_projects(net, [], y)))
        cuts.append("; ".join(cut))
        scs.append(sc.name if sc is not None else "")
    fits = any(scs) or not years
    return CapacityPath(
        tuple(years),
        tuple(caps),
        tuple(projs),
        tuple(cuts),
        net.label,
        tuple(oils),
        tuple(scs),
        CAPACITY_MEASURES if fits else EAST_WEST_MEASURES,
    )


def _east_west(net: Network, year: int) -> dict[str, Any]:
    """`corridor_capacity`'s rule between the corridor's nodes east and west of the Caspian."""
    out: dict[str, Any] = {}
    for key, sector, corridor in (("dry_cargo", "freight", "middle"), ("oil", "oil", "oil")):
        on = {
            x
            for lk in net.links.values()
            if corridor in lk.corridors
            for x in (lk.a_node, lk.b_node)
        }
        coms = sorted(
            c.id
            for c in net.commodities.values()
            if commodity_sector(c) == sector
            and c.unit != "MWh"
            and any(
                corridor in lk.corridors and (c.id in lk.commodities or "*" in lk.commodities)
                for lk in net.links.values()
            )
        )
        east = sorted(x for x in on if net.nodes[x].country in EAST_COUNTRIES)
        west = sorted(x for x in on if net.nodes[x].country not in EAST_COUNTRIES)
        if not coms or not east or not west:
            continue
        t = max_throughput(net, east, west, corridor=corridor, commodities=coms, year=year)
        out[key] = {"max_t": t.value_t, "unbounded": t.unbounded, "limited_by": records(t.cut)}
    if out:
        out["total_t"] = float(sum(v["max_t"] for v in out.values()))
    return out


def oil_capacity(net: Network, year: int) -> float | None:
    """The crude-oil part of the capacity path in `year` (Mt/yr), or None."""
    p = capacity_path(net, [year])
    v = p.oil_mt_per_year[0]
    return None if math.isnan(v) else v

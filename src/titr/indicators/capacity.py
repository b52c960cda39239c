"""The corridor's capacity path: the most freight the network can carry across the Caspian in
each year, with the projects that are completed or under construction by then.

Per year y the network is the dataset's existing network with every project that
`titr.graph.projects.active_projects` puts in service by y applied to its element (new_link
switches the planned element on; capacity_set / capacity_add / vessels_add change the
capacity fields; time_factor changes no capacity). The capacity is the sum, over the parts in
`PARTS` (corridor, commodity), of `titr.flows.max_throughput` from the nodes east of the
Caspian to the nodes west of it. Summing separate maxima never understates the joint maximum,
so the path is an upper bound on what the corridor can carry: a forecast above it cannot
happen without new capacity. Planned projects and ideas are not counted. A year with no
finite cut (no eastern or western nodes, or no capacity given) has no bound (NaN).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from titr.flows import max_throughput
from titr.graph.projects import active_projects, apply_projects
from titr.network.model import Network

#: (corridor, commodity) parts whose maxima add up to the corridor's tonnage capacity: dry and
#: general cargo and containers on the Middle Corridor links, crude oil on the oil links
#: (tankers Aktau -> Baku/Dubendi/Sangachal), as in the TITR tonnage statistics (S174).
PARTS: tuple[tuple[str, str], ...] = (
    ("middle", "general"),
    ("middle", "container"),
    ("oil", "crude_oil"),
)
#: Countries east of the Caspian (the flow is counted from their nodes to every other node of
#: the corridor's links, so it crosses the sea).
EAST_COUNTRIES = frozenset({"CN", "KZ", "UZ", "TM"})
#: The series the capacity path bounds (tonnage carried on the corridor).
BOUNDED_SERIES = frozenset({"titr_cargo"})


@dataclass(frozen=True)
class CapacityPath:
    years: tuple[int, ...]
    mt_per_year: tuple[float, ...]  # Mt/yr, upper bound; NaN where no finite cut exists
    projects: tuple[tuple[str, ...], ...]  # projects in service in each year
    limiting: tuple[str, ...]  # elements of the limiting cuts, per year ("; "-joined)
    dataset: str

    def at(self, year: int) -> float:
        return self.mt_per_year[self.years.index(year)]


def network_in(net: Network, year: int) -> Network:
    """A copy of the network with the projects in service by `year` applied to its elements
    (the one way projects change a network: `titr.graph.projects.apply_projects`)."""
    return apply_projects(net, active_projects(net, [], year))


def capacity_path(net: Network, years: list[int]) -> CapacityPath:
    """Upper bound of the corridor's yearly tonnage (Mt/yr) in each of `years`."""
    caps, projs, cuts = [], [], []
    for y in years:
        n = network_in(net, y)
        total = 0.0
        counted = 0
        cut: list[str] = []
        for corridor, com in PARTS:
            if com not in n.commodities:
                continue
            on = {
                x
                for lk in n.links.values()
                if corridor in lk.corridors
                for x in (lk.a_node, lk.b_node)
            }
            east = sorted(x for x in on if n.nodes[x].country in EAST_COUNTRIES)
            west = sorted(x for x in on if n.nodes[x].country not in EAST_COUNTRIES)
            if not east or not west:
                continue
            t = max_throughput(n, east, west, corridor=corridor, commodities=[com])
            if t.unbounded:
                total = math.inf
            total += t.value_lp
            counted += 1
            cut += [f"{com}:{r}" for r in t.cut["ref"]]
        caps.append(total / 1e6 if counted and math.isfinite(total) else math.nan)
        projs.append(tuple(active_projects(net, [], y)))
        cuts.append("; ".join(cut))
    return CapacityPath(tuple(years), tuple(caps), tuple(projs), tuple(cuts), net.label)

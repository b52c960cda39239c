"""The capacity LP's view of the compiled network: arc arrays and capacity resources.

Nothing here builds a network of its own: each commodity's arcs are the arcs of
`titr.graph.build_graph` (the router's graph: the same admission, transfers only through a
process that allows them, borders paid once per crossing, port handling at water ends), and
the capacities are the typed resources of `titr.graph.resources` (link direction, service
direction, process), with the arc → resource map from the same module. The LP's demand enters
at a node's origin vertex and leaves at its destination vertex (separate hubs, so no path
passes through a hub to change mode for free).

Cost per commodity unit on an arc: the through-tariff components of the compiled graph (the
year's components, FX and unit conversions of `titr.graph.costs`), links without a tariff at
the dataset's rate for unpriced links (`titr.graph.costs.with_unpriced`), plus the commodity's
value of time x hours / 24. Flows are in commodity units per year; a resource row is
sum_k sum_a coef[k, a, r] x[k, a] <= capacity_r in the shared unit (t/yr or MWh/yr).

``corridors`` keeps only the link arcs (and their wait arcs) of links whose ``corridors``
column names one of them or a tag the dataset counts as part of them
(`titr.graph.rules.corridor_tags`, `titr.graph.rules.link_on_corridor`): the network as the Middle
Corridor alone, without diversion to the sea, Iran or the Northern route.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from titr.errors import DataError, Issue
from titr.graph.build import build_graph
from titr.graph.costs import with_unpriced
from titr.graph.projects import active_projects, apply_projects
from titr.graph.resources import (
    Resource,
    ResourceId,
    ResourceTable,
    arc_resources,
    resource_table,
)
from titr.graph.rules import corridor_tags, link_on_corridor
from titr.network.model import Network

__all__ = ["CommodityGraph", "FlowModel", "Resource", "ResourceId", "build_flow_model"]


@dataclass
class CommodityGraph:
    """Arcs of one commodity. Arrays have length n_arcs; res_* is a CSR arc -> resources."""

    commodity: str
    unit: str
    t_per_unit: float
    n_vertices: int
    hub: dict[str, int]  # where a node's demand enters (access arcs leave it)
    sink: dict[str, int]  # where a node's demand leaves (egress arcs enter it)
    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray  # USD per commodity unit
    time_h: np.ndarray
    distance_km: np.ndarray
    kind: list[str]
    ref: list[str]
    res_ptr: np.ndarray
    res_idx: np.ndarray
    res_coef: np.ndarray
    link: list[str] = field(default_factory=list)  # link id of link / wait arcs, '' otherwise

    @property
    def n_arcs(self) -> int:
        return int(self.tail.size)


@dataclass
class FlowModel:
    """Resources shared by all commodities plus one arc set per commodity."""

    label: str
    resources: list[Resource]
    graphs: dict[str, CommodityGraph]
    warnings: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    network: Network | None = None  # the network after its projects (what was compiled)

    def resource_index(self) -> dict[ResourceId, int]:
        return {r.id: i for i, r in enumerate(self.resources)}

    def capacities(self) -> np.ndarray:
        return np.array([r.capacity for r in self.resources], dtype=float)


def _check_commodities(net: Network, coms: list[str]) -> None:
    bad = [c for c in coms if c not in net.commodities]
    if bad:
        raise DataError(
            [
                Issue(
                    "demand",
                    None,
                    "commodity",
                    c,
                    f"commodity is not in dataset {net.label}; known: "
                    f"{', '.join(sorted(net.commodities))}",
                )
                for c in bad
            ]
        )


def build_flow_model(
    net: Network,
    commodities: list[str] | None = None,
    *,
    include_planned: bool = False,
    projects: Iterable[str] = (),
    year: int | None = None,
    capacity_override: Mapping[ResourceId, float] | None = None,
    corridors: Collection[str] | None = None,
) -> FlowModel:
    """Compile ``net`` (with ``projects`` and, when ``year`` is given, every project completed
    or under construction by then) for the LP.

    include_planned: also compile planned links/processes; their resources get capacity 0
    (the investment MILP adds capacity when it builds them). capacity_override: resource ->
    capacity in the shared unit."""
    coms = list(commodities or sorted(net.commodities))
    _check_commodities(net, coms)
    ids = active_projects(net, projects, year)
    applied = apply_projects(net, ids)
    table: ResourceTable = resource_table(applied, include_planned=include_planned)
    for rid, cap in (capacity_override or {}).items():
        if rid not in table.index:
            raise DataError(Issue("capacity_override", None, None, str(rid), "no such resource"))
        table.resources[table.index[rid]].capacity = float(cap)
    tags = None if corridors is None else corridor_tags(net, corridors)
    graphs = {
        cid: _commodity_graph(net, applied, cid, table, include_planned, ids, year, tags)
        for cid in coms
    }
    return FlowModel(net.label, table.resources, graphs, list(table.warnings), ids, applied)


def _commodity_graph(
    net: Network,
    applied: Network,
    cid: str,
    table: ResourceTable,
    include_planned: bool,
    projects: list[str],
    year: int | None,
    corridors: Collection[str] | None,
) -> CommodityGraph:
    com = net.commodities[cid]
    g = build_graph(net, cid, include_planned=include_planned, projects=projects, year=year)
    keep = np.ones(g.n_arcs, dtype=bool)
    if corridors is not None:
        for a, lid in enumerate(g.arc_link):
            if lid and not link_on_corridor(applied.links[lid], corridors):
                keep[a] = False
    sel = np.flatnonzero(keep)
    tpu = 1.0 if com.unit == "MWh" else com.t_per_unit
    ptr, idx, coef = arc_resources(g, applied, table, tpu, com.unit)
    counts = np.diff(ptr)[sel]
    new_ptr = np.zeros(sel.size + 1, dtype=np.int64)
    np.cumsum(counts, out=new_ptr[1:])
    take = np.concatenate(
        [np.zeros(0, dtype=np.int64)] + [np.arange(ptr[a], ptr[a + 1]) for a in sel]
    )
    cost = with_unpriced(g, applied) + com.value_of_time * g.time_h / 24.0
    n = g.n_vertices
    hub, sink = dict(g.origin), dict(g.dest)
    for nid in sorted(net.nodes):  # a node the commodity cannot reach: demand there is unserved
        if nid not in hub:
            hub[nid] = n
            sink[nid] = n + 1
            n += 2
    return CommodityGraph(
        commodity=cid,
        unit=com.unit,
        t_per_unit=com.t_per_unit,
        n_vertices=n,
        hub=hub,
        sink=sink,
        tail=g.tail[sel],
        head=g.head[sel],
        cost=cost[sel],
        time_h=g.time_h[sel],
        distance_km=g.distance_km[sel],
        kind=[str(k) for k in g.kind[sel]],
        ref=[str(r) for r in g.ref[sel]],
        res_ptr=new_ptr,
        res_idx=idx[take],
        res_coef=coef[take],
        link=[str(x) for x in g.arc_link[sel]],
    )

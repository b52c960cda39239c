"""Capacity resources: one typed table shared by the LP, max throughput, planning and the
simulation.

A resource is one yearly capacity:
  ``ResourceId("link", L, "a>b")``     one direction of a link (rail line figures are quoted
                                       per loaded direction);
  ``ResourceId("service", S, "a>b")``  one direction of a ferry/feeder service's fleet, shared
                                       by every link of the service in that direction:
                                       vessels x payload x 8760 / cycle time x availability;
  ``ResourceId("process", P, "")``     a node process, both directions together.
Capacities are in the shared unit per year (t/yr, MWh/yr for power; `titr.graph.units`).
A capacity the data does not give is unlimited (inf) and listed in `warnings`; a planned
element that no project puts into service has capacity 0 (the planner may build it).

`arc_resources(g, table)` maps each arc of a compiled graph to the resources it consumes:
a link arc its link direction (and its service direction), a pass / transfer / load / unload
arc its process; coefficient = shared units per commodity unit (t per unit, or 1 MWh).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from titr.graph.model import MultimodalGraph
from titr.graph.units import service_capacity_t, shared_unit, to_shared
from titr.network.model import Link, Network, Process


class ResourceId(NamedTuple):
    kind: str  # link | service | process
    ref: str
    direction: str  # "a>b" | "b>a" | "" (processes: both directions)

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" + (f":{self.direction}" if self.direction else "")


@dataclass
class Resource:
    """One capacity: ``capacity`` in ``unit`` per year (inf = not given, unlimited)."""

    id: ResourceId
    capacity: float
    unit: str
    native: float | None
    native_unit: str
    country: str
    status: str = "existing"

    @property
    def kind(self) -> str:
        return self.id.kind

    @property
    def ref(self) -> str:
        return self.id.ref

    @property
    def direction(self) -> str:
        return self.id.direction

    def describe(self) -> dict[str, str]:
        """The columns that name a resource in every table: id, kind, ref, direction, country."""
        return {
            "resource": str(self.id),
            "kind": self.kind,
            "ref": self.ref,
            "direction": self.direction,
            "country": self.country,
        }

    @property
    def native_per_shared(self) -> float:
        """Native capacity units per shared unit (to express duals per native unit)."""
        if self.native and math.isfinite(self.capacity) and self.capacity > 0:
            return self.native / self.capacity
        return float("nan")


@dataclass
class ResourceTable:
    resources: list[Resource]
    index: dict[ResourceId, int]
    warnings: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.resources)

    def capacities(self) -> np.ndarray:
        return np.array([r.capacity for r in self.resources], dtype=float)

    def get(self, rid: ResourceId) -> Resource:
        return self.resources[self.index[rid]]


def link_directions(bidirectional: bool) -> list[str]:
    return ["a>b", "b>a"] if bidirectional else ["a>b"]


def _capacity(
    net: Network, rec: Link | Process, what: str, unit: str, warn: bool, warnings: list[str]
) -> tuple[float, str]:
    """Yearly capacity of a link or process in the shared unit: 0 while it is planned, inf
    (with a warning when ``warn``) when the data gives none."""
    if rec.capacity is not None and rec.capacity_unit:
        cap, unit = to_shared(net, rec.capacity, rec.capacity_unit, f"{what}s.csv {rec.id}")
    else:
        cap = math.inf
        if rec.status == "existing" and warn:
            warnings.append(f"{what} {rec.id}: no capacity given, treated as unlimited")
    return (0.0 if rec.status != "existing" else cap), unit


def resource_table(net: Network, *, include_planned: bool = False) -> ResourceTable:
    """Every capacity of ``net`` (after `titr.graph.projects.apply_projects`)."""
    res: list[Resource] = []
    warnings: list[str] = []

    def add(r: Resource) -> None:
        res.append(r)

    for lk in sorted(net.links.values(), key=lambda x: x.id):
        if lk.status != "existing" and not include_planned:
            continue
        warn = lk.mode != "sea" and not lk.service  # open sea and fleets: the service binds
        cap, unit = _capacity(net, lk, "link", shared_unit(lk.mode), warn, warnings)
        for d in link_directions(lk.bidirectional):
            add(
                Resource(
                    ResourceId("link", lk.id, d),
                    cap,
                    unit,
                    lk.capacity,
                    lk.capacity_unit or "",
                    lk.country,
                    lk.status,
                )
            )
    svc_dirs: dict[str, tuple[set[str], str]] = {}
    for lk in net.links.values():
        if lk.service and (lk.status == "existing" or include_planned):
            dirs, country = svc_dirs.setdefault(lk.service, (set(), lk.country))
            dirs.update(link_directions(lk.bidirectional))
    for sid in sorted(svc_dirs):
        sv = net.services.get(sid)
        if sv is None:
            from titr.errors import DataError, Issue

            raise DataError(
                Issue(
                    "links.csv", None, "service", sid, "a link names a service not in services.csv"
                )
            )
        cap = service_capacity_t(net, sv)
        dirs, country = svc_dirs[sid]
        for d in sorted(dirs):
            add(
                Resource(
                    ResourceId("service", sid, d),
                    cap,
                    "t/yr",
                    sv.yearly_capacity(),
                    f"{sv.sailing_unit}/yr",
                    country,
                )
            )
    for p in sorted(net.processes.values(), key=lambda x: x.id):
        if p.status != "existing" and not include_planned:
            continue
        cap, unit = _capacity(net, p, "process", "t/yr", True, warnings)
        node = net.nodes.get(p.node)
        add(
            Resource(
                ResourceId("process", p.id, ""),
                cap,
                unit,
                p.capacity,
                p.capacity_unit or "",
                node.country if node else "",
                p.status,
            )
        )
    return ResourceTable(res, {r.id: i for i, r in enumerate(res)}, warnings)


def arc_resource_ids(g: MultimodalGraph, net: Network) -> list[list[ResourceId]]:
    """Per arc of ``g``: the resources it consumes."""
    out: list[list[ResourceId]] = []
    for a in range(g.n_arcs):
        kind, ref = g.kind[a], g.ref[a]
        if kind == "link":
            lk = net.links[ref]
            d = "a>b" if g.arc_node[a] == lk.a_node else "b>a"
            ids = [ResourceId("link", ref, d)]
            if lk.service:
                ids.append(ResourceId("service", lk.service, d))
            out.append(ids)
        elif kind in ("pass", "transfer", "load", "unload"):
            out.append([ResourceId("process", ref, "")])
        else:
            out.append([])
    return out


def arc_resources(
    g: MultimodalGraph, net: Network, table: ResourceTable, t_per_unit: float, unit: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR (ptr, resource index, coefficient) of the arcs of ``g`` over ``table``.

    coefficient = shared units per commodity unit: t per unit on t/yr resources, 1 on MWh/yr
    resources for an MWh commodity, 0 across the two (a freight arc never uses a cable)."""
    ptr = np.zeros(g.n_arcs + 1, dtype=np.int64)
    idx: list[int] = []
    val: list[float] = []
    for a, ids in enumerate(arc_resource_ids(g, net)):
        for rid in ids:
            ri = table.index.get(rid)
            if ri is None:
                continue
            r_unit = table.resources[ri].unit
            if r_unit == "MWh/yr":
                c = 1.0 if unit == "MWh" else 0.0
            else:
                c = t_per_unit if unit != "MWh" else 0.0
            idx.append(ri)
            val.append(c)
        ptr[a + 1] = len(idx)
    return ptr, np.asarray(idx, dtype=np.int64), np.asarray(val, dtype=float)


def resource_names(net: Network, resource: str) -> dict[str, str]:
    """Names (en/ru/tr) of a capacity resource id such as ``link:L_X:a>b``, ``process:P`` or
    ``service:S:a>b``; the id itself when the dataset does not have it."""
    kind, _, rest = resource.partition(":")
    ref, _, direction = rest.partition(":")
    if kind == "link" and ref in net.links:
        lk = net.links[ref]
        a, b = net.nodes[lk.a_node], net.nodes[lk.b_node]
        if direction == "b>a":
            a, b = b, a
        return {
            lg: f"{getattr(a, 'name_' + lg)} – {getattr(b, 'name_' + lg)}"
            for lg in ("en", "ru", "tr")
        }
    if kind == "process" and ref in net.processes:
        pr = net.processes[ref]
        nd = net.nodes[pr.node]
        return {lg: f"{getattr(nd, 'name_' + lg)} ({pr.kind})" for lg in ("en", "ru", "tr")}
    if kind == "service" and ref in net.services:
        return dict.fromkeys(("en", "ru", "tr"), net.services[ref].name)
    return dict.fromkeys(("en", "ru", "tr"), resource)


def resource_label(net: Network, rid: ResourceId | str, lang: str = "en") -> str:
    """A capacity resource as a person reads it, its id in brackets: "Aktau–Alat dry-cargo
    ships (SV_CASP_DRY)", "Baku International Sea Trade Port (Alat) (port_handling)
    (PR_ALAT_CTR)"; unknown ids come back as given."""
    text = str(rid)
    names = resource_names(net, text)
    name = names.get(lang) or names["en"]
    if name == text:
        return text
    return f"{name} ({text.partition(':')[2].split(':', 1)[0]})"

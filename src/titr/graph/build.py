"""Compile a network and a commodity into a `MultimodalGraph` (the NODUS "virtual network").

Construction, per node n (only modes whose links admit the commodity get terminals):

* terminal T(n, m) per mode m. A link a→b of mode m runs from the departure vertex of (a, m)
  to T(b, m); a bidirectional link also runs b→a.
* border: if n has border processes for the commodity, T(n, m) is the *arrival* side and a
  chain T(n, m) → [border₁] → … → [borderₖ] → C(n, m) leads to the *cleared* vertex, which is
  the departure vertex of (n, m). Transfers run between cleared vertices. So every crossing of
  n — in any mode, with or without a transfer — pays each border process exactly once. Without
  border processes the departure vertex is T(n, m) itself.
* transfer arcs dep(n, m₁) → dep(n, m₂), one per admissible process: gauge_change only between
  rail_1435 and rail_1520; port_handling and transshipment between any two different modes.
* hubs: origin O(n) → dep(n, m) charging the node's loading processes, and T(n, m) → D(n)
  charging its unloading processes. A shipment starting at a border node starts cleared;
  one ending there does not cross it.
* wait: before a ferry/sea link with a service, dep(a, m) → W → T(b, m): the wait arc is
  Uniform(0, H) with H = `Service.headway_hours()` (after any ``vessels_add`` project).
* parallel arcs (two links between the same terminals, two transfer processes between the
  same modes) are split with an auxiliary vertex and a zero connector, so the CSR never merges.

* ends: a chain of the node's loading processes from the origin hub, of its unloading
  processes to the destination hub; at a ferry/sea terminal the chain also passes the port
  handling for capacity only (zero time and cost: `rules.water_end_processes`).

The rules (admission, transfers, borders, ends) are the functions of `titr.graph.rules`.
Planned links/processes are absent unless ``include_planned`` or a project in ``projects``
targets them. ``year``: projects under construction with earliest_year ≤ year are applied too;
projects go through `titr.graph.projects.apply_projects` (one way for every engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from titr.errors import NotFoundError
from titr.graph.costs import check_convertible, select_tariffs, usd_per_unit
from titr.graph.dist import Uniform
from titr.graph.model import MultimodalGraph
from titr.graph.projects import active_projects, apply_projects
from titr.graph.rules import (
    border_processes,
    end_processes,
    link_admits,
    process_admits,
    start_processes,
    transfer_allowed,
    water_end_processes,
)
from titr.network.model import WATER_MODES, Network, Process, Triangular

__all__ = ["active_projects", "build_graph", "link_admits", "process_admits"]


class _Builder:
    def __init__(self) -> None:
        self.vnode: list[str] = []
        self.vmode: list[str] = []
        self.vkind: list[str] = []
        self.arcs: list[dict[str, Any]] = []

    def vertex(self, node: str, mode: str, kind: str) -> int:
        self.vnode.append(node)
        self.vmode.append(mode)
        self.vkind.append(kind)
        return len(self.vnode) - 1

    def arc(
        self,
        u: int,
        v: int,
        kind: str,
        *,
        ref: str = "",
        node: str,
        to_node: str,
        mode: str = "",
        link: str = "",
        dist: Any = None,
        cost: float = 0.0,
        km: float = 0.0,
        tariffs: tuple[str, ...] = (),
        missing: bool = False,
    ) -> None:
        self.arcs.append(
            dict(
                u=u,
                v=v,
                kind=kind,
                ref=ref,
                node=node,
                to_node=to_node,
                mode=mode,
                link=link,
                dist=dist,
                cost=cost,
                km=km,
                tariffs=tariffs,
                missing=missing,
            )
        )

    def chain(
        self,
        u: int,
        v: int,
        procs: Sequence[tuple[Process, Triangular | None]],
        kind: str,
        node: str,
        mode: str,
        costs: dict[str, tuple[float, tuple[str, ...]]],
    ) -> None:
        """u → … → v through one arc per process (a connector if there is none)."""
        if not procs:
            self.arc(u, v, "connector", node=node, to_node=node, mode=mode)
            return
        cur = u
        for i, (p, t) in enumerate(procs):
            nxt = v if i == len(procs) - 1 else self.vertex(node, mode, "aux")
            # a process without a time is passed for capacity only: no time, no charge
            c, ids = costs.get(p.id, (0.0, ())) if t is not None else (0.0, ())
            self.arc(
                cur,
                nxt,
                kind,
                ref=p.id,
                node=node,
                to_node=node,
                mode=mode,
                dist=t,
                cost=c,
                tariffs=ids,
            )
            cur = nxt


def expand_node(
    b: _Builder,
    n: str,
    ms: list[str],
    procs: list[Process],
    proc_costs: dict[str, tuple[float, tuple[str, ...]]],
    term: dict[tuple[str, str], int],
    dep: dict[tuple[str, str], int],
) -> tuple[int, int]:
    """The vertices and arcs of node ``n`` with link modes ``ms`` (sorted) and the admitted
    processes ``procs``: terminals, border chains, transfers, origin and destination hubs with
    their loading / unloading chains (see the module docstring). Fills ``term`` and ``dep``
    per (n, mode) and returns the (origin, destination) hub vertices.
    `titr.graph.arrays` calls it for every node that has a process."""
    here = sorted(procs, key=lambda p: p.id)
    border = [(p, p.time) for p in border_processes(here)]
    for m in ms:
        term[(n, m)] = b.vertex(n, m, "terminal")
        if border:
            dep[(n, m)] = b.vertex(n, m, "cleared")
            b.chain(term[(n, m)], dep[(n, m)], border, "pass", n, m, proc_costs)
        else:
            dep[(n, m)] = term[(n, m)]
    for m1 in ms:
        for m2 in ms:
            if m1 == m2:
                continue
            for p in here:
                if transfer_allowed(p, m1, m2):
                    c, ids = proc_costs[p.id]
                    b.arc(
                        dep[(n, m1)],
                        dep[(n, m2)],
                        "transfer",
                        ref=p.id,
                        node=n,
                        to_node=n,
                        mode=m2,
                        dist=p.time,
                        cost=c,
                        tariffs=ids,
                    )
    origin = b.vertex(n, "", "origin")
    dest = b.vertex(n, "", "dest")
    for m in ms:
        port: list[tuple[Process, Triangular | None]] = [
            (p, None) for p in water_end_processes(here, m)
        ]
        loading = port + [(p, p.time) for p in start_processes(here, m)]
        unloading = [(p, p.time) for p in end_processes(here, m)] + port
        b.chain(origin, dep[(n, m)], loading, "load", n, m, proc_costs)
        b.chain(term[(n, m)], dest, unloading, "unload", n, m, proc_costs)
    return origin, dest


def build_graph(
    net: Network,
    commodity: str = "container",
    *,
    include_planned: bool = False,
    projects: Iterable[str] = (),
    year: int | None = None,
) -> MultimodalGraph:
    """Compile ``net`` for one commodity (see the module docstring for the construction)."""
    com = net.commodities.get(commodity)
    if com is None:
        raise NotFoundError(
            f"unknown commodity '{commodity}' in {net.label}.", sorted(net.commodities)
        )
    proj_ids = active_projects(net, projects, year)
    base = net
    net = apply_projects(net, proj_ids)

    def on(status: str, ident: str) -> bool:
        return status == "existing" or include_planned

    links = [
        lk
        for lk in net.links.values()
        if link_admits(lk, com)
        and on(lk.status, lk.id)
        and lk.a_node in net.nodes
        and lk.b_node in net.nodes
    ]
    procs = [p for p in net.processes.values() if process_admits(p, com) and on(p.status, p.id)]

    tariffs = select_tariffs(net, com.id, year)
    check_convertible(
        net,
        com,
        [tc for k, lst in tariffs.items() if k[0] in ("link", "process", "service") for tc in lst],
    )
    proc_costs: dict[str, tuple[float, tuple[str, ...]]] = {}
    for p in procs:
        lst = tariffs.get(("process", p.id), [])
        proc_costs[p.id] = (
            sum(usd_per_unit(net, com, tc) for tc in lst),
            tuple(tc.id for tc in lst),
        )

    b = _Builder()
    modes_at: dict[str, list[str]] = {}
    for lk in links:
        for n in (lk.a_node, lk.b_node):
            ms = modes_at.setdefault(n, [])
            if lk.mode not in ms:
                ms.append(lk.mode)
    by_node: dict[str, list[Process]] = {}
    for p in procs:
        by_node.setdefault(p.node, []).append(p)

    term: dict[tuple[str, str], int] = {}
    dep: dict[tuple[str, str], int] = {}
    origin: dict[str, int] = {}
    dest: dict[str, int] = {}
    for n in sorted(modes_at):
        origin[n], dest[n] = expand_node(
            b, n, sorted(modes_at[n]), by_node.get(n, []), proc_costs, term, dep
        )

    for lk in sorted(links, key=lambda x: x.id):
        t = lk.time
        comps = list(tariffs.get(("link", lk.id), []))
        if lk.service:
            comps += tariffs.get(("service", lk.service), [])
        cost = sum(usd_per_unit(net, com, tc, lk.distance) for tc in comps)
        ids = tuple(tc.id for tc in comps)
        svc = net.services.get(lk.service) if lk.service else None
        head_h = None
        if svc is not None and lk.mode in WATER_MODES:
            head_h = svc.headway_hours()
        ends = [(lk.a_node, lk.b_node)] + ([(lk.b_node, lk.a_node)] if lk.bidirectional else [])
        for a, z in ends:
            u = dep[(a, lk.mode)]
            if head_h is not None and svc is not None:
                w = b.vertex(a, lk.mode, "aux")
                b.arc(
                    u,
                    w,
                    "wait",
                    ref=svc.id,
                    node=a,
                    to_node=a,
                    mode=lk.mode,
                    link=lk.id,
                    dist=Uniform(0.0, head_h),
                )
                u = w
            b.arc(
                u,
                term[(z, lk.mode)],
                "link",
                ref=lk.id,
                node=a,
                to_node=z,
                mode=lk.mode,
                link=lk.id,
                dist=t,
                cost=cost,
                km=lk.distance,
                tariffs=ids,
                missing=not comps,
            )

    # split parallel arcs: keep the first, route the others through an aux vertex
    seen: set[tuple[int, int]] = set()
    extra: list[dict[str, Any]] = []
    for arc in b.arcs:
        key = (arc["u"], arc["v"])
        if key in seen:
            x = b.vertex(arc["to_node"], arc["mode"], "aux")
            extra.append(
                dict(
                    arc,
                    u=x,
                    kind="connector",
                    ref="",
                    link="",
                    dist=None,
                    cost=0.0,
                    km=0.0,
                    tariffs=(),
                    missing=False,
                    node=arc["to_node"],
                )
            )
            arc["v"] = x
        seen.add(key)
    arcs = b.arcs + extra

    def col(name: str, dtype: Any) -> np.ndarray:
        return np.array([a[name] for a in arcs], dtype=dtype)

    dists = [a["dist"] for a in arcs]
    g = MultimodalGraph(
        commodity=com.id,
        label=net.label,
        vertex_node=np.array(b.vnode, dtype=object),
        vertex_mode=np.array(b.vmode, dtype=object),
        vertex_kind=np.array(b.vkind, dtype=object),
        tail=col("u", np.int64),
        head=col("v", np.int64),
        time_h=np.array([0.0 if d is None else d.mean for d in dists], dtype=float),
        time_var=np.array([0.0 if d is None else d.variance for d in dists], dtype=float),
        cost_usd=col("cost", float),
        distance_km=col("km", float),
        kind=col("kind", object),
        ref=col("ref", object),
        arc_node=col("node", object),
        arc_to_node=col("to_node", object),
        arc_mode=col("mode", object),
        arc_link=col("link", object),
        dist=dists,
        tariff_ids=[a["tariffs"] for a in arcs],
        tariff_missing=col("missing", bool),
        origin=origin,
        dest=dest,
        terminal=term,
        info={
            "projects": proj_ids,
            "include_planned": include_planned,
            "year": year,
            "network": net,
            "base_network": base,
        },
    )
    keys = g.tail * g.n_vertices + g.head
    assert len(np.unique(keys)) == g.n_arcs, "parallel arcs remain after splitting"
    return g

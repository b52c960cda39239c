"""Maximum throughput of a corridor and the cut that limits it.

The corridor is reduced to a single-commodity capacity graph in t/yr (whole tonnes):

- every node n becomes n_in -> [one arc per process at n with a finite capacity, in series]
  -> n_out (all processes at a node are taken to act on the corridor's through-flow);
- every link direction a->b becomes a_out -> b_in with the link capacity; a link operated by a
  service goes a_out -> svc_in -> svc_out -> b_in, the svc_in -> svc_out arc holding the
  fleet's capacity per direction (shared by every link of the service in that direction);
- a super source feeds the origins' n_in, the destinations' n_out feed a super sink.

`max_throughput` solves   max v  s.t. flow conservation, 0 <= x_a <= cap_a   as an LP with
HiGHS and, independently, with `scipy.sparse.csgraph.maximum_flow` (Dinic) on the same graph;
both values and the minimum cut (arcs from the source side of the LP's residual graph to the
sink side; its capacity equals the max flow by the max-flow min-cut theorem) are returned.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.flowgraph import allowed_on_link
from titr.flows.units import sailing_to_shared, to_shared
from titr.network.model import Network

UNLIMITED = 2**28  # t/yr standing in for "no capacity given" (~268 Mt/yr)


@dataclass
class CapacityGraph:
    names: list[str]
    tail: np.ndarray
    head: np.ndarray
    cap: np.ndarray  # int64, t/yr
    kind: list[str]  # link | service | process | source | sink | node
    ref: list[str]
    source: int
    sink: int


@dataclass
class Throughput:
    label: str
    corridor: str
    origins: list[str]
    destinations: list[str]
    value_lp: float  # t/yr
    value_maxflow: float  # t/yr (scipy, independent)
    cut: pd.DataFrame  # the limiting cut: kind, ref, capacity (t/yr)
    lp_s: float
    maxflow_s: float

    @property
    def unbounded(self) -> bool:
        return self.value_lp >= UNLIMITED

    def to_frame(self) -> pd.DataFrame:
        df = self.cut.copy()
        df["throughput_t_per_yr"] = self.value_lp
        df["dataset"] = self.label
        return df


def capacity_graph(
    net: Network,
    origins: list[str],
    destinations: list[str],
    *,
    corridor: str | None = "middle",
    commodity: str = "general",
    capacity_override: dict[str, float] | None = None,
) -> CapacityGraph:
    """Build the single-commodity capacity graph (see module doc). Capacities may be overridden
    per element id (link / process / service id -> t/yr)."""
    com = net.commodities.get(commodity)
    if com is None:
        raise DataError(Issue("--commodity", None, None, commodity, "unknown commodity"))
    ov = capacity_override or {}
    for n in origins + destinations:
        if n not in net.nodes:
            raise DataError(Issue("throughput", None, "node", n, "node is not in the network"))
    names: list[str] = []
    idx: dict[str, int] = {}

    def v(name: str) -> int:
        if name not in idx:
            idx[name] = len(names)
            names.append(name)
        return idx[name]

    tail: list[int] = []
    head: list[int] = []
    cap: list[int] = []
    kind: list[str] = []
    ref: list[str] = []

    def arc(a: int, b: int, c: float, k: str, r: str) -> None:
        tail.append(a)
        head.append(b)
        cap.append(UNLIMITED if not math.isfinite(c) else int(round(min(c, UNLIMITED))))
        kind.append(k)
        ref.append(r)

    s, t = v("SOURCE"), v("SINK")
    links = [
        lk
        for lk in net.links.values()
        if lk.status == "existing"
        and allowed_on_link(lk, com)
        and (corridor is None or corridor in lk.corridors)
    ]
    nodes = sorted(
        {n for lk in links for n in (lk.a_node, lk.b_node)} | set(origins) | set(destinations)
    )
    for n in nodes:
        prev = v(f"{n}|in")
        procs = [
            p
            for p in net.processes_at(n)
            if p.status == "existing"
            and ("*" in p.commodities or commodity in p.commodities)
            and (p.capacity is not None or p.id in ov)
        ]
        for p in sorted(procs, key=lambda p: p.id):
            c = ov.get(p.id)
            if c is None:
                c, _ = to_shared(
                    net, float(p.capacity or 0), p.capacity_unit or "t/yr", f"processes.csv {p.id}"
                )
            nxt = v(f"{n}|{p.id}")
            arc(prev, nxt, c, "process", p.id)
            prev = nxt
        arc(prev, v(f"{n}|out"), math.inf, "node", n)
    svc_exits: set[tuple[int, int]] = set()
    for lk in links:
        c = ov.get(lk.id)
        if c is None:
            c = (
                to_shared(net, lk.capacity, lk.capacity_unit, f"links.csv {lk.id}")[0]
                if lk.capacity is not None and lk.capacity_unit
                else math.inf
            )
        dirs = [(lk.a_node, lk.b_node, "a>b")]
        if lk.bidirectional:
            dirs.append((lk.b_node, lk.a_node, "b>a"))
        for a, b, d in dirs:
            if lk.service:
                sv = net.services[lk.service]
                sc = ov.get(sv.id)
                if sc is None:
                    pay = sailing_to_shared(
                        net, sv.capacity_per_sailing, sv.sailing_unit, f"services.csv {sv.id}"
                    )
                    sc = sv.vessels * pay * 8760.0 / sv.cycle_time * sv.availability
                si, so = v(f"{sv.id}|{d}|in"), v(f"{sv.id}|{d}|out")
                if not any(
                    k == "service" and r == sv.id and tl == si
                    for k, r, tl in zip(kind, ref, tail, strict=True)
                ):
                    arc(si, so, sc, "service", sv.id)
                arc(v(f"{a}|out"), si, c, "link", lk.id)
                key = (so, v(f"{b}|in"))
                if key not in svc_exits:
                    svc_exits.add(key)
                    arc(so, key[1], math.inf, "node", sv.id)
            else:
                arc(v(f"{a}|out"), v(f"{b}|in"), c, "link", lk.id)
    for o in origins:
        arc(s, v(f"{o}|in"), math.inf, "source", o)
    for d in destinations:
        arc(v(f"{d}|out"), t, math.inf, "sink", d)
    return CapacityGraph(
        names, np.asarray(tail), np.asarray(head), np.asarray(cap, dtype=np.int64), kind, ref, s, t
    )


def _lp_maxflow(g: CapacityGraph) -> tuple[float, np.ndarray]:
    """max v via HiGHS: columns = arcs, rows = conservation at inner vertices."""
    n, m = len(g.names), g.tail.size
    inner = np.array([i for i in range(n) if i not in (g.source, g.sink)])
    rmap = np.full(n, -1)
    rmap[inner] = np.arange(inner.size)
    rows, cols, vals = [], [], []
    for a in range(m):
        for vtx, sign in ((g.tail[a], 1.0), (g.head[a], -1.0)):
            if rmap[vtx] >= 0:
                rows.append(rmap[vtx])
                cols.append(a)
                vals.append(sign)
    A = sp.csc_matrix((vals, (rows, cols)), shape=(inner.size, m))
    cost = np.array([-1.0 if g.tail[a] == g.source else 0.0 for a in range(m)])
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m, inner.size
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(m)
    lp.col_upper_ = g.cap.astype(float)
    lp.row_lower_ = np.zeros(inner.size)
    lp.row_upper_ = np.zeros(inner.size)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m, inner.size
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise InfeasibleError(f"max-throughput LP: {h.modelStatusToString(h.getModelStatus())}")
    x = np.asarray(h.getSolution().col_value)
    return -float(h.getInfo().objective_function_value), x


def _min_cut(g: CapacityGraph, x: np.ndarray) -> list[int]:
    """Arcs from the source side of the residual graph to the sink side."""
    n = len(g.names)
    adj: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
    for a in range(g.tail.size):
        adj[g.tail[a]].append((g.head[a], a, 1))
        adj[g.head[a]].append((g.tail[a], a, -1))
    tol = 1e-6
    seen = np.zeros(n, dtype=bool)
    seen[g.source] = True
    q = deque([g.source])
    while q:
        u = q.popleft()
        for w, a, d in adj[u]:
            if seen[w]:
                continue
            resid = g.cap[a] - x[a] if d == 1 else x[a]
            if resid > tol * max(1.0, g.cap[a]):
                seen[w] = True
                q.append(w)
    return [a for a in range(g.tail.size) if seen[g.tail[a]] and not seen[g.head[a]]]


def max_throughput(
    net: Network,
    origins: list[str],
    destinations: list[str],
    *,
    corridor: str | None = "middle",
    commodity: str = "general",
    capacity_override: dict[str, float] | None = None,
) -> Throughput:
    """Corridor max throughput (t/yr) by LP and by scipy max-flow, with the limiting cut."""
    g = capacity_graph(
        net,
        origins,
        destinations,
        corridor=corridor,
        commodity=commodity,
        capacity_override=capacity_override,
    )
    t0 = time.perf_counter()
    v_lp, x = _lp_maxflow(g)
    t1 = time.perf_counter()
    csr = sp.csr_matrix(
        (g.cap.astype(np.int32), (g.tail, g.head)), shape=(len(g.names), len(g.names))
    )  # parallel arcs add up: correct
    v_mf = float(maximum_flow(csr, g.source, g.sink, method="dinic").flow_value)
    t2 = time.perf_counter()
    cut = _min_cut(g, x)
    df = pd.DataFrame(
        {
            "kind": [g.kind[a] for a in cut],
            "ref": [g.ref[a] for a in cut],
            "from": [g.names[g.tail[a]] for a in cut],
            "to": [g.names[g.head[a]] for a in cut],
            "capacity_t_per_yr": [int(g.cap[a]) for a in cut],
        }
    )
    return Throughput(
        net.label,
        corridor or "all",
        list(origins),
        list(destinations),
        v_lp,
        v_mf,
        df,
        t1 - t0,
        t2 - t1,
    )

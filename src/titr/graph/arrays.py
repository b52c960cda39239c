"""Compile an `ArrayNetwork` (`titr.network.arrays`) into the `MultimodalGraph` that
`titr.graph.build.build_graph` makes from a `Network`: the same vertices and arcs in the same
order, so every consumer of the compiled graph (routing, CSR views, transit times) reads it
unchanged. `tests/graph/test_arrays.py` checks equality array by array on the bundled dataset.

The construction is `build_graph`'s, done on columns:

* a node with an admitted process is expanded by `titr.graph.build.expand_node` itself (border
  chains, transfers, loading and unloading chains: the rules of `titr.graph.rules`);
* every other node (the bulk of a continental network) has one terminal per link mode (modes
  in name order), then its origin and destination hubs, and per mode a zero connector
  origin -> terminal and terminal -> destination: built as arrays;
* links in id order, a -> b then b -> a when bidirectional, with a wait arc (Uniform(0, H),
  H = `Service.headway_hours()`) before a ferry/sea link that has a service; a link's cost is
  the sum of its tariff components (`titr.graph.costs.usd_per_unit`, evaluated only for the
  links that have components); admission is `titr.graph.rules.link_admits`, evaluated once
  per distinct (commodities, mode) pair;
* parallel arcs are split with an auxiliary vertex and a zero connector, as in `build_graph`.

Projects are not applied here: the array path compiles the network as it is (existing
elements, plus planned ones with ``include_planned``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from titr.errors import NotFoundError
from titr.graph.build import _Builder, expand_node
from titr.graph.costs import check_convertible, select_tariffs, usd_per_unit
from titr.graph.dist import Uniform
from titr.graph.model import MultimodalGraph
from titr.graph.rules import link_admits, process_admits
from titr.network.arrays import ArrayNetwork
from titr.network.model import WATER_MODES, Link, Process, Triangular

_NONE, _TRI, _UNI = 0, 1, 2


class ArcDists(Sequence[Any]):
    """The time distribution of every arc, made on access from columns: None (zero time),
    Triangular(min, mode, max) or Uniform(min, max); what `MultimodalGraph.dist` holds as a
    list for a graph of `build_graph`."""

    def __init__(self, code: np.ndarray, params: np.ndarray):
        self.code = code
        self.params = params

    def __len__(self) -> int:
        return int(self.code.size)

    def _one(self, i: int) -> Any:
        c = self.code[i]
        if c == _NONE:
            return None
        p = self.params[i]
        if c == _TRI:
            return Triangular(min=float(p[0]), mode=float(p[1]), max=float(p[2]))
        return Uniform(float(p[0]), float(p[2]))

    @overload
    def __getitem__(self, i: int) -> Any: ...

    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self._one(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(i)
        return self._one(i % n)

    def __iter__(self) -> Iterator[Any]:
        return (self._one(j) for j in range(len(self)))


class _Arcs:
    """Column buffers of the arcs, filled by slices."""

    def __init__(self, n: int):
        self.tail = np.zeros(n, dtype=np.int64)
        self.head = np.zeros(n, dtype=np.int64)
        self.kind = np.full(n, "connector", dtype=object)
        self.ref = np.full(n, "", dtype=object)
        self.node = np.full(n, "", dtype=object)
        self.to_node = np.full(n, "", dtype=object)
        self.mode = np.full(n, "", dtype=object)
        self.link = np.full(n, "", dtype=object)
        self.code = np.zeros(n, dtype=np.int8)
        self.params = np.zeros((n, 3))
        self.cost = np.zeros(n)
        self.km = np.zeros(n)
        self.missing = np.zeros(n, dtype=bool)
        self.tariffs: list[tuple[str, ...]] = [()] * n

    def put(self, i: int, a: dict[str, Any]) -> None:
        """Arc ``i`` from a `_Builder` arc record (vertex numbers already global)."""
        self.tail[i], self.head[i] = a["u"], a["v"]
        self.kind[i], self.ref[i], self.link[i] = a["kind"], a["ref"], a["link"]
        self.node[i], self.to_node[i], self.mode[i] = a["node"], a["to_node"], a["mode"]
        d = a["dist"]
        if isinstance(d, Triangular):
            self.code[i], self.params[i] = _TRI, (d.min, d.mode, d.max)
        elif isinstance(d, Uniform):
            self.code[i], self.params[i] = _UNI, (d.min, 0.0, d.max)
        self.cost[i], self.km[i], self.missing[i] = a["cost"], a["km"], a["missing"]
        self.tariffs[i] = a["tariffs"]


def _admitted_links(an: ArrayNetwork, com: Any, include_planned: bool) -> np.ndarray:
    """Rows of the links that carry the commodity (`link_admits`, once per distinct
    (commodities, mode) pair) and are in service (or planned, with include_planned)."""
    L = an.links
    ci, cu = pd.factorize(L["commodities"])
    mi, mu = pd.factorize(L["mode"])
    pair, first = np.unique(ci.astype(np.int64) * max(1, len(mu)) + mi, return_index=True)
    ok = []
    for r in first.tolist():
        coms, mode = str(cu[ci[r]]), str(mu[mi[r]])
        # a record with only the two fields the rule reads (no validation: already checked)
        fields: dict[str, Any] = {"commodities": [x.strip() for x in coms.split(";")]}
        fields["mode"] = mode
        probe = Link.model_construct(**fields)
        ok.append(link_admits(probe, com))
    key = ci.astype(np.int64) * max(1, len(mu)) + mi
    admit = np.array(ok, dtype=bool)[np.searchsorted(pair, key)]
    on = (L["status"] == "existing") | include_planned
    return np.flatnonzero(admit & on)


def _name_order(values: np.ndarray) -> np.ndarray:
    """Indices that sort the strings ``values`` by code point (Python's str order: UTF-8
    bytes compare in the same order)."""
    return np.asarray(pc.sort_indices(pa.array(values, pa.string())).to_numpy(), dtype=np.int64)


def _rows_of(an: ArrayNetwork, col: str) -> np.ndarray:
    """Row in the nodes table of each link's ``col`` end (the reader keeps it)."""
    rows = an.links.get(f"{col}_row")
    if rows is None:
        rows = pd.Index(an.nodes["id"]).get_indexer(an.links[col])
    return np.asarray(rows, dtype=np.int64)


def compile_arrays(
    an: ArrayNetwork, commodity: str = "container", *, include_planned: bool = False
) -> MultimodalGraph:
    """The compiled graph of ``an`` for one commodity (see the module docstring)."""
    net = an.rest
    com = net.commodities.get(commodity)
    if com is None:
        raise NotFoundError(
            f"unknown commodity '{commodity}' in {an.label}.", sorted(net.commodities)
        )
    L = an.links
    li = _admitted_links(an, com, include_planned)
    li = li[_name_order(L["id"][li])]  # links in id order
    procs = [
        p
        for p in net.processes.values()
        if process_admits(p, com) and (p.status == "existing" or include_planned)
    ]
    tariffs = select_tariffs(net, com.id, None)
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
    by_node: dict[str, list[Process]] = {}
    for p in procs:
        by_node.setdefault(p.node, []).append(p)

    # (node, mode) pairs met by an admitted link, nodes and modes in name order
    ids = an.nodes["id"]
    order = _name_order(ids)
    rank = np.empty(ids.size, dtype=np.int64)
    rank[order] = np.arange(ids.size)
    ends = rank[np.concatenate([_rows_of(an, "a_node")[li], _rows_of(an, "b_node")[li]])]
    used_rank, end_node = np.unique(ends, return_inverse=True)
    nodes = ids[order[used_rank]]  # node ids in name order
    mcodes, mnames = pd.factorize(L["mode"][li])
    mperm = np.argsort(np.asarray(mnames, dtype=str))
    modes = np.asarray(mnames, dtype=object)[mperm]
    lmc = np.empty(max(1, len(mnames)), dtype=np.int64)
    lmc[mperm] = np.arange(len(mnames))
    lmc = lmc[mcodes] if mcodes.size else np.zeros(0, dtype=np.int64)
    M = max(1, modes.size)
    pairs = np.unique(end_node * M + np.concatenate([lmc, lmc]))
    p_node, p_mode = pairs // M, pairs % M
    n_nodes = nodes.size
    k = np.bincount(p_node, minlength=n_nodes)
    p_first = np.concatenate([[0], np.cumsum(k)[:-1]])
    p_pos = np.arange(pairs.size) - p_first[p_node]
    node_obj = nodes.astype(object)
    mode_obj = modes

    # vertex and arc counts per node: plain nodes k + 2 vertices and 2k arcs, the others as
    # expand_node makes them
    vc, ac = k + 2, 2 * k
    special: dict[int, _Builder] = {}
    local: dict[int, tuple[dict[tuple[str, str], int], dict[tuple[str, str], int], int, int]] = {}
    at = pd.Index(ids).get_indexer(list(by_node))
    for nid, row in zip(list(by_node), at.tolist(), strict=True):
        if row < 0:
            continue
        r = int(np.searchsorted(used_rank, rank[row]))
        if r >= used_rank.size or used_rank[r] != rank[row]:
            continue  # a process at a node no admitted link reaches
        ms = [str(modes[m]) for m in p_mode[p_first[r] : p_first[r] + k[r]]]
        b = _Builder()
        term: dict[tuple[str, str], int] = {}
        dep: dict[tuple[str, str], int] = {}
        o, d = expand_node(b, nid, ms, by_node[nid], proc_costs, term, dep)
        special[r], local[r] = b, (term, dep, o, d)
        vc[r], ac[r] = len(b.vnode), len(b.arcs)
    voff = np.concatenate([[0], np.cumsum(vc)])
    aoff = np.concatenate([[0], np.cumsum(ac)])
    nv_nodes, na_nodes = int(voff[-1]), int(aoff[-1])

    # link directions: a -> z, then z -> a for bidirectional links; a wait arc (and its
    # vertex) first on water links with a service
    bidir = L["bidirectional"][li]
    svc = L["service"][li]
    head_of = {s.id: s.headway_hours() for s in net.services.values()}  # h between departures
    water = np.array([m in WATER_MODES for m in modes.tolist()], dtype=bool)[lmc]
    wait_h = pd.Series(svc, dtype=object).map(head_of).to_numpy(dtype=float, na_value=np.nan)
    has_wait = water & np.isfinite(wait_h)
    ndir = 1 + bidir.astype(np.int64)
    e_link = np.repeat(np.arange(li.size), ndir)
    e_rev = np.zeros(e_link.size, dtype=bool)
    e_rev[np.cumsum(ndir)[bidir] - 1] = True
    e_from = np.where(e_rev, end_node[li.size + e_link], end_node[e_link])
    e_to = np.where(e_rev, end_node[e_link], end_node[li.size + e_link])
    e_mode = lmc[e_link]
    e_wait = has_wait[e_link]
    n_wait = int(e_wait.sum())
    n_v = nv_nodes + n_wait
    e_arc0 = na_nodes + np.concatenate([[0], np.cumsum(1 + e_wait)[:-1]])
    n_a = na_nodes + int((1 + e_wait).sum())

    A = _Arcs(n_a)
    vnode = np.empty(n_v, dtype=object)
    vmode = np.full(n_v, "", dtype=object)
    vkind = np.full(n_v, "terminal", dtype=object)
    term_v = np.zeros(pairs.size, dtype=np.int64)
    dep_v = np.zeros(pairs.size, dtype=np.int64)

    # plain nodes
    plain_pair = np.ones(pairs.size, dtype=bool)
    for r in special:
        plain_pair[p_first[r] : p_first[r] + k[r]] = False
    plain_node = np.ones(n_nodes, dtype=bool)
    plain_node[list(special)] = False
    pp = np.flatnonzero(plain_pair)
    pn = p_node[pp]
    t = voff[pn] + p_pos[pp]
    term_v[pp] = dep_v[pp] = t
    vnode[t], vmode[t] = node_obj[pn], mode_obj[p_mode[pp]]
    hubs = np.flatnonzero(plain_node)
    o_v = voff[hubs] + k[hubs]
    vnode[o_v], vkind[o_v] = node_obj[hubs], "origin"
    vnode[o_v + 1], vkind[o_v + 1] = node_obj[hubs], "dest"
    la = aoff[pn] + 2 * p_pos[pp]  # load connector, then unload connector
    origin_of = voff[pn] + k[pn]
    for arcs, tl, hd in ((la, origin_of, t), (la + 1, t, origin_of + 1)):
        A.tail[arcs], A.head[arcs] = tl, hd
        A.node[arcs] = A.to_node[arcs] = node_obj[pn]
        A.mode[arcs] = mode_obj[p_mode[pp]]
    origin_v = np.zeros(n_nodes, dtype=np.int64)
    origin_v[hubs] = o_v
    dest_v = origin_v + 1

    # nodes with processes: expand_node's vertices and arcs, renumbered
    for r, b in special.items():
        v0, a0 = int(voff[r]), int(aoff[r])
        sl = slice(v0, v0 + len(b.vnode))
        vnode[sl], vmode[sl], vkind[sl] = b.vnode, b.vmode, b.vkind
        for j, arc in enumerate(b.arcs):
            A.put(a0 + j, dict(arc, u=arc["u"] + v0, v=arc["v"] + v0))
        term, dep, o, d = local[r]
        for j in range(p_first[r], p_first[r] + k[r]):
            m = str(modes[p_mode[j]])
            term_v[j], dep_v[j] = term[(str(nodes[r]), m)] + v0, dep[(str(nodes[r]), m)] + v0
        origin_v[r], dest_v[r] = o + v0, d + v0

    # link arcs
    def pair_of(node: np.ndarray, mode: np.ndarray) -> np.ndarray:
        return np.searchsorted(pairs, node * M + mode)

    start = dep_v[pair_of(e_from, e_mode)]
    end = term_v[pair_of(e_to, e_mode)]
    lid = L["id"][li]
    we = np.flatnonzero(e_wait)
    wv = nv_nodes + np.arange(n_wait)
    wa = e_arc0[we]
    vnode[wv], vmode[wv], vkind[wv] = node_obj[e_from[we]], mode_obj[e_mode[we]], "aux"
    A.tail[wa], A.head[wa] = start[we], wv
    A.kind[wa], A.ref[wa], A.link[wa] = "wait", svc[e_link[we]], lid[e_link[we]]
    A.node[wa] = A.to_node[wa] = node_obj[e_from[we]]
    A.mode[wa] = mode_obj[e_mode[we]]
    A.code[wa] = _UNI
    A.params[wa, 2] = wait_h[e_link[we]]
    la = e_arc0 + e_wait
    src = start.copy()
    src[we] = wv
    A.tail[la], A.head[la] = src, end
    A.kind[la], A.ref[la], A.link[la] = "link", lid[e_link], lid[e_link]
    A.node[la], A.to_node[la] = node_obj[e_from], node_obj[e_to]
    A.mode[la] = mode_obj[e_mode]
    A.code[la] = _TRI
    A.params[la] = np.column_stack(
        [L["time_min"][li][e_link], L["time_mode"][li][e_link], L["time_max"][li][e_link]]
    )
    A.km[la] = L["distance"][li][e_link]
    # costs: only links with tariff components (their own or their service's) are evaluated
    priced = {ref for kind, ref in tariffs if kind == "link"}
    priced_svc = {ref for kind, ref in tariffs if kind == "service"}
    lcost = np.zeros(li.size)
    lids: list[tuple[str, ...]] = [()] * li.size
    has_ids = np.zeros(li.size, dtype=bool)
    with_comps = (
        pd.Series(lid, dtype=object).isin(priced).to_numpy()
        | pd.Series(svc, dtype=object).isin(priced_svc).to_numpy()
    )
    for j in np.flatnonzero(with_comps).tolist():
        comps = list(tariffs.get(("link", str(lid[j])), []))
        if svc[j] is not None:
            comps += tariffs.get(("service", str(svc[j])), [])
        dist_km = float(L["distance"][li[j]])
        lcost[j] = sum(usd_per_unit(net, com, tc, dist_km) for tc in comps)
        lids[j] = tuple(tc.id for tc in comps)
        has_ids[j] = bool(lids[j])
    A.cost[la] = lcost[e_link]
    A.missing[la] = ~has_ids[e_link]
    for j, arc in zip(e_link.tolist(), la.tolist(), strict=True):
        if lids[j]:
            A.tariffs[arc] = lids[j]

    # parallel arcs: the first keeps its head, each later one goes through a new aux vertex
    keys = A.tail * n_v + A.head
    _, first = np.unique(keys, return_index=True)
    dup = np.ones(n_a, dtype=bool)
    dup[first] = False
    dups = np.flatnonzero(dup)
    xv = n_v + np.arange(dups.size)
    vnode = np.concatenate([vnode, A.to_node[dups]])
    vmode = np.concatenate([vmode, A.mode[dups]])
    vkind = np.concatenate([vkind, np.full(dups.size, "aux", dtype=object)])
    X = _Arcs(dups.size)
    X.tail, X.head = xv, A.head[dups].copy()
    X.node = X.to_node = A.to_node[dups].copy()
    X.mode = A.mode[dups].copy()
    A.head[dups] = xv

    def cat(name: str) -> np.ndarray:
        a: np.ndarray = getattr(A, name)
        if not dups.size:  # the usual case: no copy of the (large) columns
            return a
        return np.concatenate([a, getattr(X, name)])

    code = cat("code")
    params = np.concatenate([A.params, X.params]) if dups.size else A.params
    p0, p1, p2 = params[:, 0], params[:, 1], params[:, 2]
    tri, uni = code == _TRI, code == _UNI
    time_h = np.where(tri, (p0 + p1 + p2) / 3.0, np.where(uni, (p0 + p2) / 2.0, 0.0))
    var_tri = (p0 * p0 + p2 * p2 + p1 * p1 - p0 * p2 - p0 * p1 - p2 * p1) / 18.0
    time_var = np.where(tri, var_tri, np.where(uni, (p2 - p0) ** 2 / 12.0, 0.0))
    node_list = node_obj.tolist()
    terminal = dict(
        zip(
            zip(node_obj[p_node].tolist(), mode_obj[p_mode].tolist(), strict=True),
            term_v.tolist(),
            strict=True,
        )
    )
    g = MultimodalGraph(
        commodity=com.id,
        label=an.label,
        vertex_node=vnode,
        vertex_mode=vmode,
        vertex_kind=vkind,
        tail=cat("tail"),
        head=cat("head"),
        time_h=time_h,
        time_var=time_var,
        cost_usd=cat("cost"),
        distance_km=cat("km"),
        kind=cat("kind"),
        ref=cat("ref"),
        arc_node=cat("node"),
        arc_to_node=cat("to_node"),
        arc_mode=cat("mode"),
        arc_link=cat("link"),
        dist=ArcDists(code, params),
        tariff_ids=A.tariffs + X.tariffs,
        tariff_missing=cat("missing"),
        origin=dict(zip(node_list, origin_v.tolist(), strict=True)),
        dest=dict(zip(node_list, dest_v.tolist(), strict=True)),
        terminal=terminal,
        info={
            "projects": [],
            "include_planned": include_planned,
            "year": None,
            "network": net,
            "base_network": net,
            "arrays": an,
        },
    )
    return g

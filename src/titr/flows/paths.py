"""Exact solution of the assignment LP by column generation over paths (Dantzig-Wolfe).

The arc LP of `titr.flows.lp` (one block of arc flows per commodity k and origin o) has the
path form, for every OD row i = (k, o, d, D_i) and every hub(o) -> sink(d) path p of k:

    minimise   sum_p C_p y_p + sum_i P_k u_i                    (USD/yr)
    subject to sum_{p of i} y_p + u_i = D_i                     (dual mu_i)
               sum_p R_rp y_p <= cap_r    for each capacity row  (dual pi_r <= 0)
               y, u >= 0,  u_i <= D_i

with C_p = sum_{a in p} c_a (USD per unit) and R_rp = sum_{a in p} coef[k, a, r] (shared unit
per commodity unit). Both forms have the same optimum: every arc flow of a block decomposes
into origin -> destination paths plus cycles, and the cycles cost c >= 0 and only use
capacity, so dropping them keeps a feasible solution at no higher cost (flow decomposition).

Only a few paths per OD carry flow, so the master starts with the free-flow shortest path of
each OD and grows. Pricing: with w_r = -pi_r >= 0, the reduced cost of path p of OD i is
sum_{a in p} l_a - mu_i with arc length l_a = c_a + sum_r coef[k, a, r] w_r >= 0, so one
Dijkstra per (commodity, origin) block prices every OD of the block; a path whose length is
below mu_i (by more than the tolerance) enters the master. When no path prices out, (y, u,
mu, pi) is optimal for the path form, hence for the arc LP: pi are the capacity duals of the
arc LP (shadow price of resource r = w_r, USD per shared unit per year) and the block potentials
phi_v = -dist(hub(o), v) complete a dual-feasible solution of the conservation rows
(c_a - phi_tail + phi_head - sum coef pi = l_a - dist_head + dist_tail >= 0 by the shortest-path
optimality conditions; vertices the origin cannot reach get phi = -max(max dist, P_k)).

The master (rows: #OD + #capacity rows) is re-solved from its previous basis after each batch
of columns (HiGHS keeps the basis when columns are added). The returned `LPSolution` has the
layout of the arc LP (`LPProblem`): x per block arc (path flows summed on their arcs), the
unserved columns, and row duals for conservation and capacity rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import highspy
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from titr.errors import InfeasibleError
from titr.flows.flowgraph import CommodityGraph, FlowModel
from titr.flows.lp import LPProblem, LPSolution, new_highs

INF = highspy.kHighsInf


def _res_matrix(g: CommodityGraph, rpos: np.ndarray, n_r: int) -> sp.csr_matrix:
    """Arc x capacity-row matrix of coef[k, a, r] (only resources that have an LP row)."""
    arc_of = np.repeat(np.arange(g.n_arcs, dtype=np.int64), np.diff(g.res_ptr))
    j = rpos[g.res_idx] if g.res_idx.size else np.zeros(0, dtype=np.int64)
    keep = (j >= 0) & (g.res_coef != 0)
    return sp.csr_matrix((g.res_coef[keep], (arc_of[keep], j[keep])), shape=(g.n_arcs, n_r))


def _shortest_graph(g: CommodityGraph, length: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """CSR graph keeping the shortest of parallel arcs, and arc id per kept (tail, head)."""
    order = np.lexsort((length, g.head, g.tail))
    t, h = g.tail[order], g.head[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = (t[1:] != t[:-1]) | (h[1:] != h[:-1])
    sel = order[first]
    n = g.n_vertices
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.add.at(indptr, g.tail[sel] + 1, 1)
    indptr = np.cumsum(indptr)
    # sel is sorted by tail then head: CSR order. Explicit zero lengths stay edges.
    G = sp.csr_matrix((length[sel], g.head[sel], indptr), shape=(n, n))
    return G, sel


@dataclass
class _Com:
    """Static pricing data of one commodity: its graph, arc x capacity-row matrix, the
    blocks (origins) it has, and its OD rows (global index, row of the block in the
    distance matrix, sink vertex)."""

    g: CommodityGraph
    M: sp.csr_matrix
    blocks: np.ndarray  # block indices (rows of the Dijkstra output)
    src: np.ndarray  # hub vertex per block
    od: np.ndarray  # global OD indices
    od_row: np.ndarray  # row of the OD's block in `blocks`
    od_sink: np.ndarray  # sink vertex per OD
    rnd: np.ndarray  # uint64 per arc: path fingerprints (sum over the path's arcs)


@dataclass
class _Priced:
    """One pricing pass of a commodity: shortest-path trees and the candidate ODs."""

    dist: np.ndarray
    pred: np.ndarray
    keys: np.ndarray  # tail * n + head of the kept arcs, sorted
    sel: np.ndarray  # arc id of each key
    cand: np.ndarray  # positions (in _Com.od) of ODs whose shortest path prices out
    score: np.ndarray  # relative reduced cost of each candidate (< 0)


def _price(c: _Com, w: np.ndarray, mu: np.ndarray, rel_tol: float) -> _Priced:
    """Arc lengths l = cost + coef . w, one Dijkstra from every origin of the commodity, and
    the ODs whose shortest hub -> sink length is below mu_i - rel_tol * max(1, |mu_i|)."""
    g = c.g
    length = g.cost + (c.M @ w if w.size else 0.0)
    G, sel = _shortest_graph(g, length)
    keys = g.tail[sel] * g.n_vertices + g.head[sel]
    dist, pred = dijkstra(G, directed=True, indices=c.src, return_predecessors=True)
    dist = np.atleast_2d(dist)
    pred = np.atleast_2d(pred)
    dd = dist[c.od_row, c.od_sink]
    m = mu[c.od]
    scale = np.maximum(1.0, np.abs(np.where(np.isfinite(m), m, 0.0)))
    cand = np.flatnonzero(np.isfinite(dd) & (dd < m - rel_tol * scale))
    score = np.where(np.isfinite(m[cand]), (dd[cand] - m[cand]) / scale[cand], -np.inf)
    return _Priced(dist, pred, keys, sel, cand, score)


def _walk(c: _Com, pr: _Priced, which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arcs of the shortest paths of the ODs at positions `which` (of `c.od`), walked back
    from every sink at once: (path number, arc id) pairs, path number = position in `which`."""
    n = c.g.n_vertices
    rows = c.od_row[which]
    start = c.src[rows]
    cur = c.od_sink[which].astype(np.int64)
    active = np.arange(which.size)
    paths: list[np.ndarray] = []
    arcs: list[np.ndarray] = []
    while active.size:
        v = cur[active]
        u = pr.pred[rows[active], v].astype(np.int64)
        paths.append(active)
        arcs.append(pr.sel[np.searchsorted(pr.keys, u * n + v)])
        cur[active] = u
        active = active[u != start[active]]
    if not paths:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(paths), np.concatenate(arcs)


def solve_paths(
    p: LPProblem,
    model: FlowModel,
    *,
    rel_tol: float = 1e-9,
    max_rounds: int = 1000,
    max_columns: int | None = None,
    options: dict[str, bool | int | float | str] | None = None,
) -> LPSolution:
    """Solve the arc LP `p` by column generation; InfeasibleError if HiGHS fails.

    rel_tol: a path enters when its length is below mu_i - rel_tol * max(1, |mu_i|).
    max_columns: partial pricing: after the first round at most this many paths enter per
    round, those with the most negative relative reduced cost (every OD is still priced each
    round, so the stopping test stays exact); None: every path that prices out enters (the
    default: at 10,000 demands on the bundled corridor the master's extra rounds cost more
    than the smaller master saves; `benchmarks/flows.py` prints both).
    options: HiGHS options for the master (default: dual simplex, measured 1.4 s against
    2.3 s for primal at 10,000 demands on the bundled corridor, CPU on the shared 2 cores).

    Pricing is vectorised: one Dijkstra call per commodity from all its origins, candidate
    ODs selected with array comparisons, their paths walked back from all sinks at once,
    and the new columns' capacity coefficients one sparse product (paths x arcs @ arcs x
    rows)."""
    if any(float(model.graphs[b.commodity].cost.min(initial=0.0)) < 0 for b in p.blocks):
        raise ValueError("path pricing needs nonnegative arc costs; use lp.solve")
    t0 = time.perf_counter()
    od = p.od
    n_od = len(od)
    R = sorted(p.res_rows)
    n_r = len(R)
    rpos = np.full(len(model.resources), -1, dtype=np.int64)
    for j, ri in enumerate(R):
        rpos[ri] = j
    caps = np.array([p.row_upper[p.res_rows[ri]] for ri in R], dtype=float)
    coms = sorted({b.commodity for b in p.blocks})
    bindex = {(b.commodity, b.origin): bi for bi, b in enumerate(p.blocks)}
    od_block = np.array(
        [bindex[(k, o)] for k, o in zip(od.commodity, od.origin, strict=True)], dtype=np.int64
    )
    block_col0 = np.array([b.col0 for b in p.blocks], dtype=np.int64)
    od_com = np.array(od.commodity, dtype=object)
    rng = np.random.default_rng(0x5EED)
    cdata: dict[str, _Com] = {}
    for k in coms:
        g = model.graphs[k]
        bis = np.array([bi for bi, b in enumerate(p.blocks) if b.commodity == k], dtype=np.int64)
        pos = np.full(len(p.blocks), -1, dtype=np.int64)
        pos[bis] = np.arange(bis.size)
        ods = np.flatnonzero(od_com == k)
        cdata[k] = _Com(
            g,
            _res_matrix(g, rpos, n_r),
            bis,
            np.array([g.hub[p.blocks[bi].origin] for bi in bis], dtype=np.int64),
            ods,
            pos[od_block[ods]],
            np.array([g.sink[od.destination[i]] for i in ods], dtype=np.int64),
            rng.integers(1, 2**63, size=g.n_arcs, dtype=np.uint64),
        )

    h = new_highs()
    for opt, setting in (options or {"simplex_strategy": 1}).items():
        h.setOptionValue(opt, setting)
    lp = highspy.HighsLp()
    lp.num_col_ = n_od
    lp.num_row_ = n_od + n_r
    lp.col_cost_ = p.c[p.u_col0 : p.u_col0 + n_od]
    lp.col_lower_ = np.zeros(n_od)
    lp.col_upper_ = od.quantity.astype(float)
    lp.row_lower_ = np.concatenate([od.quantity, np.full(n_r, -INF)])
    lp.row_upper_ = np.concatenate([od.quantity, caps])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(n_od + 1, dtype=np.int32)
    lp.a_matrix_.index_ = np.arange(n_od, dtype=np.int32)
    lp.a_matrix_.value_ = np.ones(n_od)
    lp.a_matrix_.num_col_ = n_od
    lp.a_matrix_.num_row_ = n_od + n_r
    h.passModel(lp)

    # x index of every (path column, arc) pair, for the arc flows of the solution
    x_path: list[np.ndarray] = []
    x_col: list[np.ndarray] = []
    n_paths = 0
    seen: set[tuple[int, int]] = set()
    w = np.zeros(n_r)
    mu = np.full(n_od, np.inf)
    rounds = 0
    run_s: list[float] = []
    price_s = 0.0
    priced: dict[str, _Priced] = {}
    while True:
        tp = time.perf_counter()
        priced = {k: _price(cdata[k], w, mu, rel_tol) for k in coms}
        n_cand = sum(pr.cand.size for pr in priced.values())
        if max_columns is not None and rounds > 0 and n_cand > max_columns:
            # partial pricing: the most negative relative reduced costs over all commodities
            allscore = np.concatenate([priced[k].score for k in coms])
            cut = np.partition(allscore, max_columns - 1)[max_columns - 1]
            for pr in priced.values():
                pr.cand = pr.cand[pr.score <= cut]
        starts: list[np.ndarray] = []
        index: list[np.ndarray] = []
        value: list[np.ndarray] = []
        costs: list[np.ndarray] = []
        nnz = 0
        for k in coms:
            c, pr = cdata[k], priced[k]
            if not pr.cand.size:
                continue
            pid, arc = _walk(c, pr, pr.cand)
            ncand = pr.cand.size
            fp = np.zeros(ncand, dtype=np.uint64)
            np.add.at(fp, pid, c.rnd[arc])
            gi = c.od[pr.cand]
            fresh = np.array(
                [(i, f) not in seen for i, f in zip(gi.tolist(), fp.tolist(), strict=True)],
                dtype=bool,
            )
            if not fresh.all():
                keep = fresh[pid]
                renum = np.cumsum(fresh) - 1
                pid, arc = renum[pid[keep]], arc[keep]
                gi, fp = gi[fresh], fp[fresh]
                ncand = int(fresh.sum())
                if not ncand:
                    continue
            seen.update(zip(gi.tolist(), fp.tolist(), strict=True))
            inc = sp.csr_matrix((np.ones(pid.size), (pid, arc)), shape=(ncand, c.g.n_arcs))
            rc = (inc @ c.M).tocsr()
            rc.eliminate_zeros()
            rc.sort_indices()
            cnt = 1 + np.diff(rc.indptr)
            st = np.zeros(ncand, dtype=np.int64)
            np.cumsum(cnt[:-1], out=st[1:])
            idx = np.empty(int(cnt.sum()), dtype=np.int32)
            val = np.empty(idx.size)
            other = np.ones(idx.size, dtype=bool)
            other[st] = False
            idx[st], val[st] = gi, 1.0
            idx[other], val[other] = n_od + rc.indices, rc.data
            starts.append(st + nnz)
            index.append(idx)
            value.append(val)
            nnz += idx.size
            costs.append(np.bincount(pid, weights=c.g.cost[arc], minlength=ncand))
            x_path.append(pid + n_paths)
            x_col.append(block_col0[od_block[gi]][pid] + arc)
            n_paths += ncand
        price_s += time.perf_counter() - tp
        if not costs or rounds >= max_rounds:
            break
        cost = np.concatenate(costs)
        n_new = cost.size
        h.addCols(
            n_new,
            cost,
            np.zeros(n_new),
            np.full(n_new, INF),
            nnz,
            np.concatenate(starts).astype(np.int32),
            np.concatenate(index),
            np.concatenate(value),
        )
        tr = time.perf_counter()
        h.run()
        run_s.append(time.perf_counter() - tr)
        rounds += 1
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            name = h.modelStatusToString(h.getModelStatus())
            raise InfeasibleError(f"the assignment model has no solution: HiGHS reports '{name}'")
        rd = np.asarray(h.getSolution().row_dual)
        mu = rd[:n_od]
        w = np.maximum(0.0, -rd[n_od:])
    if rounds == 0:  # nothing to route (no OD has a path): solve the u-only master
        h.run()
    sol = h.getSolution()
    cv = np.asarray(sol.col_value)
    rd = np.asarray(sol.row_dual)
    n_rows, n_cols = p.shape
    x = np.zeros(n_cols)
    x[p.u_col0 : p.u_col0 + n_od] = cv[:n_od]
    y = cv[n_od:]
    if x_path:
        pth = np.concatenate(x_path)
        x[: p.u_col0] = np.bincount(np.concatenate(x_col), weights=y[pth], minlength=p.u_col0)
    row_dual = np.zeros(n_rows)
    for j, ri in enumerate(R):
        row_dual[p.res_rows[ri]] = rd[n_od + j]
    pen_od = p.c[p.u_col0 : p.u_col0 + n_od]
    pen_block = np.zeros(len(p.blocks))
    np.maximum.at(pen_block, od_block, pen_od)
    for k in coms:
        c, pr = cdata[k], priced[k]
        n = c.g.n_vertices
        for row, bi in enumerate(c.blocks.tolist()):
            d = pr.dist[row]
            fin = np.isfinite(d)
            # unreachable vertices: a potential below every reachable one and at least the
            # penalty below the origin, so that unserved demand to them is priced at P
            big = max(float(d[fin].max()) if fin.any() else 0.0, float(pen_block[bi]))
            r0 = p.blocks[bi].row0
            row_dual[r0 : r0 + n] = np.where(fin, -d, -big)
    info = h.getInfo()
    return LPSolution(
        h.modelStatusToString(h.getModelStatus()),
        float(info.objective_function_value),
        x,
        row_dual,
        time.perf_counter() - t0,
        info={
            "rounds": float(rounds),
            "path_columns": float(n_paths),
            "master_s": float(sum(run_s)),
            "first_s": run_s[0] if run_s else 0.0,
            "pricing_s": price_s,
        },
    )

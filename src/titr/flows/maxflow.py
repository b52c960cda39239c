"""Maximum throughput of a corridor and the capacities that limit it, on the LP's own model.

The network is the compiled one of `titr.flows.flowgraph` (the router's arcs, the typed
resources), kept to the corridor's links (`titr.graph.rules.link_on_corridor`) with the
projects of the question. For commodities K (e.g. all dry cargo), origins O and destinations D
it solves

    maximise   sum_k t_k sum_o s[k, o]                         (t/yr; t_k = t per unit)
    subject to flow conservation of each commodity k, with s[k, o] >= 0 entering at the
               origin vertex of o and e[k, d] >= 0 leaving at the destination vertex of d;
               sum_k sum_a coef[k, a, r] x[k, a] <= cap_r  for every finite resource r;
               sum_k t_k sum_o s[k, o] <= UNLIMITED        (no finite cut: "unbounded")

with HiGHS. Any origin may serve any destination. The limiting capacities are the resources
with a positive dual price pi_r (t of throughput per extra t/yr of capacity); by LP duality
sum_r pi_r cap_r equals the maximum (`value_dual`, checked), and for one commodity whose
resources each sit on one arc these resources are a minimum cut (max-flow min-cut).
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd
import scipy.sparse as sp

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.flowgraph import FlowModel, build_flow_model
from titr.flows.lp import new_highs
from titr.graph.resources import ResourceId
from titr.network.model import Network

UNLIMITED = 2.0**28  # t/yr standing in for "no finite cut" (~268 Mt/yr)


@dataclass
class Throughput:
    label: str
    corridor: str
    commodities: list[str]
    origins: list[str]
    destinations: list[str]
    value_t: float  # t/yr
    value_dual: float  # sum of pi_r x cap_r (= value_t by LP duality)
    by_commodity: dict[str, float]  # t/yr of each commodity in the optimum found
    cut: pd.DataFrame  # limiting resources: kind, ref, direction, capacity (t/yr), price
    projects: list[str] = field(default_factory=list)
    year: int | None = None
    lp_s: float = 0.0

    @property
    def value_lp(self) -> float:
        return self.value_t

    @property
    def unbounded(self) -> bool:
        return self.value_t >= UNLIMITED * (1 - 1e-9)

    def to_frame(self) -> pd.DataFrame:
        df = self.cut.copy()
        df["throughput_t_per_yr"] = self.value_t
        df["dataset"] = self.label
        return df


def max_throughput(
    net: Network,
    origins: Iterable[str],
    destinations: Iterable[str],
    *,
    corridor: str | Collection[str] | None = "middle",
    commodities: Iterable[str] = ("general",),
    year: int | None = None,
    projects: Iterable[str] = (),
    capacity_override: Mapping[ResourceId, float] | None = None,
    model: FlowModel | None = None,
) -> Throughput:
    """Largest t/yr the corridor carries from ``origins`` to ``destinations`` (see module doc)."""
    origins, destinations = list(origins), list(destinations)
    coms = list(commodities)
    issues = [
        Issue("throughput", None, "node", n, "node is not in the network")
        for n in origins + destinations
        if n not in net.nodes
    ]
    issues += [
        Issue("throughput", None, "commodity", c, "unknown commodity")
        for c in coms
        if c not in net.commodities
    ]
    issues += [
        Issue("throughput", None, "commodity", c, "max throughput counts freight (tonnes)")
        for c in coms
        if c in net.commodities and net.commodities[c].unit == "MWh"
    ]
    if issues:
        raise DataError(issues)
    cor: Collection[str] | None = (corridor,) if isinstance(corridor, str) else corridor
    if model is None:
        model = build_flow_model(
            net,
            coms,
            projects=projects,
            year=year,
            capacity_override=capacity_override,
            corridors=cor,
        )
    t0 = time.perf_counter()
    value, dual_value, by_com, prices, use = _solve(model, coms, origins, destinations)
    dt = time.perf_counter() - t0
    rows = []
    for ri in np.flatnonzero(prices > 1e-9):
        r = model.resources[ri]
        rows.append(
            {
                **r.describe(),
                "capacity_t_per_yr": float(r.capacity),
                "flow_t_per_yr": float(use[ri]),
                "price_t_per_t": float(prices[ri]),
            }
        )
    cut = pd.DataFrame(
        rows,
        columns=[
            "resource",
            "kind",
            "ref",
            "direction",
            "country",
            "capacity_t_per_yr",
            "flow_t_per_yr",
            "price_t_per_t",
        ],
    )
    name = corridor if isinstance(corridor, str) else ("+".join(sorted(cor)) if cor else "all")
    return Throughput(
        net.label,
        name,
        coms,
        origins,
        destinations,
        value,
        dual_value,
        by_com,
        cut,
        list(model.projects),
        year,
        dt,
    )


def _solve(
    model: FlowModel, coms: list[str], origins: list[str], destinations: list[str]
) -> tuple[float, float, dict[str, float], np.ndarray, np.ndarray]:
    caps = model.capacities()
    finite = [i for i, c in enumerate(caps) if math.isfinite(c)]
    rpos = np.full(len(caps), -1, dtype=np.int64)
    rpos[finite] = np.arange(len(finite))
    rows, cols, vals = [], [], []
    cost: list[float] = []
    col = row = 0
    layout = []
    for k in coms:
        g = model.graphs[k]
        n, m = g.n_vertices, g.n_arcs
        # arcs: +1 at tail (out), -1 at head (in)
        ar = np.arange(m)
        rows += [row + g.tail, row + g.head]
        cols += [col + ar, col + ar]
        vals += [np.ones(m), -np.ones(m)]
        cost += [0.0] * m
        src = [g.hub[o] for o in origins]
        snk = [g.sink[d] for d in destinations]
        s0 = col + m
        rows += [row + np.array(src, dtype=np.int64), row + np.array(snk, dtype=np.int64)]
        cols += [s0 + np.arange(len(src)), s0 + len(src) + np.arange(len(snk))]
        vals += [-np.ones(len(src)), np.ones(len(snk))]
        cost += [-g.t_per_unit] * len(src) + [0.0] * len(snk)
        # resources
        arc_of = np.repeat(ar, np.diff(g.res_ptr))
        j = rpos[g.res_idx] if g.res_idx.size else np.zeros(0, dtype=np.int64)
        keep = (j >= 0) & (g.res_coef != 0)
        layout.append((k, col, m, s0, len(src), arc_of[keep], j[keep], g.res_coef[keep]))
        col = s0 + len(src) + len(snk)
        row += n
    n_cons = row
    n_res = len(finite)
    for _k, c0, _m, _s0, _ns, arcs, jj, cf in layout:
        rows.append(n_cons + jj)
        cols.append(c0 + arcs)
        vals.append(cf)
    # total bound (detects "no finite cut")
    tot_row = n_cons + n_res
    for k, _c0, _m, s0, ns, *_ in layout:
        rows.append(np.full(ns, tot_row))
        cols.append(s0 + np.arange(ns))
        vals.append(np.full(ns, model.graphs[k].t_per_unit))
    n_rows = tot_row + 1
    A = sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, col)
    )
    inf = highspy.kHighsInf
    h = new_highs()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = col, n_rows
    lp.col_cost_ = np.array(cost)
    lp.col_lower_ = np.zeros(col)
    lp.col_upper_ = np.full(col, inf)
    lp.row_lower_ = np.concatenate([np.zeros(n_cons), np.full(n_res + 1, -inf)])
    lp.row_upper_ = np.concatenate([np.zeros(n_cons), caps[finite], [UNLIMITED]])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr
    lp.a_matrix_.index_ = A.indices
    lp.a_matrix_.value_ = A.data
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = col, n_rows
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise InfeasibleError(f"max-throughput LP: {h.modelStatusToString(h.getModelStatus())}")
    sol = h.getSolution()
    x = np.asarray(sol.col_value)
    dual = np.asarray(sol.row_dual)
    value = -float(h.getInfo().objective_function_value)
    prices = np.zeros(len(caps))
    prices[finite] = np.maximum(0.0, -dual[n_cons : n_cons + n_res])
    dual_value = float(prices[finite] @ caps[finite]) + max(0.0, -dual[tot_row]) * UNLIMITED
    by_com: dict[str, float] = {}
    use = np.zeros(len(caps))
    for k, c0, m, s0, ns, *_ in layout:
        g = model.graphs[k]
        by_com[k] = float(x[s0 : s0 + ns].sum() * g.t_per_unit)
        f = x[c0 : c0 + m]
        np.add.at(use, g.res_idx, np.repeat(f, np.diff(g.res_ptr)) * g.res_coef)
    return value, dual_value, by_com, prices, use

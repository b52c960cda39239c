"""Capacity-constrained assignment of a demand scenario and its bottleneck list.

`assign(net, scenario)` builds the flow model (`titr.flows.flowgraph`), the LP
(`titr.flows.lp`), solves it with HiGHS and returns an `Assignment`:

- `to_frame()`          flow and utilisation per resource (link direction, process, service):
                        flow in t/yr (or MWh/yr), capacity, utilisation = flow / capacity,
                        shadow price in USD per extra t/yr and per extra native unit per year;
- `bottlenecks()`       binding resources ranked by shadow price (the bottleneck list);
- `unserved_frame()`    demand that could not be carried, per OD and commodity, with the
                        penalty paid (never dropped silently);
- `flows_frame()`       flow per arc and commodity (commodity units per year);
- `summary`             totals: demand, served, unserved, cost, tonne-km, mean hours per unit.

Unserved demand costs `penalty` USD per commodity unit (default: the dataset's parameters
``unserved_penalty_usd_per_t`` x t per unit, ``unserved_penalty_usd_per_mwh``); shadow prices
are therefore capped by the penalty: a resource whose shadow price equals the penalty per t
is limiting served volume, not only cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import FlowModel, build_flow_model
from titr.flows.lp import LPProblem, LPSolution, ODTable, assemble, solve
from titr.flows.paths import solve_paths
from titr.graph.projects import in_service
from titr.graph.units import unserved_penalty
from titr.network.model import Network

BINDING_TOL = 1e-6


def penalties(
    net: Network, commodities: list[str], penalty: dict[str, float] | None = None
) -> dict[str, float]:
    """USD per commodity unit of unserved demand: ``penalty`` where given, else the dataset's
    ``unserved_penalty_usd_per_t`` x t per unit (``unserved_penalty_usd_per_mwh``)."""
    out = {}
    for k in commodities:
        c = net.commodities[k]
        if penalty and k in penalty:
            out[k] = float(penalty[k])
        else:
            out[k] = unserved_penalty(net, c)
    return out


@dataclass
class Assignment:
    label: str
    scenario: str
    year: int
    model: FlowModel
    problem: LPProblem
    solution: LPSolution
    penalty: dict[str, float]
    resource_flow: np.ndarray  # shared unit per year
    shadow_price: np.ndarray  # USD per shared unit per year (>= 0)
    arc_flow: dict[str, np.ndarray]  # commodity -> commodity units per year per arc
    unserved: np.ndarray  # per OD row
    capacity: np.ndarray  # shared unit per year, per resource (as solved)
    warnings: list[str] = field(default_factory=list)

    @property
    def build_s(self) -> float:
        return self.problem.build_s

    @property
    def solve_s(self) -> float:
        return self.solution.solve_s

    @property
    def objective(self) -> float:
        return self.solution.objective

    @property
    def summary(self) -> dict[str, Any]:
        od = self.problem.od
        served = od.quantity - self.unserved
        per_c: dict[str, dict[str, float]] = {}
        for k in sorted(set(od.commodity)):
            m = np.array([c == k for c in od.commodity])
            g = self.model.graphs[k]
            f = self.arc_flow[k]
            s = float(served[m].sum())
            per_c[k] = {
                "demand": float(od.quantity[m].sum()),
                "served": s,
                "unserved": float(self.unserved[m].sum()),
                "cost_usd": float(g.cost @ f),
                "cost_per_unit": float(g.cost @ f) / s if s > 0 else math.nan,
                "hours_per_unit": float(g.time_h @ f) / s if s > 0 else math.nan,
                "unit_km": float(g.distance_km @ f),
            }
        return {
            "dataset": self.label,
            "scenario": self.scenario,
            "year": self.year,
            "objective_usd": self.objective,
            "build_s": self.build_s,
            "solve_s": self.solve_s,
            "variables": self.problem.shape[1],
            "constraints": self.problem.shape[0],
            "unserved_penalty_usd": float(
                self.unserved @ np.array([self.penalty[k] for k in od.commodity])
            )
            if len(od)
            else 0.0,
            "by_commodity": per_c,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per resource: flow, capacity, utilisation, shadow prices."""
        rows = []
        for i, r in enumerate(self.model.resources):
            cap = float(self.capacity[i])
            flow = float(self.resource_flow[i])
            sp_ = float(self.shadow_price[i])
            rows.append(
                {
                    **r.describe(),
                    "flow": flow,
                    "capacity": cap,
                    "unit": r.unit,
                    "utilisation": flow / cap if math.isfinite(cap) and cap > 0 else math.nan,
                    "native_capacity": r.native,
                    "native_unit": r.native_unit,
                    "shadow_price_usd_per_unit": sp_,
                    "shadow_price_usd_per_native_unit": (
                        sp_ / r.native_per_shared
                        if sp_ and r.native_per_shared > 0
                        else (0.0 if not sp_ else math.nan)
                    ),
                    "binding": bool(
                        math.isfinite(cap) and flow >= cap * (1 - 1e-6) - 1e-6 and cap > 0
                    )
                    or sp_ > BINDING_TOL,
                    "dataset": self.label,
                    "scenario": self.scenario,
                }
            )
        return pd.DataFrame(rows)

    def tied_groups(self) -> list[list[int]]:
        """Binding resources in series: groups of resources (indices) that carry exactly the
        same flow of every (commodity, origin) block and have the same capacity.

        Such resources (e.g. two consecutive single-track sections with one capacity) make the
        LP dual degenerate: any split of the group's price among its members is optimal, and
        HiGHS may put all of it on one member. Expanding one member alone then gains nothing
        (right derivative 0); expanding the whole group gains the group's summed price."""
        df_bind = [
            i
            for i in range(len(self.model.resources))
            if math.isfinite(self.capacity[i])
            and self.capacity[i] > 0
            and self.resource_flow[i] >= self.capacity[i] * (1 - 1e-6) - 1e-6
        ]
        if not df_bind:
            return []
        col = {ri: j for j, ri in enumerate(df_bind)}
        F = np.zeros((len(self.problem.blocks), len(df_bind)))
        for bi, b in enumerate(self.problem.blocks):
            g = self.model.graphs[b.commodity]
            x = self.solution.x[b.col0 : b.col0 + b.n_arcs]
            per = np.repeat(x, np.diff(g.res_ptr)) * g.res_coef
            for ri, v in zip(g.res_idx.tolist(), per.tolist(), strict=True):
                j = col.get(ri)
                if j is not None:
                    F[bi, j] += v
        groups: dict[tuple[float, ...], list[int]] = {}
        for ri, j in col.items():
            scale = max(self.capacity[ri], 1.0)  # equal to 1 part in 1e6 of the capacity
            key = (float(f"{self.capacity[ri]:.9g}"),) + tuple(
                np.round(F[:, j] / scale * 1e6).tolist()
            )
            groups.setdefault(key, []).append(ri)
        return sorted(groups.values())

    def bottlenecks(self, top: int | None = None) -> pd.DataFrame:
        """Binding resources ranked by shadow price (USD per extra t/yr), highest first.

        `group_shadow_price_usd_per_unit` is the summed price of the resource's series group
        (`tied_groups`): the cost saved per extra t/yr when the whole group is expanded;
        `tied_with` lists the other members (expanding one member alone gains nothing when
        another member then binds). Rows are ranked by the group price, then their own."""
        df = self.to_frame()
        gp = np.zeros(len(df))
        tied = [""] * len(df)
        for grp in self.tied_groups():
            tot = float(sum(self.shadow_price[i] for i in grp))
            for i in grp:
                gp[i] = tot
                tied[i] = ";".join(str(self.model.resources[k].id) for k in grp if k != i)
        df["group_shadow_price_usd_per_unit"] = np.maximum(gp, df["shadow_price_usd_per_unit"])
        df["tied_with"] = tied
        df = (
            df[df["binding"]]
            .sort_values(
                ["group_shadow_price_usd_per_unit", "shadow_price_usd_per_unit", "utilisation"],
                ascending=False,
            )
            .reset_index(drop=True)
        )
        df.insert(0, "rank", np.arange(1, len(df) + 1))
        return df.head(top) if top else df

    def unserved_frame(self) -> pd.DataFrame:
        od = self.problem.od
        df = pd.DataFrame(
            {
                "commodity": od.commodity,
                "origin": od.origin,
                "destination": od.destination,
                "demand": od.quantity,
                "unserved": self.unserved,
            }
        )
        df["penalty_usd"] = df["unserved"] * df["commodity"].map(self.penalty)
        df["dataset"] = self.label
        return df[df["unserved"] > 1e-6].reset_index(drop=True)

    def flows_frame(self) -> pd.DataFrame:
        out = []
        for k, f in self.arc_flow.items():
            g = self.model.graphs[k]
            nz = np.flatnonzero(f > 1e-9)
            out.append(
                pd.DataFrame(
                    {
                        "commodity": k,
                        "kind": [g.kind[i] for i in nz],
                        "ref": [g.ref[i] for i in nz],
                        "flow": f[nz],
                        "cost_usd_per_unit": g.cost[nz],
                        "hours": g.time_h[nz],
                    }
                )
            )
        df = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
        df["dataset"] = self.label
        return df


def assign_od(
    net: Network,
    od: ODTable,
    *,
    scenario: str = "custom",
    year: int = 0,
    model: FlowModel | None = None,
    penalty: dict[str, float] | None = None,
    capacity: np.ndarray | None = None,
    method: str = "auto",
) -> Assignment:
    """Assign an ODTable (commodity units per year) on `net` (or a prebuilt `model`).

    method: "paths" solves the arc LP exactly by column generation over paths
    (`titr.flows.paths`, 10-20x faster on the corridor), "arcs" passes the whole arc LP to
    HiGHS (`titr.flows.lp.solve`); "auto" takes "paths" when every arc cost is >= 0 (the
    condition of its shortest-path pricing). Both give the same optimum and, up to dual
    degeneracy, the same shadow prices."""
    if method not in ("auto", "paths", "arcs"):
        raise ValueError(f"method must be auto, paths or arcs, not {method!r}")
    coms = sorted(set(od.commodity))
    if model is None:
        model = build_flow_model(net, coms)
    pen = penalties(net, coms, penalty)
    p = assemble(model, od, pen, capacity)
    if method == "auto":
        nonneg = all(float(model.graphs[k].cost.min(initial=0.0)) >= 0 for k in coms)
        method = "paths" if nonneg else "arcs"
    s = solve_paths(p, model) if method == "paths" else solve(p)
    nres = len(model.resources)
    arc_flow: dict[str, np.ndarray] = {}
    for k in coms:
        g = model.graphs[k]
        f = np.zeros(g.n_arcs)
        for b in p.blocks:
            if b.commodity == k:
                f += s.x[b.col0 : b.col0 + b.n_arcs]
        arc_flow[k] = f
    res_flow = np.zeros(nres)
    for k, f in arc_flow.items():
        g = model.graphs[k]
        per = np.repeat(f, np.diff(g.res_ptr)) * g.res_coef
        np.add.at(res_flow, g.res_idx, per)
    caps = (
        np.array([r.capacity for r in model.resources], dtype=float)
        if capacity is None
        else np.asarray(capacity, dtype=float)
    )
    shadow = np.zeros(nres)
    for ri, row in p.res_rows.items():
        shadow[ri] = max(0.0, -float(s.row_dual[row]))
    unserved = s.x[p.u_col0 : p.u_col0 + len(od)]
    return Assignment(
        net.label,
        scenario,
        year,
        model,
        p,
        s,
        pen,
        res_flow,
        shadow,
        arc_flow,
        np.maximum(unserved, 0.0),
        caps,
        list(model.warnings),
    )


def assign(
    net: Network,
    scenario: DemandScenario,
    *,
    penalty: dict[str, float] | None = None,
    model: FlowModel | None = None,
) -> Assignment:
    """Assign a demand scenario on the network of its year: existing elements plus the
    projects completed or under construction by then (`titr.graph.projects.active_projects`).

    Rows that require a project (e.g. electricity over a planned cable) count only when that
    project is in service; the others are listed in `warnings`, not assigned."""
    done = in_service(net, (), scenario.year)
    od = scenario.od(in_service=done)
    if model is None:
        model = build_flow_model(net, sorted(set(od.commodity)), year=scenario.year)
    a = assign_od(
        net,
        od,
        scenario=scenario.name,
        year=scenario.year,
        model=model,
        penalty=penalty,
    )
    for r in scenario.conditional():
        if r.requires not in done:
            a.warnings.append(
                f"{r.commodity} {r.origin}->{r.destination} ({r.quantity:,.0f}/yr) left out: "
                f"it needs project {r.requires}, which is not in service"
            )
    return a

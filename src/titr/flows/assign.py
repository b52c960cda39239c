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

Unserved demand costs `penalty` USD per commodity unit (default `DEFAULT_PENALTY_USD_PER_T`
per tonne, converted with t per unit; electricity `DEFAULT_PENALTY_USD_PER_MWH`); shadow prices
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
from titr.network.model import Network

DEFAULT_PENALTY_USD_PER_T = 2000.0  # EST: ~24,000 USD per TEU, above any corridor's cost
DEFAULT_PENALTY_USD_PER_MWH = 500.0  # EST: above any transmission charge
BINDING_TOL = 1e-6


def penalties(
    net: Network, commodities: list[str], penalty: dict[str, float] | None = None
) -> dict[str, float]:
    """USD per commodity unit of unserved demand."""
    out = {}
    for k in commodities:
        c = net.commodities[k]
        if penalty and k in penalty:
            out[k] = float(penalty[k])
        elif c.unit == "MWh":
            out[k] = DEFAULT_PENALTY_USD_PER_MWH
        else:
            out[k] = DEFAULT_PENALTY_USD_PER_T * max(c.t_per_unit, 1.0)
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
            "variables": int(self.problem.A.shape[1]),
            "constraints": int(self.problem.A.shape[0]),
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
                    "resource": r.id,
                    "kind": r.kind,
                    "ref": r.ref,
                    "direction": r.direction,
                    "country": r.country,
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

    def bottlenecks(self, top: int | None = None) -> pd.DataFrame:
        """Binding resources ranked by shadow price (USD per extra t/yr), highest first."""
        df = self.to_frame()
        df = (
            df[df["binding"]]
            .sort_values(["shadow_price_usd_per_unit", "utilisation"], ascending=False)
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
) -> Assignment:
    """Assign an ODTable (commodity units per year) on `net` (or a prebuilt `model`)."""
    coms = sorted(set(od.commodity))
    if model is None:
        model = build_flow_model(net, coms)
    pen = penalties(net, coms, penalty)
    p = assemble(model, od, pen, capacity)
    s = solve(p)
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
    """Assign a demand scenario on the existing network (planned elements excluded)."""
    return assign_od(
        net, scenario.od(), scenario=scenario.name, year=scenario.year, model=model, penalty=penalty
    )

"""What a solved plan says: projects by year and country, the capacity profile and readiness
of the chain's segments, the bottleneck per year, what the plan buys, the next bottleneck, and
why a target cannot be met."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from titr.errors import InfeasibleError
from titr.flows.assign import assign_od
from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import FlowModel
from titr.flows.lp import LPProblem
from titr.graph.resources import ResourceId, resource_label
from titr.graph.units import format_t
from titr.network.model import Network
from titr.planning.candidates import Candidate, _capacities
from titr.planning.demand import _od_for

# what "What the plan buys" compares (the CLI caption and the API's per_unit_note)
BUYS_NOTE = (
    "cost and days per unit are averages over the units served in the target year; without "
    "the plan part of the demand is left unserved (served_share), so the two columns "
    "average over different flows: the plan serves the longer, dearer flows too"
)


@dataclass
class Plan:
    label: str
    target_t: float
    target_year: int
    years: list[int]
    rate: float
    lifetime: int
    chosen: pd.DataFrame
    capacity_profile: pd.DataFrame
    bottleneck_by_year: pd.DataFrame
    readiness: pd.DataFrame
    spread_years: int
    buys: dict[str, Any]
    next_bottleneck: pd.DataFrame
    demand_by_year: dict[int, float]
    objective: float
    mip_gap: float
    build_s: float
    solve_s: float
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    status: str = "optimal"  # "optimal" | "infeasible" (the best reachable plan)
    reason: str = ""  # why the target cannot be met (infeasible)
    reachable_t: float = math.nan  # freight carried in the target year with the plan, t/yr
    shortfall_t: float = 0.0  # target - reachable, t/yr
    binding: list[str] = field(default_factory=list)  # resources limiting the target year
    lacking: list[str] = field(default_factory=list)  # binding resources no project expands
    # lacking resource -> projects that expand it but cannot be in service by the target
    # year ("PROJECT (from YEAR)")
    lacking_later: dict[str, list[str]] = field(default_factory=dict)
    sectors: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        df = self.chosen.copy()
        df["dataset"] = self.label
        return df


def _id_columns(rid: ResourceId) -> dict[str, str | None]:
    return {"kind": rid.kind, "ref": rid.ref, "direction": rid.direction or None}


def _explain(
    net: Network,
    model: FlowModel,
    scenario: DemandScenario,
    cands: list[Candidate],
    path: dict[int, float],
    target_year: int,
    target_t: float,
    pen: dict[str, float],
    budgets: dict[tuple[str, int], float] | None,
) -> InfeasibleError:
    on = [cd.available <= target_year for cd in cands]
    caps = _capacities(model, cands, on)
    a = assign_od(net, _od_for(scenario, net, target_t), model=model, penalty=pen, capacity=caps)
    tpu = {k: net.commodities[k].t_per_unit for k in net.commodities}
    uf = a.unserved_frame()
    short_t = float(
        sum(
            u * tpu[k]
            for k, u in zip(uf["commodity"], uf["unserved"], strict=True)
            if net.commodities[k].unit != "MWh"
        )
    )
    if short_t <= 1.0 and budgets:
        return InfeasibleError(
            f"the target {format_t(target_t)}/yr by {target_year} could be carried with every "
            f"candidate project, but not within the budgets given: raise the budgets (MUSD "
            f"per country and year) or move the target year"
        )
    bn = a.bottlenecks()
    bn = bn[bn["capacity"] > 0].head(3)  # elements not built (capacity 0) are not limits
    limits = ", ".join(
        f"{resource_label(net, str(r.resource))} ({r.utilisation:.0%} used)"
        for r in bn.itertuples()
    )
    pw = uf[[net.commodities[k].unit == "MWh" for k in uf["commodity"]]]
    extra = f"; electricity short by {pw['unserved'].sum():,.0f} MWh/yr" if len(pw) else ""
    return InfeasibleError(
        f"the target {format_t(target_t)}/yr by {target_year} cannot be met: even with every "
        f"candidate project in service by {target_year} the network carries at most "
        f"{format_t(target_t - short_t)}/yr of it, short by {format_t(short_t)}/yr"
        f"{extra}. Limited by: {limits or 'no finite capacity (missing links)'}"
    )


def _report(
    net: Network,
    model: FlowModel,
    scenario: DemandScenario,
    cands: list[Candidate],
    probs: list[LPProblem],
    sol: Any,
    z: np.ndarray,
    years: list[int],
    path: dict[int, float],
    target_t: float,
    target_year: int,
    af: float,
    rate: float,
    lifetime: int,
    pen: dict[str, float],
    build_s: float,
    warnings: list[str],
    skipped: list[str],
) -> Plan:
    res = model.resources
    rows = []
    under_way = []
    for i, cd in enumerate(cands):
        if not z[i].any():
            continue
        first = years[int(np.argmax(z[i]))]
        p = cd.project
        if first - p.lead_time < years[0]:
            under_way.append(p.id)
        rows.append(
            {
                "project": p.id,
                "name": p.name_en,
                "country": p.country,
                "in_service": first,
                # no decision is dated before the plan's first year (as in the appraisal)
                "decide_by": max(years[0], first - p.lead_time),
                "capex_musd": cd.capex,
                "capex_basis": "EST" if cd.capex_est else (p.capex_source or ""),
                "annuity_musd_per_yr": cd.capex * af,
                "effect": f"{p.effect} {p.effect_value:g} on {p.target_ref}",
                "adds_t_per_yr": max(d for _, d in cd.effects),
            }
        )
    chosen = pd.DataFrame(
        rows,
        columns=[
            "project",
            "name",
            "country",
            "in_service",
            "decide_by",
            "capex_musd",
            "capex_basis",
            "annuity_musd_per_yr",
            "effect",
            "adds_t_per_yr",
        ],
    )
    chosen = chosen.sort_values(["in_service", "country", "project"]).reset_index(drop=True)
    if under_way:
        warnings = [
            *warnings,
            f"decision year would fall before {years[0]} (works under way or late start), "
            f"decide-by set to {years[0]} for {', '.join(sorted(under_way))}",
        ]
    # flows per year -> resource use
    col0 = 0
    use = np.zeros((len(years), len(res)))
    for j, pj in enumerate(probs):
        x = sol.x[col0 : col0 + pj.A.shape[1]]
        col0 += pj.A.shape[1]
        for b in pj.blocks:
            g = model.graphs[b.commodity]
            f = x[b.col0 : b.col0 + b.n_arcs]
            np.add.at(use[j], g.res_idx, np.repeat(f, np.diff(g.res_ptr)) * g.res_coef)
    caps = np.array([_capacities(model, cands, list(z[:, j])) for j in range(len(years))])
    jt = years.index(target_year)
    need = use[jt]
    chain = [
        i
        for i, r in enumerate(res)
        if need[i] >= 0.05 * target_t and math.isfinite(caps[jt, i]) and r.unit == "t/yr"
    ]
    prof = []
    for j, t in enumerate(years):
        for i in chain:
            prof.append(
                {
                    "year": t,
                    "resource": str(res[i].id),
                    "country": res[i].country,
                    "capacity_t": caps[j, i],
                    "flow_t": use[j, i],
                    "utilisation": use[j, i] / caps[j, i] if caps[j, i] > 0 else math.nan,
                }
            )
    profile = pd.DataFrame(prof)
    ready = []
    for i in chain:
        ok = [t for j, t in enumerate(years) if caps[j, i] >= need[i] * (1 - 1e-6)]
        ready.append(
            {
                "resource": str(res[i].id),
                **_id_columns(res[i].id),
                "country": res[i].country,
                "needed_t": need[i],
                "capacity_first_year_t": caps[0, i],
                "ready_year": ok[0] if ok else None,
                "upgraded": bool(caps[-1, i] > caps[0, i] + 1e-6),
            }
        )
    readiness = pd.DataFrame(ready)
    up = readiness[readiness["upgraded"]] if len(readiness) else readiness
    spread = int(up["ready_year"].max() - up["ready_year"].min()) if len(up) else 0
    bby = []
    for j, t in enumerate(years):
        if chain:
            built = [i for i in chain if caps[j, i] > 0] or chain
            i = max(built, key=lambda i: use[j, i] / caps[j, i] if caps[j, i] > 0 else 0.0)
            bby.append(
                {
                    "year": t,
                    "demand_t": path[t],
                    "bottleneck": str(res[i].id),
                    **_id_columns(res[i].id),
                    "utilisation": use[j, i] / caps[j, i] if caps[j, i] > 0 else math.nan,
                    "bottleneck_capacity_t": caps[j, i],
                    "served_t": path[t] - _unserved_t(net, probs[j], sol, j, probs),
                }
            )
    # what the plan buys: target-year demand on base vs planned capacities
    od_t = _od_for(scenario, net, target_t)
    before = assign_od(
        net,
        od_t,
        model=model,
        penalty=pen,
        capacity=_capacities(model, cands, [False] * len(cands)),
    )
    after = assign_od(net, od_t, model=model, penalty=pen, capacity=caps[jt])
    buys = {"target_year": target_year}
    for tag, a in (("without_plan", before), ("with_plan", after)):
        s = a.summary["by_commodity"]
        for k, v in s.items():
            buys[f"{tag}.{k}.served_share"] = v["served"] / v["demand"] if v["demand"] else 1
            buys[f"{tag}.{k}.cost_per_unit_usd"] = v["cost_per_unit"]
            buys[f"{tag}.{k}.days_per_unit"] = v["hours_per_unit"] / 24.0
    nxt = assign_od(
        net, _od_for(scenario, net, target_t * 1.25), model=model, penalty=pen, capacity=caps[-1]
    ).bottlenecks()
    nxt = nxt[nxt["capacity"] > 0].head(5).reset_index(drop=True)
    abn = after.bottlenecks()
    binding = [str(x) for x in abn.loc[abn["capacity"] > 0, "resource"]]
    out = Plan(
        net.label,
        target_t,
        target_year,
        years,
        rate,
        lifetime,
        chosen,
        profile,
        pd.DataFrame(bby),
        readiness,
        spread,
        buys,
        nxt,
        path,
        sol.objective,
        sol.mip_gap,
        build_s,
        sol.solve_s,
        warnings,
        skipped,
    )
    out.binding = binding
    return out


def _unserved_t(net: Network, p: LPProblem, sol: Any, j: int, probs: list[LPProblem]) -> float:
    off = sum(q.A.shape[1] for q in probs[:j])
    u = sol.x[off + p.u_col0 : off + p.u_col0 + len(p.od)]
    return float(
        sum(
            ui * net.commodities[k].t_per_unit
            for ui, k in zip(u, p.od.commodity, strict=True)
            if net.commodities[k].unit != "MWh"
        )
    )

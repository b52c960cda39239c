"""The one place where appraisal reads the planning and flows layers.

Everything the appraisal needs from below — the plan (projects, in-service years, capex, the
demand path), and the corridor state of a year with a given set of projects in service (traffic
carried, money cost, hours, CO2, tariff revenue by country) — goes through this module, so a
refactor of `titr.planning` / `titr.flows` is absorbed here.

Traffic source: the planning layer's demand (the scenario's OD structure scaled along the plan's
geometric demand path); `TRAFFIC_SOURCE` names it for reports.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from titr.flows.assign import assign_od, penalties
from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import FlowModel, build_flow_model
from titr.flows.lp import ODTable
from titr.graph.rules import MIDDLE_CORRIDOR
from titr.network.model import Network
from titr.planning import Plan, plan
from titr.planning.invest import Candidate, _od_for, candidates
from titr.routing.emissions import link_factor

TRAFFIC_SOURCE = "planning demand path (scenario OD structure scaled to the target; fixed demand)"


@dataclass
class PlanProject:
    id: str
    name: dict[str, str]
    country: str
    in_service: int
    lead_time: int
    capex_musd: float
    capex_est: bool
    capex_basis: str
    kind: str  # link | process | service (the target element)
    mode: str  # the target link's mode, "port"/"service" otherwise


@dataclass
class CommodityState:
    """One commodity in one year on the corridor (units: the commodity's own unit)."""

    demand: float
    served: float
    money_usd: float  # tariffs and transfer charges paid by the served traffic
    hours: float  # total unit-hours
    co2_t: float
    vot_usd_per_unit_day: float
    t_per_unit: float


@dataclass
class YearState:
    year: int
    commodities: dict[str, CommodityState]
    revenue_by_country: dict[str, float]  # USD, money cost on each country's arcs
    served_od: ODTable  # what was carried, per OD row (commodity units/yr)


@dataclass
class PlanView:
    """The plan as the appraisal sees it."""

    plan: Plan
    net: Network
    scenario: DemandScenario
    model: FlowModel
    cands: dict[str, Candidate]
    projects: list[PlanProject]
    demand_t: dict[int, float]
    traffic_source: str = TRAFFIC_SOURCE
    _cache: dict[tuple[Any, ...], YearState] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.net.label

    def state(
        self,
        year: int,
        on: Collection[str],
        demand_factor: float = 1.0,
        carry: Collection[str] | None = None,
    ) -> YearState:
        """Assignment of year `year`'s demand (× demand_factor) with projects `on` in service
        (completed dataset projects are always in service). With `carry`, the demand is
        instead the traffic the state with projects `carry` served (same year and factor):
        what the same shippers would pay and take with `on`."""
        key = (
            year,
            frozenset(on),
            round(demand_factor, 12),
            None if carry is None else frozenset(carry),
        )
        if key not in self._cache:
            od = None if carry is None else self.state(year, carry, demand_factor).served_od
            self._cache[key] = _state(self, year, set(on), demand_factor, od)
        return self._cache[key]


def make_plan(
    net: Network,
    scenario: DemandScenario,
    target_t: float,
    target_year: int,
    years: list[int],
) -> PlanView:
    """Run the planning MILP and wrap the result."""
    pl = plan(net, scenario, target_t, target_year, years=years)
    return view(net, scenario, pl)


def view(net: Network, scenario: DemandScenario, pl: Plan) -> PlanView:
    coms = sorted({r.commodity for r in scenario.rows})
    model = build_flow_model(net, coms, include_planned=True, corridors=MIDDLE_CORRIDOR)
    cands = {c.project.id: c for c in candidates(net, model, pl.years[0], "estimate", [], [])}
    projects = []
    for r in pl.chosen.to_dict(orient="records"):
        p = net.projects[str(r["project"])]
        mode = net.links[p.target_ref].mode if p.target_kind == "link" else p.target_kind
        projects.append(
            PlanProject(
                id=p.id,
                name={"en": p.name_en, "ru": p.name_ru, "tr": p.name_tr},
                country=p.country,
                in_service=int(r["in_service"]),
                lead_time=p.lead_time,
                capex_musd=float(r["capex_musd"]),
                capex_est=str(r["capex_basis"]) == "EST",
                capex_basis=str(r["capex_basis"]),
                kind=p.target_kind,
                mode=mode,
            )
        )
    return PlanView(pl, net, scenario, model, cands, projects, dict(pl.demand_by_year))


def _state(
    pv: PlanView, year: int, on: set[str], demand_factor: float, od: ODTable | None
) -> YearState:
    net, model = pv.net, pv.model
    if od is None:
        years = sorted(pv.demand_t)
        total_t = pv.demand_t[min(max(year, years[0]), years[-1])] * demand_factor
        done = {p.id for p in net.projects.values() if p.status == "completed"}
        od = _od_for(pv.scenario, net, total_t, done | on)
    caps = np.array([r.capacity for r in model.resources], dtype=float)
    for pid in on:
        cd = pv.cands.get(pid)
        if cd is None:
            continue
        for ri, d in cd.effects:
            if math.isfinite(caps[ri]):
                caps[ri] += d
    pen = penalties(net, sorted(model.graphs))
    a = assign_od(net, od, model=model, penalty=pen, capacity=caps, year=year)
    summ = a.summary["by_commodity"]
    rev: dict[str, float] = {}
    out: dict[str, CommodityState] = {}
    for k, s in summ.items():
        g = model.graphs[k]
        f = a.arc_flow[k]
        com = net.commodities[k]
        money = g.cost - com.value_of_time / 24.0 * g.time_h
        co2 = 0.0
        for i in np.flatnonzero(f > 0):
            if g.kind[i] == "link":
                lk = net.links[g.ref[i]]
                ef = link_factor(net, lk)
                co2 += (
                    f[i] * g.t_per_unit * g.distance_km[i] * (ef.g_co2_per_tkm if ef else 0.0) / 1e6
                )
                c = lk.country
            else:
                c = _arc_country(net, g.ref[i])
            rev[c] = rev.get(c, 0.0) + float(f[i] * money[i])
        out[k] = CommodityState(
            demand=s["demand"],
            served=s["served"],
            money_usd=float(money @ f),
            hours=float(g.time_h @ f),
            co2_t=co2,
            vot_usd_per_unit_day=com.value_of_time,
            t_per_unit=com.t_per_unit,
        )
    served = ODTable(
        list(od.commodity), list(od.origin), list(od.destination), od.quantity - a.unserved
    )
    return YearState(year, out, rev, served)


def _arc_country(net: Network, ref: str) -> str:
    first = ref.split(",")[0]
    if first in net.processes:
        return net.nodes[net.processes[first].node].country
    if first in net.nodes:
        return net.nodes[first].country
    return "?"


def plan_summary(pv: PlanView) -> dict[str, Any]:
    """Plan facts the report shows next to the appraisal (from the planning result)."""
    pl = pv.plan
    return {
        "target_t": pl.target_t,
        "target_year": pl.target_year,
        "years": pl.years,
        "spread_years": pl.spread_years,
        "demand_by_year": {str(k): v for k, v in pl.demand_by_year.items()},
        "bottleneck_by_year": pl.bottleneck_by_year.to_dict(orient="records"),
        "next_bottleneck": pl.next_bottleneck.to_dict(orient="records"),
        "readiness": pl.readiness.to_dict(orient="records"),
        "warnings": list(pl.warnings),
        "skipped": list(pl.skipped),
    }


def pick_scenario(
    net: Network, target_t: float, target_year: int, name: str | None
) -> DemandScenario:
    """The named bundled demand scenario, or the one nearest the target year, then nearest the
    target tonnage (the rule `titr plan` applies)."""
    from titr.flows.demand import load_scenario, scenario_manifest

    if name is not None:
        return load_scenario(name, net)
    cands = [load_scenario(s["name"], net) for s in scenario_manifest()]
    return min(
        cands, key=lambda c: (abs(c.year - target_year), abs(c.tonnes(net) - target_t), c.name)
    )

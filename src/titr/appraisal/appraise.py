"""Economic appraisal of an investment plan and of each of its projects.

Years t = base_year .. base_year + period − 1 (year index 0 = base year, prices constant,
money in MUSD). For a set of projects S(t) in service in year t against a reference set R(t):

costs     capex of each project spread evenly over its lead-time years before it enters
          service (years before the base year count in the base year; lead time 0 = all in the
          service year); opex = opex_share × capex per year in service; residual value in the
          last year = capex × max(0, 1 − years in service / asset life) (straight line).
benefits  per freight commodity k, from the corridor assignment of year t's demand with S(t)
          (index 1) and with R(t) (index 0) — T traffic served (units/yr), v value of time
          (USD/unit/day); m0 − m1, h0 − h1 and e0 − e1 are the per-unit changes in money,
          hours and t CO2 of the *same* traffic T0 (S(t) solved again carrying exactly what R(t)
          carried, so re-routing of extra traffic is not mistaken for a cost rise):
            time         ½(T0 + T1) · v · (h0 − h1) / 24
            cost         ½(T0 + T1) · (m0 − m1)
            reliability  ½(T0 + T1) · ρ · s · v · (h0 − h1) / 24      (ρ reliability ratio,
                         s = (p90 − p50) / p50 of corridor transit time from the simulation:
                         the p90 − p50 buffer is taken to scale with the mean transit time)
            generated    the rule-of-half share of the first two lines, ½(T1 − T0)(g0 − g1)
                         with g = m + v·h/24, shown apart (it is inside time and cost)
            co2          T0 · (e0 − e1) · carbon value (attracted traffic's former route is not
                         in the corridor model: counted as emitting the same per unit)
            transit      margin × tariff revenue of the extra traffic, per country: revenue
                         on the country's arcs with S carrying T1 minus with S carrying T0
The plan is appraised against the dataset's completed projects only (R = ∅); a project j
against the plan without it (R(t) = S(t) \\ {j}, leave-one-out), so project NPVs need not add
up to the plan's NPV when projects complement each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from titr.appraisal import cashflow as cf
from titr.appraisal.adapt_planning import PlanProject, PlanView, YearState
from titr.appraisal.params import AppraisalParams
from titr.errors import DataError, Issue, NotFoundError

COMPONENTS = ("time", "cost", "reliability", "co2", "transit")  # summed into benefits
SHOWN = ("time", "cost", "reliability", "generated", "co2", "transit")


# the parties of "who pays, who gains" that are not a country (XX: the country code the
# dataset gives international sea and Caspian lines)
PARTY_NAMES = {
    "shippers": "Shippers",
    "climate (CO2)": "Climate (CO2)",
    "XX": "Sea and Caspian shipping",
}


def party_label(party: str) -> str:
    """A party of `Appraisal.by_country` as users read it: 'Kazakhstan (KZ)', 'Shippers',
    'Sea and Caspian shipping' (never the placeholder code XX)."""
    if party in PARTY_NAMES:
        return PARTY_NAMES[party]
    from titr.network.places import country_names

    name = country_names(party)
    return f"{name} ({party})" if name != party.upper() else party


@dataclass
class Stream:
    """Yearly cash flows (MUSD) of a plan or a project."""

    years: list[int]
    capex: np.ndarray
    opex: np.ndarray
    residual: np.ndarray
    benefits: dict[str, np.ndarray]  # SHOWN components; `generated` is not summed
    transit_by_country: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def total_benefits(self) -> np.ndarray:
        return np.asarray(sum(self.benefits[c] for c in COMPONENTS))

    @property
    def net(self) -> np.ndarray:
        return self.total_benefits + self.residual - self.capex - self.opex

    def scaled(self, capex: float = 1.0, benefits: float = 1.0, time: float = 1.0) -> Stream:
        """Capex (and the opex and residual value that follow it) × capex; every benefit ×
        benefits; time-valued components (time, reliability) additionally × time."""
        b = {
            k: v * benefits * (time if k in ("time", "reliability") else 1.0)
            for k, v in self.benefits.items()
        }
        return Stream(
            self.years,
            self.capex * capex,
            self.opex * capex,
            self.residual * capex,
            b,
            {c: v * benefits for c, v in self.transit_by_country.items()},
        )

    def measures(self, rate: float) -> dict[str, Any]:
        df = cf.discount_factors(rate, len(self.years))
        pv_b = float((self.total_benefits + self.residual) @ df)
        pv_c = float((self.capex + self.opex) @ df)
        ops = np.flatnonzero(self.total_benefits != 0)
        first_op = int(ops[0]) if ops.size else None
        e = cf.eirr(self.net)
        return {
            "npv_musd": pv_b - pv_c,
            "pv_benefits_musd": pv_b,
            "pv_costs_musd": pv_c,
            "bcr": cf.bcr(pv_b, pv_c),
            "eirr": e.value,
            "eirr_roots": list(e.roots),
            "eirr_note": e.note,
            "payback_year": cf.payback_year(self.net, rate, self.years),
            "first_year_return": cf.first_year_return(
                self.total_benefits, self.opex, float(self.capex.sum()), first_op
            ),
            "pv_by_component_musd": {k: float(v @ df) for k, v in self.benefits.items()},
        }

    def to_frame(self) -> pd.DataFrame:
        d: dict[str, Any] = {"year": self.years, "capex_musd": self.capex, "opex_musd": self.opex}
        for k in SHOWN:
            d[f"benefit_{k}_musd"] = self.benefits[k]
        d["residual_musd"] = self.residual
        d["net_musd"] = self.net
        return pd.DataFrame(d)


@dataclass
class ProjectAppraisal:
    project: PlanProject
    decide_by: int
    stream: Stream
    measures: dict[str, Any]

    def row(self) -> dict[str, Any]:
        m = self.measures
        return {
            "project": self.project.id,
            "name": self.project.name["en"],
            "country": self.project.country,
            "in_service": self.project.in_service,
            "decide_by": self.decide_by,
            "capex_musd": self.project.capex_musd,
            "capex_basis": self.project.capex_basis,
            "npv_musd": m["npv_musd"],
            "bcr": m["bcr"],
            "eirr": m["eirr"],
            "eirr_note": m["eirr_note"],
            "payback_year": m["payback_year"],
            "first_year_return": m["first_year_return"],
            "npv_per_capex": m["npv_musd"] / self.project.capex_musd
            if self.project.capex_musd > 0
            else None,
        }


@dataclass
class Appraisal:
    label: str
    params: AppraisalParams
    view: PlanView
    spread_ratio: float
    reliability_source: str
    stream: Stream
    measures: dict[str, Any]
    projects: list[ProjectAppraisal]
    warnings: list[str] = field(default_factory=list)

    def project(self, pid: str) -> ProjectAppraisal:
        for p in self.projects:
            if p.project.id == pid:
                return p
        raise NotFoundError(
            f"project '{pid}' is not in the appraised plan", [p.project.id for p in self.projects]
        )

    def by_country(self) -> pd.DataFrame:
        """Who pays (PV of capex + opex of the projects in each country) and who gains (PV of
        transit surplus earned there); shippers' time/cost/reliability gains and CO2 are not
        tied to a corridor state and have their own rows."""
        df = cf.discount_factors(self.params.discount_rate, len(self.stream.years))
        pays: dict[str, float] = {}
        for pa in self.projects:
            c = pa.project.country
            pays[c] = pays.get(c, 0.0) + float((pa.stream.capex + pa.stream.opex) @ df)
        gains = {c: float(v @ df) for c, v in self.stream.transit_by_country.items()}
        rows = [
            {
                "party": c,
                "pays_pv_musd": pays.get(c, 0.0),
                "gains_pv_musd": gains.get(c, 0.0),
                "net_pv_musd": gains.get(c, 0.0) - pays.get(c, 0.0),
            }
            for c in sorted(set(pays) | set(gains))
            if abs(pays.get(c, 0.0)) > 1e-9 or abs(gains.get(c, 0.0)) > 1e-9
        ]
        pvc = self.measures["pv_by_component_musd"]
        shippers = pvc["time"] + pvc["cost"] + pvc["reliability"]
        rows.append(
            {
                "party": "shippers",
                "pays_pv_musd": 0.0,
                "gains_pv_musd": shippers,
                "net_pv_musd": shippers,
            }
        )
        rows.append(
            {
                "party": "climate (CO2)",
                "pays_pv_musd": 0.0,
                "gains_pv_musd": pvc["co2"],
                "net_pv_musd": pvc["co2"],
            }
        )
        return pd.DataFrame(rows)

    def projects_frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.row() for p in self.projects])

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.label,
            "scenario": self.view.scenario.name,
            "traffic_source": self.view.traffic_source,
            "reliability_source": self.reliability_source,
            "reliability_spread_ratio": self.spread_ratio,
            "parameters": self.params.to_dict(),
            "target_t": self.view.plan.target_t,
            "target_year": self.view.plan.target_year,
            "plan": _clean(self.measures),
            "projects": [_clean(p.row()) for p in self.projects],
            "by_country": _clean(self.by_country().to_dict(orient="records")),
            "cash_flows": _clean(self.stream.to_frame().to_dict(orient="records")),
            "warnings": self.warnings,
        }


def _clean(x: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN/inf to None."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def capex_profile(p: PlanProject, years: list[int]) -> np.ndarray:
    """MUSD per appraisal year: capex evenly over the lead-time years before service (years
    before the first appraisal year fall in it)."""
    out = np.zeros(len(years))
    L = p.lead_time
    spend = [p.in_service - L + s for s in range(L)] if L else [p.in_service]
    for y in spend:
        out[max(0, y - years[0])] += p.capex_musd / max(L, 1)
    return out


def check_plan(view: PlanView, params: AppraisalParams) -> None:
    """The appraisal period covers every project's construction and the plan starts no
    earlier than the base year."""
    issues = []
    last = params.base_year + params.period_years - 1
    src = dict(params.sources)
    where = lambda f: "<options>" if src.get(f) == "user override" else "parameters.csv"  # noqa: E731
    late = [f"{p.id} ({p.in_service})" for p in view.projects if p.in_service > last]
    if late:
        issues.append(
            Issue(
                where("period_years"),
                None,
                "appraisal_period_years",
                str(params.period_years),
                f"the appraisal period {params.base_year}..{last} must cover construction and "
                f"at least one year of operation; it ends before these projects enter "
                f"service: {', '.join(late)}",
            )
        )
    if view.plan.years[0] < params.base_year:
        issues.append(
            Issue(
                where("base_year"),
                None,
                "appraisal_base_year",
                str(params.base_year),
                f"the plan starts in {view.plan.years[0]}, before the appraisal base year",
            )
        )
    if issues:
        raise DataError(issues)


def _freight(view: PlanView, k: str) -> bool:
    return view.net.commodities[k].unit != "MWh"


def year_benefits(
    view: PlanView,
    params: AppraisalParams,
    s1: YearState,
    s0: YearState,
    s1_same: YearState,
    spread_ratio: float,
) -> tuple[dict[str, float], dict[str, float]]:
    """Benefit components (USD) of state s1 over reference s0 (module doc); `s1_same` is the
    with-case carrying exactly the traffic s0 carried. Also the transit surplus by country."""
    out = dict.fromkeys(SHOWN, 0.0)
    for k, c1 in s1.commodities.items():
        c0 = s0.commodities.get(k)
        cs = s1_same.commodities.get(k)
        if c0 is None or cs is None or not _freight(view, k):
            continue
        t0, t1 = c0.served, c1.served
        v = c1.vot_usd_per_unit_day
        if t0 > 0:  # per-unit change for the same traffic
            dm = (c0.money_usd - cs.money_usd) / t0
            dh = (c0.hours - cs.hours) / t0
            de = (c0.co2_t - cs.co2_t) / t0
        else:
            dm = dh = de = 0.0
        half = 0.5 * (t0 + t1)
        out["time"] += half * v * dh / 24.0
        out["cost"] += half * dm
        out["reliability"] += half * params.reliability_ratio * spread_ratio * v * dh / 24.0
        out["generated"] += 0.5 * (t1 - t0) * (dm + v * dh / 24.0)
        out["co2"] += t0 * de * params.carbon_value
    by_c = {
        c: params.transit_margin * (r - s1_same.revenue_by_country.get(c, 0.0))
        for c, r in s1.revenue_by_country.items()
    }
    out["transit"] = sum(by_c.values())
    return out, by_c


def stream_for(
    view: PlanView,
    params: AppraisalParams,
    costs_of: list[PlanProject],
    on: Callable[[int], set[str]],
    off: Callable[[int], set[str]],
    spread_ratio: float,
    demand_factor: float = 1.0,
) -> Stream:
    years = params.years
    n = len(years)
    capex = np.zeros(n)
    opex = np.zeros(n)
    residual = np.zeros(n)
    for p in costs_of:
        capex += capex_profile(p, years)
        in_srv = np.array([y >= p.in_service for y in years], dtype=float)
        opex += params.opex_share * p.capex_musd * in_srv
        used = float(in_srv.sum())
        residual[-1] += p.capex_musd * max(0.0, 1.0 - used / params.asset_life_years)
    ben = {k: np.zeros(n) for k in SHOWN}
    by_c: dict[str, np.ndarray] = {}
    plan_years = sorted(view.demand_t)
    for i, y in enumerate(years):
        sy = min(max(y, plan_years[0]), plan_years[-1])
        a, b = on(y), off(y)
        if a == b:
            continue
        s1 = view.state(sy, a, demand_factor)
        s0 = view.state(sy, b, demand_factor)
        same = view.state(sy, a, demand_factor, carry=b)
        comp, country = year_benefits(view, params, s1, s0, same, spread_ratio)
        for k, v in comp.items():
            ben[k][i] = v / 1e6
        for c, v in country.items():
            by_c.setdefault(c, np.zeros(n))[i] = v / 1e6
    return Stream(years, capex, opex, residual, ben, by_c)


def appraise(
    view: PlanView,
    params: AppraisalParams,
    *,
    spread_ratio: float,
    reliability_source: str,
    projects: bool = True,
) -> Appraisal:
    """Appraise the plan in `view` and (when `projects`) each of its projects."""
    check_plan(view, params)
    plan_projects = view.projects

    def on(y: int) -> set[str]:
        return {p.id for p in plan_projects if p.in_service <= y}

    plan_stream = stream_for(view, params, plan_projects, on, lambda y: set(), spread_ratio)
    rate = params.discount_rate
    out = []
    if projects:
        for p in plan_projects:

            def without(y: int, pid: str = p.id) -> set[str]:
                return on(y) - {pid}

            st = stream_for(view, params, [p], on, without, spread_ratio)
            out.append(
                ProjectAppraisal(
                    p, max(params.base_year, p.in_service - p.lead_time), st, st.measures(rate)
                )
            )
    warnings = []
    est = [p.id for p in plan_projects if p.capex_est]
    if est:
        warnings.append(
            "capex estimated (EST: median cost per capacity of priced projects) for "
            + ", ".join(est)
        )
    late = [p.id for p in plan_projects if p.in_service - p.lead_time < params.base_year]
    if late:
        warnings.append(
            "decision year would fall before the base year (works under way or late start), "
            "decide-by set to the base year for " + ", ".join(late)
        )
    return Appraisal(
        view.label,
        params,
        view,
        spread_ratio,
        reliability_source,
        plan_stream,
        plan_stream.measures(rate),
        out,
        warnings,
    )

"""Cross-country investment plan: which projects, where, when, to carry a target volume.

MILP over years t in T (default 2025..2030), solved with HiGHS:

    z[p,t] in {0,1}   project p is in service in year t;  z[p,t] <= z[p,t+1];
                      z[p,t] = 0 for t < available_p = max(earliest_year,
                      first year + lead_time if the project is only an idea/planned)
    per year t: the assignment LP of `titr.flows.lp` for that year's demand, with each capacity
        sum coef x[t] - sum_p delta[p,r] z[p,t] <= cap_r
    unserved[t] = 0 for t >= target year (the target must be met), penalised before.

    minimise  sum_t [ operating cost (USD/yr) + penalty * unserved ]
            + sum_{p,t} annuity_p z[p,t]  with  annuity = capex * r / (1 - (1 + r)^-n)

(annuitised capital cost, r = `rate` default 8 %, n = `lifetime` default 30 years; money is not
discounted across the plan years). Budgets: capex is spent evenly in the lead-time years
before service (all at once in the service year if the lead time is 0; spending before the
first plan year counts in the first year), and the spend of a country in a year is at most its
budget (MUSD).

Demand in year t: the structure of `scenario` (per OD and commodity) scaled so freight tonnes
follow a constant growth rate from the scenario's total in its year to `target_t` in the target
year, then held flat.

Projects with no published capex get an EST cost (`capex_rule="estimate"`: median capex per
t/yr of capacity of the priced projects with the same target kind, else of all priced ones)
or are left out with a warning (`capex_rule="exclude"`). `time_factor` projects change times,
not capacities: they are not optimised here and are listed in `skipped`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.assign import assign_od, penalties
from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import FlowModel, build_flow_model
from titr.flows.lp import LPProblem, ODTable, assemble, solve
from titr.graph.projects import apply_projects
from titr.graph.resources import resource_table
from titr.graph.rules import MIDDLE_CORRIDOR, SECTORS, commodity_sector
from titr.graph.units import format_t
from titr.network.model import Network, Project


@dataclass
class Candidate:
    project: Project
    capex: float  # MUSD
    capex_est: bool
    available: int
    effects: list[tuple[int, float]]  # (resource index, +capacity in shared unit)


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
    sectors: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        df = self.chosen.copy()
        df["dataset"] = self.label
        return df


def annuity_factor(rate: float, lifetime: int) -> float:
    return rate / (1 - (1 + rate) ** -lifetime) if rate > 0 else 1.0 / lifetime


def _effects(model: FlowModel, p: Project) -> list[tuple[int, float]]:
    """(resource index, capacity added in the shared unit) of project ``p``: the difference
    between the resource table of the model's network with and without the project
    (`titr.graph.projects.apply_projects`, the one way projects change a network)."""
    base = model.network
    assert base is not None, "a flow model built by build_flow_model carries its network"
    after = resource_table(apply_projects(base, [p.id]), include_planned=True)
    ri = model.resource_index()
    out = []
    for rid, i in after.index.items():
        j = ri.get(rid)
        if j is None:
            continue
        b = model.resources[j].capacity
        d = after.resources[i].capacity - b
        if math.isfinite(b) and d > 0 and math.isfinite(d):
            out.append((j, d))
    return out


def candidates(
    net: Network,
    model: FlowModel,
    first_year: int,
    capex_rule: str,
    warnings: list[str],
    skipped: list[str],
) -> list[Candidate]:
    issues = []
    for p in net.projects.values():
        pool: dict[str, dict[str, Any]] = {
            "link": net.links,
            "process": net.processes,
            "service": net.services,
        }
        if p.target_ref not in pool[p.target_kind]:
            issues.append(
                Issue(
                    "projects.csv",
                    None,
                    "target_ref",
                    p.target_ref,
                    f"project {p.id}: no {p.target_kind} with this id",
                )
            )
    if issues:
        raise DataError(issues)
    raw: list[tuple[Project, list[tuple[int, float]]]] = []
    for p in net.projects.values():
        if p.status == "completed":
            continue
        if p.effect == "time_factor":
            skipped.append(
                f"{p.id} ({p.country}): time effect x{p.effect_value:g}, not a "
                f"capacity; not optimised"
            )
            continue
        eff = _effects(model, p)
        if not eff:
            skipped.append(
                f"{p.id} ({p.country}): adds no capacity to a constrained element "
                f"(target capacity unknown = unlimited)"
            )
            continue
        raw.append((p, eff))
    priced = [(p, e) for p, e in raw if p.capex is not None and p.capex > 0]
    unit_cost_kind: dict[str, list[float]] = {}
    for p, e in priced:
        unit_cost_kind.setdefault(p.target_kind, []).append(
            float(p.capex or 0) / max(min(d for _, d in e), 1.0)
        )
    all_costs = [c for v in unit_cost_kind.values() for c in v]
    out = []
    missing = []
    for p, e in raw:
        avail = p.earliest_year
        if p.status in ("idea", "planned"):
            avail = max(avail, first_year + p.lead_time)
        if p.capex is not None:
            out.append(Candidate(p, float(p.capex), False, avail, e))
            continue
        missing.append(p.id)
        if capex_rule == "exclude" or not all_costs:
            continue
        per = float(np.median(unit_cost_kind.get(p.target_kind) or all_costs))
        out.append(Candidate(p, per * min(d for _, d in e), True, avail, e))
    if missing:
        if capex_rule == "exclude" or not all_costs:
            warnings.append(f"left out (no published capex): {', '.join(missing)}")
        else:
            warnings.append(
                f"EST capex (median MUSD per t/yr of priced projects of the same "
                f"kind x capacity added) for: {', '.join(missing)}"
            )
    return out


def _demand_path(
    years: list[int], target_t: float, target_year: int, base: tuple[int, float]
) -> dict[int, float]:
    """Freight t/yr per plan year: geometric growth from `base` (year, t/yr) to the target in
    the target year, held at the target afterwards."""
    base_year, base_t = base
    path = {}
    for t in years:
        if t >= target_year:
            path[t] = target_t
        elif t <= base_year:
            path[t] = base_t
        else:
            w = (t - base_year) / (target_year - base_year)
            path[t] = base_t * (target_t / base_t) ** w
    return path


def _od_for(
    scenario: DemandScenario, net: Network, total_t: float, in_service: Collection[str] = ()
) -> ODTable:
    """Scenario rows scaled so freight adds up to `total_t` t/yr (electricity unscaled); rows
    that require a project count only when it is in `in_service`."""
    f = total_t / scenario.tonnes(net)
    rows = [
        (
            r.commodity,
            r.origin,
            r.destination,
            r.quantity * (1.0 if net.commodities[r.commodity].unit == "MWh" else f),
        )
        for r in scenario.rows
        if not r.requires or r.requires in in_service
    ]
    return ODTable.from_rows(rows)


def plan(
    net: Network,
    scenario: DemandScenario,
    target_t: float,
    target_year: int,
    *,
    years: list[int] | None = None,
    budgets: dict[tuple[str, int], float] | None = None,
    rate: float = 0.08,
    lifetime: int = 30,
    capex_rule: str = "estimate",
    mip_gap: float = 0.01,
    time_limit: float = 120.0,
    penalty: dict[str, float] | None = None,
    corridors: Collection[str] | None = MIDDLE_CORRIDOR,
    base: tuple[int, float] | None = None,
    sectors: Collection[str] = ("freight", "oil"),
) -> Plan:
    """Least-cost set and timing of projects carrying `target_t` t/yr from `target_year`.

    corridors: links the target volume may use (default: the Middle Corridor with its access,
    oil, uranium and power legs, so diversion to the Iran, Northern or sea routes does not
    count towards the corridor's target); None = every link. base: (year, t/yr) the demand
    grows from (default: the scenario's own year and total if before the target year, else the
    bundled 2024 actual)."""
    years = years or list(range(2025, 2031))
    issues = []
    if target_year not in years:
        issues.append(
            Issue(
                "--by",
                None,
                None,
                str(target_year),
                f"target year must lie in the plan years {years[0]}..{years[-1]}",
            )
        )
    if not target_t > 0:
        issues.append(Issue("--target", None, None, str(target_t), "target must be > 0"))
    for (c, y), b in (budgets or {}).items():
        if not (b >= 0 and math.isfinite(b)):
            issues.append(
                Issue("--budget", None, c, str(b), "a budget is a yearly amount in MUSD, >= 0")
            )
        if y not in years:
            issues.append(Issue("--budget", None, c, str(y), f"year outside {years}"))
    if not (0 <= rate < 1) or lifetime < 1:
        issues.append(
            Issue(
                "--rate",
                None,
                None,
                f"{rate}/{lifetime}",
                "rate must be in [0, 1) and lifetime >= 1 year",
            )
        )
    if issues:
        raise DataError(issues)
    t0 = time.perf_counter()
    bad = sorted(set(sectors) - set(SECTORS))
    if bad or not sectors:
        raise DataError(
            Issue("--sector", None, None, ",".join(bad), f"sectors are {', '.join(SECTORS)}")
        )
    # plan by sector: demand of other sectors is left out, so (e.g.) unserved electricity
    # never drives a freight plan and a freight target never buys a power cable
    scenario = replace(
        scenario,
        rows=[
            r for r in scenario.rows if commodity_sector(net.commodities[r.commodity]) in sectors
        ],
    )
    if not scenario.rows:
        raise DataError(
            Issue("--sector", None, None, ",".join(sectors), "the scenario has no demand of them")
        )
    coms = sorted({r.commodity for r in scenario.rows})
    model = build_flow_model(net, coms, include_planned=True, corridors=corridors)
    warnings: list[str] = list(model.warnings)
    skipped: list[str] = []
    cands = candidates(net, model, years[0], capex_rule, warnings, skipped)
    pen = penalties(net, coms, penalty)
    if base is None:
        base = (scenario.year, scenario.tonnes(net))
        if scenario.year >= target_year:
            from titr.flows.demand import bundled_scenarios, load_scenario

            if "2024" in bundled_scenarios():
                b24 = load_scenario("2024", net)
                base = (b24.year, b24.tonnes(net))
    path = _demand_path(years, target_t, target_year, base)
    probs: list[LPProblem] = [
        assemble(model, _od_for(scenario, net, path[t], _available_by(net, cands, t)), pen)
        for t in years
    ]
    af = annuity_factor(rate, lifetime)
    power = {k for k in coms if net.commodities[k].unit == "MWh"}
    mip = _stack(probs, cands, years, target_year, af, budgets or {}, power)
    build_s = time.perf_counter() - t0
    status, why = "optimal", ""
    try:
        sol = solve(mip, mip_rel_gap=mip_gap, time_limit=time_limit, what="investment plan")
    except InfeasibleError:
        err = _explain(net, model, scenario, cands, path, target_year, target_t, pen, budgets)
        if budgets:
            raise err from None
        # an unreachable target is an answer: the best plan reachable by the target year
        # (unserved freight allowed there at its penalty, so served volume is maximised)
        status, why = "infeasible", str(err)
        mip = _stack(probs, cands, years, target_year, af, {}, power, force=False)
        sol = solve(mip, mip_rel_gap=mip_gap, time_limit=time_limit, what="investment plan")
    nx_ = sum(p.A.shape[1] for p in probs)
    z = sol.x[nx_:].reshape(len(cands), len(years)) > 0.5
    pl = _report(
        net,
        model,
        scenario,
        cands,
        probs,
        sol,
        z,
        years,
        path,
        target_t,
        target_year,
        af,
        rate,
        lifetime,
        pen,
        build_s,
        warnings,
        skipped,
    )
    pl.status, pl.reason, pl.sectors = status, why, sorted(sectors)
    jt = years.index(target_year)
    pl.shortfall_t = _unserved_t(net, probs[jt], sol, jt, probs)
    pl.reachable_t = target_t - pl.shortfall_t
    # what the data lacks: binding resources that no candidate still unused by the target
    # year (and available by then) would expand
    expandable = {
        i
        for cd, zi in zip(cands, z, strict=True)
        if not zi[jt] and cd.available <= target_year
        for i, _ in cd.effects
    }
    ri = {str(r.id): i for i, r in enumerate(model.resources)}
    pl.lacking = [b for b in pl.binding if ri.get(b) not in expandable]
    return pl


def _stack(
    probs: list[LPProblem],
    cands: list[Candidate],
    years: list[int],
    target_year: int,
    af: float,
    budgets: dict[tuple[str, int], float],
    power: set[str] | None = None,
    force: bool = True,
) -> LPProblem:
    A = sp.block_diag([p.A for p in probs], format="csc")
    col_off = np.cumsum([0] + [p.A.shape[1] for p in probs])
    row_off = np.cumsum([0] + [p.A.shape[0] for p in probs])
    nP, nT = len(cands), len(years)
    nz = nP * nT
    rows, cols, vals = [], [], []
    for i, cd in enumerate(cands):
        for j in range(nT):
            for ri, d in cd.effects:
                r = probs[j].res_rows.get(ri)
                if r is not None:
                    rows.append(row_off[j] + r)
                    cols.append(i * nT + j)
                    vals.append(-d)
    Z = sp.csc_matrix((vals, (rows, cols)), shape=(A.shape[0], nz))
    extra_r, extra_c, extra_v, lo, hi = [], [], [], [], []
    n_extra = 0
    for i in range(nP):  # monotone: z[t] - z[t+1] <= 0
        for j in range(nT - 1):
            extra_r += [n_extra, n_extra]
            extra_c += [i * nT + j, i * nT + j + 1]
            extra_v += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            n_extra += 1
    for (country, year), b in sorted(budgets.items()):
        tau = years.index(year)
        coef: dict[int, float] = {}
        for i, cd in enumerate(cands):
            if cd.project.country != country:
                continue
            L = cd.project.lead_time
            for j in range(nT):  # z[j] switching on: spend in years j-L..j-1 (clipped)
                spend_years = [max(0, j - L + s) for s in range(L)] if L else [j]
                w = spend_years.count(tau) * cd.capex / max(L, 1)
                if w:
                    coef[i * nT + j] = coef.get(i * nT + j, 0.0) + w
        # spend is sum_j w_j y_j with y_j = z_j - z_{j-1}: coefficient of z_j is w_j - w_{j+1}
        zc: dict[int, float] = {}
        for col, w in coef.items():
            zc[col] = zc.get(col, 0.0) + w
            if col % nT > 0:
                zc[col - 1] = zc.get(col - 1, 0.0) - w
        for col, w in zc.items():
            if w:
                extra_r.append(n_extra)
                extra_c.append(col)
                extra_v.append(w)
        lo.append(-np.inf)
        hi.append(b)
        n_extra += 1
    E = sp.csc_matrix((extra_v, (extra_r, extra_c)), shape=(n_extra, nz))
    top = sp.hstack([A, Z], format="csc")
    bottom = sp.hstack([sp.csc_matrix((n_extra, A.shape[1])), E], format="csc")
    M = sp.vstack([top, bottom], format="csc")
    c = np.concatenate(
        [p.c for p in probs] + [np.repeat([cd.capex * 1e6 * af for cd in cands], nT)]
    )
    col_upper = np.concatenate([p.col_upper for p in probs] + [np.ones(nz)])
    for j, (p, t) in enumerate(zip(probs, years, strict=True)):
        if force and t >= target_year:  # target met: no unserved freight (electricity may be)
            freight = np.array([k not in (power or set()) for k in p.od.commodity], dtype=bool)
            u = col_off[j] + p.u_col0 + np.flatnonzero(freight)
            col_upper[u] = 0.0
    for i, cd in enumerate(cands):
        for j, t in enumerate(years):
            if t < cd.available:
                col_upper[A.shape[1] + i * nT + j] = 0.0
    integ = np.concatenate([np.zeros(A.shape[1], dtype=bool), np.ones(nz, dtype=bool)])
    return LPProblem(
        M,
        c,
        np.zeros(M.shape[1]),
        col_upper,
        np.concatenate([p.row_lower for p in probs] + [np.array(lo)]),
        np.concatenate([p.row_upper for p in probs] + [np.array(hi)]),
        [],
        0,
        probs[0].od,
        {},
        A.shape[1],
        integrality=integ,
    )


def _available_by(net: Network, cands: list[Candidate], year: int) -> set[str]:
    """Projects that are or can be in service in `year` (completed ones always)."""
    done = {p.id for p in net.projects.values() if p.status == "completed"}
    return done | {cd.project.id for cd in cands if cd.available <= year}


def _capacities(model: FlowModel, cands: list[Candidate], on: list[bool]) -> np.ndarray:
    caps = np.array([r.capacity for r in model.resources], dtype=float)
    for cd, o in zip(cands, on, strict=True):
        if o:
            for ri, d in cd.effects:
                caps[ri] = caps[ri] + d if math.isfinite(caps[ri]) else caps[ri]
    return caps


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
    limits = ", ".join(f"{r.resource} ({r.utilisation:.0%} used)" for r in bn.itertuples())
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
    for i, cd in enumerate(cands):
        if not z[i].any():
            continue
        first = years[int(np.argmax(z[i]))]
        p = cd.project
        rows.append(
            {
                "project": p.id,
                "name": p.name_en,
                "country": p.country,
                "in_service": first,
                "decide_by": first - p.lead_time,
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

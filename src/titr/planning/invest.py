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
from dataclasses import replace

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.assign import penalties
from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import build_flow_model
from titr.flows.lp import LPProblem, assemble, solve
from titr.graph.rules import MIDDLE_CORRIDOR, SECTORS, commodity_sector
from titr.network.model import Network
from titr.planning.candidates import (  # noqa: F401 (re-exported)
    Candidate,
    _available_by,
    _capacities,
    annuity_factor,
    candidates,
)
from titr.planning.demand import _demand_path, _od_for  # noqa: F401 (re-exported)
from titr.planning.milp import _stack
from titr.planning.report import Plan, _explain, _report, _unserved_t


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
    try:
        annuity_factor(rate, lifetime)
    except DataError as e:
        issues.extend(e.issues)
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

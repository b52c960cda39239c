"""Investment plan on the bundled corridor: properties of the MILP answer (target met when the
chosen projects are put into the plain LP, no project before it can be in service, budgets
respected, an unreachable target names its shortfall)."""

from __future__ import annotations

import re

import numpy as np
import pytest


@pytest.fixture(scope="module")
def plan_11(corridor):
    from titr.flows import load_scenario
    from titr.planning import plan

    return plan(corridor, load_scenario("2030-wb", corridor), 11e6, 2030)


def test_11mt_by_2030_meets_the_target_in_the_lp_resolve(corridor, plan_11):
    from titr.flows import assign_od
    from titr.flows.assign import penalties
    from titr.flows.demand import load_scenario
    from titr.flows.flowgraph import build_flow_model
    from titr.graph.rules import MIDDLE_CORRIDOR
    from titr.planning.invest import _capacities, _od_for, candidates

    pl = plan_11
    assert len(pl.chosen) > 0
    assert pl.mip_gap <= 0.01 + 1e-9
    sc = load_scenario("2030-wb", corridor)
    coms = sorted({r.commodity for r in sc.rows})
    model = build_flow_model(corridor, coms, include_planned=True, corridors=MIDDLE_CORRIDOR)
    cands = candidates(corridor, model, 2025, "estimate", [], [])
    on = [cd.project.id in set(pl.chosen["project"]) for cd in cands]
    od = _od_for(sc, corridor, 11e6)
    a = assign_od(
        corridor,
        od,
        model=model,
        penalty=penalties(corridor, coms),
        capacity=_capacities(model, cands, on),
    )
    freight_unserved = sum(
        u * corridor.commodities[k].t_per_unit
        for k, u in zip(od.commodity, a.unserved, strict=True)
        if corridor.commodities[k].unit != "MWh"
    )
    assert freight_unserved < 1.0
    # without any project the same demand is not carried: the plan is needed
    b = assign_od(
        corridor,
        od,
        model=model,
        penalty=penalties(corridor, coms),
        capacity=_capacities(model, cands, [False] * len(cands)),
    )
    assert float(b.unserved.sum()) > 1e3
    # the Caspian crossing or the Alat terminal is what limits without the plan
    top = b.bottlenecks()
    top = top[top["capacity"] > 0]
    assert any(re.search(r"CASP|ALAT|AKTAU|KUR", r) for r in top["resource"].head(3)), top.head()


def test_no_project_before_it_can_be_in_service(corridor, plan_11):
    pj = corridor.projects
    for r in plan_11.chosen.itertuples():
        p = pj[r.project]
        assert r.in_service >= p.earliest_year
        if p.status in ("idea", "planned"):
            assert r.in_service >= 2025 + p.lead_time
        # one rule with the appraisal: no decision dated before the first plan year (2025)
        assert r.decide_by == max(2025, r.in_service - p.lead_time)
        if r.in_service - p.lead_time < 2025:
            assert any(r.project in w and "decide-by set to 2025" in w for w in plan_11.warnings)


def test_budgets_are_respected(corridor):
    from titr.flows import load_scenario
    from titr.planning import plan

    sc = load_scenario("2030-wb", corridor)
    budgets = {("GE", y): 0.0 for y in range(2025, 2031)}
    pl = plan(corridor, sc, 11e6, 2030, budgets=budgets)
    # Georgia may spend nothing: no Georgian project (e.g. the Black Sea cable) is chosen
    assert "GE" not in set(pl.chosen["country"])
    assert np.isfinite(pl.objective)


def test_unreachable_target_states_the_shortfall(corridor):
    from titr.flows import load_scenario
    from titr.planning import plan

    pl = plan(corridor, load_scenario("2027", corridor), 10e6, 2027)
    assert pl.status == "infeasible" and 0 < pl.shortfall_t < 10e6
    assert pl.reachable_t == pytest.approx(10e6 - pl.shortfall_t)
    msg = pl.reason
    m = re.search(r"short by ([0-9.,]+) (Mt|kt)/yr", msg)
    assert m, msg
    short = float(m.group(1).replace(",", "")) * (1e6 if m.group(2) == "Mt" else 1e3)
    assert 1e5 < short < 10e6
    assert "SV_CASP" in msg or "ALAT" in msg

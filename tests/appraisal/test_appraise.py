"""Appraisal of the bundled 11 Mt by 2030 plan: identities, phasing, invariance, errors."""

from __future__ import annotations

import numpy as np
import pytest

from titr.appraisal.adapt_planning import PlanView
from titr.appraisal.appraise import Appraisal, appraise, capex_profile, stream_for
from titr.appraisal.params import from_network
from titr.appraisal.run import plan_years
from titr.errors import DataError, NotFoundError


def test_measures_are_consistent(appraisal: Appraisal) -> None:
    m = appraisal.measures
    assert m["npv_musd"] == pytest.approx(m["pv_benefits_musd"] - m["pv_costs_musd"])
    pvc = m["pv_by_component_musd"]
    resid = float(appraisal.stream.residual @ (1.05 ** -np.arange(30)))
    summed = sum(pvc[k] for k in ("time", "cost", "reliability", "co2", "transit"))
    assert m["pv_benefits_musd"] == pytest.approx(summed + resid)
    assert m["bcr"] == pytest.approx(m["pv_benefits_musd"] / m["pv_costs_musd"])
    if m["eirr"] is not None:
        from titr.appraisal.cashflow import npv

        assert npv(appraisal.stream.net, m["eirr"]) == pytest.approx(0.0, abs=1e-6)
    # the transit surplus split by country adds up to the component
    tr = sum(v for v in appraisal.stream.transit_by_country.values())
    assert np.allclose(tr, appraisal.stream.benefits["transit"])


def test_capex_phasing(view: PlanView, appraisal: Appraisal) -> None:
    years = appraisal.params.years
    for p in view.projects:
        prof = capex_profile(p, years)
        assert prof.sum() == pytest.approx(p.capex_musd)
        spent = [y for y, v in zip(years, prof, strict=True) if v > 0]
        assert max(spent) <= max(p.in_service, years[0])
    total = sum(p.capex_musd for p in view.projects)
    assert appraisal.stream.capex.sum() == pytest.approx(total)


def test_residual_value_straight_line(view: PlanView, appraisal: Appraisal) -> None:
    p = appraisal.params
    last = p.base_year + p.period_years - 1
    want = sum(
        x.capex_musd * max(0.0, 1 - (last - x.in_service + 1) / p.asset_life_years)
        for x in view.projects
    )
    assert appraisal.stream.residual[-1] == pytest.approx(want)
    assert not appraisal.stream.residual[:-1].any()


def test_currency_unit_invariance(appraisal: Appraisal) -> None:
    r = appraisal.params.discount_rate
    base = appraisal.stream.measures(r)
    for k in (1e-3, 1e6):
        m = appraisal.stream.scaled(capex=k, benefits=k).measures(r)
        assert m["npv_musd"] == pytest.approx(base["npv_musd"] * k, rel=1e-9)
        assert m["bcr"] == pytest.approx(base["bcr"], rel=1e-12)
        assert m["eirr_roots"] == pytest.approx(base["eirr_roots"], abs=1e-9)
        assert m["payback_year"] == base["payback_year"]


def test_projects_and_decisions(appraisal: Appraisal) -> None:
    assert appraisal.projects, "the plan has projects"
    for pa in appraisal.projects:
        assert pa.decide_by >= appraisal.params.base_year
        assert pa.stream.capex.sum() == pytest.approx(pa.project.capex_musd)
    # leave-one-out: a project that adds nothing has no benefit
    d = appraisal.to_dict()
    assert d["traffic_source"].startswith("planning demand")
    assert len(d["projects"]) == len(appraisal.projects)


def test_no_difference_no_benefit(view: PlanView, appraisal: Appraisal) -> None:
    s = stream_for(view, appraisal.params, [], lambda y: {"X"}, lambda y: {"X"}, 0.3)
    assert all(not v.any() for v in s.benefits.values())


def test_unknown_project(appraisal: Appraisal) -> None:
    with pytest.raises(NotFoundError, match="P_NOPE"):
        appraisal.project("P_NOPE")


def test_period_shorter_than_construction(view: PlanView) -> None:
    p = from_network(view.net, {"period_years": 4})
    with pytest.raises(DataError) as ei:
        appraise(view, p, spread_ratio=0.2, reliability_source="t")
    msg = str(ei.value)
    assert "appraisal_period_years" in msg and "2025..2028" in msg and "<options>" in msg
    assert view.projects[-1].id in msg


def test_base_year_after_plan_start(view: PlanView) -> None:
    p = from_network(view.net, {"base_year": 2026})
    with pytest.raises(DataError, match="appraisal_base_year"):
        appraise(view, p, spread_ratio=0.2, reliability_source="t")


def test_target_year_before_base_year() -> None:
    with pytest.raises(DataError, match="--by"):
        plan_years(2025, 2024)

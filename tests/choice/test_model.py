"""Choice-model algebra: shares sum to one, signs, monotonicity, nests, elasticities."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import titr
from titr.choice.costs import corridor_costs
from titr.choice.model import Alternative, Coefficients, alternative, elasticities, shares

CORS = ("middle", "northern", "sea_suez", "sea_cape")


def _coefs(lam_sea: float = 0.5, lam_rail: float = 0.7) -> Coefficients:
    return Coefficients(
        {"asc_northern": -0.3, "asc_sea": 2.0, "b_cost": -0.4, "b_time": -0.03, "b_rel": -0.03},
        nests={"sea": lam_sea, "rail": lam_rail},
        kind="nested",
    )


def _alts(costs: list[float], days: list[float]) -> list[Alternative]:
    return [Alternative(c, True, k, d, 1.0, 2.0) for c, k, d in zip(CORS, costs, days, strict=True)]


def test_shares_sum_to_one_and_mnl_matches_closed_form():
    alts = _alts([5.0, 3.0, 2.0, 2.5], [20, 15, 38, 48])
    p = shares(_coefs(), alts)
    assert p.sum() == pytest.approx(1.0)
    mnl = Coefficients(_coefs().values, kind="mnl")
    v = np.array([0.0, -0.3, 2.0, 2.0]) + np.array(
        [-0.4 * a.cost - 0.03 * a.days - 0.03 * a.rel for a in alts]
    )
    assert shares(mnl, alts) == pytest.approx(np.exp(v) / np.exp(v).sum())


def test_unavailable_corridor_gets_zero_and_rest_renormalise():
    alts = _alts([5.0, 3.0, 2.0, 2.5], [20, 15, 38, 48])
    alts[1] = Alternative("northern", False)
    p = shares(_coefs(), alts)
    assert p[1] == 0.0 and p.sum() == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(
    cost=st.floats(0.5, 20.0),
    days=st.floats(5.0, 60.0),
    cut=st.floats(0.0, 0.9),
    lam_sea=st.floats(0.05, 1.0),
    lam_rail=st.floats(0.05, 1.0),
)
def test_lower_middle_tariff_or_time_never_lowers_its_share(cost, days, cut, lam_sea, lam_rail):
    c = _coefs(lam_sea, lam_rail)
    base = _alts([cost, 3.0, 2.0, 2.5], [days, 15, 38, 48])
    p0 = shares(c, base)[0]
    cheaper = [replace(base[0], cost=cost * (1 - cut))] + base[1:]
    faster = [replace(base[0], days=days * (1 - cut))] + base[1:]
    assert shares(c, cheaper)[0] >= p0 - 1e-12
    assert shares(c, faster)[0] >= p0 - 1e-12
    for p in (shares(c, cheaper), shares(c, faster)):
        assert p.sum() == pytest.approx(1.0) and (p >= 0).all()


def test_nest_substitution_is_stronger_inside_the_nest():
    alts = _alts([5.0, 3.0, 2.0, 2.5], [20, 15, 38, 48])
    e = elasticities(_coefs(lam_sea=0.3), alts, "cost")
    # raising Suez cost moves more share to the Cape (same nest) than to the Middle Corridor
    assert e.loc["sea_cape", "sea_suez"] > e.loc["middle", "sea_suez"] > 0
    assert e.loc["middle", "middle"] < 0
    # MNL: IIA, equal cross elasticities
    e_mnl = elasticities(Coefficients(_coefs().values, kind="mnl"), alts, "cost")
    assert e_mnl.loc["sea_cape", "sea_suez"] == pytest.approx(
        e_mnl.loc["middle", "sea_suez"], rel=1e-4
    )


def test_alternative_applies_year_and_scenario_levers():
    net = titr.load_dataset()
    cc = corridor_costs(net, "CN_XIAN", "DE_DUI", "container", CORS)
    m = cc["middle"]
    assert m.available and m.tariff_usd > 0 and m.days > 0
    feu = net.parameter("teu_per_feu")
    a = alternative(net, "container", m)
    assert a.tariff_usd == pytest.approx(m.tariff_usd * feu)
    assert a.cost == pytest.approx(m.tariff_usd * feu / 1000)
    b = alternative(net, "container", m, tariff_override_usd=1000.0, time_factor=0.5)
    assert b.cost == pytest.approx(1.0) and b.days == pytest.approx(m.days / 2)
    r = alternative(net, "container", m, risk_usd_per_feu=500.0, carbon_usd_per_t=100.0)
    co2_t = m.co2_kg * feu / 1000
    assert r.cost == pytest.approx(a.cost + 0.5 + 0.1 * co2_t)
    assert math.isfinite(Coefficients({"b_cost": -1.0, "b_time": -0.1}).value_of_time())

"""Forecasts under scenarios, diversion, revenue, CO2; break-even tariff; tripling."""

from __future__ import annotations

import numpy as np
import pytest

import titr
from titr.choice.breakeven import breakeven_tariff, planned_middle_projects, tripling
from titr.choice.forecast import bundled_estimates, forecast, market_demand
from titr.choice.inputs import load_choice_data
from titr.choice.scenario import load_scenario
from titr.errors import DataError


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return titr.load_dataset()


@pytest.fixture(scope="module")
def base(net):  # type: ignore[no-untyped-def]
    return forecast(net, load_scenario("baseline", net), to_year=2030)


def test_baseline_grows_by_the_sourced_rates(net, base):
    data = load_choice_data(net)
    v = base.volumes()
    assert base.years == [2026, 2027, 2028, 2029, 2030]
    tot = v.groupby("year").volume.sum()
    assert tot[2030] == pytest.approx(market_demand(data, "cn_eu_container", 2030))
    assert tot[2030] / tot[2026] == pytest.approx(1.038**4, rel=1e-9)
    assert v.groupby("year").share.sum().to_numpy() == pytest.approx(1.0)
    assert base.baseline is None  # no levers: nothing to divert from
    assert all(eq.converged for eq in base.results.values())
    mt = base.middle_tonnes()
    assert (mt.middle_t > 3e6).all() and (mt.middle_t.diff().dropna() > 0).all()


def test_link_volumes_put_each_corridor_on_its_route(net, base):
    """The map's widths: every corridor's forecast volume lies on each link of its best
    route, and the Middle Corridor's single-corridor cargo on its routed links; the tonnes
    summed over links equal the volumes x route lengths (in links) of the same forecast."""
    lv = base.link_volumes()
    assert list(lv.columns) == ["year", "link", "t", "teu"]
    assert set(lv.year) == set(base.years) and (lv.t > 0).all()
    assert set(lv.link) <= set(net.links)
    t_of = {(y, k): t for y, k, t in zip(lv.year, lv.link, lv.t, strict=True)}
    teu_of = {(y, k): x for y, k, x in zip(lv.year, lv.link, lv.teu, strict=True)}
    expect_t: dict[int, float] = {}
    checked = 0
    for (m, y), eq in base.results.items():
        com = net.commodities[base._commodity_of[m]]
        for a, v in zip(eq.alternatives, eq.volumes, strict=True):
            if not (a.available and a.base is not None and v > 0):
                continue
            assert a.base.links, a.corridor  # an available corridor has a drawn route
            for link in a.base.links:
                assert t_of[(y, link)] >= v * com.t_per_unit * (1 - 1e-9)
                assert teu_of[(y, link)] >= v * (1 - 1e-9)
                checked += 1
            expect_t[y] = expect_t.get(y, 0.0) + v * com.t_per_unit * len(a.base.links)
    for y, k, _o, _d, served, route in base._captive_served():
        c = net.commodities[k]
        if c.unit != "MWh":
            expect_t[y] = expect_t.get(y, 0.0) + served * c.t_per_unit * len(route.links)
    assert checked > 20
    got = lv.groupby("year").t.sum()
    for y in base.years:
        assert got[y] == pytest.approx(expect_t[y], rel=1e-9)
    # the Middle Corridor carries more on its links than its container share alone
    mid = base.middle_tonnes().set_index("year")
    assert lv[lv.year == 2030].t.max() >= mid.market_t[2030]


@pytest.mark.parametrize("name", ["single-tariff", "time-halved"])
def test_middle_levers_win_traffic_from_the_others(net, base, name):
    f = forecast(net, load_scenario(name, net), to_year=2030)
    v, b = f.volumes(), base.volumes()
    mid = lambda df: df[(df.year == 2030) & (df.corridor == "middle")].volume.iloc[0]  # noqa: E731
    assert mid(v) > mid(b)
    dv = f.diversion()
    assert (dv.to_numpy() >= -1e-9).all()
    assert dv["middle"].sum() == pytest.approx(mid(v) - mid(b), rel=1e-6)
    assert dv.loc["middle"].sum() == pytest.approx(0.0, abs=1e-6)
    rev = f.revenue("country")
    assert set(rev[rev.corridor == "middle"].country) >= {"KZ", "AZ", "GE"}
    assert (f.co2().co2_t > 0).all()
    d = f.to_dict()
    assert d["diversion"]["corridors"] == list(dv.index) and d["converged"]


def test_shocks(net, base):
    red = forecast(net, load_scenario("red-sea-closed", net), to_year=2027)
    v = red.volumes()
    assert (v[v.corridor == "sea_suez"].volume == 0).all()
    north = forecast(net, load_scenario("northern-closed", net), to_year=2027)
    assert (north.volumes().query("corridor == 'northern'").volume == 0).all()
    storms = forecast(net, load_scenario("caspian-storms", net), to_year=2027)
    b27 = base.volumes().query("year == 2027 and corridor == 'middle'").volume.iloc[0]
    assert storms.volumes().query("year == 2027 and corridor == 'middle'").volume.iloc[0] < b27
    carbon = forecast(net, load_scenario("carbon-100", net), to_year=2027)
    assert (
        carbon.co2().query("year == 2027").co2_t.sum()
        < base.co2().query("year == 2027").co2_t.sum()
    )


def test_forecast_rejects_bad_years(net):
    with pytest.raises(DataError, match="at most 2035"):
        forecast(net, to_year=2040)
    with pytest.raises(DataError, match="from 2026"):
        forecast(net, to_year=2025)


def test_breakeven_share_volume_and_comparator(net):
    b = breakeven_tariff(net, year=2030, target_share=0.003)
    assert b.usd_per_feu is not None and not b.capacity_limited
    assert b.share == pytest.approx(0.003, rel=1e-3)
    assert b.usd_per_t == pytest.approx(b.usd_per_feu / 28.0)
    lower = breakeven_tariff(net, year=2030, target_share=0.0035)
    assert lower.usd_per_feu < b.usd_per_feu  # a higher share needs a lower tariff
    cap = breakeven_tariff(net, year=2030, target_share=0.02)
    assert cap.usd_per_feu is None and cap.capacity_limited and "capacity" in cap.assumptions["why"]
    assert cap.unconstrained_usd_per_feu is not None
    c = breakeven_tariff(net, year=2030, comparator="northern")
    assert c.usd_per_feu is not None and c.usd_per_feu > 0
    a = c.assumptions
    gc_mid = c.usd_per_feu + a["middle_time_cost_usd_per_feu"]
    assert gc_mid == pytest.approx(a["comparator_generalized_cost_usd_per_feu"], rel=0.05)
    # 1.8 % of the market (~450,000 TEU) is more than the corridor carries: flagged
    assert c.capacity_limited and a["carried_teu"] < c.volume
    assert "capacity carries at most" in a["why"]
    with pytest.raises(DataError, match="exactly one"):
        breakeven_tariff(net, target_share=0.1, comparator="northern")
    with pytest.raises(DataError, match="strictly between"):
        breakeven_tariff(net, target_share=1.5)


@pytest.mark.slow
def test_tripling_answer(net):
    t = tripling(net, year=2030)
    assert t.target_t == pytest.approx(3 * 4.484e6)
    assert planned_middle_projects(net)
    if t.reachable:  # "yes" only within a network that can exist: today's or planned
        c = t.conditions
        assert c is not None and c["middle_t"] >= t.target_t
        assert c["capacity"] in ("today", "planned projects")
        assert t.beyond_planned is None
    else:
        assert t.best["shortfall_t"] > 0
        assert t.best["capacity"] in ("today", "planned projects")
        u = t.beyond_planned
        if u is not None:  # what an unconstrained corridor would need, above every option
            assert u["capacity"] == "unconstrained" and u["middle_t"] >= t.target_t
            assert u["capacity_needed_teu"] > max(u["capacity_teu_by_option"].values())
    assert len(t.tried) >= 3
    assert np.isfinite([r["middle_t"] for r in t.tried]).all()


def test_bundled_estimates_are_sane():
    c = bundled_estimates()
    assert c.values["b_cost"] < 0 and c.values["b_time"] < 0
    assert all(0 < lam <= 1 for lam in c.nests.values())
    assert c.meta["data_hash"]

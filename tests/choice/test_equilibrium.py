"""Capacity-aware equilibrium: converges, never carries more than the corridor's capacity,
diverts the excess through the logit shares, and reports its history."""

from __future__ import annotations

import numpy as np
import pytest

import titr
from titr.choice.capacity import corridor_lp
from titr.choice.equilibrium import MIDDLE, equilibrium
from titr.choice.forecast import (
    BASE_SCENARIO,
    bundled_estimates,
    captive_rows,
    market_demand,
    year_alternatives,
)
from titr.choice.inputs import load_choice_data
from titr.choice.model import shares
from titr.choice.scenario import Lever


@pytest.fixture(scope="module")
def env():  # type: ignore[no-untyped-def]
    net = titr.load_dataset()
    data = load_choice_data(net)
    return net, data, bundled_estimates()


def _eq(env, scenario, year=2030, demand_factor=1.0):  # type: ignore[no-untyped-def]
    net, data, coefs = env
    m = data.markets["cn_eu_container"]
    alts, projects = year_alternatives(net, data, m.id, year, scenario)
    cap = captive_rows(net, data, year, 2025)
    d = market_demand(data, m.id, year) * demand_factor
    return equilibrium(
        net, m, year, d, alts, coefs, cap, projects=projects, units_per_decision=2.0
    ), alts


def test_uncongested_equilibrium_is_the_plain_logit(env):
    eq, alts = _eq(env, BASE_SCENARIO)
    net, data, coefs = env
    assert eq.converged and eq.toll_usd_per_unit == 0.0
    assert eq.shares == pytest.approx(shares(coefs, alts))
    assert eq.shares.sum() == pytest.approx(1.0)
    assert eq.capacity.unserved.sum() == pytest.approx(0.0, abs=1e-6)


def test_congested_equilibrium_respects_capacity_and_diverts(env):
    cheap = BASE_SCENARIO.with_levers(Lever("tariff", 2026, None, MIDDLE, 1500.0))
    eq, alts = _eq(env, cheap)
    net, data, coefs = env
    unconstrained = eq.demand * shares(coefs, alts)[0]
    carried = eq.volume(MIDDLE)
    assert eq.converged
    assert eq.toll_usd_per_unit > 0
    assert carried < unconstrained  # the excess was diverted
    # capacity is never exceeded: the LP carries the equilibrium volume with nothing unserved
    run = corridor_lp(
        net, [*captive_rows(net, data, 2030, 2025), ("container", "CN_XIAN", "DE_DUI", carried)]
    )
    assert run.unserved[-1] <= 1e-3 * carried
    # ... while 1 % more would not fit
    over = corridor_lp(
        net,
        [*captive_rows(net, data, 2030, 2025), ("container", "CN_XIAN", "DE_DUI", carried * 1.01)],
    )
    assert over.unserved[-1] > 0
    # the history reports the gap per iteration, ending below the tolerance
    h = eq.history
    assert list(h.iteration) == list(range(1, len(h) + 1))
    assert h.gap.iloc[-1] < 1e-3 and h.unserved.iloc[0] > 0
    assert h.binding.iloc[0] != ""
    # diverted demand goes to the other corridors: shares still sum to one
    assert eq.volumes.sum() == pytest.approx(eq.demand)


def test_more_demand_never_raises_carried_volume_above_capacity(env):
    cheap = BASE_SCENARIO.with_levers(Lever("tariff", 2026, None, MIDDLE, 1500.0))
    vols = [_eq(env, cheap, demand_factor=f)[0].volume(MIDDLE) for f in (1.0, 2.0, 4.0)]
    assert np.allclose(vols, vols[0], rtol=1e-3)


def test_closed_middle_corridor_carries_nothing(env):
    sc = BASE_SCENARIO.with_levers(Lever("closure", 2026, None, MIDDLE))
    eq, _ = _eq(env, sc)
    assert eq.volume(MIDDLE) == 0.0 and eq.shares.sum() == pytest.approx(1.0)


def test_projects_add_capacity(env):
    net, data, _ = env
    demand = [("container", "CN_XIAN", "DE_DUI", 400_000.0)]
    base = corridor_lp(net, demand)
    more = corridor_lp(
        net, demand, projects=("P_BAKU_PH2_CTR", "P_ALAT_INTERMODAL", "P_AKTAU_HUB_P2")
    )
    assert more.served[0] >= base.served[0]

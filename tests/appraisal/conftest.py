"""One appraisal of the bundled 11 Mt by 2030 plan shared by the appraisal tests."""

from __future__ import annotations

import pytest

from titr.appraisal.adapt_planning import PlanView, make_plan, pick_scenario
from titr.appraisal.appraise import Appraisal, appraise
from titr.appraisal.params import from_network
from titr.appraisal.run import plan_years
from titr.network.bundled import load


@pytest.fixture(scope="session")
def view() -> PlanView:
    net = load()
    sc = pick_scenario(net, 11e6, 2030, None)
    return make_plan(net, sc, 11e6, 2030, plan_years(2025, 2030))


@pytest.fixture(scope="session")
def appraisal(view: PlanView) -> Appraisal:
    return appraise(view, from_network(view.net), spread_ratio=0.25, reliability_source="test")

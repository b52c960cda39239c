"""One domain call for `titr appraise` and the API: plan for a target, simulate the baseline
for reliability, appraise the plan and its projects."""

from __future__ import annotations

from typing import Any

from titr.appraisal.adapt_planning import make_plan, pick_scenario
from titr.appraisal.adapt_sim import Reliability, reliability
from titr.appraisal.appraise import Appraisal, appraise, check_plan
from titr.appraisal.params import from_network
from titr.errors import DataError, Issue
from titr.network.model import Network


def plan_years(base_year: int, target_year: int) -> list[int]:
    if target_year < base_year:
        raise DataError(
            Issue(
                "--by",
                None,
                None,
                str(target_year),
                f"the target year must not precede the appraisal base year {base_year}",
            )
        )
    return list(range(base_year, max(target_year, base_year + 5) + 1))


def appraise_target(
    net: Network,
    target_t: float,
    target_year: int,
    *,
    scenario: str | None = None,
    seed: int = 0,
    replications: int = 3,
    executor: str = "serial",
    overrides: dict[str, Any] | None = None,
    seasons: bool = False,
) -> tuple[Appraisal, Reliability]:
    params = from_network(net, overrides)
    if not target_t > 0:
        raise DataError(Issue("--target", None, None, str(target_t), "must be > 0"))
    years = plan_years(params.base_year, target_year)
    sc = pick_scenario(net, target_t, target_year, scenario)
    view = make_plan(net, sc, target_t, target_year, years)
    check_plan(view, params)
    rel = reliability(net, seed=seed, replications=replications, executor=executor, seasons=seasons)
    a = appraise(view, params, spread_ratio=rel.spread_ratio, reliability_source=rel.source)
    return a, rel

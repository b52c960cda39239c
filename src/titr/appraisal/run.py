"""One domain call for `titr appraise`, `titr report` and the API: plan for a target, simulate
the baseline for reliability, appraise the plan and its projects, tornado, Monte Carlo and the
ranked pipeline. `Assessment.to_dict()` is the JSON the CLI prints and the report renders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from titr.appraisal.adapt_planning import make_plan, pick_scenario
from titr.appraisal.adapt_sim import Reliability, reliability
from titr.appraisal.appraise import Appraisal, _clean, appraise, check_plan
from titr.appraisal.params import from_network
from titr.appraisal.pipeline import RANK_BY, pipeline
from titr.appraisal.uncertainty import monte_carlo, tornado
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


@dataclass
class Assessment:
    appraisal: Appraisal
    reliability: Reliability
    tornado: list[dict[str, Any]]
    monte_carlo: dict[str, Any]
    pipeline: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        d = self.appraisal.to_dict()
        d["reliability"] = self.reliability.to_dict()
        d["tornado"] = _clean(self.tornado)
        d["monte_carlo"] = _clean(self.monte_carlo)
        d["pipeline"] = _clean(self.pipeline)
        return d


def assess(
    net: Network,
    target_t: float,
    target_year: int,
    *,
    scenario: str | None = None,
    seed: int = 0,
    replications: int = 3,
    executor: str = "serial",
    overrides: dict[str, Any] | None = None,
    draws: int = 10_000,
    budget: float | None = None,
    rank_by: str = "npv_per_capex",
    seasons: bool = False,
) -> Assessment:
    """Appraisal + tornado + Monte Carlo (`draws`, same `seed` and executor) + pipeline."""
    if rank_by not in RANK_BY:
        raise DataError(
            Issue("--rank-by", None, None, rank_by, f"must be one of {', '.join(RANK_BY)}")
        )
    if budget is not None and not budget >= 0:
        raise DataError(Issue("--budget", None, None, str(budget), "a budget is MUSD >= 0"))
    if not 1 <= draws <= 10_000_000:
        raise DataError(Issue("--draws", None, None, str(draws), "must be in 1..10000000"))
    a, rel = appraise_target(
        net,
        target_t,
        target_year,
        scenario=scenario,
        seed=seed,
        replications=replications,
        executor=executor,
        overrides=overrides,
        seasons=seasons,
    )
    return Assessment(
        a,
        rel,
        tornado(a),
        monte_carlo(a, draws, seed, executor=executor),
        pipeline(a, rank_by=rank_by, budget=budget),
    )

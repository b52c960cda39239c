"""/api/plans: the cross-country investment plan (`titr.planning.plan`, a MILP solved by HiGHS).

Which candidate projects enter service in which year, in which country and at what capital
cost (MUSD) so that the Middle Corridor carries a target tonnage (t/yr) from a target year:
least annuitised capex + operating cost + unserved-demand penalty, with optional yearly
budgets per country (MUSD). The answer also carries, per plan year, the demand, the volume
served and the most used segment of the chain; the readiness year of every segment the target
volume needs (the spread between the first and last upgraded segment, in years, measures how
"synchronous" the plan is); cost (USD) and days per unit without and with the plan in the
target year; and the next bottleneck (demand +25 % over the target on the planned network).

The plan is deterministic for a dataset content and query, so answers are cached per
(dataset content hash, parameters). A target that no set of projects reaches is still an
answer: status "infeasible", the best reachable plan, the shortfall in t/yr, the binding
segments and the resources no project in the data expands.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from titr.api.deps import Net, State
from titr.api.schemas import Open, Result
from titr.api.state import ApiState
from titr.errors import DataError, Issue
from titr.flows.demand import load_scenario
from titr.graph.units import parse_quantity
from titr.network.model import Network
from titr.planning.target import PLAN_YEARS, plan_for_target

router = APIRouter(prefix="/api", tags=["planning"])

_BUDGET_RE = re.compile(r"^\s*([A-Za-z]{2})\s*=\s*(\S+)\s*$")


class PlanProject(Open):
    id: str
    name: dict[str, str] = Field(description="Name in en, ru and tr")
    country: str = Field(description="ISO 3166-1 alpha-2 code of the country that builds it")
    in_service: int = Field(description="First year in service")
    decide_by: int = Field(description="in_service - lead time: the year to commit")
    capex_musd: float = Field(description="Capital cost, MUSD")
    capex_estimated: bool = Field(
        description="True when the cost is not a published figure (EST rule or EST source)"
    )
    capex_source: str = Field(description="Source id(s) or the estimate's reasoning")
    annuity_musd_per_yr: float = Field(description="capex × r / (1 − (1 + r)^−n), MUSD/yr")
    effect: str
    target_kind: str = Field(description="What the project changes: link, process or service")
    target_ref: str = Field(description="The id of that link, process or service")
    adds_t_per_yr: float = Field(description="Capacity added, t/yr")


class PlanYear(Open):
    year: int
    demand_t: float = Field(description="Corridor freight demand, t/yr")
    served_t: float = Field(description="Freight carried, t/yr")
    bottleneck: str | None = Field(description="Most used segment of the chain (resource id)")
    kind: str | None = None
    ref: str | None = None
    direction: str | None = None
    utilisation: float | None = Field(description="flow / capacity of that segment")
    bottleneck_capacity_t: float | None = None
    projects: list[str] = Field(description="Projects entering service this year")
    capex_musd: float = Field(description="Capex of the projects entering service, MUSD")


class PlanReadiness(Open):
    spread_years: int = Field(
        description="Last minus first ready year of the upgraded segments (0 = synchronous)"
    )
    segments: list[dict[str, Any]]


class PlanResult(Result):
    target: str = Field(description="The target as given, e.g. 11Mt")
    target_t: float = Field(description="Target volume, t/yr")
    year: int = Field(description="Target year")
    years: list[int]
    feasible: bool
    status: str = Field(
        description="optimal, or infeasible: the target cannot be met by that year and the "
        "plan shown is the best reachable one"
    )
    reachable_t: float | None = Field(None, description="Freight carried in the target year")
    shortfall_t: float = Field(description="Target minus reachable volume, t/yr")
    binding: list[str] = Field(description="Resources that bind in the target year")
    lacking: list[str] = Field(
        description="Binding resources that no candidate project in the data expands"
    )
    reason: str = Field(description="Why the target cannot be met ('' when it can)")
    sectors: list[str] = Field(description="Sectors planned (freight, oil, power)")
    scenario: dict[str, Any] = Field(description="Demand structure used (name, year)")
    budgets_musd_per_yr: dict[str, float]
    projects: list[PlanProject]
    capex_total_musd: float
    capex_by_country_musd: dict[str, float]
    by_year: list[PlanYear]
    capacity_profile: list[dict[str, Any]]
    readiness: PlanReadiness
    per_unit: dict[str, dict[str, Any]] = Field(
        description="Per commodity: served share, cost USD and days per unit without and "
        "with the plan in the target year"
    )
    next_bottleneck: list[dict[str, Any]]
    objective_usd: float | None = None
    mip_gap: float | None = None
    solve_s: float | None = None
    notes: list[str]


def parse_target(text: str) -> float:
    """'11Mt', '11 Mt', '4.5e6 t' → t/yr; anything else is a DataError naming `target`."""
    try:
        value, unit = parse_quantity(text, what="query")
    except DataError as e:
        raise DataError(
            [Issue("query", None, "target", i.value, i.rule) for i in e.issues]
        ) from None
    if unit != "t":
        raise DataError(
            Issue("query", None, "target", text, "the corridor target is a tonnage (t, kt, Mt)")
        )
    return value


def parse_budget(text: str | None, net: Network) -> dict[str, float]:
    """'KZ=500,AZ=200' → {country: MUSD per year}; codes must be countries of the dataset
    (its nodes or projects), amounts finite and >= 0."""
    if not text or not text.strip():
        return {}
    known = set(net.countries()) | {p.country for p in net.projects.values()}
    out: dict[str, float] = {}
    issues = []
    for part in text.split(","):
        m = _BUDGET_RE.match(part)
        if not m:
            issues.append(
                Issue(
                    "query",
                    None,
                    "budget",
                    part,
                    "write COUNTRY=MUSD per year, comma separated, e.g. KZ=500,AZ=200",
                )
            )
            continue
        code, raw = m.group(1).upper(), m.group(2)
        try:
            val = float(raw)
        except ValueError:
            val = math.nan
        if not (math.isfinite(val) and val >= 0):
            issues.append(
                Issue("query", None, "budget", part, "a budget is a yearly amount in MUSD, >= 0")
            )
        if code not in known:
            issues.append(
                Issue(
                    "query",
                    None,
                    "budget",
                    part,
                    f"unknown country code '{code}': the dataset has {', '.join(sorted(known))}",
                )
            )
        if code in out:
            issues.append(Issue("query", None, "budget", part, f"country {code} given twice"))
        out[code] = val
    if issues:
        raise DataError(issues)
    return out


def plan_dict(
    state: ApiState,
    net: Network,
    target: str,
    by: int,
    budget: str | None,
    scenario: str | None,
    exclude_unpriced: bool,
    rate: float,
    lifetime: int,
) -> dict[str, Any]:
    target_t = parse_target(target)
    budgets = parse_budget(budget, net)
    sc = load_scenario(scenario, net, state.store) if scenario else None
    _, body = plan_for_target(
        net,
        target,
        target_t,
        by,
        scenario=sc,
        budgets={(c, y): b for c, b in budgets.items() for y in PLAN_YEARS},
        exclude_unpriced=exclude_unpriced,
        rate=rate,
        lifetime=lifetime,
    )
    return body


@router.get("/plans", response_model=PlanResult, summary="Investment plan to reach a target")
async def plans(
    state: State,
    net: Net,
    target: Annotated[
        str,
        Query(
            min_length=1,
            max_length=40,
            description="Target corridor volume per year: a tonnage, e.g. 10Mt, 11 Mt, 4.5e6 t",
            examples=["11Mt"],
        ),
    ],
    by: Annotated[
        int,
        Query(
            ge=PLAN_YEARS[0],
            le=PLAN_YEARS[-1],
            description=f"Target year, within the plan years {PLAN_YEARS[0]}..{PLAN_YEARS[-1]}",
            examples=[2030],
        ),
    ],
    budget: Annotated[
        str | None,
        Query(
            max_length=400,
            description="Yearly budget per country, MUSD: KZ=500,AZ=200 (every plan year)",
            examples=["KZ=500,AZ=200"],
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        Query(
            max_length=100,
            description="Demand structure: a bundled or stored demand scenario (default: the "
            "bundled one nearest the target year, then the target tonnage)",
        ),
    ] = None,
    exclude_unpriced: Annotated[
        bool,
        Query(description="Leave out projects without a published capex (default: EST cost)"),
    ] = False,
    rate: Annotated[
        float,
        Query(ge=0, lt=1, description="Discount rate r of the capex annuity, 0 <= r < 1"),
    ] = 0.08,
    lifetime: Annotated[int, Query(ge=1, le=100, description="Asset life n, years")] = 30,
) -> Any:
    """Least-cost projects and years, all countries together, to carry `target` t/yr on the
    Middle Corridor from year `by`: objective = annuitised capex + operating cost + penalty ×
    unserved demand; budgets cap each country's capex spend per year (spread over the lead
    time). An unreachable target answers status "infeasible" with the best reachable plan, its
    volume, the shortfall, the binding segments and what the data lacks to close it."""
    key: tuple[Any, ...] = ("plan", target.strip(), by, (budget or "").strip(), scenario)
    key += (exclude_unpriced, rate, lifetime)
    body = state.cached_result(net, key)
    if body is None:

        def build() -> dict[str, Any]:
            return plan_dict(
                state, net, target, by, budget, scenario, exclude_unpriced, rate, lifetime
            )

        body = await run_in_threadpool(state.result_json, net, key, build)
    return Response(body, media_type="application/json")

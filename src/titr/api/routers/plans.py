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
(dataset content hash, parameters). A target that no set of projects reaches is a 422
problem+json whose detail states the shortfall in t/yr.
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
from titr.flows.demand import DemandScenario, bundled_scenarios, load_scenario, scenario_manifest
from titr.flows.units import parse_quantity
from titr.network.model import Network

router = APIRouter(prefix="/api", tags=["planning"])

PLAN_YEARS = list(range(2025, 2031))
_BUDGET_RE = re.compile(r"^\s*([A-Za-z]{2})\s*=\s*(\S+)\s*$")
EST_RULE = "EST: median MUSD per t/yr of the priced projects of the same kind x capacity added"


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


def _clean(x: Any) -> Any:
    """JSON-safe: NaN/inf → None, numpy scalars → Python."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str | bytes):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _records(df: Any, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    if not len(df):
        return []
    return _clean(df.drop(columns=[c for c in drop if c in df.columns]).to_dict("records"))  # type: ignore[no-any-return]


def _resource(rid: str) -> dict[str, Any]:
    """'service:SV_X:a>b' → kind, ref, direction."""
    kind, _, rest = rid.partition(":")
    ref, _, direction = rest.partition(":")
    return {"kind": kind or None, "ref": ref or None, "direction": direction or None}


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


def _pick_scenario(
    state: ApiState, net: Network, name: str | None, by: int, target_t: float
) -> DemandScenario:
    """The named scenario (bundled or stored), else the bundled scenario that fits the dataset
    nearest the target year, then nearest the target tonnage (as `titr plan`)."""
    if name:
        from titr.api.routers.flows import _scenario

        return _scenario(state, net, name)
    fits: list[DemandScenario] = []
    for s in scenario_manifest():
        try:
            fits.append(load_scenario(s["name"], net))
        except DataError:
            continue  # names nodes or commodities this dataset does not have
    if not fits:
        raise DataError(
            Issue(
                "query",
                None,
                "scenario",
                None,
                f"no bundled demand scenario fits dataset {net.label}: give scenario=NAME "
                f"of a stored demand scenario for it",
            )
        )
    return min(fits, key=lambda c: (abs(c.year - by), abs(c.tonnes(net) - target_t), c.name))


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
    from titr.planning import plan

    target_t = parse_target(target)
    budgets = parse_budget(budget, net)
    sc = _pick_scenario(state, net, scenario, by, target_t)
    base = None
    if sc.year >= by:  # grow from the 2024 actual when it fits the dataset, else from sc
        try:
            b24 = load_scenario("2024", net) if "2024" in bundled_scenarios() else None
        except DataError:
            b24 = None
        base = (b24.year, b24.tonnes(net)) if b24 else (PLAN_YEARS[0], sc.tonnes(net))
    pl = plan(
        net,
        sc,
        target_t,
        by,
        years=PLAN_YEARS,
        budgets={(c, y): b for c, b in budgets.items() for y in PLAN_YEARS},
        rate=rate,
        lifetime=lifetime,
        capex_rule="exclude" if exclude_unpriced else "estimate",
        base=base,
    )
    projects = []
    for r in pl.chosen.to_dict("records"):
        p = net.projects[r["project"]]
        basis = str(r["capex_basis"] or "")
        projects.append(
            {
                "id": p.id,
                "name": {"en": p.name_en, "ru": p.name_ru, "tr": p.name_tr},
                "country": p.country,
                "in_service": int(r["in_service"]),
                "decide_by": int(r["decide_by"]),
                "capex_musd": float(r["capex_musd"]),
                "capex_estimated": basis == "EST" or basis.upper().startswith("EST"),
                "capex_source": EST_RULE if basis == "EST" else basis,
                "annuity_musd_per_yr": float(r["annuity_musd_per_yr"]),
                "effect": r["effect"],
                "adds_t_per_yr": float(r["adds_t_per_yr"]),
            }
        )
    by_country: dict[str, float] = {}
    for pr in projects:
        by_country[pr["country"]] = by_country.get(pr["country"], 0.0) + pr["capex_musd"]
    by_year = []
    bby = {r["year"]: r for r in pl.bottleneck_by_year.to_dict("records")}
    for t in pl.years:
        b = bby.get(t, {})
        entering = [pr for pr in projects if pr["in_service"] == t]
        rid = b.get("bottleneck")
        by_year.append(
            {
                "year": t,
                "demand_t": b.get("demand_t", pl.demand_by_year.get(t)),
                "served_t": b.get("served_t"),
                "bottleneck": rid,
                **(_resource(rid) if rid else {"kind": None, "ref": None, "direction": None}),
                "utilisation": b.get("utilisation"),
                "bottleneck_capacity_t": b.get("bottleneck_capacity_t"),
                "projects": [pr["id"] for pr in entering],
                "capex_musd": sum(pr["capex_musd"] for pr in entering),
            }
        )
    per_unit: dict[str, dict[str, Any]] = {}
    for k, v in pl.buys.items():
        if "." not in k:
            continue
        tag, com, measure = k.split(".", 2)
        per_unit.setdefault(com, {}).setdefault(tag, {})[measure] = v
    readiness = [{**r, **_resource(str(r["resource"]))} for r in _records(pl.readiness)]
    nxt = [
        {**r, **_resource(str(r["resource"]))}
        for r in _records(pl.next_bottleneck, drop=("dataset", "scenario"))
    ]
    return _clean(  # type: ignore[no-any-return]
        {
            "dataset": net.label,
            "run_id": None,
            "target": target,
            "target_t": target_t,
            "year": by,
            "years": pl.years,
            "feasible": True,
            "scenario": {"name": sc.name, "year": sc.year, "title": sc.title},
            "budgets_musd_per_yr": budgets,
            "projects": projects,
            "capex_total_musd": sum(pr["capex_musd"] for pr in projects),
            "capex_by_country_musd": by_country,
            "by_year": by_year,
            "capacity_profile": _records(pl.capacity_profile),
            "readiness": {"spread_years": pl.spread_years, "segments": readiness},
            "per_unit": per_unit,
            "next_bottleneck": nxt,
            "objective_usd": pl.objective,
            "mip_gap": pl.mip_gap,
            "solve_s": pl.solve_s,
            "notes": [*pl.warnings, *pl.skipped],
        }
    )


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
        Query(ge=0, lt=1, description="Discount rate r of the capex annuity: 0, or 1e-6 to <1"),
    ] = 0.08,
    lifetime: Annotated[int, Query(ge=1, le=100, description="Asset life n, years")] = 30,
) -> Any:
    """Least-cost projects and years, all countries together, to carry `target` t/yr on the
    Middle Corridor from year `by`: objective = annuitised capex + operating cost + penalty ×
    unserved demand; budgets cap each country's capex spend per year (spread over the lead
    time). An unreachable target is a 422 stating the shortfall."""
    if 0 < rate < 1e-6:  # (1 + r)^-n rounds to 1: the annuity formula divides by zero
        raise DataError(Issue("query", None, "rate", str(rate), "must be 0 or at least 1e-6"))
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

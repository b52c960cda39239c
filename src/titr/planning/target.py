"""One use case: an investment plan for a target tonnage by a year, as the CLI (`titr plan`)
and the API (`GET /api/plans`) both answer it — they only parse their inputs and serialise
this answer, so the same inputs give the same plan.

Demand structure: the named scenario, else the bundled scenario that fits the dataset nearest
the target year, then nearest the target tonnage. Growth: from the scenario's own year and
tonnage when it lies before the target year, else from the bundled 2024 actual (when it fits
the dataset). Plan years 2025..2030; sectors freight and oil unless asked otherwise.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from titr.errors import DataError, Issue
from titr.flows.demand import DemandScenario, bundled_scenarios, load_scenario, scenario_manifest
from titr.flows.usecases import clean, records
from titr.network.model import Network
from titr.planning.invest import Plan, plan

PLAN_YEARS = list(range(2025, 2031))
EST_RULE = "EST: median MUSD per t/yr of the priced projects of the same kind x capacity added"


def pick_scenario(net: Network, by: int, target_t: float) -> DemandScenario:
    """The bundled scenario that fits the dataset nearest the target year, then nearest the
    target tonnage."""
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
                f"no bundled demand scenario fits dataset {net.label}: name a stored demand "
                f"scenario for it (titr plan --scenario NAME; API scenario=NAME)",
            )
        )
    return min(fits, key=lambda c: (abs(c.year - by), abs(c.tonnes(net) - target_t), c.name))


def growth_base(net: Network, sc: DemandScenario, by: int) -> tuple[int, float] | None:
    """(year, t/yr) demand grows from: None (the scenario itself) when it lies before the
    target year, else the bundled 2024 actual when it fits the dataset, else the scenario's
    tonnage in the first plan year."""
    if sc.year < by:
        return None
    try:
        b24 = load_scenario("2024", net) if "2024" in bundled_scenarios() else None
    except DataError:
        b24 = None
    return (b24.year, b24.tonnes(net)) if b24 else (PLAN_YEARS[0], sc.tonnes(net))


def plan_for_target(
    net: Network,
    target: str,
    target_t: float,
    by: int,
    *,
    scenario: DemandScenario | None = None,
    budgets: dict[tuple[str, int], float] | None = None,
    exclude_unpriced: bool = False,
    rate: float = 0.08,
    lifetime: int = 30,
    sectors: Collection[str] = ("freight", "oil"),
) -> tuple[Plan, dict[str, Any]]:
    """The plan and its serialisable answer (what `titr plan --json` prints and the API
    returns). ``budgets``: MUSD per (country, plan year)."""
    budgets = dict(budgets or {})
    shown: dict[str, float] = {}
    for (c, y), musd in sorted(budgets.items()):
        same = all(budgets.get((c, t)) == musd for t in PLAN_YEARS)
        shown[c if same else f"{c}:{y}"] = musd
    sc = scenario if scenario is not None else pick_scenario(net, by, target_t)
    base = growth_base(net, sc, by)
    pl = plan(
        net,
        sc,
        target_t,
        by,
        years=PLAN_YEARS,
        budgets=budgets,
        sectors=sectors,
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
                "target_kind": p.target_kind,
                "target_ref": p.target_ref,
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
                "kind": b.get("kind"),
                "ref": b.get("ref"),
                "direction": b.get("direction"),
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
    readiness = records(pl.readiness)
    nxt = [r for r in records(pl.next_bottleneck, drop=("dataset", "scenario"))]
    return pl, clean(  # type: ignore[no-any-return]
        {
            "dataset": net.label,
            "run_id": None,
            "target": target,
            "target_t": target_t,
            "year": by,
            "years": pl.years,
            "feasible": pl.status == "optimal",
            "status": pl.status,
            "reachable_t": pl.reachable_t,
            "shortfall_t": pl.shortfall_t,
            "binding": pl.binding,
            "lacking": pl.lacking,
            "reason": pl.reason,
            "sectors": pl.sectors,
            "scenario": {"name": sc.name, "year": sc.year, "title": sc.title},
            "budgets_musd_per_yr": shown,
            "projects": projects,
            "capex_total_musd": sum(pr["capex_musd"] for pr in projects),
            "capex_by_country_musd": by_country,
            "by_year": by_year,
            "capacity_profile": records(pl.capacity_profile),
            "readiness": {"spread_years": pl.spread_years, "segments": readiness},
            "per_unit": per_unit,
            "next_bottleneck": nxt,
            "objective_usd": pl.objective,
            "mip_gap": pl.mip_gap,
            "solve_s": pl.solve_s,
            "notes": [*pl.warnings, *pl.skipped],
        }
    )

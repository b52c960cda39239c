"""Ranked investment pipeline with synchronous phasing.

Ranking: the plan's projects by `rank_by` — NPV per MUSD of capex ("npv_per_capex") or BCR —
best first; projects with NPV <= 0 are not economically justified and rank after every
justified one. Budget: walking down the justified list, a project is funded when the capex
funded so far plus its own stays within `budget` (MUSD, total over the build years; None = no
limit).

Synchronous phasing ("synchronous elimination of bottlenecks"): every funded project enters
service in one common year

    Y* = max_j earliest_j,   earliest_j = max(earliest_year_j, base_year + lead_time_j)
                             (under construction: max(earliest_year_j, base_year))

with lead times and earliest years from projects.csv, and each project's decision is dated
decide_by_j = Y* − lead_time_j (never before the base year, since Y* >= base_year + lead_time_j
for projects not yet under way). slack_j = Y* − earliest_j is how much later than possible
project j is finished so that no segment waits for another.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from titr.appraisal.appraise import Appraisal
from titr.errors import DataError, Issue

RANK_BY = ("npv_per_capex", "bcr")


def pipeline(
    a: Appraisal, *, rank_by: str = "npv_per_capex", budget: float | None = None
) -> dict[str, Any]:
    if rank_by not in RANK_BY:
        raise DataError(
            Issue("--rank-by", None, None, rank_by, f"must be one of {', '.join(RANK_BY)}")
        )
    if budget is not None and not (budget >= 0 and math.isfinite(budget)):
        raise DataError(Issue("--budget", None, None, str(budget), "a budget is MUSD >= 0"))
    base = a.params.base_year
    net = a.view.net
    rows = []
    for pa in a.projects:
        p = net.projects[pa.project.id]
        started = p.status in ("under_construction", "completed")
        earliest = max(p.earliest_year, base if started else base + p.lead_time)
        r = pa.row()
        key = r[rank_by]
        rows.append(
            {
                "project": r["project"],
                "name": r["name"],
                "country": r["country"],
                "status": p.status,
                "capex_musd": r["capex_musd"],
                "capex_basis": r["capex_basis"],
                "npv_musd": r["npv_musd"],
                "bcr": r["bcr"],
                "npv_per_capex": r["npv_per_capex"],
                "justified": r["npv_musd"] > 0,
                "lead_time": p.lead_time,
                "earliest_service": earliest,
                "plan_in_service": r["in_service"],
                "_key": key if key is not None and math.isfinite(key) else -math.inf,
            }
        )
    rows.sort(key=lambda x: (not x["justified"], -x["_key"], x["project"]))
    spent = 0.0
    for i, row in enumerate(rows, start=1):
        row["rank"] = i
        fund = row["justified"] and (budget is None or spent + row["capex_musd"] <= budget + 1e-9)
        row["funded"] = bool(fund)
        if fund:
            spent += row["capex_musd"]
        row["cumulative_capex_musd"] = spent
        del row["_key"]
    funded = [r for r in rows if r["funded"]]
    common = max((r["earliest_service"] for r in funded), default=None)
    for r in rows:
        if r["funded"] and common is not None:
            r["in_service"] = common
            r["decide_by"] = max(base, common - r["lead_time"])
            r["slack_years"] = common - r["earliest_service"]
        else:
            r["in_service"] = r["decide_by"] = r["slack_years"] = None
    notes = []
    ty = a.view.plan.target_year
    if common is not None and common > ty:
        notes.append(
            f"the funded projects can be ready together only in {common}, after the target "
            f"year {ty}"
        )
    unjust = [r["project"] for r in rows if not r["justified"]]
    if unjust:
        notes.append(
            "NPV <= 0, not funded (the least-cost plan needs them for the target volume: "
            "without them the target is carried only if other capacity is found): "
            + ", ".join(unjust)
        )
    return {
        "rank_by": rank_by,
        "budget_musd": budget,
        "funded_capex_musd": spent,
        "common_service_year": common,
        "base_year": base,
        "projects": rows,
        "notes": notes,
    }


def pipeline_frame(p: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(p["projects"])

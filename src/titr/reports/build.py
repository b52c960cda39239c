"""Report content: every number comes from the appraisal / planning / simulation results (the
same objects `titr appraise --json` serialises); templates only format them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from titr import __version__
from titr.appraisal.adapt_planning import plan_summary
from titr.appraisal.adapt_sim import Reliability
from titr.appraisal.appraise import Appraisal, _clean


def report_data(a: Appraisal, rel: Reliability, *, today: dt.date | None = None) -> dict[str, Any]:
    d = a.to_dict()
    d["reliability"] = rel.to_dict()
    d["plan_facts"] = _clean(plan_summary(a.view))
    d["projects_named"] = [
        {**row, "name_i18n": pa.project.name}
        for row, pa in zip(d["projects"], a.projects, strict=True)
    ]
    target_year = a.view.plan.target_year
    bby = {int(r["year"]): r for r in d["plan_facts"]["bottleneck_by_year"]}
    served = bby.get(target_year, {}).get("served_t")
    d["answer"] = {
        "target_t": a.view.plan.target_t,
        "target_year": target_year,
        "served_t": served,
        "met": served is not None and served >= a.view.plan.target_t * (1 - 1e-6),
        "capex_musd": sum(p.project.capex_musd for p in a.projects),
        "n_projects": len(a.projects),
        "npv_musd": d["plan"]["npv_musd"],
        "bcr": d["plan"]["bcr"],
    }
    d["provenance"] = {
        "dataset": a.label,
        "scenario": a.view.scenario.name,
        "seed": rel.seed,
        "titr_version": __version__,
        "date": (today or dt.date.today()).isoformat(),
    }
    d["source_ids"] = sorted(used_sources(a, rel), key=lambda s: int(s[1:]))
    net = a.view.net
    d["sources"] = [
        {"id": s, "title": net.sources[s].title, "url": net.sources[s].url or ""}
        for s in d["source_ids"]
        if s in net.sources
    ]
    return d


SID = re.compile(r"S\d{3,}")


def used_sources(a: Appraisal, rel: Reliability) -> set[str]:
    """Source ids behind the report's numbers: appraisal parameters, project capex and
    effects, the commodities' values of time and the emission factors."""
    net = a.view.net
    ids = set(a.params.source_ids())
    for pa in a.projects:
        p = net.projects[pa.project.id]
        ids |= set(SID.findall(f"{p.capex_source or ''} {p.source}"))
    for k in a.view.model.graphs:
        ids |= set(SID.findall(net.commodities[k].source))
    for e in net.emission_factors.values():
        ids |= set(SID.findall(e.source))
    for pid in ("storm_days_per_year", "t_per_train"):
        if pid in net.parameters:
            ids |= set(SID.findall(str(net.parameters[pid].source)))
    return ids

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
from titr.appraisal.run import Assessment
from titr.graph.resources import resource_names
from titr.network.model import Network
from titr.reports.adapt_indicators import volumes_vs_targets
from titr.reports.adapt_routing import corridor_comparison
from titr.reports.map import corridor_map_png


def report_data(res: Assessment, *, today: dt.date | None = None) -> dict[str, Any]:
    """The assessment's JSON (`Assessment.to_dict`, what `titr appraise --json` prints) plus
    the plan facts, names, the answer to the target question, sources and provenance."""
    a, rel = res.appraisal, res.reliability
    d = res.to_dict()
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
    net0 = a.view.net
    pf = d["plan_facts"]
    rids = [r["bottleneck"] for r in pf["bottleneck_by_year"]]
    rids += [r["resource"] for r in pf["next_bottleneck"] + pf["readiness"]]
    d["element_names"] = {rid: element_name(net0, rid) for rid in rids}
    d["corridors"] = corridor_comparison(net0, a.view.scenario, seed=rel.seed)
    proj_links, proj_nodes = set(), set()
    for pa in a.projects:
        pr = net0.projects[pa.project.id]
        links, nodes = element_links(net0, pr.target_kind, pr.target_ref)
        proj_links |= links
        proj_nodes |= nodes
    bn_links, bn_nodes = set(), set()
    for r in d["plan_facts"]["bottleneck_by_year"]:
        kind, _, rest = str(r["bottleneck"]).partition(":")
        links, nodes = element_links(net0, kind, rest.split(":")[0])
        bn_links |= links
        bn_nodes |= nodes
    d["map_png"] = corridor_map_png(net0, proj_links, proj_nodes, bn_links, bn_nodes)
    d["tornado_bars"] = tornado_bars(d["tornado"])
    carried = {int(r["year"]): float(r["served_t"]) for r in pf["bottleneck_by_year"]}
    d["volumes"] = volumes_vs_targets(net0, carried)
    av = [o for o in d["corridors"]["options"] if o["available"]]
    md = max((o["mean_days"] for o in av), default=1.0) or 1.0
    mt = max((o["tariff_usd"] for o in av), default=1.0) or 1.0
    for o in d["corridors"]["options"]:
        o["days_pct"] = 100 * o["mean_days"] / md if o["available"] else 0.0
        o["tariff_pct"] = 100 * o["tariff_usd"] / mt if o["available"] else 0.0
    net = a.view.net
    d["sources"] = [
        {"id": s, "title": net.sources[s].title, "url": net.sources[s].url or ""}
        for s in d["source_ids"]
        if s in net.sources
    ]
    return d


# one naming rule for capacity resources, in the graph layer that defines them
element_name = resource_names


def element_links(net: Network, kind: str, ref: str) -> tuple[set[str], set[str]]:
    """Links and nodes on the map that stand for a network element."""
    if kind == "link" and ref in net.links:
        return {ref}, set()
    if kind == "service" and ref in net.services:
        return {lk.id for lk in net.links.values() if lk.service == ref}, set()
    if kind == "process" and ref in net.processes:
        return set(), {net.processes[ref].node}
    return set(), set()


def tornado_bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bar geometry (percent of the chart width) for the tornado's NPV ranges."""
    vals = [v for r in rows for v in (r["npv_low_musd"], r["npv_high_musd"], r["npv_base_musd"])]
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    out = []
    for r in rows:
        a, b = sorted((r["npv_low_musd"], r["npv_high_musd"]))
        out.append(
            {
                "input": r["input"],
                "left": 100 * (a - lo) / span,
                "width": max(0.5, 100 * (b - a) / span),
                "base": 100 * (r["npv_base_musd"] - lo) / span,
            }
        )
    return out


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
    for tg in net.targets.values():
        if tg.series == "titr_cargo":
            ids |= set(SID.findall(tg.source))
    for ind in net.indicators:
        if ind.series == "titr_cargo" and ind.variant == "default":
            ids |= set(SID.findall(ind.source))
    for pid in ("storm_days_per_year", "t_per_train"):
        if pid in net.parameters:
            ids |= set(SID.findall(str(net.parameters[pid].source)))
    return ids

"""Candidate projects of a plan: what each adds to which capacity resource, when it can
be in service, and its capital cost (published, or the EST rule for unpriced projects)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from titr.errors import DataError, Issue
from titr.flows.flowgraph import FlowModel
from titr.graph.projects import apply_projects, check_targets
from titr.graph.resources import resource_table
from titr.network.model import Network, Project


@dataclass
class Candidate:
    project: Project
    capex: float  # MUSD
    capex_est: bool
    available: int
    effects: list[tuple[int, float]]  # (resource index, +capacity in shared unit)


def annuity_factor(rate: float, lifetime: int) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n) per unit of capex (1/n at r = 0).

    The denominator is computed as -expm1(-n log1p(r)), so tiny rates (1e-38) give ~1/n
    instead of dividing by a rounded-off zero. Raises DataError (naming --rate/--lifetime)
    unless 0 <= r < 1 and n is a whole number of years >= 1."""
    issues = []
    if not (isinstance(rate, (int, float)) and 0 <= rate < 1):
        issues.append(
            Issue("--rate", None, None, str(rate), "a discount rate is a number in [0, 1)")
        )
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime < 1:
        issues.append(
            Issue("--lifetime", None, None, str(lifetime), "an asset life is a whole number >= 1")
        )
    if issues:
        raise DataError(issues)
    if rate == 0:
        return 1.0 / lifetime
    return float(rate / -math.expm1(-lifetime * math.log1p(rate)))


def _effects(model: FlowModel, p: Project) -> list[tuple[int, float]]:
    """(resource index, capacity added in the shared unit) of project ``p``: the difference
    between the resource table of the model's network with and without the project
    (`titr.graph.projects.apply_projects`, the one way projects change a network)."""
    base = model.network
    assert base is not None, "a flow model built by build_flow_model carries its network"
    after = resource_table(apply_projects(base, [p.id]), include_planned=True)
    ri = model.resource_index()
    out = []
    for rid, i in after.index.items():
        j = ri.get(rid)
        if j is None:
            continue
        b = model.resources[j].capacity
        d = after.resources[i].capacity - b
        if math.isfinite(b) and d > 0 and math.isfinite(d):
            out.append((j, d))
    return out


def candidates(
    net: Network,
    model: FlowModel,
    first_year: int,
    capex_rule: str,
    warnings: list[str],
    skipped: list[str],
) -> list[Candidate]:
    check_targets(net)
    raw: list[tuple[Project, list[tuple[int, float]]]] = []
    for p in net.projects.values():
        if p.status == "completed":
            continue
        if p.effect == "time_factor":
            skipped.append(
                f"{p.id} ({p.country}): time effect x{p.effect_value:g}, not a "
                f"capacity; not optimised"
            )
            continue
        eff = _effects(model, p)
        if not eff:
            skipped.append(
                f"{p.id} ({p.country}): adds no capacity to a constrained element "
                f"(target capacity unknown = unlimited)"
            )
            continue
        raw.append((p, eff))
    priced = [(p, e) for p, e in raw if p.capex is not None and p.capex > 0]
    unit_cost_kind: dict[str, list[float]] = {}
    for p, e in priced:
        unit_cost_kind.setdefault(p.target_kind, []).append(
            float(p.capex or 0) / max(min(d for _, d in e), 1.0)
        )
    all_costs = [c for v in unit_cost_kind.values() for c in v]
    out = []
    missing = []
    for p, e in raw:
        avail = p.earliest_year
        if p.status in ("idea", "planned"):
            avail = max(avail, first_year + p.lead_time)
        if p.capex is not None:
            out.append(Candidate(p, float(p.capex), False, avail, e))
            continue
        missing.append(p.id)
        if capex_rule == "exclude" or not all_costs:
            continue
        per = float(np.median(unit_cost_kind.get(p.target_kind) or all_costs))
        out.append(Candidate(p, per * min(d for _, d in e), True, avail, e))
    if missing:
        if capex_rule == "exclude" or not all_costs:
            warnings.append(f"left out (no published capex): {', '.join(missing)}")
        else:
            warnings.append(
                f"EST capex (median MUSD per t/yr of priced projects of the same "
                f"kind x capacity added) for: {', '.join(missing)}"
            )
    return out


def _available_by(net: Network, cands: list[Candidate], year: int) -> set[str]:
    """Projects that are or can be in service in `year` (completed ones always)."""
    done = {p.id for p in net.projects.values() if p.status == "completed"}
    return done | {cd.project.id for cd in cands if cd.available <= year}


def _capacities(model: FlowModel, cands: list[Candidate], on: list[bool]) -> np.ndarray:
    caps = np.array([r.capacity for r in model.resources], dtype=float)
    for cd, o in zip(cands, on, strict=True):
        if o:
            for ri, d in cd.effects:
                caps[ri] = caps[ri] + d if math.isfinite(caps[ri]) else caps[ri]
    return caps

"""Adapter: the capacity LP of the flows layer, restricted to one corridor's links.

The ONE place where `titr.choice` calls `titr.flows` (model build, assignment, shadow prices)
and `titr.planning` (a project's capacity effect). When those layers are refactored, only this
module is re-pointed.

`corridor_lp` assigns a list of demands (commodity, origin, destination, commodity units per
year) on the Middle Corridor's links (with access, oil, uranium and power links) with projects
switched on, and returns what was served, what was not, and the binding resources with their
shadow prices (USD per extra t/yr).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.assign import assign_od
from titr.flows.flowgraph import FlowModel, build_flow_model
from titr.flows.lp import ODTable
from titr.graph.rules import MIDDLE_CORRIDOR
from titr.network.model import Network

Demand = tuple[str, str, str, float]  # commodity, origin, destination, units per year

_MODELS: dict[tuple[object, ...], tuple[FlowModel, np.ndarray]] = {}


@dataclass
class CapacityRun:
    """What the corridor carried of each demand row (same order as given)."""

    demand: list[Demand]
    served: np.ndarray
    unserved: np.ndarray
    binding: pd.DataFrame  # resource, kind, utilisation, shadow_price_usd_per_t
    label: str
    warnings: list[str] = field(default_factory=list)

    def unserved_of(self, commodity: str) -> float:
        return float(
            sum(u for (k, *_), u in zip(self.demand, self.unserved, strict=True) if k == commodity)
        )


def _model(
    net: Network, commodities: Sequence[str], projects: Sequence[str]
) -> tuple[FlowModel, np.ndarray]:
    key = (net.label, tuple(commodities), tuple(projects))
    hit = _MODELS.get(key)
    if hit is not None:
        return hit
    unknown = [p for p in projects if p not in net.projects]
    if unknown:
        raise DataError(
            Issue(
                "scenario", None, "projects", ";".join(unknown), f"no such project in {net.label}"
            )
        )
    model = build_flow_model(
        net, list(commodities), include_planned=bool(projects), corridors=MIDDLE_CORRIDOR
    )
    caps = np.array([r.capacity for r in model.resources], dtype=float)
    if projects:
        from titr.planning.candidates import (
            _effects,
        )  # the project -> capacity rule of the planning layer

        for pid in projects:
            for ri, d in _effects(model, net.projects[pid]):
                caps[ri] = caps[ri] + d if math.isfinite(caps[ri]) else caps[ri]
    if len(_MODELS) > 64:
        _MODELS.clear()
    _MODELS[key] = (model, caps)
    return model, caps


def corridor_lp(
    net: Network, demand: Iterable[Demand], *, projects: Iterable[str] = ()
) -> CapacityRun:
    """Assign `demand` on the Middle Corridor with `projects` in service (see module doc)."""
    rows = [(k, o, d, float(q)) for k, o, d, q in demand if q > 0]
    projects = tuple(sorted(set(projects)))
    coms = sorted({r[0] for r in rows})
    if not rows:
        return CapacityRun([], np.zeros(0), np.zeros(0), pd.DataFrame(), net.label)
    model, caps = _model(net, coms, projects)
    od = ODTable.from_rows(rows)
    a = assign_od(net, od, model=model, capacity=caps, scenario="choice", year=0)
    un_by = {
        (k, o, d): u
        for k, o, d, u in zip(od.commodity, od.origin, od.destination, a.unserved, strict=True)
    }
    tot_by = {
        (k, o, d): q
        for k, o, d, q in zip(od.commodity, od.origin, od.destination, od.quantity, strict=True)
    }
    served, unserved = [], []
    for k, o, d, q in rows:  # split an aggregated OD's unserved pro rata
        f = un_by[(k, o, d)] / tot_by[(k, o, d)] if tot_by[(k, o, d)] > 0 else 0.0
        unserved.append(q * f)
        served.append(q * (1 - f))
    b = a.bottlenecks()
    binding = (
        b[["resource", "kind", "utilisation", "shadow_price_usd_per_unit"]].rename(
            columns={"shadow_price_usd_per_unit": "shadow_price_usd_per_t"}
        )
        if len(b)
        else pd.DataFrame(columns=["resource", "kind", "utilisation", "shadow_price_usd_per_t"])
    )
    return CapacityRun(
        rows, np.array(served), np.array(unserved), binding, net.label, list(a.warnings)
    )


_PLANS: dict[tuple[object, ...], list[tuple[str, int]]] = {}


def plan_projects(net: Network, target_t: float, by: int, demand: str) -> list[tuple[str, int]]:
    """(project id, year in service) of the planning layer's least-cost plan that carries
    `target_t` t/yr on the Middle Corridor from year `by` (demand structure: the flows
    layer's bundled scenario `demand`); cached per dataset label."""
    from titr.flows.demand import load_scenario
    from titr.planning.invest import plan

    key = (net.label, target_t, by, demand)
    hit = _PLANS.get(key)
    if hit is None:
        p = plan(net, load_scenario(demand, net), target_t, by)
        if p.status != "optimal":  # the planner answers an unreachable target with its status
            raise InfeasibleError(p.reason)
        hit = [(str(a), int(b)) for a, b in zip(p.chosen.project, p.chosen.in_service, strict=True)]
        if len(_PLANS) > 32:
            _PLANS.clear()
        _PLANS[key] = hit
    return list(hit)

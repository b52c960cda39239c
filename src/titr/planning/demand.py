"""Demand of a plan year: the scenario's structure (per OD and commodity) scaled so freight
tonnes follow a constant growth rate from a base (year, t/yr) to the target in the target year,
then held flat."""

from __future__ import annotations

from collections.abc import Collection

from titr.flows.demand import DemandScenario
from titr.flows.lp import ODTable
from titr.network.model import Network


def _demand_path(
    years: list[int], target_t: float, target_year: int, base: tuple[int, float]
) -> dict[int, float]:
    """Freight t/yr per plan year: geometric growth from `base` (year, t/yr) to the target in
    the target year, held at the target afterwards."""
    base_year, base_t = base
    path = {}
    for t in years:
        if t >= target_year:
            path[t] = target_t
        elif t <= base_year:
            path[t] = base_t
        else:
            w = (t - base_year) / (target_year - base_year)
            path[t] = base_t * (target_t / base_t) ** w
    return path


def _od_for(
    scenario: DemandScenario, net: Network, total_t: float, in_service: Collection[str] = ()
) -> ODTable:
    """Scenario rows scaled so freight adds up to `total_t` t/yr (electricity unscaled); rows
    that require a project count only when it is in `in_service`."""
    f = total_t / scenario.tonnes(net)
    rows = [
        (
            r.commodity,
            r.origin,
            r.destination,
            r.quantity * (1.0 if net.commodities[r.commodity].unit == "MWh" else f),
        )
        for r in scenario.rows
        if not r.requires or r.requires in in_service
    ]
    return ODTable.from_rows(rows)

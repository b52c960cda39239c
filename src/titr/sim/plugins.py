"""Disruption plugins: they turn scenario settings into per-stage blocking windows and payload
factors for one replication. All times in hours from the simulation start.

- weather: storms stop sailings of weather-sensitive lines: `titr.graph.weather.storm_windows`
  from each sea's dataset storm climate (storm days by month, episode length), the same
  process the router's storm wait is drawn from; one storm process per sea. A scenario may
  override the yearly days, the season months and share, and the mean episode length
  (`StormClimate.reshaped`).
- low_water: payload per sailing × payload_factor (the dataset's
  ``caspian_low_water_payload_factor`` unless the scenario gives one), all year or in the
  given months.
- closures: scheduled windows [start_day, end_day) on a node (every stage there), a link, a
  process or a service.
- breakdowns: alternating up ~ Exp(mtbf) and down ~ Exp(mttr) periods per section/queue stage;
  a vessel breaks down on a sailing with probability 1 − exp(−cycle / mtbf) and is then kept
  out for an extra Exp(mttr).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from titr.graph.weather import MONTH_DAYS, StormClimate, merge, month_of, storm_windows
from titr.sim.model import SimModel

__all__ = ["MONTH_DAYS", "Disruptions", "draw_disruptions", "merge", "month_of", "storm_windows"]


@dataclass
class Disruptions:
    windows: list[tuple[np.ndarray, np.ndarray]]  # per stage: merged (starts, ends) hours
    payload: list[np.ndarray]  # per stage: 12 monthly payload factors
    vessel_fail_p: list[float]  # per stage: breakdown probability per sailing
    mttr_h: float


def updown_windows(
    rng: np.random.Generator, span_h: float, mtbf_h: float, mttr_h: float
) -> tuple[np.ndarray, np.ndarray]:
    n = int(span_h / mtbf_h * 1.5) + 10
    up = rng.exponential(mtbf_h, n)
    down = rng.exponential(mttr_h, n)
    starts = np.cumsum(up + np.concatenate([[0.0], down[:-1]]))
    keep = starts < span_h
    return starts[keep], starts[keep] + down[keep]


def draw_disruptions(model: SimModel, rng: np.random.Generator) -> Disruptions:
    """Sample this replication's windows. Uses `rng` in a fixed order (same seed, same draws)."""
    sc = model.scenario
    span = 2.0 * model.horizon_h + 24 * 365  # cover the drain after the horizon
    n = len(model.stages)
    ws: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
    payload = [np.ones(12) for _ in range(n)]
    fail_p = [0.0] * n
    w: dict[str, Any] | None = sc.weather
    if w is not None:
        sel = w.get("services")
        seas: dict[str, str] = model.plugins.get("weather_seas", {})
        climates: dict[str, StormClimate] = model.plugins["storm_climates"]
        explicit = w.get("storm_days_per_year") is not None
        groups: dict[str, list[int]] = {}
        for i, st in enumerate(model.stages):
            if st.kind == "sail" and (st.resource in sel if sel else st.weather_sensitive):
                # a scenario's own yearly storm days apply to every selected line as one sea
                sea = "caspian" if explicit else seas.get(st.resource, "caspian")
                groups.setdefault(sea, []).append(i)
        for sea in sorted(groups):  # one storm process per sea, in a fixed order
            climate = climates[sea].reshaped(
                w.get("storm_days_per_year"),
                w.get("season_months"),
                w.get("season_share"),
                w.get("mean_duration_days"),
            )
            win = storm_windows(rng, climate, span, sc.start_month)
            for i in groups[sea]:
                ws[i].append(win)
    lw = sc.low_water
    if lw is not None:
        f = lw.get("payload_factor")
        f = float(model.plugins["low_water_payload_factor"]) if f is None else f
        sel = lw.get("services")
        months = lw.get("months") or list(range(1, 13))
        caspian = {k for k, v in model.plugins.get("weather_seas", {}).items() if v == "caspian"}
        for i, st in enumerate(model.stages):
            if st.kind == "sail" and (
                st.resource in sel
                if sel
                else (st.resource in caspian if caspian else st.weather_sensitive)
            ):
                for m in months:
                    payload[i][m - 1] = f
    for cl in sc.closures:
        s, e = np.array([cl.start_day * 24.0]), np.array([cl.end_day * 24.0])
        for i, st in enumerate(model.stages):
            if cl.target in (st.resource, st.node):
                ws[i].append((s, e))
    bd = sc.breakdowns
    mttr = 0.0
    if bd is not None:
        mtbf, mttr = bd["mtbf_days"] * 24.0, bd["mttr_hours"]
        for i, st in enumerate(model.stages):
            if st.kind not in bd["kinds"]:
                continue
            if st.kind == "sail":
                fail_p[i] = 1.0 - float(np.exp(-st.cycle_h / mtbf))
            else:
                ws[i].append(updown_windows(rng, span, mtbf, mttr))
    merged = []
    for lst in ws:
        if lst:
            merged.append(
                merge(np.concatenate([a for a, _ in lst]), np.concatenate([b for _, b in lst]))
            )
        else:
            merged.append((np.zeros(0), np.zeros(0)))
    return Disruptions(merged, payload, fail_p, mttr)

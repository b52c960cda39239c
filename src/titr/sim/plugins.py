"""Disruption plugins: they turn scenario settings into per-stage blocking windows and payload
factors for one replication. All times in hours from the simulation start.

- weather: storms stop sailings of weather-sensitive lines. Storm starts are Poisson; the rate
  is storm_days_per_year / mean_duration_days storms per year, a share `season_share` of them
  in `season_months` (Nov–Feb by default), durations Triangular(d/2, d, 3d/2) days (mean d).
  Expected blocked days per year ≈ storm_days_per_year (less the overlaps).
- low_water: payload per sailing × payload_factor (0.70–0.75 on the Caspian), all year or in
  the given months.
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

from titr.sim.model import SimModel

MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


@dataclass
class Disruptions:
    windows: list[tuple[np.ndarray, np.ndarray]]  # per stage: merged (starts, ends) hours
    payload: list[np.ndarray]  # per stage: 12 monthly payload factors
    vessel_fail_p: list[float]  # per stage: breakdown probability per sailing
    mttr_h: float


def month_of(t_h: np.ndarray | float, start_month: int = 1) -> np.ndarray:
    """Calendar month index 0..11 at time t (hours), for a start on day 1 of start_month."""
    edges = np.concatenate([[0.0], np.cumsum(np.roll(MONTH_DAYS, -(start_month - 1)))]) * 24
    doy = np.mod(np.asarray(t_h, dtype=float), 365.0 * 24)
    k = np.searchsorted(edges, doy, side="right") - 1
    return (np.clip(k, 0, 11) + start_month - 1) % 12


def merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals as sorted, disjoint [start, end) windows."""
    if len(starts) == 0:
        return np.zeros(0), np.zeros(0)
    o = np.argsort(starts, kind="stable")
    s, e = starts[o], ends[o]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > run_end[:-1]
    grp = np.cumsum(new) - 1
    out_s = s[new]
    out_e = np.zeros(len(out_s))
    np.maximum.at(out_e, grp, run_end)
    return out_s, out_e


def storm_windows(
    rng: np.random.Generator,
    span_h: float,
    storm_days: float,
    season_months: list[int],
    season_share: float,
    mean_days: float,
    start_month: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal storm process (see module doc); returns merged windows in hours."""
    years = span_h / 8760.0
    n_storms = rng.poisson(storm_days / mean_days * years)
    in_season = rng.random(n_storms) < season_share
    # candidate start days sampled by rejection within the right part of the year
    starts = np.empty(n_storms)
    for want, mask in ((True, in_season), (False, ~in_season)):
        k = int(mask.sum())
        got: list[np.ndarray] = []
        need = k
        while need > 0:
            cand = rng.random(max(2 * need, 8)) * span_h
            ok = np.isin(month_of(cand, start_month) + 1, season_months) == want
            got.append(cand[ok][:need])
            need -= len(got[-1])
        starts[mask] = np.concatenate(got) if got else np.zeros(0)
    dur = rng.triangular(mean_days / 2, mean_days, 1.5 * mean_days, n_storms) * 24.0
    return merge(starts, starts + dur)


def updown_windows(
    rng: np.random.Generator, span_h: float, mtbf_h: float, mttr_h: float
) -> tuple[np.ndarray, np.ndarray]:
    n = int(span_h / mtbf_h * 1.5) + 10
    up = rng.exponential(mtbf_h, n)
    down = rng.exponential(mttr_h, n)
    starts = np.cumsum(up + np.concatenate([[0.0], down[:-1]]))
    keep = starts < span_h
    return starts[keep], starts[keep] + down[keep]


def _param(model: SimModel, key: str, default: float) -> float:
    v = model.plugins.get(key)
    return float(v) if v is not None else default


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
        caspian = set(model.plugins.get("caspian_services", []))
        explicit = w.get("storm_days_per_year")
        groups: dict[str, list[int]] = {}
        for i, st in enumerate(model.stages):
            if st.kind == "sail" and (st.resource in sel if sel else st.weather_sensitive):
                sea = (
                    "caspian"
                    if (explicit is not None or not caspian or st.resource in caspian)
                    else "other"
                )
                groups.setdefault(sea, []).append(i)
        for sea in ("caspian", "other"):  # one storm process per sea, in a fixed order
            if sea not in groups:
                continue
            if explicit is not None:
                days = explicit
            elif sea == "caspian":
                days = _param(model, "storm_days_per_year", 40.0)
            else:
                days = _param(
                    model,
                    "black_sea_storm_days_per_year",
                    _param(model, "storm_days_per_year", 40.0),
                )
            win = storm_windows(
                rng,
                span,
                days,
                w.get("season_months") or model.plugins.get("season_months", [11, 12, 1, 2]),
                w["season_share"]
                if w.get("season_share") is not None
                else _param(model, "season_share", 0.75),
                w["mean_duration_days"]
                if w.get("mean_duration_days") is not None
                else _param(model, "mean_duration_days", 3.0),
                sc.start_month,
            )
            for i in groups[sea]:
                ws[i].append(win)
    lw = sc.low_water
    if lw is not None:
        f = lw.get("payload_factor")
        f = _param(model, "low_water_payload_factor", 0.725) if f is None else f
        sel = lw.get("services")
        months = lw.get("months") or list(range(1, 13))
        caspian = set(model.plugins.get("caspian_services", []))
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

"""Sensitivity (tornado) and Monte Carlo of the plan's NPV.

Inputs varied (ranges from the dataset's parameters, each with its source):
- discount rate: appraisal_discount_rate_low .. _high;
- capex (optimism bias): rail projects × (1 + overrun), overrun ~ the rail reference class
  (lognormal with mean 1 + capex_overrun_rail_mean and sd capex_overrun_rail_sd); other projects
  × U(1 + capex_overrun_other_low, 1 + capex_overrun_other_high). Opex and residual value follow
  capex. Tornado: × 1 (as estimated) .. × (1 + rail mean);
- demand: × D, D ~ N(1, demand_forecast_sd) truncated to [DEMAND_GRID[0], DEMAND_GRID[-1]].
  Benefits are recomputed by the corridor assignment at each demand factor of DEMAND_GRID and
  interpolated linearly in between (the capacity limits make them non-linear in demand);
- value of time: time and reliability benefits × V, V ~ N(1, value_of_time_sd) truncated >= 0;
- carbon value: U(low, high); transit margin: U(low, high) (each scales its component).

Draw i of the Monte Carlo belongs to chunk c = i // CHUNK and uses the generator
`numpy.random.default_rng(SeedSequence([seed, c]))`: the result depends on (inputs, seed,
draws) only — the same on the serial, local-process and Dask executors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from titr.appraisal.appraise import COMPONENTS, Appraisal, Stream, stream_for
from titr.errors import DataError, Issue
from titr.sim.montecarlo import EXECUTORS, rep_rng

DEMAND_GRID = (0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6)
CHUNK = 2000


def _plan_stream(a: Appraisal, demand_factor: float) -> Stream:
    plan = a.view.projects

    def on(y: int) -> set[str]:
        return {p.id for p in plan if p.in_service <= y}

    if demand_factor == 1.0:
        return a.stream
    return stream_for(
        a.view, a.params, plan, on, lambda y: set(), a.spread_ratio, demand_factor=demand_factor
    )


def tornado(a: Appraisal) -> list[dict[str, Any]]:
    """NPV (MUSD) of the plan at the low and high value of each input, the others central;
    sorted by swing, largest first."""
    p = a.params
    r = p.discount_rate
    base = a.stream
    npv0 = base.measures(r)["npv_musd"]
    rows = []

    def add(name: str, lo_val: Any, hi_val: Any, lo: Stream | float, hi: Stream | float) -> None:
        lo_npv = lo if isinstance(lo, float) else lo.measures(r)["npv_musd"]
        hi_npv = hi if isinstance(hi, float) else hi.measures(r)["npv_musd"]
        rows.append(
            {
                "input": name,
                "low_value": lo_val,
                "high_value": hi_val,
                "npv_low_musd": lo_npv,
                "npv_high_musd": hi_npv,
                "swing_musd": abs(hi_npv - lo_npv),
            }
        )

    add(
        "discount_rate",
        p.discount_rate_low,
        p.discount_rate_high,
        base.measures(p.discount_rate_low)["npv_musd"],
        base.measures(p.discount_rate_high)["npv_musd"],
    )
    add(
        "capex",
        1.0,
        1 + p.capex_overrun_rail_mean,
        base,
        base.scaled(capex=1 + p.capex_overrun_rail_mean),
    )
    d_lo, d_hi = max(DEMAND_GRID[0], 1 - p.demand_sd), min(DEMAND_GRID[-1], 1 + p.demand_sd)
    add("demand", d_lo, d_hi, _plan_stream(a, d_lo), _plan_stream(a, d_hi))
    add(
        "value_of_time",
        1 - p.value_of_time_sd,
        1 + p.value_of_time_sd,
        base.scaled(time=1 - p.value_of_time_sd),
        base.scaled(time=1 + p.value_of_time_sd),
    )
    add(
        "carbon_value",
        p.carbon_value_low,
        p.carbon_value_high,
        _component_scaled(base, "co2", p.carbon_value_low / p.carbon_value),
        _component_scaled(base, "co2", p.carbon_value_high / p.carbon_value),
    )
    add(
        "transit_margin",
        p.transit_margin_low,
        p.transit_margin_high,
        _component_scaled(base, "transit", p.transit_margin_low / p.transit_margin),
        _component_scaled(base, "transit", p.transit_margin_high / p.transit_margin),
    )
    for row in rows:
        row["npv_base_musd"] = npv0
    return sorted(rows, key=lambda x: -x["swing_musd"])


def _component_scaled(s: Stream, comp: str, k: float) -> Stream:
    b = dict(s.benefits)
    b[comp] = b[comp] * (k if np.isfinite(k) else 0.0)
    return Stream(s.years, s.capex, s.opex, s.residual, b, s.transit_by_country)


@dataclass
class McInputs:
    """Everything a chunk needs, as plain arrays (picklable for process and Dask workers)."""

    rate: float
    cost_pv: np.ndarray  # per project: PV(capex + opex − residual), MUSD
    rail: np.ndarray  # bool per project
    grid: np.ndarray  # demand factors
    pv_comp: dict[str, np.ndarray]  # component -> PV (MUSD) at each grid factor
    params: dict[str, float] = field(default_factory=dict)


def mc_inputs(a: Appraisal) -> McInputs:
    p = a.params
    r = p.discount_rate
    df = (1 + r) ** -np.arange(len(p.years), dtype=float)
    cost = []
    for pa in a.projects:
        s = pa.stream
        cost.append(float((s.capex + s.opex - s.residual) @ df))
    if not a.projects:
        raise DataError(Issue("<plan>", None, None, None, "the plan has no project to appraise"))
    streams = [_plan_stream(a, f) for f in DEMAND_GRID]
    pv_comp = {k: np.array([float(s.benefits[k] @ df) for s in streams]) for k in COMPONENTS}
    return McInputs(
        r,
        np.array(cost),
        np.array([pa.project.mode.startswith("rail") for pa in a.projects]),
        np.array(DEMAND_GRID),
        pv_comp,
        {
            "rail_mean": p.capex_overrun_rail_mean,
            "rail_sd": p.capex_overrun_rail_sd,
            "other_low": p.capex_overrun_other_low,
            "other_high": p.capex_overrun_other_high,
            "demand_sd": p.demand_sd,
            "vot_sd": p.value_of_time_sd,
            "carbon": p.carbon_value,
            "carbon_low": p.carbon_value_low,
            "carbon_high": p.carbon_value_high,
            "margin": p.transit_margin,
            "margin_low": p.transit_margin_low,
            "margin_high": p.transit_margin_high,
        },
    )


def mc_chunk(inp: McInputs, seed: int, chunk: int, n: int) -> np.ndarray:
    """NPV (MUSD) of `n` draws of chunk `chunk` (see module doc)."""
    g = rep_rng(seed, chunk)
    q = inp.params
    nP = inp.cost_pv.size
    # lognormal with the reference-class mean m and sd s of the cost factor
    m, s = 1 + q["rail_mean"], q["rail_sd"]
    sig2 = np.log(1 + (s / m) ** 2)
    rail_f = g.lognormal(np.log(m) - sig2 / 2, np.sqrt(sig2), size=(n, nP))
    other_f = g.uniform(1 + q["other_low"], 1 + q["other_high"], size=(n, nP))
    cost = np.where(inp.rail, rail_f, other_f) @ inp.cost_pv
    dem = np.clip(g.normal(1.0, q["demand_sd"], size=n), inp.grid[0], inp.grid[-1])
    vot = np.clip(g.normal(1.0, q["vot_sd"], size=n), 0.0, None)
    carbon = g.uniform(q["carbon_low"], q["carbon_high"], size=n) / q["carbon"]
    margin = (
        g.uniform(q["margin_low"], q["margin_high"], size=n) / q["margin"]
        if q["margin"] > 0
        else np.ones(n)
    )
    scale = {"time": vot, "reliability": vot, "cost": 1.0, "co2": carbon, "transit": margin}
    ben = np.zeros(n)
    for k, pv in inp.pv_comp.items():
        ben += np.interp(dem, inp.grid, pv) * scale[k]
    return np.asarray(ben - cost)


def _chunks(draws: int) -> list[tuple[int, int]]:
    return [(c, min(CHUNK, draws - c * CHUNK)) for c in range((draws + CHUNK - 1) // CHUNK)]


def monte_carlo(
    a: Appraisal,
    draws: int = 10_000,
    seed: int = 0,
    *,
    executor: str = "serial",
    workers: int | None = None,
    address: str | None = None,
) -> dict[str, Any]:
    """P(NPV > 0) and NPV P10/P50/P90 (MUSD) over `draws` draws."""
    if executor not in EXECUTORS:
        raise DataError(
            Issue("<options>", None, "executor", executor, f"must be one of {', '.join(EXECUTORS)}")
        )
    if not 1 <= draws <= 10_000_000:
        raise DataError(Issue("<options>", None, "draws", str(draws), "must be in 1..10000000"))
    inp = mc_inputs(a)
    parts = _chunks(draws)
    if executor == "serial":
        res = [mc_chunk(inp, seed, c, n) for c, n in parts]
    elif executor == "local":
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as ex:
            res = list(ex.map(mc_chunk, *zip(*[(inp, seed, c, n) for c, n in parts], strict=True)))
    else:
        from distributed import Client, LocalCluster

        cluster = None
        if address:
            client = Client(address, timeout="20s")
        else:
            cluster = LocalCluster(
                n_workers=workers or 2,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)
        try:
            futs = [client.submit(mc_chunk, inp, seed, c, n, pure=False) for c, n in parts]
            res = client.gather(futs)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    npv = np.concatenate(res)
    p10, p50, p90 = (float(x) for x in np.percentile(npv, [10, 50, 90]))
    return {
        "draws": draws,
        "seed": seed,
        "executor": executor,
        "p_npv_positive": float(np.mean(npv > 0)),
        "npv_p10_musd": p10,
        "npv_p50_musd": p50,
        "npv_p90_musd": p90,
        "npv_mean_musd": float(npv.mean()),
    }

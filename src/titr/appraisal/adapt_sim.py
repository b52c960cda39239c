"""The one place where appraisal and reports read the simulation layer.

`reliability` runs the 2025 corridor baseline (bundled demand-2025, the dataset's storm
weather) on the existing executors with a seed and returns transit-time p50/p90, the on-time
share and the spread ratio (p90 − p50) / p50 the appraisal values reliability with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from titr.network.model import Network
from titr.sim.montecarlo import SimResult, simulate

# the same baseline as `titr simulate` without a scenario file
BASELINE: dict[str, Any] = {
    "name": "baseline-2025",
    "demand_scenario": "demand-2025",
    "horizon_days": 365,
    "warmup_days": 30,
    "plugins": {"weather": {}},
}


@dataclass
class Reliability:
    scenario: str
    seed: int
    replications: int
    p50_days: float
    p90_days: float
    mean_days: float
    on_time: float
    on_time_by_month: dict[int, float]
    result: SimResult

    @property
    def spread_ratio(self) -> float:
        return (self.p90_days - self.p50_days) / self.p50_days if self.p50_days > 0 else 0.0

    @property
    def source(self) -> str:
        return (
            f"simulation {self.scenario}, {self.replications} replications, seed {self.seed}: "
            f"p50 {self.p50_days:.1f} d, p90 {self.p90_days:.1f} d"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "replications": self.replications,
            "p50_days": self.p50_days,
            "p90_days": self.p90_days,
            "mean_days": self.mean_days,
            "on_time": self.on_time,
            "on_time_by_month": {str(k): v for k, v in self.on_time_by_month.items()},
            "spread_ratio": self.spread_ratio,
            "critical_resource": self.result.critical_resource,
        }


def reliability(
    net: Network,
    *,
    seed: int = 0,
    replications: int = 3,
    executor: str = "serial",
    workers: int | None = None,
    seasons: bool = True,
) -> Reliability:
    """Baseline corridor reliability; with `seasons`, the on-time share for shipments released
    in each quarter (a 90-day run starting in Jan, Apr, Jul, Oct, same seed)."""
    r = simulate(
        net,
        dict(BASELINE),
        replications=replications,
        seed=seed,
        executor=executor,
        workers=workers,
    )
    st = r.stats
    by_month: dict[int, float] = {}
    if seasons:
        for m in (1, 4, 7, 10):
            sc = dict(BASELINE, name=f"baseline-2025-m{m}", start_month=m, horizon_days=120)
            q = simulate(
                net,
                sc,
                replications=replications,
                seed=seed,
                executor=executor,
                workers=workers,
            )
            by_month[m] = float(q.stats["transit.on_time"]["mean"])
    return Reliability(
        str(BASELINE["name"]),
        seed,
        r.replications,
        float(st["transit.p50_d"]["mean"]),
        float(st["transit.p90_d"]["mean"]),
        float(st["transit.mean_d"]["mean"]),
        float(st["transit.on_time"]["mean"]),
        by_month,
        r,
    )

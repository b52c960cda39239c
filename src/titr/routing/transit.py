"""Transit-time distribution of a route: the sum of independent step times.

Method: the mean and variance are exact (sums of the steps' means and variances). Quantiles
come from Monte Carlo: ``n`` vectorised draws of every step (numpy Generator seeded with
``seed``), summed per draw; the same seed gives the same quantiles. The standard error of a
quantile with n = 20,000 is well under 1 % of the route time for these distributions.
All outputs are in days (hours / 24).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

DEFAULT_SAMPLES = 20_000


@dataclass(frozen=True)
class TransitTime:
    """Transit time in days: mean, standard deviation and the 10/50/90 % quantiles."""

    mean: float
    std: float
    p10: float
    p50: float
    p90: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean_days": self.mean,
            "std_days": self.std,
            "p10_days": self.p10,
            "p50_days": self.p50,
            "p90_days": self.p90,
            "method": self.method,
        }


def sample_total_hours(
    dists: Sequence[Any], n: int = DEFAULT_SAMPLES, seed: int | np.random.Generator | None = 0
) -> np.ndarray:
    """``n`` draws (hours) of the sum of the given independent distributions."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    total = np.zeros(n, dtype=float)
    for d in dists:
        if d is not None and d.max > 0:
            total += d.sample(rng, n)
    return total


def transit_time(
    dists: Sequence[Any], n: int = DEFAULT_SAMPLES, seed: int | np.random.Generator | None = 0
) -> TransitTime:
    """Distribution of the sum of independent step times (hours in, days out)."""
    ds = [d for d in dists if d is not None]
    mean_h = float(sum(d.mean for d in ds))
    var_h = float(sum(d.variance for d in ds))
    s = sample_total_hours(ds, n, seed)
    q10, q50, q90 = np.quantile(s, [0.1, 0.5, 0.9]) if n > 0 else (mean_h,) * 3
    tag = seed if isinstance(seed, int) else "generator"
    return TransitTime(
        mean=mean_h / 24.0,
        std=float(np.sqrt(var_h)) / 24.0,
        p10=float(q10) / 24.0,
        p50=float(q50) / 24.0,
        p90=float(q90) / 24.0,
        method=f"exact mean and variance; quantiles by Monte Carlo (n={n}, seed={tag})",
    )

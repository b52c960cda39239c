"""Transit-time distribution of a route: the sum of independent step times.

The mean and variance are exact (sums of the steps' means and variances). Quantiles:

* ``convolution`` (default when every step is triangular or uniform): the density of the sum
  is the convolution of the step densities. Each step's probability mass is put on a common
  grid of width h = Σ max / ~4096 from its exact CDF (mass of [kh, (k+1)h) at its centre), the
  grids are multiplied in Fourier space (real FFT; exact discrete convolution, no wrap-around)
  and the quantiles read off the cumulative mass with linear interpolation. Error ≈ h, i.e.
  about 0.1 h on a 20-day route; deterministic.
* ``monte_carlo``: ``n`` vectorised draws of every step from a numpy Generator seeded with
  ``seed``, summed per draw; the same seed gives the same quantiles (standard error of a
  quantile with n = 20,000: well under 1 % of the route time).

All outputs are in days (hours / 24).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from titr.graph.dist import Uniform
from titr.network.model import Triangular

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


def _cdf(d: Any, x: np.ndarray) -> np.ndarray | None:
    """Exact CDF of a Triangular or Uniform at x (hours); None for other kinds."""
    a, b = float(d.min), float(d.max)
    x = np.clip(x, a, b)
    if isinstance(d, Triangular):
        c = float(d.mode)
        with np.errstate(divide="ignore", invalid="ignore"):
            lo = (x - a) ** 2 / ((b - a) * (c - a)) if c > a else np.zeros_like(x)
            hi = 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else np.ones_like(x)
        return np.clip(np.where(x <= c, lo, hi), 0.0, 1.0)  # type: ignore[no-any-return]
    if isinstance(d, Uniform):
        return np.clip((x - a) / (b - a), 0.0, 1.0)  # type: ignore[no-any-return]
    return None


def convolved_quantiles(
    dists: Sequence[Any], qs: Sequence[float], bins: int = 4096
) -> np.ndarray | None:
    """Quantiles (hours) of the sum by FFT convolution of gridded densities, or None when a
    step's distribution kind has no known CDF."""
    fixed = sum(float(d.min) for d in dists if d.max <= d.min)
    rand = [d for d in dists if d.max > d.min]
    if not rand:
        return np.full(len(qs), fixed)
    m = len(rand)
    size = 1 << int(np.ceil(np.log2(bins)))
    while size - 2 * m - 2 < size // 2:
        size *= 2
    h = sum(float(d.max) for d in rand) / (size - 2 * m - 2)
    pmf = np.zeros((m, size))
    for i, d in enumerate(rand):
        k0, k1 = int(np.floor(d.min / h)), int(np.ceil(d.max / h))
        cdf = _cdf(d, np.arange(k0, k1 + 1) * h)
        if cdf is None:
            return None
        pmf[i, k0:k1] = np.diff(cdf)
    spec = np.prod(np.fft.rfft(pmf, axis=1), axis=0)
    cum = np.cumsum(np.clip(np.fft.irfft(spec, size), 0.0, None))
    cum /= cum[-1]
    out = []
    for q in qs:
        k = min(int(np.searchsorted(cum, q)), size - 1)
        prev = cum[k - 1] if k > 0 else 0.0
        frac = (q - prev) / max(cum[k] - prev, 1e-300)
        # the mass at index k is the sum of m bin centres: [(k + m/2 - 1/2) h, (k + m/2 + 1/2) h]
        out.append(fixed + (k + m / 2 - 0.5 + frac) * h)
    return np.array(out)


def transit_time(
    dists: Sequence[Any],
    n: int = DEFAULT_SAMPLES,
    seed: int | np.random.Generator | None = 0,
    method: str = "convolution",
) -> TransitTime:
    """Distribution of the sum of independent step times (hours in, days out)."""
    if method not in ("convolution", "monte_carlo"):
        raise ValueError("method must be 'convolution' or 'monte_carlo'")
    ds = [d for d in dists if d is not None]
    mean_h = float(sum(d.mean for d in ds))
    var_h = float(sum(d.variance for d in ds))
    std = float(np.sqrt(var_h)) / 24.0
    if method == "convolution":
        q = convolved_quantiles(ds, (0.1, 0.5, 0.9))
        if q is not None:
            return TransitTime(
                mean=mean_h / 24.0,
                std=std,
                p10=float(q[0]) / 24.0,
                p50=float(q[1]) / 24.0,
                p90=float(q[2]) / 24.0,
                method="exact mean and variance; quantiles by numerical convolution of the "
                "step densities (FFT on a 4096-bin grid)",
            )
    s = sample_total_hours(ds, n, seed)
    q10, q50, q90 = np.quantile(s, [0.1, 0.5, 0.9]) if n > 0 else (mean_h,) * 3
    tag = seed if isinstance(seed, int) else "generator"
    return TransitTime(
        mean=mean_h / 24.0,
        std=std,
        p10=float(q10) / 24.0,
        p50=float(q50) / 24.0,
        p90=float(q90) / 24.0,
        method=f"exact mean and variance; quantiles by Monte Carlo (n={n}, seed={tag})",
    )

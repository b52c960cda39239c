"""Transit-time distribution of a route: the sum of independent step times.

The mean and variance are exact (sums of the steps' means and variances). Quantiles:

* ``convolution`` (default when every step is triangular or uniform): the density of the sum
  is the convolution of the step densities. Each step, shifted by its minimum, has its
  probability mass put on a common grid from its exact CDF (mass of [kh, (k+1)h) at its
  centre, each step moved by < h/2 so its gridded mean is its exact mean); the grid spans
  only the random part of the sum, h = Σ (max - min) / ~2000, so fixed offsets cost no
  resolution. The grids are multiplied in Fourier space (one batched
  real FFT; exact discrete convolution, no wrap-around) and the quantiles read off the
  cumulative mass with linear interpolation. Error ≲ h (well under an hour on a 20-day
  route, tested against Monte Carlo and exact sums); deterministic.
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


GRID = 2048  # FFT length of the bounded grid (doubled while the steps need more room)


def convolved_quantiles(
    dists: Sequence[Any], qs: Sequence[float], size: int = GRID
) -> np.ndarray | None:
    """Quantiles (hours) of the sum by FFT convolution of gridded densities, or None when a
    step's distribution kind has no known CDF.

    Bounded grid: each random step is shifted by its minimum, so the grid only spans the
    random part of the sum, W = Σ (max - min), in ``size - m - 1`` bins of width h (m random
    steps); the fixed part Σ min is added back exactly. Step i occupies ceil(w_i / h) ≤
    w_i / h + 1 bins, so the m step grids together need at most ``size - 1`` bins of the
    ``size``-point FFT: no wrap-around. All steps' CDFs are evaluated in one array operation
    (steps × bins) and transformed in one batched real FFT."""
    const = 0.0
    lo: list[float] = []
    wid: list[float] = []
    mode: list[float] = []  # mode - min for triangular, NaN for uniform
    for d in dists:
        if d.max <= d.min:
            const += float(d.min)
            continue
        if isinstance(d, Triangular):
            mode.append(float(d.mode) - float(d.min))
        elif isinstance(d, Uniform):
            mode.append(np.nan)
        else:
            return None
        lo.append(float(d.min))
        wid.append(float(d.max) - float(d.min))
    if not wid:
        return np.full(len(qs), const)
    m = len(wid)
    while size - m - 1 < size // 2:
        size *= 2
    w = np.asarray(wid)[:, None]
    c = np.asarray(mode)[:, None]
    h = float(w.sum()) / (size - m - 1)
    n_pts = int(np.ceil(float(w.max()) / h)) + 1
    x = np.minimum(np.arange(n_pts + 1) * h, w)  # (m, n_pts + 1), clipped to each support
    with np.errstate(divide="ignore", invalid="ignore"):
        tri = np.where(
            x <= c,
            x * x / (w * np.maximum(c, 1e-300)),
            1.0 - (w - x) ** 2 / (w * np.maximum(w - c, 1e-300)),
        )
    cdf = np.where(np.isnan(c), x / w, tri)
    pmf = np.diff(np.clip(cdf, 0.0, 1.0), axis=1)
    # mass of a bin sits at its centre; shift each step so its gridded mean is its exact mean
    # (a step narrower than a bin would otherwise sit h/2 off, and m such offsets add up)
    mean = np.where(np.isnan(c), w / 2.0, (c + w) / 3.0)[:, 0]
    shift = float(np.sum(mean - pmf @ ((np.arange(n_pts) + 0.5) * h)))
    spec = np.prod(np.fft.rfft(pmf, n=size, axis=1), axis=0)
    cum = np.cumsum(np.clip(np.fft.irfft(spec, size), 0.0, None))
    cum /= cum[-1]
    q = np.asarray(qs, dtype=float)
    k = np.minimum(np.searchsorted(cum, q), size - 1)
    prev = np.where(k > 0, cum[np.maximum(k - 1, 0)], 0.0)
    frac = (q - prev) / np.maximum(cum[k] - prev, 1e-300)
    # the mass at index k is the sum of m bin centres: [(k + m/2 - 1/2) h, (k + m/2 + 1/2) h]
    return const + float(sum(lo)) + shift + (k + m / 2 - 0.5 + frac) * h  # type: ignore[no-any-return]


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
                "step densities (FFT on a grid bounded to the random part of the sum)",
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

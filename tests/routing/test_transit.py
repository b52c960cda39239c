"""Transit-time quantiles by convolution on the bounded grid: against exact sums and against
Monte Carlo with a tolerance from the sampling error of a quantile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from titr.graph.dist import Uniform
from titr.network.model import Triangular
from titr.routing.transit import (
    GRID,
    convolved_quantiles,
    sample_total_hours,
    transit_time,
)

QS = (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)


def _grid_h(dists: list[object], size: int = GRID) -> float:
    w = [d.max - d.min for d in dists if d.max > d.min]  # type: ignore[attr-defined]
    while size - len(w) - 1 < size // 2:
        size *= 2
    return sum(w) / (size - len(w) - 1)


def test_two_equal_uniforms_sum_to_a_triangle() -> None:
    # U(a1, a1 + w) + U(a2, a2 + w) is Triangular(a1 + a2, a1 + a2 + w, a1 + a2 + 2w) exactly
    d = [Uniform(30.0, 54.0), Uniform(500.0, 524.0)]
    exact = Triangular(min=530.0, mode=554.0, max=578.0).ppf(np.array(QS))
    got = convolved_quantiles(d, QS)
    assert got is not None
    assert np.max(np.abs(got - exact)) <= _grid_h(d)


def test_offsets_cost_no_resolution() -> None:
    # a 2-hour random step after 10,000 fixed hours: the grid spans the 2 hours only
    t = Triangular(min=10.0, mode=10.5, max=12.0)
    d = [Triangular(min=5000.0, mode=5000.0, max=5000.0), t, Uniform(4990.0, 4990.0)]
    got = convolved_quantiles(d, QS)
    assert got is not None
    np.testing.assert_allclose(got, 9990.0 + t.ppf(np.array(QS)), atol=2e-3)


def test_single_steps_are_their_own_quantiles() -> None:
    for d in (
        Uniform(3.0, 11.0),
        Triangular(min=1.0, mode=1.0, max=9.0),
        Triangular(min=1.0, mode=9.0, max=9.0),
        Triangular(min=2.0, mode=4.0, max=9.0),
    ):
        got = convolved_quantiles([d], QS)
        assert got is not None
        np.testing.assert_allclose(got, d.ppf(np.array(QS)), atol=_grid_h([d]))


def test_all_fixed_steps() -> None:
    d = [Triangular(min=4.0, mode=4.0, max=4.0), Uniform(2.5, 2.5)]
    assert list(convolved_quantiles(d, (0.1, 0.9))) == [6.5, 6.5]  # type: ignore[arg-type]


@dataclass(frozen=True)
class Lognormalish:
    """A step kind without a known CDF."""

    min: float = 1.0
    max: float = 5.0
    mean: float = 2.0
    variance: float = 0.5
    kind: str = "other"

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.min, self.max, n)


def test_unknown_kind_falls_back_to_monte_carlo() -> None:
    d = [Uniform(0.0, 10.0), Lognormalish()]
    assert convolved_quantiles(d, (0.5,)) is None
    tt = transit_time(d, n=2000, seed=3)
    assert "Monte Carlo" in tt.method and tt.p10 <= tt.p50 <= tt.p90


def _route(rng: np.random.Generator, n_steps: int) -> list[object]:
    out: list[object] = []
    for _ in range(n_steps):
        kind = rng.integers(0, 4)
        a = float(rng.uniform(0.0, 200.0))
        w = float(rng.choice([0.0, rng.uniform(0.05, 1.0), rng.uniform(1.0, 150.0)]))
        if kind == 0:
            out.append(Uniform(a, a + w))
        else:
            out.append(Triangular(min=a, mode=a + w * float(rng.uniform(0, 1)), max=a + w))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_matches_monte_carlo_within_its_sampling_error(seed: int) -> None:
    """|conv - MC| <= 4 standard errors of the MC quantile + one grid bin, where the standard
    error of the q-quantile of n draws is sqrt(q (1 - q) / n) / f(x_q) and the density f is
    read off the convolution itself."""
    rng = np.random.default_rng(seed)
    d = _route(rng, int(rng.integers(3, 60)))
    n = 200_000
    conv = convolved_quantiles(d, QS)
    assert conv is not None
    mc = np.quantile(sample_total_hours(d, n, seed), QS)
    h = _grid_h(d)
    for q, x, y in zip(QS, conv, mc, strict=True):
        lo, hi = convolved_quantiles(d, (max(q - 0.005, 1e-4), min(q + 0.005, 1 - 1e-4)))  # type: ignore[misc]
        dens = (min(q + 0.005, 1 - 1e-4) - max(q - 0.005, 1e-4)) / max(hi - lo, 1e-12)
        se = np.sqrt(q * (1 - q) / n) / dens
        assert abs(x - y) <= 4 * se + h, (q, x, y, se, h)


def test_many_steps_double_the_grid() -> None:
    # more random steps than half the grid: the FFT length doubles and the result stays right
    d: list[object] = [Uniform(1.0, 3.0)] * (GRID // 2 + 10)
    got = convolved_quantiles(d, (0.5,))
    assert got is not None
    # sum of k U(1, 3): symmetric around 2k
    assert got[0] == pytest.approx(2.0 * len(d), abs=_grid_h(d))


def test_transit_time_days_and_exact_moments() -> None:
    d = [Triangular(min=24.0, mode=48.0, max=96.0), Uniform(0.0, 24.0)]
    tt = transit_time(d)
    assert tt.mean == pytest.approx((56.0 + 12.0) / 24.0)
    var = Triangular(min=24.0, mode=48.0, max=96.0).variance + 24.0**2 / 12.0
    assert tt.std == pytest.approx(np.sqrt(var) / 24.0)
    assert tt.p10 < tt.p50 < tt.p90
    assert "convolution" in tt.method


def test_cached_step_spectra_give_the_same_quantiles(monkeypatch: pytest.MonkeyPatch) -> None:
    # a step's spectrum is kept per (step, bin width, FFT length): answers from the cache are
    # the answers computed afresh, also when the cache is too small for one route
    from titr.routing import transit as tr

    rng = np.random.default_rng(7)
    routes = [_route(rng, int(rng.integers(2, 40))) for _ in range(30)]
    tr._SPECTRA.clear()
    fresh = []
    for d in routes:
        tr._SPECTRA.clear()
        fresh.append(convolved_quantiles(d, QS))
    warm = [convolved_quantiles(d, QS) for d in routes]
    again = [convolved_quantiles(d, QS) for d in routes]
    for a, b, c in zip(fresh, warm, again, strict=True):
        assert a is not None and b is not None and c is not None
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(a, c)
    assert 0 < len(tr._SPECTRA) <= tr.MAX_SPECTRA
    monkeypatch.setattr(tr, "MAX_SPECTRA", 3)
    tr._SPECTRA.clear()
    for d, a in zip(routes, fresh, strict=True):
        np.testing.assert_array_equal(convolved_quantiles(d, QS), a)  # type: ignore[arg-type]
        assert len(tr._SPECTRA) <= 3


def test_bin_width_is_a_power_of_two_no_wider_than_the_bound() -> None:
    # h = 2^floor(log2(W / (GRID - m - 1))): never coarser than the bound, at most 2x finer
    from titr.routing import transit as tr

    rng = np.random.default_rng(11)
    for _ in range(20):
        d = _route(rng, int(rng.integers(1, 50)))
        keys = [tr._step_key(x) for x in d if x.max > x.min]  # type: ignore[attr-defined]
        if not keys:
            continue
        tr._SPECTRA.clear()
        convolved_quantiles(d, QS)
        hs = {k[3] for k in tr._SPECTRA}
        assert len(hs) == 1
        h = float(hs.pop())  # type: ignore[arg-type]
        bound = _grid_h(d)
        assert h == 2.0 ** round(np.log2(h)) and bound / 2 < h <= bound

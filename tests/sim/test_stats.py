"""Statistics of a replication: the hourly occupancy counts without sorting equal the
sort-and-search definition, on random values and on values at and next to grid points."""

from __future__ import annotations

import numpy as np
import pytest

from titr.sim.stats import _count_le


@pytest.mark.parametrize(("w0", "h"), [(720.0, 8760.0), (0.0, 100.0), (12.5, 400.0)])
def test_count_le_equals_sort_and_search(w0: float, h: float) -> None:
    rng = np.random.default_rng(int(w0))
    grid = np.arange(w0, h, 1.0)
    x = np.concatenate(
        [
            rng.uniform(-50.0, h + 50.0, 50_000),
            grid,
            np.nextafter(grid, np.inf),
            np.nextafter(grid, -np.inf),
            grid + 1e-9,
            [np.inf, -np.inf, np.nan],
        ]
    )
    rng.shuffle(x)
    ref = np.searchsorted(np.sort(x), grid, side="right")  # NaN sorts last: never counted
    np.testing.assert_array_equal(_count_le(x, grid), ref)


def test_count_le_empty() -> None:
    grid = np.arange(0.0, 5.0)
    np.testing.assert_array_equal(_count_le(np.zeros(0), grid), np.zeros(5))

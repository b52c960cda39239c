"""The compiled loops: each equals the numpy definition it replaces, exactly, on random data
and on the edge cases (ties, runs of equal values, values on grid points, NaN, infinities,
clustered values, empty input)."""

from __future__ import annotations

import numpy as np
import pytest

from titr.sim import kernels as K


def _order(x: np.ndarray) -> np.ndarray:
    o, how = K.run_order(x)
    if how == K.ORDERED:
        return np.arange(len(x))
    if how == K.SORT_YOURSELF:
        return np.argsort(x, kind="stable")
    return o


def _cases() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    trains = np.repeat(rng.random(400) * 1000, rng.integers(1, 60, 400))  # runs, unsorted
    sorted_parts = np.concatenate([np.sort(rng.random(3000) * 500) for _ in range(5)])
    dwell = np.sort(rng.random(20_000) * 8760) + rng.triangular(10, 20, 40, 20_000)
    ties = rng.integers(0, 50, 5000).astype(float)
    clustered = np.concatenate([rng.random(5000) * 1e-9, [1e6]])
    return [
        ("empty", np.zeros(0)),
        ("one", np.array([3.0])),
        ("sorted", np.arange(100.0)),
        ("sorted with repeats", np.repeat(np.arange(50.0), 3)),
        ("reversed", np.arange(100.0)[::-1].copy()),
        ("trains", trains),
        ("sorted parts", sorted_parts),
        ("dwell", dwell),
        ("dwell with equal values", np.round(dwell)),
        ("ties", ties),
        ("clustered", clustered),
        ("all equal", np.full(1000, 7.0)),
        ("inf", np.concatenate([dwell[:500], [np.inf, -np.inf], dwell[500:1000]])),
        ("nan", np.concatenate([dwell[:500], [np.nan], dwell[500:1000]])),
        ("negative", -dwell),
    ]


@pytest.mark.parametrize(("name", "x"), _cases(), ids=[c[0] for c in _cases()])
def test_run_order_is_the_stable_argsort(name: str, x: np.ndarray) -> None:
    np.testing.assert_array_equal(_order(x), np.argsort(x, kind="stable"))


def test_run_order_cases_count() -> None:
    assert len(_cases()) == 15


def _occupancy_ref(a, b, e, grid, chunks):  # type: ignore[no-untyped-def]
    def count_le(x):  # type: ignore[no-untyped-def]
        return np.searchsorted(np.sort(x), grid, side="right")  # NaN sorts last: not counted

    n = count_le(a) - count_le(e)
    q = count_le(a) - count_le(b)
    return int(n.sum()), [int(c.sum()) for c in np.array_split(q, chunks)]


@pytest.mark.parametrize(
    ("w0", "h", "chunks"), [(720.0, 8760.0, 47), (0.0, 100.0, 1), (12.5, 400.0, 2)]
)
def test_occupancy_equals_sort_and_search(w0: float, h: float, chunks: int) -> None:
    rng = np.random.default_rng(int(w0))
    grid = np.arange(w0, h, 1.0)
    a = np.concatenate(
        [rng.uniform(-50.0, h + 50.0, 20_000), grid, np.nextafter(grid, np.inf), grid + 1e-9]
    )
    a = np.concatenate([a, np.nextafter(grid, -np.inf), [np.inf, -np.inf, np.nan]])
    b = a + rng.exponential(30.0, len(a))
    e = b + rng.exponential(10.0, len(a))
    b[-1], e[-1] = np.nan, np.nan
    n_sum, sums = K.occupancy(a, b, e, grid, chunks)
    ref_n, ref_q = _occupancy_ref(a, b, e, grid, chunks)
    assert n_sum == ref_n
    assert sums.tolist() == ref_q


def test_occupancy_empty() -> None:
    grid = np.arange(0.0, 5.0)
    n_sum, sums = K.occupancy(np.zeros(0), np.zeros(0), np.zeros(0), grid, 1)
    assert n_sum == 0 and sums.tolist() == [0]


def test_queue_and_section_recursions() -> None:
    """Against the recursions written out in Python (FIFO c servers with a blocking window;
    headway with a window)."""
    import heapq

    rng = np.random.default_rng(1)
    a = np.sort(rng.random(2000) * 500)
    svc = rng.triangular(1, 2, 6, 2000)
    ws, we = np.array([100.0, 300.0]), np.array([110.0, 301.5])

    def defer(t: float) -> float:
        i = int(np.searchsorted(ws, t, side="right")) - 1
        return float(we[i]) if i >= 0 and t < we[i] else t

    for c in (1, 2, 5):
        free = [0.0] * c
        ref = []
        for k in range(len(a)):
            f = heapq.heappop(free)
            t = defer(max(a[k], f))
            ref.append(t)
            heapq.heappush(free, t + svc[k])
        assert K.queue_starts(a, svc, c, ws, we).tolist() == ref
    last, ref = -np.inf, []
    for k in range(len(a)):
        last = defer(max(a[k], last + 0.7))
        ref.append(last)
    assert K.section_starts(a, 0.7, ws, we).tolist() == ref


def test_batch_groups_and_tie() -> None:
    arr = np.array([1.0, 1.0, 2.0, 2.0, 2.0, 3.0])
    bids = np.array([7, 7, 8, 8, 8, 9])
    grp, heads, tie = K.batch_groups(arr, bids, True)
    assert not tie and grp.tolist() == [0, 0, 1, 1, 1, 2] and heads.tolist() == [0, 2, 5]
    # the same batch arriving at two instants is two groups
    grp, heads, tie = K.batch_groups(np.array([1.0, 2.0]), np.array([4, 4]), True)
    assert not tie and grp.tolist() == [0, 1]
    # two batches at the same instant: reported, and grouped when asked to go on
    a2, b2 = np.array([1.0, 1.0, 1.0]), np.array([3, 5, 5])
    assert K.batch_groups(a2, b2, True)[2]
    grp, heads, tie = K.batch_groups(a2, b2, False)
    assert grp.tolist() == [0, 1, 1] and heads.tolist() == [0, 1]

"""Compiled (numba) loops of the engine and the statistics: the parts numpy cannot vectorise
because each step depends on the one before (a FIFO queue's free servers, a section's last
entry, a train that fills up, the fleet of a ferry line) or that are single passes where numpy
would need several temporaries (merging sorted arrival streams, hourly occupancy counts).

Every kernel computes exactly what the pure-Python loop it replaced computed, with the same
floating-point operations in the same order, so a replication's results are bit-identical
(tests/sim/test_engine.py runs the current engine against a frozen copy of the old one).
Compiled with ``cache=True``: the first call in a fresh environment compiles (a few seconds,
reported by benchmarks/simulation.py as the JIT warm-up), later processes load the cache.
This module is imported on the first replication, not with `titr.sim`.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np
from numba import njit

_JIT: dict[str, Any] = {"cache": True, "nogil": True}


@njit(**_JIT)
def _defer(t: float, ws: np.ndarray, we: np.ndarray) -> float:
    """t moved to the end of the blocking window [ws[i], we[i]) that contains it (windows
    sorted and disjoint); bisect_right(ws, t) - 1 finds the candidate."""
    if len(ws) == 0:
        return t
    i = np.searchsorted(ws, t, side="right") - 1
    if i >= 0 and t < we[i]:
        return we[i]
    return t


ORDERED, ORDER, SORT_YOURSELF = 0, 1, 2
BUCKET_MAX = 256


@njit(**_JIT)
def _bucket_order(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Stable argsort of finite x spread over a range (arrival times after a per-shipment
    dwell): a counting sort into n buckets by floor((x - min) · (n − 1) / (max − min)) (monotone
    in x, so buckets are in value order; a counting sort keeps positions in order), then an
    insertion sort inside each bucket that moves an element only past strictly larger values
    (stable). O(n) for spread values; (-, SORT_YOURSELF) when a value is not finite or a
    bucket holds more than BUCKET_MAX elements (clustered values: leave it to numpy)."""
    n = len(x)
    lo, hi = x[0], x[0]
    for i in range(n):
        v = x[i]
        if not np.isfinite(v):
            return np.empty(0, dtype=np.int64), SORT_YOURSELF
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    scale = (n - 1) / (hi - lo)
    key = np.empty(n, dtype=np.int64)
    start = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        b = int((x[i] - lo) * scale)
        b = min(max(b, 0), n - 1)
        key[i] = b
        start[b + 1] += 1
    for b in range(n):
        if start[b + 1] > BUCKET_MAX:
            return np.empty(0, dtype=np.int64), SORT_YOURSELF
        start[b + 1] += start[b]
    out = np.empty(n, dtype=np.int64)
    fill = start[:-1].copy()
    for i in range(n):
        out[fill[key[i]]] = i
        fill[key[i]] += 1
    for b in range(n):
        for j in range(start[b] + 1, start[b + 1]):
            e = out[j]
            v = x[e]
            q = j - 1
            while q >= start[b] and x[out[q]] > v:
                out[q + 1] = out[q]
                q -= 1
            out[q + 1] = e
    return out, ORDER


@njit(**_JIT)
def run_order(x: np.ndarray) -> tuple[np.ndarray, int]:
    """The stable argsort of `x` when x is made of runs of equal values (the shipments of one
    train or sailing arrive together): the runs' first values are sorted (stable) and the runs
    expanded, O(n + runs log runs). Returns (order, ORDER); (-, ORDERED) when x is sorted
    already; (-, SORT_YOURSELF) when there are too few repeats to gain (more than n / 4 runs):
    the caller then uses numpy's adaptive timsort, which is fast on the concatenation of a few
    sorted streams. Both give the order of
    np.argsort(x, kind="stable"): equal values keep their positions' order, and runs of equal
    values are contiguous, so sorting runs stably by value sorts their elements by
    (value, position)."""
    n = len(x)
    runs = 1 if n else 0
    ordered = True
    for i in range(1, n):
        if x[i] != x[i - 1]:
            runs += 1
            if x[i] < x[i - 1]:
                ordered = False
    if ordered:
        return np.empty(0, dtype=np.int64), ORDERED
    if 4 * runs > n:
        return _bucket_order(x)
    heads = np.empty(runs, dtype=np.int64)
    vals = np.empty(runs)
    r = 0
    for i in range(n):
        if i == 0 or x[i] != x[i - 1]:
            heads[r] = i
            vals[r] = x[i]
            r += 1
    oh = np.argsort(vals, kind="mergesort")
    out = np.empty(n, dtype=np.int64)
    k = 0
    for q in range(runs):
        h = heads[oh[q]]
        e = heads[oh[q] + 1] if oh[q] + 1 < runs else n
        for i in range(h, e):
            out[k] = i
            k += 1
    return out, ORDER


@njit(**_JIT)
def queue_starts(
    a_b: np.ndarray, svc: np.ndarray, servers: int, ws: np.ndarray, we: np.ndarray
) -> np.ndarray:
    """FIFO c-server queue: s_k = defer(max(a_k, earliest free server)); that server is free
    again at s_k + svc_k."""
    nb = len(a_b)
    s_b = np.empty(nb)
    free = [0.0] * servers
    for k in range(nb):
        f = heapq.heappop(free)
        a = a_b[k]
        t = _defer(a if a > f else f, ws, we)
        s_b[k] = t
        heapq.heappush(free, t + svc[k])
    return s_b


@njit(**_JIT)
def section_starts(a_b: np.ndarray, h: float, ws: np.ndarray, we: np.ndarray) -> np.ndarray:
    """Rail section: s_k = defer(max(a_k, s_{k-1} + headway))."""
    nb = len(a_b)
    s_b = np.empty(nb)
    last = -np.inf
    for k in range(nb):
        nxt = last + h
        a = a_b[k]
        t = _defer(a if a > nxt else nxt, ws, we)
        s_b[k] = t
        last = t
    return s_b


@njit(**_JIT)
def form_batches(
    arr: np.ndarray,
    cum: np.ndarray,
    load: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    vessels: int,
    cap0: float,
    max_wait: float,
    cycle: float,
    payload: np.ndarray,
    vary: bool,
    edges: np.ndarray,
    start_month: int,
    fail_p: float,
    mttr: float,
    rng: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Train formation (vessels = 0) or sailings of a fleet: the batch starting at
    b = max(first arrival, first vessel back) leaves at defer(min(max(b, t_full), b + max_wait))
    and takes the shipments that fit and have arrived by then. Returns per batch: shipment
    count, departure, loaded, offered payload, start b. `rng` is drawn from only when a
    sailing can break down (fail_p > 0), in the order of the old loop."""
    n = len(arr)
    sizes = np.empty(n, dtype=np.int64)
    d_list = np.empty(n)
    loaded = np.empty(n)
    offered = np.empty(n)
    b_list = np.empty(n)
    fleet = [0.0] * vessels
    inf = np.inf
    i = 0
    k = 0
    while i < n:
        a_i = arr[i]
        if vessels:
            f = heapq.heappop(fleet)
            b = f if f > a_i else a_i
        else:
            b = a_i
        cap = cap0
        if vary:
            mo = int(np.searchsorted(edges, b % 8760.0, side="right")) - 1 + start_month - 1
            cap = cap * payload[min(mo % 12, 11)]
        base = cum[i - 1] if i else 0.0
        if load[i] > cap:
            cap = load[i]
        jf = i + int(np.searchsorted(cum[i:], base + cap + 1e-9, side="right"))
        if cum[jf - 1] - base >= cap - 1e-9:
            t_full = arr[jf - 1]
        elif jf < n:
            t_full = arr[jf]
        else:
            t_full = inf
        hi = b if b > t_full else t_full
        lim = b + max_wait
        d = _defer(hi if hi < lim else lim, ws, we)
        j2 = i + int(np.searchsorted(arr[i:], d, side="right"))
        j = jf if jf < j2 else j2
        sizes[k] = j - i
        d_list[k] = d
        loaded[k] = cum[j - 1] - base
        offered[k] = cap
        b_list[k] = b
        if vessels:
            back = d + cycle
            if fail_p > 0 and rng.random() < fail_p:
                back += rng.exponential(mttr)
            heapq.heappush(fleet, back)
        i = j
        k += 1
    return sizes[:k], d_list[:k], loaded[:k], offered[:k], b_list[:k]


@njit(**_JIT)
def _first_at_or_above(x: float, grid: np.ndarray) -> int:
    """Index of the first point of the hourly grid (grid[j] = grid[0] + j, as np.arange
    makes it) that is >= x, len(grid) if none (NaN included): searchsorted(grid, x, "left"),
    found by arithmetic and made exact by comparing with the grid values on each side."""
    J = len(grid)
    if np.isnan(x):  # never counted
        return J
    d = x - grid[0]
    if d <= 0.0:
        k = 0
    elif d >= J:
        k = J
    else:
        k = int(np.ceil(d))
    while k > 0 and grid[k - 1] >= x:
        k -= 1
    while k < J and grid[k] < x:
        k += 1
    return k


@njit(**_JIT)
def occupancy(
    a: np.ndarray, b: np.ndarray, e: np.ndarray, grid: np.ndarray, chunks: int
) -> tuple[int, np.ndarray]:
    """Hourly occupancy of one stage from arrival a, start b and exit e of its shipments:
    N(g) = #(a <= g) − #(e <= g) in the stage and Q(g) = #(a <= g) − #(b <= g) waiting, on
    every grid point g. Returns Σ_g N(g) (an exact integer: the time-average L is it / J) and
    the sums of Q over `chunks` consecutive pieces of the grid split as np.array_split does
    (the first J % chunks pieces one point longer). No sorting: one pass over the shipments
    into difference histograms, one over the grid."""
    J = len(grid)
    hn = np.zeros(J + 1, dtype=np.int64)
    hq = np.zeros(J + 1, dtype=np.int64)
    for i in range(len(a)):
        ka = _first_at_or_above(a[i], grid)
        hn[ka] += 1
        hq[ka] += 1
        hn[_first_at_or_above(e[i], grid)] -= 1
        hq[_first_at_or_above(b[i], grid)] -= 1
    base, extra = J // chunks, J % chunks
    sums = np.zeros(chunks, dtype=np.int64)
    n_tot = 0
    cn = 0
    cq = 0
    c = 0
    left = base + (1 if extra > 0 else 0)
    for j in range(J):
        cn += hn[j]
        cq += hq[j]
        n_tot += cn
        while left == 0:
            c += 1
            left = base + (1 if c < extra else 0)
        sums[c] += cq
        left -= 1
    return n_tot, sums


@njit(**_JIT)
def batch_groups(
    arr: np.ndarray, bids: np.ndarray, stop_on_tie: bool
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Shipments sorted by arrival, with their batch (train) ids: the group of each shipment
    (a new group where the batch or the arrival time changes), each group's first position,
    and whether two different batches arrive at the same instant somewhere: with
    `stop_on_tie` that ends the pass (the caller sorts by (arrival, batch) and calls again
    without it)."""
    n = len(arr)
    grp = np.empty(n, dtype=np.int64)
    heads = np.empty(n, dtype=np.int64)
    g = -1
    for i in range(n):
        if i == 0 or bids[i] != bids[i - 1] or arr[i] != arr[i - 1]:
            if stop_on_tie and i > 0 and arr[i] == arr[i - 1]:
                return grp[:0], heads[:0], True
            g += 1
            heads[g] = i
        grp[i] = g
    return grp, heads[: g + 1], False

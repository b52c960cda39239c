"""The fast engine: one replication of the operations model.

Events scale with trains and sailings, not with shipments. Stages are processed in topological
order; at each stage the arriving shipments (numpy index arrays) are sorted by arrival time and
grouped into batches (the train or vessel they ride on); the Python loop runs once per batch
(formation, headway, multi-server FIFO, sailing) and per-shipment times come out vectorised.

Recursions (hours): FIFO c-server queue s_k = defer(max(a_k, min_j free_j)), e_k = s_k + S_k;
rail section s_k = defer(max(a_k, s_{k-1} + headway)), exit s_k + run_k; batch formation: the
batch that starts at b leaves at defer(min(max(b, t_full), b + max_wait)) where t_full is when
the payload reached capacity (or the first lot that does not fit arrived). `defer(t)` moves t
to the end of any blocking window (storm, closure, breakdown) that contains it.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from titr.sim.model import SimModel, Stage
from titr.sim.plugins import MONTH_DAYS, Disruptions, draw_disruptions, month_of


@dataclass
class Trace:
    """Per-shipment times of one replication. Position k of a shipment's path:
    t_in[i, k] arrival at stage k, t_start[i, k] service start / departure, t_in[i, k + 1]
    leaving stage k (= arrival at k + 1); t_in[i, len(path)] is the delivery time."""

    flow: np.ndarray  # flow index per shipment
    release: np.ndarray
    t_in: np.ndarray
    t_start: np.ndarray
    batch: np.ndarray  # batch id per shipment and position
    plen: np.ndarray  # path length per shipment
    stage_stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def delivered(self) -> np.ndarray:
        return self.t_in[np.arange(len(self.flow)), self.plen]


def release_times(
    rng: np.random.Generator,
    lots_per_year: float,
    horizon_h: float,
    seasonality: list[float],
    start_month: int = 1,
) -> np.ndarray:
    """Non-homogeneous Poisson release times (hours) on [0, horizon): intensity per day is
    lots_per_year / 365 × seasonality[month]; times by inverting the cumulative intensity."""
    days = int(np.ceil(horizon_h / 24.0))
    d = np.arange(days)
    months = month_of(d * 24.0 + 12.0, start_month)
    rate = lots_per_year / 365.0 * np.asarray(seasonality)[months]
    last = horizon_h / 24.0 - (days - 1)
    w = rate * np.where(d == days - 1, last, 1.0)
    cum = np.concatenate([[0.0], np.cumsum(w)])
    n = rng.poisson(cum[-1])
    u = np.sort(rng.random(n)) * cum[-1]
    k = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, days - 1)
    frac = (u - cum[k]) / np.maximum(w[k], 1e-300)
    return np.asarray((k + frac) * 24.0)


def _defer_vec(t: np.ndarray, win: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    s, e = win
    if len(s) == 0:
        return t
    i = np.searchsorted(s, t, side="right") - 1
    ok = i >= 0
    inside = ok & (t < e[np.maximum(i, 0)])
    return np.where(inside, e[np.maximum(i, 0)], t)


class _Defer:
    def __init__(self, win: tuple[np.ndarray, np.ndarray]):
        self.s, self.e = win[0].tolist(), win[1].tolist()

    def __call__(self, t: float) -> float:
        if not self.s:
            return t
        i = bisect_right(self.s, t) - 1
        return self.e[i] if i >= 0 and t < self.e[i] else t


def run_replication(
    model: SimModel, rng: np.random.Generator, disruptions: Disruptions | None = None
) -> Trace:
    """Simulate shipments released in [0, horizon) until all are delivered."""
    sc = model.scenario
    H = model.horizon_h
    rel, fl = [], []
    for f_ix, f in enumerate(model.flows):
        t = release_times(rng, f["lots_per_year"], H, sc.seasonality, sc.start_month)
        rel.append(t)
        fl.append(np.full(len(t), f_ix, dtype=np.int64))
    dis = disruptions if disruptions is not None else draw_disruptions(model, rng)
    release = np.concatenate(rel) if rel else np.zeros(0)
    flow = np.concatenate(fl) if fl else np.zeros(0, dtype=np.int64)
    plens = np.array([len(model.paths[f["path"]].stages) for f in model.flows], dtype=np.int64)
    plen = plens[flow]
    n, P = len(release), int(plens.max(initial=0))
    t_in = np.full((n, P + 1), np.nan)
    t_start = np.full((n, P), np.nan)
    batch = np.full((n, P), -1, dtype=np.int64)
    t_in[:, 0] = release
    cur = np.arange(n, dtype=np.int64)  # current batch id (each shipment alone at release)
    next_id = n
    uses: list[list[tuple[int, int]]] = [[] for _ in model.stages]
    for f_ix, f in enumerate(model.flows):
        for k, s in enumerate(model.paths[f["path"]].stages):
            uses[s].append((f_ix, k))
    by_flow = [np.flatnonzero(flow == f_ix) for f_ix in range(len(model.flows))]
    stats: list[dict[str, float]] = [{} for _ in model.stages]
    for s in model.order:
        st = model.stages[s]
        parts = [(by_flow[f_ix], k) for f_ix, k in uses[s] if len(by_flow[f_ix])]
        if not parts:
            continue
        idx = np.concatenate([p for p, _ in parts])
        kk = np.concatenate([np.full(len(p), k, dtype=np.int64) for p, k in parts])
        arr = t_in[idx, kk]
        o = np.lexsort((idx, arr))
        idx, kk, arr = idx[o], kk[o], arr[o]
        win = dis.windows[s]
        if st.kind in ("form", "sail"):
            ld = model.load["t" if st.kind == "form" else st.unit][flow[idx]]
            start, out, bid, stats[s] = _batches(st, arr, ld, win, dis, s, rng, sc.start_month)
            bid = bid + next_id
            next_id = int(bid.max()) + 1
        elif st.kind == "dwell":
            start = _defer_vec(arr, win)
            out = start + st.time.sample(rng, len(arr))
            bid = np.arange(next_id, next_id + len(arr))
            next_id += len(arr)
            stats[s] = {"batches": float(len(arr))}
        else:
            start, out, bid, stats[s] = _per_batch(st, arr, cur[idx], win, rng)
        t_start[idx, kk] = start
        t_in[idx, kk + 1] = out
        batch[idx, kk] = bid
        cur[idx] = bid
    return Trace(flow, release, t_in, t_start, batch, plen, stats)


def _per_batch(
    st: Stage,
    arr: np.ndarray,
    bids: np.ndarray,
    win: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Queue or section stage; shipments in the same batch arrived together."""
    o = np.lexsort((bids, arr))
    inv = np.empty_like(o)
    inv[o] = np.arange(len(o))
    a_s, b_s = arr[o], bids[o]
    new = np.ones(len(o), dtype=bool)
    new[1:] = (b_s[1:] != b_s[:-1]) | (a_s[1:] != a_s[:-1])
    grp = np.cumsum(new) - 1
    a_b = a_s[new]
    nb = len(a_b)
    svc = st.time.sample(rng, nb)
    defer = _Defer(win)
    s_b = np.empty(nb)
    if st.kind == "queue":
        free = [0.0] * st.servers
        for k in range(nb):
            f = heapq.heappop(free)
            t = defer(max(a_b[k], f))
            s_b[k] = t
            heapq.heappush(free, t + svc[k])
        out_b = s_b + svc
        busy = svc
    else:
        h = st.headway_h
        if h <= 0 and not defer.s:
            s_b[:] = a_b
        else:
            last = -np.inf
            for k in range(nb):
                t = defer(max(a_b[k], last + h))
                s_b[k] = t
                last = t
        out_b = s_b + svc
        busy = np.full(nb, h)
    g = grp[inv]
    stats = {"batches": float(nb), "busy_h": float(busy.sum())}
    stats["_busy_starts"] = s_b  # type: ignore[assignment]
    stats["_busy_len"] = busy  # type: ignore[assignment]
    return s_b[g], out_b[g], bids, stats


def _batches(
    st: Stage,
    arr: np.ndarray,
    load: np.ndarray,
    win: tuple[np.ndarray, np.ndarray],
    dis: Disruptions,
    s_ix: int,
    rng: np.random.Generator,
    start_month: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Train formation (no fleet limit) or sailings of a fleet of `vessels` ships."""
    n = len(arr)
    cum = np.cumsum(load)
    defer = _Defer(win)
    dep = np.empty(n)
    bid = np.empty(n, dtype=np.int64)
    fleet = [0.0] * st.vessels
    payload = dis.payload[s_ix]
    vary = bool(np.any(payload != 1.0))
    edges = (
        np.concatenate([[0.0], np.cumsum(np.roll(MONTH_DAYS, -(start_month - 1)))]) * 24
    ).tolist()
    fail_p, mttr = dis.vessel_fail_p[s_ix], dis.mttr_h
    i = k = 0
    loaded: list[float] = []
    offered: list[float] = []
    b_list: list[float] = []
    while i < n:
        a_i = float(arr[i])
        b = max(heapq.heappop(fleet), a_i) if st.vessels else a_i
        cap = st.capacity
        if vary:
            m = (bisect_right(edges, b % 8760.0) - 1 + start_month - 1) % 12
            cap = cap * float(payload[min(m, 11)])
        base = float(cum[i - 1]) if i else 0.0
        cap = max(cap, float(load[i]))
        jf = int(np.searchsorted(cum, base + cap + 1e-9, side="right"))
        if cum[jf - 1] - base >= cap - 1e-9:
            t_full = float(arr[jf - 1])
        elif jf < n:
            t_full = float(arr[jf])
        else:
            t_full = np.inf
        d = defer(min(max(b, t_full), b + st.max_wait_h))
        j = min(jf, int(np.searchsorted(arr, d, side="right")))
        dep[i:j] = d
        bid[i:j] = k
        loaded.append(float(cum[j - 1]) - base)
        offered.append(cap)
        b_list.append(b)
        if st.vessels:
            back = d + st.cycle_h
            if fail_p > 0 and rng.random() < fail_p:
                back += rng.exponential(mttr)
            heapq.heappush(fleet, back)
        i = j
        k += 1
    out = dep + st.time.sample(rng, k)[bid] if st.kind == "sail" else dep.copy()
    stats = {
        "batches": float(k),
        "loaded": float(np.sum(loaded)),
        "offered": float(np.sum(offered)),
    }
    stats["_busy_starts"] = np.asarray(b_list)  # type: ignore[assignment]
    stats["_busy_len"] = np.full(k, st.cycle_h)  # type: ignore[assignment]
    return dep, out, bid, stats

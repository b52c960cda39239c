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

import functools
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np

from titr.sim.model import SimModel, Stage
from titr.sim.plugins import MONTH_DAYS, Disruptions, draw_disruptions, month_of


@dataclass
class Trace:
    """Per-shipment times of one replication, stored per flow f (shipments of a flow share a
    path): tin[f][k, j] arrival of shipment j at path position k, tst[f][k, j] its service
    start / departure there, tin[f][k + 1, j] leaving position k; tin[f][-1] is delivery.
    Global shipment numbering runs through the flows in order."""

    tin: list[np.ndarray]
    tst: list[np.ndarray]
    bat: list[np.ndarray]  # batch (train / sailing) id per position and shipment
    stage_stats: list[dict[str, Any]] = field(default_factory=list)

    @property
    def flow(self) -> np.ndarray:
        return np.concatenate(
            [np.full(t.shape[1], f, dtype=np.int64) for f, t in enumerate(self.tin)]
        )

    @property
    def release(self) -> np.ndarray:
        return np.concatenate([t[0] for t in self.tin])

    @property
    def delivered(self) -> np.ndarray:
        return np.concatenate([t[-1] for t in self.tin])

    @property
    def plen(self) -> np.ndarray:
        return np.concatenate(
            [np.full(t.shape[1], t.shape[0] - 1, dtype=np.int64) for t in self.tin]
        )

    def _dense(self, arrs: list[np.ndarray], width: int, fill: Any) -> np.ndarray:
        n = sum(a.shape[1] for a in arrs)
        out = np.full((n, width), fill, dtype=arrs[0].dtype if arrs else float)
        o = 0
        for a in arrs:
            out[o : o + a.shape[1], : a.shape[0]] = a.T
            o += a.shape[1]
        return out

    @property
    def t_in(self) -> np.ndarray:
        """Dense (shipments × (max path length + 1)) arrival times, NaN past the path end."""
        return self._dense(self.tin, max((t.shape[0] for t in self.tin), default=1), np.nan)

    @property
    def t_start(self) -> np.ndarray:
        return self._dense(self.tst, max((t.shape[0] for t in self.tst), default=1), np.nan)

    @property
    def batch(self) -> np.ndarray:
        return self._dense(self.bat, max((t.shape[0] for t in self.bat), default=1), -1)

    @classmethod
    def from_dense(
        cls,
        flow: np.ndarray,
        plens: np.ndarray,
        t_in: np.ndarray,
        t_start: np.ndarray,
        batch: np.ndarray,
        stats: list[dict[str, Any]],
    ) -> Trace:
        """From dense per-shipment arrays whose shipments are grouped by flow in order."""
        tin, tst, bat = [], [], []
        for f, p in enumerate(plens.tolist()):
            m = flow == f
            tin.append(np.ascontiguousarray(t_in[m, : p + 1].T))
            tst.append(np.ascontiguousarray(t_start[m, :p].T))
            bat.append(np.ascontiguousarray(batch[m, :p].T))
        return cls(tin, tst, bat, stats)


F = TypeVar("F", bound=Callable[..., Any])


def interruptible(fn: F) -> F:
    """Ctrl-C stays a KeyboardInterrupt inside the compiled loops: when SIGINT arrives while a
    numba kernel is calling back into Python, the interrupt surfaces as a chain of
    SystemError ("returned a result with an exception set") ending in the
    KeyboardInterrupt; re-raise that, so callers (the CLI's exit 130 and resume hint, the
    API's cancel) see what happened."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except SystemError as e:
            c: BaseException | None = e
            while c is not None:
                if isinstance(c, KeyboardInterrupt):
                    raise KeyboardInterrupt from None
                c = c.__cause__ or c.__context__
            raise

    return cast(F, wrapper)


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


@interruptible
def run_replication(
    model: SimModel, rng: np.random.Generator, disruptions: Disruptions | None = None
) -> Trace:
    """Simulate shipments released in [0, horizon) until all are delivered."""
    from titr.sim import kernels as K  # numba: imported on the first replication only

    sc = model.scenario
    H = model.horizon_h
    rel, fl = [], []
    for f_ix, f in enumerate(model.flows):
        t = release_times(rng, f["lots_per_year"], H, sc.seasonality, sc.start_month)
        rel.append(t)
        fl.append(np.full(len(t), f_ix, dtype=np.int64))
    dis = disruptions if disruptions is not None else draw_disruptions(model, rng)
    plens = [len(model.paths[f["path"]].stages) for f in model.flows]
    tin = [np.empty((p + 1, len(r))) for p, r in zip(plens, rel, strict=True)]
    tst = [np.empty((p, len(r))) for p, r in zip(plens, rel, strict=True)]
    bat = [np.empty((p, len(r)), dtype=np.int64) for p, r in zip(plens, rel, strict=True)]
    offs = np.concatenate([[0], np.cumsum([len(r) for r in rel])]).astype(np.int64)
    for f_ix, r in enumerate(rel):
        tin[f_ix][0] = r
    # current batch id per shipment: each shipment alone at release
    cur = [np.arange(offs[f], offs[f + 1], dtype=np.int64) for f in range(len(rel))]
    next_id = int(offs[-1])
    uses: list[list[tuple[int, int]]] = [[] for _ in model.stages]
    for f_ix, f in enumerate(model.flows):
        for k, s in enumerate(model.paths[f["path"]].stages):
            if len(rel[f_ix]):
                uses[s].append((f_ix, k))
    stats: list[dict[str, Any]] = [{} for _ in model.stages]
    for s in model.order:
        st = model.stages[s]
        parts = uses[s]
        if not parts:
            continue
        arr0 = np.concatenate([tin[f][k] for f, k in parts])
        lens = [len(rel[f]) for f, _ in parts]
        # shipments of a train arrive together: sort the trains, not the shipments, unless
        # the streams are sorted already (numpy's timsort then merges them in one pass);
        # ties go to the lower global shipment number, as in a stable argsort
        o, how = K.run_order(arr0)
        if how == K.ORDERED:
            o, arr = None, arr0
        else:
            if how == K.SORT_YOURSELF:
                o = np.argsort(arr0, kind="stable")
            arr = arr0[o]
        win = dis.windows[s]
        if st.kind in ("form", "sail"):
            lk = "t" if st.kind == "form" else st.unit
            ld = np.repeat(model.load[lk][[f for f, _ in parts]], lens)
            ld = ld if o is None else ld[o]
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
            c0 = np.concatenate([cur[f] for f, _ in parts])
            start, out, bid, stats[s] = _per_batch(st, arr, c0 if o is None else c0[o], win, rng)
        if o is not None:  # back from arrival order to the parts' order
            start_c, out_c, bid_c = np.empty_like(start), np.empty_like(out), np.empty_like(bid)
            start_c[o], out_c[o], bid_c[o] = start, out, bid
            start, out, bid = start_c, out_c, bid_c
        a = 0
        for (fi, k), m in zip(parts, lens, strict=True):
            tst[fi][k] = start[a : a + m]
            tin[fi][k + 1] = out[a : a + m]
            bat[fi][k] = cur[fi] = bid[a : a + m]
            a += m
    return Trace(tin, tst, bat, stats)


def _per_batch(
    st: Stage,
    arr: np.ndarray,
    bids: np.ndarray,
    win: tuple[np.ndarray, np.ndarray],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]:
    """Queue or section stage; shipments in the same batch arrived together. `arr` is sorted;
    only when two batches arrive at the same instant is a (bid, arr) sort needed."""
    from titr.sim import kernels as K

    grp, heads, tie = K.batch_groups(arr, bids, True)
    inv = None
    if tie:
        o = np.lexsort((bids, arr))
        inv = np.empty_like(o)
        inv[o] = np.arange(len(o))
        grp, heads, _ = K.batch_groups(arr[o], bids[o], False)
    a_b = arr[heads] if inv is None else arr[o][heads]
    nb = len(a_b)
    svc = st.time.sample(rng, nb)
    ws, we = win
    if st.kind == "queue":
        s_b = K.queue_starts(a_b, svc, st.servers, ws, we)
        out_b = s_b + svc
        busy = svc
    else:
        h = st.headway_h
        s_b = a_b.copy() if h <= 0 and not len(ws) else K.section_starts(a_b, h, ws, we)
        out_b = s_b + svc
        busy = np.full(nb, h)
    g = grp if inv is None else grp[inv]
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
    from titr.sim import kernels as K

    payload = np.asarray(dis.payload[s_ix], dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(np.roll(MONTH_DAYS, -(start_month - 1)))]) * 24
    sizes, d_arr, loaded, offered, b_arr = K.form_batches(
        arr,
        np.cumsum(load),
        np.ascontiguousarray(load, dtype=float),
        win[0],
        win[1],
        st.vessels,
        float(st.capacity),
        float(st.max_wait_h),
        float(st.cycle_h),
        payload,
        bool(np.any(payload != 1.0)),
        edges,
        start_month,
        float(dis.vessel_fail_p[s_ix]),
        float(dis.mttr_h),
        rng,
    )
    k = len(sizes)
    bid = np.repeat(np.arange(k, dtype=np.int64), sizes)
    dep = d_arr[bid]
    out = dep + st.time.sample(rng, k)[bid] if st.kind == "sail" else dep.copy()
    stats = {
        "batches": float(k),
        "loaded": float(np.sum(loaded)),
        "offered": float(np.sum(offered)),
    }
    stats["_busy_starts"] = b_arr  # type: ignore[assignment]
    stats["_busy_len"] = np.full(k, st.cycle_h)  # type: ignore[assignment]
    return dep, out, bid, stats

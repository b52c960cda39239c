"""Statistics of one replication and their confidence intervals across replications.

Per replication (shipments released in [warm-up, horizon), times in days unless named `_h`):
transit-time mean/p50/p90/p99 per origin–destination, on-time share (transit ≤ promised),
throughput (t and TEU per year delivered inside the window), mean wait per node, per resource
utilisation (busy time / (servers × window)), Little's-law terms (L as the time average of the
number in the stage on an hourly grid, counted in integers by `kernels.occupancy`,
λ = arrivals / window, W = mean time in the stage),
weekly mean queue length, and the critical-path share (the resource where a shipment waited
longest). Across replications each scalar gets a Student-t 95 % interval
mean ± t(0.975, n−1) · s / √n.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from typing import Any

import numpy as np
from scipy import stats as sps

from titr.sim.engine import Trace, interruptible
from titr.sim.model import SimModel

Q = {"p50_d": 50.0, "p90_d": 90.0, "p99_d": 99.0}


def _dist(x: np.ndarray, promised: np.ndarray | float) -> dict[str, float]:
    if len(x) == 0:
        return {"n": 0.0}
    d = {"n": float(len(x)), "mean_d": float(x.mean())}
    for k, v in zip(Q, np.percentile(x, list(Q.values())).tolist(), strict=True):
        d[k] = v
    d["on_time"] = float(np.mean(x <= np.asarray(promised) / 24.0))
    return d


@interruptible
def summarise(model: SimModel, tr: Trace, rep: int = 0) -> dict[str, Any]:
    """JSON-safe summary of one replication (see module doc)."""
    from titr.sim import kernels as K  # numba: loaded on first use, not with titr.sim

    sc = model.scenario
    H, W0 = model.horizon_h, sc.warmup_days * 24.0
    win = H - W0
    release, flow, dl = tr.release, tr.flow, tr.delivered
    sel = (release >= W0) & (release < H)
    transit = (dl - release) / 24.0
    promised = np.array([f["promised_h"] for f in model.flows])
    out: dict[str, Any] = {
        "rep": rep,
        "shipments": int(sel.sum()),
        "transit": _dist(transit[sel], promised[flow[sel]]),
    }
    od: dict[str, Any] = {}
    names: dict[str, list[int]] = {}
    for f_ix, fd in enumerate(model.flows):  # a flow split over routes reports as one OD
        names.setdefault(fd["name"], []).append(f_ix)
    offs = np.concatenate([[0], np.cumsum([t.shape[1] for t in tr.tin])]).astype(np.int64)
    for name, ixs in names.items():  # flows are consecutive slices of the shipments
        x = np.concatenate(
            [transit[offs[f] : offs[f + 1]][sel[offs[f] : offs[f + 1]]] for f in ixs]
        )
        od[name] = _dist(x, model.flows[ixs[0]]["promised_h"])
    out["od"] = od
    yrs = win / 8760.0
    out["throughput"] = throughput(model, tr, sel)
    n = len(tr.flow)
    resources: dict[str, Any] = {}
    trains = {"container_per_year": 0.0, "other_per_year": 0.0}
    node_wait: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n))
    node_pass: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n, dtype=bool))
    best_wait = np.full(n, -1.0)
    best_stage = np.full(n, -1, dtype=np.int64)
    grid = np.arange(W0, H, 1.0)
    J = len(grid)
    uses: list[list[tuple[int, int]]] = [[] for _ in model.stages]
    for f_ix, fd in enumerate(model.flows):
        for k, s2 in enumerate(model.paths[fd["path"]].stages):
            if tr.tin[f_ix].shape[1]:
                uses[s2].append((f_ix, k))
    for s, st in enumerate(model.stages):
        parts = uses[s]
        if not parts:
            continue
        nw, npass = node_wait[st.node], node_pass[st.node]
        for f, k in parts:  # a flow's shipments are one slice of the global numbering
            sl = slice(offs[f], offs[f + 1])
            w = tr.tst[f][k] - tr.tin[f][k]
            nw[sl] += w
            npass[sl] = True
            bw = best_wait[sl]
            better = w > bw
            bw[better] = w[better]
            best_stage[sl][better] = s
        a = np.concatenate([tr.tin[f][k] for f, k in parts])
        b = np.concatenate([tr.tst[f][k] for f, k in parts])
        e = np.concatenate([tr.tin[f][k + 1] for f, k in parts])
        sel_r = np.concatenate([sel[offs[f] : offs[f + 1]] for f, _ in parts])
        wait = b - a
        arr_in = (a >= W0) & (a < H)
        # hourly counts in the stage / waiting, summed exactly in integers: the same
        # figures as the means of the hourly count arrays, without building them
        n_weeks = max(1, J // 168)
        n_sum, q_sums = K.occupancy(a, b, e, grid, n_weeks)
        L = n_sum / J
        sizes = [J // n_weeks + (1 if w < J % n_weeks else 0) for w in range(n_weeks)]
        weeks = [int(q) / z for q, z in zip(q_sums.tolist(), sizes, strict=True)]
        info: dict[str, Any] = {
            "kind": st.kind,
            "resource": st.resource,
            "node": st.node,
            "shipments": float(arr_in.sum()),
            "mean_wait_h": float(wait[sel_r].mean()) if sel_r.any() else 0.0,
            "L": L,
            "lambda_per_h": float(arr_in.sum() / win),
            "W_h": float((e - a)[arr_in].mean()) if arr_in.any() else 0.0,
            "Lq_weekly": weeks,
        }
        stt: dict[str, Any] = tr.stage_stats[s]
        bs, bl = stt.get("_busy_starts"), stt.get("_busy_len")
        cap = {"queue": st.servers, "sail": st.vessels}.get(st.kind, 1)
        if (
            bs is not None
            and bl is not None
            and st.kind != "form"
            and not (st.kind == "section" and st.headway_h <= 0)
        ):
            bs, bl = np.asarray(bs), np.asarray(bl)
            m = (bs >= W0) & (bs < H)
            info["utilisation"] = float(bl[m].sum() / (cap * win))
        if "offered" in stt and stt["offered"] > 0:
            info["load_factor"] = float(stt["loaded"] / stt["offered"])
        info["batches_per_year"] = float(stt.get("batches", 0.0) / (H / 8760.0))
        if st.kind == "form" and bs is not None:  # trains formed in the window, per year
            n_in = int(np.count_nonzero((np.asarray(bs) >= W0) & (np.asarray(bs) < H)))
            info["trains_per_year"] = n_in / yrs
            units_here = {model.flows[f]["unit"] for f, _ in parts if "unit" in model.flows[f]}
            key = "container_per_year" if units_here == {"TEU"} else "other_per_year"
            trains[key] += info["trains_per_year"]
        resources[st.key] = info
    out["resources"] = resources
    out["trains"] = trains
    out["wait_by_node_h"] = {
        nd: float(w[sel & node_pass[nd]].mean())
        for nd, w in sorted(node_wait.items())
        if (sel & node_pass[nd]).any()
    }
    # shipments per critical stage, most first; ties in order of first occurrence (as
    # collections.Counter.most_common orders them)
    cs = best_stage[sel & (best_wait > 0)]
    cnt = np.bincount(cs, minlength=len(model.stages))
    first = np.full(len(model.stages), len(cs), dtype=np.int64)
    np.minimum.at(first, cs[::-1], np.arange(len(cs) - 1, -1, -1))
    crit = sorted(np.flatnonzero(cnt).tolist(), key=lambda s: (-cnt[s], first[s]))
    tot = max(1, int(sel.sum()))
    out["critical_share"] = {model.stages[s].key: int(cnt[s]) / tot for s in crit}
    out["critical_resource"] = model.stages[crit[0]].key if crit else None
    return out


def throughput(model: SimModel, tr: Trace, sel: np.ndarray) -> dict[str, float]:
    """Yearly throughput of the measurement window, counted by release cohort (simops).

    Demand is the freight released in the window [warm-up, horizon); throughput is the part of
    it delivered by the horizon plus one warm-up length (the drain time equals the time the
    pipeline was given to fill), per year of window. So throughput <= demand, and freight held
    up before the window (a closure during the warm-up) can only delay the window's freight,
    never add to it. Containers are counted in TEU (flows whose unit is TEU; other freight has
    ``teu_per_lot`` 0), all freight in t."""
    sc = model.scenario
    H, W0 = model.horizon_h, sc.warmup_days * 24.0
    yrs = (H - W0) / 8760.0
    f = tr.flow
    done = sel & (tr.delivered <= H + W0)
    t_lot = np.array([x["t_per_lot"] for x in model.flows])
    teu_lot = np.array([x["teu_per_lot"] for x in model.flows])
    out = {
        "t_per_year": float(t_lot[f[done]].sum() / yrs),
        "teu_per_year": float(teu_lot[f[done]].sum() / yrs),
        "demand_t_per_year": float(t_lot[f[sel]].sum() / yrs),
        "demand_teu_per_year": float(teu_lot[f[sel]].sum() / yrs),
    }
    out["undelivered_t_per_year"] = out["demand_t_per_year"] - out["t_per_year"]
    return out


def flatten(d: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Numeric leaves of a nested summary as {"od.A>B:container.p90_d": value}."""
    out: dict[str, float] = {}
    _flatten_into(d, prefix, out)
    return out


def _flatten_into(d: dict[str, Any], prefix: str, out: dict[str, float]) -> None:
    # one output dict for every level (no per-level dicts merged upwards): a baseline summary
    # has ~90 nested dicts and ~640 leaves, and `combine` flattens every replication's
    for k, v in d.items():
        if isinstance(v, dict):
            _flatten_into(v, f"{prefix}{k}.", out)
        elif isinstance(v, bool) or k == "rep":
            continue
        elif isinstance(v, int | float) and math.isfinite(float(v)):
            out[f"{prefix}{k}"] = float(v)


@functools.lru_cache(maxsize=256)
def _t_quantile(q: float, dof: int) -> float:
    """Student-t quantile; `combine` asks for the same (level, n) once per statistic."""
    return float(sps.t.ppf(q, dof))


def t_interval(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) Student-t interval; a single value gives a zero-width interval."""
    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, m, m
    h = float(_t_quantile(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x)))
    return m, m - h, m + h


def combine(summaries: list[dict[str, Any]], level: float = 0.95) -> dict[str, dict[str, float]]:
    """Every scalar statistic with its mean and t-interval over the replications given (in
    replication order; a statistic missing in a replication is left out of its interval)."""
    cols: dict[str, list[float]] = {}  # each statistic's values in replication order
    for s in summaries:
        for k, v in flatten(s).items():
            col = cols.get(k)
            if col is None:
                cols[k] = [v]
            else:
                col.append(v)
    out: dict[str, dict[str, float]] = {}
    for k in sorted(cols):
        vals = np.array(cols[k])
        m, lo, hi = t_interval(vals, level)
        out[k] = {"mean": m, "ci_low": lo, "ci_high": hi, "n": float(len(vals))}
    return out


def p90_halfwidth_days(summaries: list[dict[str, Any]]) -> float:
    vals = np.array([s["transit"].get("p90_d", np.nan) for s in summaries], dtype=float)
    if len(vals) < 2 or np.isnan(vals).any():
        return math.inf
    m, lo, hi = t_interval(vals)
    return (hi - lo) / 2

"""FROZEN copy of titr.sim.stats.summarise before the speed work of issue 14 (the statistics of
commit e2146ba with the operations-model additions of issue 10 as merged on main: cohort
throughput, trains per year): the reference whose summaries the current statistics must
reproduce exactly (tests/sim/test_engine.py, benchmarks/simulation.py). Do not edit for
speed; when the model owner changes what a statistic means, re-copy that change here."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from titr.sim.model import SimModel

Q = {"p50_d": 50.0, "p90_d": 90.0, "p99_d": 99.0}


def _dist(x: np.ndarray, promised: np.ndarray | float) -> dict[str, float]:
    if len(x) == 0:
        return {"n": 0.0}
    d = {"n": float(len(x)), "mean_d": float(x.mean())}
    for k, q in Q.items():
        d[k] = float(np.percentile(x, q))
    d["on_time"] = float(np.mean(x <= np.asarray(promised) / 24.0))
    return d


def _count_le(x: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """For each point g of the hourly grid (grid[j] = grid[0] + j), the number of x <= g,
    without sorting x: x counts from the first grid point at or above it, found by arithmetic
    (ceil(x - grid[0])) and made exact by one comparison with the grid values on each side;
    the counts are then a cumulative histogram of those first indices."""
    J = len(grid)
    k = np.ceil(np.nan_to_num(x - grid[0], nan=J + 1.0, posinf=J + 1.0, neginf=0.0))
    k = np.clip(k, 0, J).astype(np.int64)
    g = np.append(grid, np.inf)
    k -= (k > 0) & (g[np.maximum(k - 1, 0)] >= x)
    k += (k < J) & (g[k] < x)
    return np.cumsum(np.bincount(k, minlength=J + 1)[:J])


def summarise(model: SimModel, tr: Any, rep: int = 0) -> dict[str, Any]:
    """JSON-safe summary of one replication (see module doc)."""
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
    for f_ix, f in enumerate(model.flows):  # a flow split over routes reports as one OD
        names.setdefault(f["name"], []).append(f_ix)
    for name, ixs in names.items():
        m = sel & np.isin(flow, ixs)
        od[name] = _dist(transit[m], model.flows[ixs[0]]["promised_h"])
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
    offs = np.concatenate([[0], np.cumsum([t.shape[1] for t in tr.tin])]).astype(np.int64)
    uses: list[list[tuple[int, int]]] = [[] for _ in model.stages]
    for f_ix, f in enumerate(model.flows):
        for k, s2 in enumerate(model.paths[f["path"]].stages):
            if tr.tin[f_ix].shape[1]:
                uses[s2].append((f_ix, k))
    for s, st in enumerate(model.stages):
        parts = uses[s]
        if not parts:
            continue
        r = np.concatenate([np.arange(offs[f], offs[f + 1]) for f, _ in parts])
        a = np.concatenate([tr.tin[f][k] for f, k in parts])
        b = np.concatenate([tr.tst[f][k] for f, k in parts])
        e = np.concatenate([tr.tin[f][k + 1] for f, k in parts])
        wait = b - a
        node_wait[st.node][r] += wait
        node_pass[st.node][r] = True
        better = wait > best_wait[r]
        best_wait[r[better]] = wait[better]
        best_stage[r[better]] = s
        arr_in = (a >= W0) & (a < H)
        n_a = _count_le(a, grid)
        L = float(np.mean(n_a - _count_le(e, grid)))
        Lq_t = n_a - _count_le(b, grid)
        weeks = [float(x.mean()) for x in np.array_split(Lq_t, max(1, len(grid) // 168))]
        info: dict[str, Any] = {
            "kind": st.kind,
            "resource": st.resource,
            "node": st.node,
            "shipments": float(arr_in.sum()),
            "mean_wait_h": float(wait[sel[r]].mean()) if sel[r].any() else 0.0,
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
    crit = Counter(best_stage[sel & (best_wait > 0)].tolist())
    tot = max(1, int(sel.sum()))
    out["critical_share"] = {model.stages[s].key: c / tot for s, c in crit.most_common()}
    out["critical_resource"] = model.stages[crit.most_common(1)[0][0]].key if crit else None
    return out


def throughput(model: SimModel, tr: Any, sel: np.ndarray) -> dict[str, float]:
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

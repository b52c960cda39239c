"""A lean heapq discrete-event implementation of the same operations model as `titr.sim.engine`
(the "stronger peer" of benchmarks/simulation.py): one event list (a heap of (time, seq,
handler, args)), per-shipment events, plain Python state, no framework. Same rules as the
fast engine and the SimPy reference: FIFO everywhere; a train/vessel leaves when full, when a
lot that does not fit arrives, or max_wait after it started loading, deferred past blocking
windows and topped up with lots that arrived meanwhile and fit; a vessel is back cycle_h after
departure (plus an Exp(mttr) repair when it breaks down); queue stages are c-server FIFO,
sections admit one train per headway, dwell is per shipment. It reuses the fast engine's
demand and disruption draws (`release_times`, `draw_disruptions`), so the two differ only in
the order running, service and sailing times are drawn: their statistics must agree (checked
in benchmarks/simulation.py). Returns the same `Trace`, so `summarise` applies to all three.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from titr.sim.engine import Trace, _Defer, release_times
from titr.sim.model import SimModel
from titr.sim.plugins import draw_disruptions, month_of


def simulate_heapq(model: SimModel, rng: np.random.Generator) -> Trace:
    sc = model.scenario
    H = model.horizon_h
    rel = [
        release_times(rng, f["lots_per_year"], H, sc.seasonality, sc.start_month)
        for f in model.flows
    ]
    dis = draw_disruptions(model, rng)
    flow = np.concatenate([np.full(len(r), f, dtype=np.int64) for f, r in enumerate(rel)])
    release = np.concatenate(rel) if rel else np.zeros(0)
    plens = np.array([len(model.paths[f["path"]].stages) for f in model.flows], dtype=np.int64)
    n, P = len(release), int(plens.max(initial=0))
    t_in = np.full((n, P + 1), np.nan)
    t_start = np.full((n, P), np.nan)
    batch = np.full((n, P), -1, dtype=np.int64)
    stages = model.stages
    path_of = [model.paths[f["path"]].stages for f in model.flows]
    flow_l, plen_l = flow.tolist(), plens[flow].tolist()
    pos = [0] * n
    defer = [_Defer(w) for w in dis.windows]
    loads = {u: model.load[u].tolist() for u in model.load}
    unit = ["t" if st.kind == "form" else st.unit for st in stages]
    stats: list[dict[str, Any]] = [
        {"_busy_starts": [], "_busy_len": [], "loaded": 0.0, "offered": 0.0, "batches": 0.0}
        for _ in stages
    ]
    ev: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = []
    seq = [0]
    now = [0.0]
    bid_next = [n]

    def at(t: float, fn: Callable[..., None], *args: Any) -> None:
        seq[0] += 1
        heapq.heappush(ev, (t, seq[0], fn, args))

    def sample(s: int) -> float:
        return float(stages[s].time.sample(rng, 1)[0])

    def finish(ships: list[int], start: float, bid: int) -> None:
        for i in ships:
            k = pos[i]
            t_start[i, k] = start
            batch[i, k] = bid
            pos[i] = k + 1

    def arrive(ships: list[int], bid: int) -> None:
        """Shipments of one batch reach their next stage (grouped by that stage)."""
        t = now[0]
        groups: dict[int, list[int]] = {}
        for i in ships:
            k = pos[i]
            t_in[i, k] = t
            if k < plen_l[i]:
                groups.setdefault(path_of[flow_l[i]][k], []).append(i)
        for s, grp in groups.items():
            kind = stages[s].kind
            if kind in ("form", "sail"):
                for i in grp:
                    loaders[s].arrive(i)
            elif kind == "dwell":
                for i in grp:
                    d = defer[s](t)
                    b = bid_next[0]
                    bid_next[0] += 1
                    finish([i], d, b)
                    at(d + sample(s), arrive, [i], b)
            else:
                servers[s].arrive(grp, bid)

    class Server:
        """Queue (c lanes, each batch held for its service time) or section (one entry per
        headway, the running time does not hold the entry)."""

        def __init__(self, s: int) -> None:
            st = stages[s]
            self.s, self.queue = s, st.kind == "queue"
            self.free = st.servers if self.queue else 1
            self.wait: deque[tuple[list[int], int]] = deque()

        def arrive(self, ships: list[int], bid: int) -> None:
            self.wait.append((ships, bid))
            self.start()

        def start(self) -> None:
            while self.free and self.wait:
                ships, bid = self.wait.popleft()
                self.free -= 1
                s = self.s
                t = defer[s](now[0])
                finish(ships, t, bid)
                dur = sample(s)
                st = stats[s]
                st["_busy_starts"].append(t)
                if self.queue:
                    st["_busy_len"].append(dur)
                    at(t + dur, self.done, ships, bid)
                else:
                    h = stages[s].headway_h
                    st["_busy_len"].append(h)
                    at(t + dur, arrive, ships, bid)
                    at(t + h, self.release)

        def done(self, ships: list[int], bid: int) -> None:
            self.free += 1
            arrive(ships, bid)
            self.start()

        def release(self) -> None:
            self.free += 1
            self.start()

    class Loader:
        """Train formation (no fleet limit) or a ferry line direction with `vessels` ships."""

        def __init__(self, s: int) -> None:
            st = stages[s]
            self.s, self.st = s, st
            self.fleet = st.vessels if st.kind == "sail" else -1  # -1: unlimited
            self.wait: deque[int] = deque()
            self.open: dict[str, Any] | None = None  # the batch taking lots now
            self.closing: list[dict[str, Any]] = []  # batches waiting out a blocking window
            self.no = 0
            self.ld = loads[unit[s]]

        def arrive(self, i: int) -> None:
            for c in self.closing:  # a deferred departure still takes lots that fit
                if not c["blocked"] and not self.wait and self.open is None:
                    if self.fits(c, i):
                        return
                    c["blocked"] = True
            self.wait.append(i)
            self.load()

        def fits(self, c: dict[str, Any], i: int) -> bool:
            lot = self.ld[flow_l[i]]
            if c["load"] + lot > c["cap"] + 1e-9:
                return False
            c["items"].append(i)
            c["load"] += lot
            return True

        def load(self) -> None:
            while self.wait:
                if self.open is None:
                    if self.fleet == 0:
                        return
                    if self.fleet > 0:
                        self.fleet -= 1
                    i = self.wait[0]
                    b = now[0] if self.fleet >= 0 else t_in[i, pos[i]]
                    cap = self.st.capacity
                    if self.st.kind == "sail":
                        cap *= float(dis.payload[self.s][int(month_of(b, sc.start_month))])
                    self.no += 1
                    self.open = {
                        "b": b,
                        "cap": max(cap, self.ld[flow_l[i]]),
                        "items": [],
                        "load": 0.0,
                        "blocked": False,
                        "no": self.no,
                    }
                    at(max(now[0], b + self.st.max_wait_h), self.deadline, self.no)
                c = self.open
                i = self.wait[0]
                if not self.fits(c, i):
                    c["blocked"] = True
                    self.close()
                    continue
                self.wait.popleft()
                if c["load"] >= c["cap"] - 1e-9:
                    c["blocked"] = True
                    self.close()

        def deadline(self, no: int) -> None:
            if self.open is not None and self.open["no"] == no:
                self.close()
                self.load()

        def close(self) -> None:
            c = self.open
            assert c is not None
            self.open = None
            d = defer[self.s](max(now[0], c["b"]))
            self.closing.append(c)
            at(d, self.depart, c)

        def depart(self, c: dict[str, Any]) -> None:
            self.closing.remove(c)
            s, st, d = self.s, self.st, now[0]
            bid = bid_next[0]
            bid_next[0] += 1
            ships = c["items"]
            finish(ships, d, bid)
            sst = stats[s]
            sst["loaded"] += c["load"]
            sst["offered"] += c["cap"]
            sst["batches"] += 1
            if st.kind == "sail":
                sst["_busy_starts"].append(c["b"])
                sst["_busy_len"].append(st.cycle_h)
                at(d + sample(s), arrive, ships, bid)
                back = st.cycle_h
                if dis.vessel_fail_p[s] > 0 and rng.random() < dis.vessel_fail_p[s]:
                    back += rng.exponential(dis.mttr_h)
                at(d + back, self.vessel_back)
            else:
                arrive(ships, bid)
            self.load()

        def vessel_back(self) -> None:
            self.fleet += 1
            self.load()

    servers = {s: Server(s) for s, st in enumerate(stages) if st.kind in ("queue", "section")}
    loaders = {s: Loader(s) for s, st in enumerate(stages) if st.kind in ("form", "sail")}
    for i in np.argsort(release, kind="stable").tolist():
        at(float(release[i]), arrive, [i], -1 - i)
    while ev:
        t, _, fn, args = heapq.heappop(ev)
        now[0] = t
        fn(*args)
    for d in stats:
        d["_busy_starts"] = np.asarray(d["_busy_starts"])
        d["_busy_len"] = np.asarray(d["_busy_len"])
    return Trace.from_dense(flow, plens, t_in, t_start, batch, stats)

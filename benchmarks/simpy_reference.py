"""SimPy reference model of the same scenario and the same fidelity as `titr.sim.engine`.

Process-based: every train and vessel is a SimPy process, every shipment waits individually in
formation and loading stores and in port dwell; resources are `simpy.Resource` (lanes, section
entry slots, one loading berth per line direction). Same rules as the fast engine: FIFO, a
train/vessel leaves when full, when a lot that does not fit arrives, or max_wait after it
started loading; departures/service starts are deferred past blocking windows. It reuses the
fast engine's demand and disruption draws (`release_times`, `draw_disruptions`) so the two
differ only in how service, running and sailing times are sampled: their results must agree
statistically. Returns the same `Trace`, so `titr.sim.stats.summarise` applies to both.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from titr.sim.engine import Trace, _Defer, release_times
from titr.sim.model import SimModel
from titr.sim.plugins import draw_disruptions, month_of


def simulate_simpy(model: SimModel, rng: np.random.Generator) -> Trace:
    sc = model.scenario
    H = model.horizon_h
    rel, fl = [], []
    for f_ix, f in enumerate(model.flows):
        t = release_times(rng, f["lots_per_year"], H, sc.seasonality, sc.start_month)
        rel.append(t)
        fl.append(np.full(len(t), f_ix, dtype=np.int64))
    dis = draw_disruptions(model, rng)
    release = np.concatenate(rel) if rel else np.zeros(0)
    flow = np.concatenate(fl) if fl else np.zeros(0, dtype=np.int64)
    plens = np.array([len(model.paths[f["path"]].stages) for f in model.flows], dtype=np.int64)
    plen = plens[flow]
    n, P = len(release), int(plens.max(initial=0))
    t_in = np.full((n, P + 1), np.nan)
    t_start = np.full((n, P), np.nan)
    batch = np.full((n, P), -1, dtype=np.int64)
    pos = np.zeros(n, dtype=np.int64)
    path_of = [model.paths[f["path"]].stages for f in model.flows]
    env = simpy.Environment()
    defer = [_Defer(w) for w in dis.windows]
    stores: dict[int, simpy.Store] = {}
    res: dict[int, simpy.Resource] = {}
    carry: dict[int, int | None] = {}
    stats: list[dict[str, Any]] = [
        {"_busy_starts": [], "_busy_len": [], "loaded": 0.0, "offered": 0.0, "batches": 0.0}
        for _ in model.stages
    ]
    counter = [0]

    def new_batch() -> int:
        counter[0] += 1
        return counter[0]

    def arrive(ships: list[int], bid: int) -> None:
        """Shipments of one batch reach their next stage (grouped by that stage)."""
        groups: dict[int, list[int]] = {}
        now = env.now
        for i in ships:
            k = int(pos[i])
            t_in[i, k] = now
            if k >= plen[i]:
                continue
            groups.setdefault(path_of[flow[i]][k], []).append(i)
        for s, grp in groups.items():
            kind = model.stages[s].kind
            if kind in ("form", "sail"):
                for i in grp:
                    stores[s].put(i)
            elif kind == "dwell":
                for i in grp:
                    env.process(dwell(s, i))
            else:
                env.process(batch_stage(s, grp, bid))

    def finish(s: int, ships: list[int], start: float, bid: int) -> None:
        for i in ships:
            k = int(pos[i])
            t_start[i, k] = start
            batch[i, k] = bid
            pos[i] = k + 1

    def dwell(s: int, i: int) -> Any:
        st = model.stages[s]
        t = defer[s](env.now)
        if t > env.now:
            yield env.timeout(t - env.now)
        b = new_batch()
        finish(s, [i], t, b)
        yield env.timeout(float(st.time.sample(rng, 1)[0]))
        arrive([i], b)

    def batch_stage(s: int, ships: list[int], bid: int) -> Any:
        st = model.stages[s]
        r = res.get(s)
        req = r.request() if r is not None else None
        if req is not None:
            yield req
        t = defer[s](env.now)
        if t > env.now:
            yield env.timeout(t - env.now)
        finish(s, ships, t, bid)
        dur = float(st.time.sample(rng, 1)[0])
        if st.kind == "queue":
            stats[s]["_busy_starts"].append(t)
            stats[s]["_busy_len"].append(dur)
            yield env.timeout(dur)
            if req is not None:
                r.release(req)
            arrive(ships, bid)
        else:
            stats[s]["_busy_starts"].append(t)
            stats[s]["_busy_len"].append(st.headway_h)
            env.process(run_then_arrive(dur, ships, bid))
            if req is not None:
                yield env.timeout(st.headway_h)
                r.release(req)

    def run_then_arrive(dur: float, ships: list[int], bid: int) -> Any:
        yield env.timeout(dur)
        arrive(ships, bid)

    def load_of(s: int, i: int) -> float:
        st = model.stages[s]
        return float(model.load["t" if st.kind == "form" else st.unit][flow[i]])

    def collect(s: int, b: float) -> Any:
        """Load a train/vessel that started at b; returns (shipments, departure)."""
        st = model.stages[s]
        store = stores[s]
        cap = st.capacity
        if st.kind == "sail":
            cap *= float(dis.payload[s][int(month_of(b, sc.start_month))])
        first = carry[s]
        carry[s] = None
        if first is None:
            first = yield store.get()
            b = env.now
        items = [first]
        load = load_of(s, first)
        cap = max(cap, load)
        full = load >= cap - 1e-9
        deadline = b + st.max_wait_h
        while not full:
            if store.items:
                i = store.items[0]
                if load + load_of(s, i) > cap + 1e-9:
                    full = True
                    break
                yield store.get()
                items.append(i)
                load += load_of(s, i)
                full = load >= cap - 1e-9
                continue
            rem = deadline - env.now
            if rem <= 0:
                break
            get = store.get()
            got = yield get | env.timeout(rem)
            if get not in got:
                get.cancel()
                break
            i = get.value
            if load + load_of(s, i) > cap + 1e-9:
                carry[s] = i
                full = True
                break
            items.append(i)
            load += load_of(s, i)
            full = load >= cap - 1e-9
        d = defer[s](env.now)
        if d > env.now:
            yield env.timeout(d - env.now)
            while not full and carry[s] is None and store.items:
                i = store.items[0]
                if load + load_of(s, i) > cap + 1e-9:
                    break
                yield store.get()
                items.append(i)
                load += load_of(s, i)
                full = load >= cap - 1e-9
        stats[s]["loaded"] += load
        stats[s]["offered"] += cap
        stats[s]["batches"] += 1
        return items, b, env.now

    def former(s: int) -> Any:
        while True:
            items, b, d = yield from collect(s, env.now)
            bid = new_batch()
            finish(s, items, d, bid)
            arrive(items, bid)

    def vessel(s: int, slot: simpy.Resource) -> Any:
        st = model.stages[s]
        while True:
            with slot.request() as req:
                yield req
                items, b, d = yield from collect(s, env.now)
            bid = new_batch()
            finish(s, items, d, bid)
            stats[s]["_busy_starts"].append(b)
            stats[s]["_busy_len"].append(st.cycle_h)
            env.process(run_then_arrive(float(st.time.sample(rng, 1)[0]), items, bid))
            back = st.cycle_h
            if dis.vessel_fail_p[s] > 0 and rng.random() < dis.vessel_fail_p[s]:
                back += rng.exponential(dis.mttr_h)
            yield env.timeout(d + back - env.now)

    for s, st in enumerate(model.stages):
        if st.kind in ("form", "sail"):
            stores[s] = simpy.Store(env)
            carry[s] = None
            if st.kind == "form":
                env.process(former(s))
            else:
                slot = simpy.Resource(env, 1)
                for _ in range(st.vessels):
                    env.process(vessel(s, slot))
        elif st.kind == "queue":
            res[s] = simpy.Resource(env, st.servers)
        elif st.kind == "section" and (st.headway_h > 0 or len(dis.windows[s][0])):
            res[s] = simpy.Resource(env, 1)

    order = np.argsort(release, kind="stable")

    def source() -> Any:
        for i in order.tolist():
            t = float(release[i])
            if t > env.now:
                yield env.timeout(t - env.now)
            arrive([i], -1 - i)

    env.process(source())
    env.run()
    for d in stats:
        d["_busy_starts"] = np.asarray(d["_busy_starts"])
        d["_busy_len"] = np.asarray(d["_busy_len"])
    return Trace.from_dense(flow, plens, t_in, t_start, batch, stats)

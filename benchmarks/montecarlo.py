"""Monte Carlo benchmark: replications of the baseline scenario on every executor (serial, the
local process pool, a Dask cluster of worker processes on loopback started as titr starts it,
`local_dask_cluster`), the same replications on each, measured in one run. The scaling table
over N Dask workers, with the CPU of every process split by role and against Dask's default
settings, is `benchmarks/dask_scaling.py`.

For every executor the table gives the wall time, the CPU seconds of this process and of its
child processes (the pool and the Dask workers), CPU per replication, replications per
second, the speed-up over serial (wall) and the CPU efficiency (serial CPU per replication /
this executor's CPU per replication: 100 % means distributing costs no extra CPU, so with N
free cores the speed-up would be N). A Dask cluster is started, and every worker loads the
compiled kernels (the JIT warm-up, reported), before the timed part; a process pool is
started inside it as `run_reps` does (its forked workers inherit the loaded kernels). The
Dask rows run once with tasks of several replications (`dask_batches`, the default) and, in
a full run, once with one replication per task, so the ratio between them is the cost of the
per-task round trip. Every executor's summaries must be identical (JSON, replication by
replication) to the serial ones, otherwise the run stops with exit 1.

The machine is shared (2 cores, 8 engineers): wall times depend on the neighbours, so the
load average is printed before and after, and 1,000 replications are extrapolated twice:
from the measured wall time, and from CPU time (the CPU they need spread over 2 cores, the
figure 2 free cores would give). Goals: 0.15 s CPU per baseline replication including
statistics (serial row); 1,000 replications in < 120 s on 2 cores; near-linear speed-up
with N workers up to the number of cores.

Run: .venv/bin/python benchmarks/montecarlo.py [--reps 40] [--workers 2] [--dask-workers 2]
     [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, children_cpu, machine  # noqa: E402
from simulation import BASELINE  # noqa: E402
from titr.network.bundled import load  # noqa: E402
from titr.sim import compile_model, parse_scenario  # noqa: E402
from titr.sim import montecarlo as mc  # noqa: E402


def run(model: Any, reps: int, seed: int, **kw: Any) -> tuple[dict[str, float], list[str]]:
    w0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
    out = mc.run_reps(model, reps, seed, **kw)
    wall = time.perf_counter() - w0
    cpu = (time.process_time() - c0) + (children_cpu() - k0)
    return {"wall": wall, "cpu": cpu}, [json.dumps(s, sort_keys=True) for s in out]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[2], help="process pool sizes")
    ap.add_argument("--dask-workers", type=int, nargs="+", default=[2])
    ap.add_argument("--days", type=float, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="smoke run: 4 replications of 60 days")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.days, a.workers, a.dask_workers = 4, 60.0, [2], [2]
    print(machine())
    net = load("middle-corridor-2025")
    sc = parse_scenario(BASELINE)
    if a.days:
        sc = sc.with_horizon(a.days)
    model = compile_model(net, sc)
    mc.replicate(model, 0, 0)  # warm caches in this process
    print(
        f"baseline {net.label}: {len(model.flows)} flows, {len(model.stages)} stages, "
        f"{model.scenario.horizon_days:g} days; {a.reps} replications per executor"
    )
    rows: list[tuple[str, int, dict[str, float]]] = []
    t, ref = run(model, a.reps, a.seed, executor="serial")
    rows.append(("serial", 1, t))
    for n in a.workers:
        t, out = run(model, a.reps, a.seed, executor="local", workers=n)
        check(out == ref, f"local pool ({n} workers) summaries = serial")
        rows.append(("local pool", n, t))
    keep = mc.DASK_BATCH_MAX
    for n in a.dask_workers:
        # the cluster (titr's settings) is started outside the timed part: the rows measure
        # the work
        with mc.local_dask_cluster(n) as cluster:
            addr = cluster.scheduler_address
            w, _ = run(model, 2 * n, a.seed + 1, executor="dask", address=addr)  # warm-up
            print(
                f"Dask {n} worker(s): warm-up ({2 * n} replications, each worker loads the "
                f"compiled kernels): {w['cpu']:.2f} s CPU, not counted"
            )
            t, out = run(model, a.reps, a.seed, executor="dask", address=addr)
            check(out == ref, f"Dask ({n} workers, batched tasks) summaries = serial")
            rows.append((f"Dask, tasks of <= {keep} reps", n, t))
            if not a.quick:
                mc.DASK_BATCH_MAX = 1
                try:
                    t, out = run(model, a.reps, a.seed, executor="dask", address=addr)
                finally:
                    mc.DASK_BATCH_MAX = keep
                check(out == ref, f"Dask ({n} workers, one rep per task) summaries = serial")
                rows.append(("Dask, one rep per task", n, t))
    base = rows[0][2]["wall"]
    base_cpu = rows[0][2]["cpu"] / a.reps
    print(
        f"\n{'executor':<28}{'workers':>8}{'wall s':>9}{'CPU s':>9}{'CPU s/rep':>11}"
        f"{'reps/s':>9}{'speed-up':>10}{'CPU eff.':>10}"
    )
    for name, n, t in rows:
        print(
            f"{name:<28}{n:>8}{t['wall']:>9.2f}{t['cpu']:>9.2f}{t['cpu'] / a.reps:>11.3f}"
            f"{a.reps / t['wall']:>9.2f}{base / t['wall']:>9.2f}x"
            f"{100 * base_cpu / (t['cpu'] / a.reps):>9.0f}%"
        )
    print(
        "speed-up = serial wall / wall (bounded by the free cores of this shared "
        f"{os.cpu_count()}-core machine); CPU eff. = serial CPU per replication / CPU per "
        "replication of the row (all processes)"
    )
    per = base_cpu
    full = model.scenario.horizon_days >= 365
    print(
        f"\nserial CPU per replication incl. statistics: {per:.3f} s (goal 0.15 s: "
        f"{('met' if per <= 0.15 else 'NOT met') if full else 'n/a, horizon < 365 days'})"
    )
    cores = min(os.cpu_count() or 1, 2)
    two = [t for name, n, t in rows if n == cores and name != "serial"]
    if two:
        best = min(two, key=lambda t: t["wall"])
        est = 1000 * best["wall"] / a.reps
        est_cpu = 1000 * min(t["cpu"] for t in two) / a.reps / cores

        def verdict(x: float) -> str:
            return ("met" if x < 120 else "NOT met") if full else "n/a, horizon < 365 days"

        print(
            f"1,000 replications on {cores} workers: about {est:.0f} s wall (extrapolated from "
            f"{a.reps} in {best['wall']:.1f} s on this loaded machine; goal < 120 s: "
            f"{verdict(est)}); from CPU time: {est_cpu:.0f} s with {cores} free cores "
            f"(goal: {verdict(est_cpu)})"
        )
    print(machine())


if __name__ == "__main__":
    main()

"""Monte Carlo benchmark: replications of the baseline scenario on every executor (serial, the
local process pool, a Dask LocalCluster of N worker processes on loopback), the same
replications on each, measured in one run.

For every executor the table gives the wall time, the CPU seconds of this process and of its
child processes (the pool and the Dask workers; a Dask cluster is started before the timed
part, a process pool inside it as `run_reps` does), CPU per replication, replications per second and the speed-up over serial
(wall). The Dask rows run once with tasks of several replications (`dask_batches`, the
default) and once with one replication per task, so the ratio between them is the cost of
the per-task round trip, not of the simulation. Every executor's summaries must be identical
(JSON, replication by replication) to the serial ones, otherwise the run stops with exit 1.

Wall times depend on what else the machine runs: the load average is printed before and after.
Goals: 0.15 s CPU per baseline replication including statistics (serial row); 1,000
replications in < 120 s on 2 cores (extrapolated from the best 2-worker row, said so);
near-linear speed-up with N workers up to the number of cores.

Run: .venv/bin/python benchmarks/montecarlo.py [--reps 40] [--workers 1 2] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, machine  # noqa: E402
from simulation import BASELINE  # noqa: E402
from titr.network.bundled import load  # noqa: E402
from titr.sim import compile_model, parse_scenario  # noqa: E402
from titr.sim import montecarlo as mc  # noqa: E402


def _children_cpu() -> float:
    """CPU seconds of child processes: those that exited (getrusage) plus those alive."""
    import contextlib

    import psutil

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = r.ru_utime + r.ru_stime
    for c in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = c.cpu_times()
            total += t.user + t.system
    return total


def run(model: Any, reps: int, seed: int, **kw: Any) -> tuple[dict[str, float], list[str]]:
    w0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    out = mc.run_reps(model, reps, seed, **kw)
    wall = time.perf_counter() - w0
    cpu = (time.process_time() - c0) + (_children_cpu() - k0)
    return {"wall": wall, "cpu": cpu}, [json.dumps(s, sort_keys=True) for s in out]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=40)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--days", type=float, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="smoke run: 4 replications of 60 days")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.days, a.workers = 4, 60.0, [2]
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
    from distributed import LocalCluster

    for n in a.workers:
        # the cluster is started outside the timed part: the rows measure the work
        with LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            addr = cluster.scheduler_address
            run(model, min(a.reps, 2 * n), a.seed + 1, executor="dask", address=addr)  # warm
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
    print(
        f"\n{'executor':<28}{'workers':>8}{'wall s':>9}{'CPU s':>9}{'CPU s/rep':>11}"
        f"{'reps/s':>9}{'speed-up':>10}"
    )
    for name, n, t in rows:
        print(
            f"{name:<28}{n:>8}{t['wall']:>9.2f}{t['cpu']:>9.2f}{t['cpu'] / a.reps:>11.3f}"
            f"{a.reps / t['wall']:>9.2f}{base / t['wall']:>9.2f}x"
        )
    per = rows[0][2]["cpu"] / a.reps
    full = model.scenario.horizon_days >= 365
    print(
        f"\nserial CPU per replication incl. statistics: {per:.3f} s (goal 0.15 s: "
        f"{('met' if per <= 0.15 else 'NOT met') if full else 'n/a, horizon < 365 days'})"
    )
    cores = os.cpu_count() or 1
    two = [t for name, n, t in rows if n == min(cores, max(a.workers))]
    best = min(two, key=lambda t: t["wall"])
    est = 1000 * best["wall"] / a.reps
    print(
        f"1,000 replications on {min(cores, max(a.workers))} workers: about {est:.0f} s "
        f"(extrapolated from {a.reps} in {best['wall']:.1f} s; goal < 120 s: "
        f"{('met' if est < 120 else 'NOT met') if full else 'n/a, horizon < 365 days'})"
    )
    print(machine())


if __name__ == "__main__":
    main()

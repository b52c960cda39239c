"""Dask scaling benchmark: the same baseline replications on Dask clusters of N = 1, 2, 4 worker
processes on loopback (one thread each, `titr.sim.montecarlo.local_dask_cluster`), as a table
that says where the CPU goes, against a plain serial loop and the process pool.

For each N the cluster is started and every worker runs one warm-up replication (loading the
compiled numba kernels from the on-disk cache) before the timed part; both are reported on
their own lines, never in the table. The timed part is one `run_reps(..., executor="dask")`
call as `titr simulate --executor dask --address ...` makes it (client connection, model
scattered once to every worker, tasks of several replications, results gathered). Columns:

- wall s: wall time of the timed part; speed-up = wall(N=1) / wall(N); par. eff. =
  speed-up / N. On a machine with C cores the wall speed-up can only be near-linear up to
  N = C (on the 2-core project machine: N = 2); beyond that the workers share the cores.
- workers CPU s: user + system CPU of all worker processes (psutil, by pid), split into the
  CPU spent inside replications (measured in the task, `replication_cpu`) and the rest
  (Dask's own work in the workers: event loop, heartbeats, (de)serialisation);
- sched+nannies+client: CPU of this process, which runs the scheduler, the nannies and the
  client of a LocalCluster;
- CPU s/rep: all of the above per replication; CPU eff. = serial CPU per replication (a plain
  loop in this process, no executor) / the row's CPU per replication. 100 % means
  distribution costs no CPU, so N free cores would give a speed-up of N.

The peer rows run the same tasks on a LocalCluster with Dask's default settings (profiler on,
20 ms tick monitor, the nanny's MALLOC_TRIM_THRESHOLD_, as titr started clusters before):
the ratio between the rows compares cluster settings only. `--thousand K` also times K
replications on the process pool of 2 and on a warm Dask cluster of 2 workers (the goal:
1,000 in < 120 s on 2 cores). Every row's summaries must be identical (JSON, replication by
replication) to the serial loop's, or to the process pool's for the K-replication runs,
otherwise the run stops with exit 1.

Run: .venv/bin/python benchmarks/dask_scaling.py [--reps 96] [--dask-workers 1 2 4]
     [--peer-workers 2] [--thousand 1000] [--quick]
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

IDLE_S = 3.0


def _warm(model: Any) -> float:
    """On a worker: one replication, the first in the process (loads the compiled kernels);
    its CPU seconds. Not counted in `replication_cpu` (it does not go through a task)."""
    mc._undo_dask_malloc_trim()
    t = time.process_time()
    mc.replicate(model, 0, 0)
    return time.process_time() - t


def _dumps(summaries: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(s, sort_keys=True) for s in summaries]


class Cluster:
    """A loopback LocalCluster with warm workers and CPU meters on each of its processes."""

    def __init__(self, n: int, model: Any, tuned: bool) -> None:
        import contextlib

        import psutil
        from distributed import Client

        self.n, self.tuned = n, tuned
        self._stack = contextlib.ExitStack()
        w0 = time.perf_counter()
        cl = self._stack.enter_context(mc.local_dask_cluster(n, tuned=tuned))
        self.address = cl.scheduler_address
        self.client = self._stack.enter_context(Client(self.address, timeout="30s"))
        self.client.wait_for_workers(n, timeout=120)
        self.start_wall = time.perf_counter() - w0
        w0 = time.perf_counter()
        self.warm = sorted(self.client.run(_warm, model).values())
        self.warm_wall = time.perf_counter() - w0
        self.procs = [psutil.Process(p) for p in self.client.run(os.getpid).values()]
        a = self.meters()
        time.sleep(IDLE_S)
        b = self.meters()
        # cores used by the idle cluster: its periodic callbacks (heartbeats, monitors)
        self.idle = (b["workers"] - a["workers"] + b["here"] - a["here"]) / (b["wall"] - a["wall"])

    def meters(self) -> dict[str, float]:
        w = sum(sum(p.cpu_times()[:2]) for p in self.procs)
        reps = sum(self.client.run(mc.replication_cpu).values())
        return {
            "wall": time.perf_counter(),
            "here": time.process_time(),
            "workers": w,
            "reps": reps,
        }

    def run(self, model: Any, reps: int, seed: int) -> tuple[dict[str, float], list[str]]:
        a = self.meters()
        out = mc.run_reps(model, reps, seed, executor="dask", address=self.address)
        b = self.meters()
        d = {k: b[k] - a[k] for k in a}
        d["cpu"] = d["workers"] + d["here"]
        return d, _dumps(out)

    def close(self) -> None:
        self._stack.close()


def timed(fn: Any) -> tuple[dict[str, float], Any]:
    w0, c0, k0 = time.perf_counter(), time.process_time(), children_cpu()
    out = fn()
    here = time.process_time() - c0
    kids = children_cpu() - k0
    return {"wall": time.perf_counter() - w0, "cpu": here + kids, "here": here}, out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=96, help="replications per row")
    ap.add_argument("--dask-workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--peer-workers", type=int, nargs="*", default=[2])
    ap.add_argument("--thousand", type=int, default=0, help="also time K replications")
    ap.add_argument("--days", type=float, default=None)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--quick", action="store_true", help="smoke run: 4 replications of 60 days")
    a = ap.parse_args()
    if a.quick:
        a.reps, a.days, a.dask_workers, a.peer_workers, a.thousand = 4, 60.0, [1, 2], [], 0
    print(machine())
    net = load("middle-corridor-2025")
    sc = parse_scenario(BASELINE)
    if a.days:
        sc = sc.with_horizon(a.days)
    model = compile_model(net, sc)
    mc.replicate(model, 0, 0)  # kernels loaded in this process (the pool's workers fork it)
    full = model.scenario.horizon_days >= 365
    print(
        f"baseline {net.label}: {len(model.flows)} flows, {len(model.stages)} stages, "
        f"{model.scenario.horizon_days:g} days; {a.reps} replications per row, seed {a.seed}"
    )

    t_serial, ref = timed(lambda: _dumps(mc.run_reps(model, a.reps, a.seed, executor="serial")))
    serial_rep = t_serial["cpu"] / a.reps
    t_pool, out = timed(
        lambda: _dumps(mc.run_reps(model, a.reps, a.seed, executor="local", workers=2))
    )
    check(out == ref, "process pool (2 workers) summaries = serial")

    rows: list[tuple[str, int, dict[str, float]]] = []
    for tuned, ns in ((True, a.dask_workers), (False, a.peer_workers)):
        for n in ns:
            cl = Cluster(n, model, tuned)
            try:
                name = "Dask, titr's settings" if tuned else "Dask defaults (peer)"
                print(
                    f"{name}, {n} worker(s): cluster start {cl.start_wall:.1f} s wall; warm-up "
                    f"(first replication on each worker, loads the compiled kernels): "
                    f"{', '.join(f'{w:.2f}' for w in cl.warm)} s CPU, {cl.warm_wall:.1f} s wall; "
                    f"idle, the cluster uses {cl.idle:.3f} cores (not in the table)"
                )
                t, out = cl.run(model, a.reps, a.seed)
                check(out == ref, f"{name}, {n} worker(s): summaries = serial")
                rows.append((name, n, t))
            finally:
                cl.close()

    print(
        f"\n{'':<24}{'N':>3}{'wall s':>8}{'speed-up':>9}{'par.eff':>8}{'workers':>9}"
        f"{'in reps':>9}{'Dask':>7}{'sched+':>8}{'CPU s':>8}{'CPU eff':>8}"
    )
    print(
        f"{'':<24}{'':>3}{'':>8}{'vs N=1':>9}{'':>8}{'CPU s':>9}{'CPU s':>9}{'CPU s':>7}"
        f"{'nannies':>8}{'/rep':>8}{'':>8}"
    )
    print(
        f"{'serial loop':<24}{1:>3}{t_serial['wall']:>8.2f}{'':>9}{'':>8}{'':>9}{'':>9}{'':>7}"
        f"{'':>8}{serial_rep:>8.3f}{100:>7.0f}%"
    )
    print(
        f"{'process pool':<24}{2:>3}{t_pool['wall']:>8.2f}{'':>9}{'':>8}"
        f"{t_pool['cpu'] - t_pool['here']:>9.2f}{'':>9}{'':>7}{t_pool['here']:>8.2f}"
        f"{t_pool['cpu'] / a.reps:>8.3f}{100 * serial_rep * a.reps / t_pool['cpu']:>7.0f}%"
    )
    for name, n, t in rows:
        one = next((u for m, k, u in rows if m == name and k == 1), None)
        sp = f"{one['wall'] / t['wall']:>8.2f}x" if one else f"{'':>9}"
        pe = f"{100 * one['wall'] / t['wall'] / n:>7.0f}%" if one else f"{'':>8}"
        print(
            f"{name:<24}{n:>3}{t['wall']:>8.2f}{sp}{pe}{t['workers']:>9.2f}{t['reps']:>9.2f}"
            f"{t['workers'] - t['reps']:>7.2f}{t['here']:>8.2f}{t['cpu'] / a.reps:>8.3f}"
            f"{100 * serial_rep * a.reps / t['cpu']:>7.0f}%"
        )
    cores = os.cpu_count() or 1
    print(
        f"speed-up and par. eff. compare wall times of the same replications on N=1 and N "
        f"workers; this machine has {cores} cores, so the wall speed-up can only be near-linear "
        f"up to N={cores}: with more workers than cores, CPU eff. is the figure (the speed-up "
        f"N free cores would give is at most N x CPU eff.). sched+nannies = CPU of this process "
        "(scheduler, nannies, client); CPU eff. = serial CPU per replication / the row's"
    )
    for n in sorted({n for _, n, _ in rows}):
        ours = next((t for m, k, t in rows if k == n and m.startswith("Dask, titr")), None)
        peer = next((t for m, k, t in rows if k == n and m.startswith("Dask defaults")), None)
        if ours and peer:
            print(
                f"CPU per replication with {n} workers: Dask defaults {peer['cpu'] / a.reps:.3f} s"
                f" / titr's settings {ours['cpu'] / a.reps:.3f} s = "
                f"{peer['cpu'] / ours['cpu']:.2f}x (same tasks, cluster settings only)"
            )

    if a.thousand:
        k = a.thousand
        print(f"\n{k} replications, 2 workers (load average {os.getloadavg()[0]:.2f} before):")
        t_p, ref_k = timed(
            lambda: _dumps(mc.run_reps(model, k, a.seed, executor="local", workers=2))
        )
        check(ref_k[: a.reps] == ref, f"process pool, first {a.reps} of {k} = serial")
        cl = Cluster(2, model, True)
        try:
            t_d, out = cl.run(model, k, a.seed)
        finally:
            cl.close()
        check(out == ref_k, f"Dask 2 workers, {k} replications = process pool")

        def verdict(x: float) -> str:
            return (("met" if x < 120 else "NOT met") if full else "n/a, horizon < 365 days") + (
                "" if k == 1000 else f" (goal is for 1,000; {k} run)"
            )

        print(
            f"  process pool of 2 (started inside, as `titr simulate --executor local`): "
            f"{t_p['wall']:.1f} s wall, {t_p['cpu']:.1f} s CPU ({t_p['cpu'] / k:.3f} s/rep); "
            f"goal < 120 s: {verdict(t_p['wall'])}"
        )
        print(
            f"  Dask, 2 workers, warm cluster: {t_d['wall']:.1f} s wall, {t_d['cpu']:.1f} s CPU "
            f"({t_d['cpu'] / k:.3f} s/rep: workers {t_d['workers']:.1f} s, of it in replications "
            f"{t_d['reps']:.1f} s; scheduler, nannies and client {t_d['here']:.1f} s); with the "
            f"cluster start ({cl.start_wall:.1f} s) and "
            f"warm-up ({cl.warm_wall:.1f} s): {t_d['wall'] + cl.start_wall + cl.warm_wall:.1f} s; "
            f"goal < 120 s: {verdict(t_d['wall'] + cl.start_wall + cl.warm_wall)}"
        )
    print(machine())


if __name__ == "__main__":
    main()

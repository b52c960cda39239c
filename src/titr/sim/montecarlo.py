"""Monte Carlo over replications: executors (serial, local processes, Dask), persistence of each
replication's summary in the store as it finishes, resume, and a stop rule on the p90 interval.

Replication r draws from ``numpy.random.default_rng(SeedSequence([seed, r]))``, so its summary
depends only on (model, seed, r): the same on every executor and after a resume. The combined
result uses replications 0..k−1 in order; with `until_ci` k is the smallest count (≥ min_reps)
whose p90-transit t-interval half-width is ≤ until_ci days, so it does not depend on which
worker finished first either.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from titr.errors import DataError, Issue, TitrError
from titr.network.model import Network
from titr.sim.engine import run_replication
from titr.sim.model import SimModel, compile_model
from titr.sim.scenario import Scenario, parse_scenario
from titr.sim.stats import combine, p90_halfwidth_days, summarise

EXECUTORS = ("serial", "local", "dask")
Progress = Callable[[int, int], None]


class CancelledRun(TitrError):
    title = "cancelled"
    status_code = 409


# Peak memory of one replication grows with the shipments it holds: one float/int per lot and
# stage in a handful of arrays. Measured with tracemalloc on middle-corridor-2025 (60, 240 and
# 960 days): 42.5 bytes per lot-stage, constant; 64 leaves room for allocator overhead.
BYTES_PER_LOT_STAGE = 64
BASE_BYTES = 32 * 2**20


def estimate_memory_bytes(model: SimModel, workers: int = 1) -> int:
    """Estimated peak memory of running `model`: per replication
    BASE + 64 B × Σ_flows lots/yr × (stages + 1) × horizon/365, times the replications that
    run at once (`workers`)."""
    lot_stages = sum(
        float(f["lots_per_year"]) * (len(model.paths[f["path"]].stages) + 1) for f in model.flows
    )
    per_rep = BASE_BYTES + BYTES_PER_LOT_STAGE * lot_stages * model.scenario.horizon_days / 365
    return int(per_rep * max(1, workers))


def rep_rng(seed: int, rep: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, rep]))


def replicate(model: SimModel, seed: int, rep: int) -> dict[str, Any]:
    """One replication's JSON-safe summary (pure function of model, seed, rep)."""
    return summarise(model, run_replication(model, rep_rng(seed, rep)), rep)


def replicate_batch(
    model: SimModel, seed: int, reps: list[int]
) -> list[tuple[int, dict[str, Any]]]:
    """Several replications in one task: (rep, summary) for each, each its own pure function of
    (model, seed, rep), so batching changes nothing in the results."""
    _undo_dask_malloc_trim()
    return [(r, replicate(model, seed, r)) for r in reps]


_MALLOC_TUNED = False
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def _undo_dask_malloc_trim() -> None:
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 (its config
    ``distributed.nanny.pre-spawn-environ``): glibc then hands every freed block over 64 kB
    back to the OS at once and stops adapting its mmap threshold, so each numpy array of a
    replication costs fresh page faults. Measured on the baseline: 2.3x the CPU per
    replication (958k minor page faults for 4 replications instead of 52k). Once per worker
    process, raise the trim and mmap thresholds again (glibc only; elsewhere, and outside a
    Dask worker, nothing changes). Memory is still returned when the worker exits."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ:
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_TRIM_THRESHOLD, 256 * 2**20)
        libc.mallopt(M_MMAP_THRESHOLD, 32 * 2**20)


DASK_BATCH_MAX = 8


def dask_batches(
    reps: list[int], n_workers: int, max_batch: int = DASK_BATCH_MAX
) -> list[list[int]]:
    """Consecutive replications grouped into Dask tasks of up to `max_batch`, so a long run
    does not pay a scheduler round trip and a result transfer per replication, while keeping
    at least about 4 tasks per worker for load balance and a prompt stop rule. (The extra CPU
    per replication measured on Dask workers came from their malloc settings, see
    `_undo_dask_malloc_trim`; batching itself changed the CPU per replication by < 5 %.)"""
    size = max(1, min(max_batch, len(reps) // (4 * max(1, n_workers))))
    return [reps[i : i + size] for i in range(0, len(reps), size)]


_MODEL: SimModel | None = None


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process die when its parent dies, even by kill -9: Linux
    PR_SET_PDEATHSIG = SIGKILL; if the parent is already gone, exit now. Elsewhere a no-op
    (the executor's own shutdown is all there is)."""
    import os
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the line above ran
        os._exit(1)


def _init_worker(model: SimModel, parent_pid: int | None = None) -> None:
    global _MODEL
    if parent_pid is not None:
        die_with_parent(parent_pid)
    _MODEL = model


def _replicate_global(seed: int, rep: int) -> dict[str, Any]:
    assert _MODEL is not None
    return replicate(_MODEL, seed, rep)


@dataclass
class SimResult:
    """Summaries of replications 0..n−1 and every statistic with its 95 % t-interval."""

    summaries: list[dict[str, Any]]
    seed: int
    label: str = ""
    run_id: str | None = None
    stats: dict[str, dict[str, float]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # demand flows without a route

    def __post_init__(self) -> None:
        if not self.stats and self.summaries:
            self.stats = combine(self.summaries)

    @property
    def replications(self) -> int:
        return len(self.summaries)

    def stat(self, key: str) -> dict[str, float]:
        return self.stats[key]

    @property
    def critical_resource(self) -> str | None:
        tot: dict[str, float] = {}
        for s in self.summaries:
            for k, v in s.get("critical_share", {}).items():
                tot[k] = tot.get(k, 0.0) + v
        return max(tot, key=lambda k: tot[k]) if tot else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.label,
            "run_id": self.run_id,
            "seed": self.seed,
            "replications": self.replications,
            "critical_resource": self.critical_resource,
            "skipped_flows": self.skipped,
            "statistics": {
                k: {kk: (vv if math.isfinite(vv) else None) for kk, vv in v.items()}
                for k, v in self.stats.items()
            },
        }

    def to_frame(self) -> Any:
        import pandas as pd

        rows = [{"statistic": k, **v} for k, v in self.stats.items()]
        return pd.DataFrame(rows, columns=["statistic", "mean", "ci_low", "ci_high", "n"])


def _stop_count(
    done: dict[int, dict[str, Any]], total: int, until_ci: float | None, min_reps: int
) -> int | None:
    """How many leading replications make the result, or None to keep going."""
    k = 0
    while k in done:
        k += 1
    if k >= total:
        return total
    if until_ci is None:
        return None
    prefix = [done[i] for i in range(k)]
    for m in range(max(min_reps, 2), k + 1):
        if p90_halfwidth_days(prefix[:m]) <= until_ci:
            return m
    return None


def _iter_local(
    model: SimModel, seed: int, reps: list[int], workers: int | None
) -> Iterator[tuple[int, dict[str, Any]] | None]:
    import os

    # workers are forked by this thread; they die with this process (kill -9 included)
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(model, os.getpid())
    ) as ex:
        pending = {ex.submit(_replicate_global, seed, r): r for r in reps}
        try:
            while pending:
                done, _ = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                if not done:
                    yield None
                for f in done:
                    r = pending.pop(f)
                    yield r, f.result()
        finally:
            for f in pending:
                f.cancel()


def _iter_dask(
    model: SimModel, seed: int, reps: list[int], address: str | None, workers: int | None
) -> Iterator[tuple[int, dict[str, Any]] | None]:
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if address:
        client = Client(address, timeout="20s")
    else:
        cluster = LocalCluster(
            n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    try:
        fm = client.scatter(model, broadcast=True)
        n_workers = len(client.scheduler_info().get("workers", {})) or (workers or 1)
        batches = dask_batches(reps, n_workers)
        futs = [
            client.submit(
                replicate_batch,
                fm,
                seed,
                b,
                key=f"titr-reps-{seed}-{b[0]}-{b[-1]}-{id(model)}",
                pure=False,
            )
            for b in batches
        ]
        ac = as_completed(futs)
        try:
            for f in ac:
                yield from f.result()
        finally:
            for f in futs:
                f.cancel()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _iter_serial(
    model: SimModel, seed: int, reps: list[int]
) -> Iterator[tuple[int, dict[str, Any]] | None]:
    for r in reps:
        yield r, replicate(model, seed, r)


def run_reps(
    model: SimModel,
    replications: int,
    seed: int = 0,
    *,
    executor: str = "local",
    address: str | None = None,
    workers: int | None = None,
    done: dict[int, dict[str, Any]] | None = None,
    until_ci: float | None = None,
    min_reps: int = 5,
    on_item: Callable[[int, dict[str, Any]], None] | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> list[dict[str, Any]]:
    """Run the missing replications of 0..replications−1; returns the leading summaries that
    make the result. `done` holds replications already finished (a resumed run)."""
    if executor not in EXECUTORS:
        raise DataError(
            Issue("<options>", None, "executor", executor, f"must be one of {', '.join(EXECUTORS)}")
        )
    if replications < 1:
        raise DataError(Issue("<options>", None, "replications", str(replications), "must be >= 1"))
    have: dict[int, dict[str, Any]] = dict(done or {})
    todo = [r for r in range(replications) if r not in have]
    stop = _stop_count(have, replications, until_ci, min_reps)
    if progress:
        progress(len(have), replications)
    if stop is None and todo:
        it = (
            _iter_serial(model, seed, todo)
            if executor == "serial"
            else _iter_local(model, seed, todo, workers)
            if executor == "local"
            else _iter_dask(model, seed, todo, address, workers)
        )
        try:
            for item in it:
                if cancel is not None and cancel.is_set():
                    raise CancelledRun(
                        "the simulation was cancelled; finished replications "
                        "are kept and the run can be resumed"
                    )
                if item is None:
                    continue
                r, summ = item
                have[r] = summ
                if on_item:
                    on_item(r, summ)
                if progress:
                    progress(len(have), replications)
                stop = _stop_count(have, replications, until_ci, min_reps)
                if stop is not None:
                    break
        finally:
            close = getattr(it, "close", None)
            if close:
                close()
    if stop is None:
        stop = _stop_count(have, replications, until_ci, min_reps) or replications
    return [have[r] for r in range(stop)]


def simulate(
    net: Network,
    scenario: Scenario | dict[str, Any],
    *,
    replications: int = 10,
    seed: int = 0,
    executor: str = "serial",
    address: str | None = None,
    workers: int | None = None,
    days: float | None = None,
    until_ci: float | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    store: Any = None,
    resume: str | None = None,
    on_run: Callable[[str], None] | None = None,
) -> SimResult:
    """Python API: simulate `replications` replications of `scenario` on `net`.

    With `store` (a titr Store) each replication's summary is saved as it finishes under a run
    of kind "simulation"; `resume=RUN_ID` continues such a run with its stored parameters."""
    sc = scenario if isinstance(scenario, Scenario) else parse_scenario(scenario)
    sc = sc.with_horizon(days)
    run_id = resume
    done: dict[int, dict[str, Any]] = {}
    if store is not None and resume:
        info = store.get_run(resume)
        p = info["params"]
        if info.get("dataset_label") and info["dataset_label"] != net.label:
            raise DataError(
                Issue(
                    "<run>",
                    None,
                    "dataset",
                    net.label,
                    f"run {resume} was made on {info['dataset_label']}; resume "
                    f"it on the same dataset",
                )
            )
        sc = parse_scenario(p["scenario"], f"run {resume}")
        replications, seed, until_ci = p["replications"], p["seed"], p.get("until_ci")
        done = store.run_items(resume)
    model = compile_model(net, sc)
    if store is not None and resume:
        store.recover_interrupted()  # a run left "running" by a killed process
        store.restart_run(resume, takeover=True)
    if store is not None and run_id is None:
        run_id = store.create_run(
            "simulation",
            {
                "scenario": sc.to_dict(),
                "replications": replications,
                "seed": seed,
                "until_ci": until_ci,
            },
            dataset_label=net.label,
            total=replications,
        )

    if on_run is not None and run_id is not None:
        on_run(run_id)

    def save(r: int, summ: dict[str, Any]) -> None:
        if store is not None and run_id is not None:
            store.add_run_item(run_id, r, summ)

    try:
        summaries = run_reps(
            model,
            replications,
            seed,
            executor=executor,
            address=address,
            workers=workers,
            done=done,
            until_ci=until_ci,
            on_item=save,
            progress=progress,
            cancel=cancel,
        )
    except CancelledRun:
        if store is not None and run_id is not None:
            store.finish_run(run_id, "cancelled")
        raise
    except KeyboardInterrupt:  # Ctrl-C: finished replications stay stored; resume later
        if store is not None and run_id is not None:
            store.finish_run(
                run_id, "interrupted", error=f"interrupted; resume with --resume {run_id}"
            )
        raise
    except Exception as e:  # recorded on the run (never left "running"), then raised
        if store is not None and run_id is not None:
            store.finish_run(run_id, "failed", error=f"{type(e).__name__}: {e}"[:2000])
        raise
    res = SimResult(summaries, seed, net.label, run_id, skipped=model.skipped)
    if store is not None and run_id is not None:
        store.finish_run(run_id, "done", res.to_dict())
    return res


def start_background(
    net: Network, scenario: Scenario | dict[str, Any], progress: Progress | None = None, **kw: Any
) -> tuple[threading.Thread, threading.Event, dict[str, Any]]:
    """Run `simulate` in a daemon thread (for the API). Returns (thread, cancel flag, box);
    box gets "result" (SimResult) or "error" (the exception) when the thread ends."""
    cancel = threading.Event()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = simulate(net, scenario, progress=progress, cancel=cancel, **kw)
        except BaseException as e:  # handed to the caller
            box["error"] = e

    th = threading.Thread(target=target, name="titr-simulate", daemon=True)
    th.start()
    return th, cancel, box

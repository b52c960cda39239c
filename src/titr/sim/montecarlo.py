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
import time
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
    (model, seed, rep), so batching changes nothing in the results. The CPU seconds this
    thread spends in them are added to the process's `replication_cpu()` (benchmarks split a
    Dask worker's CPU into replications and Dask's own work with it: thread time, so the
    worker's event loop and profiler threads, busy at the same time, are not counted in it;
    the compiled kernels run in the calling thread)."""
    global _REPLICATION_CPU
    _undo_dask_malloc_trim()
    t = time.thread_time()
    out = [(r, replicate(model, seed, r)) for r in reps]
    _REPLICATION_CPU += time.thread_time() - t
    return out


_REPLICATION_CPU = 0.0


def replication_cpu() -> float:
    """CPU seconds this process has spent inside `replicate_batch` (a Dask worker's share of
    replication work; read with ``client.run(replication_cpu)``)."""
    return _REPLICATION_CPU


_MALLOC_TUNED = False
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameters


def _undo_dask_malloc_trim() -> None:
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536 (its config
    ``distributed.nanny.pre-spawn-environ``): glibc then hands every freed block over 64 kB
    back to the OS at once and stops adapting its mmap threshold, so each numpy array of a
    replication costs fresh page faults. Measured on the baseline: 2.3x the CPU per
    replication (958k minor page faults for 4 replications instead of 52k). Once per worker
    process (Dask workers and the local pool's), whatever the environment, set the trim and
    mmap thresholds high (glibc only; elsewhere nothing changes): even against glibc's own
    adaptive defaults this keeps a replication's arrays on the heap, measured 0.126 vs 0.133 s
    CPU per baseline replication (benchmarks/dask_scaling.py, quiet machine). The process
    running titr itself (serial executor, API server) keeps glibc's defaults. Memory is still
    returned when the worker exits."""
    global _MALLOC_TUNED
    if _MALLOC_TUNED:
        return
    _MALLOC_TUNED = True
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
    at least about 4 tasks per worker for load balance and a prompt stop rule. The number of
    tasks is rounded up to a multiple of the workers and the sizes differ by at most one, so
    every worker gets the same number of (nearly) equal tasks and none is left running a
    task alone at the end: 1,000 replications on 2 workers are 126 tasks of 7-8, not 125
    of 8. (The extra CPU per replication measured on Dask workers came from their malloc
    settings, profiler and tick monitor, see `dask_tuning`; batching itself changed the CPU
    per replication by < 5 %.)"""
    n, w = len(reps), max(1, n_workers)
    if n == 0:
        return []
    size = max(1, min(max_batch, n // (4 * w)))
    tasks = -(-n // size)  # ceil
    tasks = min(n, -(-tasks // w) * w)  # a multiple of the workers, at most one rep each
    base, extra = divmod(n, tasks)
    out, i = [], 0
    for t in range(tasks):
        k = base + (1 if t < extra else 0)
        out.append(reps[i : i + k])
        i += k
    return out


def dask_tuning() -> dict[str, Any]:
    """Dask settings of the clusters titr starts itself (`local_dask_cluster`), measured
    against Dask's defaults by benchmarks/dask_scaling.py (an idle 2-worker cluster uses
    about 0.03 cores with these, 0.11 with the defaults):

    - the worker's statistical profiler off (``distributed.worker.profile.enabled``): a
      thread that samples the task thread's stack every 10 ms while a replication runs;
    - the event-loop tick monitor every 500 ms instead of 20 ms
      (``distributed.admin.tick.interval``, used only to warn about a blocked event loop):
      the largest part of the idle CPU of the scheduler, the nannies and every worker;
    - no ``MALLOC_TRIM_THRESHOLD_`` in the workers' environment (the nanny sets 65536 by
      default; every worker also sets its malloc thresholds itself, see
      `_undo_dask_malloc_trim`, also on clusters started by others).

    Workers of a cluster titr does not start keep their own settings: start them with
    ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False`` and
    ``DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL=500ms`` for the same effect."""
    import dask

    env = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    return {
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "500ms",
        "distributed.nanny.pre-spawn-environ": {
            k: v for k, v in env.items() if k != "MALLOC_TRIM_THRESHOLD_"
        },
    }


@contextlib.contextmanager
def local_dask_cluster(n_workers: int, *, tuned: bool = True) -> Iterator[Any]:
    """A Dask LocalCluster on loopback: `n_workers` worker processes (each with a nanny) of
    one thread each, so replications never share a GIL; with `tuned`, started under
    `dask_tuning()` (read when the scheduler and the workers start, so the settings do not
    stay changed in this process). Closed on exit."""
    import dask
    from distributed import LocalCluster

    # an untuned cluster started earlier in this process may have left the nanny's
    # MALLOC_TRIM_THRESHOLD_ in os.environ, which the new workers would inherit
    saved = os.environ.pop("MALLOC_TRIM_THRESHOLD_", None) if tuned else None
    try:
        with dask.config.set(dask_tuning() if tuned else {}):
            cluster = LocalCluster(
                n_workers=n_workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
    finally:
        if saved is not None:
            os.environ["MALLOC_TRIM_THRESHOLD_"] = saved
    try:
        yield cluster
    finally:
        cluster.close()


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
    _undo_dask_malloc_trim()  # the same malloc thresholds as a Dask worker's
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


class _StopRule:
    """How many leading replications make the result, or None to keep going: with `until_ci`,
    the smallest m ≥ max(min_reps, 2) whose first m replications have a p90-transit
    half-width ≤ until_ci days; otherwise (or when no prefix qualifies) all `total` once they
    are all done. Only the contiguous prefix 0..k−1 that has arrived counts, and every prefix
    length is checked once (its half-width never changes), so neither the order in which
    workers finish nor the number of replications already checked changes the answer or
    makes a check cost more than one interval."""

    def __init__(self, total: int, until_ci: float | None, min_reps: int) -> None:
        self.total, self.until_ci = total, until_ci
        self.k = 0  # replications 0..k-1 have all arrived
        self.checked = max(min_reps, 2) - 1  # prefixes up to this length are known not to stop

    def count(self, done: dict[int, dict[str, Any]]) -> int | None:
        while self.k in done:
            self.k += 1
        if self.until_ci is not None and self.k > self.checked:
            vals = [done[i] for i in range(self.k)]
            for m in range(self.checked + 1, self.k + 1):
                if p90_halfwidth_days(vals[:m]) <= self.until_ci:
                    return m
            self.checked = self.k
        return self.total if self.k >= self.total else None


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
    from distributed import Client

    with contextlib.ExitStack() as stack:
        if not address:
            address = stack.enter_context(local_dask_cluster(workers or 2)).scheduler_address
        client = stack.enter_context(Client(address, timeout="20s"))
        yield from _dask_tasks(client, model, seed, reps, workers)


def _dask_tasks(
    client: Any, model: SimModel, seed: int, reps: list[int], workers: int | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    from distributed import as_completed

    # the model (~20 kB) goes to every worker once; tasks refer to it by key
    fm = client.scatter(model, broadcast=True, hash=False)
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
    try:
        for f in as_completed(futs):
            yield from f.result()
    finally:
        client.cancel([*futs, fm])


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
    rule = _StopRule(replications, until_ci, min_reps)
    stop = rule.count(have)
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
                stop = rule.count(have)
                if stop is not None:
                    break
        finally:
            close = getattr(it, "close", None)
            if close:
                close()
    if stop is None:
        stop = rule.count(have) or replications
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

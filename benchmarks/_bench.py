"""Shared helpers of the benchmarks: CPU time best-of-N with the peers alternated in the same
process, equal-output checks that fail the run, and one line format for ratios.

Why CPU time and alternation: the project machine has 2 cores shared with other work, so wall
time measures the neighbours. `time.process_time()` counts only this process's CPU (all its
threads), and running titr and its peer in turn (A B A B ...) exposes both to the same
background; the best of N is the least disturbed run of each.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from typing import Any


class OutputMismatch(AssertionError):
    """Two implementations that a benchmark compares gave different answers."""


def cpu_alternated(
    fns: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    """Run every function `repeat` times in turn (A B C A B C ...); best CPU seconds and the
    last output of each."""
    best = {k: float("inf") for k in fns}
    out: dict[str, Any] = {}
    for _ in range(max(1, repeat)):
        for k, fn in fns.items():
            t = time.process_time()
            out[k] = fn()
            best[k] = min(best[k], time.process_time() - t)
    return best, out


def cpu_once(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.process_time()
    out = fn()
    return time.process_time() - t, out


def check(ok: bool, what: str) -> None:
    """An equal-output check: printed, and the benchmark fails (exit != 0) when it does not
    hold, so a ratio is never reported for different answers."""
    print(f"  check: {what}: {'equal' if ok else 'DIFFERENT'}")
    if not ok:
        raise OutputMismatch(what)


def ratio_line(label: str, ours: float, peers: dict[str, float], compares: str) -> None:
    """`label`: titr's CPU time and each peer's with the ratio peer / titr; `compares` says
    what the ratio measures (the algorithm, or a modelling layer around the same solver)."""
    parts = [f"titr {ours * 1e3:9.2f} ms"]
    for name, t in peers.items():
        parts.append(f"{name} {t * 1e3:9.2f} ms ({t / ours:6.1f}x)")
    print(f"  {label:<40} " + "   ".join(parts))
    print(f"  {'':<40} ratio compares: {compares}")


def children_cpu() -> float:
    """CPU seconds of this process's child processes: those that exited (getrusage) plus
    those alive (psutil), so pool and Dask workers count while they still run."""
    import contextlib
    import resource

    import psutil

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = r.ru_utime + r.ru_stime
    for c in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = c.cpu_times()
            total += t.user + t.system
    return total


def machine() -> str:
    """The machine line every benchmark prints first (cores and the load while it ran)."""
    load = os.getloadavg()
    return (
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"(CPU times best of N, peers alternated in the same process)"
    )

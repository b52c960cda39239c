"""Where the API computes an uncached, CPU-bound answer (a route, a corridor comparison):
inline on the event loop or in the process's compute thread.

Route answers are pure Python/numpy work under one GIL per process. Handing each to a worker
thread costs a loop → thread → loop round trip per request, and while the thread computes, the
event loop has to win the GIL back for every socket it serves (CPython switches threads every
5 ms): measured with `benchmarks/api.py`, that hand-off, not CPU, limited a 2-worker server to
about one core. Computing a short answer inline on the loop costs nothing extra and blocks the
loop only for as long as the answer takes.

The rule (`Placement`): requests are grouped into *kinds* by what decides their cost (dataset,
commodity, objective, number of alternatives, restrictions, number of via places). A kind runs
inline once its last `WINDOW` measured computations each took at most `INLINE_BUDGET_S`;
an unknown kind, or one whose recent computations took longer, runs in the compute thread
(one per process, so long answers take turns instead of contending for the GIL), where the
event loop keeps answering everything else. Each computation is measured where it runs and
updates its kind: inline by its wall time (how long the loop was blocked), in the thread by
its thread CPU time (its wall time there includes waits for the GIL). So a dataset or a query
shape whose answers take long never blocks the loop for more than about one budget, and the
loop is blocked at most `INLINE_BUDGET_S` by the answers it computes itself, unless one
request of a cheap kind turns out far dearer than its kind's last `WINDOW`.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable
from typing import TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

INLINE_BUDGET_S = 0.02  # longest computation (s) of a kind still run on the event loop
WINDOW = 8  # computations remembered per kind
MAX_KINDS = 4096  # kinds remembered (forgotten all at once beyond: they are relearned)
COMPUTE_THREADS = 1  # threads per process for answers too long to compute inline


class Placement:
    """Runs computations inline or in the compute thread by the rule in the module doc, and
    counts where each ran (`inline`, `threaded`)."""

    def __init__(
        self,
        budget_s: float = INLINE_BUDGET_S,
        window: int = WINDOW,
        threads: int = COMPUTE_THREADS,
        max_kinds: int = MAX_KINDS,
    ) -> None:
        if budget_s < 0 or window < 1 or threads < 1 or max_kinds < 1:
            raise ValueError("budget_s >= 0, window >= 1, threads >= 1, max_kinds >= 1")
        self.budget_s = budget_s
        self.window = window
        self.threads = threads
        self.max_kinds = max_kinds
        self._costs: dict[Hashable, deque[float]] = {}
        self._limiter: tuple[object, anyio.CapacityLimiter] | None = None
        self.inline = 0
        self.threaded = 0

    def runs_inline(self, kind: Hashable) -> bool:
        """True when `kind` has a full window of measured computations within the budget."""
        costs = self._costs.get(kind)
        return costs is not None and len(costs) == self.window and max(costs) <= self.budget_s

    def record(self, kind: Hashable, seconds: float) -> None:
        """One computation of `kind` took `seconds` (wall inline, thread CPU in the thread)."""
        costs = self._costs.get(kind)
        if costs is None:
            if len(self._costs) >= self.max_kinds:
                self._costs.clear()
            costs = self._costs[kind] = deque(maxlen=self.window)
        costs.append(seconds)

    def _limit(self) -> anyio.CapacityLimiter:
        """The compute threads' limiter of the running event loop (a limiter belongs to the
        loop it was made in; a test may run several servers one after another)."""
        loop = asyncio.get_running_loop()
        if self._limiter is None or self._limiter[0] is not loop:
            self._limiter = (loop, anyio.CapacityLimiter(self.threads))
        return self._limiter[1]

    async def run(self, kind: Hashable, fn: Callable[[], T]) -> T:
        """`fn()` inline or in the compute thread; its cost is recorded even when it raises
        (a refused query costs its kind's time too)."""
        if self.runs_inline(kind):
            self.inline += 1
            t0 = time.perf_counter()
            try:
                return fn()
            finally:
                self.record(kind, time.perf_counter() - t0)

        def timed() -> tuple[T | None, BaseException | None, float]:
            c0 = time.thread_time()
            try:
                return fn(), None, time.thread_time() - c0
            except Exception as e:  # recorded in the loop below, then raised there
                return None, e, time.thread_time() - c0

        self.threaded += 1
        # the cost is recorded on the loop's thread: the kinds are only touched there
        value, error, cost = await anyio.to_thread.run_sync(timed, limiter=self._limit())
        self.record(kind, cost)
        if error is not None:
            raise error
        return value  # type: ignore[return-value]

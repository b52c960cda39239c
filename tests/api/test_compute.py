"""titr.api.compute: where uncached answers are computed (inline on the event loop or in the
compute thread), by the measured cost of their kind."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from titr.api.compute import Placement


def test_unknown_kind_runs_in_the_thread_until_a_full_window_is_cheap() -> None:
    p = Placement(budget_s=0.01, window=3)
    assert not p.runs_inline("k")
    p.record("k", 0.001)
    p.record("k", 0.002)
    assert not p.runs_inline("k")  # 2 of 3 measured
    p.record("k", 0.003)
    assert p.runs_inline("k")
    assert not p.runs_inline("other")  # kinds are separate


def test_one_slow_computation_sends_its_kind_to_the_thread_for_a_window() -> None:
    p = Placement(budget_s=0.01, window=3)
    for _ in range(3):
        p.record("k", 0.001)
    p.record("k", 0.5)  # over budget
    assert not p.runs_inline("k")
    p.record("k", 0.001)
    p.record("k", 0.001)
    assert not p.runs_inline("k")  # the slow one is still in the window
    p.record("k", 0.001)
    assert p.runs_inline("k")  # it left the window
    p.record("k", 0.01)  # exactly the budget is still inline
    assert p.runs_inline("k")


def test_kinds_beyond_the_bound_are_forgotten_and_relearned() -> None:
    p = Placement(budget_s=0.01, window=1, max_kinds=2)
    p.record("a", 0.0)
    p.record("b", 0.0)
    assert p.runs_inline("a") and p.runs_inline("b")
    p.record("c", 0.0)  # a third kind: the table is cleared first
    assert p.runs_inline("c") and not p.runs_inline("a") and not p.runs_inline("b")


@pytest.mark.parametrize(
    "kw",
    [{"budget_s": -1.0}, {"window": 0}, {"threads": 0}, {"max_kinds": 0}],
)
def test_bad_settings_are_refused(kw: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Placement(**kw)  # type: ignore[arg-type]


def _busy(seconds: float) -> str:
    """Burn CPU (not sleep: the thread's cost is its CPU time) and say which thread ran."""
    t0 = time.thread_time()
    while time.thread_time() - t0 < seconds:
        pass
    return threading.current_thread().name


def test_run_places_by_measured_cost_and_records_failures() -> None:
    p = Placement(budget_s=0.05, window=2)

    async def main() -> list[str]:
        loop_thread = threading.current_thread().name
        where = []
        for _ in range(3):  # 2 in the thread (unknown kind), then inline
            where.append(await p.run("cheap", lambda: _busy(0.001)))
        # a dear kind: measured in the thread by its CPU time, so it stays there
        for _ in range(3):
            where.append(await p.run("dear", lambda: _busy(0.08)))
        # a failure is raised where the caller awaits, and its cost still counts
        for _ in range(3):  # 2 in the thread, the third inline
            with pytest.raises(KeyError):
                await p.run("fails", lambda: {}["x"])
        assert p.runs_inline("fails")
        return [w == loop_thread for w in where]

    assert asyncio.run(main()) == [False, False, True, False, False, False]
    assert (p.inline, p.threaded) == (2, 7)


def test_a_new_event_loop_gets_its_own_thread_limiter() -> None:
    """A server started after another (tests, benchmarks) must not wait on the first loop's
    limiter."""
    p = Placement(window=5)
    for _ in range(2):
        assert asyncio.run(p.run("k", lambda: 7)) == 7

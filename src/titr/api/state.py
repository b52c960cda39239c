"""Shared state of one API application: the store, loaded networks, built graphs, jobs.

Datasets are resolved by reference `NAME` (newest stored version) or `NAME@VERSION`, first in
the store, then among the bundled datasets. A resolution is remembered for `RESOLVE_TTL_S`
seconds (and forgotten at once when this app imports or deletes a dataset), so the hot path
(route queries) touches the database at most once per TTL per reference. Loaded networks are
cached per (name, content hash): a new version is a new key, an old one ages out (LRU).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from titr import limits
from titr.errors import NotFoundError, TitrError
from titr.network.model import Network
from titr.store import Store
from titr.store import tables as T

RESOLVE_TTL_S = 5.0
DATASET_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$")
VERSION_RE = re.compile(r"^[^\x00-\x1f\x7f]{1,50}$")
MAX_NETWORKS = 8
MAX_DERIVED = 64
MAX_RESULTS = 4096
MAX_RESULT_BYTES = 32 * 2**20  # cached route/compare answers: at most 32 MiB of JSON


class _Lru:
    """A small thread-safe LRU map, bounded by entries and (for bytes values) total bytes."""

    def __init__(self, size: int, max_bytes: int | None = None):
        self.size = size
        self.max_bytes = max_bytes
        self.nbytes = 0
        self._d: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            old = self._d.pop(key, None)
            self.nbytes -= len(old) if isinstance(old, bytes) else 0
            self._d[key] = value
            self.nbytes += len(value) if isinstance(value, bytes) else 0
            while len(self._d) > self.size or (
                self.max_bytes is not None and self.nbytes > self.max_bytes and len(self._d) > 1
            ):
                _, v = self._d.popitem(last=False)
                self.nbytes -= len(v) if isinstance(v, bytes) else 0

    def clear(self) -> None:
        with self._lock:
            self._d.clear()
            self.nbytes = 0


class Full(TitrError):
    """The server is at a capacity limit now; retry later (429 with Retry-After)."""

    title = "too many running jobs"
    status_code = 429

    def __init__(self, message: str, retry_after_s: int = 30):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after_s)}


@dataclass
class Ticket:
    """A running (or starting) job's claim on the server: who, how much work, how much memory."""

    key: str
    owner: str
    rep_days: float
    memory: int


class Admission:
    """Counts running jobs under one lock: a job is registered here before it is accepted, so
    N simultaneous requests can never all pass a check that each sees alone.

    Limits (titr.limits): max_running and max_running_per_token jobs, max_rep_days of
    replications × days over all jobs, max_sim_memory_bytes of estimated memory. A request
    that could never fit (more than a whole limit by itself) is a LimitError (422); one that
    does not fit now is `Full` (429, Retry-After)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, Ticket] = {}

    def admit(self, owner: str, rep_days: float, memory: int) -> Ticket:
        lim = limits.current()
        if rep_days > lim.max_rep_days_per_run:
            raise limits.LimitError(
                "max_rep_days_per_run", f"{rep_days:g}", "replications x days of this simulation"
            )
        if memory > lim.max_sim_memory_bytes:
            raise limits.LimitError(
                "max_sim_memory_bytes", memory, "estimated memory of this simulation in bytes"
            )
        with self._lock:
            run = list(self._tickets.values())
            mine = [t for t in run if t.owner == owner]
            why = None
            if len(run) >= lim.max_running:
                why = f"{len(run)} simulations are running (limit max_running = {lim.max_running})"
            elif len(mine) >= lim.max_running_per_token:
                why = (
                    f"{len(mine)} simulations of this token are running (limit "
                    f"max_running_per_token = {lim.max_running_per_token})"
                )
            elif sum(t.rep_days for t in run) + rep_days > lim.max_rep_days:
                why = (
                    f"running simulations hold {sum(t.rep_days for t in run):g} replication-days; "
                    f"this one adds {rep_days:g} (limit max_rep_days = {lim.max_rep_days:g})"
                )
            elif sum(t.memory for t in run) + memory > lim.max_sim_memory_bytes:
                why = (
                    f"running simulations hold an estimated {sum(t.memory for t in run)} bytes; "
                    f"this one needs {memory} (limit max_sim_memory_bytes = "
                    f"{lim.max_sim_memory_bytes})"
                )
            if why is not None:
                raise Full(f"{why}: wait or cancel one ({', '.join(t.key for t in run)})")
            t = Ticket(f"pending-{uuid.uuid4().hex[:8]}", owner, rep_days, memory)
            self._tickets[t.key] = t
            return t

    def bind(self, ticket: Ticket, run_id: str) -> None:
        """The job got its run id (the ticket keeps counting under that name)."""
        with self._lock:
            self._tickets.pop(ticket.key, None)
            ticket.key = run_id
            self._tickets[run_id] = ticket

    def release(self, key: str) -> None:
        with self._lock:
            self._tickets.pop(key, None)

    def running(self) -> list[Ticket]:
        with self._lock:
            return list(self._tickets.values())


class ApiState:
    def __init__(self, store: Store, default_dataset: str):
        self.store = store
        self.default_dataset = default_dataset
        self._resolved: dict[str, tuple[float, tuple[str, str, str, str]]] = {}
        self._networks = _Lru(MAX_NETWORKS)
        self._derived = _Lru(MAX_DERIVED)
        self._results = _Lru(MAX_RESULTS, MAX_RESULT_BYTES)
        self._load_locks: dict[tuple[str, str], threading.Lock] = {}
        self._lock = threading.Lock()
        self.jobs: dict[str, Any] = {}
        self.admission = Admission()
        self._stop = threading.Event()
        self.recovered = self._recover()
        self._sweeper = threading.Thread(target=self._sweep, name="titr-run-sweeper", daemon=True)
        self._sweeper.start()

    # ---- runs left behind by a dead process ----
    def _recover(self) -> list[str]:
        """Runs left "running" by a server or CLI that died become "interrupted"."""
        try:
            return self.store.recover_interrupted()
        except Exception:  # the store is unreachable now: the sweeper tries again
            return []

    def _sweep(self) -> None:
        from titr.store.db import heartbeat_s

        while not self._stop.wait(heartbeat_s()):
            self.recovered += self._recover()

    # ---- dataset resolution ----
    def invalidate(self) -> None:
        with self._lock:
            self._resolved.clear()

    def resolve(self, ref: str) -> tuple[str, str, str, str]:
        """(origin 'store'|'bundled', name, version, content_hash) for a reference."""
        now = time.monotonic()
        hit = self._resolved.get(ref)
        if hit is not None and hit[0] > now:
            return hit[1]
        name, _, version = ref.partition("@")
        if not DATASET_NAME_RE.match(name) or (version and not VERSION_RE.match(version)):
            raise NotFoundError(
                f"'{ref}' is not a dataset reference: give NAME or NAME@VERSION "
                f"(letters, digits, '_', '.', '-')."
            )
        q = sa.select(T.datasets.c.name, T.datasets.c.version, T.datasets.c.content_hash).where(
            T.datasets.c.name == name
        )
        if version:
            q = q.where(T.datasets.c.version == version)
        with self.store.begin() as conn:
            row = conn.execute(q.order_by(T.datasets.c.id.desc()).limit(1)).first()
        if row is not None:
            key = ("store", str(row.name), str(row.version), str(row.content_hash))
        else:
            from titr.network.bundled import bundled_names, load

            bundled = bundled_names()
            net = load(name) if name in bundled else None
            if net is None or (version and version != net.version):
                with self.store.begin() as conn:
                    stored = [r[0] for r in conn.execute(sa.select(T.datasets.c.name).distinct())]
                import difflib

                known = sorted(set(stored) | set(bundled))
                raise NotFoundError(
                    f"no dataset '{ref}' in the store or among the bundled datasets.",
                    difflib.get_close_matches(name, known, 5, 0.3) or known[:5],
                )
            key = ("bundled", net.name, net.version, net.content_hash)
        with self._lock:
            self._resolved[ref] = (now + RESOLVE_TTL_S, key)
        return key

    def network_if_loaded(self, ref: str | None = None) -> Network | None:
        """The cached Network when its resolution is fresh and it is loaded (no I/O)."""
        hit = self._resolved.get(ref or self.default_dataset)
        if hit is None or hit[0] <= time.monotonic():
            return None
        _, name, _, h = hit[1]
        return self._networks.get((name, h))  # type: ignore[no-any-return]

    def cached_result(self, net: Network, key: tuple[Any, ...]) -> bytes | None:
        return self._results.get((net.name, net.content_hash, *key))  # type: ignore[no-any-return]

    def network(self, ref: str | None = None) -> Network:
        """The Network for a dataset reference (default: the app's dataset), cached."""
        origin, name, version, h = self.resolve(ref or self.default_dataset)
        net = self._networks.get((name, h))
        if net is not None:
            return net  # type: ignore[no-any-return]
        with self._lock:
            lock = self._load_locks.setdefault((name, h), threading.Lock())
        with lock:  # one thread loads, the others wait for it
            net = self._networks.get((name, h))
            if net is None:
                if origin == "store":
                    net = self.store.load_network(name, version)
                else:
                    from titr.network.bundled import load

                    net = load(name)
                self._networks.put((name, h), net)
        return net  # type: ignore[no-any-return]

    def derived(self, net: Network, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """Something computed from a network (a graph, ...), cached per content hash + key."""
        k = (net.name, net.content_hash, *key)
        v = self._derived.get(k)
        if v is None:
            v = build()
            self._derived.put(k, v)
        return v

    def result_json(self, net: Network, key: tuple[Any, ...], build: Callable[[], Any]) -> bytes:
        """A deterministic result (same dataset content + query + seed → same answer) as JSON
        bytes, cached per content hash + key; errors are not cached. `build` returns the
        answer as JSON-safe values or as JSON bytes already."""
        k = (net.name, net.content_hash, *key)
        v = self._results.get(k)
        if v is None:
            v = build()
            if not isinstance(v, bytes):
                v = json.dumps(
                    v, ensure_ascii=False, allow_nan=False, separators=(",", ":")
                ).encode("utf-8")
            self._results.put(k, v)
        return v  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        """Ask running background jobs to stop (called when the server stops)."""
        self._stop.set()
        for job in list(self.jobs.values()):
            cancel = getattr(job, "cancel", None)
            if callable(cancel):
                cancel()

"""Every limit on the work one input may cost, in one place.

A dataset upload, a CSV file, a JSON body and a simulation request are each bounded before
the work starts or while it runs (inflating a zip counts bytes as they come out), so no input
can cost unbounded CPU, memory or answer size. Each limit has a name; a breach is a
`LimitError` (HTTP 413 for sizes of the request itself, 422 for content, 429 for capacity)
whose message names the limit and its value, so a user knows which setting to change.

Every limit can be changed by an environment variable ``TITR_LIMIT_<NAME>`` (upper case,
e.g. ``TITR_LIMIT_MAX_ROWS=2000000``) read when the server or the command starts, or in code
with ``set_limits(max_rows=...)``. The table (name, default, unit, what it bounds) is
`LIMITS`; ``titr`` docs and the README list it from there.
"""

from __future__ import annotations

import os
import threading
from contextvars import ContextVar
from dataclasses import dataclass, fields, replace
from typing import Any

from titr.errors import TitrError

MiB = 2**20


@dataclass(frozen=True)
class Limits:
    """The limits in force (defaults here; override with TITR_LIMIT_<NAME>)."""

    # uploads and archives
    max_upload_bytes: int = 50 * MiB  # request body of a dataset import
    max_uncompressed_bytes: int = 64 * MiB  # all members of an archive together, inflated
    max_member_bytes: int = 50 * MiB  # one file of a dataset (inflated)
    max_compression_ratio: int = 100  # inflated / compressed size of one archive member
    max_archive_members: int = 1000  # entries in a dataset zip
    # CSV content
    max_rows: int = 40_000  # data rows in one dataset (all its CSV files)
    max_columns: int = 200  # cells in a header or a row
    max_line_bytes: int = 1 * MiB  # one line of a CSV file
    max_field_chars: int = 10_000  # one CSV cell
    max_errors: int = 200  # issues listed in one answer; the rest are counted
    # JSON (manifest, request bodies)
    max_json_depth: int = 32  # nesting of objects/arrays
    max_string_chars: int = 10_000  # one string in a JSON body or manifest
    max_body_bytes: int = 5 * MiB  # a JSON request body
    # simulations (admission control)
    max_running: int = 2  # simulations running at once (all tokens)
    max_running_per_token: int = 1  # simulations running at once for one token
    max_rep_days: float = 400_000.0  # replications x days of all running simulations
    max_rep_days_per_run: float = 200_000.0  # replications x days of one simulation
    max_sim_memory_bytes: int = 1024 * MiB  # estimated memory of all running simulations
    # server
    request_timeout_s: float = 120.0  # wall time of one request before a 503


DOC: dict[str, tuple[str, str]] = {
    "max_upload_bytes": ("bytes", "request body of a dataset import"),
    "max_uncompressed_bytes": ("bytes", "all files of a dataset zip together, inflated"),
    "max_member_bytes": ("bytes", "one file of a dataset, inflated"),
    "max_compression_ratio": ("ratio", "inflated / compressed size of one zip member"),
    "max_archive_members": ("entries", "entries in a dataset zip"),
    "max_rows": ("rows", "data rows in one dataset, all files together (~40 µs of CPU each)"),
    "max_columns": ("cells", "cells in a CSV header or row"),
    "max_line_bytes": ("bytes", "one line of a CSV file"),
    "max_field_chars": ("characters", "one CSV cell"),
    "max_errors": ("issues", "issues listed per answer (the rest counted)"),
    "max_json_depth": ("levels", "nesting of a JSON manifest or body"),
    "max_string_chars": ("characters", "one string in a JSON body or manifest"),
    "max_body_bytes": ("bytes", "a JSON request body"),
    "max_running": ("runs", "simulations running at once"),
    "max_running_per_token": ("runs", "simulations running at once per API token"),
    "max_rep_days": ("replication-days", "replications x days of all running simulations"),
    "max_rep_days_per_run": ("replication-days", "replications x days of one simulation"),
    "max_sim_memory_bytes": ("bytes", "estimated memory of all running simulations"),
    "request_timeout_s": ("seconds", "wall time of one API request"),
}


def rule(limit: str, value: Any, what: str) -> str:
    """The sentence for a breached limit: what, the value, the limit's name, value and
    environment variable."""
    env = "TITR_LIMIT_" + limit.upper()
    return (
        f"{what}: {value} exceeds the limit {limit} = {getattr(current(), limit)} "
        f"(set {env} to change it)"
    )


class LimitError(TitrError):
    """An input exceeds a configured limit; `limit` names it."""

    title = "limit exceeded"
    status_code = 422

    def __init__(self, limit: str, value: Any, what: str, *, status: int = 422):
        self.limit = limit
        self.limit_value = getattr(current(), limit)
        self.status_code = status
        self.title = "payload too large" if status == 413 else "limit exceeded"
        super().__init__(rule(limit, value, what))

    def to_problem(self) -> dict[str, Any]:
        p = super().to_problem()
        p["limit"] = {"name": self.limit, "value": self.limit_value}
        return p


# The cancel flag of the request being served (set by titr.api.guard): raised when the client
# disconnects or the request passes request_timeout_s. Worker threads inherit it.
CANCEL: ContextVar[threading.Event | None] = ContextVar("titr_cancel", default=None)


class Cancelled(TitrError):
    """The request was abandoned (client gone or time-out): its work stopped."""

    title = "request cancelled"
    status_code = 499


def checkpoint() -> None:
    """Raise `Cancelled` when the current request's cancel flag is set (cheap; call it
    between rows or chunks of long work)."""
    ev = CANCEL.get()
    if ev is not None and ev.is_set():
        raise Cancelled("the request was cancelled (client disconnected or time-out)")


def _from_env(base: Limits) -> Limits:
    kw: dict[str, Any] = {}
    for f in fields(Limits):
        raw = os.environ.get("TITR_LIMIT_" + f.name.upper())
        if raw is None or not raw.strip():
            continue
        conv = float if f.type in ("float", float) else int
        try:
            v = conv(raw.strip())
        except ValueError:
            raise TitrError(
                f"TITR_LIMIT_{f.name.upper()}={raw!r}: must be a {conv.__name__} > 0"
            ) from None
        if not v > 0:
            raise TitrError(f"TITR_LIMIT_{f.name.upper()}={raw!r}: must be > 0")
        kw[f.name] = v
    return replace(base, **kw)


_current: Limits | None = None


def current() -> Limits:
    """The limits in force: defaults overridden by TITR_LIMIT_* (read once)."""
    global _current
    if _current is None:
        _current = _from_env(Limits())
    return _current


def set_limits(**kw: Any) -> Limits:
    """Change limits in this process (tests, embedding); returns the new table."""
    global _current
    _current = replace(current(), **kw)
    return _current


def reset_limits() -> None:
    """Back to the defaults and the environment (read again)."""
    global _current
    _current = None


def markdown_table() -> str:
    """The limits as a Markdown table (name, default, unit, what it bounds)."""
    d = Limits()
    lines = ["| limit | default | unit | bounds |", "|---|---|---|---|"]
    for f in fields(Limits):
        unit, what = DOC[f.name]
        lines.append(f"| `{f.name}` | {getattr(d, f.name)} | {unit} | {what} |")
    return "\n".join(lines)


def json_depth(obj: Any) -> int:
    """Nesting depth of a parsed JSON value (scalars 0, [] / {} 1, ...), without recursion."""
    best = 0
    stack: list[tuple[Any, int]] = [(obj, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        if isinstance(v, list):
            d += 1
            best = max(best, d)
            stack.extend((x, d) for x in v if isinstance(x, dict | list))
    return best


def load_json(text: str | bytes, what: str) -> Any:
    """json.loads bounded by max_json_depth and max_string_chars; a breach is a LimitError,
    a syntax error the usual ValueError (json.JSONDecodeError)."""
    import json

    lim = current()
    try:
        obj = json.loads(text)
    except RecursionError:
        raise LimitError("max_json_depth", "deeper than the parser allows", what) from None
    depth = json_depth(obj)
    if depth > lim.max_json_depth:
        raise LimitError("max_json_depth", depth, f"{what}: nesting depth")
    longest = longest_string(obj)
    if longest > lim.max_string_chars:
        raise LimitError("max_string_chars", longest, f"{what}: a string of that many characters")
    return obj


def longest_string(obj: Any) -> int:
    """Length of the longest string (key or value) in a parsed JSON value."""
    best = 0
    stack = [obj]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            best = max(best, len(v))
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return best

"""Paged listings shared by routers (a router never imports another router)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from titr.store import tables as T


def runs_page(state: Any, limit: int, offset: int, kind: str | None = None) -> dict[str, Any]:
    """Runs (of ``kind``), newest first, with the total count."""
    q = sa.select(sa.func.count()).select_from(T.runs)
    if kind:
        q = q.where(T.runs.c.kind == kind)
    with state.store.begin() as conn:
        total = int(conn.execute(q).scalar_one())
    items = state.store.list_runs(kind, limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}

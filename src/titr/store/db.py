"""The store: datasets side by side (name + version + content hash), runs, scenarios, tokens.

Default: an SQLite file in the user's data directory, created and migrated on first use.
`TITR_DATABASE_URL` selects another database (PostgreSQL: postgresql+psycopg://...).
Every write is one transaction: all or nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from titr.errors import DataError, Issue, NotFoundError, TitrError
from titr.network import attributes as attrs
from titr.network.io_csv import build_network, component_records, content_hash
from titr.network.model import COMPONENT_MODELS, Manifest, Network
from titr.store import tables as T


def data_dir() -> Path:
    home = os.environ.get("TITR_HOME")
    if home:
        return Path(home)
    import platformdirs

    return Path(platformdirs.user_data_dir("titr", appauthor=False))


def database_url() -> str:
    url = os.environ.get("TITR_DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    d = data_dir()
    d.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{d / 'titr.db'}"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def heartbeat_s() -> float:
    """Seconds between two heartbeats of a running run (TITR_RUN_HEARTBEAT_S, default 10); a
    run whose heartbeat is 3 beats old belongs to a process that died."""
    try:
        v = float(os.environ.get("TITR_RUN_HEARTBEAT_S", "10"))
    except ValueError:
        v = 10.0
    return v if v > 0 else 10.0


class DatasetExistsError(TitrError):
    title = "dataset exists"
    status_code = 409


class RunStateError(TitrError):
    title = "conflict"
    status_code = 409


def _sqlite_pragmas(dbapi_conn: Any, _rec: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


class Store:
    def __init__(self, url: str | None = None, *, migrate: bool = True):
        self.url = url or database_url()
        kw: dict[str, Any] = {"future": True}
        if self.url.startswith("sqlite"):
            kw["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kw["pool_pre_ping"] = True
        self.engine: Engine = sa.create_engine(self.url, **kw)
        self._live: set[str] = set()  # runs this process is running (heartbeat)
        self._live_lock = threading.Lock()
        self._beat: threading.Thread | None = None
        self._closed = threading.Event()
        if self.url.startswith("sqlite"):
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    # ---- schema ----
    def alembic_config(self, connection: Connection | None = None) -> Any:
        from alembic.config import Config

        ini = resources.files("titr.store").joinpath("alembic.ini")
        cfg = Config(str(ini))
        cfg.set_main_option(
            "script_location", str(resources.files("titr.store").joinpath("migrations"))
        )
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        if connection is not None:
            cfg.attributes["connection"] = connection
        return cfg

    def migrate(self, revision: str = "head") -> None:
        from alembic import command

        with self.engine.begin() as conn:
            command.upgrade(self.alembic_config(conn), revision)

    def downgrade(self, revision: str) -> None:
        from alembic import command

        with self.engine.begin() as conn:
            command.downgrade(self.alembic_config(conn), revision)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self._closed.set()
        if self._beat is not None and self._beat is not threading.current_thread():
            self._beat.join(timeout=5)
        self.engine.dispose()

    # ---- liveness of runs: heartbeat and recovery after a kill ----
    def _track(self, run_id: str) -> None:
        with self._live_lock:
            self._live.add(run_id)
            if self._beat is None or not self._beat.is_alive():
                self._beat = threading.Thread(
                    target=self._heartbeat, name="titr-run-heartbeat", daemon=True
                )
                self._beat.start()

    def _untrack(self, run_id: str) -> None:
        with self._live_lock:
            self._live.discard(run_id)

    def _heartbeat(self) -> None:
        """Touch `updated_at` of this process's running runs every heartbeat_s(), so another
        process can tell them from runs whose process died."""
        while not self._closed.wait(heartbeat_s()):
            with self._live_lock:
                live = sorted(self._live)
            if not live:
                continue
            try:
                with self.begin() as conn:
                    conn.execute(
                        sa.update(T.runs)
                        .where(T.runs.c.id.in_(live), T.runs.c.status == "running")
                        .values(updated_at=_now())
                    )
            except Exception:  # a busy or closed database: try again at the next beat
                continue

    def recover_interrupted(self, stale_s: float | None = None) -> list[str]:
        """Mark runs left "running" by a process that died (no heartbeat for `stale_s`,
        default 3 beats) as "interrupted", resumable; returns their ids. Runs of this process
        are never touched."""
        stale = stale_s if stale_s is not None else 3 * heartbeat_s()
        cutoff = _now() - dt.timedelta(seconds=stale)
        with self._live_lock:
            mine = set(self._live)
        with self.begin() as conn:
            rows = conn.execute(
                sa.select(T.runs.c.id, T.runs.c.kind).where(
                    T.runs.c.status == "running", T.runs.c.updated_at < cutoff
                )
            ).all()
            ids = [r.id for r in rows if r.id not in mine]
            for r in rows:
                if r.id in mine:
                    continue
                hint = (
                    f"resume with POST /api/simulations/{r.id}/resume or "
                    f"`titr simulate --resume {r.id}`"
                    if r.kind == "simulation"
                    else "start it again"
                )
                conn.execute(
                    sa.update(T.runs)
                    .where(T.runs.c.id == r.id, T.runs.c.status == "running")
                    .values(
                        status="interrupted",
                        error=f"the process running it stopped (killed?); {hint}",
                        updated_at=_now(),
                    )
                )
        return ids

    def restart_run(self, run_id: str, *, takeover: bool = False) -> None:
        """An interrupted, cancelled or failed run runs again (resume). `takeover` also
        accepts a run still marked "running" (the CLI's --resume right after a kill, before
        its heartbeat went stale; stored items are never written twice)."""
        ok = ("interrupted", "cancelled", "failed") + (("running",) if takeover else ())
        with self.begin() as conn:
            res = conn.execute(
                sa.update(T.runs)
                .where(T.runs.c.id == run_id, T.runs.c.status.in_(ok))
                .values(status="running", error=None, updated_at=_now())
            )
            if not res.rowcount:
                st = conn.execute(sa.select(T.runs.c.status).where(T.runs.c.id == run_id)).first()
                if st is None:
                    raise NotFoundError(f"no run '{run_id}' in the store.")
                raise RunStateError(
                    f"run {run_id} is {st.status}: only interrupted, cancelled or failed runs "
                    f"can be resumed"
                )
        self._track(run_id)

    # ---- datasets ----
    def save_network(self, net: Network, *, name: str | None = None, replace: bool = False) -> int:
        """Store a dataset in one transaction; returns its id.

        Same name, version and content: nothing changes (idempotent). Same name and version
        with other content: DatasetExistsError unless replace=True.
        """
        if name and name != net.manifest.name:
            try:
                man = Manifest.model_validate({**net.manifest.model_dump(), "name": name})
            except Exception as e:
                raise DataError(Issue("--name", None, "name", name, str(e))) from None
            net = net.model_copy(update={"manifest": man})
        h = net.content_hash or content_hash(net)
        try:
            return self._save_network(net, h, replace)
        except sa.exc.IntegrityError:
            # another writer stored the same name and version between our check and our
            # insert (the unique constraint decides): same content is fine, else a conflict
            with self.begin() as conn:
                row = conn.execute(
                    sa.select(T.datasets.c.id, T.datasets.c.content_hash).where(
                        T.datasets.c.name == net.name, T.datasets.c.version == net.version
                    )
                ).first()
            if row is not None and row.content_hash == h:
                return int(row.id)
            raise DatasetExistsError(
                f"dataset {net.name} version {net.version} was stored by another import at "
                f"the same time"
                + (f" with other content (hash {row.content_hash[:8]} vs {h[:8]})" if row else "")
                + ": give a new version in manifest.json, another --name, or --replace"
            ) from None

    def save_bundled(self, net: Network) -> tuple[int, str | None]:
        """Store a dataset shipped with titr (`titr db init`, `titr serve`): (id, note).

        The bundled copy is part of the installed code: when the store holds the same name
        and version with other content (stored by an older titr), the stored copy is
        replaced by the shipped one and the note says so (runs keep their dataset label),
        so an upgrade never leaves the store answering with data the code no longer fits."""
        try:
            return self.save_network(net), None
        except DatasetExistsError:
            ds_id = self.save_network(net, replace=True)
            return ds_id, (
                f"the bundled dataset {net.name} {net.version} changed since it was stored: "
                f"the stored copy was replaced by {net.label} (import edited copies under "
                f"another name or version)"
            )

    def _save_network(self, net: Network, h: str, replace: bool) -> int:
        with self.begin() as conn:
            row = conn.execute(
                sa.select(T.datasets.c.id, T.datasets.c.content_hash).where(
                    T.datasets.c.name == net.name, T.datasets.c.version == net.version
                )
            ).first()
            if row is not None:
                if row.content_hash == h:
                    return int(row.id)
                if not replace:
                    raise DatasetExistsError(
                        f"dataset {net.name} version {net.version} is already stored with other "
                        f"content (hash {row.content_hash[:8]} vs {h[:8]}): give a new version "
                        f"in manifest.json, another --name, or --replace"
                    )
                conn.execute(sa.delete(T.datasets).where(T.datasets.c.id == row.id))
                for t in T.component_tables.values():
                    conn.execute(sa.delete(t).where(t.c.dataset_id == row.id))
            res = conn.execute(
                sa.insert(T.datasets).values(
                    name=net.name,
                    version=net.version,
                    content_hash=h,
                    title=net.manifest.title or "",
                    manifest=net.manifest.model_dump(),
                    created_at=_now(),
                )
            )
            ds_id = int(res.inserted_primary_key[0])  # type: ignore[index]
            for comp in attrs.COMPONENTS:
                recs = component_records(net, comp)
                if not recs:
                    continue
                rows = []
                for pos, r in enumerate(recs):
                    d = r.model_dump()
                    row_d: dict[str, Any] = {"dataset_id": ds_id, "pos": pos}
                    for a in attrs.table()[comp]:
                        v = d.get(a.field)
                        row_d[a.field] = ";".join(v) if isinstance(v, list) else v
                    rows.append(row_d)
                conn.execute(sa.insert(T.component_tables[comp]), rows)
            return ds_id

    def list_datasets(self) -> list[dict[str, Any]]:
        with self.begin() as conn:
            rows = conn.execute(
                sa.select(T.datasets).order_by(T.datasets.c.name, T.datasets.c.id)
            ).all()
            counts: dict[int, dict[str, int]] = {}
            for comp in ("nodes", "links", "projects"):
                t = T.component_tables[comp]
                for ds_id, n in conn.execute(
                    sa.select(t.c.dataset_id, sa.func.count()).group_by(t.c.dataset_id)
                ).all():
                    counts.setdefault(ds_id, {})[comp] = n
        return [
            {
                "id": r.id,
                "name": r.name,
                "version": r.version,
                "content_hash": r.content_hash,
                "title": r.title,
                "created_at": r.created_at.isoformat() if r.created_at else None,
                **{k: counts.get(r.id, {}).get(k, 0) for k in ("nodes", "links", "projects")},
            }
            for r in rows
        ]

    def _find(self, conn: Connection, name: str, version: str | None) -> Any:
        q = sa.select(T.datasets).where(T.datasets.c.name == name)
        if version:
            q = q.where(T.datasets.c.version == version)
        row = conn.execute(q.order_by(T.datasets.c.id.desc())).first()
        if row is None:
            names = [r[0] for r in conn.execute(sa.select(T.datasets.c.name).distinct())]
            import difflib

            raise NotFoundError(
                f"no dataset '{name}'"
                + (f" version '{version}'" if version else "")
                + " in the store.",
                difflib.get_close_matches(name, names, 5, 0.3) or names[:5],
            )
        return row

    def load_network(self, name: str, version: str | None = None) -> Network:
        """The stored dataset (newest version unless one is named), validated again."""
        with self.begin() as conn:
            ds = self._find(conn, name, version)
            comps: dict[str, list[Any]] = {}
            for comp in attrs.COMPONENTS:
                t = T.component_tables[comp]
                rows = (
                    conn.execute(sa.select(t).where(t.c.dataset_id == ds.id).order_by(t.c.pos))
                    .mappings()
                    .all()
                )
                model = COMPONENT_MODELS[comp]
                recs = []
                for r in rows:
                    d = {}
                    for a in attrs.table()[comp]:
                        v = r[a.field]
                        if a.is_list:
                            v = [x for x in (v or "").split(";") if x]
                        d[a.field] = v
                    recs.append(model.model_validate(d))
                comps[comp] = recs
        net = build_network(Manifest.model_validate(ds.manifest), comps)
        if net.content_hash != ds.content_hash:
            raise TitrError(
                f"dataset {name} {ds.version}: stored content does not match its "
                f"hash (store corrupted?)"
            )
        return net

    def delete_dataset(self, name: str, version: str | None = None) -> None:
        with self.begin() as conn:
            ds = self._find(conn, name, version)
            for t in T.component_tables.values():
                conn.execute(sa.delete(t).where(t.c.dataset_id == ds.id))
            conn.execute(
                sa.update(T.runs).where(T.runs.c.dataset_id == ds.id).values(dataset_id=None)
            )
            conn.execute(sa.delete(T.datasets).where(T.datasets.c.id == ds.id))

    def dataset_id(self, name: str, version: str | None = None) -> int:
        with self.begin() as conn:
            return int(self._find(conn, name, version).id)

    def table_counts(self) -> dict[str, int]:
        with self.begin() as conn:
            return {
                t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())
                for t in T.metadata.sorted_tables
            }

    # ---- runs (simulations, assignments, plans) ----
    def create_run(
        self,
        kind: str,
        params: dict[str, Any],
        *,
        dataset_label: str = "",
        dataset_id: int | None = None,
        total: int | None = None,
        run_id: str | None = None,
    ) -> str:
        rid = run_id or uuid.uuid4().hex[:12]
        with self.begin() as conn:
            conn.execute(
                sa.insert(T.runs).values(
                    id=rid,
                    kind=kind,
                    params=params,
                    dataset_label=dataset_label,
                    dataset_id=dataset_id,
                    total=total,
                    status="running",
                    created_at=_now(),
                    updated_at=_now(),
                )
            )
        self._track(rid)
        return rid

    def add_run_item(self, run_id: str, idx: int, data: dict[str, Any]) -> bool:
        """Save one item (e.g. a replication's summary). Returns False if it already exists."""
        with self.begin() as conn:
            exists = conn.execute(
                sa.select(T.run_items.c.idx).where(
                    T.run_items.c.run_id == run_id, T.run_items.c.idx == idx
                )
            ).first()
            if exists:
                return False
            conn.execute(
                sa.insert(T.run_items).values(run_id=run_id, idx=idx, data=data, created_at=_now())
            )
            conn.execute(sa.update(T.runs).where(T.runs.c.id == run_id).values(updated_at=_now()))
        return True

    def run_items(self, run_id: str) -> dict[int, dict[str, Any]]:
        with self.begin() as conn:
            rows = conn.execute(
                sa.select(T.run_items.c.idx, T.run_items.c.data)
                .where(T.run_items.c.run_id == run_id)
                .order_by(T.run_items.c.idx)
            ).all()
        return {int(r.idx): r.data for r in rows}

    def get_run(self, run_id: str) -> dict[str, Any]:
        with self.begin() as conn:
            r = conn.execute(sa.select(T.runs).where(T.runs.c.id == run_id)).mappings().first()
            if r is None:
                raise NotFoundError(f"no run '{run_id}' in the store.")
            n = conn.execute(
                sa.select(sa.func.count())
                .select_from(T.run_items)
                .where(T.run_items.c.run_id == run_id)
            ).scalar_one()
        out = dict(r)
        out["done"] = int(n)
        for k in ("created_at", "updated_at"):
            if out.get(k) is not None:
                out[k] = out[k].isoformat()
        return out

    def list_runs(
        self, kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[dict[str, Any]]:
        with self.begin() as conn:
            q = sa.select(
                T.runs.c.id,
                T.runs.c.kind,
                T.runs.c.status,
                T.runs.c.dataset_label,
                T.runs.c.total,
                T.runs.c.created_at,
            ).order_by(T.runs.c.created_at.desc(), T.runs.c.id)
            if kind:
                q = q.where(T.runs.c.kind == kind)
            rows = conn.execute(q.limit(limit).offset(offset)).mappings().all()
        return [{**dict(r), "created_at": r["created_at"].isoformat()} for r in rows]

    def finish_run(
        self,
        run_id: str,
        status: str,
        result: dict[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self._untrack(run_id)
        with self.begin() as conn:
            conn.execute(
                sa.update(T.runs)
                .where(T.runs.c.id == run_id)
                .values(status=status, result=result, error=error, updated_at=_now())
            )

    # ---- scenarios ----
    def save_scenario(
        self,
        name: str,
        kind: str,
        data: dict[str, Any],
        dataset_name: str | None = None,
        replace: bool = False,
    ) -> int:
        with self.begin() as conn:
            row = conn.execute(
                sa.select(T.scenarios.c.id).where(T.scenarios.c.name == name)
            ).first()
            if row is not None:
                if not replace:
                    raise DatasetExistsError(
                        f"scenario '{name}' exists; use another name or replace it"
                    )
                conn.execute(sa.delete(T.scenarios).where(T.scenarios.c.id == row.id))
            res = conn.execute(
                sa.insert(T.scenarios).values(
                    name=name, kind=kind, data=data, dataset_name=dataset_name, created_at=_now()
                )
            )
            return int(res.inserted_primary_key[0])  # type: ignore[index]

    def get_scenario(self, name: str) -> dict[str, Any]:
        with self.begin() as conn:
            r = (
                conn.execute(sa.select(T.scenarios).where(T.scenarios.c.name == name))
                .mappings()
                .first()
            )
            if r is None:
                names = [x[0] for x in conn.execute(sa.select(T.scenarios.c.name))]
                raise NotFoundError(f"no scenario '{name}' in the store.", names[:8])
        return dict(r)

    def list_scenarios(self) -> list[dict[str, Any]]:
        with self.begin() as conn:
            rows = (
                conn.execute(
                    sa.select(T.scenarios.c.name, T.scenarios.c.kind, T.scenarios.c.dataset_name)
                )
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    # ---- API tokens (stored hashed) ----
    @staticmethod
    def _hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def create_token(self, name: str) -> str:
        token = "titr_" + secrets.token_urlsafe(32)
        with self.begin() as conn:
            conn.execute(
                sa.insert(T.api_tokens).values(
                    name=name, token_hash=self._hash_token(token), created_at=_now()
                )
            )
        return token

    def check_token(self, token: str | None) -> bool:
        if not token:
            return False
        with self.begin() as conn:
            row = conn.execute(
                sa.select(T.api_tokens.c.id).where(
                    T.api_tokens.c.token_hash == self._hash_token(token),
                    T.api_tokens.c.revoked.is_(False),
                )
            ).first()
        return row is not None

    def revoke_tokens(self, name: str) -> int:
        with self.begin() as conn:
            res = conn.execute(
                sa.update(T.api_tokens).where(T.api_tokens.c.name == name).values(revoked=True)
            )
        return int(res.rowcount or 0)


_STORES: dict[str, Store] = {}


def open_store(url: str | None = None) -> Store:
    """A Store for the URL (default: TITR_DATABASE_URL or the embedded SQLite), cached."""
    u = url or database_url()
    st = _STORES.get(u)
    if st is None:
        st = _STORES[u] = Store(u)
    return st

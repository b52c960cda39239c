"""Shared fixtures: a store on SQLite and on a real throwaway PostgreSQL cluster."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never touch the user's real store: TITR_HOME points at a temp folder."""
    old = {k: os.environ.get(k) for k in ("TITR_HOME", "TITR_DATABASE_URL")}
    os.environ["TITR_HOME"] = str(tmp_path_factory.mktemp("titr-home"))
    os.environ.pop("TITR_DATABASE_URL", None)
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin() -> Path | None:
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if cands:
        return Path(cands[-1]).parent
    w = shutil.which("initdb")
    return Path(w).parent if w else None


class PgCluster:
    """A throwaway PostgreSQL cluster in a temp dir, on a free loopback port."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries (initdb) not found")
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="titr-pg-"))
        self.port = _free_port()
        self.user_prefix: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres")
            self.user_prefix = ["runuser", "-u", "postgres", "--"]
        self.data = self.dir / "data"
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "-A",
                "trust",
                "-U",
                "titr",
                "--encoding=UTF8",
                "--locale=C",
            ]
        )
        self._run(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.dir / "log"),
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                f"-c fsync=off -c synchronous_commit=off -c max_connections=200",
                "-w",
                "start",
            ]
        )
        self.admin_url = f"postgresql+psycopg://titr@127.0.0.1:{self.port}/postgres"
        self._n = 0

    def _run(self, cmd: list[str]) -> None:
        subprocess.run(self.user_prefix + cmd, check=True, capture_output=True, timeout=120)

    def new_database(self) -> str:
        import sqlalchemy as sa

        self._n += 1
        name = f"titr_test_{self._n}"
        eng = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(sa.text(f"CREATE DATABASE {name}"))
        eng.dispose()
        return f"postgresql+psycopg://titr@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    c = PgCluster()
    time.sleep(0.2)
    yield c
    c.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL on each backend (tests using it run on both)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'titr.db'}"
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    return cluster.new_database()


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    from titr.store.db import Store

    st = Store(db_url)
    yield st
    st.close()


@pytest.fixture(scope="session")
def corridor():  # type: ignore[no-untyped-def]
    """The bundled middle-corridor-2025 network (validated)."""
    from titr.network.bundled import load

    return load("middle-corridor-2025")

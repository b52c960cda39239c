"""titr.api.server: `titr serve --workers N` runs N worker processes, each listening on the port
with SO_REUSEPORT, so a burst of connections is spread over them (uvicorn's shared socket gave
7 of 8 to one worker); a port in use or a broken app stops the server with an error instead of
a half-started one."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from titr.api.server import REUSE_PORT, free_port

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
pytestmark = pytest.mark.skipif(not REUSE_PORT, reason="SO_REUSEPORT is Linux's")


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TITR_HOME": str(tmp_path),
        "TITR_DATABASE_URL": f"sqlite:///{tmp_path / 'titr.db'}",
    }


def _listens(p: psutil.Process, port: int) -> bool:
    return any(c.status == "LISTEN" and c.laddr.port == port for c in p.net_connections("tcp"))


def _established(p: psutil.Process) -> int:
    return sum(1 for c in p.net_connections("tcp") if c.status == "ESTABLISHED")


def _start(tmp_path: Path) -> tuple[subprocess.Popen[bytes], int, list[psutil.Process]]:
    """`titr serve --workers 2` on a free port, once both workers listen and answer."""
    port = free_port()
    cmd = [sys.executable, "-m", "titr.cli.main", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(
        cmd, env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 90
    while True:
        workers = [
            w
            for w in psutil.Process(proc.pid).children()
            if "resource_tracker" not in " ".join(w.cmdline())
        ]
        listening = [w for w in workers if _listens(w, port)]
        try:
            if (
                len(listening) == 2
                and httpx.get(f"http://127.0.0.1:{port}/api/health").status_code == 200
            ):
                return proc, port, workers
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc, workers)
            raise AssertionError("serve did not start")
        time.sleep(0.2)


def _stop(proc: subprocess.Popen[bytes], workers: list[psutil.Process]) -> None:
    for p in [proc, *workers]:
        with contextlib.suppress(psutil.Error, OSError):
            p.kill()
    proc.wait()


def _gone(workers: list[psutil.Process], within_s: float) -> bool:
    end = time.monotonic() + within_s
    while time.monotonic() < end:
        if not any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
def test_two_workers_share_a_burst_of_connections_and_stop_together(tmp_path: Path) -> None:
    proc, port, workers = _start(tmp_path)
    try:
        assert len(workers) == 2
        # a burst of 24 connections opened at once, each with a request answered
        socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
        for s in socks:
            s.sendall(b"GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n")
        for s in socks:
            assert s.recv(4096).startswith(b"HTTP/1.1 200")
        held = [_established(w) for w in workers]
        assert sum(held) == 24 and min(held) >= 1, held  # all on one: chance 2^-23
        for s in socks:
            s.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
        assert _gone(workers, 10)
    finally:
        _stop(proc, workers)


@pytest.mark.slow
def test_workers_do_not_outlive_a_killed_server(tmp_path: Path) -> None:
    """kill -9 of `titr serve` leaves no worker serving the port (PR_SET_PDEATHSIG)."""
    proc, port, workers = _start(tmp_path)
    try:
        proc.kill()
        proc.wait()
        assert _gone(workers, 30)
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    finally:
        _stop(proc, workers)


def test_a_port_in_use_is_an_error_before_any_worker_starts(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        r = subprocess.run(
            [sys.executable, "-m", "titr.cli.main", "serve", "--port", str(port), "--workers", "2"],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert r.returncode == 2, r.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in r.stderr and "Traceback" not in r.stderr


def test_workers_that_cannot_start_stop_the_server() -> None:
    """A broken app fails the same way in every worker: the server stops with exit code 1
    instead of restarting them for ever."""
    code = (
        "import sys; from titr.api.server import serve_workers; "
        "sys.exit(serve_workers('titr.no_such_module:app', '127.0.0.1', int(sys.argv[1]), 2))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(free_port())], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 1, r.stderr
    assert "stopping the server" in r.stderr

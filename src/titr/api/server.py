"""Run an app under uvicorn: in the foreground (`titr serve`, one process or several worker
processes sharing the port with SO_REUSEPORT) or in a background thread on a loopback port
(tests, benchmarks)."""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int | None = None, timeout_s: float = 30.0
) -> Iterator[str]:
    """Start uvicorn in a daemon thread, yield its base URL, stop it on exit."""
    port = port or free_port(host)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"uvicorn did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout_s)


# ---- several worker processes (titr serve --workers N) ---------------------------------------
# uvicorn's own multi-process mode binds one listening socket in the parent and shares it: every
# worker's event loop is woken by a new connection and the first to call accept() takes every
# connection waiting, so a burst of keep-alive connections (a browser, a load balancer, a
# benchmark client opening 8 at once) lands on one worker (measured: 7 of 8 connections, one
# worker doing 99 % of the work while the other idled). With SO_REUSEPORT (Linux) each worker
# listens on its own socket bound to the same address and the kernel spreads new connections
# over them by a hash of the client's address and port.
REUSE_PORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
STARTUP_FAILURE = 3  # uvicorn's exit code of a worker that could not start
RESTART_WITHIN_S = 10.0  # a worker dying this soon after its start stops the server


def check_port_free(host: str, port: int) -> None:
    """OSError when host:port cannot be bound by an ordinary socket (in use, also by another
    server sharing it with SO_REUSEPORT, or a bad address): the workers then do not start."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # ignore TIME_WAIT only
        s.bind((host, port))


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port with SO_REUSEPORT (uvicorn listens on it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind((host, port))
    return s


def _die_with_parent(parent: int) -> None:
    """Linux: this process gets SIGTERM when its parent dies, even by SIGKILL (prctl
    PR_SET_PDEATHSIG), so no worker outlives the server; it exits at once if the parent is
    gone already."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:
        sys.exit(0)


def _worker(app: str, host: str, port: int, log_level: str, parent: int) -> None:
    """One worker process: its own SO_REUSEPORT socket, the app from its factory."""
    _die_with_parent(parent)
    config = uvicorn.Config(app, factory=True, host=host, port=port, log_level=log_level)
    try:
        sock = reuse_port_socket(host, port)
    except OSError as e:
        print(f"worker {os.getpid()}: cannot listen on {host}:{port}: {e}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)


def serve_workers(app: str, host: str, port: int, workers: int, log_level: str = "info") -> int:
    """Serve the app factory `app` ("module:function") in `workers` processes, each listening
    on its own SO_REUSEPORT socket on host:port (see above); where the platform has no such
    option, uvicorn's shared socket. Runs until SIGINT/SIGTERM, then stops every worker
    (uvicorn's graceful shutdown, killed after 30 s). A worker that dies is restarted, unless
    it died within RESTART_WITHIN_S of its start: then the server stops (a broken app or
    address fails the same way every time). Workers die with the server, even when it is
    killed (SIGKILL). Returns the exit code (0, or 1 after a failure)."""
    if not REUSE_PORT:
        uvicorn.run(app, factory=True, host=host, port=port, workers=workers, log_level=log_level)
        return 0
    import multiprocessing
    import signal

    check_port_free(host, port)
    ctx = multiprocessing.get_context("spawn")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())

    def start() -> tuple[Any, float]:
        p = ctx.Process(
            target=_worker, args=(app, host, port, log_level, os.getpid()), name="titr-worker"
        )
        p.start()
        return p, time.monotonic()

    procs = [start() for _ in range(workers)]
    code = 0
    try:
        while not stop.wait(0.5):
            for i, (p, t0) in enumerate(procs):
                if p.is_alive():
                    continue
                if p.exitcode == STARTUP_FAILURE or time.monotonic() - t0 < RESTART_WITHIN_S:
                    print(
                        f"worker {p.pid} stopped (exit code {p.exitcode}) "
                        f"{time.monotonic() - t0:.1f} s after its start: stopping the server",
                        file=sys.stderr,
                    )
                    code = 1
                    stop.set()
                    break
                print(
                    f"worker {p.pid} died (exit code {p.exitcode}); restarting it", file=sys.stderr
                )
                procs[i] = start()
    finally:
        for p, _ in procs:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        for p, _ in procs:
            p.join(30)
            if p.is_alive():
                p.kill()
                p.join()
    return code

"""Load benchmark of the REST API on loopback: route queries per second and latency.

Starts uvicorn (`titr.api.app:app_from_env`, a temp SQLite store holding the dataset) as a
subprocess on 127.0.0.1 and fires requests from a light asyncio HTTP/1.1 keep-alive client
(`--concurrency` connections) in this process. Phases, each `--duration` seconds (the route
mix phase lasts `--soak` seconds when given):

1. peer: `GET /api/health` — the framework floor (FastAPI + uvicorn, no model work);
2. route-uncached: every request has a new seed, so every answer is computed (graph search,
   transit-time sampling, tariff) — the engine's throughput through the API;
3. route-mix: planner queries drawn from a fixed set of origin/destination pairs, objectives
   and alternatives (answers are cached per dataset hash and query after first use) — the
   soak phase; server RSS is sampled every 5 s to detect growth.

Prints requests/s, p50/p99 latency (ms), errors, the ratio to the peer (the framework floor:
what the ratio compares is the model work per request), server RSS, the machine's load average
before and after, and the CPU seconds the load client itself used (it shares the machine's
cores with the server). Throughput is wall-clock by nature; it is only meaningful with the
load reported. Before timing, one uncached answer is checked equal to the in-process
`titr.routing.route` result for the same query (objective, transit-time quantiles, tariff).

Goal: >= 500 uncached route requests/s with p99 < 50 ms, server workers = cores, no errors,
no memory growth. `--quick`: 1-second phases and 5 O/D pairs (the smoke run of `make test`).
Usage: python benchmarks/api.py [--duration 10] [--soak 300] [--workers CORES] [--dataset PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


async def _one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _load(
    port: int, paths: list[str], duration: float, concurrency: int, rng_seed: int
) -> dict[str, float]:
    """Closed-loop load: `concurrency` keep-alive connections, each sending its next request
    as soon as the previous answer arrived, for `duration` seconds."""
    lat: list[float] = []
    errors = 0
    stop = time.perf_counter() + duration

    async def worker(k: int) -> None:
        nonlocal errors
        rnd = random.Random(rng_seed * 1000 + k)
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.perf_counter() < stop:
                path = paths[rnd.randrange(len(paths))]
                t0 = time.perf_counter()
                try:
                    st = await _one(reader, writer, path)
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                lat.append(time.perf_counter() - t0)
                if st != 200:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    wall = time.perf_counter() - t0
    a = np.array(lat) * 1000
    return {
        "n": len(lat),
        "rps": len(lat) / wall,
        "p50": float(np.percentile(a, 50)),
        "p99": float(np.percentile(a, 99)),
        "errors": errors,
    }


def server_cpu(proc: psutil.Process) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def phase(proc: psutil.Process, run: Any) -> dict[str, float]:
    """One load phase with the server's CPU seconds per answered request."""
    c0 = server_cpu(proc)
    r: dict[str, float] = run()
    r["cpu_ms"] = (server_cpu(proc) - c0) / max(r["n"], 1) * 1e3
    return r


def server_rss(proc: psutil.Process) -> float:
    """Resident memory (MiB) of the server and its worker processes."""
    total = proc.memory_info().rss
    for c in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += c.memory_info().rss
    return total / 2**20


def route_paths(dataset: str, n_pairs: int, seed: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Planner queries over node pairs that have a container route (checked in-process)."""
    from titr.errors import TitrError
    from titr.network.bundled import load
    from titr.routing import route

    net = load(dataset)
    rng = random.Random(seed)
    nodes = sorted(net.nodes)
    pairs: list[tuple[str, str]] = []
    tries = 0
    while len(pairs) < n_pairs and tries < 50 * n_pairs:
        tries += 1
        o, d = rng.sample(nodes, 2)
        if (o, d) in pairs:
            continue
        try:
            route(net, o, d, "container", samples=200)
        except TitrError:
            continue
        pairs.append((o, d))
    paths = [
        f"/api/routes?{urlencode({'from': o, 'to': d, 'by': by, 'alternatives': k})}"
        for o, d in pairs
        for by in ("time", "cost")
        for k in (1, 3)
    ]
    return paths, pairs


def same_answer(port: int, net: object, pair: tuple[str, str]) -> None:
    """The server's uncached answer equals the in-process `route()` for the same query."""
    import json
    import urllib.request

    from titr import jsonfmt
    from titr.routing import route

    o, d = pair
    q = urlencode({"from": o, "to": d, "by": "time", "alternatives": 3, "seed": 987654})
    with urllib.request.urlopen(f"http://{HOST}:{port}/api/routes?{q}", timeout=30) as r:
        got = json.loads(r.read())
    # the API writes numbers to 10 significant digits (titr.jsonfmt): compare like with like
    want = jsonfmt.tidy(
        route(net, o, d, "container", by="time", alternatives=3, seed=987654).to_dict()  # type: ignore[arg-type]
    )

    def key(x: dict) -> list:  # type: ignore[type-arg]
        return [
            (r["objective_value"], r["transit_time"], r["tariff"], len(r["steps"]))
            for r in x["routes"]
        ]

    check(key(got) == key(want), f"API answer {o} -> {d} vs in-process route()")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    ap.add_argument("--soak", type=float, default=None, help="seconds of the route-mix phase")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="uvicorn worker processes"
    )
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 s phases, 5 pairs")
    ap.add_argument("--pairs", type=int, default=40, help="origin/destination pairs")
    ap.add_argument(
        "--dataset",
        default=None,
        help="bundled dataset name or dataset folder (default: bundled "
        "middle-corridor-2025 if it loads, else tests/data/tiny)",
    )
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    if a.quick:
        a.duration, a.soak, a.pairs = 1.0, 1.0, 5
    print(machine())
    a.duration = max(1.0, min(a.duration, 600.0))
    soak = max(1.0, min(a.soak if a.soak is not None else a.duration, 3600.0))

    from titr.network.bundled import load
    from titr.store import Store

    dataset = a.dataset
    if dataset is None:
        try:
            load("middle-corridor-2025")
            dataset = "middle-corridor-2025"
        except Exception:
            dataset = str(ROOT / "tests" / "data" / "tiny")
    net = load(dataset)
    tmp = tempfile.mkdtemp(prefix="titr-bench-api-")
    db = f"sqlite:///{tmp}/titr.db"
    st = Store(db)
    st.save_network(net)
    st.close()
    paths, pairs = route_paths(dataset, a.pairs, a.seed)
    print(
        f"dataset {net.label}: {len(net.nodes)} nodes, {len(net.links)} links; "
        f"{len(pairs)} O/D pairs, {len(paths)} distinct planner queries"
    )

    port = free_port()
    env = {**os.environ, "TITR_DATABASE_URL": db, "TITR_DATASET": net.name, "TITR_HOME": tmp}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "titr.api.app:app_from_env",
        "--factory",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(a.workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    srv = subprocess.Popen(cmd, env=env)
    proc = psutil.Process(srv.pid)
    try:
        deadline = time.time() + 60
        while True:
            try:
                import urllib.request

                urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or srv.poll() is not None:
                    print("server did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        cpus = os.cpu_count()
        print(
            f"uvicorn: {a.workers} worker(s) on {HOST}:{port}; {cpus} CPUs; "
            f"{a.concurrency} keep-alive connections"
        )

        client_cpu = time.process_time()
        same_answer(port, net, pairs[0])
        # warm up: every distinct planner query once (fills graph and answer caches)
        asyncio.run(_load(port, paths, min(3.0, a.duration), 4, a.seed))
        results = {}
        results["peer health"] = phase(
            proc,
            lambda: asyncio.run(_load(port, ["/api/health"], a.duration, a.concurrency, a.seed)),
        )
        base = paths[0].split("&alternatives")[0]
        uncached = [f"{p}&seed={s}" for s in range(1, 200_000) for p in [paths[s % len(paths)]]][
            :100_000
        ]
        del base
        results["route uncached"] = phase(
            proc,
            lambda: asyncio.run(_load(port, uncached, a.duration, a.concurrency, a.seed + 1)),
        )
        # soak on the planner mix, RSS sampled every 5 s
        rss: list[float] = [server_rss(proc)]
        t_end = time.perf_counter() + soak
        parts = []
        while time.perf_counter() < t_end:
            chunk = min(5.0, t_end - time.perf_counter())
            if chunk <= 0.2:
                break
            parts.append(asyncio.run(_load(port, paths, chunk, a.concurrency, a.seed + len(parts))))
            rss.append(server_rss(proc))
        n = sum(p["n"] for p in parts)
        results["route mix (soak)"] = {
            "n": n,
            "rps": n / sum(min(5.0, soak) for _ in parts) if parts else 0.0,
            "p50": float(np.median([p["p50"] for p in parts])),
            "p99": float(max(p["p99"] for p in parts)),
            "errors": sum(p["errors"] for p in parts),
        }
    finally:
        srv.terminate()
        try:
            srv.wait(timeout=20)
        except subprocess.TimeoutExpired:
            srv.kill()

    peer = results["peer health"]["rps"]
    print(
        f"\n{'phase':<20}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'errors':>8}{'vs peer':>9}{'server CPU ms/req':>19}"
    )
    for k, r in results.items():
        cpu = f"{r['cpu_ms']:>19.2f}" if "cpu_ms" in r else f"{'-':>19}"
        print(
            f"{k:<20}{r['n']:>10}{r['rps']:>10.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
            f"{r['errors']:>8}{r['rps'] / peer:>9.2f}{cpu}"
        )
    grow = rss[-1] - rss[0]
    print(
        f"\nserver RSS MiB: start {rss[0]:.1f}, end {rss[-1]:.1f}, max {max(rss):.1f}, "
        f"growth {grow:+.1f} over {soak:.0f} s soak ({len(rss)} samples)"
    )
    mix = results["route mix (soak)"]
    unc = results["route uncached"]
    print(
        f"route mix (answers cached after first use): {mix['rps']:.0f} req/s, p99 "
        f"{mix['p99']:.1f} ms; RSS growth {grow:+.1f} MiB"
    )
    print(f"load client CPU {time.process_time() - client_cpu:.1f} s; {machine()}")
    cores = os.cpu_count() or 1
    print(
        f"uncached route: {unc['cpu_ms']:.2f} ms server CPU per request -> at most "
        f"{cores / unc['cpu_ms'] * 1e3:.0f} req/s if the server had all {cores} cores to itself "
        "(a bound from CPU per request, not a measured rate)"
    )
    ok = unc["rps"] >= 500 and unc["p99"] < 50 and unc["errors"] == 0
    print(
        f"goal (uncached route queries >= 500 req/s, p99 < 50 ms, {a.workers} workers): "
        f"{unc['rps']:.0f} req/s, p99 {unc['p99']:.1f} ms: {'met' if ok else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

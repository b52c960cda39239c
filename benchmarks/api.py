"""Load benchmark of the REST API on loopback: uncached route queries per second, latency and
server CPU per request.

Starts the server as a user does, `titr serve --workers N` (default 0: one worker process per
core; a temp SQLite store holding the dataset; its log, access lines included, to a file) and
drives it from a load client in a *separate process* (this script with `--client`: an asyncio
HTTP/1.1 keep-alive client on raw sockets, `--concurrency` connections, closed loop). Phases, each `--duration` seconds:

1. peer `GET /api/health` — the framework floor (FastAPI + uvicorn, no model work);
2. route uncached — every request is a different planner query: the origin/destination pairs
   are every pair of the dataset with a container route (shuffled; each pair is used once
   before any pair is used again, then with the other objective / number of alternatives),
   and every request has its own seed, so every answer-cache key is unique and every answer
   is computed (graph search, alternatives, transit-time convolution, tariff, CO2, JSON).
   Before it the server is warmed up on the planner mix and on uncached queries over a
   quarter of the O/D pairs that the timed phase does not use (a running server's engine
   caches are warm: compiled graph, CSRs, each arc's step JSON, transit-time spectra);
   With `--peer-src`, both servers run side by side and the uncached phase is `--rounds`
   phases per server, alternated (titr, peer, peer, titr, …), each round on its own slice of
   the queries (the same slice for both servers);
3. route mix (soak) — planner queries drawn from a fixed set (answers cached after first use),
   `--soak` seconds, server RSS sampled every 5 s to detect growth.

Reported per phase: requests, req/s, p50/p99 latency (ms), errors, server CPU ms per request
(user + system of the server and its workers over the phase / requests answered). The machine
is shared, so **server CPU per request is the primary figure**: it bounds what the cores could
serve (cores / CPU per request) whatever the neighbours do; the wall-clock rate and latency
are printed with the load average and the load client's own CPU (it runs on the same cores).

Baselines, named in the output:
* in-process floor: `route(...).to_json()` CPU per query in this process on the same uncached
  queries (what a request costs without HTTP);
* former serialisation: `route(...).to_dict()` → json.dumps → json.loads → jsonfmt.tidy →
  json.dumps, the path every route answer took before it was serialised once (alternated with
  the floor, same queries, best of N);
* `--peer-src DIR`: the same phases against a server run from another source tree (e.g.
  `git archive OLD src | tar -x -C DIR`, then `--peer-src DIR/src`), with its own store, same
  queries and workers: the server before a change (its answers are not compared: other code).

Equal outputs (checked before any figure is printed; a difference exits 1): K uncached API
answers equal `jsonfmt.tidy(route(...).to_dict())` in full (the API's 10 significant digits),
and the former serialisation gives the same JSON as `to_json` for every query timed.

Goal: >= 500 uncached route requests/s with p99 < 50 ms, workers = cores. `--quick`: 1-second
phases, 200 O/D pairs, 1 worker, fewer checks (the smoke run of `make test`).
Usage: python benchmarks/api.py [--duration 10] [--soak S] [--workers CORES]
       [--concurrency 8] [--pairs 0] [--peer-src DIR] [--dataset NAME|DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, cpu_alternated, machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- load client (own process)
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
    port: int, paths: list[str], duration: float, concurrency: int, ordered: bool, seed: int
) -> dict[str, Any]:
    """Closed-loop load: `concurrency` keep-alive connections, each sending its next request
    as soon as the previous answer arrived, for `duration` seconds. `ordered`: requests take
    the paths in turn from one shared counter (each path at most once while they last);
    otherwise each connection draws paths at random."""
    lat: list[float] = []
    errors = 0
    statuses: dict[int, int] = {}
    nxt = 0
    stop = time.perf_counter() + duration

    async def worker(k: int) -> None:
        nonlocal errors, nxt
        rnd = random.Random(seed * 1000 + k)
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while time.perf_counter() < stop:
                if ordered:
                    path = paths[nxt % len(paths)]
                    nxt += 1
                else:
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
                statuses[st] = statuses.get(st, 0) + 1
                if st != 200:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    wall = time.perf_counter() - t0
    a = np.array(lat or [0.0]) * 1000
    return {
        "n": len(lat),
        "rps": len(lat) / wall,
        "p50": float(np.percentile(a, 50)),
        "p99": float(np.percentile(a, 99)),
        "errors": errors,
        "statuses": {str(k): v for k, v in statuses.items()},
        "distinct": min(nxt, len(paths)) if ordered else None,
    }


def client_main(spec_file: str) -> int:
    """`--client SPEC`: run one load phase and print its figures as JSON (with this
    process's CPU seconds)."""
    spec = json.loads(Path(spec_file).read_text("utf-8"))
    c0 = time.process_time()
    r = asyncio.run(
        _load(
            spec["port"],
            spec["paths"],
            spec["duration"],
            spec["concurrency"],
            spec["ordered"],
            spec["seed"],
        )
    )
    r["client_cpu_s"] = time.process_time() - c0
    print(json.dumps(r))
    return 0


def run_client(
    tmp: str,
    port: int,
    paths: list[str],
    duration: float,
    concurrency: int,
    ordered: bool,
    seed: int,
    probe: Any = None,
) -> dict[str, Any]:
    """One load phase in a client process; `probe()` (if given) is called once the client's
    connections are open (3 s or half the phase in) and its result returned as r["probe"]."""
    spec = Path(tmp) / f"load-{seed}-{time.monotonic_ns()}.json"
    spec.write_text(
        json.dumps(
            {
                "port": port,
                "paths": paths,
                "duration": duration,
                "concurrency": concurrency,
                "ordered": ordered,
                "seed": seed,
            }
        ),
        "utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, __file__, "--client", str(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = None
    if probe is not None:  # once the client has started (its imports take a while) and
        time.sleep(min(3.0, duration / 2))  # its connections are open
        seen = probe()
    try:
        out, err = proc.communicate(timeout=duration + 120)
    finally:
        spec.unlink()
    if proc.returncode != 0:
        raise RuntimeError(f"load client failed: {err[-2000:]}")
    r: dict[str, Any] = json.loads(out)
    if probe is not None:
        r["probe"] = seen
    return r


# ---------------------------------------------------------------- server
def server_cpu(proc: psutil.Process) -> float:
    """CPU seconds (user + system) used so far by the server and its worker processes."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            total += t.user + t.system
    return total


def server_rss(proc: psutil.Process) -> float:
    """Resident memory (MiB) of the server and its worker processes."""
    total = proc.memory_info().rss
    for c in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += c.memory_info().rss
    return total / 2**20


def workers_of(proc: psutil.Process) -> list[psutil.Process]:
    """The server's worker processes (uvicorn's children; the server itself with 1 worker)."""
    kids = [c for c in proc.children(recursive=True) if c.is_running()]
    return [c for c in kids if "multiprocessing.resource_tracker" not in " ".join(c.cmdline())] or [
        proc
    ]


def per_worker(proc: psutil.Process) -> dict[int, tuple[float, int]]:
    """CPU seconds so far and open client connections of each worker process."""
    out = {}
    for w in workers_of(proc):
        with contextlib.suppress(psutil.Error):
            t = w.cpu_times()
            conns = sum(1 for c in w.net_connections("tcp") if c.status == "ESTABLISHED")
            out[w.pid] = (t.user + t.system, conns)
    return out


def start_server(
    db: str, dataset: str, tmp: str, workers: int, src: str | None
) -> tuple[subprocess.Popen[bytes], int]:
    """`titr serve --workers N` (0 = one per core) as a user starts it, on a free loopback
    port, with the benchmark's store and dataset; its log goes to a file in `tmp`."""
    port = free_port()
    env = {**os.environ, "TITR_DATABASE_URL": db, "TITR_DATASET": dataset, "TITR_HOME": tmp}
    if src is not None:  # a server from another source tree (the peer): its titr comes first,
        # with its own store (its schema and its bundled dataset)
        env["PYTHONPATH"] = os.pathsep.join([src, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        env["TITR_DATABASE_URL"] = db = f"sqlite:///{tmp}/peer.db"
        code = (
            "import sys; from titr.network.bundled import load; from titr.store import Store; "
            "s = Store(sys.argv[1]); s.save_network(load(sys.argv[2])); s.close()"
        )
        subprocess.run([sys.executable, "-c", code, db, dataset], env=env, check=True)
    cmd = [
        sys.executable,
        "-m",
        "titr.cli.main",
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    log = open(Path(tmp) / f"server-{port}.log", "wb")  # noqa: SIM115 (closed with the server)
    srv = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/api/health", timeout=2).read()
            return srv, port
        except OSError:
            if time.time() > deadline or srv.poll() is not None:
                srv.kill()
                tail = (Path(tmp) / f"server-{port}.log").read_text("utf-8", "replace")[-2000:]
                raise RuntimeError(f"server did not start:\n{tail}") from None
            time.sleep(0.2)


def stop_server(srv: subprocess.Popen[bytes]) -> None:
    srv.terminate()
    try:
        srv.wait(timeout=20)
    except subprocess.TimeoutExpired:
        srv.kill()


# ---------------------------------------------------------------- queries
def od_pairs(net: Any, seed: int) -> list[tuple[str, str]]:
    """Every (origin, destination) node pair with a container route, shuffled."""
    from titr.routing.csr import one_to_all
    from titr.routing.plan import graph_for

    g = graph_for(net, "container")
    dests = sorted(g.dest)
    pairs = []
    for o in sorted(g.origin):
        d = one_to_all(g, g.time_h, g.origin[o])
        pairs += [(o, x) for x in dests if x != o and np.isfinite(d[g.dest[x]])]
    random.Random(seed).shuffle(pairs)
    return pairs


VARIANTS = [("time", 1), ("cost", 3), ("time", 3), ("cost", 1)]


def uncached_queries(pairs: list[tuple[str, str]], n: int, seed0: int) -> list[dict[str, Any]]:
    """`n` planner queries: pair i % P with variant (i + i // P) % 4 (the variants mixed in
    every stretch of requests; a pair comes back only after every other pair, then with
    another variant), seed seed0 + i (unique)."""
    out = []
    for i in range(n):
        o, d = pairs[i % len(pairs)]
        by, k = VARIANTS[(i + i // len(pairs)) % len(VARIANTS)]
        out.append({"from": o, "to": d, "by": by, "alternatives": k, "seed": seed0 + i})
    return out


def path_of(q: dict[str, Any]) -> str:
    return f"/api/routes?{urlencode(q)}"


def engine(net: Any, q: dict[str, Any]) -> Any:
    from titr.routing import route

    return route(
        net,
        q["from"],
        q["to"],
        "container",
        by=q["by"],
        alternatives=q["alternatives"],
        seed=q["seed"],
    )


def former_serialisation(res: Any) -> bytes:
    """The path a route answer took before it was serialised once: to_dict, json.dumps in
    the handler, json.loads + tidy + json.dumps in the middleware."""
    from titr.jsonfmt import tidy

    body = json.dumps(res.to_dict(), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return json.dumps(tidy(json.loads(body)), ensure_ascii=False, separators=(",", ":")).encode()


def in_process(net: Any, qs: list[dict[str, Any]], repeat: int) -> dict[str, float]:
    """CPU ms per query in this process: engine + to_json (the floor) vs engine + the former
    serialisation; outputs checked equal."""
    for q in qs[:20]:  # warm the graph caches as the server's are
        engine(net, q).to_json()
    best, out = cpu_alternated(
        {
            "floor": lambda: [engine(net, q).to_json() for q in qs],
            "former": lambda: [former_serialisation(engine(net, q)) for q in qs],
        },
        repeat,
    )
    same = all(
        json.loads(a) == json.loads(b) for a, b in zip(out["floor"], out["former"], strict=True)
    )
    check(same, f"to_json vs the former serialisation on {len(qs)} queries")
    return {k: v / len(qs) * 1e3 for k, v in best.items()}


def same_answers(port: int, net: Any, qs: list[dict[str, Any]]) -> None:
    """Uncached API answers equal the in-process `route()` in full at the API's 10 digits."""
    from titr.jsonfmt import tidy

    ok = 0
    for q in qs:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path_of(q)}", timeout=60) as r:
            got = json.loads(r.read())
        ok += got == tidy(engine(net, q).to_dict())
    check(ok == len(qs), f"{ok}/{len(qs)} uncached API answers vs in-process route() (whole JSON)")


# ---------------------------------------------------------------- phases
class Server:
    """A started server and its measurement helpers."""

    def __init__(self, name: str, src: str | None, srv: subprocess.Popen[bytes], port: int):
        self.name, self.src, self.srv, self.port = name, src, srv, port
        self.proc = psutil.Process(srv.pid)

    def phase(
        self, tmp: str, a: argparse.Namespace, paths: list[str], ordered: bool, seed: int
    ) -> dict[str, Any]:
        """One load phase of `a.duration` seconds: the client's figures plus server CPU per
        request and each worker's CPU and client connections."""
        c0, w0 = server_cpu(self.proc), per_worker(self.proc)
        r = run_client(
            tmp,
            self.port,
            paths,
            a.duration,
            a.concurrency,
            ordered,
            seed,
            lambda: per_worker(self.proc),
        )
        r["cpu_ms"] = (server_cpu(self.proc) - c0) / max(r["n"], 1) * 1e3
        w1 = per_worker(self.proc)
        r["workers"] = [
            (w1[pid][0] - w0[pid][0], (r["probe"] or {}).get(pid, (0.0, 0))[1])
            for pid in sorted(w1)
            if pid in w0
        ]
        return r

    def warm_up(self, tmp: str, a: argparse.Namespace, warm: list[str], mix: list[str]) -> None:
        """As a running server is warm: the planner mix (compiled graph, CSRs) and uncached
        queries over other O/D pairs than the timed ones (step JSON, transit-time spectra,
        the kinds' measured costs)."""
        run_client(tmp, self.port, mix, min(3.0, a.duration), 4, False, a.seed)
        run_client(tmp, self.port, warm, min(5.0, a.duration), a.concurrency, True, a.seed)

    def soak(
        self, tmp: str, a: argparse.Namespace, mix: list[str], soak: float
    ) -> tuple[dict[str, Any], list[float]]:
        """The planner mix for `soak` seconds in 5-s parts, RSS sampled after each."""
        rss: list[float] = [server_rss(self.proc)]
        parts = []
        t_end = time.perf_counter() + soak
        while time.perf_counter() < t_end:
            chunk = min(5.0, t_end - time.perf_counter())
            if chunk <= 0.2:
                break
            parts.append(
                run_client(tmp, self.port, mix, chunk, a.concurrency, False, a.seed + len(parts))
            )
            rss.append(server_rss(self.proc))
        n = sum(p["n"] for p in parts)
        res = {
            "n": n,
            "rps": float(np.mean([p["rps"] for p in parts])) if parts else 0.0,
            "p50": float(np.median([p["p50"] for p in parts])) if parts else 0.0,
            "p99": float(max(p["p99"] for p in parts)) if parts else 0.0,
            "errors": sum(p["errors"] for p in parts),
            "client_cpu_s": sum(p["client_cpu_s"] for p in parts),
        }
        return res, rss


def combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The uncached rounds of one server as one phase: requests, rate and client CPU summed
    over the rounds, p50 the median and p99 the worst of the rounds, server CPU per request
    the best round (CPU time best of N) and the mean, each worker's CPU summed."""
    n = sum(r["n"] for r in rounds)
    workers: list[tuple[float, int]] = []
    for r in rounds:
        for i, (c, k) in enumerate(r["workers"]):
            if i < len(workers):
                workers[i] = (workers[i][0] + c, max(workers[i][1], k))
            else:
                workers.append((c, k))
    statuses: dict[str, int] = {}
    for r in rounds:
        for k, v in r["statuses"].items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "n": n,
        "rps": float(np.mean([r["rps"] for r in rounds])),
        "p50": float(np.median([r["p50"] for r in rounds])),
        "p99": float(max(r["p99"] for r in rounds)),
        "errors": sum(r["errors"] for r in rounds),
        "statuses": statuses,
        "distinct": sum(r["distinct"] or 0 for r in rounds),
        "client_cpu_s": sum(r["client_cpu_s"] for r in rounds),
        "cpu_ms": min(r["cpu_ms"] for r in rounds),
        "cpu_ms_mean": sum(r["cpu_ms"] * r["n"] for r in rounds) / max(n, 1),
        "workers": workers,
        "rounds": rounds,
    }


def table(title: str, results: dict[str, dict[str, Any]], peer: float | None) -> None:
    print(f"\n{title}")
    print(
        f"{'phase':<20}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
        f"{'server CPU ms/req':>19}{'client CPU ms/req':>19}"
    )
    for k, r in results.items():
        cpu = f"{r['cpu_ms']:>19.2f}" if "cpu_ms" in r else f"{'-':>19}"
        print(
            f"{k:<20}{r['n']:>10}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}"
            f"{r['errors']:>8}{cpu}{r.get('client_cpu_s', 0.0) / max(r['n'], 1) * 1e3:>19.3f}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per phase")
    ap.add_argument("--soak", type=float, default=None, help="seconds of the route-mix phase")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--workers", type=int, default=0, help="titr serve --workers (0: one per core)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1 s phases, 200 pairs")
    ap.add_argument("--pairs", type=int, default=0, help="O/D pairs (0: every pair)")
    ap.add_argument("--peer-src", default=None, help="source tree of a peer server (its src/)")
    ap.add_argument(
        "--dataset",
        default=None,
        help="bundled dataset name or dataset folder (default: bundled middle-corridor-2025 "
        "if it loads, else tests/data/tiny)",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="uncached phases per server, alternated with the peer (default 3, 1 with --quick)",
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--client", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.client:
        return client_main(a.client)
    if a.quick:
        a.duration, a.soak, a.pairs, a.workers = 1.0, 1.0, 200, 1
    a.rounds = max(1, min(a.rounds or (1 if a.quick else 3), 20))
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
    pairs = od_pairs(net, a.seed)
    if a.pairs:
        pairs = pairs[: a.pairs]
    per_round = int(max(5_000, a.duration * 3_000))  # more than a phase can use
    n_uncached = per_round * a.rounds
    # a quarter of the pairs warms the server up (as a running server is warm: step JSON,
    # transit-time spectra); the timed queries use the other pairs
    cut = len(pairs) * 3 // 4
    pairs, warm_pairs = pairs[:cut], pairs[cut:]
    uq = uncached_queries(pairs, n_uncached, 1_000_000)
    uncached = [path_of(q) for q in uq]
    warm = [path_of(q) for q in uncached_queries(warm_pairs, 20_000, 9_000_000)]
    mix = [
        path_of({"from": o, "to": d, "by": by, "alternatives": k})
        for o, d in pairs[:40]
        for by, k in VARIANTS
    ]
    print(
        f"dataset {net.label}: {len(net.nodes)} nodes, {len(net.links)} links; "
        f"{len(pairs) + len(warm_pairs)} O/D pairs with a container route, {len(pairs)} for the "
        f"timed queries, {len(warm_pairs)} for the warm-up; uncached queries: pair, objective and "
        f"alternatives {VARIANTS} in turn, a unique seed each (every answer-cache key unique)"
    )

    # in-process floor and the former serialisation, same queries (different seeds)
    sample = uq[: 40 if a.quick else 300]
    per_q = in_process(net, sample, 1 if a.quick else 3)

    results: dict[str, dict[str, dict[str, Any]]] = {}
    rss: list[float] = []
    started: list[Server] = []
    try:
        for name, src in [("titr", None)] + ([("peer", a.peer_src)] if a.peer_src else []):
            sv = Server(name, src, *start_server(db, net.name, tmp, a.workers, src))
            started.append(sv)
            print(
                f"{name} server: titr serve --workers {a.workers} "
                f"({len(workers_of(sv.proc))} worker process(es)) on {HOST}:{sv.port}"
                f"{'' if src is None else f' from {src}'}; {os.cpu_count()} CPUs; "
                f"{a.concurrency} keep-alive connections from a separate client process"
            )
            if src is None:
                same_answers(sv.port, net, uq[-(3 if a.quick else 20) :])
            else:
                print("  (peer answers not compared: another code version, maybe other data)")
            sv.warm_up(tmp, a, warm, mix)
            results[name] = {}
        titr = started[0]
        results["titr"]["peer health"] = titr.phase(tmp, a, ["/api/health"], False, a.seed)
        # uncached rounds, the servers alternated; round k takes the k-th slice of the
        # queries on every server (same queries, never repeated within a server)
        rounds: dict[str, list[dict[str, Any]]] = {sv.name: [] for sv in started}
        for k in range(a.rounds):
            part = uncached[k * per_round : (k + 1) * per_round]
            for sv in started if k % 2 == 0 else started[::-1]:
                rounds[sv.name].append(sv.phase(tmp, a, part, True, a.seed + 1 + k))
        for sv in started:
            results[sv.name]["route uncached"] = combine(rounds[sv.name])
        results["titr"]["route mix (soak)"], rss = titr.soak(tmp, a, mix, soak)
    finally:
        for sv in started:
            stop_server(sv.srv)

    main_res = results["titr"]
    peer = main_res["peer health"]["rps"]
    table("titr server", main_res, peer)
    if "peer" in results:
        table(f"peer server ({a.peer_src})", results["peer"], None)
    unc = main_res["route uncached"]
    print(
        f"\nuncached rounds ({a.rounds} per server, {a.duration:g} s each, servers alternated; "
        "the table gives their mean rate, median p50, worst p99, best CPU):"
    )
    for name, res in results.items():
        for k, r in enumerate(res["route uncached"]["rounds"]):
            print(
                f"  {name} round {k + 1}: {r['n']} requests, {r['rps']:.0f} req/s, p50 "
                f"{r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, server CPU {r['cpu_ms']:.2f} ms/req"
            )
    for k in ("peer health", "route uncached"):
        ws = main_res[k]["workers"]
        tot = sum(c for c, _ in ws) or 1.0
        print(
            f"{k}: per worker process, share of the server's CPU / client connections held "
            "(most in a round): " + ", ".join(f"{c / tot:.0%} / {n}" for c, n in ws)
        )
    if unc["n"] > len(uncached):
        print(f"WARNING: {unc['n']} requests but only {len(uncached)} distinct queries")
    print(
        f"\nuncached route phase: {unc['n']} requests, {unc['distinct']} distinct queries "
        f"(unique seeds) over {min(unc['distinct'] or 0, len(pairs))} distinct O/D pairs; "
        f"statuses {unc['statuses']}"
    )
    grow = rss[-1] - rss[0]
    print(
        f"server RSS MiB: start {rss[0]:.1f}, end {rss[-1]:.1f}, max {max(rss):.1f}, "
        f"growth {grow:+.1f} over {soak:.0f} s soak ({len(rss)} samples)"
    )
    cores = os.cpu_count() or 1
    hc = main_res["peer health"]["cpu_ms"]
    print(
        f"\nserver CPU per uncached route request {unc['cpu_ms']:.2f} ms best round "
        f"({unc['cpu_ms_mean']:.2f} ms over all rounds) "
        f"(framework floor /api/health {hc:.2f} ms; in-process route().to_json() "
        f"{per_q['floor']:.2f} ms; with the former serialisation {per_q['former']:.2f} ms, "
        f"{per_q['former'] / per_q['floor']:.2f}x the floor)"
    )
    if "peer" in results:
        pu = results["peer"]["route uncached"]
        print(
            f"peer server ({a.peer_src}): {pu['cpu_ms']:.2f} ms server CPU per uncached request "
            f"best round ({pu['cpu_ms_mean']:.2f} ms over all rounds) -> "
            f"{pu['cpu_ms'] / unc['cpu_ms']:.2f}x titr's best ({pu['cpu_ms_mean'] / unc['cpu_ms_mean']:.2f}x "
            f"over all rounds); {pu['rps']:.0f} req/s, p99 {pu['p99']:.1f} ms"
        )
    print(
        f"bound from CPU per request: {cores} cores / {unc['cpu_ms']:.2f} ms = "
        f"{cores / unc['cpu_ms'] * 1e3:.0f} req/s if the server had the cores to itself "
        "(the load client needs its share too); not a measured rate"
    )
    print(machine())
    ok = unc["rps"] >= 500 and unc["p99"] < 50 and unc["errors"] == 0
    print(
        f"goal (uncached route queries >= 500 req/s, p99 < 50 ms, workers = cores): "
        f"measured {unc['rps']:.0f} req/s, p99 {unc['p99']:.1f} ms: {'met' if ok else 'NOT met'}"
    )
    errors = sum(r["errors"] for res in results.values() for r in res.values())
    if errors:
        print(f"{errors} requests failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: a continental-scale network (1,000,000 places) loaded from CSV and from Parquet
into arrays and compiled, with its memory; one-to-all shortest paths on it against igraph and
networkit.

Run:  .venv/bin/python benchmarks/scale.py [--places 1000000] [--seed 0] [--quick]

A synthetic network is generated deterministically (seed) into a temporary folder as a titr
dataset (manifest, sources, commodities, processes, and nodes / links as CSV and as Parquet):
places scattered over lon 20-120 deg, lat 30-55 deg, countries by longitude band, each place
joined by rail to its three nearest neighbours (1435 mm west of 45 deg E and east of 85 deg E,
1520 mm between), a gauge-change process where both gauges meet and a border process at each
end of a link that crosses a country boundary (so both the array path for plain places and
`expand_node` for places with processes are exercised).

Each format is loaded and compiled in a child process (`titr.network.arrays.read_arrays` +
`titr.graph.arrays.compile_arrays`, commodity container), which reports CPU and wall seconds
and its peak resident memory (`resource.getrusage`, ru_maxrss). Goal: under 30 s, judged on
CPU seconds (all threads of the child; wall time on the shared machine measures the
neighbours, and is printed beside it).

Ratios, each saying what it compares:

* loader and compiler: `read_dataset` (pydantic records) + `build_graph` against
  `read_arrays` + `compile_arrays` on the same files (--peer-places, 30,000 by default: the
  record path does not reach a million places in reasonable time); the compiled graphs are
  checked equal array by array;
* one-to-all: titr's router (`titr.routing.csr.one_to_all`, scipy's Dijkstra on the cached
  CSR) against igraph and networkit on the same arcs and weights (expected hours), CPU best of
  --repeat alternated in one process, distances checked equal (rel 1e-9). Same algorithm
  (Dijkstra with a binary heap) in three libraries: the ratio compares implementations.

`--quick`: 20,000 places, peer at 5,000 places, one repeat (the smoke run of `make test`).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, cpu_alternated, machine, ratio_line  # noqa: E402

COUNTRIES = ("DE", "PL", "TR", "GE", "AZ", "KZ", "UZ", "CN", "MN")
EST = "EST: synthetic scale-benchmark network (benchmarks/scale.py)"


def generate(places: int, seed: int, out: Path) -> dict[str, Any]:
    """Write the synthetic dataset into ``out`` (CSV in out/csv, Parquet in out/parquet)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    lon = np.round(rng.uniform(20.0, 120.0, places), 5)
    lat = np.round(rng.uniform(30.0, 55.0, places), 5)
    band = np.minimum(((lon - 20.0) / (100.0 / len(COUNTRIES))).astype(int), len(COUNTRIES) - 1)
    country = np.array(COUNTRIES)[band]
    ids = np.char.add("N", np.arange(places).astype(str))
    # three nearest neighbours of each place, as undirected pairs i < j, deduplicated
    xyz = np.column_stack(
        [
            np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
            np.cos(np.radians(lat)) * np.sin(np.radians(lon)),
            np.sin(np.radians(lat)),
        ]
    )
    _, nb = cKDTree(xyz).query(xyz, k=4)
    a = np.repeat(np.arange(places), 3)
    b = nb[:, 1:].ravel()
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pair = np.unique(lo.astype(np.int64) * places + hi)
    a, b = pair // places, pair % places
    la, lb = np.radians(lat[a]), np.radians(lat[b])
    dl = np.radians(lon[b] - lon[a])
    hav = np.sin((lb - la) / 2) ** 2 + np.cos(la) * np.cos(lb) * np.sin(dl / 2) ** 2
    km = np.round(np.maximum(2 * 6371.0088 * np.arcsin(np.sqrt(hav)) * 1.25, 0.5), 3)
    mid = (lon[a] + lon[b]) / 2
    mode = np.where((mid >= 45.0) & (mid <= 85.0), "rail_1520", "rail_1435")
    tmode = np.round(km / 40.0, 4)
    tmin, tmax = np.round(tmode * 0.8, 4), np.round(tmode * 1.5, 4)
    n_links = a.size
    # processes: gauge change where both gauges meet, border at both ends of a crossing
    both = np.zeros(places, dtype=np.int8)
    for m, bit in (("rail_1435", 1), ("rail_1520", 2)):
        sel = mode == m
        both[a[sel]] |= bit
        both[b[sel]] |= bit
    gauge_at = np.flatnonzero(both == 3)
    cross = country[a] != country[b]
    border_at = np.unique(np.concatenate([a[cross], b[cross]]))
    kind = np.full(places, "junction", dtype=object)
    kind[border_at] = "border"
    gauge = np.where((lon >= 45.0) & (lon <= 85.0), "1520", "1435")
    nodes = {
        "id": ids,
        "name_en": ids,
        "name_ru": ids,
        "name_tr": ids,
        "country": country,
        "kind": kind.astype(str),
        "lat": lat,
        "lon": lon,
        "coord_source": np.full(places, EST),
        "gauge_mm": gauge,
        "source": np.full(places, EST),
    }
    links = {
        "id": np.char.add("L", np.arange(n_links).astype(str)),
        "a_node": ids[a],
        "b_node": ids[b],
        "mode": mode,
        "bidirectional": np.ones(n_links, dtype=bool),
        "corridors": np.full(n_links, "access"),
        "commodities": np.full(n_links, "*"),
        "distance": km,
        "distance_source": np.full(n_links, EST),
        "time_min": tmin,
        "time_mode": tmode,
        "time_max": tmax,
        "time_source": np.full(n_links, EST),
        "status": np.full(n_links, "existing"),
        "country": country[a],
    }
    proc_rows = ["id,node,kind,commodities,time_min,time_mode,time_max,time_source,servers,status"]
    for i in gauge_at.tolist():
        proc_rows.append(f"PG{i},N{i},gauge_change,*,2,4,8,{EST},2,existing")
    for i in border_at.tolist():
        proc_rows.append(f"PB{i},N{i},border,*,1,2,6,{EST},2,existing")
    small = {
        "sources.csv": "id,title,publisher\nS6900,titr synthetic scale network,titr\n",
        "commodities.csv": (
            "id,name_en,name_ru,name_tr,unit,t_per_unit,modes,value_of_time,source\n"
            f"container,Containers,Контейнеры,Konteyner,TEU,14,rail_1520;rail_1435,14,{EST}\n"
        ),
        "processes.csv": "\n".join(proc_rows) + "\n",
    }
    for fmt in ("csv", "parquet"):
        d = out / fmt
        d.mkdir(parents=True)
        files = {"sources": "sources.csv", "commodities": "commodities.csv"}
        files["processes"] = "processes.csv"
        files["nodes"], files["links"] = f"nodes.{fmt}", f"links.{fmt}"
        manifest = {
            "name": f"synthetic-{places}",
            "version": f"seed{seed}",
            "title": "Synthetic continental network",
            "description": "Generated by benchmarks/scale.py",
            "license": "CC0-1.0",
            "files": files,
        }
        (d / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        for name, text in small.items():
            (d / name).write_text(text, encoding="utf-8")
        for name, cols in (("nodes", nodes), ("links", links)):
            t = pa.table({k: pa.array(v) for k, v in cols.items()})
            if fmt == "csv":
                pacsv.write_csv(t, d / f"{name}.csv")
            else:
                pq.write_table(t, d / f"{name}.parquet")
    return {
        "places": places,
        "links": int(n_links),
        "gauge_change_places": int(gauge_at.size),
        "border_places": int(border_at.size),
        "csv_mb": sum(p.stat().st_size for p in (out / "csv").iterdir()) / 2**20,
        "parquet_mb": sum(p.stat().st_size for p in (out / "parquet").iterdir()) / 2**20,
    }


def child(folder: str, peers: bool, repeat: int) -> None:
    """Load + compile one folder; print one JSON line (and run the one-to-all peers)."""
    from titr.graph.arrays import compile_arrays
    from titr.network.arrays import read_arrays

    c0, w0 = time.process_time(), time.perf_counter()
    an = read_arrays(folder)
    c1, w1 = time.process_time(), time.perf_counter()
    g = compile_arrays(an, "container")
    c2, w2 = time.process_time(), time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB
    out: dict[str, Any] = {
        "label": an.label,
        "load_cpu": c1 - c0,
        "load_wall": w1 - w0,
        "compile_cpu": c2 - c1,
        "compile_wall": w2 - w1,
        "peak_rss_mb": peak,
        "vertices": g.n_vertices,
        "arcs": g.n_arcs,
        "warnings": len(an.warnings),
    }
    if peers:
        out["one_to_all"] = one_to_all_peers(g, repeat)
    print(json.dumps(out))


def one_to_all_peers(g: Any, repeat: int) -> dict[str, Any]:
    import igraph as ig
    import networkit as nk

    from titr.routing.csr import cached_csr, one_to_all

    w = g.time_h
    nodes = sorted(g.origin)
    src = int(g.origin[nodes[len(nodes) // 2]])
    t0 = time.process_time()
    cached_csr(g, w)
    csr_s = time.process_time() - t0
    t0 = time.process_time()
    G = ig.Graph(n=g.n_vertices, edges=np.column_stack([g.tail, g.head]), directed=True)
    G.es["weight"] = w
    ig_build = time.process_time() - t0
    t0 = time.process_time()
    K = nk.Graph(g.n_vertices, weighted=True, directed=True)
    K.addEdges((np.asarray(w, dtype=float), (g.tail, g.head)))
    nk_build = time.process_time() - t0

    def nk_all() -> np.ndarray:
        dj = nk.distance.Dijkstra(K, src, storePaths=False)
        dj.run()
        d = np.asarray(dj.getDistances())
        d[d > 1e300] = np.inf  # networkit's "unreachable"
        return d

    times, res = cpu_alternated(
        {
            "titr": lambda: one_to_all(g, w, src),
            "igraph": lambda: np.asarray(G.distances(source=src, weights="weight")[0]),
            "networkit": nk_all,
        },
        repeat,
    )
    same = {}
    for k in ("igraph", "networkit"):
        a, b = res["titr"], res[k]
        fa, fb = np.isfinite(a), np.isfinite(b)
        same[k] = bool(
            np.array_equal(fa, fb)
            and np.all(np.abs(a[fa] - b[fa]) <= 1e-9 * np.maximum(1.0, np.abs(a[fa])))
        )
    return {
        "times": times,
        "same": same,
        "reached": int(np.isfinite(res["titr"]).sum()),
        "build_s": {"titr CSR (cached)": csr_s, "igraph": ig_build, "networkit": nk_build},
    }


def run_child(folder: Path, peers: bool, repeat: int) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", str(folder), "--repeat", str(repeat)]
    if peers:
        args.append("--peers")
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"child failed on {folder}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    out: dict[str, Any] = json.loads(r.stdout.strip().splitlines()[-1])
    return out


GRAPH_ARRAYS = (
    "vertex_node",
    "vertex_mode",
    "vertex_kind",
    "tail",
    "head",
    "time_h",
    "time_var",
    "cost_usd",
    "distance_km",
    "kind",
    "ref",
    "arc_node",
    "arc_to_node",
    "arc_mode",
    "arc_link",
    "tariff_missing",
)


def same_graph(g1: Any, g2: Any) -> bool:
    """Every vertex and arc array equal, distributions and hub maps equal."""
    for f in GRAPH_ARRAYS:
        a, b = getattr(g1, f), getattr(g2, f)
        if a.shape != b.shape or not np.array_equal(a, b):
            return False
    return bool(
        list(g1.dist) == list(g2.dist)
        and list(g1.tariff_ids) == list(g2.tariff_ids)
        and g1.origin == g2.origin
        and g1.dest == g2.dest
    )


def record_peer(places: int, seed: int, repeat: int) -> None:
    """The record path (pydantic + build_graph) against the array path on the same files."""
    from titr import limits
    from titr.graph.arrays import compile_arrays
    from titr.graph.build import build_graph
    from titr.network.arrays import read_arrays
    from titr.network.io_csv import read_dataset

    with tempfile.TemporaryDirectory(prefix="titr-scale-peer-") as tmp:
        info = generate(places, seed, Path(tmp))
        d = Path(tmp) / "csv"
        limits.set_limits(max_rows=10 * (info["places"] + info["links"]))
        times, res = cpu_alternated(
            {
                "arrays": lambda: compile_arrays(read_arrays(d), "container"),
                "records": lambda: build_graph(read_dataset(d, check=False), "container"),
            },
            repeat,
        )
        limits.reset_limits()
    check(
        same_graph(res["records"], res["arrays"]),
        f"{places:,} places: compiled graphs of the record and array paths (every array)",
    )
    ratio_line(
        f"load + compile {places:,} places (CPU)",
        times["arrays"],
        {"records + build_graph": times["records"]},
        "loader and compiler: pyarrow columns + compile_arrays vs pydantic records + "
        "build_graph, same files, same compiled graph",
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--places", type=int, default=1_000_000)
    ap.add_argument("--peer-places", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="smoke run: 20,000 places")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--peers", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.peers, args.repeat)
        return
    if args.quick:
        args.places, args.peer_places, args.repeat = 20_000, 5_000, 1
    print(machine())
    record_peer(args.peer_places, args.seed, max(1, min(args.repeat, 2)))
    with tempfile.TemporaryDirectory(prefix="titr-scale-") as tmp:
        t0 = time.perf_counter()
        info = generate(args.places, args.seed, Path(tmp))
        print(
            f"\nsynthetic network: {info['places']:,} places, {info['links']:,} links, "
            f"{info['gauge_change_places']:,} gauge-change and {info['border_places']:,} "
            f"border places; CSV {info['csv_mb']:.0f} MiB, Parquet {info['parquet_mb']:.0f} "
            f"MiB (generated in {time.perf_counter() - t0:.1f} s, not counted)"
        )
        res = {
            fmt: run_child(Path(tmp) / fmt, fmt == "csv", args.repeat) for fmt in ("csv", "parquet")
        }
    for fmt, r in res.items():
        total = r["load_cpu"] + r["compile_cpu"]
        print(
            f"  {fmt:<8} load {r['load_wall']:6.2f} s wall ({r['load_cpu']:6.2f} s CPU), compile "
            f"{r['compile_wall']:6.2f} s wall ({r['compile_cpu']:6.2f} s CPU), peak RSS "
            f"{r['peak_rss_mb']:,.0f} MiB; {r['vertices']:,} vertices, {r['arcs']:,} arcs; "
            f"goal < 30 s: {'met' if total < 30 else 'NOT met'} ({total:.2f} s CPU)"
        )
    check(
        res["csv"]["vertices"] == res["parquet"]["vertices"]
        and res["csv"]["arcs"] == res["parquet"]["arcs"],
        "CSV and Parquet compile to the same vertex and arc counts",
    )
    o = res["csv"]["one_to_all"]
    for k, ok in o["same"].items():
        check(ok, f"one-to-all distances titr vs {k} ({o['reached']:,} vertices reached)")
    ratio_line(
        f"one-to-all, {args.places:,} places (CPU)",
        o["times"]["titr"],
        {k: v for k, v in o["times"].items() if k != "titr"},
        "implementation: Dijkstra in scipy (titr's cached CSR) vs igraph vs networkit, same "
        "arcs and weights",
    )
    b = o["build_s"]
    print(
        "  graph build (not in the ratio): " + ", ".join(f"{k} {v:.2f} s CPU" for k, v in b.items())
    )


if __name__ == "__main__":
    main()

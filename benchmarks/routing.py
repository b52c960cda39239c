"""Routing benchmark: titr (scipy.sparse.csgraph on the multimodal CSR) against networkx on
the same arcs, measured in the same run.

1. Corridor network (the bundled dataset; a 300-place synthetic network if it is missing):
   one-to-one query (path search alone, and the full `route()` with tariff, CO2 and the
   transit-time quantiles), one-to-all, all-pairs.
2. Synthetic multimodal network of about 100,000 graph vertices (seeded): one-to-one and
   one-to-all.

Prints times (best of several repeats) and the ratio networkx / titr. Goals: one-to-all on the
large network ≥ 20× networkx; a corridor query well under 10 ms.

Run: .venv/bin/python benchmarks/routing.py [--places 30000] [--seed 1]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from titr.graph import MultimodalGraph, build_graph
from titr.graph.synthetic import synthetic_network
from titr.routing import best_path, route


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def to_nx(g: MultimodalGraph, w: np.ndarray) -> nx.DiGraph:
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_vertices))
    G.add_weighted_edges_from(zip(g.tail.tolist(), g.head.tolist(), w.tolist(), strict=True))
    return G


def row(label: str, ours: float, peer: float | None) -> None:
    ratio = f"{peer / ours:8.1f}x" if peer else "       -"
    p = f"{peer * 1e3:10.2f} ms" if peer else "           -"
    print(f"  {label:<44} titr {ours * 1e3:10.3f} ms   networkx {p}   ratio {ratio}")


def corridor(repeat: int) -> None:
    try:
        import titr

        net = titr.load_dataset()
        o, d = _corridor_pair(net)
    except Exception as e:  # dataset missing or incomplete: say so and use a stand-in
        print(f"  (bundled dataset unavailable: {e}; using a synthetic 300-place network)")
        net = synthetic_network(300, 1, port_share=0.8)
        o, d = _connected_pair(net)
    t_build, g = best_of(lambda: build_graph(net, "container"), 3)
    w = g.time_h
    print(
        f"corridor network {net.label}: {len(net.nodes)} nodes, {len(net.links)} links -> "
        f"{g.n_vertices} vertices, {g.n_arcs} arcs; build {t_build * 1e3:.1f} ms; {o} -> {d}"
    )
    G = to_nx(g, w)
    mask = np.ones(g.n_arcs, dtype=bool)
    src, dst = g.origin[o], g.dest[d]
    t_ours, _ = best_of(lambda: best_path(g, w, mask, src, [], dst), repeat)
    t_nx, _ = best_of(lambda: nx.dijkstra_path(G, src, dst, weight="weight"), repeat)
    row("one-to-one path (CSR + Dijkstra + path)", t_ours, t_nx)
    route(net, o, d)  # warm the graph cache
    t_route, _ = best_of(lambda: route(net, o, d), repeat)
    row("one-to-one route() incl. quantiles, tariff, CO2", t_route, None)
    t_route3, _ = best_of(lambda: route(net, o, d, alternatives=3), repeat)
    row("route() with 3 alternatives (convolution)", t_route3, None)
    csr = g.csr(w)
    t_ours, _ = best_of(lambda: dijkstra(csr, indices=src, return_predecessors=True), repeat)
    t_nx, _ = best_of(lambda: nx.single_source_dijkstra(G, src, weight="weight"), repeat)
    row("one-to-all (distances + paths)", t_ours, t_nx)
    t_ours, dm = best_of(lambda: dijkstra(csr), 3)
    t_nx, _ = best_of(lambda: dict(nx.all_pairs_dijkstra_path_length(G, weight="weight")), 1)
    row(f"all-pairs distances ({g.n_vertices} vertices)", t_ours, t_nx)
    hubs = np.array(sorted(g.origin.values()))
    t_ours, _ = best_of(lambda: dijkstra(csr, indices=hubs), 3)
    row(f"all origin hubs to all ({len(hubs)} sources)", t_ours, None)


def _corridor_pair(net: Any) -> tuple[str, str]:
    for o, d in (("KZ_ALT", "GE_POTI"), ("CN_XIAN", "GE_POTI"), ("KZ_DOS", "GE_POTI")):
        if o in net.nodes and d in net.nodes:
            return o, d
    return _connected_pair(net)


def _connected_pair(net: Any) -> tuple[str, str]:
    g = build_graph(net, "container")
    best: tuple[float, str, str] = (-1.0, "", "")
    for o in sorted(g.origin)[:20]:
        dist = dijkstra(g.csr(g.time_h), indices=g.origin[o])
        for dn, v in g.dest.items():
            if np.isfinite(dist[v]) and dist[v] > best[0] and dn != o:
                best = (float(dist[v]), o, dn)
    return best[1], best[2]


def large(places: int, seed: int, repeat: int) -> None:
    t = time.perf_counter()
    net = synthetic_network(places, seed)
    t_gen = time.perf_counter() - t
    t = time.perf_counter()
    g = build_graph(net, "container")
    t_build = time.perf_counter() - t
    w = g.time_h
    print(
        f"synthetic network: {places} places, {len(net.links)} links -> {g.n_vertices} "
        f"vertices, {g.n_arcs} arcs; generate {t_gen:.1f} s, build_graph {t_build:.1f} s"
    )
    t = time.perf_counter()
    csr = g.csr(w)
    t_csr = time.perf_counter() - t
    t = time.perf_counter()
    G = to_nx(g, w)
    t_nxb = time.perf_counter() - t
    row("build adjacency (CSR vs nx.DiGraph)", t_csr, t_nxb)
    # a source in the largest reachable set
    src = g.origin[sorted(g.origin)[0]]
    dist = dijkstra(csr, indices=src)
    reach = int(np.isfinite(dist).sum())
    far = int(np.argmax(np.where(np.isfinite(dist), dist, -1)))
    print(f"  source reaches {reach} vertices")
    r = max(1, repeat // 2)
    t_ours, _ = best_of(lambda: dijkstra(csr, indices=src), r)
    t_nx, _ = best_of(lambda: nx.single_source_dijkstra_path_length(G, src, weight="weight"), r)
    row("one-to-all distances", t_ours, t_nx)
    t_ours, _ = best_of(lambda: dijkstra(csr, indices=src, return_predecessors=True), r)
    t_nx, _ = best_of(lambda: nx.single_source_dijkstra(G, src, weight="weight"), r)
    row("one-to-all distances + paths", t_ours, t_nx)
    mask = np.ones(g.n_arcs, dtype=bool)
    t_ours, _ = best_of(lambda: best_path(g, w, mask, src, [], far), r)
    t_nx, _ = best_of(lambda: nx.dijkstra_path(G, src, far, weight="weight"), r)
    row("one-to-one to the farthest vertex", t_ours, t_nx)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--places", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    corridor(a.repeat)
    large(a.places, a.seed, a.repeat)


if __name__ == "__main__":
    main()

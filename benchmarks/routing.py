"""Routing benchmark: titr (scipy.sparse.csgraph on the compiled multimodal CSR) against
networkx, igraph and networkit on the same arcs, measured in one process.

1. Corridor network (the bundled dataset): one-to-one path search, the full `route()` (tariff,
   CO2, transit-time quantiles), one-to-all and all-pairs distances.
2. Synthetic multimodal network (`titr.graph.synthetic`, seeded; 30,000 places = about 100,000
   graph vertices): one-to-all distances and one-to-one to the farthest vertex.

Every timing is CPU time (`time.process_time`), best of --repeat, with titr and the peers
alternated in the same process. Before a ratio is printed the outputs are checked equal: the
same distance to every vertex (|diff| <= 1e-9 relative, the same unreachable set) or the same
path length; a difference stops the run (exit 1). Each ratio names what it compares: all
peers run Dijkstra on the same arcs and weights, so the ratios compare implementations of the
same algorithm (compiled C/C++ vs pure Python), including each library's call overhead.

Goal: one-to-all on the 100k-vertex network >= 20x networkx.
Run: .venv/bin/python benchmarks/routing.py [--places 30000] [--seed 1] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, cpu_alternated, cpu_once, machine, ratio_line  # noqa: E402
from titr.graph import MultimodalGraph, build_graph  # noqa: E402
from titr.graph.synthetic import synthetic_network  # noqa: E402
from titr.routing import best_path, route  # noqa: E402
from titr.routing.csr import cached_csr, one_to_all  # noqa: E402

SAME_ALGO = "implementation: Dijkstra on the same arcs and weights (C/C++ vs Python)"


class Peers:
    """The same arcs loaded into networkx, igraph and networkit."""

    def __init__(
        self,
        g: MultimodalGraph,
        w: np.ndarray,
        with_nx: bool = True,
        inv: np.ndarray | None = None,
    ):
        """`inv`: renumber vertex v as inv[v] (to give the peers titr's memory layout)."""
        import igraph as ig
        import networkit as nk

        self.n = g.n_vertices
        tail, head = (g.tail, g.head) if inv is None else (inv[g.tail], inv[g.head])
        t, h = tail.tolist(), head.tolist()
        self.G: nx.DiGraph | None = None
        if with_nx:
            self.G = nx.DiGraph()
            self.G.add_nodes_from(range(self.n))
            self.G.add_weighted_edges_from(zip(t, h, w.tolist(), strict=True))
        self.ig = ig.Graph(n=self.n, edges=list(zip(t, h, strict=True)), directed=True)
        self.ig.es["weight"] = w.tolist()
        self.nk = nk.Graph(self.n, weighted=True, directed=True)
        self.nk.addEdges((np.asarray(w, dtype=float), (tail, head)))
        self._nk = nk

    def nx_all(self, s: int) -> np.ndarray:
        assert self.G is not None
        d = nx.single_source_dijkstra_path_length(self.G, s, weight="weight")
        out = np.full(self.n, np.inf)
        out[list(d)] = list(d.values())
        return out

    def ig_all(self, s: int) -> np.ndarray:
        return np.asarray(self.ig.distances(source=s, weights="weight")[0])

    def nk_all(self, s: int) -> np.ndarray:
        dj = self._nk.distance.Dijkstra(self.nk, s, storePaths=False)
        dj.run()
        d = np.asarray(dj.getDistances())
        d[d > 1e300] = np.inf  # networkit marks unreachable vertices with the largest double
        return d


def same_dist(a: np.ndarray, b: np.ndarray) -> bool:
    fa, fb = np.isfinite(a), np.isfinite(b)
    if not np.array_equal(fa, fb):
        return False
    return bool(np.all(np.abs(a[fa] - b[fa]) <= 1e-9 * np.maximum(1.0, np.abs(a[fa]))))


def one_to_all_row(
    label: str, titr_fn: Any, peers: Peers, src: int, repeat: int, compares: str = SAME_ALGO
) -> dict[str, float]:
    fns = {"titr": titr_fn}
    if peers.G is not None:
        fns["networkx"] = lambda: peers.nx_all(src)
    fns["igraph"] = lambda: peers.ig_all(src)
    fns["networkit"] = lambda: peers.nk_all(src)
    times, out = cpu_alternated(fns, repeat)
    ref = out["titr"]
    for k in fns:
        if k != "titr":
            check(same_dist(ref, out[k]), f"{label}: distances titr vs {k}")
    ratio_line(label, times["titr"], {k: v for k, v in times.items() if k != "titr"}, compares)
    return times


def corridor(repeat: int) -> None:
    import titr

    net = titr.load_dataset()
    o, d = "KZ_ALT", "GE_POTI"
    t_build, g = cpu_once(lambda: build_graph(net, "container"))
    w = g.time_h
    print(
        f"\ncorridor network {net.label}: {len(net.nodes)} nodes, {len(net.links)} links -> "
        f"{g.n_vertices} vertices, {g.n_arcs} arcs; build_graph {t_build * 1e3:.1f} ms CPU; "
        f"{o} -> {d}"
    )
    peers = Peers(g, w)
    mask = np.ones(g.n_arcs, dtype=bool)
    src, dst = g.origin[o], g.dest[d]
    assert peers.G is not None
    G = peers.G
    times, out = cpu_alternated(
        {
            "titr": lambda: best_path(g, w, mask, src, [], dst),
            "networkx": lambda: nx.dijkstra_path_length(G, src, dst, weight="weight"),
        },
        repeat * 20,
    )
    found = out["titr"]
    check(
        found is not None and abs(found[0] - out["networkx"]) <= 1e-9 * out["networkx"],
        f"one-to-one path length titr {found and found[0]:.6f} h vs networkx "
        f"{out['networkx']:.6f} h",
    )
    ratio_line(
        "one-to-one path (cached CSR)",
        times["titr"],
        {"networkx": times["networkx"]},
        SAME_ALGO + "; titr also returns the arcs of the path",
    )
    route(net, o, d)  # warm the graph cache
    for label, kw in (
        ("route() incl. quantiles, tariff, CO2", {}),
        ("route() with 3 alternatives", {"alternatives": 3}),
    ):
        t, _ = cpu_alternated({"r": lambda kw=kw: route(net, o, d, **kw)}, repeat * 4)
        print(f"  {label:<40} titr {t['r'] * 1e3:9.2f} ms (no peer: titr's own use case)")
    csr = cached_csr(g, w).matrix
    one_to_all_row("one-to-all distances", lambda: one_to_all(g, w, src), peers, src, repeat * 10)
    t_all, dm = cpu_alternated(
        {
            "titr": lambda: dijkstra(csr),
            "networkx": lambda: dict(nx.all_pairs_dijkstra_path_length(G, weight="weight")),
        },
        1,
    )
    row = dm["networkx"][src]
    ref = np.full(g.n_vertices, np.inf)
    ref[list(row)] = list(row.values())
    check(same_dist(dm["titr"][src], ref), "all-pairs: one row titr vs networkx")
    ratio_line(
        f"all-pairs ({g.n_vertices} vertices)",
        t_all["titr"],
        {"networkx": t_all["networkx"]},
        SAME_ALGO,
    )


def large(places: int, seed: int, repeat: int, with_nx: bool) -> None:
    t_gen, net = cpu_once(lambda: synthetic_network(places, seed))
    t_build, g = cpu_once(lambda: build_graph(net, "container"))
    w = g.time_h
    print(
        f"\nsynthetic network: {places} places, {len(net.links)} links -> {g.n_vertices} "
        f"vertices, {g.n_arcs} arcs; generate {t_gen:.1f} s, build_graph {t_build:.1f} s CPU"
    )
    t_csr, csr = cpu_once(lambda: g.csr(w))
    t_peers, peers = cpu_once(lambda: Peers(g, w, with_nx))
    print(f"  CSR {t_csr * 1e3:.1f} ms; loading the peers' graphs {t_peers:.2f} s CPU")
    src = g.origin[sorted(g.origin)[0]]
    dist = dijkstra(csr, indices=src)
    reach = int(np.isfinite(dist).sum())
    far = int(np.argmax(np.where(np.isfinite(dist), dist, -1)))
    print(f"  source reaches {reach} of {g.n_vertices} vertices")
    one_to_all(g, w, src)  # the router's cached CSR (vertex layout computed once per graph)
    rc = cached_csr(g, w)
    layout = (
        "cached CSR in RCM vertex order, results mapped back"
        if rc.inv is not None
        else "cached CSR in the compiled order (graph below the reordering size)"
    )
    times = one_to_all_row(
        "one-to-all distances",
        lambda: one_to_all(g, w, src),
        peers,
        src,
        repeat,
        SAME_ALGO + f"; titr = titr.routing.csr.one_to_all ({layout}), peers in the "
        "compiled vertex order",
    )
    if with_nx:
        r = times["networkx"] / times["titr"]
        print(f"  goal one-to-all >= 20x networkx: {r:.1f}x {'met' if r >= 20 else 'NOT met'}")
    if rc.inv is not None:
        same_layout = Peers(g, w, False, rc.inv)
        inv = rc.inv

        def titr_mapped() -> np.ndarray:
            return one_to_all(g, w, src)[rc.perm]  # in the renumbered order, as the peers

        one_to_all_row(
            "one-to-all, peers in titr's RCM layout",
            titr_mapped,
            same_layout,
            int(inv[src]),
            repeat,
            SAME_ALGO + "; every engine on the same RCM-renumbered vertices",
        )
    mask = np.ones(g.n_arcs, dtype=bool)
    fns = {"titr": lambda: best_path(g, w, mask, src, [], far)}
    if peers.G is not None:
        G = peers.G
        fns["networkx"] = lambda: nx.dijkstra_path_length(G, src, far, weight="weight")
    times, out = cpu_alternated(fns, repeat)
    found = out["titr"]
    check(
        found is not None and abs(found[0] - dist[far]) <= 1e-9 * dist[far],
        "one-to-one to the farthest vertex: titr path length = one-to-all distance",
    )
    if "networkx" in out:
        check(
            abs(out["networkx"] - dist[far]) <= 1e-9 * dist[far],
            "one-to-one to the farthest vertex: networkx = titr",
        )
        ratio_line(
            "one-to-one to the farthest vertex",
            times["titr"],
            {"networkx": times["networkx"]},
            SAME_ALGO,
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--places", type=int, default=30_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-networkx", action="store_true", help="skip networkx on the large net")
    ap.add_argument("--quick", action="store_true", help="smoke run: 1,000 places, 2 repeats")
    a = ap.parse_args()
    if a.quick:
        a.places, a.repeat = 1_000, 2
    print(machine())
    corridor(a.repeat)
    large(a.places, a.seed, a.repeat, not a.no_networkx)


if __name__ == "__main__":
    main()

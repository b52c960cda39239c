"""The router's cached CSR: one matrix per distinct (weight, mask) content, bounded, read-only,
and the reordered layout of large graphs gives the compiled graph's answers."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from titr.graph import build_graph
from titr.graph.synthetic import synthetic_network
from titr.routing import csr as rc
from titr.routing.plan import best_path


@pytest.fixture(scope="module")
def g():  # type: ignore[no-untyped-def]
    return build_graph(synthetic_network(400, 3), "container")


def test_equal_content_shares_one_entry(g) -> None:  # type: ignore[no-untyped-def]
    g.info.pop("_csr_cache", None)
    a = rc.cached_csr(g, g.time_h.copy())
    b = rc.cached_csr(g, g.time_h.copy(), np.ones(g.n_arcs, dtype=bool))
    assert a is b  # equal weights, all-true mask = no mask
    mask = np.ones(g.n_arcs, dtype=bool)
    mask[::7] = False
    c = rc.cached_csr(g, g.time_h, mask)
    assert c is not a and c.matrix.nnz == int(mask.sum())
    assert rc.cached_csr(g, g.time_h, mask.copy()) is c
    w2 = g.time_h.copy()
    w2[0] += 1.0
    assert rc.cached_csr(g, w2) is not a


def test_cache_is_bounded_and_read_only(g) -> None:  # type: ignore[no-untyped-def]
    g.info.pop("_csr_cache", None)
    for k in range(rc.MAX_ENTRIES + 5):
        rc.cached_csr(g, g.time_h + k)
    assert len(g.info["_csr_cache"]) == rc.MAX_ENTRIES
    m = rc.cached_csr(g, g.time_h + 1).matrix
    with pytest.raises(ValueError):
        m.data[0] = 5.0


def test_bad_shapes(g) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="one value per arc"):
        rc.cached_csr(g, g.time_h[:-1])
    with pytest.raises(ValueError, match="one value per arc"):
        rc.cached_csr(g, g.time_h, np.ones(3, dtype=bool))


@pytest.mark.parametrize("masked", [False, True])
def test_reordered_layout_gives_the_compiled_answers(g, monkeypatch, masked) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rc, "REORDER_MIN", 0)
    g.info.pop("_csr_cache", None)
    g.info.pop("_routing_layout", None)
    rng = np.random.default_rng(0)
    mask = rng.random(g.n_arcs) > 0.1 if masked else None
    r = rc.cached_csr(g, g.time_h, mask)
    assert r.perm is not None and not np.array_equal(r.perm, np.arange(g.n_vertices))
    ref = g.csr(g.time_h, mask)
    srcs = np.array(sorted(g.origin.values())[:5])
    d, p = r.shortest_paths(srcs)
    np.testing.assert_array_equal(r.distances(srcs), d)
    d0 = dijkstra(ref, indices=srcs)
    np.testing.assert_array_equal(np.isfinite(d), np.isfinite(d0))
    np.testing.assert_allclose(d[np.isfinite(d)], d0[np.isfinite(d0)], rtol=1e-12)
    # predecessors are compiled vertex numbers whose arcs add up to the distance
    w = {(int(t), int(h)): float(x) for t, h, x in zip(g.tail, g.head, g.time_h, strict=True)}
    for i, s in enumerate(srcs):
        for v in np.flatnonzero(np.isfinite(d[i]))[:50]:
            total, u = 0.0, int(v)
            while u != s:
                total += w[(int(p[i, u]), u)]
                u = int(p[i, u])
            assert total == pytest.approx(d[i, v], rel=1e-12)
    np.testing.assert_allclose(rc.one_to_all(g, g.time_h, int(srcs[0]), mask), d0[0])
    # the planner gives the same path cost in both layouts
    dst = int(np.flatnonzero(np.isfinite(d0[0]))[-1])
    full = np.ones(g.n_arcs, dtype=bool) if mask is None else mask
    got = best_path(g, g.time_h, full, int(srcs[0]), [], dst)
    assert got is not None and got[0] == pytest.approx(d0[0, dst], rel=1e-12)


@pytest.mark.parametrize("reorder", [False, True])
def test_transient_matrix_equals_the_built_one_and_is_not_kept(g, monkeypatch, reorder) -> None:  # type: ignore[no-untyped-def]
    # alternatives search under one-off penalised weights: the same matrix as a fresh build
    # from the graph (`MultimodalGraph.csr` in the compiled order), nothing added to the cache
    if reorder:
        monkeypatch.setattr(rc, "REORDER_MIN", 0)
    g.info.pop("_csr_cache", None)
    rng = np.random.default_rng(4)
    for k in range(6):
        w = g.time_h * rng.uniform(1.0, 3.0, g.n_arcs)
        w[:: 5 + k] = 0.0  # explicit zero weights stay edges
        mask = None if k % 2 else rng.random(g.n_arcs) > 0.2
        t = rc.transient_csr(g, w, mask)
        c = rc.cached_csr(g, w, mask)
        assert (t.perm is not None) == reorder
        assert t.matrix.nnz == c.matrix.nnz == (g.n_arcs if mask is None else int(mask.sum()))
        assert (t.matrix != c.matrix).nnz == 0 and t.matrix.has_sorted_indices
        srcs = np.array(sorted(g.origin.values())[:3])
        np.testing.assert_array_equal(t.distances(srcs), c.distances(srcs))
        if not reorder:
            ref = g.csr(w, mask)
            np.testing.assert_array_equal(t.matrix.indptr, ref.indptr)
            np.testing.assert_array_equal(t.matrix.indices, ref.indices)
            np.testing.assert_array_equal(t.matrix.data, ref.data)
    assert len(g.info["_csr_cache"]) == 6  # only the cached_csr calls
    assert len(g.info["_csr_structure"]) <= rc.MAX_ENTRIES

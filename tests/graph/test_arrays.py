"""The array compiler (`titr.graph.arrays`) gives the graph `build_graph` gives: every vertex
and arc array equal, in the same order, on the bundled dataset, the tiny test dataset and
seeded synthetic networks (borders, gauge changes, ferries with services, tariffs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from titr.errors import NotFoundError
from titr.graph.arrays import ArcDists, compile_arrays
from titr.graph.build import build_graph
from titr.graph.model import MultimodalGraph
from titr.graph.synthetic import synthetic_network
from titr.network.arrays import read_arrays
from titr.network.bundled import datasets_dir
from titr.network.io_csv import read_dataset, write_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
ARRAYS = (
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


def assert_same_graph(g1: MultimodalGraph, g2: MultimodalGraph) -> None:
    for f in ARRAYS:
        a, b = getattr(g1, f), getattr(g2, f)
        assert a.shape == b.shape and np.array_equal(a, b), f
    assert list(g1.dist) == list(g2.dist)
    assert list(g1.tariff_ids) == list(g2.tariff_ids)
    assert g1.origin == g2.origin and g1.dest == g2.dest and g1.terminal == g2.terminal
    w = g1.time_h + 1e-3 * g1.cost_usd
    c1, c2 = g1.csr(w), g2.csr(w)
    assert (c1 != c2).nnz == 0


def _both(path: Path, planned: bool, check: bool = True) -> None:
    net, an = read_dataset(path, check=check), read_arrays(path)
    assert an.rest.commodities.keys() == net.commodities.keys()
    for c in sorted(net.commodities):
        assert_same_graph(
            build_graph(net, c, include_planned=planned),
            compile_arrays(an, c, include_planned=planned),
        )


@pytest.mark.parametrize("planned", [False, True])
def test_bundled_dataset_compiles_the_same(planned):
    _both(datasets_dir() / "middle-corridor-2025", planned)


def test_tiny_dataset_compiles_the_same():
    _both(TINY, False)


@pytest.mark.parametrize("seed", [0, 3])
def test_synthetic_networks_compile_the_same(tmp_path, seed):
    # synthetic networks break consistency checks on purpose (a missing gauge change...),
    # which the array reader does not run
    write_dataset(synthetic_network(80, seed=seed), tmp_path / "syn")
    _both(tmp_path / "syn", True, check=False)


def test_unknown_commodity():
    with pytest.raises(NotFoundError, match="cheese"):
        compile_arrays(read_arrays(TINY), "cheese")


def test_arc_dists_sequence():
    g = compile_arrays(read_arrays(TINY), "container")
    d = g.dist
    assert isinstance(d, ArcDists) and len(d) == g.n_arcs
    assert d[-1] == d[g.n_arcs - 1] and d[1:3] == [d[1], d[2]]
    with pytest.raises(IndexError):
        d[g.n_arcs]
    kinds = {type(x).__name__ for x in d}
    assert kinds == {"NoneType", "Triangular", "Uniform"}

"""Unit tests of the multimodal graph construction on the tiny dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import titr
from titr.graph import build_graph
from titr.network.model import Network

TINY = Path(__file__).parent / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return titr.load_dataset(str(TINY))


def test_terminals_per_node_and_mode(tiny: Network) -> None:
    g = build_graph(tiny, "container")
    assert set(g.terminal) == {
        ("CN_A", "rail_1435"),
        ("KZ_B", "rail_1435"),
        ("KZ_B", "rail_1520"),
        ("KZ_C", "rail_1520"),
        ("KZ_C", "ferry"),
        ("AZ_D", "ferry"),
        ("AZ_D", "rail_1520"),
        ("GE_E", "rail_1520"),
    }
    # no parallel arcs: CSR keeps every arc
    assert g.csr(g.time_h).nnz == g.n_arcs


def test_gauge_change_only_where_a_process_allows_it(tiny: Network) -> None:
    g = build_graph(tiny, "container")
    tr = g.kind == "transfer"
    gauge = tr & (g.ref == "P_B_GAUGE")
    assert set(g.arc_node[gauge]) == {"KZ_B"}
    # both directions between the two gauges, nothing else
    pairs = {(g.vertex_mode[g.tail[a]], g.vertex_mode[g.head[a]]) for a in np.flatnonzero(gauge)}
    assert pairs == {("rail_1435", "rail_1520"), ("rail_1520", "rail_1435")}
    # every transfer is backed by a process at its node
    for a in np.flatnonzero(tr):
        assert tiny.processes[g.ref[a]].node == g.arc_node[a]


def test_wait_arc_is_half_the_headway(tiny: Network) -> None:
    g = build_graph(tiny, "container")
    w = np.flatnonzero(g.kind == "wait")
    assert len(w) == 2  # one per direction of the ferry link
    h = tiny.services["SV_CD"].headway_hours()
    assert np.allclose(g.time_h[w], h / 2)
    assert np.allclose(g.time_var[w], h * h / 12)

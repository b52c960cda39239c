"""One capacity accounting: what an assignment carries on the Middle Corridor and what it
diverts, on the tiny network and the bundled corridor."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.flows import DemandRow, DemandScenario
from titr.flows.corridors import _paths, corridor_frame, corridor_of
from titr.flows.usecases import assign_scenario
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_flow_decomposition_recovers_paths_and_drops_cycles() -> None:
    import numpy as np

    # 0 -> 1 -> 3 (2 units), 0 -> 2 -> 3 (1 unit), and a cycle 1 -> 2 -> 1 (0.5)
    tail = np.array([0, 1, 0, 2, 1, 2])
    head = np.array([1, 3, 2, 3, 2, 1])
    x = np.array([2.0, 2.0, 1.0, 1.0, 0.5, 0.5])
    paths = _paths(tail, head, x, 0)
    assert sorted((tuple(a), q) for a, q in paths) == [((0, 1), 2.0), ((2, 3), 1.0)]


def test_tiny_everything_on_the_middle_corridor() -> None:
    net = read_dataset(TINY)
    sc = DemandScenario(
        "t",
        2025,
        [
            DemandRow("CN_A", "GE_E", "container", 10_000.0, "EST: test"),
            DemandRow("KZ_B", "GE_E", "general", 100_000.0, "EST: test"),
        ],
    )
    a, body = assign_scenario(net, sc)
    cf = corridor_frame(a, net)
    assert set(cf["corridor"]) == {"middle"}
    tpu = net.commodities["container"].t_per_unit
    mc = body["middle_corridor"]
    assert mc["carried_t"] == pytest.approx(10_000 * tpu + 100_000)
    assert mc["carried_teu"] == pytest.approx(10_000)
    assert mc["diverted_t"] == 0 and mc["unserved_t"] == pytest.approx(0)
    assert body["dataset"].startswith("tiny@1#")


def test_corridor_label_of_a_path(corridor) -> None:  # type: ignore[no-untyped-def]
    mc = [lk.id for lk in corridor.links.values() if "middle" in lk.corridors][:3]
    assert corridor_of(corridor, mc) == "middle"
    sea = next(lk.id for lk in corridor.links.values() if lk.corridors == ["sea_suez"])
    assert corridor_of(corridor, mc + [sea]) == "sea_suez"


def test_2027_diverted_volume_is_not_counted_on_the_middle_corridor(corridor) -> None:  # type: ignore[no-untyped-def]
    """assign shows volume that leaves the Middle Corridor as diverted; carried + diverted +
    unserved adds up to the demand; the Middle-Corridor-alone assignment serves at least
    what is carried on it and at most the demand."""
    from titr.flows import load_scenario

    sc = load_scenario("2027", corridor)
    a, body = assign_scenario(corridor, sc)
    mc = body["middle_corridor"]
    total = mc["carried_t"] + mc["diverted_t"] + mc["unserved_t"]
    assert total == pytest.approx(body["demand_t"], rel=1e-6)
    assert mc["diverted_t"] == pytest.approx(sum(mc["diverted_by_corridor_t"].values()))
    assert "middle" not in mc["diverted_by_corridor_t"]
    alone = mc["alone"]
    assert mc["carried_t"] * (1 - 1e-6) <= alone["served_t"] <= body["demand_t"] * (1 + 1e-9)
    assert alone["served_t"] + alone["unserved_t"] == pytest.approx(body["demand_t"])

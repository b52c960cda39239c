"""A change of gauge or mode inside a node always pays the node's transfer process.

Regression test: with a single hub per node a path could run terminal -> hub -> terminal
(unload, reload) and skip the gauge change or port handling for free.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.flows import DemandRow, DemandScenario
from titr.flows.assign import assign
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.mark.parametrize("teu", [500.0, 2_000.0])
def test_gauge_change_and_port_handling_carry_all_through_flow(teu: float) -> None:
    net = read_dataset(TINY)
    scen = DemandScenario("t", 2025, [DemandRow("CN_A", "GE_E", "container", teu, "EST: test")])
    a = assign(net, scen)
    df = a.to_frame()
    tonnes = teu * net.commodities["container"].t_per_unit
    for ref in ("P_B_GAUGE", "P_C_PORT", "P_D_PORT"):
        got = df.loc[df["ref"] == ref, "flow"].sum()
        assert got == pytest.approx(tonnes, rel=1e-6), f"{ref} carries {got} t, expected {tonnes}"

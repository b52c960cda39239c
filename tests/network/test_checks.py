"""Consistency checks on synthetic variations of tiny: what passes as well as what fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from titr.network import checks
from titr.network.io_csv import read_dataset
from titr.network.model import Link, Network, Node, Process

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return read_dataset(TINY)


def _with(net: Network, **comps: dict[str, Any]) -> Network:
    return net.model_copy(update={k: {**getattr(net, k), **v} for k, v in comps.items()})


def _node(nid: str, lat: float, lon: float, gauge: str | None = None) -> Node:
    return Node(id=nid, name_en=nid, name_ru="Узел", name_tr=nid, country="KZ", kind="junction",
                lat=lat, lon=lon, coord_source="EST: test point", gauge_mm=gauge,
                source="S001")  # fmt: skip


def _link(lid: str, a: str, b: str, mode: str, dist: float = 100, t: float = 3) -> Link:
    return Link.model_validate(
        dict(id=lid, a_node=a, b_node=b, mode=mode, corridors=["power" if mode == "power_cable"
             else "oil"], commodities=["*"], distance=dist, distance_source="S001",
             time_min=t, time_mode=t, time_max=t, time_source="S001", country="KZ")
    )  # fmt: skip


def _rules(issues: list[Any]) -> list[str]:
    return [f"{i.column}: {i.rule}" for i in issues if i.severity == "error"]


def test_energy_only_part_may_stand_apart(tiny: Network) -> None:
    net = _with(
        tiny,
        nodes={"KZ_P1": _node("KZ_P1", 45, 60), "KZ_P2": _node("KZ_P2", 45, 61)},
        links={"L_P": _link("L_P", "KZ_P1", "KZ_P2", "pipeline", 80, 2)},
    )
    assert _rules(checks.check_connectivity(net, {})) == []
    rail = _with(net, links={"L_P": _link("L_P", "KZ_P1", "KZ_P2", "rail_1520", 80, 2)})
    assert "disconnected part" in _rules(checks.check_connectivity(rail, {}))[0]


def test_power_cable_has_no_speed_limit(tiny: Network) -> None:
    net = _with(tiny, links={"L_PC": _link("L_PC", "KZ_C", "AZ_D", "power_cable", 300, 0)})
    assert checks.check_times(net, {}) == []


def test_transshipment_satisfies_the_gauge_rule(tiny: Network) -> None:
    procs = {k: v for k, v in tiny.processes.items() if k != "P_B_GAUGE"}
    net = tiny.model_copy(update={"processes": procs})
    assert "gauge change missing" in _rules(checks.check_gauges(net, {}))[0]
    ts = Process(id="P_TS", node="KZ_B", kind="transshipment", commodities=["*"], time_min=1,
                 time_mode=2, time_max=3, time_source="S001")  # fmt: skip
    assert checks.check_gauges(_with(net, processes={"P_TS": ts}), {}) == []


def test_speed_limit_is_per_mode(tiny: Network) -> None:
    fast_ferry = tiny.links["L_CD"].model_copy(update={"time_mode": 10})  # 47 km/h > 45
    net = _with(tiny, links={"L_CD": fast_ferry})
    assert "implausible speed 47 km/h for ferry" in _rules(checks.check_times(net, {}))[0]
    ok = tiny.links["L_CD"].model_copy(update={"time_mode": 11})  # 43 km/h
    assert checks.check_times(_with(tiny, links={"L_CD": ok}), {}) == []


def test_estimate_needs_two_words_and_may_follow_ids(tiny: Network) -> None:
    good = tiny.links["L_AB"].model_copy(update={"time_source": "S001; EST: scaled from L_BC"})
    bad = tiny.links["L_BC"].model_copy(update={"time_source": "EST: guess"})
    issues = checks.check_sources(_with(tiny, links={"L_AB": good, "L_BC": bad}), {})
    assert [(i.column, i.value) for i in issues] == [("time_source", "EST: guess")]


def test_run_checks_locates_rows(tiny: Network) -> None:
    lk = tiny.links["L_DE"].model_copy(update={"distance_source": "S404"})
    loc = {"links": {"L_DE": ("links.csv", 5)}}
    (issue,) = checks.run_checks(_with(tiny, links={"L_DE": lk}), loc)
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "links.csv", 5, "distance_source", "S404"
    )  # fmt: skip
    assert "unknown source id" in issue.rule


def test_empty_network_is_reported(tiny: Network) -> None:
    empty = tiny.model_copy(update={"nodes": {}, "links": {}, "processes": {}})
    rules = [i.rule for i in checks.check_not_empty(empty, {})]
    assert rules == [
        "the dataset has no nodes (no data rows)",
        "the dataset has no links (no data rows)",
    ]

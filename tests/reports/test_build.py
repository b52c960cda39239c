"""Report content helpers: volumes against targets, element names, tornado geometry."""

from __future__ import annotations

import pytest

from titr.network.bundled import load
from titr.reports.adapt_indicators import volumes_vs_targets
from titr.reports.build import element_name, tornado_bars


def test_volumes_against_targets() -> None:
    net = load()
    v = volumes_vs_targets(net, {2029: 9.47e6, 2030: 11e6})
    by = {r["year"]: r for r in v["rows"]}
    assert by[2019]["actual_mt"] == pytest.approx(0.759)
    assert by[2030]["plan_mt"] == pytest.approx(11.0)
    assert any(t["value"] == 11 for t in by[2030]["targets"])
    assert all(0 <= r["plan_pct"] <= 100 and 0 <= r["actual_pct"] <= 100 for r in v["rows"])


def test_element_names() -> None:
    net = load()
    lk = next(iter(net.links.values()))
    n = element_name(net, f"link:{lk.id}:b>a")
    assert n["ru"].startswith(net.nodes[lk.b_node].name_ru)
    pr = next(iter(net.processes.values()))
    assert net.nodes[pr.node].name_tr in element_name(net, f"process:{pr.id}")["tr"]
    assert element_name(net, "service:NOPE:a>b")["en"] == "service:NOPE:a>b"


def test_tornado_geometry() -> None:
    rows = [
        {"input": "a", "npv_low_musd": -100.0, "npv_high_musd": 300.0, "npv_base_musd": 100.0},
        {"input": "b", "npv_low_musd": 150.0, "npv_high_musd": 50.0, "npv_base_musd": 100.0},
    ]
    bars = tornado_bars(rows)
    assert bars[0]["left"] == 0 and bars[0]["width"] == pytest.approx(100)
    assert bars[1]["left"] == pytest.approx(37.5) and bars[1]["width"] == pytest.approx(25)
    assert bars[0]["base"] == pytest.approx(50)

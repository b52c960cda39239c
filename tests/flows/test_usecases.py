"""The flow use cases as the CLI and the API answer them: one domain function each, one
dataset label, consistent numbers."""

from __future__ import annotations

import json

import pytest

from titr.cli.main import main


def test_bottlenecks_throughput_beside_the_stated_capacity(corridor):  # type: ignore[no-untyped-def]
    from titr.flows import load_scenario
    from titr.flows.usecases import bottlenecks_for

    body = bottlenecks_for(corridor, load_scenario("2027", corridor))
    th = body["throughput"]
    assert th["stated_t"] == 6e6 and th["stated_teu"] == 1e5
    assert th["stated_source"] == corridor.parameters["titr_stated_capacity_t"].source
    dry = th["dry_cargo"]
    assert {"container", "general"} <= set(dry["commodities"])
    assert not dry["unbounded"] and dry["limited_by"]
    # the dry-cargo maximum is no more than the sum of the per-commodity maxima
    per = sum(th[k]["max_t"] for k in dry["commodities"])
    assert dry["max_t"] <= per * (1 + 1e-9)
    assert "6.00 Mt/yr" in th["reason"] and "S184" in th["reason"]
    assert (
        "(SV_CASP_DRY)" in th["reason"] and "service:" not in th["reason"]
    )  # names, ids bracketed
    # one capacity rule: dry cargo plus crude oil on its legs, the indicators' capacity path
    from titr.indicators import capacity_path

    oil = th["crude_oil_legs"]
    assert oil["commodities"] == ["crude_oil"] and oil["max_t"] > 0
    assert th["corridor_capacity_t"] == pytest.approx(dry["max_t"] + oil["max_t"])
    assert capacity_path(corridor, [2027]).at(2027) == pytest.approx(
        th["corridor_capacity_t"] / 1e6
    )
    assert "Aktau–Alat dry-cargo ships (SV_CASP_DRY)" in th["reason"] and ":a>b" not in th["reason"]
    assert body["year"] == 2027 and "P_ASCO_DRY_EBRD" in body["projects_in_service"]


def test_max_throughput_never_falls_as_the_year_moves_later(corridor):  # type: ignore[no-untyped-def]
    """Projects only add capacity: the same ends carry at least as much in a later year."""
    from titr.flows import load_scenario, max_throughput
    from titr.graph.rules import MIDDLE_CORRIDOR

    rows = [r for r in load_scenario("2027", corridor).rows if r.commodity == "general"]
    o, d = sorted({r.origin for r in rows}), sorted({r.destination for r in rows})
    vals = [
        max_throughput(corridor, o, d, corridor=MIDDLE_CORRIDOR, year=y).value_t
        for y in (2024, 2026, 2027, 2030)
    ]
    assert all(b >= a * (1 - 1e-9) for a, b in zip(vals, vals[1:], strict=False)), vals
    assert vals[-1] > vals[0]


@pytest.mark.slow
def test_cli_assign_bottlenecks_and_plan_agree(capsys, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The issue's acceptance check: `titr assign|bottlenecks --scenario 2027 --json` and
    `titr plan --target 10Mt --by 2027 --json` carry the same dataset and agree: the plan is
    infeasible exactly when the Middle-Corridor-alone assignment leaves demand unserved, and
    with its projects it reaches at least what the corridor alone serves without them."""
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    out = {}
    for name, args in (
        ("assign", ["assign", "--scenario", "2027", "--json"]),
        ("bottlenecks", ["bottlenecks", "--scenario", "2027", "--json"]),
        ("plan", ["plan", "--target", "10Mt", "--by", "2027", "--json"]),
    ):
        assert main(args) == 0
        out[name] = json.loads(capsys.readouterr().out)
    a, b, p = out["assign"], out["bottlenecks"], out["plan"]
    assert a["dataset"] == b["dataset"] == p["dataset"]
    assert a["middle_corridor"] == b["middle_corridor"]
    alone = a["middle_corridor"]["alone"]
    assert (p["status"] == "infeasible") == (alone["unserved_t"] > 1.0)
    assert p["reachable_t"] >= alone["served_t"] * (1 - 1e-6)
    assert p["sectors"] == ["freight", "oil"]
    assert not any(pr["id"].endswith("PWR") or "CABLE" in pr["id"] for pr in p["projects"])

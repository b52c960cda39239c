"""Validation on the bundled corridor: scenarios load, duals match finite differences, max
throughput equals an independent max-flow, and the 2024 binding constraint is at the Caspian
crossing (as the sources report). Skipped only while the bundled dataset is absent."""

from __future__ import annotations

import pytest

CASPIAN = ("KZ_AKTAU", "KZ_KUR", "AZ_ALAT", "TM_TMB")


def test_bundled_scenarios_load_and_add_up(corridor):
    from titr.flows import bundled_scenarios, load_scenario

    for name in bundled_scenarios():
        sc = load_scenario(name, corridor)
        assert sc.rows
    s24 = load_scenario("2024", corridor)
    assert s24.by_commodity()["container"] == pytest.approx(56_500, rel=1e-3)


def test_2024_binding_constraint_is_on_the_caspian_crossing(corridor):
    from titr.flows import assign, load_scenario

    a = assign(corridor, load_scenario("2024", corridor))
    bn = a.bottlenecks()
    assert len(bn), "no binding capacity at 2024 volumes"
    top = bn.iloc[0]
    links = corridor.links
    caspian = (
        {lk.id for lk in links.values() if "Caspian" in lk.passages or lk.mode == "ferry"}
        | {lk.service for lk in links.values() if lk.service}
        | {p.id for p in corridor.processes.values() if p.node in CASPIAN}
    )
    assert top["ref"] in caspian, bn.head(5).to_string()


def test_duals_by_finite_differences_on_corridor(corridor):
    """Every dual is a subgradient: it lies between the right and the left derivative of the
    optimal cost in the capacity. Series resources (two consecutive sections of one
    capacity, e.g. Saksaulskaya-Beineu and Beineu-Mangyshlak at 12 trains/day) make the dual
    degenerate, so the test also expands each tied group as a whole: the cost falls by the
    group's summed price per extra t/yr."""
    from titr.flows import assign_od, load_scenario

    sc = load_scenario("2027", corridor)
    a = assign_od(corridor, sc.od(), scenario="2027")
    bn = a.bottlenecks()
    assert len(bn)
    ridx = {str(r): i for r, i in a.model.resource_index().items()}

    def cost(ids: list[int], delta: float) -> float:
        cap = a.capacity.copy()
        cap[ids] += delta
        return assign_od(corridor, sc.od(), model=a.model, capacity=cap).objective

    for _, row in bn.head(6).iterrows():
        ri = ridx[row["resource"]]
        delta = max(a.capacity[ri] * 1e-4, 1.0)
        right = (a.objective - cost([ri], delta)) / delta
        left = (cost([ri], -delta) - a.objective) / delta
        tol = 1e-6 * max(1.0, abs(left))
        assert right - tol <= a.shadow_price[ri] <= left + tol, (row["resource"], right, left)
        group = [ri] + [ridx[t] for t in row["tied_with"].split(";") if t]
        fd = (a.objective - cost(group, delta)) / delta
        assert fd == pytest.approx(row["group_shadow_price_usd_per_unit"], rel=1e-3, abs=1e-3)


def test_max_throughput_equals_served_volume_under_saturating_demand(corridor):
    """The max-throughput LP (super source and sink) against an independent formulation: the
    assignment LP, solved by column generation, of a demand far above capacity between every
    origin and destination (unserved demand costs more than any path): it serves exactly the
    maximum throughput. Also LP duality: the limiting capacities times their prices add up."""
    from titr.flows import ODTable, assign_od, load_scenario, max_throughput
    from titr.flows.flowgraph import build_flow_model

    rows = [r for r in load_scenario("2024", corridor).rows if r.commodity == "general"]
    east = sorted({r.origin for r in rows})
    west = sorted({r.destination for r in rows})
    t = max_throughput(corridor, east, west)
    assert not t.unbounded
    assert t.value_t == pytest.approx(t.value_dual, rel=1e-9)
    model = build_flow_model(corridor, ["general"], corridors=("middle",))
    od = ODTable.from_rows([("general", o, d, 1e8) for o in east for d in west])
    a = assign_od(corridor, od, model=model)
    served = float((od.quantity - a.unserved).sum())
    assert served == pytest.approx(t.value_t, rel=1e-6)

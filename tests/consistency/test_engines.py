"""One model: the router, the capacity LP, max throughput and the simulation see the same
compiled network — the same admissible arcs and transfers, the same capacity per resource and
the same corridor membership — on the bundled dataset and on random synthetic networks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titr.flows import ODTable, assign_od, max_throughput
from titr.flows.flowgraph import build_flow_model
from titr.graph import build_graph
from titr.graph.resources import arc_resource_ids, resource_table
from titr.graph.rules import MIDDLE_CORRIDOR, corridor_tags, link_on_corridor, transfer_allowed
from titr.graph.synthetic import synthetic_network
from titr.network.model import Network
from titr.routing.restrict import arc_mask, parse_avoid

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arc_keys(kind, ref, tail_node, head_node):  # type: ignore[no-untyped-def]
    return sorted(zip(kind, ref, tail_node, head_node, strict=True))


def check_same_arcs(net: Network, commodity: str) -> None:
    g = build_graph(net, commodity)
    m = build_flow_model(net, [commodity])
    lp = m.graphs[commodity]
    assert lp.n_arcs == g.n_arcs
    assert list(lp.kind) == list(g.kind) and list(lp.ref) == list(g.ref)
    assert np.array_equal(lp.tail, g.tail) and np.array_equal(lp.head, g.head)
    # every transfer is a process that allows that change of mode at its node
    for a in np.flatnonzero(g.kind == "transfer"):
        p = net.processes[g.ref[a]]
        assert p.node == g.arc_node[a]
        assert transfer_allowed(p, g.vertex_mode[g.tail[a]], g.vertex_mode[g.head[a]])
    # no arc changes mode without a transfer process
    for a in range(g.n_arcs):
        mt, mh = g.vertex_mode[g.tail[a]], g.vertex_mode[g.head[a]]
        if mt and mh and mt != mh:
            assert g.kind[a] == "transfer", (g.kind[a], g.ref[a], mt, mh)
    # the same resources per arc, capacity as in the one resource table
    table = resource_table(net)
    ids = arc_resource_ids(g, net)
    for a in range(g.n_arcs):
        got = [m.resources[i].id for i in lp.res_idx[lp.res_ptr[a] : lp.res_ptr[a + 1]]]
        assert got == [r for r in ids[a] if r in table.index]
    for r in m.resources:
        want = table.get(r.id).capacity
        assert r.capacity == want or (math.isinf(r.capacity) and math.isinf(want))


def check_corridor(net: Network, commodity: str, corridor: str) -> None:
    """The LP restricted to a corridor uses exactly the link arcs the router allows there."""
    g = build_graph(net, commodity)
    mask = arc_mask(g, net, parse_avoid(net, (), only_corridor=corridor))
    m = build_flow_model(net, [commodity], corridors=(corridor,))
    lp_links = {x for x in m.graphs[commodity].link if x}
    router_links = {g.arc_link[a] for a in np.flatnonzero(mask) if g.arc_link[a]}
    assert lp_links == router_links
    tags = corridor_tags(net, (corridor,))
    assert all(link_on_corridor(net.links[x], tags) for x in lp_links)


@pytest.mark.parametrize("commodity", ["container", "general", "crude_oil", "uranium"])
def test_bundled_router_and_lp_see_the_same_network(corridor, commodity):  # type: ignore[no-untyped-def]
    check_same_arcs(corridor, commodity)
    for c in ("middle", "northern", "iran", "sea_suez"):
        check_corridor(corridor, commodity, c)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(6, 40))
def test_synthetic_router_and_lp_see_the_same_network(seed: int, n: int) -> None:
    net = synthetic_network(n, seed)
    for commodity in ("container", "general"):
        check_same_arcs(net, commodity)


def _flows_within(a, model) -> None:  # type: ignore[no-untyped-def]
    caps = model.capacities()
    fin = np.isfinite(caps)
    assert np.all(a.resource_flow[fin] <= caps[fin] * (1 + 1e-7) + 1e-6)


@SETTINGS
@given(seed=st.integers(0, 10_000), n=st.integers(6, 30), scale=st.floats(1e3, 1e7))
def test_synthetic_lp_never_exceeds_a_resource_and_max_throughput_bounds_it(
    seed: int, n: int, scale: float
) -> None:
    net = synthetic_network(n, seed)
    model = build_flow_model(net, ["general"])
    g = model.graphs["general"]
    nodes = sorted(n_ for n_, h in g.hub.items() if np.any(g.tail == h))
    if len(nodes) < 2:
        return
    o, d = nodes[0], nodes[-1]
    a = assign_od(net, ODTable.from_rows([("general", o, d, scale)]), model=model)
    _flows_within(a, model)
    t = max_throughput(net, [o], [d], corridor=None, commodities=["general"])
    served = float(scale - a.unserved.sum())
    assert served <= t.value_t * (1 + 1e-7) + 1e-6
    assert t.value_t == pytest.approx(t.value_dual, rel=1e-7, abs=1e-3)


def test_bundled_assignment_within_capacities_and_max_throughput_covers_2024(corridor):  # type: ignore[no-untyped-def]
    """The Middle Corridor's maximum dry-cargo throughput between the 2024 demand's ends is at
    least what the same network carried on the Middle Corridor in 2024."""
    from titr.flows import assign, load_scenario

    sc = load_scenario("2024", corridor)
    a = assign(corridor, sc)
    _flows_within(a, a.model)
    dry = ["container", "general"]
    rows = [r for r in sc.rows if r.commodity in dry]
    origins = sorted({r.origin for r in rows})
    dests = sorted({r.destination for r in rows})
    t = max_throughput(
        corridor, origins, dests, corridor=MIDDLE_CORRIDOR, commodities=dry, year=sc.year
    )
    mc = build_flow_model(corridor, dry, year=sc.year, corridors=MIDDLE_CORRIDOR)
    carried = assign_od(
        corridor,
        ODTable.from_rows([(r.commodity, r.origin, r.destination, r.quantity) for r in rows]),
        model=mc,
    )
    tpu = {k: corridor.commodities[k].t_per_unit for k in dry}
    served_t = sum(
        (q - u) * tpu[k]
        for k, q, u in zip(
            carried.problem.od.commodity, carried.problem.od.quantity, carried.unserved, strict=True
        )
    )
    assert served_t > 0.5 * sum(r.quantity * tpu[r.commodity] for r in rows)
    assert t.value_t >= served_t * (1 - 1e-7)


def test_a_time_factor_project_changes_the_compiled_times(corridor):  # type: ignore[no-untyped-def]
    """apply_projects is the one way projects change the network: a time factor on a link
    scales the running time the router and the LP compile (no stale cached time)."""
    from titr.graph.projects import apply_projects
    from titr.network.model import Project

    lk = next(x for x in corridor.links.values() if x.status == "existing")
    _ = lk.time  # cache it
    p = Project(
        id="P_TEST_FAST",
        name_en="x",
        name_ru="x",
        name_tr="x",
        country=lk.country,
        target_kind="link",
        target_ref=lk.id,
        effect="time_factor",
        effect_value=0.5,
        lead_time=0,
        earliest_year=2025,
        status="planned",
        source="EST: test",
    )
    net = corridor.model_copy(update={"projects": {**corridor.projects, p.id: p}})
    after = apply_projects(net, [p.id]).links[lk.id]
    assert after.time.mode == pytest.approx(lk.time.mode * 0.5)
    g0 = build_graph(net, "container" if "container" in lk.commodities else "general")
    g1 = build_graph(
        net, "container" if "container" in lk.commodities else "general", projects=[p.id]
    )
    a0 = np.flatnonzero((g0.kind == "link") & (g0.ref == lk.id))
    a1 = np.flatnonzero((g1.kind == "link") & (g1.ref == lk.id))
    assert g1.time_h[a1] == pytest.approx(g0.time_h[a0] * 0.5)


def test_simulated_yearly_throughput_never_exceeds_a_service_capacity() -> None:
    """The simulation's sailings carry, per direction and year, no more than the capacity the
    LP uses for that service (vessels x payload x 8760 / cycle x availability), even when the
    demand is far above it."""
    from pathlib import Path

    from titr.graph.resources import ResourceId, resource_table
    from titr.network.bundled import load
    from titr.sim import compile_model, load_scenario, rep_rng, run_replication
    from titr.sim.scenario import Flow

    data = Path(__file__).resolve().parents[1] / "data" / "sim"
    sc = load_scenario(data / "tiny.json")
    net = load(sc.dataset or "")
    sc.demand = [Flow(origin="CN_A", destination="GE_E", commodity="container", per_year=200_000)]
    sc.horizon_days, sc.warmup_days = 200, 20
    model = compile_model(net, sc)
    tr = run_replication(model, rep_rng(1, 0))
    table = resource_table(net)
    W0, H = sc.warmup_days * 24.0, model.horizon_h
    years = (H - W0) / 8760.0
    checked = 0
    for s, stage in enumerate(model.stages):
        if stage.kind != "sail":
            continue
        carried = 0.0
        for f_ix, f in enumerate(model.flows):
            ks = [k for k, x in enumerate(model.paths[f["path"]].stages) if x == s]
            for k in ks:
                dep = tr.tst[f_ix][k]
                carried += float(((dep >= W0) & (dep < H)).sum()) * model.load[stage.unit][f_ix]
        lk = next(x for x in net.links.values() if x.service == stage.resource)
        d = "a>b" if stage.node == lk.a_node else "b>a"
        cap_t = table.get(ResourceId("service", stage.resource, d)).capacity
        t_per_unit = cap_t / net.services[stage.resource].yearly_capacity()
        per_year_t = carried * t_per_unit / years
        assert per_year_t <= cap_t * (1 + 1e-9), (stage.key, per_year_t, cap_t)
        assert per_year_t > 0.3 * cap_t  # the demand (10x the capacity) keeps it busy
        checked += 1
    assert checked >= 1

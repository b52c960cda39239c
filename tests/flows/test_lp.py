"""Hand-solvable cases for the capacity LP (known optimum and duals) and finite differences."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from titr.errors import DataError
from titr.flows import ODTable, assign_od, max_throughput
from titr.flows.flowgraph import CommodityGraph, FlowModel, Resource, ResourceId
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _graph(
    com: str,
    unit: str,
    tpu: float,
    n_nodes: int,
    arcs: list[tuple[int, int, float, list[tuple[int, float]]]],
) -> CommodityGraph:
    ptr = np.zeros(len(arcs) + 1, dtype=np.int64)
    idx, val = [], []
    for i, (_, _, _, rs) in enumerate(arcs):
        for r, c in rs:
            idx.append(r)
            val.append(c)
        ptr[i + 1] = len(idx)
    return CommodityGraph(
        com,
        unit,
        tpu,
        n_nodes,
        {f"N{i}": i for i in range(n_nodes)},
        {f"N{i}": i for i in range(n_nodes)},  # hand-made graphs: source and sink hub coincide
        np.array([a[0] for a in arcs]),
        np.array([a[1] for a in arcs]),
        np.array([a[2] for a in arcs], dtype=float),
        np.zeros(len(arcs)),
        np.ones(len(arcs)),
        ["link"] * len(arcs),
        [f"A{i}" for i in range(len(arcs))],
        ptr,
        np.array(idx, dtype=np.int64),
        np.array(val, dtype=float),
    )


def _res(i: int, cap: float) -> Resource:
    return Resource(ResourceId("link", f"r{i}", "a>b"), cap, "t/yr", cap, "t/yr", "XX")


class _Net:  # the few attributes assign_od reads from a Network
    label = "hand@1#00000000"

    class _C:
        def __init__(self, unit: str, tpu: float):
            self.unit, self.t_per_unit = unit, tpu

    commodities = {"g": _C("t", 1.0), "box": _C("TEU", 10.0)}


def test_two_paths_split_and_dual():
    # N0 -> N1 directly (cost 1, cap 10) or via N2 (cost 1 + 2 = 3, no cap). Demand 15.
    g = _graph("g", "t", 1.0, 3, [(0, 1, 1.0, [(0, 1.0)]), (0, 2, 1.0, []), (2, 1, 2.0, [])])
    m = FlowModel("hand", [_res(0, 10.0)], {"g": g})
    a = assign_od(
        _Net(),
        ODTable.from_rows([("g", "N0", "N1", 15.0)]),
        model=m,  # type: ignore[arg-type]
        penalty={"g": 100.0},
    )
    assert a.objective == pytest.approx(10 * 1 + 5 * 3)
    assert a.arc_flow["g"] == pytest.approx([10, 5, 5])
    # one more unit of capacity moves one unit off the 3-cost path: saves 2
    assert a.shadow_price[0] == pytest.approx(2.0)
    assert a.unserved.sum() == pytest.approx(0.0)


def test_unserved_at_penalty_and_dual_capped_by_penalty():
    g = _graph("g", "t", 1.0, 2, [(0, 1, 1.0, [(0, 1.0)])])
    m = FlowModel("hand", [_res(0, 10.0)], {"g": g})
    a = assign_od(
        _Net(),
        ODTable.from_rows([("g", "N0", "N1", 12.0)]),
        model=m,  # type: ignore[arg-type]
        penalty={"g": 100.0},
    )
    assert a.unserved.sum() == pytest.approx(2.0)
    assert a.objective == pytest.approx(10 + 2 * 100)
    assert a.shadow_price[0] == pytest.approx(99.0)
    uf = a.unserved_frame()
    assert list(uf["unserved"]) == pytest.approx([2.0])
    assert list(uf["penalty_usd"]) == pytest.approx([200.0])


def test_two_commodities_share_capacity_with_conversion():
    # containers (10 t/TEU) and general cargo share a 100 t line (cost 1/unit); the bypass costs
    # 50 per TEU and 4 per t. Optimum: fill the line with what saves most per tonne:
    # containers save 49/TEU = 4.9/t, general saves 3/t -> 10 TEU on the line, 20 t bypass.
    gb = _graph("box", "TEU", 10.0, 2, [(0, 1, 1.0, [(0, 10.0)]), (0, 1, 50.0, [])])
    gg = _graph("g", "t", 1.0, 2, [(0, 1, 1.0, [(0, 1.0)]), (0, 1, 4.0, [])])
    m = FlowModel("hand", [_res(0, 100.0)], {"box": gb, "g": gg})
    od = ODTable.from_rows([("box", "N0", "N1", 10.0), ("g", "N0", "N1", 20.0)])
    a = assign_od(_Net(), od, model=m, penalty={"box": 1e4, "g": 1e3})  # type: ignore[arg-type]
    assert a.arc_flow["box"] == pytest.approx([10, 0])
    assert a.arc_flow["g"] == pytest.approx([0, 20])
    assert a.objective == pytest.approx(10 * 1 + 20 * 4)
    # the marginal tonne would carry general cargo: saves 4 - 1 = 3 per t
    assert a.shadow_price[0] == pytest.approx(3.0)
    assert a.resource_flow[0] == pytest.approx(100.0)


def test_source_based_many_destinations():
    # a star: origin N0 -> N1 (cap 5, cost 1) -> N2 / N3 (cost 1 each); demand 3 + 4 > 5
    g = _graph(
        "g",
        "t",
        1.0,
        4,
        [(0, 1, 1.0, [(0, 1.0)]), (1, 2, 1.0, []), (1, 3, 1.0, []), (0, 3, 10.0, [])],
    )
    m = FlowModel("hand", [_res(0, 5.0)], {"g": g})
    od = ODTable.from_rows([("g", "N0", "N2", 3.0), ("g", "N0", "N3", 4.0)])
    a = assign_od(_Net(), od, model=m, penalty={"g": 1e3})  # type: ignore[arg-type]
    # N2 only via the capped arc: 3 there; N3 gets 2 via the cap, 2 direct at 10
    assert a.objective == pytest.approx(3 * 2 + 2 * 2 + 2 * 10)
    assert a.shadow_price[0] == pytest.approx(10 - 2)
    assert len(a.problem.blocks) == 1  # one block per origin, not per OD pair


def test_unknown_node_in_demand_is_a_data_error():
    net = read_dataset(TINY)
    with pytest.raises(DataError) as e:
        assign_od(net, ODTable.from_rows([("container", "CN_A", "XX_NOWHERE", 10.0)]))
    assert "XX_NOWHERE" in str(e.value) and "not in the network" in str(e.value)


def test_finite_difference_duals_on_tiny():
    net = read_dataset(TINY)
    od = ODTable.from_rows(
        [("container", "CN_A", "GE_E", 60_000.0), ("general", "KZ_B", "GE_E", 500_000.0)]
    )
    a = assign_od(net, od)
    bn = a.bottlenecks()
    assert len(bn) >= 1
    ri = {str(r): i for r, i in a.model.resource_index().items()}[bn.loc[0, "resource"]]
    cap = a.capacity.copy()
    delta = cap[ri] * 1e-3
    cap[ri] += delta
    b = assign_od(net, od, model=a.model, capacity=cap)
    fd = (a.objective - b.objective) / delta
    assert fd == pytest.approx(a.shadow_price[ri], rel=1e-4)


def test_max_throughput_equals_its_dual_and_cut_on_tiny():
    net = read_dataset(TINY)
    t = max_throughput(net, ["CN_A"], ["GE_E"], corridor="middle")
    assert t.value_t == pytest.approx(t.value_dual)
    assert t.cut["capacity_t_per_yr"].sum() == pytest.approx(t.value_t)
    # the feeder: 2 vessels x 300 TEU x 8760/96 x 0.9 x 12 t
    assert t.value_t == pytest.approx(2 * 300 * 8760 / 96 * 0.9 * 12)
    assert list(t.cut["ref"]) == ["SV_CD"]
    # widening the feeder moves the cut to the next limit (the ports, 100k TEU = 1.2 Mt)
    sv = ResourceId("service", "SV_CD", "a>b")
    t2 = max_throughput(net, ["CN_A"], ["GE_E"], capacity_override={sv: 1e9})
    assert t2.value_t == pytest.approx(1.2e6) and t2.value_dual == pytest.approx(1.2e6)
    assert set(t2.cut["ref"]) <= {"P_C_PORT", "P_D_PORT"}


def test_trains_per_day_needs_parameter():
    net = read_dataset(TINY)
    net2 = net.model_copy(update={"parameters": {}})
    from titr.flows.flowgraph import build_flow_model

    with pytest.raises(DataError) as e:
        build_flow_model(net2)
    assert "t_per_train" in str(e.value) and "L_AB" in str(e.value)


def test_model_sizes_scale_with_origins_not_pairs():
    net = read_dataset(TINY)
    nodes = list(net.nodes)
    rows = [("container", o, d, 10.0) for o in nodes for d in nodes if o != d]
    a = assign_od(net, ODTable.from_rows(rows))
    assert len(a.problem.blocks) == len(nodes)
    assert math.isfinite(a.objective)


@pytest.mark.parametrize("seed", range(6))
def test_path_generation_equals_arc_lp(seed):
    """Column generation over paths gives the arc LP's optimum, duals and a feasible arc flow
    on random graphs with parallel arcs, zero-cost arcs, unreachable pairs and two commodities
    sharing capacities through t per TEU."""
    rng = np.random.default_rng(seed)
    n, n_res = 14, 12
    res = [_res(i, float(rng.uniform(20, 120))) for i in range(n_res)]
    graphs = {}
    for com, unit, tpu in (("g", "t", 1.0), ("box", "TEU", 10.0)):
        arcs = []
        for _ in range(45):
            a, b = rng.choice(n, size=2, replace=False)
            cost = 0.0 if rng.random() < 0.15 else float(rng.uniform(1, 20))
            rs = [(int(r), tpu) for r in rng.choice(n_res, size=rng.integers(0, 3), replace=False)]
            arcs.append((int(a), int(b), cost, rs))
        arcs.append(arcs[0][:2] + (arcs[0][2] + 1.0, []))  # a dearer parallel arc, uncapped
        graphs[com] = _graph(com, unit, tpu, n, arcs)
    model = FlowModel("rand", res, graphs)
    rows = [
        (k, f"N{o}", f"N{d}", float(rng.uniform(1, 40)) / (10.0 if k == "box" else 1.0))
        for k in ("g", "box")
        for o, d in rng.choice(n, size=(30, 2))
    ]
    od = ODTable.from_rows(rows)
    pen = {"g": 2000.0, "box": 20000.0}
    a1 = assign_od(_Net(), od, model=model, method="arcs", penalty=pen)  # type: ignore[arg-type]
    a2 = assign_od(_Net(), od, model=model, method="paths", penalty=pen)  # type: ignore[arg-type]
    assert a2.objective == pytest.approx(a1.objective, rel=1e-9)
    p = a2.problem
    ax = p.A @ a2.solution.x
    scale = 1e-7 * max(1.0, float(np.abs(p.row_upper[np.isfinite(p.row_upper)]).max()))
    assert np.all(ax >= p.row_lower - scale) and np.all(ax <= p.row_upper + scale)
    assert np.all(a2.solution.x >= -1e-9)
    assert float(p.c @ a2.solution.x) == pytest.approx(a1.objective, rel=1e-9)
    # every optimal dual is complementary to every optimal primal: the path duals must be
    # complementary to the arc LP's flows and vice versa (values may differ if degenerate)
    caps = np.array([r.capacity for r in res])
    tol = 1e-6 * max(1.0, abs(a1.objective))
    for prices in (a1.shadow_price, a2.shadow_price):
        assert np.all(prices >= 0)
        for a in (a1, a2):
            assert np.all(a.resource_flow <= caps * (1 + 1e-7) + 1e-7)
            assert np.all(prices * (caps - a.resource_flow) <= tol)
    # the full row duals of the path solution (capacity prices and block potentials) are
    # dual feasible for the arc LP and their dual objective equals the optimum
    y = a2.solution.row_dual
    rc = p.c - p.A.T @ y
    n_x = p.u_col0
    assert rc[:n_x].min() >= -1e-6
    assert np.all(y[sorted(p.res_rows.values())] <= 1e-9)
    rhs = np.where(np.isfinite(p.row_lower), p.row_lower, p.row_upper)
    dual_obj = rhs @ y + p.col_upper[n_x:] @ np.minimum(rc[n_x:], 0.0)
    assert dual_obj == pytest.approx(a1.objective, rel=1e-7)


def test_path_generation_rejects_an_unknown_method():
    net = read_dataset(TINY)
    with pytest.raises(ValueError, match="method"):
        assign_od(net, ODTable.from_rows([("container", *list(net.nodes)[:2], 1.0)]), method="x")

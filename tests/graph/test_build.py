"""Unit tests of the multimodal graph construction on the tiny dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import titr
from titr.graph import build_graph
from titr.network.model import Network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


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


# ---- small hand-made networks ---------------------------------------------------------------
def mk(
    nodes: list[tuple[str, str]],
    links: list[dict],  # type: ignore[type-arg]
    processes: list[dict] | None = None,  # type: ignore[type-arg]
    **extra: object,
) -> Network:
    """Nodes as (id, country); links/processes as dicts of the fields that matter."""
    from titr.network.model import (
        Commodity,
        Link,
        Manifest,
        Node,
        Process,
        Source,
    )

    src = "S1"
    ns = {
        nid: Node(
            id=nid,
            name_en=nid,
            name_ru=nid,
            name_tr=nid,
            country=c,
            kind="terminal",
            lat=40.0,
            lon=40.0 + i,
            coord_source=src,
            source=src,
        )
        for i, (nid, c) in enumerate(nodes)
    }
    ls = {}
    for d in links:
        h = d.pop("h", 10.0)
        base = dict(
            corridors=["middle"],
            commodities=["*"],
            distance=100.0,
            distance_source=src,
            time_min=h,
            time_mode=h,
            time_max=h,
            time_source=src,
            country=ns[d["a_node"]].country,
        )
        base.update(d)
        ls[d["id"]] = Link(**base)
    ps = {}
    for d in processes or []:
        h = d.pop("h", 1.0)
        base = dict(commodities=["*"], time_min=h, time_mode=h, time_max=h, time_source=src)
        base.update(d)
        ps[d["id"]] = Process(**base)
    modes = ["rail_1520", "rail_1435", "ferry", "sea", "road"]
    coms = {
        "container": Commodity(
            id="container",
            name_en="c",
            name_ru="c",
            name_tr="c",
            unit="TEU",
            t_per_unit=10,
            modes=modes,
            source=src,
        ),
        "uranium": Commodity(
            id="uranium",
            name_en="u",
            name_ru="u",
            name_tr="u",
            unit="t",
            t_per_unit=1,
            modes=["rail_1520", "rail_1435", "sea"],
            dangerous_goods_class="7",
            source=src,
        ),
        "electricity": Commodity(
            id="electricity",
            name_en="e",
            name_ru="e",
            name_tr="e",
            unit="MWh",
            t_per_unit=0,
            modes=["power_cable"],
            source=src,
        ),
    }
    return Network(
        manifest=Manifest(name="hand", version="1"),
        content_hash="hand" + str(len(ls)) + str(len(ps)),
        sources={src: Source(id=src, title="t", publisher="p")},
        nodes=ns,
        links=ls,
        processes=ps,
        commodities=coms,
        **extra,  # type: ignore[arg-type]
    )


def L(i: str, a: str, b: str, mode: str = "rail_1520", **kw: object) -> dict:  # type: ignore[type-arg]
    return dict(id=i, a_node=a, b_node=b, mode=mode, **kw)


def test_gauge_change_requires_a_process() -> None:
    from titr.errors import NoRouteError
    from titr.routing import route

    links = [L("L1", "A", "B", "rail_1435"), L("L2", "B", "C", "rail_1520")]
    net = mk([("A", "CN"), ("B", "KZ"), ("C", "KZ")], [dict(x) for x in links])
    with pytest.raises(NoRouteError, match="does not connect"):
        route(net, "A", "C")
    net2 = mk(
        [("A", "CN"), ("B", "KZ"), ("C", "KZ")],
        [dict(x) for x in links],
        [dict(id="G", node="B", kind="gauge_change", h=2.0)],
    )
    r = route(net2, "A", "C").routes[0]
    assert [s.ref for s in r.steps] == ["L1", "G", "L2"]
    assert r.time_h == pytest.approx(22.0)


def test_border_is_paid_exactly_once_per_crossing() -> None:
    from titr.routing import route

    # A -rail-> B(border, gauge change and two border processes) -rail-> C ; and road B -> C
    net = mk(
        [("A", "CN"), ("B", "KZ"), ("C", "KZ")],
        [
            L("L1", "A", "B", "rail_1435"),
            L("L2", "B", "C", "rail_1520", h=50.0),
            L("R", "B", "C", "road", h=40.0),
        ],
        [
            dict(id="BX1", node="B", kind="border", h=3.0),
            dict(id="BX2", node="B", kind="border", h=4.0),
            dict(id="G", node="B", kind="gauge_change", h=2.0),
            dict(id="T", node="B", kind="transshipment", h=5.0),
        ],
    )
    g = build_graph(net)
    assert g.csr(g.time_h).nnz == g.n_arcs
    r = route(net, "A", "C").routes[0]
    refs = [s.ref for s in r.steps]
    assert refs.count("BX1") == 1 and refs.count("BX2") == 1
    assert r.border_crossings == 1
    # rail→road: transshipment 5 h + road 40 h beats gauge change 2 h + rail 50 h
    assert refs == ["L1", "BX1", "BX2", "T", "R"]
    assert r.time_h == pytest.approx(10 + 3 + 4 + 5 + 40)
    # starting or ending at the border node does not cross it
    assert "BX1" not in [s.ref for s in route(net, "B", "C").routes[0].steps]
    assert "BX1" not in [s.ref for s in route(net, "A", "B").routes[0].steps]


def test_commodity_rules_uranium_and_electricity() -> None:
    from titr.errors import NoRouteError
    from titr.routing import route

    net = mk(
        [("A", "KZ"), ("B", "AZ"), ("C", "GE")],
        [
            L("L1", "A", "B", "rail_1520", commodities=["uranium", "container"]),
            L("L2", "B", "C", "rail_1520", commodities=["container"]),
            L("L3", "B", "C", "sea", commodities=["*"], h=30.0),
            L("PC", "A", "B", "power_cable", corridors=["power"], commodities=["electricity"]),
        ],
        [dict(id="PH", node="B", kind="port_handling", h=6.0)],
    )
    gu = build_graph(net, "uranium")
    assert set(gu.arc_link[gu.kind == "link"]) == {"L1", "L3"}
    assert [s.ref for s in route(net, "A", "C", "uranium").routes[0].steps if s.kind == "link"] == [
        "L1",
        "L3",
    ]
    ge = build_graph(net, "electricity")
    assert set(ge.arc_link[ge.kind == "link"]) == {"PC"}
    with pytest.raises(NoRouteError):
        route(net, "A", "C", "electricity")
    gc = build_graph(net, "container")
    assert "PC" not in set(gc.arc_link)


def test_planned_links_off_by_default_and_on_by_project() -> None:
    from titr.network.model import Project
    from titr.routing import route

    net = mk(
        [("A", "KZ"), ("B", "AZ")],
        [L("SLOW", "A", "B", h=50.0), L("NEW", "A", "B", h=20.0, status="planned")],
        projects={
            "PRJ": Project(
                id="PRJ",
                name_en="p",
                name_ru="p",
                name_tr="p",
                country="KZ",
                target_kind="link",
                target_ref="NEW",
                effect="new_link",
                effect_value=1,
                lead_time=2,
                earliest_year=2027,
                status="planned",
                source="S1",
            )
        },
    )
    assert "NEW" not in set(build_graph(net).arc_link)
    assert route(net, "A", "B").routes[0].links == ["SLOW"]
    assert route(net, "A", "B", include_planned=True).routes[0].links == ["NEW"]
    assert route(net, "A", "B", projects=["PRJ"]).routes[0].links == ["NEW"]
    g = build_graph(net, include_planned=True)  # parallel links between the same terminals
    assert g.csr(g.time_h).nnz == g.n_arcs

"""Route planner on the tiny dataset and synthetic networks: objectives, restrictions, via,
errors, exports and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import titr
from titr.cli.main import main
from titr.errors import NoRouteError, NotFoundError, TitrError
from titr.graph.synthetic import synthetic_network
from titr.network.model import Network, Parameter
from titr.routing import compare_corridors, route
from titr.routing.plan import graph_for, risk_premium

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return titr.load_dataset(str(TINY))


def test_best_route_steps_and_expected_time(tiny: Network) -> None:
    res = route(tiny, "CN_A", "GE_E", commodity="container", by="time")
    r = res.routes[0]
    assert [s.kind for s in r.steps] == [
        "link",
        "process",
        "process",
        "link",
        "process",
        "wait",
        "link",
        "process",
        "link",
    ]
    assert r.nodes == ["CN_A", "KZ_B", "KZ_C", "AZ_D", "GE_E"]
    # expected time = Σ triangular means + half the ferry headway
    expect = sum(lk.time.mean for lk in tiny.links.values())
    expect += sum(p.time.mean for p in tiny.processes.values())
    expect += tiny.services["SV_CD"].headway_hours() / 2
    assert r.time_h == pytest.approx(expect)
    assert r.transit_time.mean == pytest.approx(expect / 24)
    tt = r.transit_time
    assert tt.p10 < tt.p50 < tt.p90
    # the ferry wait and port dwell are the largest contributors
    biggest = max(r.steps, key=lambda s: s.time.variance)
    assert biggest.ref in ("P_C_PORT", "SV_CD")
    assert r.border_crossings == 1 and r.mode_changes == 3


def test_transit_quantiles_match_an_independent_sample(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E", seed=7, samples=20_000).routes[0]
    rng = np.random.default_rng(123)
    tot = np.zeros(200_000)
    for s in r.steps:
        tot += s.time.sample(rng, 200_000)
    q = np.quantile(tot / 24, [0.1, 0.5, 0.9])
    tt = r.transit_time
    assert np.allclose([tt.p10, tt.p50, tt.p90], q, rtol=0.01)
    assert tt.std == pytest.approx(np.std(tot / 24), rel=0.02)


def test_convolution_and_monte_carlo_agree() -> None:
    net = synthetic_network(300, 1, port_share=0.8)
    a = route(net, "N0", "N93").routes[0].transit_time
    b = route(net, "N0", "N93", time_method="monte_carlo", samples=100_000, seed=3)
    mc = b.routes[0].transit_time
    assert "convolution" in a.method and "Monte Carlo (n=100000, seed=3)" in mc.method
    for x, y in ((a.p10, mc.p10), (a.p50, mc.p50), (a.p90, mc.p90)):
        assert x == pytest.approx(y, rel=0.003)
    again = route(net, "N0", "N93", time_method="monte_carlo", samples=100_000, seed=3)
    assert again.routes[0].transit_time == mc


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_convolution_matches_sampling_for_many_offset_steps(seed: int) -> None:
    from titr.graph import Uniform
    from titr.network.model import Triangular
    from titr.routing.transit import transit_time

    rng = np.random.default_rng(seed)
    dists: list[object] = []
    for _ in range(45):
        a, c, b = np.sort(rng.uniform(0.1, 120.0, 3))
        dists.append(Triangular(min=a, mode=c, max=b))
    for _ in range(20):  # narrower than the grid step, mode near the minimum
        a, w = rng.uniform(0.1, 50.0), rng.uniform(0.1, 1.0)
        dists.append(Triangular(min=a, mode=a + w * rng.uniform(0.0, 0.3), max=a + w))
    dists += [Uniform(0.0, 168.0), Uniform(3.3, 7.7)]
    conv = transit_time(dists)
    mc = transit_time(dists, n=400_000, seed=seed, method="monte_carlo")
    for x, y in ((conv.p10, mc.p10), (conv.p50, mc.p50), (conv.p90, mc.p90)):
        assert x == pytest.approx(y, rel=0.002)


def test_objectives_cost_and_generalized(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E", by="cost", impute_missing_tariffs=False).routes[0]
    assert r.objective_value == pytest.approx(r.cost_usd) == pytest.approx(930.0)
    g = route(
        tiny, "CN_A", "GE_E", by="generalized", value_of_time=24.0, impute_missing_tariffs=False
    ).routes[0]
    assert g.objective_value == pytest.approx(930.0 + r.time_h)
    # L_DE has no tariff: for route choice it is costed at the median USD/km of rail_1520
    # (L_BC: 0.15 USD/TEU-km), while the tariff report leaves it out and lists it
    res = route(tiny, "CN_A", "GE_E", by="cost")
    assert res.routes[0].objective_value == pytest.approx(930.0 + 0.15 * 860)
    assert res.routes[0].tariff.total_usd == pytest.approx(930.0)
    assert any("median USD/km" in n for n in res.notes)
    with pytest.raises(TitrError, match="objective"):
        route(tiny, "CN_A", "GE_E", by="fastest")


def test_restrictions_are_never_silently_ignored(tiny: Network) -> None:
    with pytest.raises(NoRouteError) as e:
        route(tiny, "CN_A", "GE_E", avoid=["Caspian"])
    msg = str(e.value)
    assert "avoiding passage Caspian blocks every route" in msg
    assert "CN_A → KZ_B → KZ_C → AZ_D → GE_E" in msg
    with pytest.raises(NoRouteError, match="destination GE_E"):
        route(tiny, "CN_A", "GE_E", avoid=["GE"])
    with pytest.raises(
        NotFoundError,
        match=r"countries are Azerbaijan \(AZ\), China \(CN\), Georgia \(GE\), Kazakhstan \(KZ\)",
    ):
        route(tiny, "CN_A", "GE_E", avoid=["RU"])
    with pytest.raises(NotFoundError, match="passages are Caspian"):
        route(tiny, "CN_A", "GE_E", avoid=["passage:Suez"])
    with pytest.raises(NoRouteError, match="avoiding link L_BC blocks"):
        route(tiny, "CN_A", "GE_E", avoid=["L_BC"])
    with pytest.raises(NotFoundError, match="Did you mean"):
        route(tiny, "Alfa Romeo", "GE_E")


def test_via_points() -> None:
    net = synthetic_network(120, 5, port_share=0.8)
    ids = sorted(net.nodes)
    found = 0
    for o, d, v in zip(ids[:40], ids[40:80], ids[80:120], strict=True):
        try:
            res = route(net, o, d, via=[v], samples=100)
        except NoRouteError as e:
            assert "no route" in str(e)
            continue
        r = res.routes[0]
        assert v in r.nodes
        free = route(net, o, d, samples=100).routes[0]
        assert r.objective_value >= free.objective_value - 1e-9
        found += 1
    assert found >= 3


def test_alternatives_are_genuinely_different() -> None:
    net = synthetic_network(150, 11, port_share=0.8)
    ids = sorted(net.nodes)
    best_count = 0
    for d in ids[50:]:
        try:
            res = route(net, ids[0], d, alternatives=3, samples=100)
        except NoRouteError:
            continue
        best_count = max(best_count, len(res.routes))
        if len(res.routes) == 3:
            a, b, c = (set(r.links) for r in res.routes)
            assert a != b and b != c and a != c
            break
    assert best_count == 3


def test_exports(tiny: Network) -> None:
    res = route(tiny, "CN_A", "GE_E", alternatives=2)
    df = res.to_frame()
    assert list(df["ref"][df["route"] == 0])[:2] == ["L_AB", "P_B_BORDER"]
    gj = res.to_geojson()
    assert gj["type"] == "FeatureCollection"
    coords = gj["features"][0]["geometry"]["coordinates"]
    assert coords[0] == [80.0, 44.0]  # [lon, lat]
    d = json.loads(json.dumps(res.to_dict()))
    assert d["dataset"] == tiny.label
    assert d["routes"][0]["tariff"]["missing"][0]["link"] == "L_DE"


def test_compare_corridors(tiny: Network) -> None:
    cmp = compare_corridors(tiny, "CN_A", "GE_E")
    rows = {o.corridor: o for o in cmp.options}
    assert rows["middle"].route is not None
    assert rows["northern"].route is None and "no link tagged" in (rows["northern"].reason or "")
    assert set(cmp.to_frame()["corridor"]) == {"middle", "northern", "sea_suez", "sea_cape", "iran"}


def test_cli_route_and_compare(
    tiny: Network, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ds = str(TINY)
    assert main(["route", "Alpha", "Эхо", "--dataset", ds, "--single-tariff"]) == 0
    out = capsys.readouterr().out
    assert "CN_A → KZ_B → KZ_C → AZ_D → GE_E" in out and "single tariff" in out
    assert main(["route", "CN_A", "GE_E", "--dataset", ds, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["routes"][0]["nodes"][-1] == "GE_E"
    gj = tmp_path / "r.geojson"
    assert main(["route", "CN_A", "GE_E", "--dataset", ds, "--geojson", str(gj)]) == 0
    assert json.loads(gj.read_text())["features"][0]["geometry"]["type"] == "LineString"
    assert main(["route", "Nowhere", "GE_E", "--dataset", ds]) == 2
    assert "no place is called 'Nowhere'" in capsys.readouterr().err
    assert main(["route", "CN_A", "GE_E", "--dataset", ds, "--avoid", "Caspian"]) == 2
    assert "blocks every route" in capsys.readouterr().err
    assert main(["compare", "CN_A", "GE_E", "--dataset", ds]) == 0
    assert "middle" in capsys.readouterr().out


# --- the named risk/sanctions premium in the generalized cost (0 in the bundled data) ---


def _with(net: Network, **rates: float) -> Network:
    params = dict(net.parameters)
    for cc, v in rates.items():
        params[f"risk_premium_{cc}"] = Parameter(
            id=f"risk_premium_{cc}", value=v, unit="USD/t-km", source="EST: test"
        )
    return net.model_copy(update={"parameters": params})


def test_bundled_premiums_are_named_and_zero(corridor: Network) -> None:
    for cc in ("RU", "BY", "IR"):
        p = corridor.parameters[f"risk_premium_{cc}"]
        assert p.value == 0 and p.unit == "USD/t-km"
    g = graph_for(corridor, "container")
    assert not risk_premium(corridor, g, 14.0).any()


def test_premium_is_rate_times_tonnes_times_km(corridor: Network) -> None:
    net = _with(corridor, RU=0.01)
    g = graph_for(net, "container")
    prem = risk_premium(net, g, 14.0)
    ru = np.array(
        [
            k == "link" and net.links[lk].country == "RU" if lk else False
            for k, lk in zip(g.kind, g.arc_link, strict=True)
        ]
    )
    assert ru.any()
    assert prem[ru] == pytest.approx(0.01 * 14.0 * g.distance_km[ru])
    assert not prem[~ru].any()


def test_a_stated_premium_moves_the_generalized_route(corridor: Network) -> None:
    kw = dict(by="generalized", value_of_time=200.0, samples=500)
    base = route(corridor, "CN_XIAN", "DE_DUI", "container", **kw).routes[0]
    assert "RU" in {corridor.nodes[n].country for n in base.nodes}
    net = _with(corridor, RU=0.2, BY=0.2)
    alt = route(net, "CN_XIAN", "DE_DUI", "container", **kw).routes[0]
    assert "RU" not in {net.nodes[n].country for n in alt.nodes}
    # time and cost objectives ignore the premium
    fast = route(net, "CN_XIAN", "DE_DUI", "container", by="time", samples=500).routes[0]
    assert "RU" in {net.nodes[n].country for n in fast.nodes}


@pytest.mark.parametrize("country", ["RU", "Russia", "Россия", "Rusya", "country:ru"])
def test_via_a_country_by_code_or_name(country: str) -> None:
    """--via takes a country as --avoid does: the route passes one of its places."""
    from titr.network.bundled import load

    net = load("middle-corridor-2025")
    res = route(net, "Altynkol", "Poti", via=[country], samples=100)
    nodes = res.routes[0].nodes
    assert any(net.nodes[n].country == "RU" for n in nodes), nodes
    assert res.via == ["RU"]
    direct = route(net, "Altynkol", "Poti", samples=100)
    assert not any(net.nodes[n].country == "RU" for n in direct.routes[0].nodes)


def test_via_a_country_that_is_avoided_is_refused() -> None:
    from titr.network.bundled import load

    net = load("middle-corridor-2025")
    with pytest.raises(NoRouteError, match="no place of country RU can be passed"):
        route(net, "Altynkol", "Poti", via=["Russia"], avoid=["RU"], samples=100)


def _countries_back(net: Network, nodes: list[str]) -> set[str]:
    """Countries a node sequence comes back into after leaving them."""
    seq = [net.nodes[n].country for n in nodes]
    runs = [c for i, c in enumerate(seq) if i == 0 or seq[i - 1] != c]
    return {c for i, c in enumerate(runs) if c in runs[:i]}


def test_alternatives_do_not_come_back_into_a_country_they_left(corridor: Network) -> None:
    """Review 23: an Altynkol → Poti alternative went Altynkol → Khorgos (CN) → Urumqi →
    Alashankou → Dostyk (KZ again) → … An alternative may come back into a country only where
    the best route itself does."""
    from titr.routing.plan import reentered

    pairs = [
        ("KZ_ALT", "GE_POTI"),
        ("CN_XIAN", "TR_IST"),
        ("CN_XIAN", "DE_DUI"),
        ("KZ_DOS", "GE_POTI"),
        ("KZ_ALM", "TR_IST"),
        ("UZ_TAS", "GE_POTI"),
    ]
    alternatives = 0
    for o, d in pairs:
        for by in ("time", "cost"):
            res = route(corridor, o, d, by=by, alternatives=5, samples=100)
            best = _countries_back(corridor, res.routes[0].nodes)
            for r in res.routes[1:]:
                assert _countries_back(corridor, r.nodes) <= best, (o, d, by, r.nodes)
                alternatives += 1
    assert alternatives >= 30  # the rule leaves alternatives to offer
    alt = route(corridor, "Altynkol", "Poti", alternatives=5, samples=100)
    assert len(alt.routes) == 5
    assert not any(r.nodes[:2] == ["KZ_ALT", "CN_KHG"] and "KZ_DOS" in r.nodes for r in alt.routes)
    # the rule's function on a path the router built: the node sequence KZ → CN → KZ
    g = graph_for(corridor, "container")

    def arc(a_node: str, b_node: str) -> int:
        return next(
            a
            for a in range(g.n_arcs)
            if g.kind[a] == "link" and (g.arc_node[a], g.arc_to_node[a]) == (a_node, b_node)
        )

    there, back = arc("KZ_ALT", "CN_KHG"), arc("CN_KHG", "KZ_ALT")
    assert reentered(corridor, g, np.array([there, back])) == {"KZ"}
    assert reentered(corridor, g, np.array([back, there])) == {"CN"}
    assert reentered(corridor, g, np.array([there])) == set()


def test_a_restriction_that_changes_the_route_says_what_it_excluded(corridor: Network) -> None:
    """Review 46: `route Актау Istanbul --avoid RU --avoid Bosphorus --via AZ_ALAT` dropped the
    BTK rail route silently, because the Marmaray rail tunnel (L_KSK_IST) carries the passage
    Bosphorus. The answer now names the excluded step, the restriction that excludes it and
    the best route without restrictions."""
    res = route(corridor, "Актау", "Istanbul", avoid=["RU", "Bosphorus"], via=["AZ_ALAT"])
    (note,) = [n for n in res.notes if n.startswith("the restrictions changed the route")]
    assert "passage Bosphorus excludes link Köseköy – Istanbul (Halkalı) (rail_1435)" in note
    assert "TR_KARS" in note and "country RU" not in note  # RU excludes nothing of it
    free = route(corridor, "Актау", "Istanbul", via=["AZ_ALAT"]).routes[0]
    assert free.objective_value < res.routes[0].objective_value
    assert f"{free.objective_value:,.1f} h there" in note
    # a country: counted, not listed
    az = route(corridor, "Altynkol", "Poti", avoid=["AZ"])
    assert any("country AZ excludes 3 link(s) and 2 place(s) in it" in n for n in az.notes)
    # restrictions that cost nothing add no note; nor does an unrestricted query
    for avoid in (["RU"], ["Suez"], ["northern"], []):
        r = route(corridor, "Altynkol", "Poti", avoid=avoid)
        assert not any(n.startswith("the restrictions") for n in r.notes), avoid

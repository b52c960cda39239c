"""Through tariffs: conversions, breakdowns, missing data, corridor rate; CO2."""

from __future__ import annotations

from pathlib import Path

import pytest

import titr
from titr.errors import DataError, TitrError
from titr.graph import build_graph
from titr.network.model import Network, Parameter, TariffComponent
from titr.routing import route
from titr.tariff import through_tariff

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return titr.load_dataset(str(TINY))


def with_tariffs(net: Network, *extra: TariffComponent, **params: float) -> Network:
    tariffs = dict(net.tariffs)
    tariffs.update({t.id: t for t in extra})
    ps = dict(net.parameters)
    ps.update({k: Parameter(id=k, value=v, unit="x", source="S001") for k, v in params.items()})
    return net.model_copy(
        update={
            "tariffs": tariffs,
            "parameters": ps,
            "content_hash": net.content_hash + str(len(tariffs)) + str(ps),
        }
    )


def tc(i: str, ref: str, basis: str, amount: float, **kw: object) -> TariffComponent:
    base = dict(
        id=i,
        applies_to="link",
        ref=ref,
        commodity="container",
        component="moving",
        basis=basis,
        amount=amount,
        year=2025,
        country="AZ",
        source="S002",
    )
    base.update(kw)
    return TariffComponent(**base)  # type: ignore[arg-type]


def test_component_sum_breakdown_and_missing(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E").routes[0]
    t = r.tariff
    # 50 per TEU + 0.15 per TEU-km × 2400 km + 400 per TEU ferry service + 120 per TEU port
    assert t.total_usd == pytest.approx(50 + 0.15 * 2400 + 400 + 120)
    assert t.total_usd == pytest.approx(r.cost_usd)  # graph arcs and report agree
    assert t.by_country == {"KZ": 480.0, "AZ": 400.0, "CN": 50.0}
    assert t.by_component == {"moving": 810.0, "port": 120.0}
    assert {ln.tariff_id: ln.year for ln in t.lines}["T_BC"] == 2025
    assert t.missing == [
        {"link": "L_DE", "country": "AZ", "operator": "ADY", "reason": "no tariff data"}
    ]


def test_per_unit_conversions(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E").routes[0]
    teu = through_tariff(tiny, r.steps, "container", per="teu").total_usd
    assert through_tariff(tiny, r.steps, "container", per="feu").total_usd == pytest.approx(2 * teu)
    assert through_tariff(tiny, r.steps, "container", per="t").total_usd == pytest.approx(teu / 12)
    with pytest.raises(TitrError, match="--per"):
        through_tariff(tiny, r.steps, "container", per="barrel")


def test_bases_currencies_and_years(tiny: Network) -> None:
    net = with_tariffs(
        tiny,
        tc("T_DE_FEU", "L_DE", "per_FEU_km", 0.2),
        tc("T_DE_T", "L_DE", "per_t", 3.0, component="border"),
        tc("T_DE_EUR", "L_DE", "per_TEU", 10.0, currency="EUR", component="port"),
        tc("T_DE_OLD", "L_DE", "per_TEU", 999.0, year=2020, component="loading", operator="X"),
        tc("T_DE_NEW", "L_DE", "per_TEU", 7.0, year=2024, component="loading", operator="X"),
        usd_per_eur=1.1,
    )
    g = build_graph(net)
    arc = [a for a in range(g.n_arcs) if g.kind[a] == "link" and g.ref[a] == "L_DE"][0]
    expect = 0.2 * 860 / 2 + 3.0 * 12 + 10.0 * 1.1 + 7.0
    assert g.cost_usd[arc] == pytest.approx(expect)
    r = route(net, "CN_A", "GE_E").routes[0]
    assert r.tariff.missing == []
    assert "T_DE_OLD" not in {ln.tariff_id for ln in r.tariff.lines}
    # an older year is chosen when the user asks for that year; components with only newer
    # rows keep their oldest row (the data's best estimate), so nothing becomes unpriced
    r20 = route(net, "CN_A", "GE_E", year=2020).routes[0]
    ids20 = {ln.tariff_id for ln in r20.tariff.lines}
    assert "T_DE_OLD" in ids20 and "T_DE_NEW" not in ids20
    assert {"T_DE_FEU", "T_BC"} <= ids20 and r20.tariff.missing == []
    newer = with_tariffs(net, tc("T_DE_LATER", "L_DE", "per_TEU", 5.0, year=2030, operator="Y"))
    ids = {ln.tariff_id for ln in route(newer, "CN_A", "GE_E", year=2020).routes[0].tariff.lines}
    assert "T_DE_LATER" in ids  # only a 2030 row: used for 2020 too
    older = with_tariffs(newer, tc("T_DE_LATER_0", "L_DE", "per_TEU", 4.0, year=2026, operator="Y"))
    ids = {ln.tariff_id for ln in route(older, "CN_A", "GE_E", year=2020).routes[0].tariff.lines}
    assert "T_DE_LATER_0" in ids and "T_DE_LATER" not in ids  # the oldest of the later rows


def test_missing_conversion_parameters_are_errors(tiny: Network) -> None:
    keep = ("usd_per_eur", "teu_per_wagon", "t_per_wagon")
    tiny = tiny.model_copy(
        update={"parameters": {k: v for k, v in tiny.parameters.items() if k not in keep}}
    )
    with pytest.raises(DataError, match="usd_per_eur"):
        build_graph(with_tariffs(tiny, tc("T_E", "L_DE", "per_TEU", 1.0, currency="EUR")))
    with pytest.raises(DataError, match="teu_per_wagon"):
        build_graph(with_tariffs(tiny, tc("T_W", "L_DE", "per_wagon", 100.0)))
    net = with_tariffs(tiny, tc("T_W", "L_DE", "per_wagon", 100.0), teu_per_wagon=2.0)
    assert route(net, "CN_A", "GE_E", by="cost").routes[0].cost_usd == pytest.approx(930 + 50)


def test_single_tariff_overrides_and_shows_difference(tiny: Network) -> None:
    t = route(tiny, "CN_A", "GE_E", single_tariff=True).routes[0].tariff
    assert t.single is not None
    assert t.single["rate_usd"] == pytest.approx(2500 / 2)  # per FEU → per TEU
    assert t.total_usd == pytest.approx(1250)
    assert t.single["difference_usd"] == pytest.approx(1250 - 930)
    assert t.component_sum_usd == pytest.approx(930)
    general = route(tiny, "CN_A", "GE_E", commodity="general")
    with pytest.raises(TitrError, match="no published corridor rate"):
        through_tariff(tiny, general.routes[0].steps, "general", single=True)


def _rate(i: str, amount: float, year: int, fr: list[str], to: list[str]) -> TariffComponent:
    return tc(
        i,
        "middle",
        "per_FEU",
        amount,
        applies_to="corridor",
        component="corridor_rate",
        year=year,
        country="XX",
        scope_from=fr,
        scope_to=to,
    )


def test_single_tariff_takes_the_newest_rate_that_covers_the_route(tiny: Network) -> None:
    """Several published rates for one corridor: the newest whose scope covers the route's end
    countries, whatever their order in the table (the 2023 rate used to win by its id)."""
    a_old = _rate("T_A_2023", 2000, 2023, ["CN"], ["GE"])
    z_new = _rate("T_Z_2025", 3000, 2025, ["CN"], ["GE"])
    # different operators keep both rows in select_tariffs (as in the bundled data)
    net = with_tariffs(
        tiny,
        a_old.model_copy(update={"operator": "WB"}),
        z_new.model_copy(update={"operator": "T"}),
    )
    t = route(net, "CN_A", "GE_E", single_tariff=True).routes[0].tariff
    assert t.single is not None and t.single["tariff_id"] == "T_Z_2025"
    assert t.single["rate_usd"] == pytest.approx(3000 / 2)
    assert t.single["scope_from"] == ["CN"] and t.single["scope_to"] == ["GE"]
    # asked for 2024: the 2025 rate is not yet published, the 2023 one is used
    t24 = route(net, "CN_A", "GE_E", single_tariff=True, year=2024).routes[0].tariff
    assert t24.single is not None and t24.single["tariff_id"] == "T_A_2023"


def test_single_tariff_refuses_a_rate_published_for_other_end_countries(tiny: Network) -> None:
    """A China → Europe rate does not price a route that ends in Georgia: an error names the
    rates and what they cover; a newer rate for other ends does not shadow an older one that
    covers the route."""
    eu_only = _rate("T_MID", 2500, 2025, ["CN"], ["DE", "RO"])
    net = with_tariffs(tiny, eu_only)
    with pytest.raises(TitrError, match=r"do not apply to a route from CN to GE.*CN → DE, RO"):
        route(net, "CN_A", "GE_E", single_tariff=True)
    older = _rate("T_OLD", 1800, 2020, [], ["GE"]).model_copy(update={"operator": "X"})
    net2 = with_tariffs(tiny, eu_only, older)
    t = route(net2, "CN_A", "GE_E", single_tariff=True).routes[0].tariff
    assert t.single is not None and t.single["tariff_id"] == "T_OLD"


def test_scope_is_only_for_corridor_rates() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="only a corridor rate"):
        tc("T_X", "L_AB", "per_FEU", 10, scope_from=["CN"])


def test_co2_per_shipment(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E").routes[0]
    expect = (30 * 18 + (2400 + 860) * 20 + 470 * 50) * 12 / 1000
    assert r.co2_kg == pytest.approx(expect)
    assert r.co2.factors["ferry"]["source"] == "EST: typical Ro-Ro"
    assert r.co2.missing_modes == []


def _sub(i: str, basis: str, amount: float, year: int, **kw: object) -> TariffComponent:
    base: dict[str, object] = dict(
        applies_to="block_train",
        component="subsidy",
        year=year,
        country="CN",
        operator="local governments",
    )
    base.update(kw)
    return tc(i, "CN", basis, amount, **base)


def test_block_train_subsidy_gives_the_shipper_price_of_the_year(tiny: Network) -> None:
    """A train leaving China by rail: the newest subsidy row not after the price year is
    deducted (a share of the whole freight, or an amount per FEU capped at the freight); the
    carriers' breakdown keeps the unsubsidised revenue."""
    net = with_tariffs(
        tiny,
        _sub("T_S18", "share_of_freight", 0.5, 2018),
        _sub("T_S21", "per_FEU", 300.0, 2021),
        _sub("T_S24", "per_FEU", 5000.0, 2024, currency="EUR"),
        usd_per_eur=1.1,
    )
    freight = 930.0  # per TEU, see test_component_sum_breakdown_and_missing
    t18 = route(net, "CN_A", "GE_E", year=2019).routes[0].tariff
    assert t18.subsidy is not None and t18.subsidy["tariff_id"] == "T_S18"
    assert t18.unsubsidised_usd == pytest.approx(freight)
    assert t18.subsidy["usd"] == pytest.approx(0.5 * freight)
    assert t18.total_usd == pytest.approx(0.5 * freight)
    assert sum(t18.by_country.values()) == pytest.approx(freight)  # revenue, not the price
    t21 = route(net, "CN_A", "GE_E", year=2023, per="feu").routes[0].tariff
    assert t21.subsidy is not None and t21.subsidy["tariff_id"] == "T_S21"
    assert t21.total_usd == pytest.approx(2 * freight - 300.0)
    assert t21.price_year == 2023 and t21.to_dict()["subsidy"]["usd"] == pytest.approx(300.0)
    # newest row (no year asked): EUR 5,000/FEU is more than the freight, so the price is 0
    t24 = route(net, "CN_A", "GE_E").routes[0].tariff
    assert t24.subsidy is not None and t24.subsidy["usd"] == pytest.approx(freight)
    assert t24.total_usd == pytest.approx(0.0)
    # before the first subsidy row: no subsidy, price = cost
    t10 = route(net, "CN_A", "GE_E", year=2010).routes[0].tariff
    assert t10.subsidy is None and t10.total_usd == pytest.approx(t10.unsubsidised_usd)


def test_subsidy_scope_origin_and_mode(tiny: Network) -> None:
    """No subsidy for a route that starts outside the country or ends in a country the row
    does not cover; a published corridor rate
    (single-tariff mode) is a market price and is not reduced."""
    row = _sub("T_S", "per_FEU", 200.0, 2020, scope_to=["GE"])
    net = with_tariffs(tiny, row)
    assert route(net, "CN_A", "GE_E").routes[0].tariff.subsidy is not None
    assert route(net, "KZ_B", "GE_E").routes[0].tariff.subsidy is None  # starts in KZ
    assert route(net, "CN_A", "AZ_D").routes[0].tariff.subsidy is None  # AZ not in scope
    single = route(net, "CN_A", "GE_E", single_tariff=True).routes[0].tariff
    assert single.subsidy is None and single.total_usd == pytest.approx(1250)


def test_subsidy_needs_a_train_leaving_by_rail(corridor: Network) -> None:
    """Xi'an → Duisburg: the rail corridors are China–Europe block trains (subsidised); the
    sea route leaves China by ship from Shanghai (not subsidised)."""
    from titr.routing.compare import compare_corridors

    cmp = compare_corridors(
        corridor, "Xian", "Duisburg", corridors=("northern", "sea_suez"), per="feu", samples=200
    )
    north, sea = (o.route.tariff for o in cmp.options if o.route is not None)
    assert north.subsidy is not None and north.subsidy["country"] == "CN"
    assert north.total_usd == pytest.approx(north.unsubsidised_usd - north.subsidy["usd"])
    assert sea.subsidy is None and sea.total_usd == pytest.approx(sea.unsubsidised_usd)


BAD_SUBSIDIES = [
    ({"applies_to": "link", "ref": "L_AB"}, "applies to block trains"),  # subsidy on a link
    ({"component": "moving"}, "applies to block trains"),  # block_train row, not a subsidy
    ({"basis": "per_t_km"}, "share_of_freight or an amount per_FEU"),
    ({"basis": "share_of_freight", "amount": 1.5}, "at most 1, got 1.5"),
    ({"scope_from": ["KZ"]}, "starts in CN"),  # trains leaving CN start in CN
    ({"amount": -1.0}, "greater than or equal to 0"),
    ({"applies_to": "block_train", "basis": "per_FEU_km"}, "share_of_freight or an amount"),
    ({"basis": "barrels"}, "basis"),
]


@pytest.mark.parametrize(("change", "why"), BAD_SUBSIDIES)
def test_malformed_subsidy_rows_are_refused(change: dict[str, object], why: str) -> None:
    from pydantic import ValidationError

    base = dict(
        id="T_S",
        applies_to="block_train",
        ref="CN",
        commodity="container",
        component="subsidy",
        basis="per_FEU",
        amount=100.0,
        year=2020,
        country="CN",
        source="S001",
    )
    base.update(change)
    with pytest.raises((ValidationError, ValueError)) as ei:
        TariffComponent(**base)  # type: ignore[arg-type]
    assert why in str(ei.value)


def test_share_basis_only_for_subsidies() -> None:
    from pydantic import ValidationError

    with pytest.raises((ValidationError, ValueError), match="share_of_freight"):
        tc("T_X", "L_AB", "share_of_freight", 0.2)

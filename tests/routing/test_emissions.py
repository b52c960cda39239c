"""CO2 of a route: the emission factor of each link (mode, or mode and kind of service)."""

from __future__ import annotations

from pathlib import Path

import pytest

import titr
from titr.network.model import EmissionFactor, Network
from titr.routing import route
from titr.routing.emissions import co2, link_factor

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return titr.load_dataset(str(TINY))


def _with(net: Network, *efs: EmissionFactor) -> Network:
    table = dict(net.emission_factors)
    table.update({e.key: e for e in efs})
    return net.model_copy(
        update={"emission_factors": table, "content_hash": net.content_hash + "e"}
    )


def test_a_service_kind_factor_wins_over_the_mode_factor(tiny: Network) -> None:
    lk = tiny.links["L_CD"]  # ferry link run by the feeder_line service SV_CD
    assert lk.service == "SV_CD" and tiny.services["SV_CD"].kind == "feeder_line"
    base = link_factor(tiny, lk)
    assert base is tiny.emission_factors[lk.mode]
    specific = EmissionFactor(
        mode=lk.mode, g_co2_per_tkm=99.0, source="S001", service_kind="feeder_line"
    )
    other = EmissionFactor(mode=lk.mode, g_co2_per_tkm=7.0, source="S001", service_kind="ro_ro")
    net = _with(tiny, specific, other)
    assert specific.key == f"{lk.mode}/feeder_line"
    assert link_factor(net, lk) is net.emission_factors[specific.key]
    r = route(net, "CN_A", "GE_E", samples=200).routes[0]
    rep = co2(net, r.steps, "container")
    km = sum(s.distance_km for s in r.steps if s.kind == "link" and s.ref == "L_CD")
    t = net.commodities["container"].t_per_unit
    assert rep.factors[specific.key]["g_co2_per_tkm"] == 99.0
    assert rep.by_mode_kg[lk.mode] == pytest.approx(km * t * 99.0 / 1000)
    # links without a service keep their mode factor
    for s in r.steps:
        if s.kind == "link" and s.ref != "L_CD":
            assert link_factor(net, net.links[s.ref]) is net.emission_factors[s.mode]


def test_a_mode_without_factor_is_listed_not_zeroed(tiny: Network) -> None:
    r = route(tiny, "CN_A", "GE_E", samples=200).routes[0]
    gone = {k: v for k, v in tiny.emission_factors.items() if v.mode != "ferry"}
    net = tiny.model_copy(update={"emission_factors": gone, "content_hash": "x"})
    rep = co2(net, r.steps, "container")
    assert rep.missing_modes == ["ferry"] and "ferry" not in rep.by_mode_kg

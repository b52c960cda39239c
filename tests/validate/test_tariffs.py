"""Each tariff component that rests on a published rate lies within that rate's range.

Selectors pick the bundled container components by operator/country and basis; every group
must be non-empty (a renamed row fails the test rather than passing it vacuously)."""

from __future__ import annotations

import re

import pytest

from titr.network.model import Network, TariffComponent

NMI_KM = 1.852
# (label, predicate, low, high, unit, source ids of which each row cites at least one)
GROUPS = [
    (
        "KTZ container transit rail",
        lambda t: t.country == "KZ" and t.operator == "KTZ" and t.basis == "per_FEU_km",
        # S140: 0.12 USD/km per loaded 20 ft, 0.24 per 40 ft; S144: 0.24 USD/FEU-km (2023)
        0.24,
        0.24,
        "USD/FEU-km",
        {"S140", "S144"},
    ),
    (
        "KZ/TM/IR uniform container rate (Iran route)",
        lambda t: t.country in ("TM", "IR") and t.basis == "per_FEU_km",
        0.24,
        0.24,
        "USD/FEU-km",
        {"S144"},
    ),
    (
        "Georgian Railway container transit",
        lambda t: t.country == "GE" and t.basis == "per_FEU_km",
        # S6200: USD 123 per container across Georgia (Gardabani–Poti 360 km), 2017
        123 / 360 * 0.99,
        123 / 360 * 1.01,
        "USD/FEU-km",
        {"S6200"},
    ),
    (
        "deep-sea container freight",
        lambda t: t.country == "XX" and t.basis == "per_FEU_km" and t.operator == "liner carriers",
        # S145: WB maritime China–Europe USD 1,500–2,000/FEU over 10,600 nmi (S010)
        1500 / (10600 * NMI_KM),
        2000 / (10600 * NMI_KM),
        "USD/FEU-km",
        {"S145"},
    ),
]

RATES = [
    ("T_CORR_MIDDLE_2023", 2500, 3250, "S145"),  # WB China–Europe via the Middle Corridor
    ("T_CORR_NORTHERN_2023", 2599, 3121, "S145"),  # WB eastbound / westbound
    ("T_CORR_SEA_SUEZ_2023", 1500, 2000, "S145"),  # WB maritime
]


def _container(net: Network) -> list[TariffComponent]:
    return [t for t in net.tariffs.values() if t.commodity == "container"]


@pytest.mark.parametrize(("label", "pick", "lo", "hi", "unit", "srcs"), GROUPS)
def test_component_within_its_published_rate(
    corridor: Network, label: str, pick: object, lo: float, hi: float, unit: str, srcs: set[str]
) -> None:
    rows = [t for t in _container(corridor) if pick(t)]  # type: ignore[operator]
    assert rows, f"{label}: no component selected"
    print(f"{label}: {len(rows)} components, {sorted({t.amount for t in rows})} {unit}")
    for t in rows:
        assert lo - 1e-9 <= t.amount <= hi + 1e-9, (t.id, t.amount, lo, hi)
        assert srcs & set(re.findall(r"S\d{3,}", t.source)), (t.id, t.source)


@pytest.mark.parametrize(("tid", "lo", "hi", "src"), RATES)
def test_published_corridor_rates(
    corridor: Network, tid: str, lo: float, hi: float, src: str
) -> None:
    t = corridor.tariffs[tid]
    assert t.basis == "per_FEU" and lo <= t.amount <= hi
    assert src in t.source
    assert t.scope_from == ["CN"] and "DE" in t.scope_to  # China → Europe


def test_no_component_keeps_the_market_price_split(corridor: Network) -> None:
    """The 0.879 USD/FEU-km per-km split of the delivered price into Kazakhstan (S100) is gone
    from every rail link (it made the KTZ legs 3.7× KTZ's published transit rate)."""
    left = [t.id for t in _container(corridor) if t.basis == "per_FEU_km" and t.amount == 0.879]
    assert left == []

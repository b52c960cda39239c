"""The pydantic model: triangular times, service capacity, name lookup, alternatives, checks."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from titr.errors import DataError, NotFoundError
from titr.network.alternatives import with_alternatives
from titr.network.checks import run_checks
from titr.network.io_csv import read_dataset
from titr.network.model import Network, Triangular, haversine_km

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return read_dataset(TINY)


def test_triangular_moments_and_quantiles() -> None:
    t = Triangular(min=2, mode=4, max=9)
    assert t.mean == pytest.approx(5.0)
    # variance (a²+b²+c²-ab-ac-bc)/18
    assert t.variance == pytest.approx((4 + 81 + 16 - 18 - 8 - 36) / 18)
    assert float(t.ppf(0.0)) == pytest.approx(2) and float(t.ppf(1.0)) == pytest.approx(9)
    fc = (4 - 2) / (9 - 2)  # CDF at the mode
    assert float(t.ppf(fc)) == pytest.approx(4)
    x = t.sample(np.random.default_rng(7), 200_000)
    assert x.mean() == pytest.approx(t.mean, rel=0.01)
    assert np.quantile(x, 0.9) == pytest.approx(float(t.ppf(0.9)), rel=0.01)
    same = t.sample(np.random.default_rng(7), 5)
    assert np.array_equal(same, t.sample(np.random.default_rng(7), 5))  # seeded
    assert np.all(Triangular(min=3, mode=3, max=3).sample(np.random.default_rng(0), 4) == 3)
    with pytest.raises(ValueError, match="min <= mode <= max"):
        Triangular(min=5, mode=4, max=9)


def test_service_capacity_and_headway(tiny: Network) -> None:
    sv = tiny.services["SV_CD"]
    # vessels x capacity x (8760 h / cycle) x availability = 2 x 300 x 91.25 x 0.9
    assert sv.yearly_capacity() == pytest.approx(2 * 300 * 8760 / 96 * 0.9)
    assert sv.yearly_capacity(vessels=4) == pytest.approx(2 * sv.yearly_capacity())
    assert sv.headway_hours() == pytest.approx(96 / 2 / 0.9)


def test_link_time_and_lookups(tiny: Network) -> None:
    lk = tiny.links["L_BC"]
    assert lk.time == Triangular(min=48, mode=60, max=80)
    assert [p.id for p in tiny.processes_at("KZ_B")] == ["P_B_GAUGE", "P_B_BORDER"]
    assert {x.id for x in tiny.links_of("KZ_C")} == {"L_BC", "L_CD"}
    assert tiny.countries() == ["AZ", "CN", "GE", "KZ"]
    assert [i.year for i in tiny.indicator_series("titr_cargo")] == [2023, 2024]
    assert tiny.parameter("t_per_train") == 1300
    assert tiny.parameter("nope", 5.0) == 5.0
    with pytest.raises(NotFoundError):
        tiny.parameter("nope")
    assert tiny.label.startswith("tiny@1#") and len(tiny.label) == len("tiny@1#") + 8


@pytest.mark.parametrize(
    ("query", "node"),
    [
        ("KZ_C", "KZ_C"),
        ("Charlie Port", "KZ_C"),
        ("charlie port", "KZ_C"),
        ("Порт Чарли", "KZ_C"),
        ("ÇARLİ LİMANI", "KZ_C"),
        ("Carli Limani", "KZ_C"),
        ("Ech", "GE_E"),  # unique prefix
    ],
)
def test_resolve_node(tiny: Network, query: str, node: str) -> None:
    assert tiny.resolve_node(query) == node


def test_resolve_node_errors(tiny: Network) -> None:
    with pytest.raises(NotFoundError) as ei:
        tiny.resolve_node("Charly Prt")
    assert "Charlie Port (KZ_C)" in ei.value.suggestions  # names with codes
    with pytest.raises(NotFoundError):
        tiny.resolve_node("   ")
    with pytest.raises(NotFoundError) as ei:
        tiny.resolve_node("Порт")  # prefix of "Порт Чарли" and "Порт Дельта"
    assert ei.value.suggestions == ["Delta Port (AZ_D)", "Charlie Port (KZ_C)"]


def test_with_alternatives(tiny: Network) -> None:
    hi = with_alternatives(tiny, ["bc_high"])
    assert hi.links["L_BC"].capacity == 8_000_000
    assert tiny.links["L_BC"].capacity == 6_000_000  # original untouched
    assert hi.version == "1+bc_high" and hi.content_hash != tiny.content_hash
    assert hi.nodes == tiny.nodes
    with pytest.raises(DataError, match="no alternative has this label"):
        with_alternatives(tiny, ["bc_low"])


def test_haversine() -> None:
    # one degree of latitude ~ 111.2 km; Aktau -> Alat about 245 km great circle (facts)
    assert haversine_km(0, 0, 1, 0) == pytest.approx(111.19, rel=1e-3)
    assert haversine_km(43.61, 51.21, 39.94, 49.41) == pytest.approx(437, rel=0.03)
    assert haversine_km(10, 20, 10, 20) == 0
    assert math.isclose(haversine_km(0, 0, 0, 180), math.pi * 6371.0088, rel_tol=1e-9)


def test_tiny_has_no_issues(tiny: Network) -> None:
    assert run_checks(tiny) == []


def test_checks_without_locator_still_name_the_file(tiny: Network) -> None:
    lk = tiny.links["L_BC"].model_copy(update={"capacity_unit": "MW"})
    net = tiny.model_copy(update={"links": {**tiny.links, "L_BC": lk}})
    issues = run_checks(net)
    assert [(i.file, i.row, i.column) for i in issues] == [("links.csv", None, "capacity_unit")]

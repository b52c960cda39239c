"""Demand CSV import (every malformed case asserts its message), growth rules, quantities."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.errors import DataError
from titr.flows import (
    DemandRow,
    DemandScenario,
    grow,
    interpolate,
    parse_quantity,
    read_demand_csv,
    scale_to_total,
)
from titr.network.io_csv import read_dataset

HERE = Path(__file__).resolve().parents[1]
DEMAND = HERE / "data" / "demand"


@pytest.fixture(scope="module")
def tiny():  # type: ignore[no-untyped-def]
    return read_dataset(HERE / "data" / "tiny")


def test_valid_file_converts_units(tiny):
    sc = read_demand_csv(DEMAND / "valid.csv", tiny, name="v", year=2026)
    assert [r.quantity for r in sc.rows] == pytest.approx([40000, 200000])
    assert sc.tonnes(tiny) == pytest.approx(40000 * 12 + 200000)
    assert sc.to_frame()["scenario"].unique().tolist() == ["v"]


@pytest.mark.parametrize(
    "fname, row, column, needle",
    [
        ("missing_column.csv", 1, "source", "required column is missing"),
        ("unknown_column.csv", 1, "colour", "unknown column"),
        ("not_a_number.csv", 2, "quantity", "must be a finite number"),
        ("negative.csv", 2, "quantity", "must be > 0"),
        ("unknown_node.csv", 2, "destination", "unknown node"),
        ("unknown_commodity.csv", 2, "commodity", "unknown commodity"),
        ("same_node.csv", 2, "destination", "origin and destination are the same node"),
        ("unit_mismatch.csv", 2, "unit", "counted in TEU"),
        ("duplicate.csv", 3, "destination", "same as row 2"),
        ("empty.csv", None, None, "file is empty"),
        ("broken_quote.csv", None, None, "broken CSV quoting"),
        ("latin1.csv", 2, None, "not UTF-8"),
        ("unknown_source.csv", 2, "source", "unknown source id (not in sources.csv)"),
        ("nan.csv", 2, "quantity", "must be a finite number"),
        ("empty_source.csv", 2, "source", "is required"),
        ("short_row.csv", 2, None, "row has 6 cells, the header has 7"),
        ("header_only.csv", None, None, "no demand rows"),
    ],
)
def test_malformed_demand(tiny, fname, row, column, needle):
    with pytest.raises(DataError) as e:
        read_demand_csv(DEMAND / fname, tiny, name="x", year=2025)
    iss = [i for i in e.value.issues if needle in i.rule]
    assert iss, f"{needle!r} not in {e.value}"
    if row is not None:
        assert iss[0].row == row
    if column is not None:
        assert iss[0].column == column
    assert fname in iss[0].file


def test_all_errors_reported_at_once(tiny):
    with pytest.raises(DataError) as e:
        read_demand_csv(DEMAND / "many_errors.csv", tiny, name="x", year=2025)
    rules = " | ".join(i.rule for i in e.value.issues)
    for needle in (
        "unknown node",
        "must be a finite number",
        "must be one of",
        "not in sources.csv",
        "must be > 0",
        "is required",
    ):
        assert needle in rules
    assert {i.row for i in e.value.issues} == {2, 3}


def test_growth_rules(tiny):
    s = DemandScenario(
        "b",
        2025,
        [
            DemandRow("CN_A", "GE_E", "container", 1000.0, "EST: t"),
            DemandRow("KZ_B", "GE_E", "general", 500.0, "EST: t"),
        ],
    )
    g = grow(s, 2027, 0.10)
    assert [r.quantity for r in g.rows] == pytest.approx([1210.0, 605.0])
    t = scale_to_total(s, tiny, 2 * s.tonnes(tiny), 2030)
    assert t.tonnes(tiny) == pytest.approx(2 * s.tonnes(tiny)) and t.year == 2030
    b = DemandScenario("c", 2029, [DemandRow("CN_A", "GE_E", "container", 8000.0, "EST: t")])
    m = interpolate(s, b, 2027)
    q = {r.commodity: r.quantity for r in m.rows}
    assert q["container"] == pytest.approx(1000 * 8**0.5)  # geometric
    assert q["general"] == pytest.approx(250.0)  # linear to zero
    with pytest.raises(DataError, match="between -50 % and"):
        grow(s, 2027, 5.0)


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("10Mt", 10e6, "t"),
        ("11 Mt", 11e6, "t"),
        ("300kTEU", 300e3, "TEU"),
        ("4.5e6 t", 4.5e6, "t"),
        ("2 TWh", 2e6, "MWh"),
        ("850kt", 850e3, "t"),
        ("1,5 Mt", 1.5e6, "t"),
    ],
)
def test_parse_quantity(text, value, unit):
    assert parse_quantity(text) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    "text, needle",
    [
        ("ten Mt", "a number and a unit"),
        ("10 barrels", "unknown unit"),
        ("10Gt", "unknown unit"),
        ("0 Mt", "> 0"),
        ("", "a number and a unit"),
    ],
)
def test_parse_quantity_errors(text, needle):
    with pytest.raises(DataError) as e:
        parse_quantity(text)
    assert needle in str(e.value)

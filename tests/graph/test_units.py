"""Quantity parsing (`titr.graph.units.parse_quantity`): every malformed text is a DataError
naming the place and the rule, never inf, NaN or a silent misreading."""

from __future__ import annotations

import math

import pytest

from titr.errors import DataError
from titr.graph.units import MAX_QUANTITY, parse_quantity


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("10Mt", 10e6, "t"),
        ("1E6 t", 1e6, "t"),
        ("10,50 Mt", 10.5e6, "t"),
        ("1e10 t", 1e10, "t"),
        ("2 GWh", 2e3, "MWh"),
        ("10\u00a0Mt", 10e6, "t"),
    ],
)
def test_parse_quantity_ok(text, value, unit):
    v, u = parse_quantity(text)
    assert (v, u) == (pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("1e400 Mt", "finite"),  # overflowed to inf
        ("1e308 Mt", "finite"),  # finite number, inf after the prefix
        ("1" * 400 + " t", "finite"),
        ("1.1e4 Mt", "at most"),
        ("nan Mt", "a number and a unit"),
        ("NaN t", "a number and a unit"),
        ("inf t", "a number and a unit"),
        ("-inf Mt", "a number and a unit"),
        ("-5 Mt", "> 0"),
        ("-0 t", "> 0"),
        ("1e-400 t", "> 0"),
        ("", "a number and a unit"),
        ("   ", "a number and a unit"),
        ("Mt", "a number and a unit"),
        ("10", "unknown unit '(none)'"),
        ("10 Mtt", "unknown unit 'Mtt'"),
        ("10 mt", "unknown unit 'mt'"),
        ("10 MT", "unknown unit 'MT'"),
        ("10 Gt", "unknown unit 'Gt'"),
        ("10 kTEUs", "unknown unit 'kTEUs'"),
        ("10 kMWh", "unknown unit 'kMWh'"),
        ("1,000 t", "ambiguous"),  # 1000 or 1.000? not guessed
        ("12,345 Mt", "ambiguous"),
        ("1,000.5 t", "a number and a unit"),
        ("10Mt;DROP TABLE plans", "a number and a unit"),
        ("<b>10</b> Mt", "a number and a unit"),
        ("0x10 t", "a number and a unit"),
        ("\u0661\u0660 Mt", "a number and a unit"),
    ],
)
def test_parse_quantity_refuses(text, needle):
    with pytest.raises(DataError) as e:
        parse_quantity(text, what="--target")
    assert needle in str(e.value)
    assert e.value.issues[0].file == "--target"


def test_parse_quantity_bound_is_the_demand_bound():
    from titr.flows.demand import MAX_QTY

    assert MAX_QTY == MAX_QUANTITY
    assert math.isfinite(parse_quantity(f"{MAX_QUANTITY:g} t")[0])

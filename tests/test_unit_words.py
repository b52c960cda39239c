"""Quantity unit words in ru, tr and en read as the unit symbols."""

from __future__ import annotations

import pytest

from titr.errors import DataError
from titr.graph.units import parse_quantity
from titr.unit_words import normalise_quantity

OK = [
    ("10Mt", 10e6, "t"),
    ("10 Мт", 10e6, "t"),
    ("10 мт", 10e6, "t"),
    ("10 млн т", 10e6, "t"),
    ("10 млн. т", 10e6, "t"),
    ("10,5 млн тонн", 10.5e6, "t"),
    ("11 миллионов тонн", 11e6, "t"),
    ("10 milyon ton", 10e6, "t"),
    ("10 Milyon Ton", 10e6, "t"),
    ("500 bin ton", 500e3, "t"),
    ("11 million tonnes", 11e6, "t"),
    ("850 тыс. т", 850e3, "t"),
    ("300 тыс. ДФЭ", 300e3, "TEU"),
    ("2 млн ДФЭ", 2e6, "TEU"),
    ("120 bin TEU", 120e3, "TEU"),
    ("12 тонн", 12.0, "t"),
    ("4.5e6 t", 4.5e6, "t"),
    ("10\u00a0млн\u00a0т", 10e6, "t"),
]


@pytest.mark.parametrize(("text", "value", "unit"), OK)
def test_words_read_as_units(text: str, value: float, unit: str) -> None:
    v, u = parse_quantity(text)
    assert u == unit and v == pytest.approx(value)


BAD = ["млн т", "ten Mt", "10 parsecs", "10 млрд т", "-5 млн т", "0 Мт", "", "10 млн", "Мт 10"]


@pytest.mark.parametrize("text", BAD)
def test_bad_quantities_still_fail(text: str) -> None:
    with pytest.raises(DataError):
        parse_quantity(text)


def test_other_text_passes_unchanged() -> None:
    assert normalise_quantity("10 parsecs") == "10 parsecs"
    assert normalise_quantity("10 млн т") == "10Mt"

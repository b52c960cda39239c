"""Plural-aware lookup and CLDR number, percent, unit and currency formatting (titr.web.i18n)."""

from __future__ import annotations

import pytest

from titr.web.i18n import (
    LANGUAGES,
    currency_affixes,
    format_count,
    format_number,
    format_percent_value,
    format_quantity,
    js_plurals,
    locale_conventions,
    ngettext_for,
    plural_categories,
    plural_index,
)
from titr.web.strings import JS_MESSAGES, JS_PLURALS

NB = "\u00a0"
REPS = ("{n} replication", "{n} replications")
YEARS = ("Readiness spread: {n} year", "Readiness spread: {n} years")


@pytest.mark.parametrize(
    ("n", "ru"),
    [
        (1, "1\u00a0прогон"),
        (2, "2\u00a0прогона"),
        (4, "4\u00a0прогона"),
        (5, "5\u00a0прогонов"),
        (11, "11\u00a0прогонов"),
        (12, "12\u00a0прогонов"),
        (21, "21\u00a0прогон"),
        (22, "22\u00a0прогона"),
        (25, "25\u00a0прогонов"),
        (101, "101\u00a0прогон"),
        (111, "111\u00a0прогонов"),
        (1000, "1\u00a0000\u00a0прогонов"),
        (1.5, "1,5\u00a0прогона"),
    ],
)
def test_russian_counts_take_one_few_many(n: float, ru: str) -> None:
    assert format_count("ru", *REPS, n) == ru


def test_years_in_every_language() -> None:
    assert [format_count("ru", *YEARS, n) for n in (1, 3, 0)] == [
        f"Разброс сроков готовности: 1{NB}год",
        f"Разброс сроков готовности: 3{NB}года",
        f"Разброс сроков готовности: 0{NB}лет",
    ]
    assert format_count("tr", *YEARS, 5) == f"Devreye giriş aralığı: 5{NB}yıl"
    assert format_count("en", *YEARS, 1) == "Readiness spread: 1 year"
    assert format_count("en", *YEARS, 2) == "Readiness spread: 2 years"


def test_plural_categories_follow_the_catalogue_header() -> None:
    assert plural_categories("ru") == {"one": 0, "few": 1, "many": 2, "other": 1}
    assert plural_categories("tr") == {"one": 0, "other": 1}
    assert plural_categories("en") == {"one": 0, "other": 1}
    assert [plural_index("ru", n) for n in (1, 2, 5, 0.5)] == [0, 1, 2, 1]
    assert ngettext_for("tr", *REPS, 1) == "{n}\u00a0tekrar"


def test_the_page_gets_every_plural_with_all_its_forms() -> None:
    for lang, forms in (("en", 2), ("ru", 3), ("tr", 2)):
        p = js_plurals(lang)
        assert set(p) == {s for s, _ in JS_PLURALS}
        assert all(len(v) == forms and all("{n}" in f for f in v) for v in p.values())
        assert locale_conventions(lang)["plural_categories"] == plural_categories(lang)
    # a counted message is never also a plain one
    assert not {s for s, _ in JS_PLURALS} & set(JS_MESSAGES)


def test_numbers_percent_units_per_locale() -> None:
    assert (
        format_number(4.484, "tr", 3) == "4,484"
    )  # not 4.484, which a Turkish reader reads as thousands
    assert format_number(11000, "ru") == "11\u00a0000"
    assert format_percent_value(0.25, "ru") == "25\u00a0%"
    assert format_percent_value(0.95, "tr") == "%95"
    assert format_percent_value(0.255, "en", 1) == "25.5%"
    assert format_quantity(11000, "км", "ru") == "11\u00a0000\u00a0км"
    assert format_quantity(4.484, "milyon ton", "tr", 3) == "4,484\u00a0milyon ton"


def test_currency_sign_where_the_locale_puts_it() -> None:
    assert currency_affixes("ru") == ["", "\u00a0$"]
    assert currency_affixes("tr") == ["$", ""]  # CLDR tr: ¤#,##0.00, as Intl puts it on the page
    assert currency_affixes("en") == ["$", ""]
    for lang in LANGUAGES:
        assert locale_conventions(lang)["d3_number"]["currency"] == currency_affixes(lang)

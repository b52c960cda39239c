"""Languages of the dashboard: gettext catalogues (Babel .po/.mo under `locale/`) for the
templates (jinja2.ext.i18n) and for the strings the JavaScript shows, plus CLDR conventions
(number symbols, country names, dates) from Babel.

English is the source language: its msgids are the English text, so it needs no catalogue.
"""

from __future__ import annotations

import datetime as dt
import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from babel.support import Translations

from titr.web.strings import JS_MESSAGES

LANGUAGES: tuple[str, ...] = ("en", "ru", "tr")
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "ru": "Русский", "tr": "Türkçe"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (NullTranslations for English, the source language)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language '{lang}' is not one of {', '.join(LANGUAGES)}")
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise FileNotFoundError(f"missing compiled catalogue {mo}")
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def js_strings(lang: str) -> dict[str, str]:
    """Every string the JavaScript shows, keyed by its English msgid, in `lang`."""
    tr = translations(lang)
    return {m: tr.gettext(m) for m in JS_MESSAGES}


def best_language(accept_language: str | None) -> str:
    """Pick en/ru/tr from an Accept-Language header (q-values honoured); default en."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    prefs: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            k, _, v = p.strip().partition("=")
            if k == "q":
                try:
                    q = float(v)
                except ValueError:
                    q = 0.0
        prefs.append((-q, i, tag.strip().lower().split("-")[0]))
    for negq, _i, tag in sorted(prefs):
        if tag in LANGUAGES and negq < 0:
            return tag
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def locale_conventions(lang: str) -> dict[str, Any]:
    """CLDR conventions handed to the page: d3/vega number locale, country names, language
    names. Grouping: CLDR pattern '#,##0.###' → groups of 3 for all three languages."""
    loc = Locale.parse(lang)
    sym = loc.number_symbols.get("latn", loc.number_symbols)
    decimal, group = sym["decimal"], sym["group"]
    countries = {k: v for k, v in loc.territories.items() if len(k) == 2 and k.isalpha()}
    return {
        "bcp47": lang,
        "d3_number": {
            "decimal": decimal,
            "thousands": group,
            "grouping": [3],
            "currency": ["", "\u00a0$"] if lang != "en" else ["$", ""],
        },
        "countries": countries,
        "language_names": {code: loc.languages.get(code, code) for code in LANGUAGES},
    }


def format_number(value: float, lang: str, digits: int = 0) -> str:
    """A number with the CLDR grouping and decimal symbols of `lang` (1 234 567,5 in ru)."""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=lang)


def format_day(day: dt.date, lang: str) -> str:
    """A date in the CLDR 'long' format of `lang` (22 ноября 2026 г.)."""
    return format_date(day, format="long", locale=lang)

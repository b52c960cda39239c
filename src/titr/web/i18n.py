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
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from titr.web.strings import JS_MESSAGES, JS_PLURALS

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


# ---- plural forms -------------------------------------------------------------------------
# A count is shown through the catalogue's plural forms (msgid_plural / msgstr[i]). The
# gettext index of a number is taken from its CLDR plural category (Babel on the server,
# Intl.PluralRules in the browser), so Python and JavaScript pick the same form:
#   ru one/few/many → msgstr[0]/[1]/[2] (1 год, 2 года, 5 лет), tr and en one/other → [0]/[1].
# A category that only fractions reach (ru "other": 1,5) takes the form named here: in
# Russian a decimal fraction governs the genitive singular, the "few" form (1,5 года).
_FRACTION_FORM = {"ru": "few"}
_SAMPLE_INTEGERS = range(0, 1000)


def _gettext_index(lang: str, n: int) -> int:
    """The index the catalogue's own Plural-Forms formula gives for the integer `n`."""
    tr = translations(lang)
    plural = getattr(tr, "plural", None)
    if plural is None:  # English, the source language: msgid (one) / msgid_plural (other)
        return 0 if n == 1 else 1
    return int(plural(n))


@lru_cache(maxsize=len(LANGUAGES))
def plural_categories(lang: str) -> dict[str, int]:
    """CLDR plural category → index of the catalogue's plural forms, for `lang`.

    Derived from the catalogue's Plural-Forms formula on the integers 0–999; a disagreement
    between that formula and CLDR (a wrong catalogue header) is an error, not a guess."""
    rule = Locale.parse(lang).plural_form
    out: dict[str, int] = {}
    for n in _SAMPLE_INTEGERS:
        cat, idx = rule(n), _gettext_index(lang, n)
        if out.setdefault(cat, idx) != idx:
            raise ValueError(
                f"{lang}: the catalogue's Plural-Forms puts {n} in form {idx}, but CLDR "
                f"category '{cat}' already maps to form {out[cat]}"
            )
    for cat in rule.tags | {"other"}:
        if cat not in out:
            out[cat] = out[_FRACTION_FORM.get(lang, "other")]
    return out


def plural_index(lang: str, n: float) -> int:
    """Index of the plural form for the number `n` (integers and fractions) in `lang`."""
    return plural_categories(lang)[Locale.parse(lang).plural_form(n)]


def ngettext_for(lang: str, singular: str, plural: str, n: float) -> str:
    """The catalogue's form of a counted message for `n` (not yet formatted)."""
    tr = translations(lang)
    if lang == DEFAULT_LANGUAGE:
        return singular if plural_index(lang, n) == 0 else plural
    forms = [tr.ngettext(singular, plural, k) for k in _form_representatives(lang)]
    return forms[plural_index(lang, n)]


@lru_cache(maxsize=len(LANGUAGES))
def _form_representatives(lang: str) -> tuple[int, ...]:
    """One integer per plural form of the catalogue (the smallest that selects it)."""
    reps: dict[int, int] = {}
    for n in _SAMPLE_INTEGERS:
        reps.setdefault(_gettext_index(lang, n), n)
    return tuple(reps[i] for i in sorted(reps))


def format_count(lang: str, singular: str, plural: str, n: float, **kw: Any) -> str:
    """A counted message in `lang` with `{n}` formatted per locale: "5 прогонов", "5 tekrar"."""
    digits = 0 if float(n).is_integer() else 1
    return ngettext_for(lang, singular, plural, n).format(n=format_number(n, lang, digits), **kw)


def js_plurals(lang: str) -> dict[str, list[str]]:
    """Every counted message the JavaScript shows: English singular → the forms in `lang`."""
    out: dict[str, list[str]] = {}
    for singular, plural in JS_PLURALS:
        if lang == DEFAULT_LANGUAGE:
            out[singular] = [singular, plural]
        else:
            tr = translations(lang)
            out[singular] = [tr.ngettext(singular, plural, n) for n in _form_representatives(lang)]
    return out


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
            "currency": currency_affixes(lang),
            "percent": sym.get("percentSign", "%"),
        },
        "countries": countries,
        "language_names": {code: loc.languages.get(code, code) for code in LANGUAGES},
        "plural_categories": plural_categories(lang),
    }


NBSP = "\u00a0"


def currency_affixes(lang: str, symbol: str = "$") -> list[str]:
    """[prefix, suffix] of a currency amount in the CLDR standard pattern of `lang`, the
    way d3-format wants them: en ["$", ""], tr ["$", ""], ru ["", "\u00a0$"]."""
    pattern = Locale.parse(lang).currency_formats["standard"].pattern.split(";")[0]
    sign = pattern.find("¤")
    digits = [i for i, c in enumerate(pattern) if c in "#0"]
    if sign < 0 or not digits:
        raise ValueError(f"{lang}: the CLDR currency pattern {pattern!r} is not sign + number")
    if sign > digits[-1]:  # number first: "#,##0.00 ¤"
        gap = pattern[digits[-1] + 1 : sign].strip(".0#")
        return ["", (NBSP if gap.isspace() else "") + symbol]
    gap = pattern[sign + 1 : digits[0]].replace("#", "").replace(",", "")
    return [symbol + (NBSP if gap.isspace() else ""), ""]


def format_number(value: float, lang: str, digits: int = 0) -> str:
    """A number with the CLDR grouping and decimal symbols of `lang` (1 234 567,5 in ru)."""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=fmt, locale=lang)


def format_percent_value(share: float, lang: str, digits: int = 0) -> str:
    """A share as a percentage in `lang`: "25 %" (ru, non-breaking), "%25" (tr), "25%" (en)."""
    fmt = "#,##0" + ("." + "0" * digits if digits else "")
    pattern = Locale.parse(lang).percent_formats[None].pattern.replace("#,##0", fmt, 1)
    return format_percent(share, format=pattern, locale=lang).replace(" ", NBSP)


def format_quantity(value: float, unit: str, lang: str, digits: int = 0) -> str:
    """A number and its (already translated) unit joined by a non-breaking space."""
    return f"{format_number(value, lang, digits)}{NBSP}{unit}"


def format_day(day: dt.date, lang: str) -> str:
    """A date in the CLDR 'long' format of `lang` (22 ноября 2026 г.)."""
    return format_date(day, format="long", locale=lang)

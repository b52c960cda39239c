"""Maintain the dashboard's gettext catalogues with Babel.

    python -m titr.web.catalog update    # extract msgids → locale/messages.pot, merge into .po
    python -m titr.web.catalog compile   # .po → .mo (the compiled files are committed)
    python -m titr.web.catalog check     # exit 1 when a msgid lacks a translation or a .mo is stale

Sources of msgids: the Jinja2 templates (`_()`, `{% trans %}`) and `strings.py` (`N_()`, the
strings the JavaScript shows; `NP_()`, its counted messages with their plural forms). English
is the source language and needs no catalogue.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from titr.web.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, LOCALE_DIR

WEB_DIR = Path(__file__).resolve().parent
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


def extract() -> Catalog:
    """Every msgid of the templates and of strings.py, with its locations."""
    cat = Catalog(project="titr", domain=DOMAIN, fuzzy=False)
    for tpl in sorted((WEB_DIR / "templates").glob("*.html")):
        for lineno, msg, _comments, _ctx in extract_from_file(
            "jinja2.ext:babel_extract", str(tpl), options={"extensions": "jinja2.ext.i18n"}
        ):
            cat.add(msg, locations=[(f"templates/{tpl.name}", lineno)])
    for lineno, msg, _comments, _ctx in extract_from_file(
        "python", str(WEB_DIR / "strings.py"), keywords={"N_": None, "NP_": (1, 2)}
    ):
        cat.add(msg, locations=[("strings.py", lineno)])
    return cat


_JS_CALL = re.compile(r'\bt\("((?:[^"\\]|\\.)*)"')
_JS_PLURAL_CALL = re.compile(r'\btn\("((?:[^"\\]|\\.)*)"')


def js_msgids(pattern: re.Pattern[str] = _JS_CALL) -> list[str]:
    """String literals passed to `t("...")` (or `tn("...")`) in the dashboard's JavaScript."""
    out: list[str] = []
    for js in sorted((WEB_DIR / "static" / "js").glob("*.js")):
        for m in pattern.findall(js.read_text(encoding="utf-8")):
            if m not in out:
                out.append(m)
    return out


def js_plural_msgids() -> list[str]:
    """Singular msgids passed to `tn("...", n)` in the dashboard's JavaScript."""
    return js_msgids(_JS_PLURAL_CALL)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def update() -> None:
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as f:
        write_po(f, template, omit_header=False, sort_output=True, width=100)
    for lang in TRANSLATED:
        p = po_path(lang)
        p.parent.mkdir(parents=True, exist_ok=True)
        cat = read_catalog(lang) if p.exists() else Catalog(locale=lang, domain=DOMAIN)
        cat.update(template, no_fuzzy_matching=True)
        cat.fuzzy = False
        with p.open("wb") as f:
            write_po(f, cat, sort_output=True, width=100, ignore_obsolete=True)


def compile_all() -> None:
    for lang in TRANSLATED:
        cat = read_catalog(lang)
        with po_path(lang).with_suffix(".mo").open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)


def _key(x: str | tuple[str, ...] | list[str] | None) -> str | tuple[str, ...]:
    """A msgid or msgstr as a hashable value (a plural entry's forms as a tuple; one whose
    forms are all empty as the empty tuple, like an untranslated singular)."""
    if x is None or isinstance(x, str):
        return x or ""
    return tuple(x) if any(x) else ()


def problems() -> list[str]:
    """Untranslated or fuzzy msgids, and compiled catalogues that differ from their .po."""
    from titr.web.strings import JS_MESSAGES, JS_PLURALS

    out = [
        f"strings.py: JS_MESSAGES lacks {m!r} (used by t() in static/js)"
        for m in js_msgids()
        if m not in JS_MESSAGES
    ]
    singulars = {s for s, _p in JS_PLURALS}
    out += [
        f"strings.py: JS_PLURALS lacks {m!r} (used by tn() in static/js)"
        for m in js_plural_msgids()
        if m not in singulars
    ]
    wanted = {m.id for m in extract() if m.id}
    for lang in TRANSLATED:
        cat = read_catalog(lang)
        have = {m.id: m for m in cat if m.id}
        for mid in sorted(wanted, key=str):
            m = have.get(mid)
            forms = m.string if m is not None and isinstance(m.string, tuple) else (m and m.string,)
            if m is None or not all(forms) or m.fuzzy:
                out.append(f"{po_path(lang)}: no translation of {mid!r}")
            elif isinstance(mid, tuple) and len(forms) != cat.num_plurals:
                out.append(
                    f"{po_path(lang)}: {mid[0]!r} has {len(forms)} forms, the language has "
                    f"{cat.num_plurals}"
                )
        buf = io.BytesIO()
        write_mo(buf, cat, use_fuzzy=False)
        mo = po_path(lang).with_suffix(".mo")
        if not mo.is_file():
            out.append(f"{mo}: missing (run python -m titr.web.catalog compile)")
            continue
        with mo.open("rb") as f:
            compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
        expected = {
            _key(m.id): _key(m.string) for m in cat if m.id and _key(m.string) and not m.fuzzy
        }
        if compiled != expected:
            out.append(f"{mo}: stale (run python -m titr.web.catalog compile)")
    return out


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "update":
        update()
    elif cmd == "compile":
        compile_all()
    elif cmd == "check":
        issues = problems()
        for i in issues:
            print(i, file=sys.stderr)
        return 1 if issues else 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

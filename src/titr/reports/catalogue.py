"""The report's gettext domain `reports` (web/locale/<lang>/LC_MESSAGES/reports.po|mo).

    python -m titr.reports.catalogue check     # exit 1 if a msgid lacks a translation / .mo stale
    python -m titr.reports.catalogue compile   # .po -> .mo (the compiled files are committed)

Msgids: every `_("...")` in the report template and the label tables of `render`."""

from __future__ import annotations

import io
import re
import sys

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from titr.reports import render
from titr.web.i18n import LANGUAGES, LOCALE_DIR

DOMAIN = "reports"
_CALL = re.compile(r'_\("((?:[^"\\]|\\.)*)"')


def msgids() -> set[str]:
    ids = set(_CALL.findall((render.TEMPLATES / "report.html.j2").read_text(encoding="utf-8")))
    for table in (
        render.COMPONENT_NAMES,
        render.CORRIDOR_NAMES,
        render.INPUT_NAMES,
        render.PARAMETER_NAMES,
        render.PARTY_NAMES,
        render.UNIT_NAMES,
    ):
        ids |= set(table.values())
    from titr.appraisal.adapt_planning import TRAFFIC_SOURCE

    ids.add(TRAFFIC_SOURCE)
    return ids


def problems() -> list[str]:
    out = []
    for lang in LANGUAGES:
        if lang == "en":
            continue
        d = LOCALE_DIR / lang / "LC_MESSAGES"
        with (d / f"{DOMAIN}.po").open("rb") as f:
            po = read_po(f, locale=lang, domain=DOMAIN)
        for m in sorted(msgids()):
            if m not in po or not po[m].string:
                out.append(f"{lang}: no translation for {m!r}")
        with (d / f"{DOMAIN}.mo").open("rb") as f:
            mo = read_mo(f)
        for msg in po:
            if msg.id and msg.string and (msg.id not in mo or mo[msg.id].string != msg.string):
                out.append(f"{lang}: {DOMAIN}.mo is stale (run compile)")
                break
    return out


def compile_all() -> None:
    for lang in LANGUAGES:
        if lang == "en":
            continue
        d = LOCALE_DIR / lang / "LC_MESSAGES"
        with (d / f"{DOMAIN}.po").open("rb") as f:
            po = read_po(f, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, po)
        (d / f"{DOMAIN}.mo").write_bytes(buf.getvalue())


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else "check"
    if cmd == "compile":
        compile_all()
    probs = problems()
    for p in probs:
        print(p)
    sys.exit(1 if probs else 0)

"""Problem details in the reader's language.

The domain raises its errors in English (the CLI's and the logs' language). For the API, the
problem's `title` and, when it is made of known sentences, its `detail` are translated through
the same Babel catalogues as the dashboard (`titr.web.locale`). The language is the `lang`
query parameter, else the first of ru/tr/en in `Accept-Language`, else English.

A detail is translated only when every sentence of it matches one of the message templates
below ("no place is called '{query}'."); otherwise it stays English rather than half
translated. Placeholders keep what the user typed and the names the resolver suggested.
"""

from __future__ import annotations

import re
from functools import lru_cache

from titr.web.strings import N_

LANGS = ("en", "ru", "tr")

TITLES: tuple[str, ...] = (
    N_("not found"),
    N_("invalid data"),
    N_("no admissible route"),
    N_("infeasible"),
    N_("too many running jobs"),
    N_("dataset exists"),
    N_("cancelled"),
    N_("bad request"),
)

DETAILS: tuple[str, ...] = (
    N_("no place is called '{query}'."),
    N_("Did you mean: {names}?"),
    N_("'{query}' names several places; say which one: {names}."),
    N_("an empty place name matches nothing"),
    N_("unknown country '{value}'; the dataset's countries are {countries}."),
)


def request_lang(query_lang: str | None, accept_language: str | None) -> str:
    """ru, tr or en from `?lang=` or the Accept-Language header (q-values honoured)."""
    if query_lang:
        code = query_lang.strip().lower()[:2]
        if code in LANGS:
            return code
    best: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        bits = part.strip().split(";")
        code = bits[0].strip().lower()[:2]
        q = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        if code in LANGS:
            best.append((-q, i, code))
    return sorted(best)[0][2] if best else "en"


@lru_cache(maxsize=len(DETAILS))
def _pattern(msgid: str) -> re.Pattern[str]:
    out, pos = "", 0
    for m in re.finditer(r"\{(\w+)\}", msgid):
        out += re.escape(msgid[pos : m.start()]) + f"(?P<{m.group(1)}>.+?)"
        pos = m.end()
    return re.compile(r"\s*" + out + re.escape(msgid[pos:]))


def translate_detail(detail: str, lang: str) -> str:
    """`detail` in `lang` when all of it is made of known sentences; else `detail` itself."""
    if lang == "en" or not detail:
        return detail
    from titr.web.i18n import gettext_for

    rest, parts = detail, []
    while rest.strip():
        for msgid in DETAILS:
            m = _pattern(msgid).match(rest)
            # the match must end at a sentence end: the end, or a space before the next one
            if m and (m.end() == len(rest) or rest[m.end()] == " "):
                text = gettext_for(lang, msgid)
                parts.append(text.format(**m.groupdict()))
                rest = rest[m.end() :]
                break
        else:
            return detail
    return " ".join(parts)


def translate_title(title: str, lang: str) -> str:
    if lang == "en" or title not in TITLES:
        return title
    from titr.web.i18n import gettext_for

    return gettext_for(lang, title)

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
from typing import Any

from titr.web.strings import N_, NP_

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
    N_("unauthorized"),
)

DETAILS: tuple[str, ...] = (
    N_("no place is called '{query}'."),
    N_("Did you mean: {names}?"),
    N_("'{query}' names several places; say which one: {names}."),
    N_("an empty place name matches nothing"),
    N_("unknown country '{value}'; the dataset's countries are {countries}."),
    # api.deps.require_token: the dashboard's Simulation form shows these to its reader
    N_("this operation changes the store: send {header} (create one with {command})"),
    N_("the API token is unknown or revoked"),
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


# ---- route diagnostics and notes ------------------------------------------------------------
# The routing layer writes why no route exists (titr.routing.plan._diagnose) and which links
# have no tariff in English, with node codes. Here they are parsed back into their parts and
# written again in the reader's language: every node code or English name becomes the node's
# name, modes and corridors take the dashboard's labels, numbers the language's digits.
# A text that does not parse completely stays as it was.

ROUTE_MESSAGES: dict[str, str] = {
    "head": N_("no route from {origin} to {destination} for {commodity}"),
    "under": N_("under the restrictions: {restrictions}"),
    "via": N_("via {places}"),
    "unconnected": N_(
        "the network for commodity '{commodity}' does not connect them at all (no restriction "
        "is to blame)"
    ),
    "avoiding": N_("avoiding {what} blocks every route (without it the best route is {path})"),
    "corridor_gap": N_(
        "the links of corridor '{corridor}' do not connect {origin} and {destination}"
    ),
    "outside": N_("outside corridor '{corridor}' the best route is {path}"),
    "without_stop": N_("without the stop {place} the best route is {path}"),
    "combination": N_("no single restriction is to blame, their combination blocks every route"),
    "without_any": N_("without any restriction the best route is {path}"),
    "path": N_("{places} ({days}\u00a0days expected)"),
    "only_corridor": N_("only corridor '{corridor}'"),
    "k_country": N_("country {name}"),
    "k_node": N_("node {name}"),
    "k_link": N_("link {name}"),
    "k_passage": N_("passage {name}"),
    "k_corridor": N_("corridor {name}"),
    "tariff_one": N_("no tariff data for {links}: its cost is not included in the tariff"),
    "tariff_many": N_("no tariff data for {links}: their cost is not included in the tariff"),
    "excluded_origin": N_(
        "the origin {place} ({country}) is itself excluded by the restrictions ({restrictions})"
    ),
    "excluded_destination": N_(
        "the destination {place} ({country}) is itself excluded by the restrictions "
        "({restrictions})"
    ),
    "excluded_via": N_(
        "the stop {place} ({country}) is itself excluded by the restrictions ({restrictions})"
    ),
    "terminal_origin": N_(
        "origin {place} has no terminal for commodity '{commodity}': its links do not carry it"
    ),
    "terminal_destination": N_(
        "destination {place} has no terminal for commodity '{commodity}': its links do not carry it"
    ),
    "via_country": N_(
        "no place of country {country} can be passed: none carries commodity '{commodity}' or "
        "all are excluded by the restrictions"
    ),
    "no_tag": N_("the dataset has no link of corridor '{corridor}'"),
    "terminal_via": N_(
        "stop {place} has no terminal for commodity '{commodity}': its links do not carry it"
    ),
}

MODE_LABELS = {
    "rail_1520": N_("Rail, 1520 mm"),
    "rail_1435": N_("Rail, 1435 mm"),
    "ferry": N_("Ferry"),
    "sea": N_("Sea"),
    "road": N_("Road"),
    "pipeline": N_("Pipeline"),
    "power_cable": N_("Power cable"),
}
CORRIDOR_LABELS = {
    "middle": N_("Middle Corridor"),
    "northern": N_("Northern route"),
    "sea_suez": N_("Sea via Suez"),
    "sea_cape": N_("Sea via the Cape"),
    "iran": N_("Iran route"),
    "oil": N_("Oil"),
    "uranium": N_("Uranium"),
    "power": N_("Power"),
    "access": N_("Access"),
}

# sea passages as the links tag them (titr.routing.restrict: matched case-insensitively)
PASSAGE_LABELS = {
    "bab-el-mandeb": N_("Bab-el-Mandeb Strait"),
    "black sea": N_("Black Sea"),
    "bosphorus": N_("Bosphorus"),
    "cape": N_("Cape of Good Hope"),
    "caspian": N_("Caspian Sea"),
    "dardanelles": N_("Dardanelles"),
    "gibraltar": N_("Strait of Gibraltar"),
    "lake van": N_("Lake Van"),
    "malacca": N_("Strait of Malacca"),
    "suez": N_("Suez Canal"),
}

_NO_ROUTE = re.compile(
    r"no route from (?P<origin>\S+) to (?P<destination>\S+) for (?P<commodity>\S+)"
    r"(?: under: (?P<restrictions>.+?))?(?:; via (?P<vias>[^:;]+))?: (?P<why>.+)",
    re.S,
)
_TARIFF_NOTE = re.compile(
    r"no tariff data for (?P<links>.+): (?P<its>its|their) cost is not included in the tariff"
)
_EXCLUDED = re.compile(
    r"the (?P<role>origin|destination|via) (?P<place>\S+) \((?P<country>[A-Z]{2})\) is itself "
    r"excluded by the restrictions \((?P<restrictions>.+)\)"
)
_NO_TERMINAL = re.compile(
    r"(?P<role>origin|destination|via) (?P<place>\S+) has no terminal for commodity "
    r"'(?P<commodity>[^']+)': its links \([^)]*\) do not carry it"
)
_VIA_COUNTRY = re.compile(
    r"no place of country (?P<country>[A-Z]{2}) can be passed: none carries commodity "
    r"'(?P<commodity>[^']+)' or all are excluded by the restrictions"
)
_NO_TAG = re.compile(r"the dataset has no link tagged '(?P<corridor>[^']+)'")
_PATH = re.compile(r"(?P<places>\S+(?: → \S+)+) \((?P<days>[\d.]+) days expected\)")
_WHY: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"the network for commodity '(?P<commodity>[^']+)' does not connect them at all "
            r"\(no restriction is to blame\)"
        ),
        ROUTE_MESSAGES["unconnected"],
    ),
    (
        re.compile(
            r"avoiding (?P<what>\w+ .+?) blocks every route \(without it the best route is "
            r"(?P<path>.+)\)"
        ),
        ROUTE_MESSAGES["avoiding"],
    ),
    (
        re.compile(
            r"the links of corridor '(?P<corridor>[^']+)' \(its tags in the data\) do not "
            r"connect (?P<origin>\S+) and (?P<destination>\S+)"
        ),
        ROUTE_MESSAGES["corridor_gap"],
    ),
    (
        re.compile(r"outside corridor (?P<corridor>\S+) the best route is (?P<path>.+)"),
        ROUTE_MESSAGES["outside"],
    ),
    (
        re.compile(r"without via (?P<place>\S+) the best route is (?P<path>.+)"),
        ROUTE_MESSAGES["without_stop"],
    ),
    (
        re.compile(r"no single restriction is to blame, their combination blocks every route"),
        ROUTE_MESSAGES["combination"],
    ),
    (re.compile(r"without any the best route is (?P<path>.+)"), ROUTE_MESSAGES["without_any"]),
)
_KINDS = {
    "country": ROUTE_MESSAGES["k_country"],
    "node": ROUTE_MESSAGES["k_node"],
    "link": ROUTE_MESSAGES["k_link"],
    "passage": ROUTE_MESSAGES["k_passage"],
    "corridor": ROUTE_MESSAGES["k_corridor"],
}


class _Words:
    """Names of one network's places, links, modes and corridors in one language."""

    def __init__(self, net: Any, lang: str) -> None:
        from titr.web.i18n import gettext_for

        self.net, self.lang = net, lang
        self.gt = lambda m: gettext_for(lang, m)
        self.by_en: dict[str, str] = {}
        if net is not None:
            for nid, n in net.nodes.items():
                name = n.name(lang)
                self.by_en[nid] = name
                self.by_en.setdefault(n.name_en, name)

    def msg(self, msgid: str, **kw: str) -> str:
        return self.gt(msgid).format(**kw)

    def place(self, s: str) -> str:
        s = s.strip()
        if s in self.by_en or self.net is None:
            return self.by_en.get(s, s)
        from titr.network.places import places

        hits = places(self.net).find_nodes(s)  # a short name ("Aktau")
        return self.by_en[hits[0]] if len(hits) == 1 else s

    def commodity(self, c: str) -> str:
        com = getattr(self.net, "commodities", {}).get(c) if self.net is not None else None
        return com.name(self.lang) if com is not None else c

    def corridor(self, c: str) -> str:
        return self.gt(CORRIDOR_LABELS[c]) if c in CORRIDOR_LABELS else c

    def country(self, code: str) -> str:
        from titr.network.places import country_names

        return country_names(code, self.lang)

    def link(self, s: str) -> str:
        m = re.fullmatch(r"(?P<a>.+) – (?P<b>.+) \((?P<mode>\w+)\)", s.strip())
        if m is None:
            return s
        mode = self.gt(MODE_LABELS[m["mode"]]) if m["mode"] in MODE_LABELS else m["mode"]
        if self.lang == "ru":  # in running text; Turkish keeps the label as it is (İ/ı)
            mode = mode[:1].lower() + mode[1:]
        return f"{self.place(m['a'])} – {self.place(m['b'])} ({mode})"

    def path(self, s: str) -> str:
        m = _PATH.fullmatch(s.strip())
        if m is None:
            raise ValueError(s)
        from titr.web.i18n import format_number

        places = " → ".join(self.place(p) for p in m["places"].split(" → "))
        return self.msg(
            ROUTE_MESSAGES["path"],
            places=places,
            days=format_number(float(m["days"]), self.lang, 1),
        )

    def passage(self, p: str) -> str:
        label = PASSAGE_LABELS.get(p.strip().casefold())
        return self.gt(label) if label else p

    def restriction(self, part: str) -> str:
        part = part.strip()
        if part.startswith("only corridor "):
            return self.msg(ROUTE_MESSAGES["only_corridor"], corridor=self.corridor(part[14:]))
        kind, _, value = part.partition(" ")
        if kind not in _KINDS or not value:
            raise ValueError(part)
        name = {
            "country": self.country,
            "node": self.place,
            "corridor": self.corridor,
            "passage": self.passage,
        }.get(kind, lambda v: v)(value)
        if kind == "link" and self.net is not None:
            from titr.network.places import link_label

            name = self.link(link_label(self.net, value))
        return self.msg(_KINDS[kind], name=name)


def _why_part(w: _Words, part: str) -> str:
    for rx, msgid in _WHY:
        m = rx.fullmatch(part.strip())
        if m is None:
            continue
        kw = m.groupdict()
        out: dict[str, str] = {}
        for k, v in kw.items():
            if k == "path":
                out[k] = w.path(v)
            elif k in ("origin", "destination", "place"):
                out[k] = w.place(v)
            elif k == "commodity":
                out[k] = w.commodity(v)
            elif k == "corridor":
                out[k] = w.corridor(v)
            elif k == "what":
                out[k] = w.restriction(v)
            else:
                out[k] = v
        return w.msg(msgid, **out)
    raise ValueError(part)


def _split_why(why: str) -> list[str]:
    """The reasons of a diagnostic, joined by '; ' (titr.routing.plan._diagnose)."""
    return [p for p in why.split("; ") if p.strip()]


def translate_route_text(text: str, lang: str, net: Any = None) -> str:
    """A routing diagnostic or note in `lang` with names for codes; `text` itself when it is
    not one (or does not parse completely)."""
    if lang == "en" or not text:
        return text
    w = _Words(net, lang)
    try:
        m = _TARIFF_NOTE.fullmatch(text.strip())
        if m is not None:
            links = "; ".join(w.link(x) for x in m["links"].split("; "))
            msgid = (
                ROUTE_MESSAGES["tariff_one"] if m["its"] == "its" else ROUTE_MESSAGES["tariff_many"]
            )
            return w.msg(msgid, links=links)
        m = _EXCLUDED.fullmatch(text.strip())
        if m is not None:
            parts = ", ".join(w.restriction(p) for p in m["restrictions"].split(", "))
            return w.msg(
                ROUTE_MESSAGES["excluded_" + m["role"]],
                place=w.place(m["place"]),
                country=w.country(m["country"]),
                restrictions=parts,
            )
        m = _NO_TERMINAL.fullmatch(text.strip())
        if m is not None:
            return w.msg(
                ROUTE_MESSAGES["terminal_" + m["role"]],
                place=w.place(m["place"]),
                commodity=w.commodity(m["commodity"]),
            )
        m = _NO_TAG.fullmatch(text.strip())
        if m is not None:
            return w.msg(ROUTE_MESSAGES["no_tag"], corridor=w.corridor(m["corridor"]))
        m = _VIA_COUNTRY.fullmatch(text.strip())
        if m is not None:
            return w.msg(
                ROUTE_MESSAGES["via_country"],
                country=w.country(m["country"]),
                commodity=w.commodity(m["commodity"]),
            )
        m = _NO_ROUTE.fullmatch(text.strip())
        if m is None:
            return text
        head = w.msg(
            ROUTE_MESSAGES["head"],
            origin=w.place(m["origin"]),
            destination=w.place(m["destination"]),
            commodity=w.commodity(m["commodity"]),
        )
        if m["restrictions"]:
            parts = ", ".join(w.restriction(p) for p in m["restrictions"].split(", "))
            head += " " + w.msg(ROUTE_MESSAGES["under"], restrictions=parts)
        if m["vias"]:
            head += "; " + w.msg(
                ROUTE_MESSAGES["via"], places=", ".join(w.place(v) for v in m["vias"].split(", "))
            )
        return head + ": " + "; ".join(_why_part(w, p) for p in _split_why(m["why"]))
    except (ValueError, KeyError, IndexError):
        return text


def localise_text(text: str, lang: str, net: Any = None) -> str:
    """A server message in `lang`: a routing text (names for codes), else known sentences
    (translate_detail), else the text itself."""
    out = translate_route_text(text, lang, net)
    if out != text:
        return out
    out = translate_detail(text, lang)
    if out == text or net is None:
        return out
    # suggestions written "Name (CODE)" by the resolver in English: the names in `lang`
    nodes = net.nodes

    def relabel(m: re.Match[str]) -> str:
        node = nodes.get(m.group(2))
        return f"{node.name(lang)} ({m.group(2)})" if node is not None else m.group(0)

    return re.sub(r"(?<=[:;] )([^;:()]+(?: \([^()]*\))?) \(([A-Z]{2}_[A-Z0-9_]+)\)", relabel, out)


# ---- names from the data ----------------------------------------------------------------------
# Scenario titles, service names, operators and target owners are English in the data files;
# their translations are catalogue entries whose msgid is the English text (extracted by
# `python -m titr.web.catalog update` from the bundled files, see catalog.data_msgids).

DATA_KEYS = frozenset({"title", "owner", "operator", "service_name"})
MESSAGE_KEYS = frozenset({"notes", "reason"})


def data_text(text: str, lang: str) -> str:
    """A name from the data in `lang` (itself when the catalogue does not have it)."""
    if lang == "en" or not text:
        return text
    from titr.web.i18n import gettext_for

    return gettext_for(lang, text)


def localise_body(obj: Any, lang: str, net: Any = None) -> Any:
    """A JSON answer with its data names (DATA_KEYS) and messages (MESSAGE_KEYS) in `lang`;
    identifiers, numbers and other keys untouched."""
    if lang == "en":
        return obj
    if isinstance(obj, list):
        return [localise_body(x, lang, net) for x in obj]
    if not isinstance(obj, dict):
        return obj
    out: dict[str, Any] = {}
    for k, v in obj.items():
        if k in DATA_KEYS and isinstance(v, str):
            out[k] = data_text(v, lang)
        elif k in MESSAGE_KEYS and isinstance(v, str):
            out[k] = localise_text(v, lang, net)
        elif k in MESSAGE_KEYS and isinstance(v, list):
            out[k] = [localise_text(x, lang, net) if isinstance(x, str) else x for x in v]
        else:
            out[k] = localise_body(v, lang, net)
    return out


# ---- data errors ------------------------------------------------------------------------------
# A DataError's detail is "N errors in the data:" and one line per issue (titr.errors.Issue);
# the problem body also carries the issues themselves, from which the detail is written again
# in the reader's language. A rule without a translation keeps its English words.

DATA_ERRORS = NP_("{n} error in the data", "{n} errors in the data")
ISSUE_PARTS: dict[str, str] = {
    "row": N_("row {row}"),
    "column": N_("column '{column}'"),
    "value": N_("value '{value}'"),
    "query": N_("request"),
    "body": N_("request body"),
}
RULES: tuple[str, ...] = (
    N_("a quantity is a number and a unit, e.g. 10Mt, 11 Mt, 4.5e6 t, 300kTEU, 2TWh"),
)


def localise_data_errors(body: dict[str, Any], lang: str) -> dict[str, Any]:
    """A DataError problem's detail rebuilt in `lang` from its `errors` (others unchanged)."""
    from titr.web.i18n import format_count, gettext_for

    issues = body.get("errors")
    detail = body.get("detail")
    if lang == "en" or not isinstance(issues, list) or not isinstance(detail, str):
        return body
    m = re.match(r"(\d+) errors? in the data:", detail)
    if m is None:
        return body
    n = int(m.group(1))
    lines = []
    for i in issues:
        if not isinstance(i, dict):
            return body
        file = str(i.get("file") or "")
        where = [gettext_for(lang, ISSUE_PARTS[file]) if file in ISSUE_PARTS else file]
        if i.get("row") is not None:
            where.append(gettext_for(lang, ISSUE_PARTS["row"]).format(row=i["row"]))
        if i.get("column"):
            where.append(gettext_for(lang, ISSUE_PARTS["column"]).format(column=i["column"]))
        text = ", ".join(w for w in where if w)
        if i.get("value") is not None:
            text += " (" + gettext_for(lang, ISSUE_PARTS["value"]).format(value=i["value"]) + ")"
        rule = str(i.get("rule") or "")
        lines.append(f"  - {text}: {gettext_for(lang, rule) if rule in RULES else rule}")
    more = n - len(issues)
    head = format_count(lang, *DATA_ERRORS, n)
    out = dict(body)
    out["detail"] = head + ":\n" + "\n".join(lines) + (f"\n  … (+{more})" if more > 0 else "")
    return out

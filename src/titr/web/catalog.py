"""Maintain the dashboard's gettext catalogues with Babel.

    python -m titr.web.catalog update    # extract msgids → locale/messages.pot, merge into .po
    python -m titr.web.catalog compile   # .po → .mo (the compiled files are committed)
    python -m titr.web.catalog check     # exit 1 when a msgid lacks a translation or a .mo is stale
    python -m titr.web.catalog lint      # exit 1 on a quality rule broken (see lint())

Sources of msgids: the Jinja2 templates (`_()`, `{% trans %}`), `strings.py` (`N_()`, the
strings the JavaScript shows; `NP_()`, its counted messages with their plural forms), the
server messages of `titr.api.localise` (`N_()`), the CLI's texts (`T_()` in titr/cli) and the
names from the bundled data that the API translates (`data_msgids`). English
is the source language and needs no catalogue.
"""

from __future__ import annotations

import csv
import dataclasses
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
    # server messages the API translates (problem titles and details): titr.api.localise
    api_msgs = WEB_DIR.parent / "api" / "localise.py"
    for lineno, msg, _comments, _ctx in extract_from_file(
        "python", str(api_msgs), keywords={"N_": None, "NP_": (1, 2)}
    ):
        cat.add(msg, locations=[("../api/localise.py", lineno)])
    # CLI texts: T_() in titr/cli (titr.cli.app.T_)
    for py in sorted((WEB_DIR.parent / "cli").glob("*.py")):
        for lineno, msg, _comments, _ctx in extract_from_file(
            "python", str(py), keywords={"T_": None}
        ):
            cat.add(msg, locations=[(f"../cli/{py.name}", lineno)])
    for msg, where in data_msgids():
        if msg not in cat:
            cat.add(msg, locations=[(where, 0)])
    return cat


DATA_PREFIX = "data/"
# An operator named with one of these words is a description ("Aktau port", "World Bank
# estimate") that a reader needs in their language; one without is a company by its own name
# or code (KTZ, PKP Cargo), the same in every language. Target owners are all translated but
# bare codes (ADY, KTZ).
COMMON_WORDS = frozenset(
    [
        "port",
        "ports",
        "railway",
        "railways",
        "customs",
        "terminal",
        "carriers",
        "liner",
        "feeder",
        "estimate",
        "tankers",
        "bank",
        "government",
        "ministry",
        "minister",
        "president",
        "summit",
        "agreement",
        "governments",
        "director",
        "adviser",
        "study",
        "roadmap",
        "energy",
        "finance",
        "transport",
        "projections",
        "citing",
        "presidential",
        "via",
        "lake",
        "ferry",
        "consolidation",
        "chartered",
        "vessels",
        "of",
        "and",
        "china",
        "uzbekistan",
        "global",
    ]
)


def _described(name: str) -> bool:
    return any(w.lower() in COMMON_WORDS for w in re.findall(r"[A-Za-z]+", name))


def data_msgids() -> list[tuple[str, str]]:
    """English names from the bundled data that the API shows in the reader's language:
    demand and policy scenario titles, service names, target owners and descriptive operator
    names, each with the file it comes from (a location under data/)."""
    import json
    import tomllib

    root = WEB_DIR.parent
    out: list[tuple[str, str]] = []
    manifest = json.loads((root / "flows" / "scenarios" / "manifest.json").read_text("utf-8"))
    out += [(sc["title"], "data/flows/scenarios/manifest.json") for sc in manifest["scenarios"]]
    for toml in sorted((root / "choice" / "data" / "scenarios").glob("*.toml")):
        title = tomllib.loads(toml.read_text("utf-8")).get("title")
        if title:
            out.append((title, f"data/choice/scenarios/{toml.name}"))
    for d in sorted(p for p in DATASETS_DIR.iterdir() if p.is_dir()):
        for table, column, keep in (
            ("services", "name", lambda v: True),
            ("targets", "owner", lambda v: not v.replace("/", " ").replace(" ", "").isupper()),
            ("tariffs", "operator", _described),
        ):
            path = d / f"{table}.csv"
            if not path.is_file():
                continue
            with path.open(encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    v = (r.get(column) or "").strip()
                    if v and keep(v):
                        out.append((v, f"data/{d.name}/{table}.csv"))
    return list(dict.fromkeys(out))


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


# ---- lint: the quality rules of the ru/tr text (catalogues and dataset names) --------------

GLOSSARY = WEB_DIR / "glossary.csv"
DATASETS_DIR = WEB_DIR.parent / "network" / "datasets"
GLOSSARY_COLUMNS = (
    "term", "scope", "en", "ru", "tr", "en_match", "ru_match", "tr_match", "ru_avoid",
    "tr_avoid", "usage",
)  # fmt: skip
NBSP = "\u00a0"

# Latin words that may stay in Russian text: codes, units and brand names.
RU_LATIN_ALLOWED = frozenset(
    [
        "API",
        "USD",
        "TEU",
        "FEU",
        "STS",
        "APMT",
        "AD",
        "Ports",
        "PTC",
        "Holding",
        "Ro-Pax",
        "Natural",
        "Earth",
        "titr",
        "p10",
        "p90",
        "CO",
    ]
)
# English words that never occur in Turkish text (Turkish shares Latin letters, so English
# left in a Turkish string is found by its words).
EN_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "or",
        "per",
        "by",
        "with",
        "without",
        "via",
        "for",
        "from",
        "to",
        "in",
        "on",
        "at",
        "into",
        "is",
        "are",
        "no",
        "not",
        "days",
        "day",
        "years",
        "year",
        "hours",
        "cargo",
        "rail",
        "railway",
        "port",
        "road",
        "sea",
        "price",
        "cost",
        "share",
        "rate",
        "run",
        "node",
        "nodes",
        "place",
        "places",
        "flow",
        "tariff",
        "border",
        "loading",
        "unloading",
        "ship",
        "ships",
        "train",
        "trains",
        "container",
        "containers",
        "phase",
        "upgrade",
        "line",
        "second",
        "track",
        "new",
        "oil",
        "crude",
        "power",
        "demand",
        "waiting",
        "time",
        "series",
        "source",
        "sources",
        "value",
        "target",
        "targets",
        "segment",
        "segments",
        "capacity",
        "shipment",
        "shipments",
        "dataset",
        "route",
        "routes",
        "corridor",
        "corridors",
        "planner",
        "simulation",
        "replications",
    ]
)
# proper names that contain English words (stripped before looking for English)
PROPER_NAMES = ("Port Said", "AD Ports", "PTC Holding", "Natural Earth", "PKP Cargo")
# msgids whose Turkish text is rightly the same word (units, loan words, codes).
TR_SAME_ALLOWED = frozenset({"km", "kg", "Terminal", "Port", "h", "TEU", "MW"})
# a number (or a {placeholder}) and a unit: the gap must be a non-breaking space
UNITS = {
    "en": r"%|km|mm|kg|Mt|TEU|FEU|t/yr|h",
    "ru": r"%|км|мм|кг|м|т|ч|сут\.|г\.|млн|тыс\.|ДФЭ|TEU|FEU|т/год",
    "tr": r"km|mm|kg|m|sa|gün|yıl|milyon|bin|TEU|FEU|ton|t/yıl",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class GlossaryError(ValueError):
    """A malformed glossary row (names the row and the rule)."""


@dataclasses.dataclass(frozen=True)
class Term:
    term: str
    scope: str  # "term" (catalogues, project and commodity names) | "place" (also node names)
    en: str
    ru: str
    tr: str
    en_match: re.Pattern[str]
    match: dict[str, re.Pattern[str]]
    avoid: dict[str, re.Pattern[str] | None]
    usage: str


def read_glossary(path: Path = GLOSSARY) -> list[Term]:
    """The terminology glossary: one row per established term (en/ru/tr, how to recognise
    each, forms to avoid, source of the usage)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
        header = tuple(rows[0].keys()) if rows else ()
    if header != GLOSSARY_COLUMNS:
        raise GlossaryError(f"{path}: columns must be {', '.join(GLOSSARY_COLUMNS)}")
    out: list[Term] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        where = f"{path.name}:{i} ({r['term']})"
        if not r["term"] or r["term"] in seen:
            raise GlossaryError(f"{where}: term id empty or repeated")
        seen.add(r["term"])
        if r["scope"] not in ("term", "place"):
            raise GlossaryError(f"{where}: scope must be term or place")
        for col in ("en", "ru", "tr", "en_match", "ru_match", "tr_match"):
            if not r[col].strip():
                raise GlossaryError(f"{where}: {col} is empty")
        try:
            pats = {
                c: re.compile(r[c], re.IGNORECASE) if r[c] else None
                for c in ("en_match", "ru_match", "tr_match", "ru_avoid", "tr_avoid")
            }
        except re.error as e:
            raise GlossaryError(f"{where}: bad pattern: {e}") from None
        term = Term(
            term=r["term"],
            scope=r["scope"],
            en=r["en"],
            ru=r["ru"],
            tr=r["tr"],
            en_match=pats["en_match"],  # type: ignore[arg-type]
            match={"ru": pats["ru_match"], "tr": pats["tr_match"]},  # type: ignore[dict-item]
            avoid={"ru": pats["ru_avoid"], "tr": pats["tr_avoid"]},
            usage=r["usage"],
        )
        for lang in TRANSLATED:
            if not term.match[lang].search(getattr(term, lang)):
                raise GlossaryError(f"{where}: the {lang} term does not match {lang}_match")
            bad = term.avoid[lang]
            if bad is not None and bad.search(getattr(term, lang)):
                raise GlossaryError(f"{where}: the {lang} term matches its own {lang}_avoid")
        out.append(term)
    return out


@dataclasses.dataclass(frozen=True)
class Text:
    """One translated text to lint: where it is, its English source and its kind."""

    where: str
    lang: str
    en: str
    text: str
    kind: str  # "message" | "plural" | "term" (project/commodity name) | "place" (node name)


def catalogue_texts(lang: str, cat: Catalog | None = None) -> list[Text]:
    cat = cat if cat is not None else read_catalog(lang)
    out: list[Text] = []
    for m in cat:
        if not m.id:
            continue
        if isinstance(m.id, tuple | list):
            forms = m.string if isinstance(m.string, tuple | list) else (m.string,)
            for i, form in enumerate(forms):
                out.append(
                    Text(f"{lang}.po: {m.id[0]!r}[{i}]", lang, m.id[1], form or "", "plural")
                )
        else:
            # names from the data are terms: a company's own name may read the same
            data = bool(m.locations) and all(
                str(loc[0]).startswith(DATA_PREFIX) for loc in m.locations
            )
            kind = "term" if data else "message"
            out.append(Text(f"{lang}.po: {m.id!r}", lang, m.id, str(m.string), kind))
    return out


def dataset_texts(lang: str, datasets_dir: Path = DATASETS_DIR) -> list[Text]:
    """Names in `lang` of every bundled dataset: nodes (places), projects, commodities."""
    out: list[Text] = []
    for d in sorted(p for p in datasets_dir.iterdir() if p.is_dir()):
        for table, kind in (("nodes", "place"), ("projects", "term"), ("commodities", "term")):
            path = d / f"{table}.csv"
            if not path.is_file():
                continue
            with path.open(encoding="utf-8", newline="") as f:
                for r in csv.DictReader(f):
                    en = r.get("name_en", "")
                    if kind == "place":  # ru/tr node names drop the English qualifier
                        en = en.split(" (")[0]
                    out.append(
                        Text(
                            f"{d.name}/{table}.csv {r['id']} name_{lang}",
                            lang,
                            en,
                            r.get(f"name_{lang}", ""),
                            kind,
                        )  # fmt: skip
                    )
    return out


def english_left(t: Text) -> list[str]:
    """English words left in a ru/tr text (beyond codes and brand names)."""
    text = _PLACEHOLDER.sub(" ", t.text)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    if t.lang == "ru":
        words = re.findall(r"[A-Za-z][A-Za-z0-9'’-]*", text)
        return [w for w in words if w not in RU_LATIN_ALLOWED and not _is_code(w)]
    found = [w for w in re.findall(r"\w+", text) if w.lower() in EN_WORDS]
    if t.kind == "message" and t.text == t.en and t.en not in TR_SAME_ALLOWED:
        found.append(t.text)
    return found


def _is_code(word: str) -> bool:
    """An all-capitals code (EBRD, KMTF, ASCO, XX) — not an English word."""
    return word.isupper() and len(word) <= 6


def placeholder_problem(t: Text) -> str | None:
    want, have = set(_PLACEHOLDER.findall(t.en)), set(_PLACEHOLDER.findall(t.text))
    if want != have:
        return f"placeholders {sorted(have)} differ from the English {sorted(want)}"
    return None


def count_problem(t: Text) -> str | None:
    """A count ({n}) shown through a plain message instead of the plural lookup."""
    if t.kind == "message" and "{n}" in t.en:
        return "shows a count {n} without the plural lookup (make it an NP_ entry)"
    return None


def space_problem(text: str, lang: str) -> str | None:
    """An ordinary space between a number (or a count placeholder) and its unit."""
    units = UNITS[lang]
    m = re.search(rf"(\d|\{{\w+\}})[ \t]+({units})(?![\w])", text)
    if m:
        return f"ordinary space in {m.group(0)!r}: use a non-breaking space"
    if re.search(r"\{n\}[ \t]", text):
        return "ordinary space after the count {n}: use a non-breaking space"
    return None


def glossary_problems(t: Text, terms: list[Term]) -> list[str]:
    out: list[str] = []
    for term in terms:
        avoid = term.avoid[t.lang]
        if avoid is not None and (m := avoid.search(t.text)):
            out.append(f"uses {m.group(0)!r}, which the glossary term '{term.term}' avoids")
        if t.kind == "place" and term.scope != "place":
            continue
        if t.text and term.en_match.search(t.en) and not term.match[t.lang].search(t.text):
            out.append(
                f"'{term.en}' must read '{getattr(term, t.lang)}' (glossary term '{term.term}')"
            )
    return out


def lint_texts(texts: list[Text], terms: list[Term]) -> list[str]:
    out: list[str] = []
    for t in texts:
        if not t.text:
            continue
        probs = [f"English left: {w!r}" for w in english_left(t)]
        for check in (placeholder_problem(t), count_problem(t), space_problem(t.text, t.lang)):
            if check:
                probs.append(check)
        probs += glossary_problems(t, terms)
        out += [f"{t.where}: {p}" for p in probs]
    return out


_JS_NUMBER_THEN_WORD = re.compile(r"\$\{fmt\w*\([^`]*?\)\} \$\{(?:t|esc)\(")
_JS_DIGIT_SPACE_UNIT = re.compile(r"\d (?:%|&nbsp;)")


def js_problems(js_dir: Path = WEB_DIR / "static" / "js") -> list[str]:
    """Call sites in the JavaScript that join a number and a word with an ordinary space
    (use fmtUnit() for units, tn() for counts) or hard-code '25 %'."""
    out: list[str] = []
    for js in sorted(js_dir.glob("*.js")):
        for no, line in enumerate(js.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("//")[0]
            if code.lstrip().startswith(("*", "/*")):
                continue
            for rx, why in (
                (_JS_NUMBER_THEN_WORD, "a number and a word joined by an ordinary space"),
                (_JS_DIGIT_SPACE_UNIT, "a hard-coded number and unit"),
            ):
                if rx.search(code):
                    out.append(f"{js.name}:{no}: {why} (use fmtUnit/tn/fmtPct)")
    return out


def lint() -> list[str]:
    """Every rule over both catalogues, the bundled datasets' names and the JavaScript."""
    terms = read_glossary()
    out: list[str] = []
    for lang in TRANSLATED:
        out += lint_texts(catalogue_texts(lang) + dataset_texts(lang), terms)
    return out + js_problems()


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "check"
    if cmd == "update":
        update()
        return 0
    if cmd == "compile":
        compile_all()
        return 0
    if cmd not in ("check", "lint"):
        print(__doc__, file=sys.stderr)
        return 2
    issues = problems() if cmd == "check" else lint()
    for i in issues:
        print(i, file=sys.stderr)
    return 1 if issues else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

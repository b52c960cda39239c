"""The catalogue lint (titr.web.catalog.lint): no English left in ru/tr, every count through
the plural lookup, non-breaking spaces between numbers and units (also in the pages the app
renders), one translation per glossary term, placeholders kept. Each rule is shown to fire on
broken input, then shown to pass on what ships."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from titr.web import mount
from titr.web.catalog import (
    GLOSSARY,
    GLOSSARY_COLUMNS,
    GlossaryError,
    Text,
    catalogue_texts,
    dataset_texts,
    js_msgids,
    js_problems,
    lint,
    lint_texts,
    read_catalog,
    read_glossary,
    space_problem,
)

TERMS = read_glossary()


def _problems(lang: str, en: str, text: str, kind: str = "message") -> list[str]:
    return lint_texts([Text("test", lang, en, text, kind)], TERMS)


# ---- what ships passes ----------------------------------------------------------------------


def test_catalogues_datasets_and_scripts_pass_the_lint() -> None:
    assert lint() == []


def test_the_lint_sees_every_entry_and_every_name() -> None:
    for lang in ("ru", "tr"):
        texts = catalogue_texts(lang)
        assert len(texts) > 200 and all(t.text for t in texts)
        names = dataset_texts(lang)
        kinds = {t.kind for t in names}
        assert kinds == {"place", "term"} and len(names) > 140


def test_glossary_has_the_established_terms() -> None:
    ids = {t.term for t in TERMS}
    for needed in (
        "gauge_change", "border_crossing_point", "dwell", "capacity", "teu", "feu",
        "block_train", "rail_ferry", "feeder", "through_tariff", "border_fees",
        "transshipment", "btc", "btk", "titr", "international_section",
    ):  # fmt: skip
        assert needed in ids
    assert len([t for t in TERMS if t.scope == "term"]) >= 50
    # the same English term never has two translations: en forms are unique per language
    for lang in ("ru", "tr"):
        en_seen: dict[str, str] = {}
        for t in TERMS:
            assert en_seen.setdefault(t.en.lower(), getattr(t, lang)) == getattr(t, lang)


# ---- each rule fires on broken input --------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "en", "text"),
    [
        ("ru", "Border", "Border"),
        ("ru", "Through tariff", "Through тариф"),
        ("ru", "Transit time (median)", "Время в пути (median)"),
        ("tr", "Transit time", "Transit time"),
        ("tr", "Waiting for departures", "waiting for kalkış"),
        ("tr", "Loading", "the yükleme"),
    ],
)
def test_english_left_is_found(lang: str, en: str, text: str) -> None:
    assert any("English left" in p for p in _problems(lang, en, text))


def test_codes_and_brand_names_are_not_english() -> None:
    assert _problems("ru", "per TEU", "за ДФЭ") == []
    assert not [p for p in _problems("ru", "x", "API-токен, USD, AD Ports, EBRD") if "English" in p]
    assert not [p for p in _problems("tr", "x", "Süveyş Kanalı (Port Said)") if "English" in p]


@pytest.mark.parametrize(
    ("en", "text"),
    [
        ("Bottlenecks in {year}", "Узкие места"),
        ("{value} by {year}", "{value} к {yaer}\u00a0г."),
        ("via {places}", "через {place}"),
    ],
)
def test_lost_or_renamed_placeholders_are_found(en: str, text: str) -> None:
    assert any("placeholders" in p for p in _problems("ru", en, text))


def test_a_count_without_the_plural_lookup_is_found() -> None:
    assert any("plural lookup" in p for p in _problems("ru", "Projects: {n}", "Проектов: {n}"))
    # the same text as a plural form is fine
    assert _problems("ru", "{n} projects", "{n}\u00a0проектов", "plural") == []


def test_no_count_reaches_the_page_through_t() -> None:
    assert [m for m in js_msgids() if "{n}" in m] == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("ru", "спрос на 25 % выше"),
        ("ru", "реконструкция 11\u00a0000 км"),
        ("ru", "к {year} г."),
        ("ru", "{n} прогонов"),
        ("ru", "Ж/д, 1520 мм"),
        ("tr", "{n} yıl"),
        ("tr", "7,7 m’ye"),
        ("tr", "4,484 milyon ton"),
    ],
)
def test_an_ordinary_space_between_number_and_unit_is_found(lang: str, text: str) -> None:
    assert space_problem(text, lang)


@pytest.mark.parametrize(
    ("lang", "text"),
    [("ru", "25\u00a0%"), ("ru", "11\u00a0000\u00a0км"), ("tr", "%25"), ("tr", "2024 planı")],
)
def test_non_breaking_spaces_pass(lang: str, text: str) -> None:
    assert space_problem(text, lang) is None


@pytest.mark.parametrize(
    ("lang", "en", "text", "why"),
    [
        ("ru", "International", "Международные воды", "avoids"),
        ("tr", "International", "Uluslararası sular", "avoids"),
        ("tr", "TITR cargo volume", "TUTG yük hacmi", "avoids"),
        (
            "ru",
            "No binding capacity in this scenario",
            "ограничения мощности не действуют",
            "avoids",
        ),
        ("ru", "Capacity", "Мощность", "must read"),
        ("tr", "Gauge, mm", "Hat açıklığı, mm", "avoids"),
        ("ru", "Dwell", "Стоянка", "avoids"),
        ("tr", "Dwell", "Bekleme süresi", "must read"),
        ("ru", "per FEU", "за ФЭ (40 футов)", "avoids"),
        ("ru", "Containers (TEU)", "Контейнеры (TEU)", "avoids"),
        ("ru", "Oil via Baku–Tbilisi–Ceyhan", "Нефть по Баку–Тбилиси–Джейхан", "must read"),
        ("ru", "Border crossing", "Погранпереход", "avoids"),
        ("tr", "Border", "Sınır", "must read"),
        ("ru", "Arys", "Арысь", "avoids"),
        ("tr", "Aktau", "Aktav", "avoids"),
        ("tr", "Kyzylzhar", "Kızılcar", "avoids"),
        ("tr", "Dubendi oil terminal reconstruction", "Dübendi yeniden yapılanması", "avoids"),
    ],
)
def test_glossary_terms_are_used_consistently(lang: str, en: str, text: str, why: str) -> None:
    kind = "place" if en in ("Arys", "Aktau", "Kyzylzhar") else "message"
    assert any(why in p for p in _problems(lang, en, text, kind)), _problems(lang, en, text, kind)


def test_node_names_are_held_to_place_terms_only() -> None:
    # a node's Russian name need not translate "oil terminal" (its English qualifier)...
    assert _problems("ru", "Dubendi oil terminal", "Дюбенди", "place") == []
    # ...but a place term is checked on node names
    assert _problems("ru", "Arys", "Арыс", "place") == []
    assert any("Арыс" in p for p in _problems("ru", "Arys", "Арис", "place"))


def test_js_call_sites_joining_a_number_and_a_word_are_found(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text(
        'const a = `${fmt(x, 1)} ${t("days")}`;\n'
        'const b = `${fmt(r.replications)} ${t("replications")}`;\n'
        "const c = `95 %: ${lo}`;\n"
        "// a comment: 45 % reached\n"
        'const d = `${fmtUnit(x, 1, "days")}`;\n',
        encoding="utf-8",
    )
    found = js_problems(tmp_path)
    assert [f.split(":")[1] for f in found] == ["1", "2", "3"]


# ---- the glossary file is validated ---------------------------------------------------------


def _glossary_with(tmp_path: Path, edit: dict[str, str], header: str | None = None) -> Path:
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    head = header if header is not None else lines[0]
    row = dict(zip(GLOSSARY_COLUMNS, next(iter(_rows(lines[:2]))), strict=True))
    row.update(edit)
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(row.values())
    p = tmp_path / "g.csv"
    p.write_text("\n".join([head, lines[1], buf.getvalue().rstrip("\n")]) + "\n", "utf-8")
    return p


def _rows(lines: list[str]) -> list[list[str]]:
    import csv

    return list(csv.reader(lines[1:]))


BAD_GLOSSARY = [
    ({"term": "middle_corridor"}, "repeated"),
    ({"term": ""}, "repeated"),
    ({"term": "x", "scope": "word"}, "scope"),
    ({"term": "x", "ru": ""}, "ru is empty"),
    ({"term": "x", "en_match": ""}, "en_match is empty"),
    ({"term": "x", "ru_match": "(unclosed"}, "bad pattern"),
    ({"term": "x", "tr_avoid": "[z-a]"}, "bad pattern"),
    ({"term": "x", "ru": "Западный коридор"}, "does not match ru_match"),
    ({"term": "x", "tr_avoid": "Orta"}, "matches its own tr_avoid"),
]


@pytest.mark.parametrize(("edit", "why"), BAD_GLOSSARY)
def test_a_malformed_glossary_row_is_refused(
    tmp_path: Path, edit: dict[str, str], why: str
) -> None:
    with pytest.raises(GlossaryError, match=re.escape(why)) as e:
        read_glossary(_glossary_with(tmp_path, edit))
    assert "g.csv:3" in str(e.value) or "g.csv:2" in str(e.value)


def test_a_glossary_with_wrong_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="columns must be"):
        read_glossary(_glossary_with(tmp_path, {}, header="term,en,ru,tr"))


# ---- the rendered pages ---------------------------------------------------------------------


class _Text(HTMLParser):
    """Text nodes of a page (not scripts or styles) and the JSON config of the page."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.config = ""
        self._skip = 0
        self._config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
            self._config = dict(attrs).get("id") == "titr-config"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
            self._config = False

    def handle_data(self, data: str) -> None:
        if self._config:
            self.config += data
        elif not self._skip and data.strip():
            self.chunks.append(data)


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    mount(app)
    return TestClient(app)


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_rendered_pages_keep_numbers_and_units_together(client: TestClient, lang: str) -> None:
    r = client.get(f"/{lang}/")
    assert r.status_code == 200
    page = _Text()
    page.feed(r.text)
    cfg = json.loads(page.config)
    shown = list(page.chunks) + list(cfg["strings"].values())
    for forms in cfg["plurals"].values():
        shown += [f.replace("{n}", n) for f in forms for n in ("1", "5", "21")]
    assert len(shown) > 200
    bad = [s for s in shown if space_problem(s, lang)]
    assert bad == []
    # the text the page carries is the catalogue's, with the glossary's terms
    assert (
        cfg["strings"]["International"]
        == {"ru": "Международный участок", "tr": "Uluslararası kesim"}[lang]
    )


def test_catalogue_plural_headers() -> None:
    assert read_catalog("ru").num_plurals == 3
    assert read_catalog("tr").num_plurals == 2

"""Dashboard page routes, languages, catalogues and packaged assets (no browser needed)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from titr.web import LANGUAGES, mount
from titr.web.i18n import best_language, format_number, js_strings, locale_conventions
from titr.web.pages import STATIC_DIR, TEMPLATE_DIR

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()

    @app.get("/api/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    mount(app)
    mount(app)  # idempotent
    return TestClient(app)


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            v = a.get(key)
            if v and v.startswith("/static/"):
                self.refs.append(v)
        self._in_config = tag == "script" and a.get("id") == "titr-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = data
            self._in_config = False


def _parse(html: str) -> _Refs:
    p = _Refs()
    p.feed(html)
    return p


def test_root_redirects_to_english_by_default(client: TestClient) -> None:
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 307
    assert r.headers["location"] == "/en/"


def test_root_follows_accept_language_and_cookie(client: TestClient) -> None:
    r = client.get(
        "/", headers={"Accept-Language": "tr-TR,tr;q=0.9,en;q=0.5"}, follow_redirects=False
    )
    assert r.headers["location"] == "/tr/"
    client.cookies.set("titr_lang", "ru")
    try:
        r = client.get("/", headers={"Accept-Language": "tr"}, follow_redirects=False)
        assert r.headers["location"] == "/ru/"
    finally:
        client.cookies.clear()


def test_best_language_honours_q_values() -> None:
    assert best_language(None) == "en"
    assert best_language("de-DE,de;q=0.9") == "en"
    assert best_language("de;q=1, ru;q=0.4, tr;q=0.8") == "tr"
    assert best_language("ru;q=0") == "en"
    assert best_language("RU-ru") == "ru"


@pytest.mark.parametrize(
    "lang,title,tab",
    [
        ("en", "Middle Corridor planner", "Route planner"),
        ("ru", "Планировщик Среднего коридора", "Маршрут"),
        ("tr", "Orta Koridor Planlayıcısı", "Güzergâh"),
    ],
)
def test_language_pages(client: TestClient, lang: str, title: str, tab: str) -> None:
    r = client.get(f"/{lang}/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in r.text
    assert f"<h1>{title}</h1>" in r.text
    assert f">{tab}</button>" in r.text
    assert r.cookies.get("titr_lang") == lang  # the choice is remembered
    cfg = json.loads(_parse(r.text).config or "{}")
    assert cfg["lang"] == lang and cfg["api"] == "/api"
    assert cfg["strings"]["Transit time (median)"] == js_strings(lang)["Transit time (median)"]
    assert (
        cfg["countries"]["KZ"] == {"en": "Kazakhstan", "ru": "Казахстан", "tr": "Kazakistan"}[lang]
    )


def test_language_without_slash_redirects(client: TestClient) -> None:
    r = client.get("/ru", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == "/ru/"


def test_unknown_language_is_a_404_page_with_links(client: TestClient) -> None:
    r = client.get("/de/")
    assert r.status_code == 404
    assert "There is no dashboard in the language &#39;de&#39;" in r.text
    for code in LANGUAGES:
        assert f'href="/{code}/"' in r.text


def test_pages_do_not_shadow_the_api(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}


def test_every_string_differs_per_language() -> None:
    en, ru, tr = (js_strings(lang) for lang in LANGUAGES)
    assert set(en) == set(ru) == set(tr)
    assert all(en[k] == k for k in en)
    # words that are the same in two languages (km, Terminal, Port...) are allowed, but most
    # strings must be really translated
    assert sum(ru[k] != k for k in en) / len(en) > 0.95
    assert sum(tr[k] != k for k in en) / len(en) > 0.85
    assert re.search("[а-я]", ru["Through tariff"])
    assert tr["Through tariff"] == "Uçtan uca tarife"


def test_catalogues_complete_and_compiled() -> None:
    from titr.web.catalog import problems

    assert problems() == []


def test_cldr_number_and_date_conventions() -> None:
    assert format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert format_number(1234567.5, "ru", 1) == "1\xa0234\xa0567,5"
    assert format_number(1234567.5, "tr", 1) == "1.234.567,5"
    assert locale_conventions("tr")["d3_number"]["decimal"] == ","
    assert locale_conventions("ru")["countries"]["AZ"] == "Азербайджан"


def test_static_assets_referenced_by_pages_exist_and_are_served(client: TestClient) -> None:
    html = client.get("/en/").text
    refs = _parse(html).refs
    assert any(r.endswith("app.js") for r in refs)
    for ref in refs:
        path = STATIC_DIR / ref.removeprefix("/static/")
        assert path.is_file(), f"{ref} is referenced by the page but not in the package"
        r = client.get(ref)
        assert r.status_code == 200, ref
        if ref.endswith((".js", ".mjs")):
            assert r.headers["content-type"].startswith("text/javascript"), ref


def test_module_imports_and_fetched_files_resolve() -> None:
    """Every ES-module import and every /static path named in the JavaScript is packaged."""
    js_dir = STATIC_DIR / "js"
    for js in js_dir.glob("*.js"):
        text = js.read_text(encoding="utf-8")
        for spec in re.findall(r'from\s+"(\.{1,2}/[^"]+)"', text):
            assert (js_dir / spec).resolve().is_file(), f"{js.name} imports missing {spec}"
        for static_path in re.findall(r"\$\{CONFIG\.static\}(/[^`\"]+)", text):
            assert (STATIC_DIR / static_path.lstrip("/")).is_file(), static_path
    worker = STATIC_DIR / "vendor" / "maplibre" / "maplibre-gl-worker.mjs"
    assert worker.is_file()  # maplibre loads its worker next to the module
    assert "maplibre-gl-worker.mjs" in (worker.parent / "maplibre-gl.mjs").read_text()


def test_pages_and_scripts_name_no_remote_host() -> None:
    """The page may not load anything from another machine (no CDN, no tiles, no fonts)."""
    remote = re.compile(
        r"""(?:src|href)\s*=\s*["']https?://|url\(\s*["']?https?://|"""
        r"""import\s[^;]*["']https?://|fetch\(\s*["'`]https?://"""
    )
    files = (
        list(TEMPLATE_DIR.glob("*.html"))
        + list((STATIC_DIR / "js").glob("*.js"))
        + list((STATIC_DIR / "css").glob("*.css"))
    )
    for f in files:
        assert not remote.search(f.read_text(encoding="utf-8")), f.name


def test_vendored_versions_match_package_json() -> None:
    pins = json.loads((ROOT / "web" / "package.json").read_text())["dependencies"]
    vendored = json.loads((STATIC_DIR / "vendor" / "VERSIONS.json").read_text())
    assert vendored == pins
    lock = json.loads((ROOT / "web" / "package-lock.json").read_text())["packages"]
    for name, version in pins.items():
        assert lock[f"node_modules/{name}"]["version"] == version
    atlas = json.loads((STATIC_DIR / "vendor" / "world-atlas" / "countries-50m.json").read_text())
    assert atlas["type"] == "Topology" and len(atlas["objects"]["countries"]["geometries"]) > 200


def _js_label_keys(name: str) -> set[str]:
    """Keys of a `const NAME = { key: "Label", ... }` table in the dashboard's JavaScript."""
    for js in (STATIC_DIR / "js").glob("*.js"):
        m = re.search(rf"const {name} = \{{(.*?)\}};", js.read_text(encoding="utf-8"), re.S)
        if m:
            return set(re.findall(r"(\w+):\s*\"", m.group(1)))
    raise AssertionError(f"no table {name} in static/js")


def test_every_kind_mode_and_corridor_has_a_translated_label() -> None:
    """The map legend and popups name every node kind, link mode and corridor of the data
    model in words, in every language (no raw codes such as 'oil_terminal')."""
    from typing import get_args

    from titr.network.model import CORRIDORS, MODES, Node

    kinds = set(get_args(Node.model_fields["kind"].annotation))
    assert kinds <= _js_label_keys("KIND_LABELS")
    assert set(MODES) <= _js_label_keys("MODE_LABELS")
    assert set(CORRIDORS) <= _js_label_keys("CORRIDOR_LABELS")
    assert set(MODES) <= _js_label_keys("MODE_COLOURS")


def test_bundled_network_geojson_has_what_the_map_reads() -> None:
    """The fields the map reads from /api/network exist on the bundled corridor."""
    from titr.network.bundled import load
    from titr.network.export import network_geojson

    gj = network_geojson(load("middle-corridor-2025"), "tr")
    nodes = [f for f in gj["features"] if f["properties"]["feature"] == "node"]
    links = [f for f in gj["features"] if f["properties"]["feature"] == "link"]
    assert len(nodes) > 30 and len(links) > 30
    for f in nodes:
        p = f["properties"]
        assert p["name"] == p["name_tr"] and p["kind"] and p["country"]
    ids = {f["properties"]["id"] for f in nodes}
    for f in links:
        p = f["properties"]
        assert p["a_node"] in ids and p["b_node"] in ids and p["mode"] and p["status"]

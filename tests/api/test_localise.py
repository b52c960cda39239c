"""Problem details in the reader's language: `?lang=` or Accept-Language, titles and known
sentences translated through the dashboard's catalogues, unknown sentences left English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from titr.api import create_app
from titr.api.localise import DETAILS, TITLES, request_lang, translate_detail, translate_title
from titr.network.io_csv import read_dataset
from titr.store.db import Store
from titr.web.i18n import gettext_for

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('loc') / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    st.close()
    with TestClient(create_app(url, default_dataset="tiny")) as c:
        yield c


@pytest.mark.parametrize(
    ("query", "header", "lang"),
    [
        ("ru", None, "ru"),
        ("TR", None, "tr"),
        (None, "ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        (None, "de-DE,tr;q=0.7,en;q=0.9", "en"),
        (None, "de-DE,tr;q=0.7", "tr"),
        (None, "", "en"),
        (None, "tr;q=abc", "tr"),
        ("kk", "ru", "ru"),
        ("", None, "en"),
    ],
)
def test_request_lang(query: str | None, header: str | None, lang: str) -> None:
    assert request_lang(query, header) == lang


def test_every_message_is_translated() -> None:
    for lang in ("ru", "tr"):
        for msgid in TITLES + DETAILS:
            text = gettext_for(lang, msgid)
            assert text != msgid, (lang, msgid)
            placeholders = set(re.findall(r"\{\w+\}", msgid))
            assert set(re.findall(r"\{\w+\}", text)) == placeholders, (lang, msgid)


def test_unknown_place_in_russian_and_turkish(client: TestClient) -> None:
    r = client.get("/api/routes", params={"from": "Alpah", "to": "Echo", "lang": "ru"})
    assert r.status_code == 404
    body = r.json()
    assert body["title"] == "не найдено"
    assert body["detail"].startswith("Места с названием «Alpah» нет.")
    assert "Возможно, вы имели в виду: Альфа (CN_A)" in body["detail"]
    r = client.get(
        "/api/routes", params={"from": "Alpah", "to": "Echo"}, headers={"Accept-Language": "tr"}
    )
    assert r.json()["title"] == "bulunamadı"
    assert r.json()["detail"].startswith("'Alpah' adında bir yer yok.")
    r = client.get("/api/routes", params={"from": "Alpah", "to": "Echo"})
    assert r.json()["detail"].startswith("no place is called 'Alpah'.")


def test_unknown_sentences_stay_whole() -> None:
    mixed = "no place is called 'X'. Something else entirely."
    assert translate_detail(mixed, "ru") == mixed
    assert translate_detail("", "ru") == ""
    assert translate_title("some other title", "tr") == "some other title"
    assert translate_detail("an empty place name matches nothing", "en") == (
        "an empty place name matches nothing"
    )


# ---- names from the data, route diagnostics and notes -------------------------------------

LATIN_OK = re.compile(r"^(?:[A-Z0-9]{2,6}|CO2|USD|TEU|FEU|Ro-Pax|Ro-Ro|KazTransOil|Azertrans)$")


def _latin_words(text: str) -> list[str]:
    """Latin-script words of a Russian text that are not codes, units or company names."""
    from titr.web.catalog import PROPER_NAMES

    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    return [w for w in re.findall(r"[A-Za-z][A-Za-z0-9-]*", text) if not LATIN_OK.match(w)]


def _english_words(text: str) -> list[str]:
    """English function words and routing vocabulary left in a Turkish text."""
    words = {"no", "route", "from", "to", "for", "the", "of", "and", "via", "under", "only",
             "corridor", "without", "best", "days", "expected", "tariff", "data", "cost",
             "links", "port", "target", "actual", "official", "by"}  # fmt: skip
    return [w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in words]


def test_every_data_name_and_route_message_is_translated() -> None:
    from titr.api.localise import ROUTE_MESSAGES
    from titr.web.catalog import data_msgids

    names = [m for m, _ in data_msgids()]
    assert len(names) >= 60  # scenario titles, services, owners, operators
    for lang in ("ru", "tr"):
        for msgid in [*names, *ROUTE_MESSAGES.values()]:
            text = gettext_for(lang, msgid)
            assert text, (lang, msgid)
            assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", msgid))
        for msgid in names:
            text = gettext_for(lang, msgid)
            if lang == "ru":
                assert _latin_words(text) == [] or text == msgid, (msgid, text)


@pytest.fixture(scope="module")
def corridor() -> object:
    from titr.network.bundled import load

    return load("middle-corridor-2025")


NO_ROUTES = [
    dict(only_corridor="northern"),
    dict(only_corridor="iran"),
    dict(only_corridor="sea_suez"),
    dict(avoid=["GE"]),
    dict(avoid=["country:KZ"]),
    dict(via=["Tehran"], avoid=["IR"]),
    dict(avoid=["AZ"], via=["Baku"]),
    dict(avoid=["AZ"], via=["Azerbaijan"]),
    dict(commodity="crude_oil"),
]


@pytest.mark.parametrize("kw", NO_ROUTES, ids=lambda k: str(k))
@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_no_route_reasons_in_the_readers_language(corridor: object, kw: dict, lang: str) -> None:
    """Every kind of 'no route' the planner gives is translated whole: names for codes, no
    English left, the same names as the map."""
    from titr.api.localise import translate_route_text
    from titr.errors import NoRouteError, TitrError
    from titr.routing.plan import route

    with pytest.raises(TitrError) as e:
        route(corridor, "Altynkol", "Poti", samples=50, **kw)  # type: ignore[arg-type]
    text = str(e.value)
    out = translate_route_text(text, lang, corridor)
    assert out != text, text
    assert "KZ_ALT" not in out and "GE_POTI" not in out, out
    if lang == "ru":
        assert _latin_words(out) == [], out
    else:
        assert _english_words(out) == [], out
    names = {
        "ru": ("Алтынколь", "Поти", "Тегеран", "Баку"),
        "tr": ("Altınköl", "Poti", "Tahran", "Bakü"),
    }[lang]
    assert any(n in out for n in names) or "AZ" in str(kw) or "crude" in str(kw), out
    if isinstance(e.value, NoRouteError) and "best route is" in text:
        assert {"ru": "сут.", "tr": "gün"}[lang] in out


def test_tariff_note_names_the_links(corridor: object) -> None:
    from titr.api.localise import translate_route_text

    note = "no tariff data for Aktau – Baku (ferry); KZ_ALM – Tbilisi (road): their cost is not included in the tariff"  # noqa: E501
    ru = translate_route_text(note, "ru", corridor)
    assert ru.startswith("нет данных о тарифе для участков Актау – Баку (паром); Алматы – Тбилиси")
    assert _latin_words(ru) == [], ru
    tr = translate_route_text(note, "tr", corridor)
    assert "Bakü" in tr and "Tiflis" in tr and _english_words(tr) == [], tr
    # a text that does not parse whole stays English
    odd = "no tariff data for X: something else"
    assert translate_route_text(odd, "ru", corridor) == odd
    assert translate_route_text(note, "en", corridor) == note


def test_api_answers_in_the_readers_language(client: TestClient) -> None:
    """Scenario titles, notes and reasons through `lang` / Accept-Language; English without."""
    en = client.get("/api/demand-scenarios").json()
    ru = client.get("/api/demand-scenarios", headers={"Accept-Language": "ru"}).json()
    tr = client.get("/api/demand-scenarios", params={"lang": "tr"}).json()
    assert [x["name"] for x in en] == [x["name"] for x in ru] == [x["name"] for x in tr]
    for e, r, t in zip(en, ru, tr, strict=True):
        assert r["title"] != e["title"] and t["title"] != e["title"]
        assert _latin_words(r["title"]) == [] and "Mt" not in t["title"]
    assert "2027, цель: 10\u00a0млн т" in [x["title"] for x in ru]
    assert "2027 hedefi: 10\u00a0milyon ton" in [x["title"] for x in tr]

    q = {"from": "CN_A", "to": "GE_E"}
    notes = client.get("/api/routes", params=q).json()["notes"]
    assert any(n.startswith("no tariff data for Delta Port – Echo") for n in notes), notes
    ru_notes = client.get("/api/routes", params={**q, "lang": "ru"}).json()["notes"]
    assert (
        "нет данных о тарифе для участка Порт Дельта – Эхо (ж.-д., колея 1520\u00a0мм): его стоимость не включена в тариф"
        in ru_notes
    )  # noqa: E501

    body = client.get("/api/routes", params={**q, "avoid": "AZ", "lang": "tr"}).json()
    assert body["title"] != "no admissible route" and "CN_A" not in body["detail"], body
    assert body["detail"].startswith("Alfa noktasından Eko noktasına"), body

    cmp = client.get("/api/compare", params={**q, "lang": "ru"}).json()
    reasons = [c["reason"] for c in cmp["corridors"] if c.get("reason")]
    assert reasons and all(
        r.startswith("в наборе данных нет участков коридора «") for r in reasons
    ), reasons


TINY_NO_ROUTES = [
    dict(avoid=["passage:Caspian"]),
    dict(avoid=["AZ"]),
    dict(avoid=["link:L_CD"]),
    dict(avoid=["node:KZ_C"]),
    dict(avoid=["AZ", "passage:Caspian"]),
]


@pytest.mark.parametrize("kw", TINY_NO_ROUTES, ids=lambda k: str(k))
@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_blocking_restrictions_in_the_readers_language(kw: dict, lang: str) -> None:
    """'avoiding X blocks every route (without it …)' and the combination case, on the tiny
    chain Alpha – Bravo – Charlie – (ferry) – Delta – Echo."""
    from titr.api.localise import translate_route_text
    from titr.errors import NoRouteError
    from titr.routing.plan import route

    net = read_dataset(TINY)
    with pytest.raises(NoRouteError) as e:
        route(net, "CN_A", "GE_E", samples=20, **kw)  # type: ignore[arg-type]
    text = str(e.value)
    assert "blocks every route" in text, text
    out = translate_route_text(text, lang, net)
    assert out != text and "CN_A" not in out and "GE_E" not in out, out
    if lang == "ru":
        assert _latin_words(out) == [] and "Альфа" in out and "сут." in out, out
    else:
        assert _english_words(out) == [] and "Alfa" in out and "gün" in out, out


@pytest.mark.parametrize(
    ("lang", "head", "parts"),
    [
        ("ru", "1\u00a0ошибка в данных:", ["запрос", "столбец «target»", "значение «abc»"]),
        ("tr", "veride 1\u00a0hata:", ["istek", "«target» sütunu", "değer «abc»"]),
    ],
)
def test_data_errors_in_the_readers_language(
    client: TestClient, lang: str, head: str, parts: list[str]
) -> None:
    """A DataError's summary and its issues' places and known rules, from the problem's own
    `errors`; the English detail without a language."""
    q = {"target": "abc", "by": "2030"}
    en = client.get("/api/plans", params=q).json()
    assert en["detail"].startswith("1 error in the data:"), en
    body = client.get("/api/plans", params={**q, "lang": lang}).json()
    assert body["detail"].startswith(head), body["detail"]
    for p in parts:
        assert p in body["detail"], body["detail"]
    assert "quantity" not in body["detail"] and "column" not in body["detail"]
    assert body["errors"] == en["errors"]  # the machine-readable issues stay as they are


def test_data_error_counts_take_the_plural_form() -> None:
    from titr.api.localise import localise_data_errors

    issue = {"file": "scenario.csv", "row": 3, "column": "quantity", "value": "-1", "rule": "x"}
    body = {"detail": "5 errors in the data:\n...", "errors": [issue] * 2}
    ru = localise_data_errors(body, "ru")["detail"]
    assert ru.startswith("5\u00a0ошибок в данных:\n  - scenario.csv, строка 3, столбец «quantity»")
    assert ru.endswith("  … (+3)")
    assert localise_data_errors(body, "en") is body
    assert localise_data_errors({"detail": "other", "errors": []}, "ru")["detail"] == "other"


@pytest.mark.parametrize(
    ("lang", "title", "words"),
    [
        ("ru", "нет доступа", ("изменяет хранилище", "токен создаётся командой")),
        ("tr", "yetkisiz", ("depoyu değiştirir", "başlığını gönderin")),
    ],
)
def test_missing_or_unknown_token_in_the_readers_language(
    client: TestClient, lang: str, title: str, words: tuple[str, ...]
) -> None:
    """The dashboard's Simulation form shows the 401 detail as it comes: in the page's
    language, with the header and the command to type kept verbatim."""
    r = client.post("/api/simulations", json={}, headers={"Accept-Language": lang})
    assert r.status_code == 401
    body = r.json()
    assert body["title"] == title
    assert all(w in body["detail"] for w in words), body["detail"]
    assert "'Authorization: Bearer <token>'" in body["detail"]
    assert "`titr token create NAME`" in body["detail"]
    bad = client.post(
        "/api/simulations",
        json={},
        headers={"Accept-Language": lang, "Authorization": "Bearer nope"},
    )
    assert bad.status_code == 401
    assert bad.json()["detail"] == gettext_for(lang, "the API token is unknown or revoked")
    assert bad.json()["detail"] != "the API token is unknown or revoked"
    # English stays the server's own sentence
    en = client.post("/api/simulations", json={}).json()
    assert en["title"] == "unauthorized" and en["detail"].startswith("this operation changes")

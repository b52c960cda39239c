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
    assert "Возможно, вы имели в виду: Alpha (CN_A)" in body["detail"]
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

"""Every report string has its ru and tr translation, compiled."""

from __future__ import annotations

import pytest

from titr.reports import catalogue


def test_catalogue_complete_and_compiled() -> None:
    assert catalogue.problems() == []


def test_a_missing_translation_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = catalogue.msgids() | {"A string nobody translated"}
    monkeypatch.setattr(catalogue, "msgids", lambda: ids)
    probs = catalogue.problems()
    assert any(p == "ru: no translation for 'A string nobody translated'" for p in probs)
    assert any(p.startswith("tr: no translation") for p in probs)

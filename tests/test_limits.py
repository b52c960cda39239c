"""titr.limits: defaults, environment overrides, the README table, JSON bounds."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr import limits
from titr.errors import TitrError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_environment_overrides_and_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TITR_LIMIT_MAX_ROWS", "123")
    monkeypatch.setenv("TITR_LIMIT_REQUEST_TIMEOUT_S", "2.5")
    limits.reset_limits()
    try:
        assert limits.current().max_rows == 123 and limits.current().request_timeout_s == 2.5
        monkeypatch.setenv("TITR_LIMIT_MAX_ROWS", "-1")
        limits.reset_limits()
        with pytest.raises(TitrError, match="TITR_LIMIT_MAX_ROWS"):
            limits.current()
        monkeypatch.setenv("TITR_LIMIT_MAX_ROWS", "many")
        limits.reset_limits()
        with pytest.raises(TitrError, match="TITR_LIMIT_MAX_ROWS"):
            limits.current()
    finally:
        monkeypatch.delenv("TITR_LIMIT_MAX_ROWS")
        limits.reset_limits()


def test_every_limit_is_documented_and_the_readme_table_is_current() -> None:
    import dataclasses

    assert {f.name for f in dataclasses.fields(limits.Limits)} == set(limits.DOC)
    text = README.read_text("utf-8")
    block = text.split("<!-- limits-table -->\n", 1)[1].split("\n<!-- /limits-table -->", 1)[0]
    assert block == limits.markdown_table()


def test_limit_error_names_the_limit_and_its_variable() -> None:
    e = limits.LimitError("max_rows", 50_000, "data rows")
    p = e.to_problem()
    assert p["limit"] == {"name": "max_rows", "value": limits.current().max_rows}
    assert "TITR_LIMIT_MAX_ROWS" in p["detail"] and e.status_code == 422


def test_json_bounds_are_checked_without_recursion() -> None:
    assert limits.json_depth([[[{"a": [1]}]]]) == 5 and limits.json_depth(3) == 0
    assert limits.longest_string({"k" * 7: ["x", {"y": "z" * 9}]}) == 9
    with pytest.raises(limits.LimitError, match="max_json_depth"):
        limits.load_json("[" * 100_000 + "]" * 100_000, "t")
    with pytest.raises(limits.LimitError, match="max_json_depth"):
        limits.load_json("[" * 40 + "]" * 40, "t")
    with pytest.raises(limits.LimitError, match="max_string_chars"):
        limits.load_json('"' + "x" * 20_000 + '"', "t")
    assert limits.load_json('{"a": [1, 2]}', "t") == {"a": [1, 2]}


def test_checkpoint_raises_only_when_the_flag_is_set() -> None:
    import threading

    limits.checkpoint()  # no request: nothing to cancel
    ev = threading.Event()
    tok = limits.CANCEL.set(ev)
    try:
        limits.checkpoint()
        ev.set()
        with pytest.raises(limits.Cancelled):
            limits.checkpoint()
    finally:
        limits.CANCEL.reset(tok)

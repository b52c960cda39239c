"""`titr simulate` output: what the run could and could not establish."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


@pytest.mark.parametrize(("until", "said"), [("0.0001d", True), ("1000d", False)])
def test_until_ci_says_when_the_precision_was_not_reached(
    until: str,
    said: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    monkeypatch.delenv("TITR_DATABASE_URL", raising=False)
    args = ["simulate", str(DATA / "tiny.toml"), "-n", "6", "--executor", "serial"]
    rc = main([*args, "--days", "40", "--seed", "2", "--until-ci", until])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert ("precision target not reached after 6 replications" in err) is said
    if said:
        assert f"asked ± {until[:-1]} d" in err

"""`titr data arrays` through `titr.cli.main.main`: what it read and compiled, errors exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from titr.cli.main import main

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_arrays_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "data", "arrays", str(TINY), "--json", "-c", "container")
    assert rc == 0, err
    d = json.loads(out)
    assert d["places"] == 5 and d["links"] == 4 and d["dataset"].startswith("tiny@1#")
    (g,) = d["graphs"]
    assert g["commodity"] == "container" and g["arcs"] == 34 and g["places_reached"] == 5


def test_arrays_table(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "data", "arrays", str(TINY))
    assert rc == 0, err
    assert "5 places, 4 links" in out and "general" in out and "container" in out


def test_arrays_bad_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    d = tmp_path / "bad"
    shutil.copytree(TINY, d)
    text = (d / "links.csv").read_text(encoding="utf-8")
    (d / "links.csv").write_text(text.replace("L_AB,CN_A,KZ_B", "L_AB,CN_A,KZ_ZZ"), "utf-8")
    rc, _, err = _run(capsys, "data", "arrays", str(d))
    assert rc == 2 and "links.csv, row 2, column 'b_node'" in err and "Traceback" not in err
    rc, _, err = _run(capsys, "data", "arrays", str(TINY), "-c", "cheese")
    assert rc == 2 and "cheese" in err
    rc, _, err = _run(capsys, "data", "arrays", str(tmp_path / "nope"))
    assert rc == 2 and "no such file or folder" in err

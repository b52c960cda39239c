"""The plan use case: the CLI (`titr plan --json`) and the API (`GET /api/plans`) call the same
domain function (`titr.planning.target.plan_for_target`) and give identical plans."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.cli.main import main
from titr.network.io_csv import read_dataset
from titr.store.db import database_url, open_store

HERE = Path(__file__).resolve().parents[1]
TINY = HERE / "data" / "tiny"


def _sig(x: object) -> object:
    if isinstance(x, dict):
        return {k: _sig(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_sig(v) for v in x]
    if isinstance(x, float):
        return float(f"{x:.9g}")
    return x


@pytest.mark.parametrize("target", ["0.8Mt", "5Mt"])  # feasible, and out of reach
def test_cli_and_api_give_identical_plans(tmp_path, capsys, monkeypatch, target):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    monkeypatch.delenv("TITR_DATABASE_URL", raising=False)
    csvf = HERE / "data" / "demand" / "valid.csv"
    args = ["--name", "mine", "--year", "2027", "--dataset", str(TINY)]
    assert main(["demand", "import", str(csvf), *args]) == 0
    open_store().save_network(read_dataset(TINY))
    capsys.readouterr()
    q = ["--target", target, "--by", "2028", "--scenario", "mine"]
    assert main(["plan", *q, "--dataset", str(TINY), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    app = create_app(database_url(), default_dataset="tiny")
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=120) as c:
        r = c.get("/api/plans", params={"target": target, "by": 2028, "scenario": "mine"})
    assert r.status_code == 200, r.text
    api = r.json()
    for k in ("solve_s",):  # wall-clock time differs between runs
        cli.pop(k, None)
        api.pop(k, None)
    # the API writes floats to 10 significant digits; otherwise the answers are the same
    assert _sig(cli) == _sig(api)
    assert cli["dataset"].startswith("tiny@1#")
    assert cli["status"] == ("optimal" if target == "0.8Mt" else "infeasible")
    if target == "5Mt":  # an out-of-reach plan names its limits by name, not by resource id
        ids = ("service:", "process:", "link:", "a>b", "b>a")
        assert not any(i in api["reason"] for i in ids), api["reason"]
        assert main(["plan", *q, "--dataset", str(TINY)]) == 0
        text = capsys.readouterr().out
        assert "infeasible" in text and not any(i in text for i in ids), text

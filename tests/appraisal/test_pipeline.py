"""Ranked pipeline: order, budget, one common service year, decisions not before the base year."""

from __future__ import annotations

import pytest

from titr.appraisal.appraise import Appraisal
from titr.appraisal.pipeline import pipeline
from titr.errors import DataError


def test_ranking_and_synchronous_year(appraisal: Appraisal) -> None:
    p = pipeline(appraisal)
    rows = p["projects"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    just = [r for r in rows if r["justified"]]
    assert rows[: len(just)] == just  # justified first
    keys = [r["npv_per_capex"] for r in just]
    assert keys == sorted(keys, reverse=True)
    funded = [r for r in rows if r["funded"]]
    assert funded and {r["in_service"] for r in funded} == {p["common_service_year"]}
    base = appraisal.params.base_year
    net = appraisal.view.net
    for r in funded:
        assert r["decide_by"] >= base
        assert r["in_service"] - r["decide_by"] <= net.projects[r["project"]].lead_time
        assert r["slack_years"] >= 0
    assert p["common_service_year"] == max(r["earliest_service"] for r in funded)


def test_budget(appraisal: Appraisal) -> None:
    full = pipeline(appraisal)
    cheapest = min(r["capex_musd"] for r in full["projects"] if r["justified"])
    p = pipeline(appraisal, budget=cheapest)
    assert 0 < p["funded_capex_musd"] <= cheapest + 1e-9
    assert pipeline(appraisal, budget=0)["funded_capex_musd"] == 0
    assert pipeline(appraisal, budget=0)["common_service_year"] is None


def test_rank_by_bcr(appraisal: Appraisal) -> None:
    rows = pipeline(appraisal, rank_by="bcr")["projects"]
    just = [r["bcr"] for r in rows if r["justified"]]
    assert just == sorted(just, reverse=True)


@pytest.mark.parametrize(
    ("kw", "needle"),
    [
        ({"rank_by": "irr"}, "--rank-by"),
        ({"budget": -1.0}, "--budget"),
        ({"budget": float("nan")}, "--budget"),
    ],
)
def test_bad(appraisal: Appraisal, kw: dict[str, object], needle: str) -> None:
    with pytest.raises(DataError, match=needle):
        pipeline(appraisal, **kw)  # type: ignore[arg-type]

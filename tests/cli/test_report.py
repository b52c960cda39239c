"""`titr appraise` (and `titr report`) through `titr.cli.main.main`."""

from __future__ import annotations

import json

import pytest

from titr import jsonfmt
from titr.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_appraise_json_equals_the_domain_call(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.appraisal.run import assess
    from titr.network.bundled import load

    rc, out, err = _run(
        capsys,
        "appraise",
        "--target",
        "11Mt",
        "--by",
        "2030",
        "--reps",
        "1",
        "--draws",
        "3000",
        "--json",
    )
    assert rc == 0, err
    d = json.loads(out)
    res = assess(load(), 11e6, 2030, replications=1, draws=3000)
    a, rel = res.appraisal, res.reliability
    assert d["plan"]["npv_musd"] == pytest.approx(a.measures["npv_musd"], rel=1e-9)
    assert [p["project"] for p in d["projects"]] == [p.project.id for p in a.projects]
    assert d["dataset"] == a.label and "#" in d["dataset"]
    assert d["reliability"]["p90_days"] == pytest.approx(rel.p90_days)
    assert d["monte_carlo"] == jsonfmt.tidy(res.to_dict()["monte_carlo"])  # JSON: 10 digits
    assert d["tornado"][0]["input"] == res.tornado[0]["input"]
    assert [p["project"] for p in d["pipeline"]["projects"]] == [
        p["project"] for p in res.pipeline["projects"]
    ]


BAD = [
    (["--target", "11Mt", "--by", "2030", "--rate", "-0.05"], "appraisal_discount_rate"),
    (["--target", "11Mt", "--by", "2030", "--period", "3"], "appraisal_period_years"),
    (["--target", "11Mt", "--by", "2030", "--project", "P_NOPE"], "P_NOPE"),
    (["--target", "11TEU", "--by", "2030"], "--target"),
    (["--target", "eleven", "--by", "2030"], "--target"),
    (["--target", "11Mt", "--by", "2020"], "--by"),
    (["--target", "11Mt", "--by", "2030", "--carbon", "-1"], "carbon_value"),
    (["--target", "11Mt", "--by", "2030", "--executor", "gpu"], "executor"),
    (["--target", "11Mt", "--by", "2030", "--draws", "0"], "--draws"),
    (["--target", "11Mt", "--by", "2030", "--budget", "-5"], "--budget"),
    (["--target", "11Mt", "--by", "2030", "--rank-by", "irr"], "--rank-by"),
]


@pytest.mark.parametrize(("args", "needle"), BAD)
def test_bad_input_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], needle: str) -> None:
    rc, out, err = _run(capsys, "appraise", "--reps", "1", *args)
    assert rc == 2
    assert needle in err
    assert "Traceback" not in err

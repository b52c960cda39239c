"""Investment MILP on the tiny dataset: choice, timing, budgets, infeasible targets, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from titr.cli.main import main
from titr.errors import DataError, InfeasibleError
from titr.flows import DemandRow, DemandScenario
from titr.network.io_csv import read_dataset
from titr.planning import annuity_factor, plan

HERE = Path(__file__).resolve().parents[1]
TINY = HERE / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny():  # type: ignore[no-untyped-def]
    return read_dataset(TINY)


@pytest.fixture
def base() -> DemandScenario:
    return DemandScenario(
        "base",
        2025,
        [
            DemandRow("CN_A", "GE_E", "container", 40_000, "EST: test"),
            DemandRow("KZ_B", "GE_E", "general", 200_000, "EST: test"),
        ],
    )


def test_annuity_factor():
    assert annuity_factor(0.08, 30) == pytest.approx(0.0888274, rel=1e-5)
    assert annuity_factor(0.0, 20) == pytest.approx(0.05)


def test_plan_picks_the_ferry_just_in_time(tiny, base):
    # feeder 591,300 t/yr; 1.0 Mt needs the two extra vessels (PR_FERRY: 2026 earliest,
    # lead 2 yr from 2025 -> 2027). Annuities make later cheaper, the target forces <= 2028.
    pl = plan(tiny, base, 1.0e6, 2028)
    assert list(pl.chosen["project"]) == ["PR_FERRY"]
    yr = int(pl.chosen.loc[0, "in_service"])
    assert 2027 <= yr <= 2028
    bby = pl.bottleneck_by_year.set_index("year")
    assert bby.loc[2028, "served_t"] == pytest.approx(1.0e6)
    assert bby.loc[2025, "served_t"] == pytest.approx(591_300, rel=1e-6)
    ready = pl.readiness.set_index("resource")
    assert ready.loc["service:SV_CD:a>b", "upgraded"]
    assert ready.loc["service:SV_CD:a>b", "ready_year"] == yr
    assert pl.buys["with_plan.general.served_share"] == pytest.approx(1.0)
    assert pl.buys["without_plan.general.served_share"] < 1.0
    assert pl.label.startswith("tiny@1#")
    assert len(pl.next_bottleneck) >= 1


def test_unreachable_target_is_an_answer_with_the_best_plan(tiny, base):
    pl = plan(tiny, base, 3.0e6, 2027)
    assert pl.status == "infeasible"
    assert "3.00 Mt/yr by 2027 cannot be met" in pl.reason
    assert "at most 1.18 Mt/yr" in pl.reason and "short by 1.82 Mt/yr" in pl.reason
    # the best reachable plan carries what the reason says, and buys the feeder upgrade
    assert pl.reachable_t == pytest.approx(1.18e6, rel=5e-3)
    assert pl.shortfall_t == pytest.approx(3.0e6 - pl.reachable_t)
    assert "PR_FERRY" in set(pl.chosen["project"])
    assert pl.binding and set(pl.lacking) <= set(pl.binding)
    # reachable volume never falls as the target year moves later
    later = plan(tiny, base, 3.0e6, 2029)
    assert later.reachable_t >= pl.reachable_t - 1e-6


def test_budget_too_small_is_reported(tiny, base):
    with pytest.raises(InfeasibleError, match="not within the budgets"):
        plan(tiny, base, 1.0e6, 2028, budgets={("AZ", y): 1.0 for y in range(2025, 2031)})
    # a budget that fits (80 MUSD over a 2-year lead = 40 per year) keeps the plan feasible
    pl = plan(tiny, base, 1.0e6, 2028, budgets={("AZ", y): 40.0 for y in range(2025, 2031)})
    assert list(pl.chosen["project"]) == ["PR_FERRY"]


def test_bad_inputs_are_data_errors(tiny, base):
    with pytest.raises(DataError, match="a budget is a yearly amount"):
        plan(tiny, base, 1.0e6, 2028, budgets={("AZ", 2026): -5.0})
    with pytest.raises(DataError, match="target year must lie"):
        plan(tiny, base, 1.0e6, 2035)


def test_cli_plan_and_demand(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    csvf = HERE / "data" / "demand" / "valid.csv"
    assert (
        main(
            [
                "demand",
                "import",
                str(csvf),
                "--name",
                "mine",
                "--year",
                "2025",
                "--dataset",
                str(TINY),
            ]
        )
        == 0
    )
    assert "stored" in capsys.readouterr().out
    assert main(["demand", "list"]) == 0
    assert "mine" in capsys.readouterr().out
    out = tmp_path / "x.xlsx"
    assert (
        main(
            [
                "plan",
                "--target",
                "1Mt",
                "--by",
                "2028",
                "--scenario",
                "mine",
                "--dataset",
                str(TINY),
                "--budget",
                "AZ=40",
                "--xlsx",
                str(out),
                "--csv",
                str(tmp_path / "csv"),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "PR_FERRY" in text and out.is_file()
    assert (tmp_path / "csv" / "projects.csv").is_file()
    assert (
        main(
            [
                "plan",
                "--target",
                "10 barrels",
                "--by",
                "2028",
                "--scenario",
                "mine",
                "--dataset",
                str(TINY),
            ]
        )
        == 2
    )
    assert "unknown unit" in capsys.readouterr().err
    assert (
        main(
            [
                "plan",
                "--target",
                "9Mt",
                "--by",
                "2027",
                "--scenario",
                "mine",
                "--dataset",
                str(TINY),
            ]
        )
        == 0  # an unreachable target is an answer: the best reachable plan and its status
    )
    text = capsys.readouterr().out
    assert "status: infeasible" in text and "cannot be met" in text
    assert "best reachable plan" in text
    assert (
        main(
            [
                "demand",
                "import",
                str(HERE / "data" / "demand" / "negative.csv"),
                "--name",
                "bad",
                "--dataset",
                str(TINY),
            ]
        )
        == 2
    )
    assert "must be > 0" in capsys.readouterr().err
    assert (
        main(["assign", "--scenario", "mine", "--dataset", str(TINY), "--csv", str(tmp_path / "a")])
        == 0
    )
    assert "SV_CD" in capsys.readouterr().out
    assert main(["bottlenecks", "--scenario", "mine", "--dataset", str(TINY)]) == 0
    assert "Charlie–Delta feeder (SV_CD)" in capsys.readouterr().out  # a name, its id in brackets


def _plan_args(tmp_path, monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TITR_HOME", str(tmp_path))
    csvf = HERE / "data" / "demand" / "valid.csv"
    imp = ["demand", "import", str(csvf), "--name", "mine", "--year", "2025"]
    assert main([*imp, "--dataset", str(TINY)]) == 0
    return ["plan", "--target", "1Mt", "--by", "2028", "--scenario", "mine", "--dataset", str(TINY)]


@pytest.mark.parametrize("rate", ["1e-38", "5e-324", "0"])
def test_cli_plan_tiny_rates(rate, tmp_path, capsys, monkeypatch):
    """A tiny positive discount rate is an annuity of ~1/n, not a ZeroDivisionError."""
    args = _plan_args(tmp_path, monkeypatch)
    capsys.readouterr()
    assert main([*args, "--rate", rate, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["projects"] and all(
        p["annuity_musd_per_yr"] == pytest.approx(p["capex_musd"] / 30, rel=1e-6)
        for p in body["projects"]
    )


@pytest.mark.parametrize(
    ("opt", "value"),
    [
        ("--rate", "-0.1"),
        ("--rate", "nan"),
        ("--rate", "inf"),
        ("--rate", "-inf"),
        ("--rate", "1"),
        ("--rate", "1e300"),
        ("--lifetime", "0"),
        ("--lifetime", "-3"),
    ],
)
def test_cli_plan_bad_rates(opt, value, tmp_path, capsys, monkeypatch):
    args = _plan_args(tmp_path, monkeypatch)
    assert main([*args, opt, value]) == 2
    err = capsys.readouterr().err
    assert opt in err and "Traceback" not in err


def test_lacking_names_projects_that_come_too_late(tiny, base):
    """An unreachable target: a binding resource that a project expands only after the
    target year is listed with that project and its first possible year (not 'no project
    in the data expands it')."""
    early = plan(tiny, base, 5e6, 2026)
    assert early.status == "infeasible" and early.lacking
    later = {r: ps for r, ps in early.lacking_later.items()}
    assert any("PR_FERRY (from 2027)" in ps for ps in later.values()), later
    assert set(later) <= set(early.lacking)
    on_time = plan(tiny, base, 5e6, 2028)
    assert not any("PR_FERRY" in p for ps in on_time.lacking_later.values() for p in ps)

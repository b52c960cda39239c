"""The summit's claims, each checked against its sourced comparison and the model
(titr.indicators.claims); `titr claims` and GET /api/claims give the same answer."""

from __future__ import annotations

import json

import pytest

from titr.indicators.claims import check_claims
from titr.jsonfmt import tidy
from titr.network.model import Network


@pytest.fixture(scope="module")
def report(corridor: Network):  # type: ignore[no-untyped-def]
    return check_claims(corridor)


def _by_id(report):  # type: ignore[no-untyped-def]
    return {c.id: c for c in report.checks}


def test_every_summit_claim_is_checked(report) -> None:  # type: ignore[no-untyped-def]
    got = _by_id(report)
    assert set(got) == {
        "titr_cargo_2024",
        "titr_cargo_growth_2025",
        "kz_oil_btc_2024",
        "transit_days_cn_border_ge",
        "TG_TITR_10MT_SUMMIT",
        "TG_SEED_CN_GE_TRIPLE_2030",
        "TG_TRADE_1BN",
    }
    for c in report.checks:
        assert c.claim and c.source and c.verdict and c.reason
        assert c.sourced or c.model  # compared with something


def test_level_and_growth_of_2024_against_the_official_series(report) -> None:  # type: ignore[no-untyped-def]
    c = _by_id(report)["titr_cargo_2024"]
    assert c.verdict == "confirmed"
    official = {f.what: f for f in c.sourced}
    assert official["official 2024"].value == 4.484 and official["official 2024"].source == "S174"
    assert official["official growth 2023→2024"].value == pytest.approx(62.2, abs=0.05)
    assert float(c.model[0].value) > 4.484  # the 2024 network carried what was carried


def test_two_percent_is_a_year_to_date_figure_not_the_full_year(report) -> None:  # type: ignore[no-untyped-def]
    c = _by_id(report)["titr_cargo_growth_2025"]
    assert c.verdict == "year to date, not the full year"
    assert "official full year is -8 %" in c.reason


def test_transit_claim_is_compared_with_the_routes_and_the_right_sourced_figures(report) -> None:  # type: ignore[no-untyped-def]
    c = _by_id(report)["transit_days_cn_border_ge"]
    sourced = {f.what: f for f in c.sourced}
    assert sourced["Altynkol → Poti/Batumi (sourced default)"].value == 12
    # the Almaty → Poti figure is a November 2025 market quote, never "the sourced default"
    quote = next(f for f in c.sourced if "Almaty" in f.what)
    assert quote.value == 20 and "market quote" in quote.what and "default" not in quote.what
    model = {f.what.split(" ", 3)[-1]: float(f.value) for f in c.model}
    assert model["p10 (July)"] < model["p50 (July)"] < model["p90 (July)"]
    assert (
        model["p50 (July)"] < model["p50 (Nov–Feb)"]
        and model["p90 (July)"] < model["p90 (Nov–Feb)"]
    )
    assert "November p50–p90" in c.reason
    assert c.verdict.startswith("consistent")


def test_targets_are_checked_against_plan_capacity_and_tripling(report) -> None:  # type: ignore[no-untyped-def]
    got = _by_id(report)
    ten = got["TG_TITR_10MT_SUMMIT"]
    assert ten.verdict == "not reachable"
    cap, plan = (float(f.value) for f in ten.model)
    assert plan < 10 < cap + 1e-9 or plan < 10  # the plan's own mix falls short of 10 Mt
    assert plan <= cap  # one scenario's mix never exceeds the most of any mix
    assert "PR_ALAT_CTR" in ten.reason and "process:" not in ten.reason  # names, ids bracketed
    tri = got["TG_SEED_CN_GE_TRIPLE_2030"]
    assert tri.verdict == "not reachable" and "no China → Georgia series" in tri.reason
    assert got["TG_TRADE_1BN"].model == [] and "not computed" in got["TG_TRADE_1BN"].reason


def test_claims_missing_from_the_data_are_left_out(corridor: Network) -> None:
    keep = [i for i in corridor.indicators if not i.variant.startswith("summit_seed")]
    net = corridor.model_copy(
        update={
            "indicators": keep,
            "targets": {
                k: v
                for k, v in corridor.targets.items()
                if "summit" not in v.owner.lower() and v.series != "kz_az_trade"
            },
        }
    )
    assert check_claims(net).checks == []


def test_cli_and_api_give_the_same_answer(capsys: pytest.CaptureFixture[str], report) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from titr.api.app import create_app
    from titr.cli.main import main

    assert main(["claims", "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    with TestClient(create_app()) as c:
        r = c.get("/api/claims")
    assert r.status_code == 200, r.text
    assert tidy(cli) == tidy(r.json()) == tidy(report.to_dict())


def test_cli_table_and_bad_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["claims"]) == 0
    out = capsys.readouterr().out
    assert "15–18 days" in out and "not reachable" in out and "S227" in out
    assert main(["claims", "--dataset", "no-such-dataset"]) == 2
    assert "Traceback" not in capsys.readouterr().err

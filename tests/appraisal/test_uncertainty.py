"""Tornado and Monte Carlo: consistent with the central case, reproducible on every executor."""

from __future__ import annotations

import pytest

from titr.appraisal.appraise import Appraisal
from titr.appraisal.uncertainty import CHUNK, mc_chunk, mc_inputs, monte_carlo, tornado
from titr.errors import DataError


def test_tornado(appraisal: Appraisal) -> None:
    rows = tornado(appraisal)
    base = appraisal.measures["npv_musd"]
    names = [r["input"] for r in rows]
    assert set(names) == {
        "discount_rate",
        "capex",
        "demand",
        "value_of_time",
        "carbon_value",
        "transit_margin",
    }
    swings = [r["swing_musd"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    by = {r["input"]: r for r in rows}
    # capex "low" is the estimate itself; more capex lowers NPV
    assert by["capex"]["npv_low_musd"] == pytest.approx(base)
    assert by["capex"]["npv_high_musd"] < base
    # a higher discount rate lowers the NPV of a stream that starts with costs
    assert by["discount_rate"]["npv_high_musd"] < base < by["discount_rate"]["npv_low_musd"]
    assert by["carbon_value"]["npv_low_musd"] <= by["carbon_value"]["npv_high_musd"]


def test_monte_carlo_reproducible_across_executors(appraisal: Appraisal) -> None:
    a = monte_carlo(appraisal, 2 * CHUNK + 17, seed=7, executor="serial")
    b = monte_carlo(appraisal, 2 * CHUNK + 17, seed=7, executor="local", workers=2)
    assert {k: v for k, v in a.items() if k != "executor"} == {
        k: v for k, v in b.items() if k != "executor"
    }
    c = monte_carlo(appraisal, 2 * CHUNK + 17, seed=8)
    assert c["npv_p50_musd"] != a["npv_p50_musd"]
    assert a["npv_p10_musd"] <= a["npv_p50_musd"] <= a["npv_p90_musd"]
    assert 0.0 <= a["p_npv_positive"] <= 1.0


def test_chunk_depends_only_on_seed_and_chunk(appraisal: Appraisal) -> None:
    inp = mc_inputs(appraisal)
    assert (mc_chunk(inp, 3, 1, 50) == mc_chunk(inp, 3, 1, 50)).all()
    assert not (mc_chunk(inp, 3, 1, 50) == mc_chunk(inp, 3, 2, 50)).all()


def test_no_uncertainty_gives_the_central_npv(appraisal: Appraisal) -> None:
    """With every spread at zero and capex at the estimate, each draw is the central NPV."""
    p = appraisal.params
    flat = p.replace(
        capex_overrun_rail_mean=0.0,
        capex_overrun_rail_sd=0.0,
        capex_overrun_other_low=0.0,
        capex_overrun_other_high=0.0,
        demand_sd=0.0,
        value_of_time_sd=0.0,
        carbon_value_low=p.carbon_value,
        carbon_value_high=p.carbon_value,
        transit_margin_low=p.transit_margin,
        transit_margin_high=p.transit_margin,
    )
    from dataclasses import replace

    a2 = replace(appraisal, params=flat)
    inp = mc_inputs(a2)
    npv = mc_chunk(inp, 0, 0, 20)
    assert npv == pytest.approx([appraisal.measures["npv_musd"]] * 20, rel=1e-9)


@pytest.mark.parametrize(
    ("kw", "needle"), [({"executor": "gpu"}, "executor"), ({"draws": 0}, "draws")]
)
def test_bad_options(appraisal: Appraisal, kw: dict[str, object], needle: str) -> None:
    with pytest.raises(DataError, match=needle):
        monte_carlo(appraisal, **kw)  # type: ignore[arg-type]

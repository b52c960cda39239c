"""Appraisal parameters: read from the dataset with sources; bad values are located errors."""

from __future__ import annotations

import pytest

from titr.appraisal.params import PARAMETER_IDS, from_network
from titr.errors import DataError
from titr.network.bundled import load


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return load()


def test_every_parameter_is_in_the_dataset_with_a_source(net) -> None:  # type: ignore[no-untyped-def]
    p = from_network(net)
    assert p.discount_rate == net.parameter("appraisal_discount_rate")
    assert p.period_years == 30 and isinstance(p.period_years, int)
    src = dict(p.sources)
    assert set(src) == set(PARAMETER_IDS)
    ids = p.source_ids()
    assert {"S3000", "S3002", "S3003"} <= ids
    assert ids <= set(net.sources)  # every cited id exists


BAD = [
    ({"discount_rate": -0.01}, "appraisal_discount_rate"),
    ({"discount_rate": 1.0}, "appraisal_discount_rate"),
    ({"discount_rate": float("nan")}, "appraisal_discount_rate"),
    ({"period_years": 0}, "appraisal_period_years"),
    ({"period_years": 2.5}, "appraisal_period_years"),
    ({"period_years": -30}, "appraisal_period_years"),
    ({"carbon_value": -5}, "carbon_value_usd_per_t"),
    ({"carbon_value": float("inf")}, "carbon_value_usd_per_t"),
    ({"base_year": 1200}, "appraisal_base_year"),
    ({"opex_share": 1.5}, "opex_share_of_capex"),
    ({"asset_life_years": 0}, "asset_life_years"),
    ({"transit_margin": -0.1}, "transit_margin_share"),
    ({"demand_sd": -1}, "demand_forecast_sd"),
    ({"no_such": 1}, "no_such"),
    ({"capex_overrun_other_low": 0.9}, "capex_overrun_other_low"),
]


@pytest.mark.parametrize(("over", "column"), BAD)
def test_bad_values_are_located_errors(net, over, column) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError) as ei:
        from_network(net, over)
    msg = str(ei.value)
    assert column in msg and "<options>" in msg


def test_bad_count() -> None:
    assert len(BAD) == 15


def test_override_widens_the_sensitivity_range(net) -> None:  # type: ignore[no-untyped-def]
    p = from_network(net, {"discount_rate": 0.12})
    assert p.discount_rate == 0.12 and p.discount_rate_high == 0.12
    assert dict(p.sources)["discount_rate"] == "user override"


def test_missing_parameter_names_it(net) -> None:  # type: ignore[no-untyped-def]
    params = dict(net.parameters)
    params.pop("carbon_value_usd_per_t")
    broken = net.model_copy(update={"parameters": params})
    with pytest.raises(DataError, match="carbon_value_usd_per_t"):
        from_network(broken)

"""/api/choice/*: corridor shares observed and forecast under policy scenarios, diversion,
break-even single tariff and the tripling question. Each endpoint is one call into
`titr.choice`; results are cached per dataset label and parameters."""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Query

from titr.api.deps import Net

router = APIRouter(prefix="/api/choice", tags=["choice"])

_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_LOCK = threading.Lock()
_MAX = 128


def _cached(key: tuple[Any, ...], make: Any) -> dict[str, Any]:
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    val: dict[str, Any] = make()
    with _LOCK:
        if len(_CACHE) >= _MAX:
            _CACHE.clear()
        _CACHE[key] = val
    return val


@router.get("/scenarios", summary="Policy scenarios")
def scenarios(net: Net) -> dict[str, Any]:
    """Bundled what-if scenarios with their levers."""
    from titr.choice.scenario import bundled_scenarios, load_scenario

    return {
        "dataset": net.label,
        "scenarios": [load_scenario(n, net).to_dict() for n in bundled_scenarios()],
    }


@router.get("/observed", summary="Observed corridor shares by year")
def observed(net: Net) -> dict[str, Any]:
    """The calibration data: corridor volumes and shares per market and year, with sources."""
    from titr.choice.inputs import load_choice_data

    d = load_choice_data(net)
    df = d.observed.copy()
    df["share"] = df.quantity / df.groupby(["market", "year"]).quantity.transform("sum")
    return {"dataset": net.label, "rows": df.to_dict(orient="records")}


@router.get("/estimates", summary="Choice-model coefficients")
def estimates(net: Net) -> dict[str, Any]:
    """The bundled coefficients (estimated with Biogeme by `titr choice estimate`), their
    standard errors and status (estimated or fixed, and why)."""
    from titr.choice.forecast import bundled_estimates

    c = bundled_estimates()
    return {"dataset": net.label, **c.to_dict(), "value_of_time_usd_per_day": c.value_of_time()}


@router.get("/forecast", summary="Forecast under a scenario")
def forecast(
    net: Net,
    scenario: Annotated[
        str, Query(max_length=80, pattern=r"^[a-z0-9-]+$", description="Bundled scenario name")
    ] = "baseline",
    to: Annotated[int, Query(ge=2026, le=2035, description="Last year")] = 2030,
    tariff: Annotated[
        float | None,
        Query(
            ge=1,
            le=100_000,
            description="Single Middle Corridor tariff, USD per FEU, from the first forecast year",
        ),
    ] = None,
) -> dict[str, Any]:
    """Volumes and shares by corridor and year, the Middle Corridor's tonnage, the diversion
    matrix against the baseline, revenue by country, CO2 and the equilibrium's convergence."""

    def make() -> dict[str, Any]:
        from titr.choice.forecast import base_year, forecast
        from titr.choice.inputs import load_choice_data
        from titr.choice.scenario import Lever, load_scenario

        d = load_choice_data(net)
        sc = load_scenario(scenario, net)
        if tariff is not None:
            sc = sc.with_levers(
                Lever("tariff", base_year(d) + 1, None, "middle", float(tariff)),
                name=f"{sc.name}+tariff",
            )
        f = forecast(net, sc, to_year=to, data=d)
        out = f.to_dict()
        conv = f.convergence()
        out["convergence"] = conv[
            ["year", "iteration", "gap", "toll_usd_per_unit", "unserved"]
        ].to_dict(orient="records")
        return out

    return _cached((net.label, "forecast", scenario, to, tariff), make)


@router.get("/breakeven", summary="Break-even single tariff")
def breakeven(
    net: Net,
    target_share: Annotated[
        float | None, Query(gt=0, lt=1, description="Middle Corridor share of the market")
    ] = None,
    target_teu: Annotated[
        float | None, Query(gt=0, le=1e9, description="Middle Corridor container volume, TEU/yr")
    ] = None,
    comparator: Annotated[str | None, Query(pattern=r"^(northern|sea_suez|sea_cape)$")] = None,
    year: Annotated[int, Query(ge=2026, le=2035)] = 2030,
) -> dict[str, Any]:
    """The single through tariff (USD per FEU and per t) at which the Middle Corridor reaches
    the target or equals the comparator's generalized cost, with its assumptions."""
    from titr.choice.breakeven import breakeven_tariff

    return _cached(
        (net.label, "breakeven", target_share, target_teu, comparator, year),
        lambda: dict(
            breakeven_tariff(
                net,
                year=year,
                target_share=target_share,
                target_teu=target_teu,
                comparator=comparator,
            ).to_dict(),
            dataset=net.label,
        ),
    )


@router.get("/tripling", summary="Is tripling by 2030 reachable?")
def tripling_(
    net: Net,
    year: Annotated[int, Query(ge=2026, le=2035)] = 2030,
    multiple: Annotated[float, Query(gt=1, le=10)] = 3.0,
) -> dict[str, Any]:
    """Yes/no with the least tariff, time and capacity combination that reaches the target."""
    from titr.choice.breakeven import tripling

    def make() -> dict[str, Any]:
        r = tripling(net, year=year, multiple=multiple).to_dict()
        r.pop("tried", None)
        return dict(r, dataset=net.label)

    return _cached((net.label, "tripling", year, multiple), make)

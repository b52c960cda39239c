"""/api/routes and /api/compare: route planning on the multimodal graph and the corridor
comparison (Middle / Northern / sea / Iran side by side).

Results are deterministic for a given dataset content, query and seed, so they are kept in a
small LRU per (dataset content hash, query): repeated planner queries answer from memory. The
multimodal graph is cached by `titr.routing.graph_for` per network object; the API keeps one
Network object per (name, content hash), so the graph is built once per dataset and commodity.
An uncached answer is computed inline on the event loop when answers of its kind have been
short, else in the process's compute thread (`titr.api.compute`), so a long one never holds up
other requests.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from titr.api.compute import Placement
from titr.api.deps import Net, State
from titr.api.schemas import Result
from titr.api.state import ApiState
from titr.api.tidy import TIDY_HEADER
from titr.errors import NotFoundError
from titr.network.model import Network
from titr.routing import compare_corridors, route
from titr.routing.restrict import Restrictions, parse_avoid

router = APIRouter(prefix="/api", tags=["routes"])
# where uncached answers are computed: inline on the event loop when their kind is cheap,
# else in the process's compute thread (titr.api.compute)
PLACEMENT = Placement()
PriceYear = Annotated[
    int | None,
    Query(
        ge=1990, le=2100, description="Price year: tariff rows and China train subsidy of that year"
    ),
]

NodeQ = Annotated[
    str,
    Query(
        min_length=1,
        max_length=200,
        description="Node code or name in en/ru/tr",
        examples=["CN_XIAN"],
    ),
]


def _tokens(values: list[str]) -> list[str]:
    """Repeatable parameters that may also be comma separated."""
    return [p.strip() for v in values for p in v.split(",") if p.strip()][:50]


# Query parameters shared by /routes and /compare.
Origin = Annotated[
    str,
    Query(
        alias="from",
        min_length=1,
        max_length=200,
        description="Origin: node code or name in en/ru/tr",
        examples=["CN_XIAN"],
    ),
]
Destination = Annotated[
    str,
    Query(
        alias="to",
        min_length=1,
        max_length=200,
        description="Destination: node code or name in en/ru/tr",
        examples=["GE_POTI"],
    ),
]
CommodityId = Annotated[str, Query(max_length=60, description="Commodity id")]


def _restrictions(net: Network, avoid: list[str]) -> Restrictions:
    """The `avoid` query values as route restrictions; an unknown one is a 422 naming the
    query parameter and the value (with the names it might have meant), like every other bad
    query value, not a 404: the route exists, the parameter is wrong."""
    try:
        return parse_avoid(net, avoid)
    except NotFoundError:
        pass
    for tok in avoid:  # the first value that names nothing
        try:
            parse_avoid(net, [tok])
        except NotFoundError as e:
            raise RequestValidationError(
                [{"loc": ("query", "avoid"), "msg": str(e), "input": tok, "type": "value_error"}]
            ) from None
    raise AssertionError("unreachable: a failing parse has a failing value")


async def _answer(
    state: ApiState,
    net: Network,
    key: tuple[Any, ...],
    kind: tuple[Any, ...],
    build: Callable[[], Any],
) -> bytes:
    """The cached JSON answer, or the answer computed where `PLACEMENT` puts its kind (the
    dataset's content hash is part of the kind: another dataset may cost another time)."""
    body = state.cached_result(net, key)
    if body is None:
        body = await PLACEMENT.run(
            (net.name, net.content_hash, *kind),
            functools.partial(state.result_json, net, key, build),
        )
    return body


@router.get("/routes", response_model=Result, summary="Plan a route")
async def routes(
    state: State,
    net: Net,
    origin: Origin,
    destination: Destination,
    commodity: CommodityId = "container",
    by: Annotated[
        Literal["time", "cost", "generalized"],
        Query(description="Objective: expected hours, tariff USD, or USD + value of time × days"),
    ] = "time",
    alternatives: Annotated[int, Query(ge=1, le=5, description="Routes wanted")] = 1,
    avoid: Annotated[
        list[str],
        Query(
            max_length=20,
            description=(
                "Countries (ISO), nodes, links, passages or corridors to avoid; repeatable or "
                "comma separated"
            ),
        ),
    ] = [],  # noqa: B006
    via: Annotated[
        list[str],
        Query(
            max_length=10,
            description="Places to pass, in order: nodes (code or name) or countries (ISO code or name in en/ru/tr)",
        ),
    ] = [],  # noqa: B006
    per: Annotated[
        Literal["unit", "teu", "feu", "t"] | None,
        Query(
            description="Tariff per commodity unit, TEU, FEU or tonne (default: the commodity's unit)"
        ),
    ] = None,
    include_planned: Annotated[bool, Query(description="Use planned links too")] = False,
    seed: Annotated[
        int, Query(ge=0, le=2**32 - 1, description="Seed of the transit-time sampling")
    ] = 0,
    month: Annotated[
        int | None,
        Query(ge=1, le=12, description="Departure month: storm waits before sailings"),
    ] = None,
    year: PriceYear = None,
) -> Any:
    """Best route(s): steps (link, process, wait) with time distributions (hours), transit
    time mean/p10/p50/p90 (days), through tariff by country and operator (USD), CO2 (kg) and
    km by corridor. 404 with suggestions for unknown names; 422 `no admissible route` names
    the restriction that blocks every route."""
    av, vi = _tokens(avoid), _tokens(via)
    key = (
        "route",
        origin,
        destination,
        commodity,
        by,
        alternatives,
        tuple(av),
        tuple(vi),
        per,
        include_planned,
        seed,
        month,
        year,
    )
    body = await _answer(
        state,
        net,
        key,
        (
            "route",
            commodity,
            by,
            alternatives,
            tuple(sorted(av)),
            len(vi),
            include_planned,
            month,
            year,
        ),
        lambda: route(
            net,
            origin,
            destination,
            commodity,
            by=by,
            alternatives=alternatives,
            avoid=_restrictions(net, av),
            via=vi,
            seed=seed,
            per=per,
            include_planned=include_planned,
            month=month,
            year=year,
        ).to_json(),
    )
    # the body is tidy JSON already (RouteResult.to_json): the middleware passes it as is
    return Response(body, media_type="application/json", headers={TIDY_HEADER: "1"})


@router.get("/compare", response_model=Result, summary="Compare corridors")
async def compare(
    state: State,
    net: Net,
    origin: Origin,
    destination: Destination,
    commodity: CommodityId = "container",
    by: Annotated[Literal["time", "cost", "generalized"], Query(description="Objective")] = "time",
    corridors: Annotated[
        list[str],
        Query(
            max_length=10,
            description=(
                "Corridors to compare (default: middle, northern, sea_suez, sea_cape, iran)"
            ),
        ),
    ] = [],  # noqa: B006
    avoid: Annotated[list[str], Query(max_length=20, description="As in /api/routes")] = [],  # noqa: B006
    per: Annotated[
        Literal["unit", "teu", "feu", "t"] | None, Query(description="Tariff basis")
    ] = None,
    include_planned: Annotated[bool, Query(description="Use planned links too")] = False,
    seed: Annotated[int, Query(ge=0, le=2**32 - 1, description="Sampling seed")] = 0,
    year: PriceYear = None,
) -> Any:
    """The best route restricted to each corridor side by side: transit time (days, mean and
    p10/p50/p90), through tariff (USD), CO2 (kg), distance (km); a corridor without an
    admissible route says why instead of failing the whole comparison."""
    cs, av = _tokens(corridors), _tokens(avoid)
    key = (
        "compare",
        origin,
        destination,
        commodity,
        by,
        tuple(cs),
        tuple(av),
        per,
        include_planned,
        seed,
        year,
    )
    kw: dict[str, Any] = {
        "by": by,
        "seed": seed,
        "include_planned": include_planned,
        "avoid": av,
        "year": year,
    }
    if cs:
        kw["corridors"] = cs
    if per is not None:
        kw["per"] = per
    body = await _answer(
        state,
        net,
        key,
        ("compare", commodity, by, tuple(sorted(cs)), tuple(sorted(av)), include_planned, year),
        lambda: (  # an unknown place to avoid is a 422 before any corridor is routed
            _restrictions(net, av),
            compare_corridors(net, origin, destination, commodity, **kw).to_dict(),
        )[1],
    )
    return Response(body, media_type="application/json")

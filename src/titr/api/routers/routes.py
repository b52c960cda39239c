"""/api/routes and /api/compare: route planning on the multimodal graph and the corridor
comparison (Middle / Northern / sea / Iran side by side).

Results are deterministic for a given dataset content, query and seed, so they are kept in a
small LRU per (dataset content hash, query): repeated planner queries answer from memory. The
multimodal graph is cached by `titr.routing.graph_for` per network object; the API keeps one
Network object per (name, content hash), so the graph is built once per dataset and commodity.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal

import anyio
import anyio.to_thread
from fastapi import APIRouter, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from titr.api.deps import Net, State
from titr.api.schemas import Result
from titr.api.state import ApiState
from titr.api.tidy import TIDY_HEADER
from titr.network.model import Network
from titr.routing import compare_corridors, route

router = APIRouter(prefix="/api", tags=["routes"])
ROUTE_THREADS = 1  # threads per process computing uncached route answers (see _route_limiter)

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


_LIMITER: list[anyio.CapacityLimiter] = []


def _route_limiter() -> anyio.CapacityLimiter:
    """Route answers are CPU-bound Python (one GIL per process): a thread per concurrent
    request only adds GIL hand-offs, so one thread per process computes them in turn while
    the event loop keeps accepting and answering cached queries (measured with
    benchmarks/api.py: 2.3-2.9 ms server CPU per uncached request against 2.9-3.5 ms with a
    thread per request). Made in the first request (a limiter needs the running loop)."""
    if not _LIMITER:
        _LIMITER.append(anyio.CapacityLimiter(ROUTE_THREADS))
    return _LIMITER[0]


async def _answer(
    state: ApiState, net: Network, key: tuple[Any, ...], build: Callable[[], Any]
) -> Response:
    """Cached JSON answer without a thread hop; a miss is computed in the thread pool."""
    body = state.cached_result(net, key)
    if body is None:
        body = await run_in_threadpool(state.result_json, net, key, build)
    return Response(body, media_type="application/json")


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
    )
    body = state.cached_result(net, key)
    if body is None:  # computed in a worker thread: the event loop keeps serving
        body = await anyio.to_thread.run_sync(
            functools.partial(
                state.result_json,
                net,
                key,
                lambda: route(
                    net,
                    origin,
                    destination,
                    commodity,
                    by=by,
                    alternatives=alternatives,
                    avoid=av,
                    via=vi,
                    seed=seed,
                    per=per,
                    include_planned=include_planned,
                    month=month,
                ).to_json(),
            ),
            limiter=_route_limiter(),
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
    )
    kw: dict[str, Any] = {"by": by, "avoid": av, "seed": seed, "include_planned": include_planned}
    if cs:
        kw["corridors"] = cs
    if per is not None:
        kw["per"] = per
    return await _answer(
        state,
        net,
        key,
        lambda: compare_corridors(net, origin, destination, commodity, **kw).to_dict(),
    )

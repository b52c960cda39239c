"""/api/routes and /api/compare: route planning on the multimodal graph and the corridor
comparison (Middle / Northern / sea / Iran side by side).

Results are deterministic for a given dataset content, query and seed, so they are kept in a
small LRU per (dataset content hash, query): repeated planner queries answer from memory. The
multimodal graph is cached by `titr.routing.graph_for` per network object; the API keeps one
Network object per (name, content hash), so the graph is built once per dataset and commodity.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from titr.api.deps import Net, State
from titr.api.schemas import Result
from titr.routing import route

router = APIRouter(prefix="/api", tags=["routes"])

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


@router.get("/routes", response_model=Result, summary="Plan a route")
def routes(
    state: State,
    net: Net,
    origin: Annotated[
        str,
        Query(
            alias="from",
            min_length=1,
            max_length=200,
            description="Origin: node code or name in en/ru/tr",
            examples=["CN_XIAN"],
        ),
    ],
    destination: Annotated[
        str,
        Query(
            alias="to",
            min_length=1,
            max_length=200,
            description="Destination: node code or name",
            examples=["GE_POTI"],
        ),
    ],
    commodity: Annotated[str, Query(max_length=60, description="Commodity id")] = "container",
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
    via: Annotated[list[str], Query(max_length=10, description="Nodes to pass, in order")] = [],  # noqa: B006
    per: Annotated[
        Literal["unit", "teu", "feu", "t"],
        Query(description="Tariff per commodity unit, TEU, FEU or tonne"),
    ] = "teu",
    include_planned: Annotated[bool, Query(description="Use planned links too")] = False,
    seed: Annotated[
        int, Query(ge=0, le=2**32 - 1, description="Seed of the transit-time sampling")
    ] = 0,
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
    )
    body = state.result_json(
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
        ).to_dict(),
    )
    return Response(body, media_type="application/json")


try:
    from titr.routing import compare_corridors  # type: ignore[attr-defined]
except ImportError:  # not in this build yet
    compare_corridors = None

if compare_corridors is not None:

    @router.get("/compare", response_model=Result, summary="Compare corridors")
    def compare(
        state: State,
        net: Net,
        origin: Annotated[
            str,
            Query(
                alias="from",
                min_length=1,
                max_length=200,
                description="Origin node code or name",
                examples=["CN_XIAN"],
            ),
        ],
        destination: Annotated[
            str,
            Query(
                alias="to",
                min_length=1,
                max_length=200,
                description="Destination node code or name",
                examples=["DE_DUISBURG"],
            ),
        ],
        commodity: Annotated[str, Query(max_length=60)] = "container",
        by: Annotated[Literal["time", "cost", "generalized"], Query()] = "time",
        seed: Annotated[int, Query(ge=0, le=2**32 - 1)] = 0,
    ) -> Any:
        """The best route restricted to each corridor (Middle, Northern, sea via Suez or the
        Cape, Iran) side by side: transit time (days), tariff (USD), CO2 (kg)."""
        key = ("compare", origin, destination, commodity, by, seed)
        body = state.result_json(
            net,
            key,
            lambda: compare_corridors(
                net, origin, destination, commodity, by=by, seed=seed
            ).to_dict(),
        )
        return Response(body, media_type="application/json")

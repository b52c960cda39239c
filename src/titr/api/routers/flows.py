"""/api/demand-scenarios, /api/bottlenecks, /api/flows, /api/assignments: capacity-constrained
assignment of a demand scenario (`titr.flows.assign`: multi-commodity LP solved by HiGHS) with utilisation
(flow / capacity) per resource and the bottleneck list ranked by shadow price (USD per extra
unit of capacity per year)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from titr.api.deps import Net, State, Writer
from titr.api.schemas import Result
from titr.flows.demand import (
    DemandScenario,
    load_scenario,
    read_demand_csv,
    scenario_manifest,
)
from titr.flows.usecases import assign_scenario, bottlenecks_for
from titr.network.model import Network

router = APIRouter(prefix="/api", tags=["flows"])


def _scenario(state: Any, net: Network, name: str) -> DemandScenario:
    return load_scenario(name, net, state.store)  # bundled, else the app's store


def assignment_dict(net: Network, sc: DemandScenario, top: int) -> dict[str, Any]:
    return assign_scenario(net, sc, top)[1]


@router.get(
    "/demand-scenarios", response_model=list[dict[str, Any]], summary="Bundled demand scenarios"
)
def demand_scenarios() -> list[dict[str, Any]]:
    """Name, year, title and description of each bundled OD demand scenario."""
    return scenario_manifest()


@router.get("/bottlenecks", response_model=Result, summary="Assignment and bottlenecks")
async def bottlenecks(
    state: State,
    net: Net,
    scenario: Annotated[
        str, Query(max_length=100, description="Demand scenario name", examples=["2027"])
    ] = "2025",
    top: Annotated[int, Query(ge=1, le=500, description="Bottlenecks listed")] = 20,
) -> Any:
    """Assign the scenario's demand at least cost within capacities on the network of its
    year: per resource flow, capacity, utilisation = flow / capacity and shadow price; the
    binding resources ranked by shadow price; demand left unserved (never dropped silently);
    what the Middle Corridor carries and what is diverted (t, TEU, by corridor); and the
    Middle Corridor's maximum throughput (dry cargo, per commodity) beside its stated
    capacity, with the reason for the difference (the same answer as `titr bottlenecks`)."""
    key = ("bottlenecks", scenario, top)
    body = state.cached_result(net, key)
    if body is None:

        def build() -> dict[str, Any]:
            return bottlenecks_for(net, _scenario(state, net, scenario), top)

        body = await run_in_threadpool(state.result_json, net, key, build)
    return Response(body, media_type="application/json")


@router.get("/flows", response_model=Result, summary="Assigned volume per link (read-only)")
async def flows(
    state: State,
    net: Net,
    scenario: Annotated[
        str, Query(max_length=100, description="Demand scenario name", examples=["2027"])
    ] = "2025",
    top: Annotated[int, Query(ge=1, le=500, description="Bottlenecks listed")] = 20,
) -> Any:
    """The assignment of a demand scenario without storing a run: `links` gives each link's
    volume (t/yr, TEU/yr and units per commodity, both directions), drawn as line width on
    the map; the rest is what `titr assign --scenario NAME --json` prints (the same domain
    function, `titr.flows.usecases.assign_scenario`)."""
    key = ("flows", scenario, top)
    body = state.cached_result(net, key)
    if body is None:

        def build() -> dict[str, Any]:
            return assignment_dict(net, _scenario(state, net, scenario), top)

        body = await run_in_threadpool(state.result_json, net, key, build)
    return Response(body, media_type="application/json")


class AssignmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dataset: str | None = Field(None, max_length=160)
    scenario: str | None = Field(None, max_length=100, description="Named demand scenario")
    demand_csv: str | None = Field(
        None,
        max_length=5_000_000,
        description=(
            "Demand as CSV text: origin,destination,commodity,quantity,unit,source[,note]"
        ),
    )
    year: int = Field(2025, ge=1990, le=2100)
    top: int = Field(20, ge=1, le=500)


@router.post(
    "/assignments", status_code=201, response_model=Result, summary="Run and persist an assignment"
)
def create_assignment(state: State, _w: Writer, req: Annotated[AssignmentRequest, Body()]) -> Any:
    """Assign a named scenario or an uploaded demand CSV (validated: every bad cell listed)
    and store the result as a run of kind "assignment"; answers with its run id."""
    net = state.network(req.dataset)
    if (req.scenario is None) == (req.demand_csv is None):
        from titr.errors import DataError, Issue

        raise DataError(
            Issue(
                "body",
                None,
                "scenario",
                None,
                "give exactly one of 'scenario' (a name) or 'demand_csv'",
            )
        )
    if req.demand_csv is not None:
        sc = read_demand_csv(req.demand_csv, net, name="upload", year=req.year, file="demand_csv")
    else:
        sc = _scenario(state, net, req.scenario or "")
    out = assignment_dict(net, sc, req.top)
    run_id = state.store.create_run(
        "assignment", {"scenario": sc.name, "year": sc.year}, dataset_label=net.label, total=1
    )
    out["run_id"] = run_id
    state.store.finish_run(run_id, "done", out)
    return JSONResponse(out, status_code=201)

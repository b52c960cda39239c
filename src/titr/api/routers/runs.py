"""/api/runs: persisted runs (simulations, assignments, plans) with their status."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from titr.api.deps import Limit, Offset, State
from titr.api.listing import runs_page
from titr.api.schemas import Page, Run

router = APIRouter(prefix="/api/runs", tags=["runs"])
RunId = Annotated[str, Path(description="Run id", pattern=r"^[A-Za-z0-9_\-]{1,64}$")]


@router.get("", response_model=Page[Run], summary="List runs")
def list_runs(
    state: State,
    limit: Limit = 100,
    offset: Offset = 0,
    kind: Annotated[
        Literal["simulation", "assignment", "plan"] | None,
        Query(description="Only runs of this kind"),
    ] = None,
) -> dict[str, Any]:
    """Runs, newest first."""
    return runs_page(state, limit, offset, kind)


@router.get("/{run_id}", response_model=Run, summary="One run")
def get_run(state: State, run_id: RunId) -> dict[str, Any]:
    """Status, progress (done of total items), parameters, result or error of a run."""
    return state.store.get_run(run_id)

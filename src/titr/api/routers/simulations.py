"""/api/simulations: Monte Carlo simulation runs as background jobs, persisted in the store.

`POST` validates the scenario (422 with every broken key), creates a run of kind
"simulation" and runs the replications (`titr.sim.montecarlo.run_reps`, the engine of
`titr.sim.simulate`) in a thread with the serial executor, so the server never forks; replication
r draws from SeedSequence([seed, r]) as in `simulate`, so the numbers equal the CLI's; each
replication's summary is saved as it finishes, so progress = stored items /
total. `GET` answers status and progress, `.../results` the combined statistics (mean and 95 %
t-interval per statistic) and the per-replication summaries, `DELETE` asks the job to stop
after the current replication (the run ends "cancelled").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from titr import limits
from titr.api.deps import Limit, Offset, State, Writer
from titr.api.schemas import Page, Run
from titr.errors import DataError, Issue, TitrError
from titr.sim import SimResult, compile_model, parse_scenario
from titr.sim.montecarlo import CancelledRun, estimate_memory_bytes, run_reps

router = APIRouter(prefix="/api/simulations", tags=["simulations"])
RunId = Annotated[str, Path(description="Run id", pattern=r"^[A-Za-z0-9_\-]{1,64}$")]


class Busy(TitrError):
    title = "busy"
    status_code = 409


class SimulationRequest(BaseModel):
    """A simulation to run. `scenario` is the same mapping as a scenario file (JSON/TOML):
    demand flows (per year, in the commodity's unit), horizon and warm-up (days), plugins."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "dataset": "middle-corridor-2025",
                    "replications": 5,
                    "seed": 1,
                    "days": 120,
                    "scenario": {
                        "name": "demo",
                        "demand": [
                            {
                                "origin": "CN_XIAN",
                                "destination": "GE_POTI",
                                "commodity": "container",
                                "per_year": 20000,
                            }
                        ],
                    },
                }
            ]
        },
    )

    dataset: str | None = Field(None, max_length=160, description="Dataset reference")
    scenario: dict[str, Any] = Field(description="Scenario mapping (see titr simulate)")
    replications: int = Field(10, ge=1, le=500)
    seed: int = Field(0, ge=0, le=2**32 - 1)
    days: float | None = Field(None, gt=0, le=3650, description="Horizon override (days)")
    until_ci: float | None = Field(
        None,
        gt=0,
        le=365,
        description=("Stop once the p90 transit-time 95 % half-width is at most this many days"),
    )


class SimulationStatus(Run):
    progress: float = Field(description="Share of replications done, 0..1")
    result: dict[str, Any] | None = None
    error: str | None = None
    dataset: str


@dataclass
class Job:
    run_id: str
    thread: threading.Thread
    cancel_event: threading.Event

    def cancel(self) -> None:
        self.cancel_event.set()


def _status(state: Any, run_id: str) -> dict[str, Any]:
    info = state.store.get_run(run_id)
    if info["kind"] != "simulation":
        from titr.errors import NotFoundError

        raise NotFoundError(f"run '{run_id}' is a {info['kind']} run, not a simulation.")
    total = info.get("total") or 0
    done = int(info.get("done") or 0)
    return {
        "id": info["id"],
        "kind": info["kind"],
        "status": info["status"],
        "dataset_label": info["dataset_label"],
        "dataset": info["dataset_label"],
        "total": info.get("total"),
        "done": done,
        "progress": min(1.0, done / total) if total else 0.0,
        "created_at": info.get("created_at"),
        "updated_at": info.get("updated_at"),
        "params": info.get("params"),
        "result": info.get("result"),
        "error": info.get("error"),
    }


@router.post(
    "",
    status_code=202,
    response_model=SimulationStatus,
    summary="Start a simulation",
    responses={
        422: {"description": "Invalid scenario, or larger than a whole limit"},
        429: {"description": "Too many running simulations now (Retry-After)"},
    },
)
def start(state: State, owner: Writer, req: Annotated[SimulationRequest, Body()]) -> Any:
    """Validate and start a simulation in the background; answers 202 with the run id.

    Admission is atomic (`ApiState.admission`): the run is counted before it is accepted, so
    parallel requests cannot pass the limits together; a full server answers 429 with
    Retry-After, a request larger than a whole limit 422 naming it."""
    lim = limits.current()
    if (n := limits.longest_string(req.scenario)) > lim.max_string_chars:
        raise limits.LimitError("max_string_chars", n, "body.scenario: a string of that length")
    if (d := limits.json_depth(req.scenario)) > lim.max_json_depth:
        raise limits.LimitError("max_json_depth", d, "body.scenario: nesting depth")
    raw = dict(req.scenario)
    sc = parse_scenario(raw, "body.scenario")
    if req.dataset and sc.dataset and req.dataset != sc.dataset:
        raise DataError(
            Issue(
                "body",
                None,
                "dataset",
                f"{req.dataset} / {sc.dataset}",
                "two datasets given (body.dataset and body.scenario.dataset); give one",
            )
        )
    # as `titr simulate`: the request's dataset, else the scenario's own (never ignored)
    net = state.network(req.dataset or sc.dataset or None)
    if req.days is not None:  # as `titr simulate --days`: horizon and at most 1/4 warm-up
        sc = sc.with_horizon(req.days)
        raw["horizon_days"], raw["warmup_days"] = sc.horizon_days, sc.warmup_days
    model = compile_model(net, sc)  # every data problem is a 422 now, not a failed run later
    ticket = state.admission.admit(
        owner, req.replications * sc.horizon_days, estimate_memory_bytes(model)
    )
    store = state.store
    try:
        # the parameters in the shape `titr simulate --resume RUN` reads back
        run_id = store.create_run(
            "simulation",
            {
                "scenario": raw,
                "replications": req.replications,
                "seed": req.seed,
                "until_ci": req.until_ci,
            },
            dataset_label=net.label,
            total=req.replications,
        )
    except BaseException:
        state.admission.release(ticket.key)
        raise
    state.admission.bind(ticket, run_id)
    _launch(state, run_id, model, net.label, req.replications, req.seed, req.until_ci, {})
    return JSONResponse(
        _status(state, run_id), status_code=202, headers={"Location": f"/api/simulations/{run_id}"}
    )


def _launch(
    state: Any,
    run_id: str,
    model: Any,
    label: str,
    replications: int,
    seed: int,
    until_ci: float | None,
    done: dict[int, dict[str, Any]],
) -> None:
    """Run the missing replications of an admitted run in a daemon thread; the admission
    ticket (bound to run_id) is released when the thread ends."""
    store = state.store
    cancel = threading.Event()

    def save(r: int, summ: dict[str, Any]) -> None:
        store.add_run_item(run_id, r, summ)

    def target() -> None:
        try:
            summaries = run_reps(
                model,
                replications,
                seed,
                executor="serial",
                done=done,
                until_ci=until_ci,
                cancel=cancel,
                on_item=save,
            )
            res = SimResult(summaries, seed, label, run_id, skipped=model.skipped)
            store.finish_run(run_id, "done", res.to_dict())
        except CancelledRun:
            store.finish_run(run_id, "cancelled")
        except Exception as e:  # recorded on the run, never lost
            store.finish_run(run_id, "failed", error=f"{type(e).__name__}: {e}"[:2000])
        finally:
            state.admission.release(run_id)  # the memory is freed when this thread ends

    th = threading.Thread(target=target, name=f"titr-sim-{run_id}", daemon=True)
    state.jobs[run_id] = Job(run_id, th, cancel)
    for k, j in list(state.jobs.items()):  # forget finished jobs (not ones still starting)
        if j.thread.ident is not None and not j.thread.is_alive():
            state.jobs.pop(k, None)
    try:
        th.start()
    except BaseException:
        state.admission.release(run_id)
        store.finish_run(run_id, "failed", error="the server could not start a thread")
        raise


@router.post(
    "/{run_id}/resume",
    status_code=202,
    response_model=SimulationStatus,
    summary="Resume an interrupted simulation",
    responses={
        409: {"description": "The run is running or done"},
        429: {"description": "Too many running simulations now (Retry-After)"},
    },
)
def resume(state: State, owner: Writer, run_id: RunId) -> Any:
    """Continue an interrupted (server killed), cancelled or failed simulation with its
    stored parameters: finished replications are kept, the missing ones run (same seed, so
    the result equals an uninterrupted run's). As `titr simulate --resume RUN`."""
    info = state.store.get_run(run_id)
    if info["kind"] != "simulation":
        from titr.errors import NotFoundError

        raise NotFoundError(f"run '{run_id}' is a {info['kind']} run, not a simulation.")
    if info["status"] not in ("interrupted", "cancelled", "failed"):
        raise Busy(
            f"simulation {run_id} is {info['status']}: only interrupted, cancelled or "
            f"failed runs can be resumed"
        )
    label = str(info.get("dataset_label") or "")
    ref = label.split("#", 1)[0]
    net = state.network(ref or None)
    if label and net.label != label:
        raise Busy(f"run {run_id} was made on {label}, which is no longer stored (now {net.label})")
    p = info["params"]
    sc = parse_scenario(p["scenario"], f"run {run_id}")
    model = compile_model(net, sc)
    replications, seed, until_ci = int(p["replications"]), int(p["seed"]), p.get("until_ci")
    ticket = state.admission.admit(
        owner, replications * sc.horizon_days, estimate_memory_bytes(model)
    )
    try:
        done = state.store.run_items(run_id)
        state.store.restart_run(run_id)
    except BaseException:
        state.admission.release(ticket.key)
        raise
    state.admission.bind(ticket, run_id)
    _launch(state, run_id, model, net.label, replications, seed, until_ci, done)
    return JSONResponse(_status(state, run_id), status_code=202)


@router.get("", response_model=Page[Run], summary="List simulation runs")
def list_simulations(state: State, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    from titr.api.listing import runs_page

    return runs_page(state, limit, offset, "simulation")


@router.get("/{run_id}", response_model=SimulationStatus, summary="Status and progress")
def status(state: State, run_id: RunId) -> dict[str, Any]:
    """Status (running, done, failed, cancelled), replications done of total, and the
    combined result once done."""
    return _status(state, run_id)


@router.get("/{run_id}/results", response_model=dict[str, Any], summary="Results")
def results(
    state: State,
    run_id: RunId,
    limit: Limit = 100,
    offset: Offset = 0,
    replications: Annotated[bool, Query(description="Include per-replication summaries")] = True,
) -> dict[str, Any]:
    """Combined statistics (mean, 95 % t-interval per statistic: transit days p50/p90/p99
    per O/D, on-time share, throughput, mean wait per node, utilisation, critical resource)
    and the per-replication summaries (paginated). Throughput: `throughput.t_per_year` all
    freight in t, `throughput.teu_per_year` containers in TEU (container flows only), each
    beside its demand (`demand_t_per_year`, `demand_teu_per_year`); trains formed per year in
    `trains.container_per_year` and `trains.other_per_year`."""
    st = _status(state, run_id)
    items = state.store.run_items(run_id) if replications else {}
    keys = sorted(items)
    return {
        "run_id": run_id,
        "dataset": st["dataset"],
        "status": st["status"],
        "result": st["result"],
        "total": len(keys),
        "limit": limit,
        "offset": offset,
        "replications": [items[k] for k in keys[offset : offset + limit]],
    }


@router.delete(
    "/{run_id}",
    status_code=202,
    response_model=SimulationStatus,
    summary="Cancel a simulation",
    responses={409: {"description": "Not running"}},
)
def cancel(state: State, _w: Writer, run_id: RunId) -> Any:
    """Ask a running simulation to stop after its current replication."""
    st = _status(state, run_id)
    job = state.jobs.get(run_id)
    if job is None or not job.thread.is_alive():
        raise Busy(f"simulation {run_id} is not running here (status {st['status']})")
    job.cancel()
    job.thread.join(timeout=10)
    return JSONResponse(_status(state, run_id), status_code=202)

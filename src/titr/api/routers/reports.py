"""/api/reports: corridor assessment reports (PDF, HTML, XLSX in en/ru/tr) as background jobs.

`POST` (token required, as simulations) validates the request, creates a run of kind "report"
and builds the report in a thread with the same domain calls as `titr report`
(`titr.appraisal.run.assess` → `titr.reports.report_data` → `titr.reports.write`); the file is
written under the data directory (reports/RUN.EXT). `GET /{id}` answers the status, `GET
/{id}/file` the file once done (409 while running)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from titr.api.deps import State, Writer
from titr.errors import DataError, Issue, NotFoundError, TitrError

router = APIRouter(prefix="/api/reports", tags=["reports"])
RunId = Annotated[str, Path(description="Run id", pattern=r"^[A-Za-z0-9_\-]{1,64}$")]
MAX_RUNNING = 2
MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Busy(TitrError):
    title = "busy"
    status_code = 409


class NotReady(TitrError):
    title = "not ready"
    status_code = 409


class ReportRequest(BaseModel):
    """What `titr report` takes: the target tonnage on the corridor and its year."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"target_t": 11_000_000, "by": 2030, "lang": "ru", "format": "pdf"}]
        },
    )

    dataset: str | None = Field(None, max_length=160, description="Dataset reference")
    target_t: float = Field(gt=0, le=1e10, description="Target volume on the corridor, t/yr")
    by: int = Field(ge=1990, le=2100, description="Target year")
    lang: Literal["en", "ru", "tr"] = "en"
    format: Literal["pdf", "html", "xlsx"] = "pdf"
    scenario: str | None = Field(None, max_length=80, description="Bundled demand structure")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    replications: int = Field(3, ge=1, le=50)
    draws: int = Field(10_000, ge=1, le=1_000_000)
    budget_musd: float | None = Field(None, ge=0, le=1e7)


class ReportStatus(BaseModel):
    id: str
    status: str
    dataset: str
    params: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: str | None = None
    file: str | None = Field(None, description="URL of the file once done")


@dataclass
class Job:
    run_id: str
    thread: threading.Thread


def reports_dir() -> FsPath:
    from titr.store.db import data_dir

    d = data_dir() / "reports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _status(state: Any, run_id: str) -> dict[str, Any]:
    info = state.store.get_run(run_id)
    if info["kind"] != "report":
        raise NotFoundError(f"run '{run_id}' is a {info['kind']} run, not a report.")
    done = info["status"] == "done"
    return {
        "id": info["id"],
        "status": info["status"],
        "dataset": info["dataset_label"],
        "params": info.get("params"),
        "result": info.get("result"),
        "error": info.get("error"),
        "file": f"/api/reports/{run_id}/file" if done else None,
    }


@router.post(
    "",
    status_code=202,
    response_model=ReportStatus,
    summary="Start a report",
    responses={409: {"description": "Too many reports running"}},
)
def start(state: State, _w: Writer, req: Annotated[ReportRequest, Body()]) -> Any:
    """Validate and build the report in the background; answers 202 with the run id."""
    from titr.appraisal.params import from_network
    from titr.appraisal.run import plan_years

    running = [j for j in state.jobs.values() if isinstance(j, Job) and j.thread.is_alive()]
    if len(running) >= MAX_RUNNING:
        raise Busy(f"{len(running)} reports are being built (at most {MAX_RUNNING}); wait")
    net = state.network(req.dataset)
    params = from_network(net)  # a dataset without appraisal parameters is a 422 now
    plan_years(params.base_year, req.by)
    if req.scenario is not None:
        from titr.flows.demand import bundled_scenarios

        if req.scenario not in bundled_scenarios():
            raise DataError(
                Issue(
                    "body",
                    None,
                    "scenario",
                    req.scenario,
                    f"not a bundled demand scenario ({', '.join(bundled_scenarios())})",
                )
            )
    store = state.store
    run_id = store.create_run("report", req.model_dump(), dataset_label=net.label, total=1)
    path = reports_dir() / f"{run_id}.{req.format}"

    def target() -> None:
        from titr.appraisal.run import assess
        from titr.reports import report_data, write

        try:
            res = assess(
                net,
                req.target_t,
                req.by,
                scenario=req.scenario,
                seed=req.seed,
                replications=req.replications,
                draws=req.draws,
                budget=req.budget_musd,
                seasons=True,
            )
            write(report_data(res), req.lang, req.format, path)
            m = res.appraisal.measures
            store.finish_run(
                run_id,
                "done",
                {
                    "path": path.name,
                    "format": req.format,
                    "lang": req.lang,
                    "npv_musd": m["npv_musd"],
                    "bcr": m["bcr"],
                    "p_npv_positive": res.monte_carlo["p_npv_positive"],
                },
            )
        except Exception as e:  # recorded on the run, never lost
            store.finish_run(run_id, "failed", error=f"{type(e).__name__}: {e}")

    th = threading.Thread(target=target, name=f"titr-report-{run_id}", daemon=True)
    state.jobs[run_id] = Job(run_id, th)
    th.start()
    return JSONResponse(
        _status(state, run_id), status_code=202, headers={"Location": f"/api/reports/{run_id}"}
    )


@router.get("/{run_id}", response_model=ReportStatus, summary="Status of a report")
def status(state: State, run_id: RunId) -> dict[str, Any]:
    return _status(state, run_id)


@router.get(
    "/{run_id}/file",
    summary="The report file",
    responses={200: {"content": {m: {} for m in MEDIA.values()}}, 409: {}},
)
def file(state: State, run_id: RunId) -> Any:
    st = _status(state, run_id)
    if st["status"] != "done":
        raise NotReady(
            f"report {run_id} is {st['status']}" + (f": {st['error']}" if st.get("error") else "")
        )
    res = st["result"] or {}
    path = reports_dir() / str(res.get("path", ""))
    if not path.is_file():
        raise NotFoundError(f"the file of report {run_id} is no longer on the server")
    fmt = str(res.get("format"))
    return FileResponse(
        path, media_type=MEDIA[fmt], filename=f"titr-report-{run_id}-{res.get('lang')}.{fmt}"
    )

"""The application factory.

`create_app(database_url)` opens the store (SQLite by default, PostgreSQL via a URL or
TITR_DATABASE_URL), registers one router per resource under /api, maps every error to
problem+json, and mounts the dashboard from `titr.web` when that package provides `mount`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from titr.api import problems
from titr.api.deps import State
from titr.api.guard import RequestGuard
from titr.api.schemas import Health
from titr.api.state import ApiState

ROUTERS = (
    "datasets",
    "network",
    "indicators",
    "runs",
    "routes",
    "flows",
    "plans",
    "simulations",
    "choice",
    "reports",
)

DESCRIPTION = """\
titr: plan and simulate the Trans-Caspian International Transport Route (Middle Corridor).

* Reads are open. Writes (imports, runs, deletes) need `Authorization: Bearer <token>`; create a
  token with `titr token create NAME`.
* Every dataset-bound result carries `dataset` (label `name@version#hash8`) and `run_id` where
  it was persisted as a run.
* Errors are `application/problem+json` (RFC 9457) with `errors` (file, row, column, value,
  rule) for invalid data and `suggestions` for unknown names.
* Units: time in hours (distributions) or days (transit-time summaries), distance km, money
  USD, capacity in the unit stated beside it.
"""


def _cors_from_env() -> list[str]:
    raw = os.environ.get("TITR_CORS_ORIGINS", "")
    return [o.strip() for o in raw.split(",") if o.strip()]


def create_app(
    database_url: str | None = None,
    *,
    cors_origins: list[str] | None = None,
    default_dataset: str | None = None,
) -> FastAPI:
    """Build the API. `cors_origins=None` reads TITR_CORS_ORIGINS (comma separated); an empty
    list (the default) sends no CORS headers at all."""
    from titr import __version__
    from titr.store import Store

    store = Store(database_url)
    dataset = default_dataset or os.environ.get("TITR_DATASET", "middle-corridor-2025")
    state = ApiState(store, dataset)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        state.shutdown()
        store.close()

    app = FastAPI(
        title="titr API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served below from the vendored Swagger UI (no CDN)
        redoc_url=None,
        openapi_tags=[
            {"name": "datasets", "description": "Stored and bundled datasets"},
            {"name": "network", "description": "Corridor network, GeoJSON, details"},
            {"name": "routes", "description": "Routes and corridor comparison"},
            {"name": "flows", "description": "Assignments and bottlenecks"},
            {"name": "planning", "description": "Investment plans"},
            {"name": "simulations", "description": "Background simulation runs"},
            {"name": "runs", "description": "Persisted runs"},
            {"name": "indicators", "description": "Indicator series and targets"},
            {"name": "sources", "description": "Cited sources"},
            {"name": "reference", "description": "Attribute table, health"},
        ],
    )
    app.state.titr = state
    problems.install(app)
    from titr.api.tidy import TidyJSONMiddleware

    app.add_middleware(TidyJSONMiddleware)
    origins = _cors_from_env() if cors_origins is None else cors_origins
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )

    app.add_middleware(RequestGuard, routes=app)  # body size, time-out, cancel on disconnect
    for name in ROUTERS:  # every router ships with the package: a failing import is an error
        try:
            mod = importlib.import_module(f"titr.api.routers.{name}")
        except ImportError as e:
            raise RuntimeError(f"API router '{name}' cannot be loaded: {e}") from e
        app.include_router(mod.router)

    @app.get("/api/health", response_model=Health, tags=["reference"], summary="Health")
    async def health(state: State) -> dict[str, Any]:
        """Liveness, version and the default dataset reference."""
        return {"status": "ok", "version": __version__, "dataset": state.default_dataset}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            app.openapi_schema = problems.document_problems(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _mount_docs(app)
    _mount_web(app)
    return app


def _mount_docs(app: FastAPI) -> None:
    """Interactive API docs at /docs from the Swagger UI copy vendored into `titr.web`
    (static/vendor/swagger-ui), so the page works without internet access."""
    from pathlib import Path

    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    vendor = Path(__file__).resolve().parents[1] / "web" / "static" / "vendor" / "swagger-ui"
    if not (vendor / "swagger-ui-bundle.js").is_file():
        return
    app.mount("/docs-assets", StaticFiles(directory=str(vendor)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} · docs",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/img/favicon.svg",
        )


def _mount_web(app: FastAPI) -> None:
    """Pages and static files of the dashboard, if `titr.web` offers `mount(app)`."""
    try:
        web = importlib.import_module("titr.web")
    except ImportError as e:
        if e.name in ("titr.web",):
            return
        raise
    mount = getattr(web, "mount", None)
    if callable(mount):
        mount(app)


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory titr.api.app:app_from_env` (several workers): database
    from TITR_DATABASE_URL, dataset from TITR_DATASET, CORS from TITR_CORS_ORIGINS."""
    return create_app()

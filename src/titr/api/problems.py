"""Errors as problem+json (RFC 9457): every error a client can cause is a 4xx with a body
that names the place and the rule, the same text the CLI prints.

Body: ``type``, ``title``, ``status``, ``detail``, ``instance`` (the request path), plus
``errors`` (DataError: file, row, column, value, rule, severity) and ``suggestions``
(NotFoundError: close names).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from titr.errors import TitrError

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("titr.api")


class ProblemIssue(BaseModel):
    """One broken rule at one place (a DataError issue or a request-validation error)."""

    file: str | None = Field(None, description="File (or request part: query, path, body)")
    row: int | None = Field(None, description="1-based row, header = row 1")
    column: str | None = Field(None, description="Column or parameter name")
    value: str | None = Field(None, description="The offending value")
    rule: str = Field(description="The rule that was broken")
    severity: str = "error"


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", description="URI reference identifying the problem type")
    title: str = Field(description="Short summary of the problem type")
    status: int = Field(description="HTTP status code")
    detail: str = Field(description="Explanation specific to this occurrence")
    instance: str | None = Field(None, description="Request path that caused the problem")
    errors: list[ProblemIssue] | None = Field(
        None, description="Every broken rule (data errors), at most max_errors of them"
    )
    errors_omitted: int | None = Field(
        None, description="How many more issues were found than `errors` lists"
    )
    limit: dict[str, Any] | None = Field(
        None, description="The limit an input exceeded: name and value (see titr.limits)"
    )
    suggestions: list[str] | None = Field(None, description="Close names (not found)")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "type": "about:blank",
                    "title": "not found",
                    "status": 404,
                    "detail": "no node is called 'Aktaw'. Did you mean: KZ_AKT?",
                    "instance": "/api/routes",
                    "suggestions": ["KZ_AKT"],
                }
            ]
        }
    }


def problem_response(
    status: int,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _titr_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TitrError)
    body = exc.to_problem()
    status = int(getattr(exc, "status_code", 400) or 400)
    if not 400 <= status < 500:
        status = 400
    body["status"] = status
    body["instance"] = request.url.path
    for issue in body.get("errors") or []:
        if issue.get("value") is not None:
            issue["value"] = str(issue["value"])
    headers = getattr(exc, "headers", None)
    return JSONResponse(
        body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers or None
    )


def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    from titr.limits import current

    cap = current().max_errors
    issues = []
    lines = []
    errors = exc.errors()
    for e in errors[:cap]:
        loc = [str(x) for x in e.get("loc", ())]
        part = loc[0] if loc else "request"
        name = ".".join(loc[1:]) or None
        raw = e.get("input")
        value = None if raw is None or isinstance(raw, dict | list) else str(raw)[:200]
        rule = str(e.get("msg", "invalid"))[:500]
        issues.append(
            {
                "file": part,
                "row": None,
                "column": name,
                "value": value,
                "rule": rule,
                "severity": "error",
            }
        )
        lines.append(f"{part} parameter '{name}': {rule}" if name else f"{part}: {rule}")
    n = len(errors)
    detail = f"{n} invalid request parameter{'s' if n != 1 else ''}: " + "; ".join(lines)
    omitted = n - len(issues) if n > len(issues) else None
    return problem_response(
        422, "invalid request", detail, request, errors=issues, errors_omitted=omitted
    )


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {
        400: "bad request",
        401: "unauthorized",
        403: "forbidden",
        404: "not found",
        405: "method not allowed",
        409: "conflict",
        413: "payload too large",
        415: "unsupported media type",
        422: "invalid request",
    }
    title = titles.get(exc.status_code, "error")
    return problem_response(
        exc.status_code, title, str(exc.detail), request, headers=dict(exc.headers or {})
    )


def _too_deep(request: Request, exc: Exception) -> JSONResponse:
    """A JSON body nested deeper than the parser's recursion: 422 naming max_json_depth."""
    from titr.limits import current, rule

    lim = current().max_json_depth
    return problem_response(
        422,
        "limit exceeded",
        rule("max_json_depth", "deeper than the parser allows", "request body nesting"),
        request,
        limit={"name": "max_json_depth", "value": lim},
    )


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s", request.url.path, exc_info=exc)
    return problem_response(
        500, "internal error", f"unexpected {type(exc).__name__}; this is a bug in titr", request
    )


def install(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into problem+json."""
    app.add_exception_handler(TitrError, _titr_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RecursionError, _too_deep)
    app.add_exception_handler(Exception, _unexpected)


ERROR_STATUSES = {
    400: "Bad request",
    401: "Missing or invalid API token",
    404: "Not found (with suggestions)",
    409: "Conflict",
    413: "Payload too large (the limit is named)",
    422: "Invalid input (every broken rule listed)",
    429: "Too many running jobs (see Retry-After)",
    503: "Request took longer than request_timeout_s",
}


def document_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the Problem schema in the OpenAPI components and document 4xx answers of every
    operation as application/problem+json (replacing FastAPI's default 422 schema)."""
    comps = schema.setdefault("components", {}).setdefault("schemas", {})
    defs = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in defs.pop("$defs", {}).items():
        comps[name] = sub
    comps["Problem"] = defs
    comps.pop("HTTPValidationError", None)
    comps.pop("ValidationError", None)
    ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            resp = op["responses"]
            codes = [400, 404, 422]
            if op.get("security"):
                codes.append(401)
            codes += [c for c in (409, 413, 429, 503) if str(c) in resp]
            for code in codes:
                resp[str(code)] = {
                    "description": ERROR_STATUSES[code],
                    "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}},
                }
    return schema

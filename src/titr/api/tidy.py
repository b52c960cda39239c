"""ASGI middleware: JSON responses without binary float noise (see `titr.jsonfmt`), and
problem details in the reader's language (`titr.api.localise`: `?lang=` or Accept-Language).

FastAPI serialises response models straight to bytes, past any response class, so the numbers
are tidied here, once, for every JSON body the API sends (application/json, problem+json,
geo+json). Other bodies (HTML, static files, streams) pass through untouched.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from titr.jsonfmt import tidy

Scope = dict[str, Any]
Message = dict[str, Any]

# A response carrying this header holds tidy JSON already (`titr.jsonfmt.tidy_safe`, e.g.
# `RouteResult.to_json`): the middleware drops the header and sends the body untouched.
TIDY_HEADER = "x-titr-tidy"
_TIDY = TIDY_HEADER.encode()
_JSON_TYPES = (b"application/json", b"application/problem+json", b"application/geo+json")
MAX_BODY = 64 * 1024 * 1024  # larger bodies pass as they are


def ctype_of(start: Message) -> bytes:
    headers = dict(start.get("headers") or [])
    return bytes(headers.get(b"content-type", b"")).split(b";")[0].strip()


def localise_problem(body: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """title and detail in the request's language (unknown sentences stay English)."""
    from urllib.parse import parse_qs

    from titr.api.localise import request_lang, translate_detail, translate_title

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    lang = request_lang((query.get("lang") or [None])[0], accept)
    if lang == "en":
        return body
    out = dict(body)
    if isinstance(out.get("title"), str):
        out["title"] = translate_title(out["title"], lang)
    if isinstance(out.get("detail"), str):
        out["detail"] = translate_detail(out["detail"], lang)
    return out


class TidyJSONMiddleware:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith("/api"):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def wrapped(message: Message) -> None:
            nonlocal start, passthrough
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers") or [])
                if _TIDY in headers:
                    passthrough = True
                    raw = message.get("headers") or []
                    await send({**message, "headers": [(k, v) for k, v in raw if k != _TIDY]})
                    return
                ctype = headers.get(b"content-type", b"").split(b";")[0].strip()
                if ctype in _JSON_TYPES and b"content-encoding" not in headers:
                    start = message
                else:
                    passthrough = True
                    await send(message)
                return
            if message["type"] != "http.response.body" or passthrough or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                if sum(map(len, chunks)) <= MAX_BODY:
                    return
                passthrough = True  # too large: send what we have and the rest as it comes
                await send(start)
                await send(
                    {"type": "http.response.body", "body": b"".join(chunks), "more_body": True}
                )
                return
            body = b"".join(chunks)
            with contextlib.suppress(ValueError):
                obj = tidy(json.loads(body))
                if ctype_of(start) == b"application/problem+json" and isinstance(obj, dict):
                    obj = localise_problem(obj, scope)
                body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            out = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            out.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": out})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)

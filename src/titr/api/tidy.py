"""ASGI middleware: JSON responses without binary float noise (see `titr.jsonfmt`), and
problem details, names from the data (scenario titles, services, operators, owners) and server
notes in the reader's language (`titr.api.localise`: `?lang=` or Accept-Language).

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
# `RouteResult.to_json`): the middleware drops the header and sends the body untouched, unless
# the reader asked for ru or tr (its names and notes are translated then).
TIDY_HEADER = "x-titr-tidy"
_TIDY = TIDY_HEADER.encode()
_JSON_TYPES = (b"application/json", b"application/problem+json", b"application/geo+json")
MAX_BODY = 64 * 1024 * 1024  # larger bodies pass as they are


def ctype_of(start: Message) -> bytes:
    headers = dict(start.get("headers") or [])
    return bytes(headers.get(b"content-type", b"")).split(b";")[0].strip()


def scope_lang(scope: Scope) -> str:
    """The request's language: `?lang=`, else Accept-Language, else en."""
    from urllib.parse import parse_qs

    from titr.api.localise import request_lang

    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    headers = dict(scope.get("headers") or [])
    accept = headers.get(b"accept-language", b"").decode("latin-1")
    return request_lang((query.get("lang") or [None])[0], accept)


def scope_network(scope: Scope) -> Any:
    """The request's dataset when the app has it loaded (for place names), else None."""
    from urllib.parse import parse_qs

    state = getattr(getattr(scope.get("app"), "state", None), "titr", None)
    if state is None:
        return None
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    try:
        return state.network_if_loaded((query.get("dataset") or [None])[0])
    except Exception:  # a malformed reference: names stay as the message has them
        return None


def localise_problem(body: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """title and detail in the request's language (unknown sentences stay English)."""
    from titr.api.localise import localise_data_errors, localise_text, translate_title

    lang = scope_lang(scope)
    if lang == "en":
        return body
    out = localise_data_errors(dict(body), lang)
    if isinstance(out.get("title"), str):
        out["title"] = translate_title(out["title"], lang)
    if isinstance(out.get("detail"), str) and out["detail"] == body.get("detail"):
        out["detail"] = localise_text(out["detail"], lang, scope_network(scope))
    return out


def localise_answer(body: Any, scope: Scope) -> Any:
    """Names from the data and server notes of an answer in the request's language."""
    from titr.api.localise import localise_body

    lang = scope_lang(scope)
    if lang == "en":
        return body
    return localise_body(body, lang, scope_network(scope))


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
                    raw = [(k, v) for k, v in message.get("headers") or [] if k != _TIDY]
                    if scope_lang(scope) == "en":  # tidy and in the source language already
                        passthrough = True
                        await send({**message, "headers": raw})
                        return
                    message = {**message, "headers": raw}  # names and notes to translate
                    headers = dict(raw)
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
                else:
                    obj = localise_answer(obj, scope)
                body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            out = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            out.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": out})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, wrapped)

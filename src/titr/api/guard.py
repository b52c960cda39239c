"""Request guard (ASGI middleware): body size, wall-time limit, cancellation on disconnect.

* A request body larger than its limit (`max_upload_bytes` for a dataset import,
  `max_body_bytes` otherwise) is refused with 413 problem+json naming the limit, by its
  Content-Length before anything is read, or while it streams in.
* Every request gets a cancel flag (`titr.limits.cancel_scope`): set when the client
  disconnects or the request passes `request_timeout_s`. Long work in worker threads (dataset
  reading) checks it between rows and stops; a time-out answers 503 problem+json.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
from typing import Any

from titr import limits

Scope = dict[str, Any]
Message = dict[str, Any]


def _problem(status: int, title: str, detail: str, path: str, **extra: Any) -> bytes:
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": path,
        **extra,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


class RequestGuard:
    def __init__(self, app: Any, routes: Any = None):
        self.app = app
        self.routes = routes  # the FastAPI app, for the Allow header of OPTIONS
        self._paths: list[tuple[re.Pattern[str], set[str]]] | None = None

    def allowed(self, scope: Scope) -> list[str]:
        """The methods the OpenAPI document gives this path (OPTIONS answers them)."""
        if self._paths is None:
            spec = self.routes.openapi() if self.routes is not None else {"paths": {}}
            self._paths = [
                (
                    re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) + "$"),
                    {m.upper() for m in item},
                )
                for p, item in spec.get("paths", {}).items()
            ]
        path = str(scope.get("path", ""))
        methods: set[str] = set()
        for rx, ms in self._paths:
            if rx.match(path):
                methods |= ms
        if methods:
            methods.add("OPTIONS")
        return sorted(methods)

    @staticmethod
    def _cap(scope: Scope) -> tuple[str, int]:
        lim = limits.current()
        if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") == "/api/datasets":
            return "max_upload_bytes", lim.max_upload_bytes + 2**20  # multipart framing
        return "max_body_bytes", lim.max_body_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        name, cap = self._cap(scope)
        headers = dict(scope.get("headers") or [])
        started = False

        async def reply(status: int, title: str, detail: str, **extra: Any) -> None:
            body = _problem(status, title, detail, path, **extra)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode()),
                        (b"connection", b"close"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        def too_large(n: str) -> tuple[str, str]:
            return "payload too large", limits.rule(name, n, "request body in bytes")

        if scope.get("method") == "OPTIONS" and b"access-control-request-method" not in headers:
            allow = self.allowed(scope)
            if allow:  # a plain OPTIONS (not a CORS preflight): the methods of this path
                await send(
                    {
                        "type": "http.response.start",
                        "status": 204,
                        "headers": [(b"allow", ", ".join(allow).encode())],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        if declared > cap:
            title, detail = too_large(str(declared))
            await reply(413, title, detail, limit={"name": name, "value": cap})
            return

        cancel = threading.Event()
        queue: asyncio.Queue[Message] = asyncio.Queue()
        state = {"bytes": 0, "too_large": False}

        async def pump() -> None:
            """Read the client's messages ahead of the app: count body bytes, notice a
            disconnect at any time (also while a worker thread is busy)."""
            while True:
                msg = await receive()
                if msg["type"] == "http.request":
                    state["bytes"] += len(msg.get("body", b""))
                    if state["bytes"] > cap:
                        state["too_large"] = True
                        cancel.set()
                        app_task.cancel()
                        return
                elif msg["type"] == "http.disconnect":
                    cancel.set()
                    await queue.put(msg)
                    return
                await queue.put(msg)

        async def guarded_receive() -> Message:
            return await queue.get()

        async def guarded_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        token = limits.CANCEL.set(cancel)
        try:
            app_task = asyncio.ensure_future(self.app(scope, guarded_receive, guarded_send))
        finally:
            limits.CANCEL.reset(token)
        pump_task = asyncio.ensure_future(pump())
        timeout = limits.current().request_timeout_s
        try:
            await asyncio.wait_for(asyncio.shield(app_task), timeout)
        except asyncio.CancelledError:
            if not state["too_large"]:
                cancel.set()
                app_task.cancel()
                raise
            if not started:
                title, detail = too_large(f"> {cap}")
                await reply(413, title, detail, limit={"name": name, "value": cap})
        except TimeoutError:
            cancel.set()
            app_task.cancel()
            if not started:
                await reply(
                    503,
                    "request timed out",
                    limits.rule("request_timeout_s", f"> {timeout:g}", "request time in seconds"),
                    limit={"name": "request_timeout_s", "value": timeout},
                )
        finally:
            pump_task.cancel()
            with contextlib.suppress(BaseException):
                await pump_task
            if not app_task.done():
                app_task.cancel()
            with contextlib.suppress(BaseException):
                await app_task

"""FastAPI dependencies: the app state, the dataset parameter, pagination, the token check."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from titr.api.state import ApiState
from titr.network.model import Network

DATASET_HELP = (
    "Dataset reference: NAME (newest stored version) or NAME@VERSION; stored "
    "datasets first, then bundled ones. Default: the server's dataset."
)
Lang = Literal["en", "ru", "tr"]


async def get_state(request: Request) -> ApiState:
    return request.app.state.titr  # type: ignore[no-any-return]


State = Annotated[ApiState, Depends(get_state)]
DatasetRef = Annotated[
    str | None, Query(description=DATASET_HELP, max_length=160, examples=["middle-corridor-2025"])
]
LangQ = Annotated[Lang, Query(description="Language of names: en, ru or tr")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="Items to skip")]


async def get_network(state: State, dataset: DatasetRef = None) -> Network:
    """The dataset's Network: from memory when loaded (no thread hop), else loaded in the
    thread pool (database read, validation)."""
    net = state.network_if_loaded(dataset)
    if net is not None:
        return net
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(state.network, dataset)


Net = Annotated[Network, Depends(get_network)]

_bearer = HTTPBearer(auto_error=False, description="API token from `titr token create NAME`")


def require_token(
    state: State, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None
) -> str:
    """Writes need `Authorization: Bearer <token>`; the token's sha256 must be stored and not
    revoked. Returns the token's hash prefix (identifies the caller for per-token limits and
    logs, never the token itself)."""
    if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
        raise HTTPException(
            401,
            "this operation changes the store: send "
            "'Authorization: Bearer <token>' (create one with "
            "`titr token create NAME`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = creds.credentials
    if len(token) > 200 or not token.isascii() or not state.store.check_token(token):
        raise HTTPException(
            401,
            "the API token is unknown or revoked",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:16]


Writer = Annotated[str, Depends(require_token)]

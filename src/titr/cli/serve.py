"""`titr serve` (API + dashboard under uvicorn) and `titr token create|revoke`."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from titr.cli.app import app, console, err_console
from titr.cli.help import TitrTyper

token_app = TitrTyper(help="API tokens for writes (imports, runs, deletes).", no_args_is_help=True)
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(name: Annotated[str, typer.Argument(help="Who or what uses the token")]) -> None:
    """Create an API token. It is printed once; the store keeps only its sha256."""
    from titr.errors import TitrError
    from titr.store import open_store

    if not name.strip() or len(name) > 200:
        raise TitrError("a token name must be 1 to 200 characters")
    token = open_store().create_token(name)
    err_console.print(
        f"token '{name}' created; it is shown only now. Send it as 'Authorization: Bearer <token>':"
    )
    print(token)


@token_app.command("revoke")
def token_revoke(name: Annotated[str, typer.Argument(help="Token name")]) -> None:
    """Revoke every token with this name."""
    from titr.errors import NotFoundError
    from titr.store import open_store

    n = open_store().revoke_tokens(name)
    if n == 0:
        raise NotFoundError(f"no token named '{name}'.")
    console.print(f"revoked {n} token{'s' if n != 1 else ''} named '{name}'")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8765,
    dataset: Annotated[
        str | None,
        typer.Option(
            help="Default dataset (NAME or NAME@VERSION; default TITR_DATASET or "
            "middle-corridor-2025)"
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(
            "--cors-origin",
            help="Allow this browser origin (repeatable; default none, or TITR_CORS_ORIGINS)",
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (each listens on the port itself, so connections are "
            "spread over them); 0 = one per CPU core. Default 1: background simulations are "
            "admitted and cancelled by the process that runs them",
            min=0,
            max=64,
        ),
    ] = 1,
) -> None:
    """Serve the REST API (/api, OpenAPI at /docs) and the dashboard with uvicorn. Ensures
    the store exists and the bundled dataset is loaded first (as `titr db init`)."""
    import uvicorn

    from titr.api import create_app
    from titr.errors import DataError
    from titr.network.bundled import DEFAULT, bundled_names, load
    from titr.store import open_store

    st = open_store()
    if DEFAULT in bundled_names():
        try:
            net = load(DEFAULT)
            _, note = st.save_bundled(net)
            if note:
                console.print(f"[yellow]note[/]: {note}")
            console.print(f"store ready; {net.label} loaded")
        except DataError as e:  # serve anyway: other datasets may be fine
            err_console.print(f"[yellow]warning[/]: bundled dataset not loaded: {e}")
    url = st.engine.url.render_as_string(hide_password=True)
    console.print(f"serving http://{host}:{port}/ (API docs /docs) from {url}")
    if dataset:
        os.environ["TITR_DATASET"] = dataset
    if cors_origin:
        os.environ["TITR_CORS_ORIGINS"] = ",".join(cors_origin)
    if workers == 0:
        workers = os.cpu_count() or 1
    if workers > 1:  # each worker process builds its own app from the environment
        from titr.api.server import serve_workers
        from titr.errors import TitrError

        os.environ["TITR_DATABASE_URL"] = st.url
        try:
            code = serve_workers("titr.api.app:app_from_env", host, port, workers)
        except OSError as e:
            raise TitrError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
        if code:
            raise typer.Exit(code)
    else:
        uvicorn.run(
            create_app(st.url, default_dataset=dataset), host=host, port=port, log_level="info"
        )

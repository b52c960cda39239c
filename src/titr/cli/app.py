"""The Typer app and the helpers every command module shares."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer
from rich.console import Console

from titr.network.model import Network

app = typer.Typer(
    name="titr",
    no_args_is_help=True,
    add_completion=False,
    help="titr: plan and simulate the Trans-Caspian International Transport "
    "Route (Middle Corridor).",
)
# Wide output when piped (files, CI logs, tests) so tables are not folded.
_WIDTH = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS", "160"))
console = Console(width=_WIDTH)
err_console = Console(stderr=True, width=_WIDTH)

DATASET_OPTION_HELP = (
    "Dataset: a name in the store (newest version, or NAME@VERSION), a "
    "bundled dataset name, or a path to a dataset folder/zip."
)


def default_dataset() -> str:
    return os.environ.get("TITR_DATASET", "middle-corridor-2025")


def load_network(ref: str | None = None) -> Network:
    """Resolve a dataset reference: store first, then bundled datasets, then a path."""
    from titr.errors import NotFoundError
    from titr.network.bundled import bundled_names, load
    from titr.store import open_store

    ref = ref or default_dataset()
    name, _, version = ref.partition("@")
    if not Path(ref).exists():
        try:
            return open_store().load_network(name, version or None)
        except NotFoundError:
            if version or name not in bundled_names():
                raise
    return load(ref)

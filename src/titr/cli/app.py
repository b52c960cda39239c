"""The Typer app and the helpers every command module shares."""

from __future__ import annotations

import os
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console

from titr.cli.help import TitrRootGroup, TitrTyper

if typing.TYPE_CHECKING:
    from titr.network.model import Network


class Options:
    """Global options (set by the root callback): --verbose and --lang."""

    verbose: bool = False
    lang: str = "en"


OPTS = Options()

app = TitrTyper(
    cls=TitrRootGroup,
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

LANGS = ("en", "ru", "tr")


def _version(value: bool) -> None:
    if value:
        from titr import __version__

        print(f"titr {__version__}")
        raise typer.Exit()


def default_lang() -> str:
    """The CLI language: TITR_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG), else en."""
    for var in ("TITR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        v = os.environ.get(var, "")
        code = v.split("_")[0].split(".")[0].lower()
        if code in LANGS:
            return code
    return "en"


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Show solver banners and every data warning."),
    ] = False,
    lang: Annotated[
        Literal["en", "ru", "tr"] | None,
        typer.Option(
            "--lang",
            help="Language of names and messages (default: TITR_LANG or the locale, else en).",
        ),
    ] = None,
) -> None:
    """titr: plan and simulate the Trans-Caspian International Transport Route (Middle
    Corridor). Start with `titr route Altynkol Poti` or `titr network summary`."""
    OPTS.verbose = verbose
    OPTS.lang = lang or default_lang()
    if verbose:  # HiGHS's banner and log stay off stdout otherwise (titr.flows.lp.new_highs)
        from titr.flows import lp

        lp.SOLVER_LOG = True


def T_(message: str, **kw: Any) -> str:
    """A CLI text in the CLI language (--lang, TITR_LANG or the locale) from the dashboard's
    catalogues (`python -m titr.web.catalog update` extracts T_ calls in titr/cli); English
    when the language is en or the catalogue lacks it."""
    text = message
    if OPTS.lang != "en":
        from titr.web.i18n import gettext_for

        text = gettext_for(OPTS.lang, message)
    return text.format(**kw) if kw else text


def print_warnings(warnings: list[str], what: str = "data warning") -> None:
    """Data warnings: all of them with --verbose, otherwise one line that counts them."""
    from rich.markup import escape

    if not warnings:
        return
    if OPTS.verbose:
        for w in warnings:
            err_console.print(f"[yellow]warning[/]: {escape(str(w))}", soft_wrap=True)
    else:
        n = len(warnings)
        err_console.print(
            f"[yellow]{n} {what}{'s' if n != 1 else ''}[/] (titr --verbose ... lists them)",
            highlight=False,
        )


DATASET_OPTION_HELP = (
    "Dataset: a name in the store (newest version, or NAME@VERSION), a "
    "bundled dataset name, or a path to a dataset folder/zip."
)


def default_dataset() -> str:
    return os.environ.get("TITR_DATASET", "middle-corridor-2025")


def load_network(ref: str | None = None) -> Network:
    """Resolve a dataset reference: store first, then bundled datasets, then a path."""
    from titr.errors import NotFoundError, TitrError
    from titr.network.bundled import bundled_names, load
    from titr.store import open_store

    ref = ref or default_dataset()
    name, _, version = ref.partition("@")
    try:
        is_path = Path(ref).exists()
    except (OSError, ValueError) as e:  # a name too long or with NUL: no such file
        why = e.strerror if isinstance(e, OSError) else str(e)
        raise TitrError(f"--dataset '{ref[:80]}': not a dataset name or path ({why})") from None
    if not is_path:
        try:
            return open_store().load_network(name, version or None)
        except NotFoundError:
            if version or name not in bundled_names():
                raise
    return load(ref)


def print_json(obj: Any) -> None:
    """A result as JSON on stdout: floats without binary noise (titr.jsonfmt), UTF-8 names."""
    from titr import jsonfmt

    sys.stdout.write(jsonfmt.dumps(obj, indent=2) + "\n")
    sys.stdout.flush()

"""Entry point: registers the command modules and turns titr errors into messages + exit 2."""

from __future__ import annotations

import importlib
import os
import sys

from titr.cli.app import app, err_console

# Each module registers its commands on `app` when imported.
COMMAND_MODULES = (
    "titr.cli.data",
    "titr.cli.arrays",
    "titr.cli.routing",
    "titr.cli.indicators",
    "titr.cli.serve",
    "titr.cli.sim",
    "titr.cli.flows",
    "titr.cli.report",
    "titr.cli.choice",
)


def _register() -> None:
    for mod in COMMAND_MODULES:
        importlib.import_module(mod)


def config_problem(e: BaseException) -> str | None:
    """One line for a configuration failure (database URL, database server, missing extra,
    Dask scheduler), or None when `e` is no such failure."""
    import sqlalchemy.exc as sa_exc

    from titr.store.db import database_url

    def url() -> str:
        try:
            import sqlalchemy as sa

            return sa.engine.make_url(database_url()).render_as_string(hide_password=True)
        except Exception:
            return "(unreadable URL)"

    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] in (
        "psycopg",
        "psycopg2",
        "psycopg_binary",
    ):
        return (
            "a PostgreSQL database needs the 'postgres' extra: pip install 'titr[postgres]' "
            "(or unset TITR_DATABASE_URL to use the embedded SQLite store)"
        )
    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] in (
        "distributed",
        "dask",
    ):
        return "the Dask executor needs the 'dask' extra: pip install 'titr[dask]'"
    env_url = os.environ.get("TITR_DATABASE_URL", "")
    if (
        isinstance(e, ModuleNotFoundError)
        and env_url
        and not env_url.startswith(("sqlite", "postgresql"))
    ):
        scheme = env_url.split(":", 1)[0]
        return (
            f"TITR_DATABASE_URL names a database titr does not support ({scheme}); use "
            "sqlite:////PATH/titr.db or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB"
        )
    if isinstance(e, (sa_exc.ArgumentError, sa_exc.NoSuchModuleError)):
        return (
            f"TITR_DATABASE_URL is not a usable database URL ({e}); use "
            "sqlite:////PATH/titr.db or postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB"
        )
    if isinstance(e, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        first = str(getattr(e, "orig", None) or e).strip().splitlines()
        reason = first[0] if first else type(e).__name__
        return f"cannot open the database {url()}: {reason}"
    return None


def _localised(title: str, detail: str) -> tuple[str, str]:
    """An error's title and text in the CLI language (--lang, TITR_LANG or the locale), the
    same catalogue sentences as the API; unknown sentences stay English."""
    from titr.api.localise import translate_detail, translate_title
    from titr.cli.app import OPTS

    return translate_title(title, OPTS.lang), translate_detail(detail, OPTS.lang)


def main(argv: list[str] | None = None) -> int:
    from rich.markup import escape

    from titr.errors import DataError, NotFoundError, TitrError

    _register()
    try:
        rc = app(args=argv, standalone_mode=False)
    except DataError as e:
        err_console.print(f"[bold red]error[/]: {escape(str(e))}", highlight=False, soft_wrap=True)
        return 2
    except NotFoundError as e:
        title, text = _localised("not found", str(e))
        err_console.print(f"[bold red]{title}[/]: {escape(text)}", highlight=False, soft_wrap=True)
        return 2
    except TitrError as e:
        err_console.print(f"[bold red]error[/]: {escape(str(e))}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except SystemExit as e:
        return int(e.code or 0) if isinstance(e.code, int) else 1
    except Exception as e:  # usage errors from Click (or Typer's vendored Click)
        show = getattr(e, "show", None)
        code = getattr(e, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            return code
        if type(e).__name__ == "Exit" and isinstance(code, int):
            return code
        if type(e).__name__ == "Abort":  # Click turns Ctrl-C into Abort
            err_console.print("interrupted")
            return 130
        line = config_problem(e)
        if line is not None:
            err_console.print(
                f"[bold red]configuration error[/]: {escape(line)}", highlight=False, soft_wrap=True
            )
            return 2
        raise
    # with standalone_mode=False a command's `raise typer.Exit(code)` comes back as a value
    return rc if isinstance(rc, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()

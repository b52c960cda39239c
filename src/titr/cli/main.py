"""Entry point: registers the command modules and turns titr errors into messages + exit 2."""

from __future__ import annotations

import importlib
import sys

from titr.cli.app import app, err_console

# Each module registers its commands on `app` when imported.
COMMAND_MODULES = (
    "titr.cli.data",
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
        err_console.print(
            f"[bold red]not found[/]: {escape(str(e))}", highlight=False, soft_wrap=True
        )
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
        raise
    # with standalone_mode=False a command's `raise typer.Exit(code)` comes back as a value
    return rc if isinstance(rc, int) else 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()

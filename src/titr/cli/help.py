"""The CLI's command classes: lazy loading of the command modules and titr's own help text.

Both go through Typer's supported extension point, the `cls=` of a Typer app and of its
commands (`TitrTyper` makes them the default), and click's public API (`Group.get_command`,
`Command.format_help`, a parameter's `opts` / `help` / `required` / `default`). Nothing in
Typer is patched, so a Typer upgrade that changes how it prints help cannot change ours.

Lazy loading: `titr --help` lists the commands from `COMMANDS` (name → module, one-line
help) without importing a command module; a command's module (pandas, the network model,
the LP…) is imported when that command runs or shows its help. A test checks that `COMMANDS`
says what the modules register.

Help: usage with arguments in capitals (ORIGIN DESTINATION), the type of each value in plain
words (TEXT, INTEGER, NUMBER, PATH) or the list of its choices (time|cost|generalized),
nothing after a flag, defaults when they mean something.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


@dataclass(frozen=True)
class Entry:
    module: str
    help: str


# Every top-level command: the module that registers it and its one-line help.
COMMANDS: dict[str, Entry] = {
    "route": Entry(
        "titr.cli.routing", "Best route(s), transit-time distribution, through tariff and CO2."
    ),
    "compare": Entry(
        "titr.cli.routing",
        "Best route of each corridor (Middle, Northern, Suez, Cape, Iran) side by side.",
    ),
    "claims": Entry(
        "titr.cli.routing",
        "The summit's claims checked against sourced figures and the model.",
    ),
    "plan": Entry(
        "titr.cli.flows",
        "Least-cost projects and years (all countries) to carry a target volume by a year.",
    ),
    "bottlenecks": Entry(
        "titr.cli.flows",
        "Binding capacities ranked by shadow price, and the Middle Corridor's maximum "
        "throughput (all dry cargo and per commodity) next to its stated capacity.",
    ),
    "assign": Entry(
        "titr.cli.flows",
        "Assign a demand scenario on the capacity-constrained network of its year (HiGHS LP): "
        "what the Middle Corridor carries, what is diverted, what is left unserved.",
    ),
    "demand": Entry(
        "titr.cli.flows", "Demand scenarios: list bundled and stored ones, import CSVs."
    ),
    "simulate": Entry(
        "titr.cli.sim",
        "Simulate the corridor's operations; each replication is saved as it finishes.",
    ),
    "indicators": Entry(
        "titr.cli.indicators",
        "Indicator series (TITR tonnage, containers, oil via BTC, trade) against their targets.",
    ),
    "forecast": Entry(
        "titr.cli.choice",
        "Volumes by corridor and year under a policy scenario, with diversion, revenue and CO2.",
    ),
    "choice": Entry("titr.cli.choice", "Corridor choice: estimation, scenarios, tripling."),
    "tariff": Entry("titr.cli.choice", "Corridor tariff questions (break-even single tariff)."),
    "appraise": Entry(
        "titr.cli.report",
        "NPV, EIRR, BCR, payback and first-year return of the plan for a target and of each of "
        "its projects; who pays and who gains by country.",
    ),
    "report": Entry(
        "titr.cli.report",
        "Corridor assessment report (executive summary, phased plan, appraisal, who pays and "
        "who gains, volumes and bottlenecks, reliability, parameters, sources, provenance).",
    ),
    "network": Entry("titr.cli.data", "Look at a corridor network."),
    "sources": Entry("titr.cli.data", "The sources a dataset cites."),
    "data": Entry("titr.cli.data", "Validate, import, export and list datasets."),
    "docs": Entry("titr.cli.data", "Generate documentation from the attribute table."),
    "db": Entry("titr.cli.data", "Database maintenance."),
    "serve": Entry(
        "titr.cli.serve",
        "Serve the REST API (/api, OpenAPI at /docs) and the dashboard with uvicorn.",
    ),
    "token": Entry("titr.cli.serve", "API tokens for writes (imports, runs, deletes)."),
}


def command_modules() -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.module for e in COMMANDS.values()))


# ---- help text --------------------------------------------------------------------------

_PLAIN = {bool: "yes|no", int: "INTEGER", float: "NUMBER", Path: "PATH"}  # bool before int


def _annotations(command: Any) -> dict[str, Any]:
    """The annotations of the Python function behind a command, by parameter name."""
    fn = getattr(command, "callback", None)
    if fn is None:
        return {}
    fn = inspect.unwrap(fn)
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:  # an annotation that cannot be resolved: fall back to TEXT
        return {}


def value_kind(annotation: Any) -> str:
    """TEXT / INTEGER / NUMBER / PATH / yes|no, or the choices joined by '|'."""
    ann = annotation
    while True:
        origin = typing.get_origin(ann)
        args = typing.get_args(ann)
        if origin is typing.Annotated:
            ann = args[0]
        elif origin in (typing.Union, types.UnionType):
            rest = [a for a in args if a is not type(None)]
            ann = rest[0] if len(rest) == 1 else str
        elif origin in (list, tuple, set) and args:
            ann = args[0]
        else:
            break
    if typing.get_origin(ann) is typing.Literal:
        return "|".join(str(a) for a in typing.get_args(ann))
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return "|".join(str(m.value) for m in ann)
    if isinstance(ann, type):
        for t, word in _PLAIN.items():
            if issubclass(ann, t):
                return word
    return "TEXT"


def _is_argument(param: Any) -> bool:
    return getattr(param, "param_type_name", "") == "argument"


def _arg_name(param: Any) -> str:
    return str(param.metavar or param.name or "").upper()


def _default_text(param: Any) -> str:
    if getattr(param, "show_default", True) is False or param.required:
        return ""
    d = param.default
    if d is None or callable(d) or getattr(param, "is_flag", False):
        return ""
    if isinstance(d, enum.Enum):
        d = d.value
    if isinstance(d, (list, tuple)):
        if not d:
            return ""
        d = ", ".join(str(x) for x in d)
    if d == "":
        return ""
    return f"[default: {d}]"


def _help_text(text: str | None) -> str:
    return inspect.cleandoc((text or "").split("\f")[0]).strip()


class _Help:
    """Usage, description, arguments and options in titr's words (a mixin for click commands)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = ["[OPTIONS]"]
        for p in self.get_params(ctx):  # type: ignore[attr-defined]
            if _is_argument(p):
                name = _arg_name(p) + ("..." if p.nargs != 1 else "")
                pieces.append(name if p.required else f"[{name}]")
        return pieces

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.format_usage(ctx, formatter)  # type: ignore[attr-defined]
        text = _help_text(getattr(self, "help", None))
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                for i, para in enumerate(text.split("\n\n")):
                    if i:
                        formatter.write_paragraph()
                    formatter.write_text(" ".join(para.split()))
        self.format_params(ctx, formatter)
        self.format_commands_list(ctx, formatter)
        epilog = _help_text(getattr(self, "epilog", None))
        if epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(" ".join(epilog.split()))

    def format_params(self, ctx: Any, formatter: Any) -> None:
        kinds = _annotations(self)
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for p in self.get_params(ctx):  # type: ignore[attr-defined]
            if getattr(p, "hidden", False):
                continue
            help_ = " ".join(_help_text(getattr(p, "help", None)).split())
            kind = (
                ""
                if getattr(p, "is_flag", False)
                else (
                    str(p.metavar)
                    if p.metavar and not _is_argument(p)
                    else value_kind(kinds.get(p.name or "", str))
                )
            )
            extra = " ".join(x for x in (_default_text(p), "[required]" if p.required else "") if x)
            text = "  ".join(x for x in (help_, extra) if x)
            if _is_argument(p):
                args.append((f"{_arg_name(p)} {kind}".strip(), text))
            else:
                names = ", ".join(p.opts)
                if p.secondary_opts:
                    names += " / " + ", ".join(p.secondary_opts)
                opts.append((f"{names} {kind}".strip(), text))
        if args:
            with formatter.section("Arguments"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("Options"):
                formatter.write_dl(opts)

    def format_commands_list(self, ctx: Any, formatter: Any) -> None:
        return None


class TitrCommand(_Help, TyperCommand):
    """A titr command (titr's help text)."""


class TitrGroup(_Help, TyperGroup):
    """A group of titr commands (titr's help text, commands in the order they were added)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [*super().collect_usage_pieces(ctx), str(self.subcommand_metavar)]

    def format_commands_list(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str(limit=300)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    # click's default format_commands would list them a second time
    def format_commands(self, ctx: Any, formatter: Any) -> None:
        return None


class TitrRootGroup(TitrGroup):
    """The `titr` group: commands known from COMMANDS, their modules imported on first use."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(dict.fromkeys([*COMMANDS, *self.commands]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        cmd = self.commands.get(cmd_name)
        if cmd is None and cmd_name in COMMANDS:
            importlib.import_module(COMMANDS[cmd_name].module)
            from titr.cli.app import app

            built = typer.main.get_command(app)
            for name, c in getattr(built, "commands", {}).items():
                self.commands.setdefault(name, c)
            cmd = self.commands.get(cmd_name)
        return cmd

    def format_commands_list(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            entry = COMMANDS.get(name)
            if entry is not None:
                short = entry.help
            else:
                cmd = self.commands[name]
                if cmd.hidden:
                    continue
                short = cmd.get_short_help_str(limit=300)
            rows.append((name, short))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


class TitrTyper(typer.Typer):
    """typer.Typer whose groups and commands are titr's classes unless told otherwise."""

    def __init__(self, *args: Any, cls: type[TyperGroup] | None = None, **kw: Any) -> None:
        super().__init__(*args, cls=cls or TitrGroup, **kw)

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kw: Any) -> Any:
        return super().command(*args, cls=cls or TitrCommand, **kw)

"""titr.cli.help: commands loaded lazily (`titr --help` imports no command module, no pandas,
no network model), COMMANDS agrees with what the modules register, and help in plain words
(no Typer type names, choices listed, arguments in capitals)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any, Literal

import pytest

from titr.cli.help import COMMANDS, value_kind

PROBE = r"""
import json, sys
from titr.cli.main import main
rc = main(sys.argv[1:])
print("\n@@" + json.dumps({"rc": rc, "modules": sorted(sys.modules)}))
"""


def _modules_after(*argv: str) -> tuple[int, set[str], str]:
    r = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=120
    )
    out, _, tail = r.stdout.rpartition("\n@@")
    data = json.loads(tail)
    return data["rc"], set(data["modules"]), out + r.stderr


HEAVY = ("pandas", "numpy", "networkx", "scipy", "highspy", "sqlalchemy", "titr.network.model")


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"]], ids=["help", "bare", "version"])
def test_top_level_imports_no_command_module(argv: list[str]) -> None:
    rc, mods, out = _modules_after(*argv)
    assert rc in (0, 2), out  # `titr` alone prints help (exit 0 or click's 2)
    loaded = sorted(m for m in mods if m.split(".")[0] in {h.split(".")[0] for h in HEAVY})
    assert [m for m in loaded if m.startswith(HEAVY)] == [], loaded
    assert not {
        m
        for m in mods
        if m.startswith("titr.cli.") and m not in ("titr.cli.app", "titr.cli.help", "titr.cli.main")
    }, sorted(mods)


def test_a_command_imports_only_its_module() -> None:
    rc, mods, out = _modules_after("network", "--help")
    assert rc == 0 and "summary" in out, out
    assert "titr.cli.data" in mods
    assert not {"titr.cli.flows", "titr.cli.sim", "titr.cli.choice", "pandas"} & mods


def test_commands_table_matches_the_modules() -> None:
    """COMMANDS names each command's module and its help's first sentence, and lists them all."""
    import typer

    from titr.cli.app import app

    registered: dict[str, str] = {}
    for mod in dict.fromkeys(e.module for e in COMMANDS.values()):
        before = set(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
        importlib.import_module(mod)
        group: Any = typer.main.get_command(app)
        for name in set(group.commands) - before:
            registered[name] = mod
    group = typer.main.get_command(app)
    assert registered == {n: e.module for n, e in COMMANDS.items() if n in registered}
    assert set(group.commands) == set(COMMANDS)
    for name, entry in COMMANDS.items():
        assert entry.help == group.commands[name].get_short_help_str(limit=300), name


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from titr.cli.main import main

    assert main(["rout", "A", "B"]) == 2
    assert "No such command" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("annotation", "word"),
    [
        (int, "INTEGER"),
        (float | None, "NUMBER"),
        (list[str] | None, "TEXT"),
        (Literal["a", "b"], "a|b"),
        (Literal["x"] | None, "x"),
        (bool, "yes|no"),
        (complex, "TEXT"),
    ],
)
def test_value_kind(annotation: Any, word: str) -> None:
    assert value_kind(annotation) == word


def test_help_of_every_command_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    """Every command and subcommand: usage line, no Typer type names, no braces."""
    import typer

    from titr.cli.app import app
    from titr.cli.main import _register, main

    _register()
    group: Any = typer.main.get_command(app)
    paths = []
    for name, cmd in group.commands.items():
        paths.append([name])
        paths += [[name, sub] for sub in getattr(cmd, "commands", {})]
    assert len(paths) > 30
    for path in paths:
        assert main([*path, "--help"]) == 0, path
        out = capsys.readouterr().out
        assert out.startswith(f"Usage: titr {' '.join(path)} [OPTIONS]"), out
        for bad in ("<bool>", "<str>", "<int>", "<float>", "<path>", "list[", "NoneType", "{"):
            assert bad not in out, (path, bad, out)

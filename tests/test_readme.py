"""Every command in the README's code blocks runs as written.

The shell blocks' `titr ...` lines run in order (later lines use what earlier ones stored)
with a fresh TITR_HOME, in a scratch folder that sees the repository's `src/`, `examples/`
and `tests/`; each must exit 0 without a traceback. `titr serve` runs until its health check
answers. The Python blocks run too. A fast test checks that every README command names a
real command and options it has, so a renamed option fails in `make test-fast` already.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TITR = Path(sys.executable).with_name("titr")
LINKED = ("src", "examples", "tests")


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every fenced block."""
    return [
        (m.group(1).strip().lower(), m.group(2))
        for m in re.finditer(r"^```([^\n]*)\n(.*?)^```", text, re.S | re.M)
    ]


def titr_lines() -> list[list[str]]:
    """argv of every `titr ...` line of the shell blocks, comments dropped."""
    out = []
    for lang, body in code_blocks(README.read_text("utf-8")):
        if lang not in ("sh", "bash", "shell", "console", ""):
            continue
        for line in body.splitlines():
            if re.match(r"^\s*titr(\s|$)", line):
                out.append(shlex.split(line, comments=True))
    return out


def test_readme_has_commands() -> None:
    lines = titr_lines()
    assert len(lines) >= 25, lines
    cmds = {a[1] for a in lines if len(a) > 1}
    for c in ("route", "compare", "plan", "bottlenecks", "simulate", "data", "serve"):
        assert c in cmds, c


def test_readme_commands_and_options_exist() -> None:
    """Fast: each line's command path exists and each --option appears in its help."""
    from typer.testing import CliRunner

    from titr.cli.app import app
    from titr.cli.main import _register

    _register()
    runner = CliRunner()
    helps: dict[tuple[str, ...], str] = {}
    bad = []
    for argv in titr_lines():
        words = [a for a in argv[1:] if not a.startswith("-")]
        path: list[str] = []
        for w in words[:2]:
            trial = (*path, w)
            r = helps.get(trial) or runner.invoke(app, [*trial, "--help"]).output
            if "Usage:" in r and "No such command" not in r:
                helps[trial] = r
                path.append(w)
            else:
                break
        help_text = helps.get(tuple(path)) or runner.invoke(app, [*path, "--help"]).output
        for a in argv[1:]:
            if a.startswith("--") and a.split("=")[0] not in help_text:
                top = runner.invoke(app, ["--help"]).output
                if a.split("=")[0] not in top:
                    bad.append((" ".join(argv), a))
        if not path and argv[1:] and not argv[1].startswith("-"):
            bad.append((" ".join(argv), "no such command"))
    assert bad == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run `titr serve ...` on a free port until /api/health answers, then stop it."""
    argv = [a for a in argv]
    port = _free_port()
    if "--port" in argv:
        argv[argv.index("--port") + 1] = str(port)
    else:
        argv += ["--port", str(port)]
    proc = subprocess.Popen(
        [str(TITR), *argv[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    if r.status == 200:
                        return "healthy"
            except OSError:
                time.sleep(0.5)
        proc.kill()
        out = proc.stdout.read().decode() if proc.stdout else ""
        pytest.fail(f"`{shlex.join(argv)}` did not serve:\n{out}")
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return ""  # pragma: no cover


def _dask_cluster(env: dict[str, str]) -> tuple[str, list[subprocess.Popen[bytes]]]:
    """What the README's Dask block starts before its `titr simulate --address` line: a
    scheduler and two single-threaded workers (with the README's environment), on a free port;
    returns the address once the scheduler accepts connections."""
    port = _free_port()
    dask = str(TITR.parent / "dask")
    wenv = {
        **env,
        "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
        "DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL": "500ms",
    }
    addr = f"tcp://127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.3)
    procs.append(
        subprocess.Popen(
            [dask, "worker", addr, "--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
            env=wenv,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    return addr, procs


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    for name in LINKED:
        (work / name).symlink_to(ROOT / name)
    env = {**os.environ, "TITR_HOME": str(tmp_path / "home"), "COLUMNS": "160"}
    env.pop("TITR_DATABASE_URL", None)
    env.pop("TITR_DATASET", None)
    env["PATH"] = f"{TITR.parent}{os.pathsep}{env.get('PATH', '')}"
    failures = []
    lines = titr_lines()
    for argv in lines:
        if argv[1:2] == ["serve"]:
            _serve(argv, work, env)
            continue
        procs: list[subprocess.Popen[bytes]] = []
        if "--address" in argv:  # the README starts a scheduler and workers first
            addr, procs = _dask_cluster(env)
            argv = [*argv]
            argv[argv.index("--address") + 1] = addr
        try:
            r = subprocess.run(
                [str(TITR), *argv[1:]],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
        finally:
            for pr in reversed(procs):
                pr.terminate()
                try:
                    pr.wait(20)
                except subprocess.TimeoutExpired:
                    pr.kill()
        text = r.stdout + r.stderr
        if r.returncode != 0 or "Traceback" in text:
            failures.append(f"$ {shlex.join(argv)}\n(exit {r.returncode})\n{text[-1500:]}")
    assert failures == [], "\n\n".join(failures)


@pytest.mark.slow
def test_readme_python_blocks_run(tmp_path: Path) -> None:
    blocks = [b for lang, b in code_blocks(README.read_text("utf-8")) if lang == "python"]
    assert blocks
    env = {**os.environ, "TITR_HOME": str(tmp_path / "home")}
    for body in blocks:
        r = subprocess.run(
            [sys.executable, "-c", body], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert r.returncode == 0, r.stderr

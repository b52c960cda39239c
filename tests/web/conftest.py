"""Browser-test fixtures, shared by every tests/web/test_browser_*.py: real uvicorn servers on
free loopback ports (the tiny dataset, and `titr serve` on the bundled corridor), one Debian
Chromium driven by Playwright, and guarded pages that fail the test on a JavaScript error, a
5xx answer or any request leaving 127.0.0.1. Screenshots go to ARTIFACTS (test-artifacts/)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
ARTIFACTS = ROOT / "test-artifacts"
TITR = Path(sys.executable).with_name("titr")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

TINY_SERVER = r"""
import sys
from titr.api import create_app
from titr.network.io_csv import read_dataset
from titr.store import Store
from titr.flows.demand import read_demand_csv
import uvicorn
url, port, path, token_file = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
st = Store(url)
net = read_dataset(path)
st.save_network(net)
with open(token_file, "w") as f:
    f.write(st.create_token("browser-test"))
# a stored demand scenario for the tiny network: more containers than the ferry carries
sc = read_demand_csv("origin,destination,commodity,quantity,unit,source,note\n"
                     "CN_A,GE_E,container,60000,TEU,S001,\n", net, name="tiny-2027", year=2027)
st.save_scenario("tiny-2027", "demand", sc.to_dict(), dataset_name=net.name)
st.close()
uvicorn.run(create_app(url, default_dataset=net.name), host="127.0.0.1", port=port,
            log_level="warning")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(cmd: list[str], home: Path, port: int, wait_s: float) -> Iterator[str]:
    """Start `cmd` (a server on `port`, TITR_HOME=home), wait for /api/health, yield its base
    URL; stop it afterwards."""
    env = {**os.environ, "TITR_HOME": str(home)}
    env.pop("TITR_DATABASE_URL", None)
    env.pop("TITR_DATASET", None)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = proc.stdout.read().decode() if proc.stdout else ""
            pytest.fail(f"the server {cmd[:3]} did not start:\n{out}")
        time.sleep(0.25)
    try:
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def server_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("titr-web-home")


@pytest.fixture(scope="session")
def server(server_home: Path) -> Iterator[str]:
    """A real uvicorn server (own process) on the tiny dataset, stored in a temp SQLite
    store with the demand scenario "tiny-2027"; its API token is the `token` fixture."""
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        TINY_SERVER,
        f"sqlite:///{server_home}/titr.db",
        str(port),
        str(TINY),
        str(server_home / "token"),
    ]
    yield from _serve(cmd, server_home, port, 60)


@pytest.fixture(scope="session")
def token(server: str, server_home: Path) -> str:
    """An API token of the tiny server (runs change the store)."""
    return (server_home / "token").read_text().strip()


@pytest.fixture(scope="session")
def openapi_paths(server: str) -> set[str]:
    with urllib.request.urlopen(f"{server}/openapi.json") as r:
        return set(json.load(r)["paths"])


@pytest.fixture(scope="session")
def corridor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`titr serve` on a free port with a fresh store: the bundled corridor dataset."""
    home = tmp_path_factory.mktemp("titr-corridor-home")
    port = free_port()
    yield from _serve([str(TITR), "serve", "--port", str(port)], home, port, 120)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Guard:
    """Aborts and records every request not addressed to 127.0.0.1; records page errors
    and 5xx answers."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.failed_api: list[str] = []

    def check(self) -> None:
        assert self.external == [], f"requests left the machine: {self.external}"
        assert self.errors == [], f"JavaScript errors: {self.errors}"
        assert self.failed_api == [], f"server errors: {self.failed_api}"


def open_dashboard(pg: Any, base: str, lang: str = "en", hash_: str = "") -> None:
    """Load the dashboard in `lang` and wait until the map and the network are there."""
    pg.goto(f"{base}/{lang}/{hash_}")
    pg.wait_for_selector("#map[data-ready='1']", state="attached", timeout=120_000)


GuardedPage = Callable[..., Any]


@pytest.fixture
def guarded(browser: Any) -> Iterator[GuardedPage]:
    """A factory of guarded pages: guarded(base, viewport=..., locale=..., **context options)
    returns a Playwright page with `pg.guard`, `pg.base` and `pg.open(lang="en", hash_="")`;
    its context is closed and its guard checked when the test ends."""
    made: list[tuple[Any, Guard]] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def make(base: str, **opts: Any) -> Any:
        opts.setdefault("viewport", {"width": 1400, "height": 900})
        opts.setdefault("locale", "en-US")
        ctx = browser.new_context(**opts)
        guard = Guard()

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("http://127.0.0.1:", "data:", "blob:")):
                r.continue_()
            else:
                guard.external.append(url)
                r.abort()

        ctx.route("**/*", route)
        pg = ctx.new_page()
        pg.on("pageerror", lambda e: guard.errors.append(str(e)))
        pg.on("response", lambda resp: resp.status >= 500 and guard.failed_api.append(resp.url))
        pg.guard = guard
        pg.base = base
        pg.open = lambda lang="en", hash_="": open_dashboard(pg, base, lang, hash_)
        made.append((ctx, guard))
        return pg

    yield make
    for ctx, _ in made:
        ctx.close()
    for _, guard in made:
        guard.check()


@pytest.fixture
def page(guarded: GuardedPage, server: str) -> Any:
    """A guarded 1400×900 page for the tiny server."""
    return guarded(server)


@pytest.fixture
def cpage(guarded: GuardedPage, corridor: str) -> Any:
    """A guarded 1400×900 page for the bundled corridor."""
    return guarded(corridor)

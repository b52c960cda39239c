"""The corridor-choice panel in Debian's Chromium (Playwright) against a real uvicorn server on
the bundled dataset: shares chart, the tariff slider re-runs the scenario, diversion table and
map overlay, Russian strings. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('choice-web') / 'titr.db'}"
    with serve_in_thread(create_app(url, default_dataset="middle-corridor-2025")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_choice_panel(browser: Any, server: str, lang: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900})
    external: list[str] = []
    errors: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(f"{server}/{lang}/#choice")
    pg.wait_for_selector("#map[data-ready='1']", timeout=180_000)
    pg.wait_for_selector("#choice-chart svg", timeout=180_000)
    pg.wait_for_selector("#choice-diversion")  # single-tariff is the default: a diversion
    assert pg.locator("#choice-result tr[data-corridor]").count() == 4
    heading = pg.locator("#choice-result h3").first.inner_text()
    assert ("Доли коридоров" in heading) if lang == "ru" else ("Corridor shares" in heading)
    # the tariff slider re-runs the scenario: a lower single tariff never lowers the Middle volume
    pg.check("#choice-tariff-on")

    def middle_after(value: str) -> float:
        before = pg.locator("#choice-middle-mt").inner_text()
        pg.locator("#choice-tariff").fill(value)
        pg.wait_for_function(
            "b => document.querySelector('#choice-middle-mt')?.textContent !== b && !document.querySelector('#choice-result[aria-busy]')",
            arg=before,
            timeout=180_000,
        )
        cell = pg.locator("#choice-result tr[data-corridor=middle] td.num").first.inner_text()
        return float("".join(ch for ch in cell if ch.isdigit()))

    hi = middle_after("12000")
    lo = middle_after("2000")
    assert lo > hi
    pg.screenshot(path=str(ARTIFACTS / f"choice-{lang}.png"))
    ctx.close()
    assert external == [], external
    assert errors == [], errors

"""No English server text in the Russian and Turkish dashboards (issue 13): a real `titr serve`
on the bundled corridor dataset and Debian's Chromium walk the main flows on /ru/ and /tr/ —
route (with an avoided country typed in the page language), corridor comparison, bottlenecks,
investment plan with the form's default target, simulation, report, indicators and corridor
choice — and every text the page shows is checked for English words.

Allowed: codes (KTZ, TEU, CO2…), units (USD, TEU, FEU), company and publication names
(PROPER_NAMES), the dataset label, and source citations (publishers and the researchers'
`EST:` notes next to a figure, which are quoted as the dataset has them). Browser-native
form messages are checked too: an empty required field says so in the page language."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TITR = Path(sys.executable).with_name("titr")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Names that are the same in every language: companies, brands, publications, the basemap.
PROPER_NAMES = (
    "PKP Cargo",
    "PKP LHS",
    "ZSSK Cargo",
    "DB Cargo",
    "Srbija Kargo",
    "CFR Marfă",
    "MÁV",
    "Hellenic Train",
    "AD Ports",
    "APM Terminals",
    "DP World",
    "KTZE-Khorgos Gateway",
    "Khorgos Gateway",
    "E60 Line",
    "Navibulgar",
    "Natural Earth",
    "Ro-Pax",
    "Ro-Ro",
    "KazTransOil",
    "Azertrans",
    "ProRail",
    "PB Shipping",
    "BTC Co.",
    "Global Gateway",
    "Kazatomprom",
    "English",
    "Русский",
    "Türkçe",
)
# English words a Turkish text never has (Turkish shares "plan", "transit", "port", "terminal").
EN_MARKERS = frozenset(
    [
        "the",
        "of",
        "and",
        "with",
        "for",
        "from",
        "to",
        "no",
        "not",
        "in",
        "at",
        "on",
        "is",
        "are",
        "be",
        "by",
        "or",
        "per",
        "via",
        "only",
        "under",
        "without",
        "best",
        "route",
        "routes",
        "days",
        "day",
        "expected",
        "tariff",
        "data",
        "cost",
        "costs",
        "target",
        "actual",
        "official",
        "ships",
        "ship",
        "line",
        "ferry",
        "railway",
        "government",
        "ministry",
        "president",
        "summit",
        "minister",
        "director",
        "wagons",
        "trains",
        "year",
        "years",
        "yr",
        "container",
        "containers",
        "tankers",
        "carriers",
        "estimate",
        "bank",
        "world",
        "please",
        "fill",
        "out",
        "this",
        "field",
        "error",
        "errors",
        "links",
        "link",
        "corridor",
        "through",
        "capacity",
        "demand",
        "scenario",
        "unit",
        "units",
        "crude",
        "oil",
        "general",
        "cargo",
        "seeds",
        "alternative",
        "tripling",
        "baseline",
        "closed",
        "sea",
        "price",
        "carbon",
        "storm",
        "season",
        "single",
        "halved",
        "projects",
        "switched",
        "layer",
        "unknown",
        "place",
        "called",
        "did",
        "you",
        "mean",
        "found",
        "replications",
        "replication",
        "waiting",
        "wait",
        "border",
        "port's",
        "ports",
        "simulation",
        "result",
        "utilisation",
        "shadow",
        "bottleneck",
        "bottlenecks",
        "investment",
    ]
)
CODE = re.compile(r"^(?:[A-Z0-9][A-Z0-9/&.-]{1,7}|CO₂|CO2|p\d+|p10–p90)$")
DATASET_LABEL = re.compile(r"[\w.-]+@[\w.-]+#[0-9a-f]{8}")

# What a panel shows, without source citations (publishers and EST notes).
PANEL_TEXT = """(sel) => {
  const el = document.querySelector(sel);
  if (!el) return "";
  const c = el.cloneNode(true);
  c.querySelectorAll("a[href^='http'], .est, [data-testid=estimate], td span[title], svg, "
    + "script, style, option[value='']").forEach((x) => x.remove());
  document.body.appendChild(c);
  c.hidden = false;
  c.style.display = "block";
  const text = c.innerText;
  c.remove();
  return text;
}"""


def english_words(text: str, lang: str) -> list[str]:
    text = DATASET_LABEL.sub(" ", text)
    for name in PROPER_NAMES:
        text = text.replace(name, " ")
    found = []
    for w in re.findall(r"[^\W\d_][\w'’.-]*", text):  # whole words, any script
        w = w.rstrip(".'’-")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9'’.-]*", w):
            continue  # a Russian or Turkish word (ç, ğ, ı, ş… or Cyrillic)
        if CODE.match(w) or (re.fullmatch(r"[0-9a-f]{8,}", w) and re.search(r"\d", w)):
            continue  # a code, a unit, a run id
        if lang == "ru" or w.lower().strip(".'’") in EN_MARKERS:
            found.append(w)
    return found


def test_the_checker_finds_english() -> None:
    assert english_words("2027 target: 10 Mt", "tr") == ["target"]
    assert english_words("no route from KZ_ALT to GE_POTI", "ru") == [
        "no",
        "route",
        "from",
        "to",
    ]
    assert english_words("Провозная плата KTZ 1 336 $, PKP Cargo, CO2, TEU", "ru") == []
    assert english_words("Transit süresi (medyan) p10–p90 Plan için atıfla", "tr") == []
    assert english_words("Alat'tan at the ships", "tr") == ["at", "the", "ships"]
    assert english_words("Набор данных: middle-corridor-2025@2025.1#c1baf38d", "ru") == []
    assert english_words("расчёт cfe73921aa5e · p10–p90", "ru") == []


@pytest.fixture(scope="module")
def corridor_with_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`titr serve` on the bundled dataset with a fresh store, and an API token for runs (the
    shared `corridor` server of conftest.py has no token); the browser is conftest's."""
    home = tmp_path_factory.mktemp("titr-msgs-home")
    env = {**os.environ, "TITR_HOME": str(home)}
    env.pop("TITR_DATABASE_URL", None)
    env.pop("TITR_DATASET", None)
    made = subprocess.run(
        [str(TITR), "token", "create", "browser"], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1].strip()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    proc = subprocess.Popen(
        [str(TITR), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
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
            pytest.fail(f"titr serve did not start:\n{out}")
        time.sleep(0.3)
    yield base, token
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


FLOW = {
    "ru": {
        "from": "Алтынколь",
        "to": "Поти",
        "avoid": "Россия",
        "target": "11\u00a0млн т",
        "required": "Заполните это поле.",
    },
    "tr": {
        "from": "Altınköl",
        "to": "Poti",
        "avoid": "Rusya",
        "target": "11\u00a0milyon ton",
        "required": "Lütfen bu alanı doldurun.",
    },
}


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_main_flows_show_no_english(
    browser: Any, corridor_with_token: tuple[str, str], lang: str
) -> None:
    base, token = corridor_with_token
    f = FLOW[lang]
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", accept_downloads=True
    )
    errors: list[str] = []
    ctx.route(
        "**/*",
        lambda r: (
            r.continue_()
            if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:"))
            else r.abort()
        ),
    )
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(120_000)
    seen: dict[str, str] = {}

    def grab(step: str, sel: str) -> None:
        seen[step] = pg.evaluate(PANEL_TEXT, sel)

    try:
        pg.goto(f"{base}/{lang}/")
        pg.wait_for_selector("#map[data-ready='1']", timeout=120_000)
        pg.wait_for_selector("#route-form fieldset:not([disabled])")
        grab("page", "header")

        # the browser's own form message, in the page language
        msg = pg.eval_on_selector(
            "#route-from",
            "el => { el.value = ''; el.checkValidity(); return el.validationMessage; }",
        )
        assert msg == f["required"], msg

        # route, with a country to avoid typed in the page language
        pg.fill("#route-from", f["from"])
        pg.fill("#route-to", f["to"])
        pg.fill("#route-avoid", f["avoid"])
        pg.click("#route-go")
        pg.wait_for_selector("[data-testid=route-summary]")
        grab("route", "#route-result")
        pg.fill("#route-avoid", "")

        # corridor comparison: corridors without a route say why
        pg.click("#route-compare")
        pg.wait_for_function(
            "() => document.querySelector('#route-result')?.innerText.includes('p10')"
        )
        grab("compare", "#route-result")

        # bottlenecks and the investment plan with the form's default target
        pg.click(".tab[data-panel=bottlenecks]")
        pg.wait_for_selector("#bn-form fieldset:not([disabled])")
        pg.wait_for_selector("#bn-scenario option", state="attached")
        grab("scenarios", "#bn-form")
        pg.click("#bn-form button[type=submit]")
        pg.wait_for_selector("[data-testid=bottlenecks]")
        grab("bottlenecks", "#bn-result")
        assert pg.input_value("#plan-target") == f["target"]
        pg.click("#plan-go")
        pg.wait_for_selector("[data-testid=plan-table]", timeout=240_000)
        grab("plan", "#plan-result")
        grab("plan-form", "#plan-form")

        # simulation (a short run)
        pg.click(".tab[data-panel=simulation]")
        pg.fill("#sim-from", f["from"])
        pg.fill("#sim-to", f["to"])
        pg.fill("#sim-volume", "15000")
        pg.fill("#sim-reps", "2")
        pg.fill("#sim-days", "30")
        pg.fill("#sim-token", token)
        pg.click("#sim-go")
        pg.wait_for_selector("[data-testid=sim-result]", timeout=240_000)
        grab("simulation", "#sim-result")

        # the report (PDF in the page language): its status line
        pg.click(".tab[data-panel=bottlenecks]")
        with pg.expect_download(timeout=300_000):
            pg.click("#report-go")
        pg.wait_for_function("() => !document.querySelector('#report-go').disabled", timeout=60_000)
        grab("report", "#report-status")
        from titr.web.i18n import gettext_for

        assert seen["report"].strip() == gettext_for(lang, "The report is ready."), seen["report"]

        # indicators and corridor choice
        pg.click(".tab[data-panel=indicators]")
        pg.wait_for_selector(".indicator[data-series=titr_cargo] svg")
        grab("indicators", "#ind-result")
        pg.click(".tab[data-panel=choice]")
        pg.wait_for_selector("#choice-middle-mt", timeout=240_000)
        grab("choice", "#panel-choice")
        pg.screenshot(path=str(ARTIFACTS / f"messages-choice-{lang}.png"), full_page=True)
    finally:
        ctx.close()

    assert errors == [], errors
    english = {step: english_words(text, lang) for step, text in seen.items()}
    english = {k: sorted(set(v)) for k, v in english.items() if v}
    lines = [ln for k in english for ln in seen[k].splitlines() if english_words(ln, lang)]
    assert english == {}, (english, lines[:20])
    # the walk really saw each step's content
    assert all(text.strip() for text in seen.values()), seen
    assert "Mt" not in seen["choice"] and "Mt" not in seen["plan"]

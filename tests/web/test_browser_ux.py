"""The dashboard's usability defects of issue 13, each as a test in Debian's Chromium: forms
wait for the data, tabs per the WAI-ARIA pattern, the route line leaves with its tab, a
colour-blind-safe legend that folds, one popup per click, power nodes apart from ports, hub
labels at every zoom without overlaps, the map opening on the corridor, the year on every plan
row, tables inside their cards, whole estimate texts, a cancel button, contrast >= 4.5:1 and a
phone layout. Screenshots (en, ru, tr, 390x844) go to test-artifacts/.

The tiny dataset's server and browser fixtures come from test_browser_dashboard.py; the
corridor tests run `titr serve` on the bundled dataset."""

from __future__ import annotations

import importlib.util
import math
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

_spec = importlib.util.spec_from_file_location(
    "_titr_browser_dashboard", Path(__file__).with_name("test_browser_dashboard.py")
)
assert _spec and _spec.loader
dash = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dash)

server = dash.server
browser = dash.browser
page = dash.page
ARTIFACTS = dash.ARTIFACTS
TITR = Path(sys.executable).with_name("titr")

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def corridor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`titr serve` on a free port with a fresh store (the bundled dataset)."""
    home = tmp_path_factory.mktemp("titr-corridor-home")
    env = {**os.environ, "TITR_HOME": str(home)}
    env.pop("TITR_DATABASE_URL", None)
    env.pop("TITR_DATASET", None)
    port = dash._free_port()
    proc = subprocess.Popen(
        [str(TITR), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
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
    yield base
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def cpage(browser: Any, corridor: str) -> Iterator[Any]:
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    errors: list[str] = []
    external: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    pg = ctx.new_page()
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert errors == [] and external == [], (errors, external)


def _open(pg: Any, base: str, lang: str = "en") -> None:
    pg.goto(f"{base}/{lang}/")
    pg.wait_for_selector("#map[data-ready='1']", timeout=60_000)


# ---- colours -------------------------------------------------------------------------------


def _lab(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(a: str, b: str) -> float:
    return math.dist(_lab(a), _lab(b))


def _luminance(rgb: tuple[float, float, float]) -> float:
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


CONTRAST_JS = r"""() => {
  const parse = (s) => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return [p[0] / 255, p[1] / 255, p[2] / 255, p.length > 3 ? p[3] : 1]; };
  const bgOf = (el) => { let c = [1, 1, 1]; const stack = [];
    for (let e = el; e; e = e.parentElement) { const b = parse(getComputedStyle(e).backgroundColor);
      if (b && b[3] > 0) { stack.push(b); if (b[3] >= 0.99) break; } }
    for (const b of stack.reverse()) c = c.map((v, i) => b[i] * b[3] + v * (1 - b[3]));
    return c; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (!el.checkVisibility || !el.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    if (el.closest('#map canvas, .maplibregl-ctrl, svg, fieldset:disabled, button:disabled, .maplabel')) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const fg = parse(getComputedStyle(el).color);
    out.push({ text: el.textContent.trim().slice(0, 40), fg, bg: bgOf(el), tag: el.tagName, cls: el.className });
  }
  return out;
}"""


def low_contrast(pg: Any) -> list[tuple[str, float]]:
    bad = []
    for item in pg.evaluate(CONTRAST_JS):
        fg, bg = item["fg"], item["bg"]
        if fg is None:
            continue
        a = fg[3]
        fg_rgb = tuple(fg[i] * a + bg[i] * (1 - a) for i in range(3))
        l1, l2 = sorted((_luminance(fg_rgb), _luminance(tuple(bg))), reverse=True)
        ratio = (l1 + 0.05) / (l2 + 0.05)
        if ratio < 4.5:
            bad.append((f"{item['tag']}.{item['cls']}: {item['text']}", round(ratio, 2)))
    return bad


# ---- tests on the tiny dataset ---------------------------------------------------------------


def test_forms_wait_for_the_data(page: Any, server: str) -> None:
    held: list[Any] = []
    page.route(re.compile(r".*/api/network(\?.*)?$"), lambda r: held.append(r))
    page.goto(f"{server}/en/")
    page.wait_for_selector("#page-loading", state="visible")
    deadline = time.monotonic() + 20
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert held, "the page never asked for the network"
    for sel in ("#route-from", "#route-go", "#bn-form button", "#plan-go", "#sim-go"):
        assert page.locator(sel).is_disabled(), sel
    assert "Loading" in page.locator("#page-loading").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ux-loading-en.png"))
    held[0].continue_()
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    assert page.locator("#route-from").is_enabled() and page.locator("#route-go").is_enabled()
    assert page.locator("#page-loading").is_hidden()


def test_tabs_follow_the_aria_pattern(page: Any, server: str) -> None:
    dash._open(page, server, "en")
    tabs = page.locator("[role=tab]")
    n = tabs.count()
    assert n >= 4
    for i in range(n):
        tab = tabs.nth(i)
        panel = tab.get_attribute("aria-controls")
        assert panel and page.locator(f"#{panel}").get_attribute("aria-labelledby") == (
            tab.get_attribute("id")
        )
    first = tabs.nth(0)
    first.focus()
    page.keyboard.press("ArrowRight")
    assert tabs.nth(1).get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == tabs.nth(1).get_attribute("id")
    assert page.locator(f"#{tabs.nth(1).get_attribute('aria-controls')}").is_visible()
    page.keyboard.press("End")
    assert tabs.nth(n - 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowRight")  # wraps round
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowLeft")
    assert tabs.nth(n - 1).get_attribute("aria-selected") == "true"
    page.keyboard.press("Home")
    assert tabs.nth(0).get_attribute("aria-selected") == "true"
    # roving tabindex: only the selected tab is in the tab order
    assert [tabs.nth(i).get_attribute("tabindex") for i in range(n)] == ["0"] + ["-1"] * (n - 1)


def test_route_line_leaves_with_its_tab(page: Any, server: str) -> None:
    dash._open(page, server, "en")
    page.fill("#route-from", "Alpha")
    page.fill("#route-to", "Echo")
    page.click("#route-go")
    page.wait_for_selector("[data-testid=route-time]")
    assert int(page.locator("#map").get_attribute("data-route-features") or 0) > 0
    page.click(".tab[data-panel=bottlenecks]")
    assert page.locator("#map").get_attribute("data-route-features") == "0"
    page.click(".tab[data-panel=route]")  # back: the route is drawn again
    assert int(page.locator("#map").get_attribute("data-route-features") or 0) > 0


def test_legend_folds(page: Any, server: str) -> None:
    dash._open(page, server, "en")
    legend = page.locator("#legend")
    assert legend.is_visible()
    page.click("#legend-box summary")
    assert legend.is_hidden()
    page.click("#legend-box summary")
    assert legend.is_visible()


def test_cancel_a_simulation_run(page: Any, server: str) -> None:
    dash._open(page, server, "en")
    page.click(".tab[data-panel=simulation]")
    page.fill("#sim-from", "Alpha")
    page.fill("#sim-to", "Echo")
    page.fill("#sim-reps", "400")
    page.fill("#sim-days", "3000")
    page.fill("#sim-token", dash._TOKEN_FILE[server].read_text().strip())
    page.click("#sim-go")
    page.wait_for_selector("#sim-cancel", state="visible", timeout=30_000)
    page.wait_for_selector(".progress .pct:not(:empty)")
    bad = [b for b in low_contrast(page) if "pct" in b[0] or "progress" in b[0]]
    assert bad == [], bad
    page.click("#sim-cancel")
    page.wait_for_selector("[data-testid=sim-cancelled]", timeout=60_000)
    assert "cancelled" in page.locator("#sim-result").inner_text().lower()
    assert page.locator("#sim-cancel").is_hidden()
    assert page.locator("#sim-go").is_enabled()


def test_critical_resource_is_named(page: Any, server: str) -> None:
    dash._open(page, server, "en")
    page.click(".tab[data-panel=simulation]")
    page.fill("#sim-from", "Alpha")
    page.fill("#sim-to", "Echo")
    page.fill("#sim-reps", "2")
    page.fill("#sim-days", "20")
    page.fill("#sim-token", dash._TOKEN_FILE[server].read_text().strip())
    page.click("#sim-go")
    page.wait_for_selector("[data-testid=sim-result]", timeout=90_000)
    text = page.locator("[data-testid=sim-result]").inner_text()
    crit = next((ln for ln in text.splitlines() if ln.startswith("Critical resource")), "")
    assert crit, text
    assert not re.search(r"\b[A-Z]{2}_[A-Z0-9_]+\b|SV_|>", crit), crit  # names, not ids


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_contrast_of_every_text(page: Any, server: str, lang: str) -> None:
    dash._open(page, server, lang)
    page.fill("#route-from", {"en": "Alpha", "ru": "Альфа", "tr": "Alfa"}[lang])
    page.fill("#route-to", "Echo" if lang != "ru" else "Эхо")
    page.click("#route-go")
    page.wait_for_selector("[data-testid=route-time]")
    assert low_contrast(page) == []
    page.click(".tab[data-panel=bottlenecks]")
    page.wait_for_selector("#plan-result .error, #plan-result .card", timeout=60_000)
    assert low_contrast(page) == []
    page.screenshot(path=str(ARTIFACTS / f"ux-bottlenecks-{lang}.png"))


def test_phone_layout_switches_map_and_panel(browser: Any, server: str) -> None:
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/en/")
        pg.wait_for_selector("#map[data-ready='1']", state="attached", timeout=30_000)
        side = pg.locator(".sidebar").bounding_box()
        assert side and side["height"] >= 600, side  # not a 188 px box
        assert pg.locator("#map").is_hidden()
        pg.screenshot(path=str(ARTIFACTS / "ux-mobile-panel-en.png"))
        pg.click("#show-map")
        box = pg.locator("#map").bounding_box()
        assert box and box["height"] >= 600 and box["width"] >= 380, box
        assert pg.locator(".sidebar").is_hidden()
        legend = pg.locator("#legend-box").bounding_box()
        assert legend and legend["width"] * legend["height"] <= 0.3 * box["width"] * box["height"]
        assert pg.locator(".maplabel:not(.hidden)", has_text="Charlie Port").count() == 1
        pg.screenshot(path=str(ARTIFACTS / "ux-mobile-map-en.png"))
        pg.click("#show-panel")
        assert pg.locator(".sidebar").is_visible()
        # the page itself never scrolls sideways
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        ctx.close()


# ---- tests on the bundled corridor -----------------------------------------------------------


def test_map_opens_on_the_corridor(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    west, south, east, north = map(
        float, cpage.locator("#map").get_attribute("data-bounds").split(",")
    )
    for lon, lat in ((51.21, 43.61), (49.9, 40.4), (41.67, 42.15)):  # Aktau, Baku, Poti
        assert west < lon < east and south < lat < north
    # the corridor, not the whole dataset (Rotterdam, the Cape, Singapore)
    assert west > 4.5 and south > -33.9, (west, south, east, north)
    cpage.screenshot(path=str(ARTIFACTS / "ux-corridor-en.png"))


def test_one_popup_per_click_on_aktau(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    cpage.evaluate("window.titr.map.jumpTo({center: [51.21, 43.61], zoom: 7})")
    cpage.wait_for_timeout(500)
    pt = cpage.evaluate(
        "(() => { const p = window.titr.map.project([51.21, 43.61]); return [p.x, p.y]; })()"
    )
    box = cpage.locator("#map").bounding_box()
    cpage.mouse.click(box["x"] + pt[0], box["y"] + pt[1])
    cpage.wait_for_selector(".maplibregl-popup")
    cpage.wait_for_timeout(500)
    cpage.mouse.move(box["x"] + pt[0] + 1, box["y"] + pt[1])  # hovering adds no second box
    cpage.wait_for_timeout(300)
    assert cpage.locator(".maplibregl-popup").count() == 1
    assert "Aktau" in cpage.locator(".maplibregl-popup").inner_text()
    # a second click elsewhere replaces it
    cpage.locator(".maplabel", has_text="Kuryk").first.click()
    cpage.wait_for_timeout(300)
    assert cpage.locator(".maplibregl-popup").count() == 1


def test_power_nodes_apart_from_ports(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    cpage.evaluate("window.titr.map.jumpTo({center: [51.21, 43.61], zoom: 5})")
    cpage.wait_for_timeout(500)
    hits = cpage.evaluate(
        """(() => { const m = window.titr.map; const out = {};
        for (const [id, ll] of [['KZ_AKTAU', [51.21, 43.61]], ['KZ_PWR', null]]) {
          const f = m.querySourceFeatures('net').find((x) => x.properties.id === id);
          const p = m.project(ll ?? f.geometry.coordinates);
          out[id] = m.queryRenderedFeatures([p.x, p.y], {layers: m.getStyle().layers
            .filter((l) => l.id.startsWith('nodes')).map((l) => l.id)}).map((x) => x.properties.id);
        } return out; })()"""
    )
    # at the port's point only the port is drawn; the power node is drawn beside its point
    assert "KZ_AKTAU" in hits["KZ_AKTAU"] and "KZ_PWR" not in hits["KZ_AKTAU"], hits


def test_hub_labels_at_every_zoom_without_overlap(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    for zoom in (3, 4, 5, 6, 7):
        cpage.evaluate(f"window.titr.map.jumpTo({{center: [50, 42], zoom: {zoom}}})")
        cpage.wait_for_timeout(400)
        boxes = cpage.evaluate(
            """(() => { const fr = document.getElementById('map').getBoundingClientRect();
            return [...document.querySelectorAll('.maplabel:not(.hidden)')].map((e) => {
              const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom, e.textContent]; })
              .filter((b) => b[2] > fr.left && b[0] < fr.right && b[3] > fr.top && b[1] < fr.bottom); })()"""
        )
        assert len(boxes) >= 5, (zoom, boxes)
        names = " ".join(b[4] for b in boxes)
        assert "Aktau" in names or "Baku" in names, (zoom, names)  # a hub is always named
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = (
                    a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
                )
                assert not overlap, (zoom, a[4], b[4])


def test_legend_colours_are_distinct_and_the_route_is_no_power_cable(
    cpage: Any, corridor: str
) -> None:
    _open(cpage, corridor)
    items = cpage.evaluate(
        """[...document.querySelectorAll('#legend li[data-colour]')].map((li) =>
          [li.textContent.trim(), li.dataset.colour, li.querySelector('.sw').classList.contains('dot')])"""
    )
    lines = [(n, c) for n, c, dot in items if not dot]
    dots = [(n, c) for n, c, dot in items if dot]
    assert len(lines) >= 6 and len(dots) >= 6, items
    for group in (lines, dots):
        for i, (n1, c1) in enumerate(group):
            for n2, c2 in group[i + 1 :]:
                assert delta_e(c1, c2) >= 15, (n1, c1, n2, c2, delta_e(c1, c2))
    route = dict(lines)["Route"]
    power = dict(lines)["Power cable"]
    assert delta_e(route, power) >= 30


def test_year_on_every_plan_row_and_tables_fit(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    cpage.click(".tab[data-panel=bottlenecks]")
    cpage.wait_for_selector("[data-testid=plan-table]", timeout=120_000)
    rows = cpage.locator("[data-testid=plan-table] tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        first = rows.nth(i).locator("td").first.inner_text().strip()
        assert re.fullmatch(r"20\d\d", first), (i, rows.nth(i).inner_text())
    cpage.select_option("#bn-scenario", "2027")
    cpage.click("#bn-form button")
    cpage.wait_for_selector("[data-testid=bn-table]", timeout=120_000)
    fit = cpage.evaluate(
        """[...document.querySelectorAll('#panel-bottlenecks .card')].map((c) => {
          const cb = c.getBoundingClientRect();
          const tables = [...c.querySelectorAll('table')].map((t) => {
            const w = t.closest('.tablewrap'); const tb = t.getBoundingClientRect();
            return { inside: tb.right <= cb.right + 1, scrolls: !!w && getComputedStyle(w).overflowX === 'auto'
              && w.getBoundingClientRect().right <= cb.right + 1 }; });
          return { over: c.scrollWidth > c.clientWidth + 1, tables }; })"""
    )
    for card in fit:
        assert not card["over"], fit
        for t in card["tables"]:
            assert t["inside"] or t["scrolls"], fit
    cpage.locator("#panel-bottlenecks").screenshot(path=str(ARTIFACTS / "ux-plan-en.png"))


def test_indicator_estimates_are_whole(cpage: Any, corridor: str) -> None:
    _open(cpage, corridor)
    cpage.click(".tab[data-panel=indicators]")
    cpage.wait_for_selector(".indicator[data-series=titr_containers]", timeout=60_000)
    card = cpage.locator(".indicator[data-series=titr_containers]")
    details = card.locator("details")
    if details.count():
        details.first.evaluate("(d) => d.open = true")
    text = card.inner_text()
    assert "2021 25,200 TEU was +20 % vs 2020" in text, text


@pytest.mark.parametrize("lang", ["ru", "tr"])
def test_corridor_screenshots_in_other_languages(cpage: Any, corridor: str, lang: str) -> None:
    _open(cpage, corridor, lang)
    cpage.fill("#route-from", {"ru": "Алтынколь", "tr": "Altınköl"}[lang])
    cpage.fill("#route-to", {"ru": "Поти", "tr": "Poti"}[lang])
    cpage.fill("#route-avoid", {"ru": "Россия", "tr": "Rusya"}[lang])
    cpage.click("#route-go")
    cpage.wait_for_selector("[data-testid=route-time]", timeout=60_000)
    cpage.screenshot(path=str(ARTIFACTS / f"ux-route-{lang}.png"))

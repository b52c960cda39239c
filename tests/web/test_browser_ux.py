"""The dashboard's usability defects of issue 13, each as a test in Debian's Chromium: forms
wait for the data, tabs per the WAI-ARIA pattern, the route line leaves with its tab, a
colour-blind-safe legend that folds, one popup per click, power nodes apart from ports, hub
labels at every zoom without overlaps, the map opening on the corridor, the year on every plan
row, tables inside their cards, whole estimate texts, a cancel button, contrast >= 4.5:1 and a
phone layout. Screenshots (en, ru, tr, 390x844) go to test-artifacts/.

The servers, the browser and the guarded pages are the fixtures of tests/web/conftest.py:
the tiny dataset's server, and `titr serve` on the bundled corridor."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    for sel in ("#route-from", "#route-go", "#bn-go", "#bn-flows", "#plan-go", "#sim-go"):
        assert page.locator(sel).is_disabled(), sel
    assert "Loading" in page.locator("#page-loading").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ux-loading-en.png"))
    held[0].continue_()
    page.wait_for_selector("#map[data-ready='1']", timeout=30_000)
    assert page.locator("#route-from").is_enabled() and page.locator("#route-go").is_enabled()
    assert page.locator("#page-loading").is_hidden()


def test_tabs_follow_the_aria_pattern(page: Any, server: str) -> None:
    page.open()
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
    page.open()
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
    page.open()
    legend = page.locator("#legend")
    assert legend.is_visible()
    page.click("#legend-box summary")
    assert legend.is_hidden()
    page.click("#legend-box summary")
    assert legend.is_visible()


def test_cancel_a_simulation_run(page: Any, token: str) -> None:
    page.open()
    page.click(".tab[data-panel=simulation]")
    page.fill("#sim-from", "Alpha")
    page.fill("#sim-to", "Echo")
    page.fill("#sim-reps", "60")  # 60 x 3000 replication-days: within the server's limit
    page.fill("#sim-days", "3000")
    page.fill("#sim-token", token)
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


def test_critical_resource_is_named(page: Any, token: str) -> None:
    page.open()
    page.click(".tab[data-panel=simulation]")
    page.fill("#sim-from", "Alpha")
    page.fill("#sim-to", "Echo")
    page.fill("#sim-reps", "2")
    page.fill("#sim-days", "20")
    page.fill("#sim-token", token)
    page.click("#sim-go")
    page.wait_for_selector("[data-testid=sim-result]", timeout=90_000)
    text = page.locator("[data-testid=sim-result]").inner_text()
    crit = next((ln for ln in text.splitlines() if ln.startswith("Critical resource")), "")
    assert crit, text
    assert not re.search(r"\b[A-Z]{2}_[A-Z0-9_]+\b|SV_|>", crit), crit  # names, not ids


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_contrast_of_every_text(page: Any, server: str, lang: str) -> None:
    page.open(lang)
    page.fill("#route-from", {"en": "Alpha", "ru": "Альфа", "tr": "Alfa"}[lang])
    page.fill("#route-to", "Echo" if lang != "ru" else "Эхо")
    page.click("#route-go")
    page.wait_for_selector("[data-testid=route-time]")
    assert low_contrast(page) == []
    page.click(".tab[data-panel=bottlenecks]")
    page.wait_for_selector("#plan-result .error, #plan-result .card", timeout=60_000)
    assert low_contrast(page) == []
    page.screenshot(path=str(ARTIFACTS / f"ux-bottlenecks-{lang}.png"))
    _pick_tiny_scenario(page)  # the volumes card and the widths' key
    page.click("#bn-flows")
    page.wait_for_selector("[data-testid=flow-legend]", timeout=60_000)
    assert low_contrast(page) == []


def test_results_area_can_be_made_wider(page: Any) -> None:
    """The sidebar's corner handle drags it wider (up to 70 % of the window); the map's
    canvas follows its shrunken container."""
    page.open()
    side = page.locator(".sidebar").bounding_box()
    x, y = side["x"] + side["width"] - 4, side["y"] + side["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 250, y, steps=8)
    page.mouse.up()
    wider = page.locator(".sidebar").bounding_box()
    assert wider["width"] >= side["width"] + 200, (side, wider)
    page.wait_for_timeout(400)
    canvas = page.locator(".maplibregl-canvas").bounding_box()
    box = page.locator("#map").bounding_box()
    assert abs(canvas["width"] - box["width"]) <= 2 and box["x"] >= wider["x"] + wider["width"] - 1
    page.screenshot(path=str(ARTIFACTS / "ux-wider-panel-en.png"))


def test_phone_layout_switches_map_and_panel(guarded: Any, server: str) -> None:
    pg = guarded(
        server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    pg.open()
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


# ---- tests on the bundled corridor -----------------------------------------------------------


def test_map_opens_on_the_corridor(cpage: Any, corridor: str) -> None:
    cpage.open()
    west, south, east, north = map(
        float, cpage.locator("#map").get_attribute("data-bounds").split(",")
    )
    for lon, lat in ((51.21, 43.61), (49.9, 40.4), (41.67, 42.15)):  # Aktau, Baku, Poti
        assert west < lon < east and south < lat < north
    # the corridor, not the whole dataset (Rotterdam, the Cape, Singapore)
    assert west > 4.5 and south > -33.9, (west, south, east, north)
    cpage.screenshot(path=str(ARTIFACTS / "ux-corridor-en.png"))


def test_one_popup_per_click_on_aktau(cpage: Any, corridor: str) -> None:
    cpage.open()
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
    cpage.open()
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
    cpage.open()
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
    cpage.open()
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
    cpage.open()
    cpage.click(".tab[data-panel=bottlenecks]")
    cpage.wait_for_selector("[data-testid=plan-table]", timeout=120_000)
    rows = cpage.locator("[data-testid=plan-table] tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        first = rows.nth(i).locator("td").first.inner_text().strip()
        assert re.fullmatch(r"20\d\d", first), (i, rows.nth(i).inner_text())
    cpage.select_option("#bn-scenario", "2027")
    cpage.click("#bn-go")
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
    cpage.open()
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
    cpage.open(lang)
    cpage.fill("#route-from", {"ru": "Алтынколь", "tr": "Altınköl"}[lang])
    cpage.fill("#route-to", {"ru": "Поти", "tr": "Poti"}[lang])
    cpage.fill("#route-avoid", {"ru": "Россия", "tr": "Rusya"}[lang])
    cpage.click("#route-go")
    cpage.wait_for_selector("[data-testid=route-time]", timeout=60_000)
    cpage.screenshot(path=str(ARTIFACTS / f"ux-route-{lang}.png"))


# ---- overlays: volumes as width, the plan's projects, the indicator trend ----------------------

FLOW_JS = """() => { const m = window.titr.map;
  return m.queryRenderedFeatures({layers: ['flow-width']}).map((f) => [f.properties.id,
    f.properties.value, f.properties.w]); }"""


def _api(base: str, path: str) -> Any:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{base}{path}", timeout=120) as r:
        return json.load(r)


def _pick_tiny_scenario(pg: Any) -> None:
    pg.wait_for_selector("#bn-scenario option", state="attached")
    pg.evaluate("""() => { const s = document.getElementById('bn-scenario');
        s.add(new Option('tiny 2027', 'tiny-2027')); s.value = 'tiny-2027'; }""")


def test_volumes_drawn_as_width_and_cleared_with_the_tab(page: Any, server: str) -> None:
    """Bottlenecks → Show volumes: each link's assigned t/yr (GET /api/flows, the numbers of
    `titr assign --json`) is a line width, wider for more; a key explains the widths; the
    utilisation view and another tab take the widths away."""
    api = _api(server, "/api/flows?scenario=tiny-2027")
    want = {x["link"]: x["t"] for x in api["links"]}
    assert len(want) >= 3
    page.open()
    page.click(".tab[data-panel=bottlenecks]")
    _pick_tiny_scenario(page)
    page.click("#bn-flows")
    page.wait_for_selector("[data-testid=flows-table]", timeout=60_000)
    assert int(page.locator("#map").get_attribute("data-flow-features") or 0) == len(want)
    page.wait_for_timeout(300)
    drawn = page.evaluate(FLOW_JS)
    got = {i: (v, w) for i, v, w in drawn}
    assert set(got) == set(want)
    for link, t in want.items():
        assert got[link][0] == pytest.approx(t, rel=1e-9)
    order = sorted(got.values())
    assert all(b[1] >= a[1] for a, b in zip(order, order[1:], strict=False)), order
    assert order[-1][1] > order[0][1] or order[-1][0] == order[0][0]
    key = page.locator("[data-testid=flow-legend]")
    assert key.is_visible() and "t/yr" in key.inner_text() and "2027" in key.inner_text()
    first = page.locator("[data-testid=flows-table] tbody tr").first
    top = api["links"][0]
    assert first.get_attribute("data-link") == top["link"]
    assert f"{round(top['t']):,}" in first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "ux-volumes-tiny-en.png"))
    # utilisation replaces the widths; the widths return on request; another tab clears them
    page.click("#bn-go")
    page.wait_for_selector("[data-testid=bottlenecks]", timeout=60_000)
    assert page.locator("#map").get_attribute("data-flow-features") == "0"
    assert page.locator("[data-testid=flow-legend]").count() == 0
    page.click("#bn-flows")
    page.wait_for_selector("[data-testid=flows-table]", timeout=60_000)
    assert int(page.locator("#map").get_attribute("data-flow-features") or 0) > 0
    page.click(".tab[data-panel=route]")
    assert page.locator("#map").get_attribute("data-flow-features") == "0"
    assert page.locator("[data-testid=flow-legend]").count() == 0


def test_plan_projects_on_the_map_by_year(page: Any, server: str) -> None:
    """After a plan, its projects are drawn where they act (a ferry service on its links),
    coloured by the year each is ready, with a key of those years; the plan table shows the
    same colour; the projects leave with the tab and come back with it."""
    page.open()
    page.click(".tab[data-panel=bottlenecks]")
    page.wait_for_selector("#plan-result .error, #plan-result .card", timeout=60_000)
    page.evaluate("""() => { const s = document.getElementById('plan-scenario');
        s.add(new Option('tiny 2027', 'tiny-2027')); s.value = 'tiny-2027'; }""")
    page.fill("#plan-target", "0.8 Mt")
    page.select_option("#plan-year", "2028")
    page.click("#plan-go")
    page.wait_for_selector("[data-testid=plan-table] tr.onmap", timeout=60_000)
    year = page.locator("[data-testid=plan-table] tr[data-project=PR_FERRY] td").first
    y = year.inner_text().strip()
    assert re.fullmatch(r"20\d\d", y), y
    assert int(page.locator("#map").get_attribute("data-project-features") or 0) >= 1
    page.wait_for_timeout(300)
    feats = page.evaluate(
        """() => window.titr.map.queryRenderedFeatures({layers: ['project-lines']})
          .map((f) => [f.properties.id, f.properties.year, f.properties.colour])"""
    )
    assert feats and all(f[0] == "PR_FERRY" and str(f[1]) == y for f in feats), feats
    key = page.locator("[data-testid=plan-legend] li")
    assert key.count() == 1 and key.first.inner_text().strip() == y
    assert key.first.get_attribute("data-colour") == feats[0][2]
    swatch = year.locator(".sw").evaluate("(e) => getComputedStyle(e).backgroundColor")
    h = feats[0][2].lstrip("#")
    assert swatch == "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))
    page.screenshot(path=str(ARTIFACTS / "ux-plan-map-tiny-en.png"))
    page.click(".tab[data-panel=simulation]")
    assert page.locator("#map").get_attribute("data-project-features") == "0"
    assert page.locator("[data-testid=plan-legend]").count() == 0
    page.click(".tab[data-panel=bottlenecks]")
    assert int(page.locator("#map").get_attribute("data-project-features") or 0) >= 1
    assert page.locator("[data-testid=plan-legend]").count() == 1


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_corridor_volumes_and_plan_on_the_map(cpage: Any, corridor: str, lang: str) -> None:
    """The bundled corridor in each language: the 2027 volumes as widths and the 11 Mt plan's
    projects by year, keys in the page's language, screenshots for review."""
    api = _api(corridor, "/api/flows?scenario=2027")
    cpage.open(lang)
    cpage.click(".tab[data-panel=bottlenecks]")
    cpage.wait_for_selector("[data-testid=plan-table] tr.onmap", timeout=180_000)
    plan = _api(corridor, "/api/plans?target=11%20Mt&by=2030")
    years = sorted({p["in_service"] for p in plan["projects"]})
    key = cpage.locator("[data-testid=plan-legend] li")
    assert [key.nth(i).inner_text().strip() for i in range(key.count())] == [str(y) for y in years]
    cols = [key.nth(i).get_attribute("data-colour") for i in range(key.count())]
    for i, a in enumerate(cols):  # years apart at a glance, also with a colour-vision deficiency
        for b in cols[i + 1 :]:
            assert delta_e(a, b) >= 15, (a, b, cols)
    title = cpage.locator("[data-testid=plan-legend] strong").inner_text()
    assert (
        title
        == {"en": "Project ready in", "ru": "Проект готов в", "tr": "Projenin hazır olduğu yıl"}[
            lang
        ]
    )
    placed = cpage.locator("[data-testid=plan-table] tr.onmap").count()
    assert placed == len(plan["projects"])  # every chosen project has a place on the map
    cpage.screenshot(path=str(ARTIFACTS / f"ux-plan-map-{lang}.png"))
    cpage.select_option("#bn-scenario", "2027")
    cpage.click("#bn-flows")
    cpage.wait_for_selector("[data-testid=flows-table]", timeout=180_000)
    assert int(cpage.locator("#map").get_attribute("data-flow-features") or 0) == len(
        [x for x in api["links"] if x["t"] > 0]
    )
    flow_key = cpage.locator("[data-testid=flow-legend]").inner_text()
    unit = {"en": "t/yr", "ru": "т/год", "tr": "t/yıl"}[lang]
    assert unit in flow_key, flow_key
    text = cpage.locator("[data-testid=flows]").inner_text()
    assert "_" not in text, text  # link names, never ids
    cpage.screenshot(path=str(ARTIFACTS / f"ux-volumes-{lang}.png"))


def test_indicator_trend_line_and_band(cpage: Any, corridor: str) -> None:
    """The TITR cargo chart draws the served log-linear trend and its prediction band
    (GET /api/indicators/titr_cargo/forecast) and says the growth rate it shows."""
    fc = _api(corridor, "/api/indicators/titr_cargo/forecast?until=2030")
    cpage.open()
    cpage.click(".tab[data-panel=indicators]")
    card = cpage.locator(".indicator[data-series=titr_cargo]")
    card.locator("[data-testid=trend-note]").wait_for(timeout=60_000)
    assert card.locator("svg .mark-area").count() == 1  # the band
    assert card.locator("svg .mark-line").count() >= 1  # the trend
    note = card.locator("[data-testid=trend-note]").inner_text()
    rate = f"{fc['growth_rate'] * 100:.1f}%"
    assert f"{fc['years'][0]}–{fc['years'][-1]}" in note and rate in note, (note, rate)
    assert ("capped" in note) == bool(fc.get("bounded_years")), note
    # the trend reads apart from the targets' rules (orange) and the bars (blue)
    colours = card.locator("svg").first.evaluate(
        """(svg) => ({ line: [...svg.querySelectorAll('.mark-line path')].map((p) => p.getAttribute('stroke')),
          rule: [...svg.querySelectorAll('.mark-rule line')].map((p) => p.getAttribute('stroke')),
          bar: [...svg.querySelectorAll('.mark-rect path')].map((p) => p.getAttribute('fill')) })"""
    )
    hexes = {
        k: {c for c in v if re.fullmatch(r"#[0-9a-fA-F]{6}", c or "")} for k, v in colours.items()
    }
    colours = hexes
    assert colours["line"] and colours["rule"] and colours["bar"], colours
    for line in set(colours["line"]):
        for other in set(colours["rule"]) | set(colours["bar"]):
            assert delta_e(line, other) >= 30, (line, other)
    # the x axis reaches the forecast's last year
    assert str(fc["years"][-1]) in card.locator("svg").first.text_content()
    card.screenshot(path=str(ARTIFACTS / "ux-indicator-trend-en.png"))


@pytest.mark.parametrize("lang", ["en", "ru", "tr"])
def test_phone_volumes_and_plan_overlays(guarded: Any, corridor: str, lang: str) -> None:
    """390×844: the plan's projects and the volumes reach the map view; the legend (folded on
    phones) opens to explain them and stays inside the map, scrolling rather than covering
    it; no panel table widens the page."""
    pg = guarded(corridor, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg.open(lang, "#bottlenecks")
    pg.wait_for_selector("[data-testid=plan-table] tr.onmap", timeout=180_000)
    pg.select_option("#bn-scenario", "2027")
    pg.click("#bn-flows")
    pg.wait_for_selector("[data-testid=flows-table]", timeout=180_000)
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    pg.screenshot(path=str(ARTIFACTS / f"ux-mobile-volumes-panel-{lang}.png"))
    pg.click("#show-map")
    assert int(pg.locator("#map").get_attribute("data-flow-features") or 0) > 10
    assert int(pg.locator("#map").get_attribute("data-project-features") or 0) > 0
    assert pg.locator("#legend").is_hidden()  # folded: the map stays visible
    pg.screenshot(path=str(ARTIFACTS / f"ux-mobile-volumes-map-{lang}.png"))
    pg.click("#legend-box summary")
    m = pg.locator("#map").bounding_box()
    lg = pg.locator("#legend-box").bounding_box()
    assert m and lg
    assert lg["y"] >= m["y"] and lg["y"] + lg["height"] <= m["y"] + m["height"] + 1
    assert lg["height"] <= 0.5 * m["height"], (lg, m)
    # the keys of what is drawn come first: seen without scrolling the legend
    for key in ("flow-legend", "plan-legend"):
        kb = pg.locator(f"[data-testid={key}]").bounding_box()
        assert kb and kb["y"] + kb["height"] <= lg["y"] + lg["height"] + 1, (key, kb, lg)
    pg.screenshot(path=str(ARTIFACTS / f"ux-mobile-legend-open-{lang}.png"))

// Dashboard entry point: language memory, tabs (WAI-ARIA tabs pattern), forms enabled once the
// map and the network are loaded, the map/panel switch on narrow screens.
import { CONFIG, LANG, t } from "./i18n.js";
import { createMap, loadNetwork, hideRoute, restoreRoute, resizeMap } from "./map.js";
import { initRoutePanel } from "./route.js";
import { initBottlenecksPanel, onShow as showBottlenecks, onHide as hideBottlenecks } from "./bottlenecks.js";
import { initSimulationPanel, onShow as showSimulation } from "./simulation.js";
import { initIndicatorsPanel } from "./indicators.js";
import { initChoicePanel, onHide as hideChoice } from "./choice.js";
import { getJSON, findEndpoint } from "./api.js";

// The URL carries the language; remember it for the next visit to "/".
try { localStorage.setItem("titr.lang", LANG); } catch { /* private mode */ }
document.cookie = `${CONFIG.cookie}=${LANG}; path=/; max-age=31536000; samesite=lax`;
for (const a of document.querySelectorAll(".langs a")) {
  a.addEventListener("click", () => {
    // keep the open panel when switching language
    a.href = `/${a.dataset.lang}/${location.hash}`;
  });
}

let sources = null;
async function sourcesOf() {
  if (sources) return sources;
  sources = new Map();
  const path = await findEndpoint("GET /api/sources");
  if (path) {
    try {
      const page = await getJSON(path, { limit: 1000 });
      for (const s of page.items || []) sources.set(s.id, s);
    } catch { /* ids stay bare */ }
  }
  return sources;
}

// Hooks per panel, all optional: a tab in the template with a section "panel-<id>" works
// without an entry here. Adding a panel = one template entry (+ one line here for hooks).
const panels = {
  route: { show: restoreRoute, hide: hideRoute },
  bottlenecks: { show: showBottlenecks, hide: hideBottlenecks },
  simulation: { show: showSimulation },
  indicators: { show: () => initIndicatorsPanel(sourcesOf) },
  choice: { show: initChoicePanel, hide: hideChoice },
};
export function registerPanel(name, hooks) { panels[name] = { ...(panels[name] || {}), ...hooks }; }

const tabs = () => [...document.querySelectorAll('[role="tab"][data-panel]')];
let current = "route";
function activate(name, focus = false) {
  const all = tabs();
  if (!all.some((b) => b.dataset.panel === name)) name = all[0]?.dataset.panel ?? "route";
  for (const b of all) {
    const on = b.dataset.panel === name;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
    b.tabIndex = on ? 0 : -1;
    if (on && focus) b.focus();
  }
  for (const p of document.querySelectorAll('[role="tabpanel"]')) {
    const on = p.id === `panel-${name}`;
    p.hidden = !on;
    p.classList.toggle("active", on);
  }
  if (current !== name) panels[current]?.hide?.();
  current = name;
  history.replaceState(null, "", `#${name}`);
  panels[name]?.show?.();
}
for (const b of tabs()) {
  b.addEventListener("click", () => activate(b.dataset.panel));
  b.addEventListener("keydown", (e) => {
    const all = tabs();
    const i = all.indexOf(b);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    activate(all[(to + all.length) % all.length].dataset.panel, true);
  });
}

// Narrow screens: one of panel or map at a time, switched by two buttons.
function showView(view) {
  const layout = document.querySelector(".layout");
  layout.dataset.view = view;
  document.getElementById("show-panel").setAttribute("aria-pressed", String(view === "panel"));
  document.getElementById("show-map").setAttribute("aria-pressed", String(view === "map"));
  if (view === "map") resizeMap();
}
document.getElementById("show-panel").addEventListener("click", () => showView("panel"));
document.getElementById("show-map").addEventListener("click", () => showView("map"));
if (window.matchMedia("(max-width: 820px)").matches) {
  document.getElementById("legend-box").open = false;  // the map stays visible on phones
}

/** Forms stay disabled (and say why) until the map and the network are there. */
function ready(ok) {
  for (const f of document.querySelectorAll("fieldset.gate")) f.disabled = !ok;
  document.getElementById("page-loading").hidden = ok;
}

async function main() {
  const status = document.getElementById("map-status");
  initBottlenecksPanel();
  initSimulationPanel();
  try {
    const map = await createMap("map");
    const net = await loadNetwork();
    document.getElementById("dataset-label").textContent = `${t("Dataset")}: ${net.dataset ?? net.name ?? ""}`;
    await initRoutePanel();
    map.getContainer().dataset.ready = "1";
    status.hidden = true;
    ready(true);
  } catch (e) {
    status.textContent = `${t("The map could not be loaded")}: ${e.message ?? e}`;
    status.classList.add("error");
    const box = document.getElementById("page-loading");
    box.textContent = status.textContent;
    box.classList.add("error");
    console.error(e);
  }
  activate(location.hash.slice(1) || "route");
  document.body.dataset.ready = "1";
}
main();

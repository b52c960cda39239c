// Dashboard entry point: language memory, tabs, map, panels.
import { CONFIG, LANG, t } from "./i18n.js";
import { createMap, loadNetwork } from "./map.js";
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

const panels = {
  route: {},
  bottlenecks: { show: showBottlenecks, hide: hideBottlenecks },
  simulation: { show: showSimulation },
  indicators: { show: () => initIndicatorsPanel(sourcesOf) },
  choice: { show: initChoicePanel, hide: hideChoice },
};
let current = "route";
function activate(name) {
  if (!panels[name]) name = "route";
  for (const b of document.querySelectorAll(".tab")) {
    const on = b.dataset.panel === name;
    b.classList.toggle("active", on);
    b.setAttribute("aria-selected", String(on));
  }
  for (const p of document.querySelectorAll(".panel")) {
    const on = p.id === `panel-${name}`;
    p.hidden = !on;
    p.classList.toggle("active", on);
  }
  if (current !== name) panels[current].hide?.();
  current = name;
  history.replaceState(null, "", `#${name}`);
  panels[name].show?.();
}
for (const b of document.querySelectorAll(".tab")) {
  b.addEventListener("click", () => activate(b.dataset.panel));
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
  } catch (e) {
    status.textContent = `${t("The map could not be loaded")}: ${e.message ?? e}`;
    status.classList.add("error");
    console.error(e);
  }
  activate(location.hash.slice(1) || "route");
  document.body.dataset.ready = "1";
}
main();

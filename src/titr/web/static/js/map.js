// The corridor map: Natural Earth countries (vendored world-atlas TopoJSON, sea = background),
// corridor links coloured by mode (planned links dashed), nodes by kind, HTML labels (no glyph
// server is needed), popups with figures and sources, and overlays for routes and utilisation.
import * as maplibregl from "../vendor/maplibre/maplibre-gl.mjs";
import { CONFIG, LANG, t, fmt, fmtUnit, esc, modeName, kindName, countryName, corridorName } from "./i18n.js";
import { getJSON, findEndpoint, fillPath } from "./api.js";

// Okabe–Ito colours (distinguishable with the common colour-vision deficiencies); the route
// is drawn in a colour no mode uses, with a dark casing, so it never reads as a power cable.
export const MODE_COLOURS = {
  rail_1520: "#D55E00", rail_1435: "#CC79A7", ferry: "#0072B2", sea: "#56B4E9",
  road: "#8C8C8C", pipeline: "#000000", power_cable: "#E69F00",
};
export const KIND_COLOURS = {
  port: "#0072B2", terminal: "#D55E00", border: "#F0E442", junction: "#8C8C8C",
  city: "#4D4D4D", oil_terminal: "#000000", logistics_centre: "#009E73",
  power_node: "#E69F00", passage: "#56B4E9",
};
export const ROUTE_COLOUR = "#009E73";
const ROUTE_CASING = "#003D2E";
// utilisation: a sequential ramp (light to dark), readable without hue
export const UTIL_STOPS = [[0, "#FDE725"], [0.7, "#35B779"], [0.9, "#31688E"], [1.0, "#440154"]];
// label priority: hubs first, then borders, then the rest
const LABEL_RANK = { port: 0, logistics_centre: 0, city: 1, terminal: 1, oil_terminal: 2,
  border: 2, junction: 3, passage: 4, power_node: 5 };
// an investment plan's projects, by the year each is ready: cividis steps (sequential, safe
// for the common colour-vision deficiencies), dark to light
export const YEAR_COLOURS = ["#00224E", "#35456C", "#666970", "#948E77", "#C8B866", "#FEE838"];
const FLOW_COLOUR = "#1d2b36";
const FLOW_MAX_PX = 18;
const FLOW_MIN_PX = 4;  // wider than a mode line (2.4 px): a small flow still shows as a halo
const SEA = "#cfe2ee";
const LAND = "#f5f2eb";

const state = { map: null, network: null, nodes: new Map(), links: new Map(), sources: null,
  labels: [], popup: null, route: null, flows: null, projects: null };

function matchExpr(prop, table, fallback) {
  const e = ["match", ["get", prop]];
  for (const [k, v] of Object.entries(table)) e.push(k, v);
  e.push(fallback);
  return e;
}

export function nodeName(id) {
  const n = state.nodes.get(id);
  if (!n) return id;
  return n.properties[`name_${LANG}`] || n.properties.name || id;
}

export function nodes() { return [...state.nodes.values()].map((f) => f.properties); }
export function network() { return state.network; }

/** Rings cut at the antimeridian (Fiji, Chukotka) jump from +180 to -180; drawn as is they
 * leave a line across the whole map. Shift such rings east by 360 degrees instead. */
function unwrapAntimeridian(geom) {
  if (!geom) return;
  const polys = geom.type === "Polygon" ? [geom.coordinates]
    : geom.type === "MultiPolygon" ? geom.coordinates : [];
  for (const poly of polys) {
    for (let i = 0; i < poly.length; i++) {
      const ring = poly[i];
      if (ring.some((p) => p[0] > 170) && ring.some((p) => p[0] < -170)) {
        poly[i] = ring.map(([x, y]) => [x < 0 ? x + 360 : x, y]);
      }
    }
  }
}

export async function createMap(container) {
  const atlas = await fetch(`${CONFIG.static}/vendor/world-atlas/countries-50m.json`)
    .then((r) => r.json());
  const countries = window.topojson.feature(atlas, atlas.objects.countries);
  for (const f of countries.features) unwrapAntimeridian(f.geometry);
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: { countries: { type: "geojson", data: countries } },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": SEA } },
        { id: "land", type: "fill", source: "countries", paint: { "fill-color": LAND } },
        { id: "borders", type: "line", source: "countries",
          paint: { "line-color": "#b3aa99", "line-width": 0.7 } },
      ],
    },
    center: [50, 42], zoom: 3, attributionControl: false, maxZoom: 11,
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-right");
  state.map = map;
  // a read-only handle for tests and the browser console
  window.titr = Object.assign(window.titr || {}, { map });
  await new Promise((resolve) => map.on("load", resolve));
  return map;
}

export async function loadNetwork() {
  const map = state.map;
  const net = await getJSON("/api/network", { lang: LANG });
  state.network = net;
  for (const f of net.features) {
    const p = f.properties;
    (p.feature === "node" || f.geometry.type === "Point" ? state.nodes : state.links).set(p.id ?? f.id, f);
  }
  map.addSource("net", { type: "geojson", data: net, promoteId: "id" });
  map.addSource("overlay", { type: "geojson", data: empty() });
  map.addSource("route", { type: "geojson", data: empty() });
  map.addSource("flows", { type: "geojson", data: empty() });
  map.addSource("projects", { type: "geojson", data: empty() });
  const isLink = ["==", ["geometry-type"], "LineString"];
  map.addLayer({ id: "util", type: "line", source: "overlay",
    paint: { "line-color": ["interpolate", ["linear"], ["get", "utilisation"], ...UTIL_STOPS.flat()],
    "line-width": 9, "line-opacity": 0.8 }, layout: { "line-cap": "round" } });
  // volumes as width (assignment, forecast): under the mode lines, which stay readable on top
  map.addLayer({ id: "flow-width", type: "line", source: "flows",
    paint: { "line-color": FLOW_COLOUR, "line-width": ["get", "w"], "line-opacity": 0.42 },
    layout: { "line-cap": "round", "line-join": "round" } });
  map.addLayer({ id: "project-casing", type: "line", source: "projects",
    filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": ["get", "casing"], "line-width": 10, "line-opacity": 0.95 },
    layout: { "line-cap": "round" } });
  map.addLayer({ id: "project-lines", type: "line", source: "projects",
    filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": ["get", "colour"], "line-width": 6 }, layout: { "line-cap": "round" } });
  map.addLayer({ id: "route-casing", type: "line", source: "route",
    paint: { "line-color": ROUTE_CASING, "line-width": 11, "line-opacity": 0.9 },
    layout: { "line-cap": "round", "line-join": "round" } });
  map.addLayer({ id: "route-halo", type: "line", source: "route",
    paint: { "line-color": ROUTE_COLOUR, "line-width": 7, "line-opacity": 1 },
    layout: { "line-cap": "round", "line-join": "round" } });
  map.addLayer({ id: "links", type: "line", source: "net",
    filter: ["all", ["!=", ["get", "status"], "planned"], ["!=", ["geometry-type"], "Point"]],
    paint: { "line-color": matchExpr("mode", MODE_COLOURS, "#555"), "line-width": 2.4 } });
  map.addLayer({ id: "links-planned", type: "line", source: "net",
    filter: ["all", ["==", ["get", "status"], "planned"], ["!=", ["geometry-type"], "Point"]],
    paint: { "line-color": matchExpr("mode", MODE_COLOURS, "#555"), "line-width": 2.2,
      "line-dasharray": [2, 2] } });
  map.addLayer({ id: "links-hit", type: "line", source: "net",
    filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": "#000", "line-width": 12, "line-opacity": 0 } });
  const nodePaint = { "circle-color": matchExpr("kind", KIND_COLOURS, "#444"),
    "circle-radius": ["interpolate", ["linear"], ["zoom"], 2, 3.5, 6, 6],
    "circle-stroke-color": "#1d2b36", "circle-stroke-width": 1 };
  map.addLayer({ id: "nodes", type: "circle", source: "net",
    filter: ["all", ["==", ["geometry-type"], "Point"], ["!=", ["get", "kind"], "power_node"]],
    paint: nodePaint });
  // power nodes share the coast with ports: drawn a little below and right of their point
  map.addLayer({ id: "nodes-power", type: "circle", source: "net",
    filter: ["all", ["==", ["geometry-type"], "Point"], ["==", ["get", "kind"], "power_node"]],
    paint: { ...nodePaint, "circle-translate": POWER_OFFSET } });
  map.addLayer({ id: "project-points", type: "circle", source: "projects",
    filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": ["get", "colour"], "circle-radius": 10, "circle-opacity": 0.9,
      "circle-stroke-color": ["get", "casing"], "circle-stroke-width": 2.5 } });
  map.moveLayer("project-points", "nodes");
  void isLink;

  // one click, one popup: a place wins over the link under it
  map.on("click", (e) => {
    const hits = map.queryRenderedFeatures(e.point, { layers: ["nodes", "nodes-power", "links-hit"] });
    const node = hits.find((f) => f.layer.id !== "links-hit");
    const f = node ?? hits[0];
    if (f) showPopup(f.properties.id ?? f.id, node ? "node" : "link", e.lngLat);
  });
  for (const layer of ["nodes", "nodes-power", "links-hit"]) {
    map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
  }
  // the name on hover, unless the place's own popup is open (never two boxes at once)
  const hover = new maplibregl.Popup({ closeButton: false, closeOnClick: false,
    className: "titr-hover", offset: 8 });
  state.hover = hover;
  for (const layer of ["nodes", "nodes-power"]) {
    map.on("mousemove", layer, (e) => {
      const f = e.features && e.features[0];
      if (!f || state.popup?.isOpen()) { hover.remove(); return; }
      hover.setLngLat(f.geometry.coordinates).setText(nodeName(f.properties.id)).addTo(map);
    });
    map.on("mouseleave", layer, () => hover.remove());
  }
  // a plan's project: its name and the year it is ready, on hover
  for (const layer of ["project-points", "project-lines"]) {
    map.on("mousemove", layer, (e) => {
      const f = e.features && e.features[0];
      if (!f || state.popup?.isOpen()) { hover.remove(); return; }
      hover.setLngLat(e.lngLat).setText(`${f.properties.name} · ${f.properties.year}`).addTo(map);
    });
    map.on("mouseleave", layer, () => hover.remove());
  }
  addLabels();
  fitTo(corridorCoords(), 30);
  renderLegend();
  const report = () => {
    const b = map.getBounds();
    const el = map.getContainer();
    el.dataset.zoom = map.getZoom().toFixed(2);
    el.dataset.bounds = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(3)).join(",");
  };
  map.on("moveend", report);
  report();
  return net;
}

function empty() { return { type: "FeatureCollection", features: [] }; }

const POWER_OFFSET = [6, 9];

/** The Middle Corridor's places (links tagged "middle"); all places when none is tagged. */
function corridorCoords() {
  const ids = new Set();
  for (const f of state.links.values()) {
    const c = f.properties.corridors;
    const list = Array.isArray(c) ? c : String(c ?? "").split(/[;,]/);
    if (list.includes("middle")) { ids.add(f.properties.a_node); ids.add(f.properties.b_node); }
  }
  const feats = ids.size ? [...ids].map((id) => state.nodes.get(id)).filter(Boolean)
    : [...state.nodes.values()];
  const coords = feats.map((f) => f.geometry.coordinates);
  if (coords.length < 10) return coords;
  // the core of the corridor: the access legs to Duisburg or Lianyungang do not set the view
  const q = (vals, p) => vals.slice().sort((a, b) => a - b)[Math.floor(p * (vals.length - 1))];
  const xs = coords.map((c) => c[0]), ys = coords.map((c) => c[1]);
  const [x0, x1, y0, y1] = [q(xs, 0.1), q(xs, 0.9), q(ys, 0.1), q(ys, 0.9)];
  return coords.filter(([x, y]) => x >= x0 && x <= x1 && y >= y0 && y <= y1);
}

function addLabels() {
  for (const m of state.labels) m.remove();
  state.labels = [];
  for (const f of state.nodes.values()) {
    const p = f.properties;
    const rank = LABEL_RANK[p.kind] ?? 3;
    const el = document.createElement("div");
    el.className = `maplabel${rank <= 1 ? " major" : ""}`;
    el.textContent = nodeName(p.id).split(" (")[0];  // the full name is in the popup
    el.title = nodeName(p.id);
    el.dataset.node = p.id;
    el.dataset.rank = String(rank);
    el.addEventListener("click", (ev) => { ev.stopPropagation(); showPopup(p.id, "node"); });
    const off = p.kind === "power_node" ? [7 + POWER_OFFSET[0], POWER_OFFSET[1]] : [7, 0];
    const marker = new maplibregl.Marker({ element: el, anchor: "left", offset: off })
      .setLngLat(f.geometry.coordinates).addTo(state.map);
    state.labels.push(marker);
  }
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; placeLabels(); });
  };
  state.map.on("move", schedule);
  state.map.on("resize", schedule);
  placeLabels();
}

/** Collision handling: labels on the route first, then by rank (hubs before junctions), each
 * shown only where it overlaps no label already shown; the rest hide until the user zooms. */
function placeLabels() {
  const frame = state.map.getContainer().getBoundingClientRect();
  const order = state.labels.map((m) => {
    const el = m.getElement();
    const pt = state.map.project(m.getLngLat());
    return { el, pt, on: el.classList.contains("onroute"), rank: Number(el.dataset.rank) };
  }).filter((x) => x.pt.x > -50 && x.pt.y > -20 && x.pt.x < frame.width + 50 && x.pt.y < frame.height + 20);
  const inView = new Set(order.map((x) => x.el));
  for (const m of state.labels) if (!inView.has(m.getElement())) m.getElement().classList.add("hidden");
  order.sort((a, b) => (b.on - a.on) || (a.rank - b.rank) || (a.pt.x - b.pt.x));
  const placed = [];
  const pad = 3;
  for (const x of order) {
    const w = x.el.dataset.w ? Number(x.el.dataset.w) : (x.el.dataset.w = x.el.offsetWidth || 60, Number(x.el.dataset.w));
    const h = 14;
    const off = x.el.dataset.rank === "5" ? POWER_OFFSET : [0, 0];
    const box = { l: x.pt.x + 7 + off[0] - pad, r: x.pt.x + 7 + off[0] + w + pad,
      t: x.pt.y + off[1] - h / 2 - pad, b: x.pt.y + off[1] + h / 2 + pad };
    const free = placed.every((o) => box.r < o.l || box.l > o.r || box.b < o.t || box.t > o.b);
    x.el.classList.toggle("hidden", !free);
    if (free) placed.push(box);
  }
}
export function fitTo(coords, padding = 40) {
  if (!coords.length) return;
  const box = state.map.getContainer().getBoundingClientRect();
  state.fitted = box.width > 0 && box.height > 0;  // a hidden map (phone, panel view) refits later
  let [minX, minY, maxX, maxY] = [180, 90, -180, -90];
  for (const [x, y] of coords) {
    minX = Math.min(minX, x); minY = Math.min(minY, y);
    maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
  }
  // more room on the right: the labels sit to the right of their points
  state.map.fitBounds([[minX, minY], [maxX, maxY]], {
    padding: { top: padding, bottom: padding, left: padding, right: padding + 80 },
    duration: 0, maxZoom: 7 });
}

/** An overlay's key (kind "flows" or "projects") above the legend's fixed entries; "" removes
 * it. */
function overlayKey(kind, html) {
  const el = document.getElementById("legend");
  el.querySelector(`.overlaykey[data-kind="${kind}"]`)?.remove();
  if (html) {
    // first in the legend: on a phone the folded-out legend scrolls, and the overlay's key is
    // what the reader looks for
    el.insertAdjacentHTML("afterbegin", `<div class="overlaykey" data-kind="${kind}">${html}</div>`);
  }
}

function renderLegend() {
  const el = document.getElementById("legend");
  const modes = new Set([...state.links.values()].map((f) => f.properties.mode));
  const kinds = new Set([...state.nodes.values()].map((f) => f.properties.kind));
  const planned = [...state.links.values()].some((f) => f.properties.status === "planned");
  let h = "<ul>";
  for (const m of Object.keys(MODE_COLOURS)) if (modes.has(m)) {
    h += `<li data-colour="${MODE_COLOURS[m]}"><span class="sw line" style="background:${MODE_COLOURS[m]}"></span>${esc(modeName(m))}</li>`;
  }
  if (planned) h += `<li><span class="sw line dashed"></span>${t("Planned")}</li>`;
  h += `<li data-colour="${ROUTE_COLOUR}" class="route-key"><span class="sw line route" style="background:${ROUTE_COLOUR}"></span>${t("Route")}</li>`;
  for (const k of Object.keys(KIND_COLOURS)) if (kinds.has(k)) {
    h += `<li data-colour="${KIND_COLOURS[k]}" data-kind="${k}"><span class="sw dot" style="background:${KIND_COLOURS[k]}"></span>${esc(kindName(k))}</li>`;
  }
  el.innerHTML = h + "</ul>";
}

export function resizeMap() {
  if (!state.map) return;
  state.map.resize();
  if (!state.fitted) fitTo(state.route ? [] : corridorCoords(), 30);  // first shown now
  placeLabels();
}

async function sourcesIndex() {
  if (state.sources) return state.sources;
  state.sources = new Map();
  const path = await findEndpoint("GET /api/sources");
  if (path) {
    try {
      let offset = 0;
      for (;;) {
        const page = await getJSON(path, { limit: 1000, offset });
        const items = Array.isArray(page) ? page : page.items || [];
        for (const s of items) state.sources.set(s.id, s);
        if (Array.isArray(page) || !items.length || offset + items.length >= (page.total ?? 0)) break;
        offset += items.length;
      }
    } catch { /* the popup then shows the bare source ids */ }
  }
  return state.sources;
}

function sourceList(ids, srcIndex) {
  const out = [];
  for (const raw of ids) {
    // a source cell: ids separated by ';' or ',', then possibly "EST: reasoning" (kept whole)
    const text = String(raw);
    const at = text.search(/(^|[;,]\s*)EST\b/);
    const head = at < 0 ? text : text.slice(0, at);
    if (at >= 0) {
      const est = text.slice(at).replace(/^[;,]?\s*EST:?\s*/, "");
      out.push(`<li><em>${t("Estimate")}</em>: ${esc(est)}</li>`);
    }
    for (const id of head.split(/[;,]/).map((s) => s.trim()).filter(Boolean)) {
      const s = srcIndex.get(id);
      if (!s) { out.push(`<li>${esc(id)}</li>`); continue; }
      const title = esc(s.title);
      const link = s.url ? `<a href="${esc(s.url)}" target="_blank" rel="noopener noreferrer">${title}</a>` : title;
      out.push(`<li>${link}<br><small>${esc(s.publisher ?? "")}${s.date ? ", " + esc(s.date) : ""}</small></li>`);
    }
  }
  return [...new Set(out)].join("");
}

const SOURCE_FIELDS = { source: "Record", coord_source: "Coordinates",
  distance_source: "Distance", time_source: "Running time", capacity_source: "Capacity" };

const NODE_FIELDS = [["country", "Country"], ["kind", "Kind"], ["gauge_mm", "Gauge, mm"]];
const LINK_FIELDS = [["mode", "Mode"], ["distance_km", "Distance, km"],
  ["time_mode_h", "Running time (most likely), h"], ["capacity", "Capacity"],
  ["operator", "Operator"], ["country", "Country"], ["corridors", "Corridors"],
  ["status", "Status"]];

function fieldValue(key, p) {
  const v = p[key];
  if (v === null || v === undefined || v === "") return null;
  switch (key) {
    case "country": return countryName(v);
    case "kind": return kindName(v);
    case "mode": return modeName(v);
    case "status": return v === "planned" ? t("Planned") : t("Existing");
    case "corridors": return (Array.isArray(v) ? v : String(v).split(/[;,]/)).map(corridorName).join(", ");
    case "capacity": return fmtUnit(v, 0, p.capacity_unit);
    case "distance_km": return fmt(v);
    case "time_mode_h": return fmt(v, 1);
    default: return String(v);
  }
}

export async function showPopup(id, kind, lngLat) {
  const f = (kind === "node" ? state.nodes : state.links).get(id);
  if (!f) return;
  const p = f.properties;
  const title = kind === "node" ? nodeName(id)
    : `${nodeName(p.a_node)} – ${nodeName(p.b_node)}`;
  let rows = "";
  for (const [key, label] of kind === "node" ? NODE_FIELDS : LINK_FIELDS) {
    const v = fieldValue(key, p);
    if (v !== null) rows += `<tr><th>${t(label)}</th><td>${esc(v)}</td></tr>`;
  }
  state.popup?.remove();
  state.hover?.remove();
  const popup = new maplibregl.Popup({ maxWidth: "340px", className: "titr-popup" })
    .setLngLat(lngLat ?? (kind === "node" ? f.geometry.coordinates : midpoint(f)))
    .setHTML(`<h4>${esc(title)}</h4><p class="code">${esc(id)}</p><table class="kv">${rows}</table>
      <h5>${t("Sources")}</h5><ul class="sources" data-loading="1"><li>${t("Loading…")}</li></ul>`)
    .addTo(state.map);
  state.popup = popup;
  keepInView(popup);
  // Figures' sources: the element endpoint when the server has one, else the ids in the feature.
  let html = "";
  const detailPath = await findEndpoint(`GET /api/network/${kind}s/{id}`, `GET /api/${kind}s/{id}`);
  const srcIndex = await sourcesIndex();
  if (detailPath) {
    try {
      const d = await getJSON(fillPath(detailPath, id), { lang: LANG });
      const extra = detailRows(d);
      const table = popup.getElement()?.querySelector("table.kv");
      if (table && extra) table.insertAdjacentHTML("beforeend", extra);
      for (const s of d.sources || []) {
        const items = (s.sources || []).map((x) => x.id && srcIndex.set(x.id, x) && x.id);
        const list = s.estimate ? [`EST: ${s.estimate}`] : (s.ids || items);
        html += `<li class="field"><strong>${esc(t(SOURCE_FIELDS[s.field] ?? s.field))}</strong><ul>${sourceList(list, srcIndex)}</ul></li>`;
      }
    } catch { html = ""; }
  }
  if (!html) {
    const ids = Object.entries(p).filter(([k]) => k === "source" || k.endsWith("_source"))
      .map(([, v]) => v).filter(Boolean);
    html = sourceList(ids, srcIndex) || `<li>${t("No source recorded")}</li>`;
  }
  const ul = popup.getElement()?.querySelector("ul.sources");
  if (ul) { ul.innerHTML = html; delete ul.dataset.loading; }
  keepInView(popup);
}

/** Pan the map so that an open popup is not cut off by the map's edges. */
function keepInView(popup) {
  const el = popup.getElement();
  if (!el) return;
  const box = el.getBoundingClientRect();
  const frame = state.map.getContainer().getBoundingClientRect();
  const margin = 10;
  let dx = 0, dy = 0;
  if (box.top < frame.top + margin) dy = box.top - frame.top - margin;
  else if (box.bottom > frame.bottom - margin) dy = Math.min(box.bottom - frame.bottom + margin, box.top - frame.top - margin);
  if (box.left < frame.left + margin) dx = box.left - frame.left - margin;
  else if (box.right > frame.right - margin) dx = box.right - frame.right + margin;
  if (dx || dy) state.map.panBy([dx, dy], { duration: 0 });
}

const PROCESS_LABELS = { gauge_change: "Gauge change", border: "Border crossing",
  port_handling: "Port handling", transshipment: "Transshipment", loading: "Loading",
  unloading: "Unloading" };

/** Extra popup rows from the element endpoint: time range, service, processes, tariffs. */
function detailRows(d) {
  let h = "";
  const r = d.record || {};
  if (d.kind === "link" && r.time_min != null) {
    h += `<tr><th>${t("Running time min / most likely / max, h")}</th><td>${fmt(r.time_min, 1)} / ${fmt(r.time_mode, 1)} / ${fmt(r.time_max, 1)}</td></tr>`;
  }
  if (d.service) {
    const s = d.service;
    h += `<tr><th>${t("Service")}</th><td>${esc(s.name)}: ${fmt(s.vessels)} × ${esc(fmtUnit(s.capacity_per_sailing, 0, s.sailing_unit))}, ${t("cycle")} ${fmtUnit(s.cycle_time, 0, "h")}</td></tr>`;
  }
  for (const p of d.processes || []) {
    const what = (p.commodities || []).filter((c) => c !== "*").join(", ");
    h += `<tr><th>${esc(t(PROCESS_LABELS[p.kind] ?? p.kind))}${what ? ` <small>(${esc(what)})</small>` : ""}</th><td>${fmt(p.time_min, 1)}–${fmtUnit(p.time_max, 1, "h")}${p.capacity ? `, ${esc(fmtUnit(p.capacity, 0, p.capacity_unit))}` : ""}</td></tr>`;
  }
  for (const x of d.tariffs || []) {
    h += `<tr><th>${t("Tariff")} (${esc(x.commodity)})</th><td>${esc(fmtUnit(x.amount, 2, x.currency))} ${esc(x.basis.replaceAll("_", " "))}</td></tr>`;
  }
  return h;
}

function midpoint(f) {
  const c = f.geometry.type === "MultiLineString" ? f.geometry.coordinates[0] : f.geometry.coordinates;
  const a = c[0], b = c[c.length - 1];
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

/** Draw a route given its link ids (falls back to straight segments between its nodes). */
export function showRoute(linkIds, nodeIds) {
  state.route = { linkIds, nodeIds };
  const feats = [];
  for (const id of linkIds || []) {
    const f = state.links.get(id);
    if (f) feats.push({ type: "Feature", geometry: f.geometry, properties: { id } });
  }
  if (!feats.length && nodeIds?.length > 1) {
    const coords = nodeIds.map((n) => state.nodes.get(n)?.geometry.coordinates).filter(Boolean);
    feats.push({ type: "Feature", geometry: { type: "LineString", coordinates: coords }, properties: {} });
  }
  state.map.getSource("route").setData({ type: "FeatureCollection", features: feats });
  state.map.getContainer().dataset.routeFeatures = String(feats.length);
  const on = new Set(nodeIds || []);
  for (const m of state.labels) {
    m.getElement().classList.toggle("onroute", on.has(m.getElement().dataset.node));
  }
  const coords = feats.flatMap((f) => f.geometry.type === "MultiLineString"
    ? f.geometry.coordinates.flat() : f.geometry.coordinates);
  if (coords.length) fitTo(coords, 60);
  placeLabels();
}

export function clearRoute() {
  state.route = null;
  hideRoute();
}

/** Take the route off the map (another tab is open); restoreRoute() draws it again. */
export function hideRoute() {
  state.map?.getSource("route")?.setData(empty());
  if (state.map) state.map.getContainer().dataset.routeFeatures = "0";
  for (const m of state.labels) m.getElement().classList.remove("onroute");
}

export function restoreRoute() {
  if (state.route && state.map?.getSource("route")) {
    const { linkIds, nodeIds } = state.route;
    showRoute(linkIds, nodeIds);
  }
}

/** Colour links by utilisation: items [{link, utilisation}] (share of capacity, 0..1+). */
export function showUtilisation(items) {
  const feats = [];
  for (const it of items) {
    const f = state.links.get(it.link);
    if (f) feats.push({ type: "Feature", geometry: f.geometry,
      properties: { id: it.link, utilisation: Number(it.utilisation) || 0 } });
  }
  state.map.getSource("overlay").setData({ type: "FeatureCollection", features: feats });
}

export function clearUtilisation() { state.map?.getSource("overlay")?.setData(empty()); }

/** A width in px for a volume: proportional to the square root (areas compare volumes), so
 * small flows stay visible next to the largest; at least FLOW_MIN_PX. */
function flowWidth(v, max) {
  return max > 0 && v > 0 ? Math.max(FLOW_MIN_PX, FLOW_MAX_PX * Math.sqrt(v / max)) : 0;
}

/** Draw volumes as line width: items [{link, value}] in `unit` (e.g. "t/yr"); `title` heads
 * the legend key. The largest flow is FLOW_MAX_PX wide; the key shows three reference widths. */
export function showFlows(items, unit, title) {
  const max = Math.max(0, ...items.map((x) => Number(x.value) || 0));
  const feats = [];
  for (const it of items) {
    const f = state.links.get(it.link);
    const v = Number(it.value) || 0;
    if (f && v > 0) {
      feats.push({ type: "Feature", geometry: f.geometry,
        properties: { id: it.link, value: v, w: flowWidth(v, max) } });
    }
  }
  state.flows = { items, unit, title };
  state.map.getSource("flows").setData({ type: "FeatureCollection", features: feats });
  state.map.getContainer().dataset.flowFeatures = String(feats.length);
  if (!feats.length) { overlayKey("flows", ""); return; }
  const refs = niceSteps(max);
  overlayKey("flows", `<div class="flowkey" data-testid="flow-legend"><strong>${esc(title)}</strong>
    <ul>${refs.map((v) => `<li><span class="sw flow" style="height:${flowWidth(v, max).toFixed(1)}px"></span>${esc(fmtUnit(v, 0, unit))}</li>`).join("")}</ul></div>`);
}

/** Up to three round reference volumes at or below `max` (1, 2 or 5 × 10^k steps). */
function niceSteps(max) {
  if (!(max > 0)) return [];
  const p = 10 ** Math.floor(Math.log10(max));
  const top = [5, 2, 1].map((m) => m * p).find((v) => v <= max) ?? p;
  const out = [top];
  for (const v of [top / 4, top / 20]) {
    const q = 10 ** Math.floor(Math.log10(v));
    const r = [5, 2, 1].map((m) => m * q).find((x) => x <= v) ?? q;
    if (r < out.at(-1) && r >= 1) out.push(r);
  }
  return out;
}

export function clearFlows() {
  state.flows = null;
  state.map?.getSource("flows")?.setData(empty());
  if (state.map) state.map.getContainer().dataset.flowFeatures = "0";
  overlayKey("flows", "");
}

/** An investment plan's projects on the map, coloured by the year each is ready: items
 * [{id, name, year, kind: link|process|service, ref}]; a process is drawn at its place, a
 * service on its links. Returns the ids placed and the colour of each year. */
export function showProjects(items) {
  const years = [...new Set(items.map((p) => p.year))].sort();
  // the years spread over the whole ramp: two years are its two ends, never two near shades
  const step = (YEAR_COLOURS.length - 1) / Math.max(1, years.length - 1);
  const colour = (y) => YEAR_COLOURS[Math.min(YEAR_COLOURS.length - 1,
    Math.round(years.indexOf(y) * Math.min(step, YEAR_COLOURS.length - 1)))];
  // a light casing around dark colours, a dark one around light colours
  const casing = (y) => (YEAR_COLOURS.indexOf(colour(y)) < YEAR_COLOURS.length / 2 ? "#ffffff" : "#000000");
  const feats = [];
  const placed = new Set();
  for (const p of items) {
    const props = { id: p.id, name: p.name, year: p.year, colour: colour(p.year),
      casing: casing(p.year) };
    const geoms = [];
    if (p.kind === "link" && state.links.get(p.ref)) geoms.push(state.links.get(p.ref).geometry);
    if (p.kind === "service") {
      for (const f of state.links.values()) if (f.properties.service === p.ref) geoms.push(f.geometry);
    }
    if (p.kind === "process") {
      for (const n of state.nodes.values()) {
        if (p.ref in (n.properties.process_kinds || {})) geoms.push(n.geometry);
      }
    }
    for (const g of geoms) feats.push({ type: "Feature", geometry: g, properties: props });
    if (geoms.length) placed.add(p.id);
  }
  state.projects = items;
  state.map.getSource("projects").setData({ type: "FeatureCollection", features: feats });
  state.map.getContainer().dataset.projectFeatures = String(feats.length);
  overlayKey("projects", years.length ? `<div class="yearkey" data-testid="plan-legend"><strong>${esc(t("Project ready in"))}</strong>
    <ul>${years.map((y) => `<li data-year="${y}" data-colour="${colour(y)}"><span class="sw line project" style="background:${colour(y)}"></span>${y}</li>`).join("")}</ul></div>` : "");
  return { placed, colour };
}

export function clearProjects() {
  state.projects = null;
  state.map?.getSource("projects")?.setData(empty());
  if (state.map) state.map.getContainer().dataset.projectFeatures = "0";
  overlayKey("projects", "");
}

export function linkFeature(id) { return state.links.get(id); }
export function allLinks() { return [...state.links.values()]; }
export function nodeFeature(id) { return state.nodes.get(id); }

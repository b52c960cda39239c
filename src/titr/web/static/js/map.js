// The corridor map: Natural Earth countries (vendored world-atlas TopoJSON, sea = background),
// corridor links coloured by mode (planned links dashed), nodes by kind, HTML labels (no glyph
// server is needed), popups with figures and sources, and overlays for routes and utilisation.
import * as maplibregl from "../vendor/maplibre/maplibre-gl.mjs";
import { CONFIG, LANG, t, fmt, fmtUnit, esc, modeName, kindName, countryName, corridorName } from "./i18n.js";
import { getJSON, findEndpoint, fillPath } from "./api.js";

export const MODE_COLOURS = {
  rail_1520: "#c0392b", rail_1435: "#8e44ad", ferry: "#1f5fa8", sea: "#6baed6",
  road: "#7f7f7f", pipeline: "#111111", power_cable: "#e6a100",
};
export const KIND_COLOURS = {
  port: "#1f5f8b", terminal: "#c0392b", border: "#f39c12", junction: "#7f8c8d",
  city: "#2d3436", oil_terminal: "#111111", logistics_centre: "#16a085",
  power_node: "#e6a100", passage: "#5dade2",
};
const SEA = "#cfe2ee";
const LAND = "#f5f2eb";

const state = { map: null, network: null, nodes: new Map(), links: new Map(), sources: null,
  labels: [] };

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
  const isLink = ["==", ["geometry-type"], "LineString"];
  map.addLayer({ id: "util", type: "line", source: "overlay",
    paint: { "line-color": ["interpolate", ["linear"], ["get", "utilisation"],
      0, "#2e8b57", 0.7, "#f1c40f", 0.9, "#e67e22", 1.0, "#c0392b"],
    "line-width": 9, "line-opacity": 0.75 }, layout: { "line-cap": "round" } });
  map.addLayer({ id: "route-halo", type: "line", source: "route",
    paint: { "line-color": "#f2b134", "line-width": 10, "line-opacity": 0.85 },
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
  map.addLayer({ id: "nodes", type: "circle", source: "net",
    filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-color": matchExpr("kind", KIND_COLOURS, "#444"),
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 2, 3, 6, 6],
      "circle-stroke-color": "#fff", "circle-stroke-width": 1.2 } });
  void isLink;

  for (const layer of ["nodes", "links-hit"]) {
    map.on("click", layer, (e) => {
      const f = e.features && e.features[0];
      if (f) showPopup(f.properties.id ?? f.id, layer === "nodes" ? "node" : "link", e.lngLat);
    });
    map.on("mouseenter", layer, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", layer, () => { map.getCanvas().style.cursor = ""; });
  }
  const hover = new maplibregl.Popup({ closeButton: false, closeOnClick: false,
    className: "titr-hover", offset: 8 });
  map.on("mousemove", "nodes", (e) => {
    const f = e.features && e.features[0];
    if (f) hover.setLngLat(f.geometry.coordinates).setText(nodeName(f.properties.id)).addTo(map);
  });
  map.on("mouseleave", "nodes", () => hover.remove());
  addLabels();
  fitTo([...state.nodes.values()].map((f) => f.geometry.coordinates));
  renderLegend();
  return net;
}

function empty() { return { type: "FeatureCollection", features: [] }; }

function addLabels() {
  for (const m of state.labels) m.remove();
  state.labels = [];
  for (const f of state.nodes.values()) {
    const p = f.properties;
    const major = ["port", "terminal", "city", "oil_terminal", "logistics_centre"].includes(p.kind);
    const el = document.createElement("div");
    el.className = `maplabel${major ? " major" : ""}`;
    el.textContent = nodeName(p.id).split(" (")[0];  // the full name is in the popup
    el.title = nodeName(p.id);
    el.dataset.node = p.id;
    el.addEventListener("click", (ev) => { ev.stopPropagation(); showPopup(p.id, "node"); });
    const marker = new maplibregl.Marker({ element: el, anchor: "left", offset: [7, 0] })
      .setLngLat(f.geometry.coordinates).addTo(state.map);
    state.labels.push(marker);
  }
  // many places: labels only for the current route until the user zooms in
  state.map.getContainer().classList.toggle("dense", state.nodes.size > 30);
  const update = () => {
    const z = state.map.getZoom();
    state.map.getContainer().classList.toggle("zoom-far", z < 4);
    state.map.getContainer().classList.toggle("zoom-mid", z >= 4 && z < 5.5);
    state.map.getContainer().classList.toggle("zoom-near", z >= 5.5 && z < 7);
  };
  state.map.on("zoom", update);
  update();
}

export function fitTo(coords, padding = 40) {
  if (!coords.length) return;
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

function renderLegend() {
  const el = document.getElementById("legend");
  const modes = new Set([...state.links.values()].map((f) => f.properties.mode));
  const kinds = new Set([...state.nodes.values()].map((f) => f.properties.kind));
  const planned = [...state.links.values()].some((f) => f.properties.status === "planned");
  let h = `<strong>${t("Map legend")}</strong><ul>`;
  for (const m of Object.keys(MODE_COLOURS)) if (modes.has(m)) {
    h += `<li><span class="sw line" style="background:${MODE_COLOURS[m]}"></span>${esc(modeName(m))}</li>`;
  }
  if (planned) h += `<li><span class="sw line dashed"></span>${t("Planned")}</li>`;
  for (const k of Object.keys(KIND_COLOURS)) if (kinds.has(k)) {
    h += `<li><span class="sw dot" style="background:${KIND_COLOURS[k]}"></span>${esc(kindName(k))}</li>`;
  }
  el.innerHTML = h + "</ul>";
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
  const popup = new maplibregl.Popup({ maxWidth: "340px", className: "titr-popup" })
    .setLngLat(lngLat ?? (kind === "node" ? f.geometry.coordinates : midpoint(f)))
    .setHTML(`<h4>${esc(title)}</h4><p class="code">${esc(id)}</p><table class="kv">${rows}</table>
      <h5>${t("Sources")}</h5><ul class="sources" data-loading="1"><li>${t("Loading…")}</li></ul>`)
    .addTo(state.map);
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
  const on = new Set(nodeIds || []);
  for (const m of state.labels) {
    m.getElement().classList.toggle("onroute", on.has(m.getElement().dataset.node));
  }
  const coords = feats.flatMap((f) => f.geometry.type === "MultiLineString"
    ? f.geometry.coordinates.flat() : f.geometry.coordinates);
  if (coords.length) fitTo(coords, 60);
}

export function clearRoute() {
  state.map?.getSource("route")?.setData(empty());
  for (const m of state.labels) m.getElement().classList.remove("onroute");
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

export function linkFeature(id) { return state.links.get(id); }
export function allLinks() { return [...state.links.values()]; }
export function nodeFeature(id) { return state.nodes.get(id); }

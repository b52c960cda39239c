// Route planner: origin/destination typeahead over node names in the page language, commodity,
// objective, avoid-list; the route on the map, its transit-time distribution and its tariff.
import { t, tn, fmt, fmtUnit, fmtMoney, esc, modeName, countryName, corridorName, LANG } from "./i18n.js";
import { getJSON, findEndpoint, notAvailable, showError } from "./api.js";
import { nodes, nodeName, showRoute, clearRoute } from "./map.js";
import { chart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const COMPONENT_LABELS = { moving: "Moving", loading: "Loading", unloading: "Unloading",
  transshipment: "Transshipment", border: "Border", port: "Port charges",
  corridor_rate: "Corridor rate", subsidy: "Subsidy" };

export async function initRoutePanel() {
  const list = $("node-names");
  const byName = new Map();
  const sorted = nodes().slice().sort((a, b) =>
    nodeName(a.id).localeCompare(nodeName(b.id), LANG));
  list.innerHTML = "";
  for (const n of sorted) {
    const name = nodeName(n.id);
    byName.set(name.toLocaleLowerCase(LANG), n.id);
    const o = document.createElement("option");
    o.value = name;
    o.label = `${countryName(n.country)} · ${n.id}`;
    list.appendChild(o);
  }
  const resolve = (text) => byName.get(text.trim().toLocaleLowerCase(LANG)) || text.trim();
  await fillCommodities();
  $("route-form").addEventListener("submit", (e) => {
    e.preventDefault();
    planRoute(resolve($("route-from").value), resolve($("route-to").value));
  });
  $("route-compare").addEventListener("click", () => {
    if (!$("route-form").reportValidity()) return;
    compareCorridors(resolve($("route-from").value), resolve($("route-to").value));
  });
}

async function fillCommodities() {
  const sel = $("route-commodity");
  let items = [];
  const path = await findEndpoint("GET /api/commodities");
  if (path) {
    try {
      const data = await getJSON(path, { lang: LANG });
      items = (Array.isArray(data) ? data : data.items || []).map((c) => ({
        id: c.id, name: c[`name_${LANG}`] || c.name || c.id }));
    } catch { items = []; }
  }
  if (!items.length) {
    items = [{ id: "container", name: t("Containers (TEU)") },
      { id: "general", name: t("General cargo") }, { id: "crude_oil", name: t("Crude oil") }];
  }
  sel.innerHTML = items.map((c) => `<option value="${esc(c.id)}">${esc(c.name)}</option>`).join("");
}

function params(from, to) {
  const avoid = $("route-avoid").value.split(",").map((s) => s.trim()).filter(Boolean);
  return { from, to, commodity: $("route-commodity").value, by: $("route-by").value,
    alternatives: 3, avoid, lang: LANG };
}

/** Normalise one route result (titr.routing `Route.to_dict()` or a comparison row):
 * times in days, tariff in USD per `per` unit, tariff lines summed by country/operator/component. */
export function normRoute(r) {
  const tt = r.transit_time || {};
  const steps = r.steps || [];
  const links = r.links || steps.filter((s) => s.kind === "link").map((s) => s.link || s.ref);
  const tariff = r.tariff && typeof r.tariff === "object" ? r.tariff : {};
  const total = tariff.total_usd ?? r.tariff_usd ?? null;
  const sums = new Map();
  for (const ln of tariff.lines || []) {
    const key = `${ln.country}|${ln.operator ?? ""}|${ln.component}`;
    const cur = sums.get(key) || { country: ln.country, operator: ln.operator, component: ln.component, amount: 0 };
    cur.amount += Number(ln.usd) || 0;
    sums.set(key, cur);
  }
  const activity = { running: 0, handling: 0, waiting: 0 };
  for (const s of steps) {
    const h = s.time_h?.mean ?? 0;
    if (s.kind === "link") activity.running += h;
    else if (s.kind === "wait") activity.waiting += h;
    else activity.handling += h;
  }
  return {
    nodes: r.nodes || [], links, steps,
    mean: tt.mean_days ?? r.expected_days ?? r.mean_days,
    p10: tt.p10_days ?? r.p10_days, p50: tt.p50_days ?? r.p50_days, p90: tt.p90_days ?? r.p90_days,
    std: tt.std_days, activity,
    tariff: total, currency: "USD", per: tariff.per ?? r.tariff_per ?? "",
    parts: [...sums.values()].sort((a, b) => b.amount - a.amount),
    missing: tariff.missing || [], single: tariff.single || null,
    subsidy: tariff.subsidy || null, unsubsidised: tariff.unsubsidised_usd ?? null,
    distance: r.distance_km, co2: r.co2_kg ?? r.co2?.kg,
    corridors: r.corridors || [],
  };
}

async function planRoute(from, to) {
  const out = $("route-result");
  const path = await findEndpoint("GET /api/routes", "GET /api/route");
  if (!path) { notAvailable(out, "GET /api/routes"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try { data = await getJSON(path, params(from, to)); } catch (e) { clearRoute(); showError(out, e); return; }
  const routes = (data.routes || (Array.isArray(data) ? data : [data])).map(normRoute);
  if (!routes.length) { out.innerHTML = `<p class="error">${t("No route found")}</p>`; return; }
  renderRoutes(out, routes, data);
}

function renderRoutes(out, routes, data) {
  const best = routes[0];
  showRoute(best.links, best.nodes);
  const via = best.nodes.length > 2
    ? best.nodes.slice(1, -1).map(nodeName).join(" → ") : "";
  out.innerHTML = `
    <div class="card route-card" data-testid="route-summary">
      <h3>${esc(nodeName(best.nodes[0] ?? ""))} → ${esc(nodeName(best.nodes.at(-1) ?? ""))}</h3>
      ${via ? (best.nodes.length > 8
        ? `<details class="via"><summary>${tn("via {n} place", best.nodes.length - 2)}</summary>${esc(via)}</details>`
        : `<p class="via">${t("via {places}", { places: esc(via) })}</p>`) : ""}
      <div class="figures">
        <div class="fig"><span class="label">${t("Transit time (median)")}</span>
          <span class="value" data-testid="route-time">${fmtUnit(best.p50, 1, "days")}</span>
          <span class="sub">p10 ${fmt(best.p10, 1)} · p90 ${fmt(best.p90, 1)}</span></div>
        <div class="fig"><span class="label">${best.subsidy ? t("Shipper price") : t("Through tariff")}</span>
          <span class="value" data-testid="route-tariff">${tariffText(best)}</span>
          <span class="sub">${perLabel(best.per)}</span></div>
        <div class="fig"><span class="label">${t("Distance")}</span>
          <span class="value">${fmtUnit(best.distance, 0, "km")}</span>
          <span class="sub">${best.co2 != null ? `CO₂ ${fmtUnit(best.co2, 0, "kg")}` : ""}</span></div>
      </div>
      <h4>${t("Transit-time distribution")}</h4><div id="route-time-chart"></div>
      <h4>${t("Tariff breakdown")}</h4><div id="route-tariff-table"></div>
      ${routes.length > 1 ? `<h4>${t("Alternatives")}</h4><ol class="alts">${routes.slice(1).map((r, i) =>
        `<li><a href="#" data-alt="${i + 1}">${fmtUnit(r.p50, 1, "days")} · ${tariffText(r)}</a> <small>${esc(r.nodes.slice(1, -1).map(nodeName).join(", "))}</small></li>`).join("")}</ol>` : ""}
      ${(data.notes || []).length ? `<ul class="notes">${data.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
      <p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}${data.run_id ? ` · ${t("run")} ${esc(data.run_id)}` : ""}</p>
    </div>`;
  for (const a of out.querySelectorAll("a[data-alt]")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      const r = routes[Number(a.dataset.alt)];
      renderRoutes(out, [r, ...routes.filter((x) => x !== r)], data);
    });
  }
  timeChart($("route-time-chart"), best);
  tariffTable($("route-tariff-table"), best);
}

/** A through tariff as shown in a summary: "–" without one; an asterisk (its reason in the
 * tooltip) when segments have no tariff data and the total leaves them out. */
function tariffText(r) {
  if (r.tariff === null) return "–";
  const money = fmtMoney(r.tariff, r.currency);
  const n = r.missing?.length ?? 0;
  if (!n) return money;
  const why = tn("No tariff data for {n} segment; the total leaves it out.", n);
  return `<span class="incomplete" data-testid="tariff-incomplete" title="${esc(why)}">${money}*</span>`;
}

function perLabel(per) {
  return { teu: t("per TEU"), feu: t("per FEU"), t: t("per tonne") }[per] ?? t("per unit of cargo");
}

function timeChart(el, r) {
  if (r.p10 == null) { el.innerHTML = `<p class="muted">–</p>`; return; }
  const values = [{ label: t("Transit time"), p10: r.p10, p50: r.p50, p90: r.p90 }];
  chart(el, { height: 60, data: { values }, layer: [
    { mark: { type: "rule", strokeWidth: 3, color: "#0b4f71" },
      encoding: { x: { field: "p10", type: "quantitative", title: t("days"), scale: { zero: false } },
        x2: { field: "p90" }, y: { field: "label", type: "nominal", title: null } } },
    { mark: { type: "point", filled: true, size: 160, color: "#f2b134" },
      encoding: { x: { field: "p50", type: "quantitative" }, y: { field: "label", type: "nominal" },
        tooltip: [{ field: "p10", type: "quantitative", format: ",.1f", title: "p10" },
          { field: "p50", type: "quantitative", format: ",.1f", title: "p50" },
          { field: "p90", type: "quantitative", format: ",.1f", title: "p90" }] } },
  ] });
  const act = r.activity || {};
  const parts = [["running", t("In motion")], ["handling", t("Handling and borders")], ["waiting", t("Waiting for departures")]]
    .map(([k, label], i) => ({ label, order: i, days: (act[k] || 0) / 24 })).filter((x) => x.days > 0);
  if (parts.length) {
    const div = document.createElement("div");
    el.after(div);
    chart(div, { height: 34, data: { values: parts }, mark: { type: "bar" },
      encoding: { x: { field: "days", type: "quantitative", stack: "zero", title: t("Expected days by activity") },
        color: { field: "label", type: "nominal", sort: null, title: null, legend: { orient: "bottom" },
          scale: { range: ["#0b4f71", "#f39c12", "#95a5a6"] } },
        order: { field: "order" },
        tooltip: [{ field: "label", type: "nominal", title: " " }, { field: "days", type: "quantitative", format: ",.1f", title: t("days") }] } });
  }
}

function tariffTable(el, r) {
  const miss = r.missing?.length
    ? `<p class="notice">${tn("No tariff data for {n} segment; the total leaves it out.", r.missing.length)}</p>` : "";
  if (!r.parts || !r.parts.length) { el.innerHTML = miss || `<p class="muted">–</p>`; return; }
  const rows = r.parts.map((p) => `<tr><td>${esc(countryName(p.country))}</td><td>${esc(p.operator ?? "")}</td>
    <td>${esc(t(COMPONENT_LABELS[p.component ?? p.kind] ?? p.component ?? p.kind ?? ""))}</td><td class="num">${fmtMoney(p.amount)}</td></tr>`).join("");
  // The carriers' lines add up to the unsubsidised cost; a state subsidy of the block train
  // (titr.tariff.through.block_train_subsidy) is deducted from it to give the shipper price.
  const s = r.subsidy;
  const sub = s ? `<tr data-testid="route-subsidy"><td>${esc(countryName(s.country))}</td><td>${esc(s.operator ?? "")}</td>
      <td>${esc(t("Subsidy"))} (${s.year})</td><td class="num">−${fmtMoney(s.usd)}</td></tr>` : "";
  const foot = s
    ? `<tr><th colspan="3">${t("Unsubsidised cost")}</th><th class="num">${fmtMoney(r.unsubsidised)}</th></tr>
       <tr><th colspan="3">${t("Shipper price")}</th><th class="num">${fmtMoney(r.tariff)}</th></tr>`
    : `<tr><th colspan="3">${t("Through tariff")}</th><th class="num">${fmtMoney(r.tariff)}</th></tr>`;
  el.innerHTML = `<table class="grid"><thead><tr><th>${t("Country")}</th><th>${t("Operator")}</th>
    <th>${t("Component")}</th><th class="num">${t("Amount")}</th></tr></thead><tbody>${rows}${sub}</tbody>
    <tfoot>${foot}</tfoot></table>${miss}`;
}

async function compareCorridors(from, to) {
  const out = $("route-result");
  const path = await findEndpoint("GET /api/compare", "GET /api/routes/compare");
  if (!path) { notAvailable(out, "GET /api/compare"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try { data = await getJSON(path, params(from, to)); } catch (e) { showError(out, e); return; }
  const raw = data.corridors || data.items || data.routes || [];
  const list = (Array.isArray(raw) ? raw : Object.entries(raw).map(([k, v]) => ({ corridor: k, ...v })));
  const rows = list.map((c) => {
    const r = normRoute(c.route ? { ...c, ...c.route } : c);
    return { corridor: c.corridor, error: c.available === false ? (c.reason || t("No route found")) : null, r };
  });
  // tariffs and CO2 are per the commodity's unit (the dashboard never asks for another one)
  const per = rows.find((x) => !x.error)?.r.per ?? "";
  const short = (text) => {
    const first = String(text).split(/: outside|; |\. /)[0];
    return first.length > 140 ? `${first.slice(0, 140)}…` : first;
  };
  out.innerHTML = `<div class="card" data-testid="compare"><h3>${t("Corridors compared")}</h3>
    <div class="tablewrap" data-testid="compare-wrap"><table class="grid"><thead><tr><th>${t("Corridor")}</th><th class="num">${t("Transit time (median)")}</th>
    <th class="num">p10–p90</th><th class="num">${t("Shipper price")}${per ? `<br><small>${perLabel(per)}</small>` : ""}</th>
    <th class="num">${t("Unsubsidised cost")}</th>
    <th class="num">CO₂, ${t("kg")}${per ? `<br><small>${perLabel(per)}</small>` : ""}</th><th class="num">${t("Distance")}</th></tr></thead>
    <tbody>${rows.map(({ corridor, error, r }) => error
      ? `<tr><td>${esc(corridorName(corridor))}</td><td colspan="6" class="muted" title="${esc(error)}">${esc(short(error))}</td></tr>`
      : `<tr><td>${esc(corridorName(corridor))}</td><td class="num">${fmtUnit(r.p50, 1, "days")}</td>
        <td class="num">${fmt(r.p10, 1)}–${fmt(r.p90, 1)}</td><td class="num" data-testid="compare-tariff">${tariffText(r)}</td>
        <td class="num">${r.unsubsidised === null ? "–" : fmtMoney(r.unsubsidised, r.currency)}</td>
        <td class="num" data-testid="compare-co2">${r.co2 == null ? "–" : fmt(r.co2, 0)}</td>
        <td class="num">${fmtUnit(r.distance, 0, "km")}</td></tr>`).join("")}</tbody></table></div>
    <div id="compare-chart"></div></div>`;
  const values = rows.filter((x) => !x.error && x.r.p50 != null).map(({ corridor, r }) => ({
    corridor: corridorName(corridor), p10: r.p10, p50: r.p50, p90: r.p90 }));
  if (values.length) {
    chart($("compare-chart"), { height: 30 * values.length, data: { values }, layer: [
      { mark: { type: "rule", strokeWidth: 4, color: "#0b4f71" },
        encoding: { y: { field: "corridor", type: "nominal", title: null, sort: null },
          x: { field: "p10", type: "quantitative", title: t("Transit time, days") }, x2: { field: "p90" } } },
      { mark: { type: "point", filled: true, size: 140, color: "#f2b134" },
        encoding: { y: { field: "corridor", type: "nominal", sort: null }, x: { field: "p50", type: "quantitative" } } },
    ] });
    const best = rows.find((x) => !x.error);
    if (best) showRoute(best.r.links, best.r.nodes);
  }
}

export { modeName };

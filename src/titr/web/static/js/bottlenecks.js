// Bottlenecks: links coloured by utilisation (flow / capacity) for a demand scenario (a year),
// the bottlenecks ranked by shadow price, and the investment plan year by year.
import { t, tn, fmt, fmtUnit, fmtPct, fmtMoney, esc, countryName, LANG } from "./i18n.js";
import { getJSON, postJSON, findEndpoint, notAvailable, showError } from "./api.js";
import { nodeName, nodes, linkFeature, allLinks, showUtilisation, clearUtilisation, UTIL_STOPS,
  showFlows, clearFlows, showProjects, clearProjects } from "./map.js";

const $ = (id) => document.getElementById(id);

export async function initBottlenecksPanel() {
  $("bn-form").addEventListener("submit", (e) => { e.preventDefault(); loadBottlenecks(); });
  $("bn-flows").addEventListener("click", () => loadFlows());
  const sel = $("bn-scenario");
  const path = await findEndpoint("GET /api/demand-scenarios");
  let items = [];
  if (path) {
    try { items = await getJSON(path); } catch { items = []; }
  }
  sel.innerHTML = items.map((x) => `<option value="${esc(x.name)}"${x.name === "2027" ? " selected" : ""}>
    ${esc(x.year ?? "")} · ${esc(x.title ?? x.name)}</option>`).join("");
  if (!items.length) sel.innerHTML = `<option value="2025">2025</option>`;
  $("plan-scenario").insertAdjacentHTML("beforeend", items.map((x) =>
    `<option value="${esc(x.name)}">${esc(x.year ?? "")} · ${esc(x.title ?? x.name)}</option>`).join(""));
  $("plan-form").addEventListener("submit", (e) => { e.preventDefault(); planLoaded = true; loadPlan(); });
}

let planLoaded = false;
export function onShow() {
  if (!planLoaded) { planLoaded = true; loadPlan(); } else onReshow();
}
export function onHide() { clearUtilisation(); clearFlows(); clearProjects(); }
let lastPlan = null;
/** Back on the tab: the plan's projects return to the map (they left with the tab). */
export function onReshow() { if (lastPlan) drawProjects(lastPlan); }

const PROCESS_LABELS = { gauge_change: "Gauge change", border: "Border crossing",
  port_handling: "Port handling", transshipment: "Transshipment", loading: "Loading",
  unloading: "Unloading" };

/** The node and kind of a process id, from the network's node features. */
function processOf(id) {
  for (const n of nodes()) {
    const kinds = n.process_kinds || {};
    if (id in kinds) return { node: n.id, kind: kinds[id] };
  }
  return null;
}

/** A resource of the assignment in words: link ends, process at a place, or a ferry line by
 * its name and ends — never a bare id when the network knows the name. */
export function resourceLabel(r) {
  if (r.kind === "link") {
    const f = linkFeature(r.ref);
    if (f) {
      const [a, b] = r.direction === "b>a" ? [f.properties.b_node, f.properties.a_node]
        : [f.properties.a_node, f.properties.b_node];
      return `${nodeName(a)} → ${nodeName(b)}`;
    }
  }
  if (r.kind === "process") {
    const p = processOf(r.ref);
    if (p) return `${t(PROCESS_LABELS[p.kind] ?? p.kind)}: ${nodeName(p.node)}`;
    return `${t("Process")} ${r.ref}`;
  }
  if (r.kind === "service") {
    const f = linksOfService(r.ref)[0];
    if (f) {
      const [a, b] = r.direction === "b>a" ? [f.properties.b_node, f.properties.a_node]
        : [f.properties.a_node, f.properties.b_node];
      const name = f.properties.service_name || `${t("Service")} ${r.ref}`;
      return `${name}: ${nodeName(a)} → ${nodeName(b)}`;
    }
    return `${t("Service")} ${r.ref}`;
  }
  if (!r.kind && typeof r.resource === "string") {  // "service:SV_X:a>b" without its parts
    const [kind, ref, direction] = r.resource.split(":");
    if (ref) return resourceLabel({ kind, ref, direction });
  }
  return r.ref ?? r.resource;
}

/** Flow and capacity in the resource's own unit (TEU/yr, trains/day…) when known. */
function flowCells(r) {
  const native = r.native_capacity != null && r.capacity > 0;
  const cap = native ? r.native_capacity : r.capacity;
  const flow = native ? r.flow * (r.native_capacity / r.capacity) : r.flow;
  const unit = native ? r.native_unit : r.unit;
  return `<td class="num">${fmt(flow)}</td><td class="num">${esc(fmtUnit(cap, 0, unit))}</td>`;
}

function fmtMoneyShort(usd) {
  return new Intl.NumberFormat(LANG, { style: "currency", currency: "USD", notation: "compact",
    maximumFractionDigits: 1 }).format(usd);
}

function linksOfService(id) {
  return allLinks().filter((f) => f.properties.service === id);
}

async function loadBottlenecks() {
  const out = $("bn-result");
  const scenario = $("bn-scenario").value;
  const get = await findEndpoint("GET /api/bottlenecks");
  if (!get) { notAvailable(out, "GET /api/bottlenecks"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try { data = await getJSON(get, { scenario, top: 15 }); }
  catch (e) { clearUtilisation(); showError(out, e); return; }
  // utilisation per map link: the busier direction; a ferry service colours its links
  const perLink = new Map();
  for (const r of data.resources || []) {
    if (r.utilisation == null) continue;
    const ids = r.kind === "link" ? [r.ref] : r.kind === "service" ? linksOfService(r.ref).map((f) => f.properties.id) : [];
    for (const id of ids) perLink.set(id, Math.max(perLink.get(id) ?? 0, r.utilisation));
  }
  clearFlows();
  showUtilisation([...perLink].map(([link, utilisation]) => ({ link, utilisation })));
  const ranked = data.bottlenecks || [];
  const unserved = data.unserved || [];
  out.innerHTML = `<div class="card" data-testid="bottlenecks"><h3>${t("Bottlenecks in {year}", { year: data.year ?? scenario })}</h3>
    <div class="scale"><span style="background:${UTIL_STOPS[0][1]}"></span>&lt;${fmtPct(0.7)} <span style="background:${UTIL_STOPS[1][1]}"></span>${fmtPct(0.7)}–${fmtPct(0.9)}
      <span style="background:${UTIL_STOPS[2][1]}"></span>${fmtPct(0.9)}–${fmtPct(1)} <span style="background:${UTIL_STOPS[3][1]}"></span>≥${fmtPct(1)}</div>
    ${ranked.length ? `<div class="tablewrap"><table class="grid" data-testid="bn-table"><thead><tr><th>#</th><th>${t("Segment")}</th><th class="num">${t("Utilisation")}</th>
      <th class="num">${t("Flow")}</th><th class="num">${t("Capacity")}</th><th class="num">${t("Shadow price")}</th></tr></thead>
    <tbody>${ranked.map((r, i) => `<tr class="${r.utilisation >= 0.999 ? "over" : ""}"><td>${r.rank ?? i + 1}</td>
      <td>${esc(resourceLabel(r))} <small>${esc(countryName(r.country) === r.country ? "" : countryName(r.country))}</small></td>
      <td class="num">${fmtPct(r.utilisation)}</td>${flowCells(r)}
      <td class="num">${r.shadow_price_usd_per_unit == null ? "–" : fmt(r.shadow_price_usd_per_unit, 2)}</td></tr>`).join("")}</tbody></table></div>
      <p class="muted">${t("Shadow price: USD a year saved by one more t/yr of capacity.")}</p>`
      : `<p class="muted">${t("No binding capacity in this scenario")}</p>`}
    ${unserved.length ? `<p class="notice">${t("Demand left unserved")}: ${unserved.map((u) =>
      `${esc(nodeName(u.origin))} → ${esc(nodeName(u.destination))} ${fmt(u.unserved)}`).join("; ")}</p>` : ""}
    <p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}${data.run_id ? ` · ${t("run")} ${esc(data.run_id)}` : ""}</p></div>`;
}

/** Volumes of the scenario's assignment (GET /api/flows, the same answer as `titr assign
 * --json`) as line width on the map, with the busiest links listed. */
let flowSeq = 0;
async function loadFlows() {
  const out = $("bn-result");
  const scenario = $("bn-scenario").value;
  const get = await findEndpoint("GET /api/flows");
  if (!get) { notAvailable(out, "GET /api/flows"); return; }
  const seq = ++flowSeq;
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let d;
  try { d = await getJSON(get, { scenario, top: 5 }); }
  catch (e) { if (seq === flowSeq) { clearFlows(); showError(out, e); } return; }
  if (seq !== flowSeq) return;
  const links = d.links || [];
  if (!$("panel-bottlenecks").hidden) {  // not when the user has left the tab meanwhile
    clearUtilisation();
    showFlows(links.map((x) => ({ link: x.link, value: x.t })), "t/yr",
      t("Volume in {year}, t/yr", { year: d.year ?? scenario }));
  }
  const label = (id) => {
    const f = linkFeature(id);
    return f ? `${nodeName(f.properties.a_node)} – ${nodeName(f.properties.b_node)}` : id;
  };
  const mc = d.middle_corridor || {};
  out.innerHTML = `<div class="card" data-testid="flows"><h3>${t("Volumes in {year}", { year: d.year ?? scenario })}</h3>
    <p>${t("Middle Corridor")}: <strong>${esc(fmtUnit((mc.carried_t ?? 0) / 1e6, 2, "Mt"))}</strong>
      · ${t("diverted")}: ${esc(fmtUnit((mc.diverted_t ?? 0) / 1e6, 2, "Mt"))}
      · ${t("unserved")}: ${esc(fmtUnit((mc.unserved_t ?? 0) / 1e6, 2, "Mt"))}</p>
    ${links.length ? `<div class="tablewrap"><table class="grid" data-testid="flows-table"><thead><tr><th>${t("Segment")}</th>
      <th class="num">${t("t/yr")}</th><th class="num">${t("TEU/yr")}</th></tr></thead>
      <tbody>${links.slice(0, 12).map((x) => `<tr data-link="${esc(x.link)}"><td>${esc(label(x.link))}</td>
        <td class="num">${fmt(x.t)}</td><td class="num">${x.teu ? fmt(x.teu) : "–"}</td></tr>`).join("")}</tbody></table></div>
      <p class="muted">${t("On the map: line width grows with the volume (both directions together).")}</p>`
      : `<p class="muted">${t("Nothing is carried in this scenario")}</p>`}
    <p class="prov">${t("Dataset")}: ${esc(d.dataset ?? "")}</p></div>`;
}

function drawProjects(d) {
  const items = (d.projects || []).map((p) => ({ id: p.id, name: projectName(p), year: p.in_service,
    kind: p.target_kind, ref: p.target_ref }));
  const { placed, colour } = showProjects(items);
  const year = new Map(items.map((p) => [p.id, p.year]));
  for (const tr of document.querySelectorAll("#plan-result tr[data-project]")) {
    const on = placed.has(tr.dataset.project);
    tr.classList.toggle("onmap", on);
    const cell = tr.querySelector("td[data-testid=plan-year]");
    cell.querySelector(".sw")?.remove();
    if (on) {
      cell.insertAdjacentHTML("afterbegin", `<span class="sw project" style="background:${colour(year.get(tr.dataset.project))}" title="${esc(t("On the map"))}"></span>`);
    }
  }
}

const COMMODITY_LABELS = { container: "Containers (TEU)", general: "General cargo",
  crude_oil: "Crude oil", uranium: "Uranium" };

/** A plan's segment id ("service:SV_X:a>b", "process:PR_Y", "link:L_Z:a>b") in words. */
function segmentLabel(s) {
  if (s && s.kind) return resourceLabel(s);
  const id = s?.resource ?? s?.bottleneck;
  return id ? resourceLabel({ resource: id }) : "–";
}

function projectName(p) {
  return (p.name && (p.name[LANG] || p.name.en)) || p.id;
}

/** The investment plan (GET /api/plans): projects by year entering service, country and
 *  capex; per year demand, served volume and the most used segment; the readiness spread of
 *  the upgraded segments; days and cost per unit without and with the plan; the next
 *  bottleneck. */
let planSeq = 0;
async function loadPlan() {
  const out = $("plan-result");
  const get = await findEndpoint("GET /api/plans");
  if (!get) { notAvailable(out, "GET /api/plans"); return; }
  const target = $("plan-target").value.trim();
  const by = $("plan-year").value;
  const scenario = $("plan-scenario").value;
  const seq = ++planSeq;  // only the latest request may fill the panel
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let d;
  lastPlan = null;
  clearProjects();
  try { d = await getJSON(get, { target, by, scenario }); }
  catch (e) { if (seq === planSeq) showError(out, e); return; }
  if (seq !== planSeq) return;
  const projects = d.projects || [];
  const musd = (v) => fmtMoneyShort(Number(v) * 1e6);
  let h = `<div class="card" data-testid="plan"><h3>${t("{target} by {year}", { target: esc(fmtUnit(d.target_t / 1e6, 1, "Mt")), year: d.year })}</h3>`;
  if (d.status === "infeasible") {  // an unreachable target is an answer: the best reachable plan
    const names = (ids) => (ids || []).map((id) => esc(segmentLabel({ resource: id }))).join(", ");
    h += `<div class="notice" role="status" data-testid="plan-infeasible"><strong>${t("The target cannot be reached by {year}", { year: d.year })}</strong><br>
      ${t("Best reachable volume: {volume}; short by {shortfall}", {
        volume: esc(fmtUnit(d.reachable_t / 1e6, 2, "Mt")), shortfall: esc(fmtUnit(d.shortfall_t / 1e6, 2, "Mt")) })}<br>
      ${t("Limited by")}: ${names(d.binding)}
      ${(d.lacking || []).length ? `<br>${t("No candidate project in the data adds capacity to")}: ${names(d.lacking)}` : ""}
      <br><small class="muted">${t("The plan below is the best one reachable by that year.")}</small></div>`;
  }
  if (!projects.length) {
    h += `<p class="muted">${t("No investment needed in this scenario")}</p>`;
  } else {
    h += `<p><strong data-testid="plan-total">${musd(d.capex_total_musd)}</strong> · ${tn("{n} project", projects.length)} · ${
      Object.entries(d.capex_by_country_musd || {}).map(([c, v]) => `${esc(countryName(c))} ${musd(v)}`).join(", ")}</p>
    <div class="tablewrap"><table class="grid" data-testid="plan-table"><thead><tr><th>${t("Year")}</th><th>${t("Project")}</th>
      <th>${t("Country")}</th><th class="num">${t("Cost")}</th></tr></thead><tbody>`;
    for (const y of d.by_year || []) {
      const list = projects.filter((p) => p.in_service === y.year);
      list.forEach((p, i) => {  // the year on every row: a row read alone is never misdated
        h += `<tr data-project="${esc(p.id)}"${i === 0 ? ` class="first-of-year"` : ""}><td data-testid="plan-year"><strong>${y.year}</strong></td>
          <td>${esc(projectName(p))}<br><small class="muted">${t("decide by {year}", { year: p.decide_by })}</small></td>
          <td>${esc(countryName(p.country))}</td>
          <td class="num">${musd(p.capex_musd)}${p.capex_estimated ? ` <small title="${esc(p.capex_source)}">${t("Estimate")}</small>` : ""}</td></tr>`;
      });
    }
    h += `</tbody></table></div>`;
  }
  h += `<div class="tablewrap"><table class="grid" data-testid="plan-years"><thead><tr><th>${t("Year")}</th><th class="num">${t("Demand, Mt")}</th>
    <th class="num">${t("Carried, Mt")}</th><th>${t("Most used segment")}</th><th class="num">${t("Utilisation")}</th></tr></thead><tbody>
    ${(d.by_year || []).map((y) => `<tr><td>${y.year}</td><td class="num">${fmt(y.demand_t / 1e6, 2)}</td>
      <td class="num">${fmt(y.served_t / 1e6, 2)}</td><td>${esc(segmentLabel(y))}</td>
      <td class="num">${fmtPct(y.utilisation)}</td></tr>`).join("")}</tbody></table></div>`;
  const up = (d.readiness?.segments || []).filter((s) => s.upgraded);
  h += `<p data-testid="plan-spread"><strong>${tn("Readiness spread: {n} year", d.readiness?.spread_years ?? 0)}</strong>
    <small class="muted">${t("(first to last year an upgraded segment is ready for the target volume; 0 = all in the same year)")}</small></p>`;
  if (up.length) {
    h += `<ul>${up.map((s) => `<li>${esc(segmentLabel(s))} <small>${esc(countryName(s.country))}</small>: ${s.ready_year ?? "–"}</li>`).join("")}</ul>`;
  }
  const pu = Object.entries(d.per_unit || {});
  if (pu.length) {
    h += `<div class="tablewrap"><table class="grid" data-testid="plan-buys"><thead><tr><th>${t("What the plan buys in {year}", { year: d.year })}</th>
      <th class="num">${t("Days without plan")}</th><th class="num">${t("Days with plan")}</th>
      <th class="num">${t("USD per unit without plan")}</th><th class="num">${t("USD per unit with plan")}</th></tr></thead><tbody>
      ${pu.map(([k, v]) => `<tr><td>${esc(t(COMMODITY_LABELS[k] ?? k))}</td>
        <td class="num">${fmt(v.without_plan?.days_per_unit, 1)}</td><td class="num">${fmt(v.with_plan?.days_per_unit, 1)}</td>
        <td class="num">${fmt(v.without_plan?.cost_per_unit_usd)}</td><td class="num">${fmt(v.with_plan?.cost_per_unit_usd)}</td></tr>`).join("")}
      </tbody></table></div>`;
  }
  const nb = (d.next_bottleneck || [])[0];
  h += `<p data-testid="plan-next">${t("Next bottleneck")}: ${nb ? `<strong>${esc(segmentLabel(nb))}</strong>
    <small class="muted">${t("(demand 25% above the target, on the planned network)")}</small>`
    : `<span class="muted">${t("none up to 25% above the target")}</span>`}</p>`;
  out.innerHTML = h + `<p class="prov">${t("Dataset")}: ${esc(d.dataset ?? "")} · ${t("Demand structure")}: ${esc(d.scenario?.title || d.scenario?.name || "")}</p></div>`;
  lastPlan = d;
  if (!$("panel-bottlenecks").hidden) drawProjects(d);  // not when the user has left the tab
}

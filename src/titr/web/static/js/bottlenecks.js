// Bottlenecks: links coloured by utilisation (flow / capacity) for a demand scenario (a year),
// the bottlenecks ranked by shadow price, and the investment plan year by year.
import { t, fmt, fmtPct, fmtMoney, esc, countryName, LANG } from "./i18n.js";
import { getJSON, postJSON, findEndpoint, notAvailable, showError } from "./api.js";
import { nodeName, linkFeature, allLinks, showUtilisation, clearUtilisation } from "./map.js";

const $ = (id) => document.getElementById(id);

export async function initBottlenecksPanel() {
  $("bn-form").addEventListener("submit", (e) => { e.preventDefault(); loadBottlenecks(); });
  const sel = $("bn-scenario");
  const path = await findEndpoint("GET /api/demand-scenarios");
  let items = [];
  if (path) {
    try { items = await getJSON(path); } catch { items = []; }
  }
  sel.innerHTML = items.map((x) => `<option value="${esc(x.name)}"${x.name === "2027" ? " selected" : ""}>
    ${esc(x.year ?? "")} · ${esc(x.title ?? x.name)}</option>`).join("");
  if (!items.length) sel.innerHTML = `<option value="2025">2025</option>`;
}

let planLoaded = false;
export function onShow() {
  if (!planLoaded) { planLoaded = true; loadPlan(); }
}
export function onHide() { clearUtilisation(); }

/** A resource of the assignment in words: link ends, node + process, or ferry service. */
function resourceLabel(r) {
  if (r.kind === "link") {
    const f = linkFeature(r.ref);
    if (f) {
      const [a, b] = r.direction === "b>a" ? [f.properties.b_node, f.properties.a_node]
        : [f.properties.a_node, f.properties.b_node];
      return `${nodeName(a)} → ${nodeName(b)}`;
    }
  }
  if (r.kind === "process") return `${t("Process")} ${r.ref}`;
  if (r.kind === "service") {
    const f = linksOfService(r.ref)[0];
    const where = f ? `: ${nodeName(f.properties.a_node)} – ${nodeName(f.properties.b_node)}` : "";
    return `${t("Service")} ${r.ref}${where}`;
  }
  return r.ref ?? r.resource;
}

/** Flow and capacity in the resource's own unit (TEU/yr, trains/day…) when known. */
function flowCells(r) {
  const native = r.native_capacity != null && r.capacity > 0;
  const cap = native ? r.native_capacity : r.capacity;
  const flow = native ? r.flow * (r.native_capacity / r.capacity) : r.flow;
  const unit = native ? r.native_unit : r.unit;
  return `<td class="num">${fmt(flow)}</td><td class="num">${fmt(cap)} ${esc(unit ?? "")}</td>`;
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
  showUtilisation([...perLink].map(([link, utilisation]) => ({ link, utilisation })));
  const ranked = data.bottlenecks || [];
  const unserved = data.unserved || [];
  out.innerHTML = `<div class="card" data-testid="bottlenecks"><h3>${t("Bottlenecks in {year}", { year: data.year ?? scenario })}</h3>
    <div class="scale"><span style="background:#2e8b57"></span>&lt;70&nbsp;% <span style="background:#f1c40f"></span>70–90&nbsp;%
      <span style="background:#e67e22"></span>90–100&nbsp;% <span style="background:#c0392b"></span>≥100&nbsp;%</div>
    ${ranked.length ? `<table class="grid"><thead><tr><th>#</th><th>${t("Segment")}</th><th class="num">${t("Utilisation")}</th>
      <th class="num">${t("Flow")}</th><th class="num">${t("Capacity")}</th><th class="num">${t("Shadow price")}</th></tr></thead>
    <tbody>${ranked.map((r, i) => `<tr class="${r.utilisation >= 0.999 ? "over" : ""}"><td>${r.rank ?? i + 1}</td>
      <td>${esc(resourceLabel(r))} <small>${esc(countryName(r.country) === r.country ? "" : countryName(r.country))}</small></td>
      <td class="num">${fmtPct(r.utilisation)}</td>${flowCells(r)}
      <td class="num">${r.shadow_price_usd_per_unit == null ? "–" : fmt(r.shadow_price_usd_per_unit, 2)}</td></tr>`).join("")}</tbody></table>
      <p class="muted">${t("Shadow price: USD a year saved by one more t/yr of capacity.")}</p>`
      : `<p class="muted">${t("No binding capacity in this scenario")}</p>`}
    ${unserved.length ? `<p class="notice">${t("Demand left unserved")}: ${unserved.map((u) =>
      `${esc(nodeName(u.origin))} → ${esc(nodeName(u.destination))} ${fmt(u.unserved)}`).join("; ")}</p>` : ""}
    <p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}${data.run_id ? ` · ${t("run")} ${esc(data.run_id)}` : ""}</p></div>`;
}

async function loadPlan() {
  const out = $("plan-result");
  const get = await findEndpoint("GET /api/plans", "GET /api/plan", "GET /api/investment-plans");
  const post = get ? null : await findEndpoint("POST /api/plans", "POST /api/plan");
  if (!get && !post) { notAvailable(out, "GET /api/plans"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try { data = get ? await getJSON(get, { lang: LANG }) : await postJSON(post, {}); }
  catch (e) { showError(out, e); return; }
  // accept {years:[{year, projects:[...]}]}, {schedule:[...]} or {items:[{year,...}]}
  let items = [];
  if (Array.isArray(data.years)) {
    for (const y of data.years) for (const p of y.projects || []) items.push({ year: y.year, ...p });
  } else {
    items = data.chosen || data.schedule || data.projects || data.items || (Array.isArray(data) ? data : []);
  }
  if (!items.length) { out.innerHTML = `<p class="muted">${t("No investment needed in this scenario")}</p>`; return; }
  const byYear = new Map();
  for (const it of items) {
    const y = it.in_service ?? it.year ?? it.build_year ?? it.start_year;
    if (!byYear.has(y)) byYear.set(y, []);
    byYear.get(y).push(it);
  }
  let h = `<div class="card" data-testid="plan"><ol class="timeline">`;
  for (const y of [...byYear.keys()].sort()) {
    const list = byYear.get(y);
    const usd = (p) => (p.capex_musd != null ? Number(p.capex_musd) * 1e6 : Number(p.capex) || 0);
    const sum = list.reduce((s, p) => s + usd(p), 0);
    h += `<li><span class="year">${y}</span><ul>${list.map((p) =>
      `<li>${esc(p[`name_${LANG}`] || p.name || p.project || p.id)} <small>${esc(countryName(p.country))}${usd(p) ? ` · ${fmtMoneyShort(usd(p))}` : ""}${p.decide_by ? ` · ${t("decide by {year}", { year: p.decide_by })}` : ""}</small></li>`).join("")}</ul>
      ${sum ? `<span class="sum">${fmtMoneyShort(sum)}</span>` : ""}</li>`;
  }
  out.innerHTML = h + `</ol><p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}</p></div>`;
}

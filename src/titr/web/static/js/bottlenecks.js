// Bottlenecks: links coloured by utilisation (flow / capacity) for a scenario year, the ranked
// bottleneck list, and the investment plan year by year.
import { t, fmt, fmtPct, fmtMoney, esc, countryName, LANG } from "./i18n.js";
import { getJSON, postJSON, findEndpoint, notAvailable, showError } from "./api.js";
import { nodeName, linkFeature, showUtilisation, clearUtilisation } from "./map.js";

const $ = (id) => document.getElementById(id);
const FIRST_YEAR = 2025;
const LAST_YEAR = 2035;

export function initBottlenecksPanel() {
  const sel = $("bn-year");
  for (let y = FIRST_YEAR; y <= LAST_YEAR; y++) {
    const o = document.createElement("option");
    o.value = y; o.textContent = y; if (y === 2027) o.selected = true;
    sel.appendChild(o);
  }
  $("bn-form").addEventListener("submit", (e) => { e.preventDefault(); loadBottlenecks(); });
}

let planLoaded = false;
export function onShow() {
  if (!planLoaded) { planLoaded = true; loadPlan(); }
}
export function onHide() { clearUtilisation(); }

function linkLabel(id) {
  const f = linkFeature(id);
  return f ? `${nodeName(f.properties.a_node)} – ${nodeName(f.properties.b_node)}` : id;
}

/** Normalise one utilisation row to {link, utilisation, flow, capacity, unit, shadow}. */
function normUse(x) {
  return { link: x.link ?? x.link_id ?? x.ref ?? x.id, kind: x.kind ?? x.element ?? "link",
    utilisation: x.utilisation ?? x.utilization ?? (x.capacity ? x.flow / x.capacity : null),
    flow: x.flow, capacity: x.capacity, unit: x.unit ?? x.capacity_unit ?? "",
    shadow: x.shadow_price ?? x.dual ?? null, name: x.name };
}

async function loadBottlenecks() {
  const out = $("bn-result");
  const year = Number($("bn-year").value);
  const get = await findEndpoint("GET /api/bottlenecks", "GET /api/assignments/bottlenecks");
  const post = get ? null : await findEndpoint("POST /api/assignments", "POST /api/assignment");
  if (!get && !post) { notAvailable(out, "GET /api/bottlenecks"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try {
    data = get ? await getJSON(get, { year, lang: LANG }) : await postJSON(post, { year });
  } catch (e) { clearUtilisation(); showError(out, e); return; }
  const rows = (data.links || data.utilisation || data.items || data.bottlenecks || []).map(normUse)
    .filter((r) => r.utilisation !== null && r.utilisation !== undefined);
  showUtilisation(rows.filter((r) => linkFeature(r.link)));
  const ranked = (data.bottlenecks ? data.bottlenecks.map(normUse) : rows)
    .slice().sort((a, b) => (b.shadow ?? 0) - (a.shadow ?? 0) || b.utilisation - a.utilisation).slice(0, 15);
  out.innerHTML = `<div class="card" data-testid="bottlenecks"><h3>${t("Bottlenecks in {year}", { year })}</h3>
    <div class="scale"><span style="background:#2e8b57"></span>&lt;70&nbsp;% <span style="background:#f1c40f"></span>70–90&nbsp;%
      <span style="background:#e67e22"></span>90–100&nbsp;% <span style="background:#c0392b"></span>≥100&nbsp;%</div>
    <table class="grid"><thead><tr><th>#</th><th>${t("Segment")}</th><th class="num">${t("Utilisation")}</th>
      <th class="num">${t("Flow")}</th><th class="num">${t("Capacity")}</th><th class="num">${t("Shadow price")}</th></tr></thead>
    <tbody>${ranked.map((r, i) => `<tr class="${r.utilisation >= 1 ? "over" : ""}"><td>${i + 1}</td>
      <td>${esc(r.name ?? linkLabel(r.link))}</td><td class="num">${fmtPct(r.utilisation)}</td>
      <td class="num">${fmt(r.flow)}</td><td class="num">${fmt(r.capacity)} ${esc(r.unit)}</td>
      <td class="num">${r.shadow == null ? "–" : fmt(r.shadow, 2)}</td></tr>`).join("")}</tbody></table>
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
    items = data.schedule || data.projects || data.items || (Array.isArray(data) ? data : []);
  }
  if (!items.length) { out.innerHTML = `<p class="muted">${t("No investment needed in this scenario")}</p>`; return; }
  const byYear = new Map();
  for (const it of items) {
    const y = it.year ?? it.build_year ?? it.start_year;
    if (!byYear.has(y)) byYear.set(y, []);
    byYear.get(y).push(it);
  }
  let h = `<div class="card" data-testid="plan"><ol class="timeline">`;
  for (const y of [...byYear.keys()].sort()) {
    const list = byYear.get(y);
    const sum = list.reduce((s, p) => s + (Number(p.capex) || 0), 0);
    h += `<li><span class="year">${y}</span><ul>${list.map((p) =>
      `<li>${esc(p[`name_${LANG}`] || p.name || p.project || p.id)} <small>${esc(countryName(p.country))}${p.capex ? ` · ${fmtMoney(p.capex)}` : ""}</small></li>`).join("")}</ul>
      ${sum ? `<span class="sum">${fmtMoney(sum)}</span>` : ""}</li>`;
  }
  out.innerHTML = h + `</ol><p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}</p></div>`;
}

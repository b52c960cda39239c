// Corridor choice: observed and forecast corridor shares (stacked area), a single-tariff slider
// that re-runs the scenario, the diversion against the baseline as a table, and the forecast
// volume of the last year on every link as line width on the map.
import { t, fmt, fmtUnit, fmtPct, esc, corridorName } from "./i18n.js";
import { getJSON, findEndpoint, notAvailable, showError } from "./api.js";
import { chart } from "./charts.js";
import { showFlows, clearFlows } from "./map.js";

const $ = (id) => document.getElementById(id);
let ready = false;
let observed = null;
let timer = null;
let seq = 0;

export async function initChoicePanel() {
  if (ready) { refresh(); return; }
  ready = true;
  const out = $("choice-result");
  const path = await findEndpoint("GET /api/choice/forecast");
  if (!path) { notAvailable(out, "GET /api/choice/forecast"); return; }
  try {
    const [sc, obs] = await Promise.all([getJSON("/api/choice/scenarios"), getJSON("/api/choice/observed")]);
    $("choice-scenario").innerHTML = sc.scenarios.map((s) =>
      `<option value="${esc(s.name)}"${s.name === "single-tariff" ? " selected" : ""}>${esc(s.title || s.name)}</option>`).join("");
    observed = obs;
  } catch (e) { showError(out, e); return; }
  $("choice-scenario").addEventListener("change", refresh);
  $("choice-to").addEventListener("change", refresh);
  $("choice-tariff-on").addEventListener("change", refresh);
  $("choice-tariff").addEventListener("input", () => {
    $("choice-tariff-value").textContent = fmtUnit(Number($("choice-tariff").value), 0, "USD/FEU");
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  $("choice-tariff-value").textContent = fmtUnit(Number($("choice-tariff").value), 0, "USD/FEU");
  refresh();
}

export function onHide() { clearFlows(); }

async function refresh() {
  const out = $("choice-result");
  const params = { scenario: $("choice-scenario").value, to: $("choice-to").value };
  if ($("choice-tariff-on").checked) params.tariff = $("choice-tariff").value;
  const mine = ++seq;
  out.setAttribute("aria-busy", "true");
  let d;
  try { d = await getJSON("/api/choice/forecast", params); } catch (e) { showError(out, e); return; }
  if (mine !== seq) return; // a newer slider position is on its way
  out.removeAttribute("aria-busy");
  render(out, d);
}

function render(out, d) {
  const last = d.years.at(-1);
  const vols = d.volumes.filter((v) => v.year === last);
  const mt = d.middle_tonnes.find((r) => r.year === last);
  const toll = Object.values(d.toll_usd_per_unit).at(-1) ?? 0;
  const rows = [];
  for (const r of observed?.rows || []) rows.push({ year: r.year, corridor: corridorName(r.corridor), share: r.share, kind: t("Observed") });
  for (const v of d.volumes) rows.push({ year: v.year, corridor: corridorName(v.corridor), share: v.share, kind: t("Forecast") });
  let h = `<div class="card"><h3>${t("Corridor shares of the China–Europe container market")}</h3><div id="choice-chart"></div>
    <div id="choice-chart-rail"></div></div>`;
  h += `<div class="card"><h3>${t("Volumes in {year}", { year: last })}</h3>
    <table class="grid small"><thead><tr><th>${t("Corridor")}</th><th class="num">${t("TEU")}</th><th class="num">${t("Share")}</th></tr></thead>
    <tbody>${vols.map((v) => `<tr data-corridor="${esc(v.corridor)}"><td>${esc(corridorName(v.corridor))}</td><td class="num">${fmt(v.volume)}</td>
      <td class="num">${fmtPct(v.share, 2)}</td></tr>`).join("")}</tbody></table>
    <p>${t("Middle Corridor, all cargo")}: <strong id="choice-middle-mt">${esc(fmtUnit(mt.middle_t / 1e6, 2, "Mt"))}</strong>
    · ${t("Capacity toll")}: ${esc(fmtUnit(toll, 0, "USD/TEU"))}${toll > 0 ? ` <small>(${t("the corridor is full: the excess goes to other corridors")})</small>` : ""}</p></div>`;
  if (d.diversion) {
    const c = d.diversion.corridors;
    h += `<div class="card"><h3>${t("Diversion against the baseline in {year} (TEU, from → to)", { year: d.diversion.year })}</h3>
      <table class="grid small" id="choice-diversion"><thead><tr><th></th>${c.map((x) => `<th class="num">${esc(corridorName(x))}</th>`).join("")}</tr></thead>
      <tbody>${d.diversion.matrix.map((row, i) => `<tr><th>${esc(corridorName(c[i]))}</th>${row.map((x) => `<td class="num">${fmt(x)}</td>`).join("")}</tr>`).join("")}</tbody></table>
</div>`;
  }
  h += `<p class="muted" data-testid="choice-map-note">${t("On the map: line width grows with the forecast volume in {year} (all cargo, t/yr).", { year: last })}</p>`;
  h += `<p class="prov">${t("Dataset")}: ${esc(d.dataset)} · ${t("equilibrium converged")}: ${d.converged ? "✓" : "✗"}</p>`;
  out.innerHTML = h;
  const spec = (data, title) => ({
    data: { values: data }, height: 200, title,
    mark: { type: "area", line: true },
    encoding: {
      x: { field: "year", type: "ordinal", title: t("Year") },
      y: { field: "share", type: "quantitative", stack: "normalize", title: t("Share"), axis: { format: "%" } },
      color: { field: "corridor", type: "nominal", title: t("Corridor") },
      opacity: { field: "kind", type: "nominal", title: "", scale: { range: [0.55, 0.95] } },
      tooltip: [{ field: "year" }, { field: "corridor" }, { field: "kind" }, { field: "share", format: ".2%" }],
    },
  });
  chart($("choice-chart"), spec(rows, t("All corridors")));
  const rail = new Set([corridorName("middle"), corridorName("northern")]);
  chart($("choice-chart-rail"), spec(rows.filter((r) => rail.has(r.corridor)), t("Rail corridors only")));
  drawVolumes(d, last);
}

/** The last forecast year's volume per link (`link_volumes`, t/yr) as line width. */
function drawVolumes(d, year) {
  if (!$("panel-choice") || $("panel-choice").hidden) return;  // the user has left the tab
  const items = (d.link_volumes || []).filter((r) => r.year === year)
    .map((r) => ({ link: r.link, value: r.t }));
  showFlows(items, "t/yr", t("Forecast volume in {year}, t/yr", { year }));
}

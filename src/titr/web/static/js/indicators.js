// Indicators: TITR tonnage 2019–2025 against the 10 Mt and 11 Mt targets, oil via BTC, trade
// turnover against USD 1 bn, each point with its source.
import { t, fmt, fmtUnit, fmtPct, esc, LANG } from "./i18n.js";
import { getJSON, findEndpoint, fillPath, notAvailable, showError } from "./api.js";
import { chart } from "./charts.js";

const SERIES_LABELS = {
  kz_az_trade: "Kazakhstan–Azerbaijan trade", titr_exports: "TITR exports",
  uranium_titr: "Uranium via TITR", titr_container_trains: "TITR container trains",
  titr_cargo: "TITR cargo volume", titr_containers: "TITR containers",
  btc_oil: "Oil via Baku–Tbilisi–Ceyhan", oil_btc: "Oil via Baku–Tbilisi–Ceyhan",
  kz_oil_btc: "Kazakh oil via Baku–Tbilisi–Ceyhan",
};
export function seriesName(s) {
  if (SERIES_LABELS[s]) return t(SERIES_LABELS[s]);
  const raw = s.replaceAll("_", " ");
  return raw.charAt(0).toUpperCase() + raw.slice(1);
}

const KEY_SERIES = ["titr_cargo", "titr_containers", "kz_oil_btc", "kz_az_trade"];
const rank = (id) => { const i = KEY_SERIES.indexOf(id); return i < 0 ? KEY_SERIES.length : i; };

let loaded = false;

export async function initIndicatorsPanel(sourcesOf) {
  if (loaded) return;
  loaded = true;
  const out = document.getElementById("ind-result");
  const path = await findEndpoint("GET /api/indicators");
  if (!path) { notAvailable(out, "GET /api/indicators"); return; }
  out.innerHTML = `<p class="muted">${t("Loading…")}</p>`;
  let data;
  try { data = await getJSON(path, { limit: 1000 }); } catch (e) { showError(out, e); return; }
  const all = data.items || [];
  const defaults = all.filter((s) => s.variant === "default");
  // charts for the headline series (and any with a target and several years); the rest in a table
  const charted = (s) => KEY_SERIES.includes(s.series) || ((s.targets || []).length && s.points.length > 1);
  const series = defaults.filter(charted).sort((a, b) => rank(a.series) - rank(b.series));
  const others = defaults.filter((s) => !charted(s));
  const srcIndex = await sourcesOf();
  const progress = new Map();
  const tpath = await findEndpoint("GET /api/targets");
  if (tpath) {
    try {
      for (const p of (await getJSON(tpath)).targets || []) progress.set(p.target, p);
    } catch { /* the chart still shows the targets */ }
  }
  if (!series.length) { out.innerHTML = `<p class="muted">${t("No indicators in this dataset")}</p>`; return; }
  out.innerHTML = series.map((s, i) => `<div class="card indicator" data-series="${esc(s.series)}">
      <h3>${esc(seriesName(s.series))} <small>(${esc(t(s.unit))})</small></h3>
      <div id="ind-chart-${i}"></div>
      <table class="grid small"><thead><tr><th>${t("Year")}</th><th class="num">${t("Value")}</th><th>${t("Source")}</th></tr></thead>
      <tbody>${s.points.map((p) => `<tr><td>${p.year}</td><td class="num">${fmt(p.value, p.value < 100 ? 2 : 0)}</td>
        <td>${sourceCell(p.source, srcIndex)}</td></tr>`).join("")}</tbody></table>
      ${(s.targets || []).length ? `<p class="targets">${t("Targets")}: ${s.targets.map((g) =>
        `<span class="target">${t("{value} by {year}", { value: esc(fmtUnit(g.value, g.value < 100 ? 1 : 0, g.unit)), year: g.year })} <small>(${esc(g.owner ?? "")}${g.source ? "; " + sourceCell(g.source, srcIndex) : ""})</small>${progressText(progress.get(g.id))}</span>`).join(" ")}</p>` : ""}
    </div>`).join("") + (others.length ? `<details class="card others"><summary>${t("Other series")} (${others.length})</summary>
      <table class="grid small"><thead><tr><th>${t("Series")}</th><th>${t("Year")}</th><th class="num">${t("Value")}</th><th>${t("Source")}</th></tr></thead>
      <tbody>${others.map((s) => { const p = s.points.at(-1); return `<tr><td>${esc(seriesName(s.series))}</td><td>${p.year}</td>
        <td class="num">${esc(fmtUnit(p.value, Math.abs(p.value) < 100 ? 2 : 0, s.unit))}</td><td>${sourceCell(p.source, srcIndex)}</td></tr>`; }).join("")}</tbody></table></details>` : "")
    + `<p class="prov">${t("Dataset")}: ${esc(data.dataset ?? "")}</p>`;
  const fpath = await findEndpoint("GET /api/indicators/{series}/forecast");
  await Promise.all(series.map(async (s, i) => {
    const el = document.getElementById(`ind-chart-${i}`);
    let trend = null;
    if (fpath && s.points.length >= 3) {  // a trend needs a few years; without one, bars only
      // to 2030, or to the series' last target year when that is later
      const until = Math.max(2030, ...(s.targets || []).map((g) => g.year));
      try {
        trend = await getJSON(fillPath(fpath, s.series),
          { until, variant: s.variant, lang: LANG });
      } catch { trend = null; }
    }
    drawSeries(el, s, all, trend);
    if (trend?.years?.length) {
      el.insertAdjacentHTML("afterend", `<p class="trend-note" data-testid="trend-note"><span class="sw line trend"></span>${t(
        "Trend {from}–{to}: {rate} a year; band: {level} of outcomes", {
          from: trend.years[0], to: trend.years.at(-1), rate: fmtPct(trend.growth_rate, 1),
          level: fmtPct(trend.level) })}${(trend.bounded_years || []).length
        ? ` · <small class="muted">${t("capped at the corridor's capacity from {year}", { year: trend.bounded_years[0] })}</small>` : ""}</p>`);
    }
  }));
}

/** "45 % reached; needs +30 %/yr (trend +18 %/yr)" from /api/targets. */
function progressText(p) {
  if (!p || p.share_reached == null) return "";
  let s = `<br><small class="progress-text">${t("{share} reached", { share: fmtPct(p.share_reached) })}`;
  if (p.required_growth != null) {
    s += `; ${t("needs {rate} a year", { rate: fmtPct(p.required_growth, 1) })}`;
    if (p.trend_growth != null) s += ` (${t("trend {rate} a year", { rate: fmtPct(p.trend_growth, 1) })})`;
  }
  if (p.on_track != null) s += ` · <strong class="${p.on_track ? "ok" : "bad"}">${p.on_track ? t("on track") : t("behind")}</strong>`;
  return s + "</small>";
}

/** A source cell: ids separated by ";" or "," and possibly "EST: reasoning", which is kept
 * whole (its own commas are part of the text). */
function sourceCell(ids, srcIndex) {
  const text = String(ids ?? "");
  const at = text.search(/(^|[;,]\s*)EST\b/);
  const head = at < 0 ? text : text.slice(0, at);
  const parts = head.split(/[;,]/).map((x) => x.trim()).filter(Boolean).map((id) => {
    const s = srcIndex.get(id);
    if (!s) return esc(id);
    return s.url ? `<a href="${esc(s.url)}" target="_blank" rel="noopener noreferrer" title="${esc(s.title)}">${esc(s.publisher || id)}</a>`
      : `<span title="${esc(s.title)}">${esc(s.publisher || id)}</span>`;
  });
  if (at >= 0) {
    const est = text.slice(at).replace(/^[;,]?\s*EST:?\s*/, "");
    parts.push(`<span class="est" data-testid="estimate"><em>${t("Estimate")}</em>${est ? `: ${esc(est)}` : ""}</span>`);
  }
  return parts.join(", ");
}

const TREND = "#009E73";  // Okabe–Ito green: apart from the bars (blue) and the targets (orange)

function drawSeries(el, s, all, trend) {
  const actual = t("Actual");
  const values = s.points.map((p) => ({ year: p.year, value: p.value, kind: actual }));
  for (const alt of all.filter((x) => x.series === s.series && x.variant !== "default")) {
    for (const p of alt.points) values.push({ year: p.year, value: p.value, kind: alt.variant });
  }
  const targets = (s.targets || []).map((g) => ({ year: g.year, value: g.value,
    label: `${t("Target")} ${fmtUnit(g.value, g.value < 100 ? 1 : 0, g.unit)} (${g.year})` }));
  // the served trend (log-linear) from the last actual year on, and its prediction band
  const last = s.points.at(-1);
  const fc = trend?.years?.length ? [{ year: last.year, value: last.value, lower: last.value, upper: last.value },
    ...trend.years.map((y, i) => ({ year: y, value: trend.value[i], lower: trend.lower[i], upper: trend.upper[i] }))] : [];
  const years = [...values.map((v) => v.year), ...targets.map((g) => g.year), ...fc.map((f) => f.year)];
  const layers = [
    { mark: { type: "bar", color: "#0b4f71", opacity: 0.9 },
      transform: [{ filter: `datum.kind === ${JSON.stringify(actual)}` }],
      encoding: { x: { field: "year", type: "ordinal", title: t("Year"),
        scale: { domain: range(Math.min(...years), Math.max(...years)) } },
      y: { field: "value", type: "quantitative", title: t(s.unit) },
      tooltip: [{ field: "year", type: "ordinal", title: t("Year") },
        { field: "value", type: "quantitative", title: t(s.unit), format: ",.2f" }] } },
  ];
  if (fc.length) {
    const x = { field: "year", type: "ordinal" };
    layers.push({ data: { values: fc }, mark: { type: "area", color: TREND, opacity: 0.18 },
      encoding: { x, y: { field: "lower", type: "quantitative" }, y2: { field: "upper" },
        tooltip: [{ field: "year", type: "ordinal", title: t("Year") },
          { field: "lower", type: "quantitative", title: t("Band, low"), format: ",.2f" },
          { field: "upper", type: "quantitative", title: t("Band, high"), format: ",.2f" }] } });
    layers.push({ data: { values: fc }, mark: { type: "line", color: TREND, strokeDash: [5, 3],
      point: { filled: true, size: 30, color: TREND } },
      encoding: { x, y: { field: "value", type: "quantitative" },
        tooltip: [{ field: "year", type: "ordinal", title: t("Year") },
          { field: "value", type: "quantitative", title: t("Trend"), format: ",.2f" }] } });
  }
  const data = { values };
  const spec = { height: 160, data, layer: layers };
  if (targets.length) {
    spec.layer.push({ data: { values: targets }, mark: { type: "point", shape: "diamond", filled: true, size: 140, color: "#d35400" },
      encoding: { x: { field: "year", type: "ordinal" }, y: { field: "value", type: "quantitative" },
        tooltip: [{ field: "label", type: "nominal", title: t("Target") }] } });
    spec.layer.push({ data: { values: targets }, mark: { type: "rule", strokeDash: [4, 3], color: "#d35400" },
      encoding: { y: { field: "value", type: "quantitative" } } });
  }
  chart(el, spec);
}

function range(a, b) { const r = []; for (let y = a; y <= b; y++) r.push(y); return r; }
export { LANG };

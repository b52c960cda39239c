// Simulation: start a Monte Carlo run (a background job on the server, which needs an API
// token), watch its progress, then show the transit-time distribution, the waiting time per
// node and the reliability (share of shipments within the promised transit time).
import { t, tn, fmt, fmtUnit, fmtPct, esc, LANG } from "./i18n.js";
import { getJSON, postJSON, deleteJSON, findEndpoint, fillPath, notAvailable, showError } from "./api.js";
import { nodeName, nodes, allLinks, linkFeature } from "./map.js";
import { chart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 400;
const TOKEN_KEY = "titr.token";
const FINAL = ["done", "failed", "cancelled"];

export function initSimulationPanel() {
  try { $("sim-token").value = sessionStorage.getItem(TOKEN_KEY) || ""; } catch { /* none */ }
  $("sim-form").addEventListener("submit", (e) => { e.preventDefault(); start(); });
}

/** Prefill origin/destination from the route planner when the panel opens. */
export function onShow() {
  for (const [src, dst] of [["route-from", "sim-from"], ["route-to", "sim-to"]]) {
    if (!$(dst).value && $(src).value) $(dst).value = $(src).value;
  }
}

function resolveName(text) {
  const key = text.trim().toLocaleLowerCase(LANG);
  const hit = nodes().find((n) => nodeName(n.id).toLocaleLowerCase(LANG) === key);
  return hit ? hit.id : text.trim();
}

function progress(done, total) {
  const box = document.querySelector("#panel-simulation .progress");
  box.hidden = false;
  const share = total ? Math.min(1, done / total) : 0;
  box.querySelector(".bar").style.width = `${(share * 100).toFixed(1)}%`;
  box.querySelector(".pct").textContent = `${fmtPct(share)} (${fmt(done)} / ${fmt(total)})`;
  box.setAttribute("role", "progressbar");
  box.setAttribute("aria-valuenow", String(Math.round(share * 100)));
}

async function start() {
  const out = $("sim-result");
  const post = await findEndpoint("POST /api/simulations");
  if (!post) { notAvailable(out, "POST /api/simulations"); return; }
  const token = $("sim-token").value.trim();
  try { sessionStorage.setItem(TOKEN_KEY, token); } catch { /* none */ }
  const flow = { origin: resolveName($("sim-from").value), destination: resolveName($("sim-to").value),
    commodity: $("route-commodity").value || "container", per_year: Number($("sim-volume").value) };
  if ($("sim-promise").value) flow.promised_days = Number($("sim-promise").value);
  const body = { replications: Number($("sim-reps").value), days: Number($("sim-days").value),
    seed: Number($("sim-seed").value), scenario: { name: "dashboard", demand: [flow] } };
  $("sim-go").disabled = true;
  out.innerHTML = "";
  const cancel = $("sim-cancel");
  try {
    let st = await postJSON(post, body, token);
    const id = st.id;
    const one = await findEndpoint("GET /api/simulations/{id}");
    const del = await findEndpoint("DELETE /api/simulations/{id}");
    if (del) {
      cancel.hidden = false;
      cancel.disabled = false;
      cancel.onclick = async () => {
        cancel.disabled = true;
        try { await deleteJSON(fillPath(del, id), token); } catch (e) { showError(out, e); }
      };
    }
    while (!FINAL.includes(st.status)) {
      progress(st.done ?? 0, st.total ?? body.replications);
      await new Promise((r) => setTimeout(r, POLL_MS));
      st = await getJSON(fillPath(one, id));
    }
    progress(st.done ?? 0, st.total ?? body.replications);
    if (st.status === "cancelled") {
      out.innerHTML = `<p class="notice" role="status" data-testid="sim-cancelled">${t("Run cancelled: {done} of {total} replications finished.", { done: fmt(st.done ?? 0), total: fmt(st.total ?? body.replications) })}</p>`;
      return;
    }
    if (st.status !== "done") {
      out.innerHTML = `<p class="error" role="alert">${t("The run stopped")}: ${esc(st.error ?? st.status)}</p>`;
      return;
    }
    const res = await findEndpoint("GET /api/simulations/{id}/results");
    const full = res ? await getJSON(fillPath(res, id), { limit: 1000 }) : { result: st.result };
    render(out, full.result || st.result || {}, full.replications || [], id, flow);
  } catch (e) {
    showError(out, e);
  } finally {
    $("sim-go").disabled = false;
    cancel.hidden = true;
    cancel.onclick = null;
  }
}

const RESOURCE_KINDS = { sail: "Sailings", form: "Train formation", queue: "Queue",
  section: "Line section", dwell: "Dwell" };

/** A leg "A>B" (node ids) in names; other text as it is. */
function legText(leg) {
  return leg.includes(">") ? leg.split(">").map((x) => nodeName(x.trim())).join(" → ") : leg;
}

/** "sail:SV_CD:KZ_C>AZ_D" → "Sailings, Charlie–Delta feeder: Charlie Port → Delta Port";
 * "form:KZ_ALT>GE_POTI:container#ab12" → "Train formation: Altynkol → Poti (containers)".
 * Ids are turned into names wherever the network knows them. */
export function resourceLabel(key) {
  const [kind, ...rest] = String(key).split("#")[0].split(":");
  const what = t(RESOURCE_KINDS[kind] ?? kind);
  const parts = [];
  let extra = "";
  for (const p of rest) {
    if (!p) continue;
    if (p.includes(">")) { parts.push(legText(p)); continue; }
    const svc = allLinks().find((f) => f.properties.service === p);
    if (svc) { parts.unshift(svc.properties.service_name || p); continue; }
    const link = linkFeature(p);
    if (link) { parts.push(`${nodeName(link.properties.a_node)} – ${nodeName(link.properties.b_node)}`); continue; }
    if (nodes().some((n) => n.id === p)) { parts.push(nodeName(p)); continue; }
    extra = COMMODITY_NAMES[p] ? t(COMMODITY_NAMES[p]) : p;
  }
  return `${what}${parts.length ? `: ${parts.join(", ")}` : ""}${extra ? ` (${extra})` : ""}`;
}
const COMMODITY_NAMES = { container: "Containers (TEU)", general: "General cargo",
  crude_oil: "Crude oil", uranium: "Uranium" };

function stat(stats, key) {
  const s = stats[key];
  return s ? { mean: s.mean, lo: s.ci_low, hi: s.ci_high } : null;
}

function render(out, r, reps, id, flow) {
  const S = r.statistics || {};
  const p50 = stat(S, "transit.p50_d");
  const p90 = stat(S, "transit.p90_d");
  const onTime = stat(S, "transit.on_time");
  const ship = stat(S, "shipments");
  const ci = (x, d = 1) => (x && x.lo != null && r.replications > 1 ? `${fmtPct(0.95)}: ${fmt(x.lo, d)}–${fmt(x.hi, d)}` : "");
  out.innerHTML = `<div class="card" data-testid="sim-result"><h3>${t("Simulation result")}</h3>
    <p class="via">${esc(nodeName(flow.origin))} → ${esc(nodeName(flow.destination))}</p>
    <div class="figures">
      <div class="fig"><span class="label">${t("Transit time (median)")}</span>
        <span class="value" data-testid="sim-p50">${fmtUnit(p50?.mean, 1, "days")}</span>
        <span class="sub">p90 ${fmt(p90?.mean, 1)} · ${ci(p50)}</span></div>
      <div class="fig"><span class="label">${t("On-time share")}</span>
        <span class="value" data-testid="sim-ontime">${onTime ? fmtPct(Math.min(1, onTime.mean), 1) : "–"}</span>
        <span class="sub">${flow.promised_days ? tn("within {n} day", flow.promised_days) : ""}</span></div>
      <div class="fig"><span class="label">${t("Shipments")}</span>
        <span class="value">${fmt(ship?.mean)}</span>
        <span class="sub">${tn("{n} replication", r.replications)}</span></div>
    </div>
    ${r.critical_resource ? `<p class="muted">${t("Critical resource")}: ${esc(resourceLabel(r.critical_resource))}</p>` : ""}
    <h4>${t("Transit-time distribution")}</h4><div id="sim-hist"></div>
    <h4>${t("Waiting time per node")}</h4><div id="sim-wait"></div>
    <p class="prov">${t("Dataset")}: ${esc(r.dataset ?? "")} · ${t("run")} ${esc(r.run_id ?? id ?? "")}</p></div>`;
  transitChart($("sim-hist"), S, reps);
  const waits = Object.keys(S).filter((k) => k.startsWith("wait_by_node_h."))
    .map((k) => ({ node: nodeName(k.slice("wait_by_node_h.".length)), hours: S[k].mean,
      lo: S[k].ci_low, hi: S[k].ci_high }))
    .filter((w) => w.hours > 0);
  if (waits.length) {
    chart($("sim-wait"), { height: 26 * waits.length, data: { values: waits }, layer: [
      { mark: { type: "bar", color: "#0072B2" },
        encoding: { y: { field: "node", type: "nominal", title: null, sort: "-x" },
          x: { field: "hours", type: "quantitative", title: t("Mean wait, hours") },
          tooltip: [{ field: "node", type: "nominal", title: " " },
            { field: "hours", type: "quantitative", format: ",.1f", title: t("h") }] } },
      ...(r.replications > 1 ? [{ mark: { type: "rule", color: "#333" },
        encoding: { y: { field: "node", type: "nominal", sort: "-x" }, x: { field: "lo", type: "quantitative" }, x2: { field: "hi" } } }] : []),
    ] });
  } else {
    $("sim-wait").innerHTML = `<p class="muted">–</p>`;
  }
}

/** Quantiles of the shipments' transit time, one dot per replication and the mean across
 * replications (a bar when the server adds per-shipment histogram counts). */
function transitChart(el, S, reps) {
  const rows = [];
  const labels = { p50_d: t("median"), p90_d: "p90", p99_d: "p99", mean_d: t("mean") };
  for (const rep of reps) {
    for (const [k, label] of Object.entries(labels)) {
      if (rep.transit?.[k] != null) rows.push({ q: label, days: rep.transit[k], rep: rep.rep });
    }
  }
  if (!rows.length) {
    for (const [k, label] of Object.entries(labels)) {
      const s = S[`transit.${k}`];
      if (s) rows.push({ q: label, days: s.mean, rep: 0 });
    }
  }
  if (!rows.length) { el.innerHTML = `<p class="muted">–</p>`; return; }
  const order = Object.values(labels);
  chart(el, { height: 110, data: { values: rows }, layer: [
    { mark: { type: "tick", thickness: 2, color: "#0b4f71", opacity: 0.55 },
      encoding: { y: { field: "q", type: "nominal", title: null, sort: order },
        x: { field: "days", type: "quantitative", title: t("Transit time, days"), scale: { zero: false } },
        tooltip: [{ field: "q", type: "nominal", title: " " }, { field: "days", type: "quantitative", format: ",.2f", title: t("days") }] } },
    { mark: { type: "point", filled: true, size: 120, color: "#D55E00" },
      encoding: { y: { field: "q", type: "nominal", sort: order }, x: { aggregate: "mean", field: "days", type: "quantitative" } } },
  ] });
}

// Simulation: start a run (background job), watch its progress, then show the transit-time
// histogram, the waiting time per port and the reliability (on-time share).
import { t, fmt, fmtPct, esc } from "./i18n.js";
import { getJSON, postJSON, findEndpoint, fillPath, notAvailable, showError } from "./api.js";
import { nodeName } from "./map.js";
import { chart } from "./charts.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 400;

export function initSimulationPanel() {
  $("sim-form").addEventListener("submit", (e) => { e.preventDefault(); start(); });
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
  const body = { replications: Number($("sim-reps").value), days: Number($("sim-days").value),
    seed: Number($("sim-seed").value) };
  $("sim-go").disabled = true;
  out.innerHTML = "";
  try {
    const job = await postJSON(post, body);
    const id = job.id ?? job.run_id;
    const one = await findEndpoint("GET /api/simulations/{id}");
    const res = await findEndpoint("GET /api/simulations/{id}/results", "GET /api/simulations/{id}/result");
    let st = job;
    while (!["done", "failed", "cancelled", "finished", "error"].includes(st.status)) {
      progress(st.done ?? 0, st.total ?? body.replications);
      await new Promise((r) => setTimeout(r, POLL_MS));
      st = await getJSON(fillPath(one, id));
    }
    progress(st.total ?? st.done ?? 1, st.total ?? st.done ?? 1);
    if (st.status !== "done" && st.status !== "finished") {
      out.innerHTML = `<p class="error" role="alert">${t("The run stopped")}: ${esc(st.error ?? st.status)}</p>`;
      return;
    }
    const result = res ? await getJSON(fillPath(res, id)) : (st.result ?? st);
    render(out, result, id);
  } catch (e) {
    showError(out, e);
  } finally {
    $("sim-go").disabled = false;
  }
}

function render(out, r, id) {
  const tt = r.transit_time || r.transit || {};
  const onTime = r.on_time_share ?? r.reliability?.on_time_share ?? r.reliability ?? null;
  const waits = normWaits(r.waiting || r.waiting_per_port || r.port_waiting || r.waits || []);
  out.innerHTML = `<div class="card" data-testid="sim-result"><h3>${t("Simulation result")}</h3>
    <div class="figures">
      <div class="fig"><span class="label">${t("Transit time (median)")}</span>
        <span class="value" data-testid="sim-p50">${fmt(tt.p50 ?? tt.median, 1)} ${t("days")}</span>
        <span class="sub">p10 ${fmt(tt.p10, 1)} · p90 ${fmt(tt.p90, 1)}</span></div>
      <div class="fig"><span class="label">${t("On-time share")}</span>
        <span class="value">${typeof onTime === "number" ? fmtPct(onTime) : "–"}</span>
        <span class="sub">${r.promise_days ? t("within {n} days", { n: fmt(r.promise_days) }) : ""}</span></div>
      <div class="fig"><span class="label">${t("Shipments")}</span>
        <span class="value">${fmt(r.shipments ?? r.n_shipments)}</span>
        <span class="sub">${fmt(r.replications)} ${t("replications")}</span></div>
    </div>
    <h4>${t("Transit-time histogram")}</h4><div id="sim-hist"></div>
    <h4>${t("Waiting time per port")}</h4><div id="sim-wait"></div>
    <p class="prov">${t("Dataset")}: ${esc(r.dataset ?? "")} · ${t("run")} ${esc(r.run_id ?? id ?? "")}</p></div>`;
  const h = tt.histogram || r.histogram;
  if (h && (h.counts || []).length) {
    const edges = h.edges || h.bins;
    const values = h.counts.map((n, i) => ({ lo: edges[i], hi: edges[i + 1], n }));
    chart($("sim-hist"), { height: 140, data: { values }, mark: { type: "bar", color: "#0b4f71" },
      encoding: { x: { field: "lo", type: "quantitative", bin: { binned: true }, title: t("Transit time, days") },
        x2: { field: "hi" }, y: { field: "n", type: "quantitative", title: t("Shipments") } } });
  } else {
    $("sim-hist").innerHTML = `<p class="muted">–</p>`;
  }
  if (waits.length) {
    chart($("sim-wait"), { height: 24 * waits.length, data: { values: waits }, mark: { type: "bar", color: "#f2b134" },
      encoding: { y: { field: "port", type: "nominal", title: null, sort: "-x" },
        x: { field: "hours", type: "quantitative", title: t("Mean wait, hours") } } });
  } else {
    $("sim-wait").innerHTML = `<p class="muted">–</p>`;
  }
}

function normWaits(w) {
  if (!Array.isArray(w)) w = Object.entries(w).map(([k, v]) => ({ node: k, ...(typeof v === "object" ? v : { mean_h: v }) }));
  return w.map((x) => ({ port: nodeName(x.node ?? x.port ?? x.id), hours: x.mean_h ?? x.mean_wait_h ?? x.hours ?? x.mean }))
    .filter((x) => x.hours != null);
}

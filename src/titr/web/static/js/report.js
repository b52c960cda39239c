// "Download report" next to the investment-plan form: POST /api/reports (token as for
// simulations), poll the job, then download the PDF in the page language.
import { CONFIG, LANG, t } from "./i18n.js";
import { getJSON, postJSON } from "./api.js";

const TOKEN_KEY = "titr.token"; // the token the Simulation panel keeps for this session
// unit words as titr.unit_words reads them (en, ru, tr), in tonnes
const UNITS = [
  [/^(mt|мт|млн\.?\s*(т|тонн\S*)\.?|миллион\S*\s*тонн\S*|milyon\s*ton|million\s*(t|tonnes?|tons?))$/i, 1e6],
  [/^(kt|тыс\.?\s*(т|тонн\S*)\.?|bin\s*ton)$/i, 1e3],
  [/^(t|т|тонн\S*|ton|tonnes?|tons?)$/i, 1],
];

/** "11 Mt", "10Mt", "4 500 kt", "11 млн т", "0,8 milyon ton" -> tonnes, or null. */
export function parseTonnes(text) {
  const m = /^\s*([0-9][0-9\s.,]*?)\s*(\D.*?)\s*$/.exec(text || "");
  if (!m) return null;
  const unit = UNITS.find(([rx]) => rx.test(m[2]));
  const v = Number(m[1].replace(/\s/g, "").replace(",", "."));
  return unit && Number.isFinite(v) && v > 0 ? v * unit[1] : null;
}

function say(box, text, cls = "") {
  box.textContent = text;
  box.className = `note ${cls}`.trim();
}

async function build(btn, box) {
  const target = parseTonnes(document.getElementById("plan-target")?.value);
  const by = Number(document.getElementById("plan-year")?.value);
  const scenario = document.getElementById("plan-scenario")?.value || null;
  let token = "";
  try { token = sessionStorage.getItem(TOKEN_KEY) || ""; } catch { /* none */ }
  if (!token) return say(box, t("A token is needed to build a report (enter it in the Simulation panel)."), "error");
  if (!target) return say(box, t("Enter the target as a tonnage."), "error");
  btn.disabled = true;
  say(box, t("Building the report…"));
  try {
    const body = { target_t: target, by, lang: LANG, format: "pdf", scenario };
    let st = await postJSON(`${CONFIG.api}/reports`, body, token);
    while (st.status === "running") {
      await new Promise((r) => setTimeout(r, 1000));
      st = await getJSON(`${CONFIG.api}/reports/${st.id}`);
    }
    if (st.status !== "done") throw new Error(st.error || st.status);
    const a = document.createElement("a");
    a.href = st.file;
    a.download = `titr-report-${LANG}.pdf`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    say(box, t("The report is ready."));
  } catch (e) {
    say(box, e.message, "error");
  } finally {
    btn.disabled = false;
  }
}

export function initReportButton() {
  const go = document.getElementById("plan-go");
  if (!go || document.getElementById("report-go")) return;
  const btn = document.createElement("button");
  btn.type = "button";
  btn.id = "report-go";
  btn.textContent = t("Download report");
  const box = document.createElement("p");
  box.id = "report-status";
  box.setAttribute("aria-live", "polite");
  go.after(btn);
  go.closest("form")?.after(box);
  btn.addEventListener("click", () => build(btn, box));
}

initReportButton();

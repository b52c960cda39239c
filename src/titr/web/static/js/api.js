// JSON API client: problem+json errors become ApiError with the server's message; which
// endpoints exist is read once from /openapi.json so panels can say "not available".
import { CONFIG, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, detail, problem) {
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

export async function getJSON(path, params) {
  return request("GET", path, params);
}

export async function postJSON(path, body, token) {
  return request("POST", path, undefined, body, token);
}

export async function deleteJSON(path, token) {
  return request("DELETE", path, undefined, undefined, token);
}

async function request(method, path, params, body, token) {
  let url = path.startsWith("/") ? path : `${CONFIG.api}/${path}`;
  if (params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined || v === null || v === "") continue;
      if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.append(k, v);
    }
    const qs = q.toString();
    if (qs) url += (url.includes("?") ? "&" : "?") + qs;
  }
  // server messages (problem titles and details) come back in the page's language
  const init = { method, headers: { Accept: "application/json", "Accept-Language": CONFIG.lang } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let resp;
  try {
    resp = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, t("The server did not answer."), null);
  }
  const text = await resp.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!resp.ok) {
    let detail = (data && (data.detail || data.title)) || resp.statusText;
    if (typeof detail !== "string") detail = JSON.stringify(detail);
    throw new ApiError(resp.status, detail, data);
  }
  return data;
}

let openapi = null;
/** The set of "METHOD /path" templates the server offers (from its OpenAPI document). */
export async function endpoints() {
  if (!openapi) {
    openapi = fetch("/openapi.json").then((r) => (r.ok ? r.json() : { paths: {} }))
      .catch(() => ({ paths: {} }))
      .then((doc) => {
        const s = new Set();
        for (const [p, ops] of Object.entries(doc.paths || {})) {
          for (const m of Object.keys(ops)) s.add(`${m.toUpperCase()} ${p}`);
        }
        return s;
      });
  }
  return openapi;
}

/** First of the candidate "METHOD /path" entries the server offers, or null. */
export async function findEndpoint(...candidates) {
  const s = await endpoints();
  const norm = (x) => x.replace(/\{[^}]+\}/g, "{}");
  for (const c of candidates) {
    for (const e of s) if (norm(e) === norm(c)) return e.split(" ")[1];
  }
  return null;
}

/** Fill the {placeholders} of an endpoint path in order. */
export function fillPath(path, ...values) {
  let i = 0;
  return path.replace(/\{[^}]+\}/g, () => encodeURIComponent(values[i++]));
}

export function notAvailable(el, what) {
  el.innerHTML = `<p class="notice">${t("Not available on this server yet:")} <code>${what}</code></p>`;
}

export function showError(el, err) {
  const msg = err instanceof ApiError ? err.message : String(err);
  const sugg = err?.problem?.suggestions?.length
    ? `<br><small>${t("Did you mean:")} ${err.problem.suggestions.join(", ")}</small>` : "";
  el.innerHTML = `<p class="error" role="alert">${msg.replace(/</g, "&lt;")}${sugg}</p>`;
}

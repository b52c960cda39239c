// UI strings (from the server's gettext catalogue) and locale-aware number formatting.
const CONFIG = JSON.parse(document.getElementById("titr-config").textContent);

export { CONFIG };
export const LANG = CONFIG.lang;

/** Translate an English msgid; unknown ids come back unchanged. `{name}` placeholders. */
export function t(msg, vars) {
  let s = CONFIG.strings[msg] ?? msg;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

export const NBSP = "\u00a0";
const pluralRules = new Intl.PluralRules(LANG);

/** A counted message (`NP_` in strings.py) for the count `n`: the catalogue's form for the
 * CLDR plural category of `n` (ru: 1 прогон, 2 прогона, 5 прогонов; tr: 5 tekrar), with `{n}`
 * formatted per locale. The category → form map comes from the server (i18n.plural_categories)
 * so the browser and Python pick the same form. */
export function tn(singular, n, vars) {
  const forms = CONFIG.plurals?.[singular] ?? [singular];
  const num = Number(n);
  const idx = CONFIG.plural_categories?.[pluralRules.select(num)] ?? forms.length - 1;
  const s = forms[Math.min(idx, forms.length - 1)];
  return fill(s, { n: fmt(num, Number.isInteger(num) ? 0 : 1), ...(vars || {}) });
}

function fill(s, vars) {
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, v);
  return s;
}

/** A number and its unit joined by a non-breaking space ("11 000 км", "12,5 gün"); `unit`
 * is an English msgid ("km", "days", "Mt") or an already translated unit. */
export function fmtUnit(value, digits, unit) {
  const n = fmt(value, digits);
  return n === "–" || !unit ? n : `${n}${NBSP}${t(unit)}`;
}

const nfCache = new Map();
/** A number with the CLDR grouping and decimals of the page language. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) return "–";
  const key = digits;
  if (!nfCache.has(key)) {
    nfCache.set(key, new Intl.NumberFormat(LANG, {
      minimumFractionDigits: digits, maximumFractionDigits: digits }));
  }
  return nfCache.get(key).format(Number(value));
}

export function fmtPct(share, digits = 0) {
  if (share === null || share === undefined) return "–";
  return new Intl.NumberFormat(LANG, { style: "percent", maximumFractionDigits: digits })
    .format(Number(share));
}

export function fmtMoney(value, currency = "USD") {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat(LANG, { style: "currency", currency,
    maximumFractionDigits: 0 }).format(Number(value));
}

export function countryName(code) {
  if (code === "XX") return t("International");  // e.g. Caspian or open-sea legs
  return (code && CONFIG.countries[code]) || code || "–";
}

const MODE_LABELS = {
  rail_1520: "Rail, 1520 mm", rail_1435: "Rail, 1435 mm", ferry: "Ferry", sea: "Sea",
  road: "Road", pipeline: "Pipeline", power_cable: "Power cable",
};
export function modeName(mode) { return t(MODE_LABELS[mode] ?? mode); }

const KIND_LABELS = {
  terminal: "Terminal", port: "Port", border: "Border crossing", junction: "Junction",
  city: "City", oil_terminal: "Oil terminal", logistics_centre: "Logistics centre",
  power_node: "Power node", passage: "Sea passage",
};
export function kindName(kind) { return t(KIND_LABELS[kind] ?? kind); }

const CORRIDOR_LABELS = {
  middle: "Middle Corridor", northern: "Northern route", sea_suez: "Sea via Suez",
  sea_cape: "Sea via the Cape", iran: "Iran route", oil: "Oil", uranium: "Uranium",
  power: "Power", access: "Access",
};
export function corridorName(c) { return t(CORRIDOR_LABELS[c] ?? c); }

/** Escape text for innerHTML. */
export function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

/** The browser's own form messages ("Please fill out this field.") are in the browser's
 * language, not the page's: every form control says what is wrong in the page language. */
function validityMessage(el) {
  const v = el.validity;
  if (v.valueMissing) return t("Please fill out this field.");
  if (v.badInput || v.typeMismatch) return t("Please enter a number.");
  if (v.rangeUnderflow) return t("The value must be at least {min}.", { min: fmt(Number(el.min), String(el.min).split(".")[1]?.length ?? 0) });
  if (v.rangeOverflow) return t("The value must be at most {max}.", { max: fmt(Number(el.max), String(el.max).split(".")[1]?.length ?? 0) });
  if (v.stepMismatch) return t("Please enter a whole number.");
  return "";
}
document.addEventListener("invalid", (e) => {
  const el = e.target;
  if (!el || typeof el.setCustomValidity !== "function") return;
  el.setCustomValidity("");  // the browser's own flags decide, then our words
  const msg = validityMessage(el);
  if (msg) el.setCustomValidity(msg);
}, true);
for (const ev of ["input", "change"]) {
  document.addEventListener(ev, (e) => {
    if (typeof e.target?.setCustomValidity === "function") e.target.setCustomValidity("");
  }, true);
}

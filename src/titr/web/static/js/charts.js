// Vega-Lite charts through the vendored vega-embed, numbers in the page's CLDR locale.
import { CONFIG } from "./i18n.js";

const OPTS = { actions: false, renderer: "svg", formatLocale: CONFIG.d3_number };

export async function chart(el, spec) {
  const full = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: "container", background: "transparent",
    config: { font: "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif",
      axis: { labelColor: "#333", titleColor: "#333", gridColor: "#e6e6e6" },
      view: { stroke: null } },
    ...spec,
  };
  el.classList.add("chart");
  try {
    await window.vegaEmbed(el, full, OPTS);
  } catch (e) {
    el.textContent = String(e);
  }
}

"""Render the report data (`titr.reports.build.report_data`) as HTML, PDF (WeasyPrint) or
XLSX (XlsxWriter) in en, ru or tr. Strings go through the Babel catalogue domain `reports`
under titr/web/locale; numbers are formatted, never computed, here."""

from __future__ import annotations

import gettext
import math
from pathlib import Path
from typing import Any

import jinja2
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

from titr.appraisal.appraise import PARTY_NAMES
from titr.errors import DataError, Issue
from titr.web.i18n import LANGUAGES, LOCALE_DIR

FORMATS = ("html", "pdf", "xlsx")
TEMPLATES = Path(__file__).resolve().parent / "templates"
COMPONENT_NAMES = {
    "time": "Shipper time savings",
    "cost": "Shipper cost savings",
    "reliability": "Reliability gains",
    "generated": "Generated traffic (rule of half, included above)",
    "co2": "CO2 savings",
    "transit": "Transit surplus",
}


UNIT_NAMES = {"Mt": "Mt"}  # the report's units, translated in the `reports` domain

CORRIDOR_NAMES = {
    "middle": "Middle Corridor",
    "northern": "Northern route",
    "sea_suez": "Sea via Suez",
    "sea_cape": "Sea via the Cape",
    "iran": "Via Iran",
}
INPUT_NAMES = {
    "discount_rate": "Discount rate",
    "capex": "Capital cost (× estimate)",
    "demand": "Demand (× plan path)",
    "value_of_time": "Value of time (× central)",
    "carbon_value": "Carbon value (USD/t CO2)",
    "transit_margin": "Transit margin (share of tariff)",
}
PARAMETER_NAMES = {
    "discount_rate": "Discount rate",
    "period_years": "Appraisal period (years)",
    "base_year": "Base year",
    "carbon_value": "Carbon value (USD/t CO2)",
    "opex_share": "Operation and maintenance (share of capex per year)",
    "asset_life_years": "Asset life (years)",
    "reliability_ratio": "Reliability ratio",
    "transit_margin": "Transit margin (share of tariff)",
}


def check_options(lang: str, fmt: str) -> None:
    issues = []
    if lang not in LANGUAGES:
        issues.append(Issue("--lang", None, None, lang, f"must be one of {', '.join(LANGUAGES)}"))
    if fmt not in FORMATS:
        issues.append(Issue("--format", None, None, fmt, f"must be one of {', '.join(FORMATS)}"))
    if issues:
        raise DataError(issues)


def translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / "reports.mo"
    if not mo.is_file():
        raise FileNotFoundError(f"missing compiled catalogue {mo}")
    return Translations.load(str(LOCALE_DIR), [lang], "reports")


def _formatters(lang: str) -> dict[str, Any]:
    def num(v: Any, digits: int = 0) -> str:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(v, format=fmt, locale=lang)

    def pct(v: Any) -> str:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        return format_percent(v, format="#,##0.0%", locale=lang)

    def fmt_t(v: Any) -> str:
        if v is None:
            return "–"
        unit = translations(lang).gettext(UNIT_NAMES["Mt"])
        return format_decimal(v / 1e6, format="#,##0.00", locale=lang) + "\u00a0" + unit

    def val(v: Any) -> str:
        if v is None:
            return "–"
        return format_decimal(v, format="#,##0.###", locale=lang)

    return {"num": num, "pct": pct, "fmt_t": fmt_t, "val": val}


def html(d: dict[str, Any], lang: str) -> str:
    check_options(lang, "html")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env.get_template("report.html.j2").render(
        d=d,
        lang=lang,
        component_names=COMPONENT_NAMES,
        corridor_names=CORRIDOR_NAMES,
        input_names=INPUT_NAMES,
        party_names=PARTY_NAMES,
        parameter_names=PARAMETER_NAMES,
        names={p["project"]: p["name_i18n"] for p in d["projects_named"]},
        **_formatters(lang),
    )


def pdf(d: dict[str, Any], lang: str) -> bytes:
    from weasyprint import HTML

    out = HTML(string=html(d, lang), base_url=str(TEMPLATES)).write_pdf()
    assert out is not None
    return bytes(out)


def xlsx(d: dict[str, Any], lang: str, path: Path) -> None:
    """Workbook with the same figures: Summary, Projects, Cash flows, Who pays, Sources,
    Provenance (sheet and column titles in `lang`)."""
    import xlsxwriter

    check_options(lang, "xlsx")
    _ = translations(lang).gettext
    wb = xlsxwriter.Workbook(str(path))
    bold = wb.add_format({"bold": True})

    def sheet(name: str, header: list[str], rows: list[list[Any]]) -> None:
        ws = wb.add_worksheet(name[:31])
        ws.write_row(0, 0, header, bold)
        for i, r in enumerate(rows, start=1):
            ws.write_row(i, 0, [_cell(v) for v in r])
        ws.set_column(0, len(header), 16)

    m = d["plan"]
    sheet(
        _("Appraisal of the plan"),
        [_("Measure"), _("Value")],
        [
            [_("Net present value (MUSD)"), m["npv_musd"]],
            [_("Present value of benefits (MUSD)"), m["pv_benefits_musd"]],
            [_("Present value of costs (MUSD)"), m["pv_costs_musd"]],
            [_("Benefit-cost ratio"), m["bcr"]],
            [_("Economic internal rate of return"), m["eirr"]],
            [_("Payback year"), m["payback_year"]],
            [_("First-year return"), m["first_year_return"]],
        ]
        + [[_(COMPONENT_NAMES[k]), v] for k, v in m["pv_by_component_musd"].items()],
    )
    sheet(
        _("Projects"),
        [
            "id",
            _("Project"),
            _("Country"),
            _("Decide by"),
            _("In service"),
            _("Capex (MUSD)"),
            "capex_basis",
            _("NPV (MUSD)"),
            _("BCR"),
            _("EIRR"),
        ],
        [
            [
                p["project"],
                p["name_i18n"][lang],
                p["country"],
                p["decide_by"],
                p["in_service"],
                p["capex_musd"],
                p["capex_basis"],
                p["npv_musd"],
                p["bcr"],
                p["eirr"],
            ]
            for p in d["projects_named"]
        ],
    )
    cf = d["cash_flows"]
    keys = list(cf[0]) if cf else []
    sheet("cash_flows", keys, [[r[k] for k in keys] for r in cf])
    sheet(
        _("Who pays, who gains"),
        [_("Party"), _("Pays (PV, MUSD)"), _("Gains (PV, MUSD)"), _("Net (PV, MUSD)")],
        [
            [r["party"], r["pays_pv_musd"], r["gains_pv_musd"], r["net_pv_musd"]]
            for r in d["by_country"]
        ],
    )
    sheet(
        _("Sources"),
        ["id", "title", "url"],
        [[s["id"], s["title"], s["url"]] for s in d["sources"]],
    )
    sheet(_("Provenance"), ["key", "value"], [[k, v] for k, v in d["provenance"].items()])
    wb.close()


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return ""
    return v


def write(d: dict[str, Any], lang: str, fmt: str, path: Path) -> None:
    """Write the report; a failed render leaves no partial file behind."""
    check_options(lang, fmt)
    tmp = path.with_name(path.name + ".part")
    try:
        if fmt == "html":
            tmp.write_text(html(d, lang), encoding="utf-8")
        elif fmt == "pdf":
            tmp.write_bytes(pdf(d, lang))
        else:
            xlsx(d, lang, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)

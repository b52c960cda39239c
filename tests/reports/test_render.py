"""The report renders in en/ru/tr; its figures are the appraisal's; its source ids exist."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from titr.appraisal.run import assess
from titr.errors import DataError
from titr.network.bundled import load
from titr.reports import report_data, write
from titr.reports.render import html


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    res = assess(load(), 11e6, 2030, replications=1, draws=2000, seasons=False)
    return report_data(res, today=dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("lang", "letters"), [("en", "Net present"), ("ru", "Резюме"), ("tr", "Yönetici özeti")]
)
def test_pdf_text_in_each_language(
    data: dict[str, Any], tmp_path: Path, lang: str, letters: str
) -> None:
    out = tmp_path / f"r-{lang}.pdf"
    write(data, lang, "pdf", out)
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    assert letters in text
    if lang == "tr":
        assert any(c in text for c in "ğşıİ")
    assert data["provenance"]["dataset"] in text.replace("\n", "")
    assert not out.with_name(out.name + ".part").exists()


def test_pdf_key_figures_equal_the_json(data: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "r-en.pdf"
    write(data, "en", "pdf", out)
    text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
    flat = " ".join(text.split())
    assert f"{data['plan']['npv_musd']:,.0f}" in flat
    assert f"{data['plan']['bcr']:.2f}" in flat
    assert f"{data['monte_carlo']['p_npv_positive']:.1%}" in flat
    for sid in data["source_ids"]:
        assert sid in flat


def test_html_numbers_come_from_the_appraisal(data: dict[str, Any]) -> None:
    h = html(data, "en")
    npv = data["plan"]["npv_musd"]
    assert f"{npv:,.0f}" in h
    for p in data["projects"]:
        assert p["project"] and f"{p['capex_musd']:,.0f}" in h


def test_one_schedule_per_project_in_the_report(data: dict[str, Any]) -> None:
    """The pipeline's synchronous year sits next to the plan's year, never in its place."""
    plan_year = {p["project"]: p["in_service"] for p in data["projects_named"]}
    rows = data["pipeline"]["projects"]
    assert rows
    for r in rows:
        assert r["plan_in_service"] == plan_year[r["project"]], r["project"]
        if r["funded"]:
            assert r["in_service"] == data["pipeline"]["common_service_year"]
    for lang, head in (("en", "In service (plan)"), ("ru", "В эксплуатации (план)")):
        h = html(data, lang)
        assert head in h
        assert h.count(head) == 2  # the Projects table and the pipeline
    assert "Synchronous phasing" in html(data, "en")


def test_xlsx_same_figures(data: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write(data, "ru", "xlsx", out)
    wb = openpyxl.load_workbook(out)
    ws = wb[wb.sheetnames[0]]
    assert ws.cell(2, 2).value == pytest.approx(data["plan"]["npv_musd"])
    pr = wb[wb.sheetnames[1]]
    ids = [pr.cell(i, 1).value for i in range(2, pr.max_row + 1)]
    assert ids == [p["project"] for p in data["projects"]]


def test_every_source_id_exists(data: dict[str, Any]) -> None:
    net = load()
    assert data["source_ids"]
    assert set(data["source_ids"]) <= set(net.sources)
    assert {"S3000", "S3002"} <= set(data["source_ids"])


@pytest.mark.parametrize(("lang", "fmt"), [("de", "pdf"), ("ru", "docx"), ("", "")])
def test_bad_options(data: dict[str, Any], tmp_path: Path, lang: str, fmt: str) -> None:
    out = tmp_path / "x"
    with pytest.raises(DataError):
        write(data, lang, fmt, out)
    assert not out.exists()

"""Corridor assessment reports (HTML, PDF, XLSX in en/ru/tr) built from the appraisal,
planning and simulation results."""

from titr.reports.build import report_data
from titr.reports.render import FORMATS, write

__all__ = ["FORMATS", "report_data", "write"]

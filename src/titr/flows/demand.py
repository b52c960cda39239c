"""Demand scenarios: origin-destination demand per commodity per year, as data.

A scenario is a CSV with columns ``origin,destination,commodity,quantity,unit,source,note``
and optionally ``requires`` (quantity per year; unit t, kt, Mt, TEU, kTEU, MWh, GWh, TWh) plus a
name and a year. ``requires`` names a dataset project (e.g. the Black Sea power cable): the row
is demand only once that project is in service (`DemandScenario.od(in_service=...)`). Bundled
scenarios live in ``titr/flows/scenarios/`` (``manifest.json`` + one CSV each); each figure
cites source ids of the bundled dataset or gives ``EST:`` reasoning.

Reading follows the dataset import's standard: every problem of every row is collected
(file, row, column, value, rule) and one DataError lists them all; nothing is returned on error.

Growth rules: `grow` (CAGR: q * (1 + g)^(year - base year)), `scale_to_total` (all freight
rows scaled by one factor so the tonnes add up to a target), and `interpolate` (per OD
geometric interpolation between two scenarios, linear where one side is zero).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from titr.errors import DataError, Issue, NotFoundError
from titr.flows.lp import ODTable
from titr.graph.units import MAX_QUANTITY
from titr.network.checks import source_ref_problems
from titr.network.csvrows import csv_records, number_cell
from titr.network.model import Network

COLUMNS = ("origin", "destination", "commodity", "quantity", "unit", "source", "note", "requires")
REQUIRED = ("origin", "destination", "commodity", "quantity", "unit", "source")
UNITS = {
    "t": ("t", 1.0),
    "kt": ("t", 1e3),
    "Mt": ("t", 1e6),
    "TEU": ("TEU", 1.0),
    "kTEU": ("TEU", 1e3),
    "MWh": ("MWh", 1.0),
    "GWh": ("MWh", 1e3),
    "TWh": ("MWh", 1e6),
}
MAX_ROWS = 200_000
MAX_QTY = MAX_QUANTITY


@dataclass(frozen=True)
class DemandRow:
    origin: str
    destination: str
    commodity: str
    quantity: float  # commodity units per year
    source: str = ""
    note: str = ""
    requires: str = ""  # project id: demand exists only once it is in service


@dataclass
class DemandScenario:
    name: str
    year: int
    rows: list[DemandRow]
    title: str = ""
    description: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def od(self, in_service: Collection[str] = ()) -> ODTable:
        """Aggregated OD table; rows that require a project not in `in_service` are left out."""
        return ODTable.from_rows(
            [
                (r.commodity, r.origin, r.destination, r.quantity)
                for r in self.rows
                if not r.requires or r.requires in in_service
            ]
        )

    def conditional(self) -> list[DemandRow]:
        """Rows that exist only once their `requires` project is in service."""
        return [r for r in self.rows if r.requires]

    def tonnes(self, net: Network) -> float:
        """Freight total in t/yr (electricity excluded)."""
        return sum(
            r.quantity * net.commodities[r.commodity].t_per_unit
            for r in self.rows
            if r.commodity in net.commodities and net.commodities[r.commodity].unit != "MWh"
        )

    def by_commodity(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for r in self.rows:
            out[r.commodity] = out.get(r.commodity, 0.0) + r.quantity
        return out

    def to_frame(self) -> pd.DataFrame:
        df = pd.DataFrame(
            [r.__dict__ for r in self.rows],
            columns=[
                "origin",
                "destination",
                "commodity",
                "quantity",
                "source",
                "note",
                "requires",
            ],
        )
        df.insert(0, "year", self.year)
        df.insert(0, "scenario", self.name)
        return df

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "year": self.year,
            "title": self.title,
            "description": self.description,
            "meta": self.meta,
            "rows": [r.__dict__ for r in self.rows],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DemandScenario:
        return cls(
            d["name"],
            int(d["year"]),
            [DemandRow(**r) for r in d["rows"]],
            d.get("title", ""),
            d.get("description", ""),
            d.get("meta", {}),
        )


def _scale_rows(
    rows: list[DemandRow], f: float, net: Network | None = None, freight_only: bool = True
) -> list[DemandRow]:
    out = []
    for r in rows:
        is_power = net is not None and net.commodities[r.commodity].unit == "MWh"
        ff = 1.0 if (freight_only and is_power) else f
        out.append(replace(r, quantity=r.quantity * ff))
    return out


def grow(s: DemandScenario, year: int, cagr: float, net: Network | None = None) -> DemandScenario:
    """Every row times (1 + cagr)^(year - s.year) (electricity kept when `net` is given)."""
    if not (-0.5 < cagr < 2.0):
        raise DataError(
            Issue(
                "--cagr",
                None,
                None,
                str(cagr),
                "a growth rate must lie between -50 % and +200 % per year",
            )
        )
    f = (1.0 + cagr) ** (year - s.year)
    return DemandScenario(
        f"{s.name}+cagr{cagr:g}@{year}",
        year,
        _scale_rows(s.rows, f, net),
        s.title,
        f"{s.name} grown at {cagr:.1%}/yr to {year}",
        {"base": s.name, "cagr": cagr},
    )


def scale_to_total(
    s: DemandScenario,
    net: Network,
    total_t: float,
    year: int | None = None,
    name: str | None = None,
) -> DemandScenario:
    """Freight rows scaled by one factor so they add up to `total_t` t/yr."""
    cur = s.tonnes(net)
    if cur <= 0:
        raise DataError(Issue("scenario", None, None, s.name, "has no freight demand to scale"))
    f = total_t / cur
    return DemandScenario(
        name or f"{s.name}x{f:.3g}",
        year or s.year,
        _scale_rows(s.rows, f, net),
        s.title,
        f"{s.name} scaled x{f:.4f} to {total_t / 1e6:.3f} Mt",
        {"base": s.name, "factor": f},
    )


def interpolate(a: DemandScenario, b: DemandScenario, year: int) -> DemandScenario:
    """Per OD and commodity: a*(b/a)^w with w = (year - a.year)/(b.year - a.year); linear
    where one side is zero."""
    if a.year == b.year:
        raise DataError(
            Issue(
                "scenario",
                None,
                "year",
                str(a.year),
                "interpolation needs two scenarios of different years",
            )
        )
    w = (year - a.year) / (b.year - a.year)
    qa = {(r.origin, r.destination, r.commodity): r.quantity for r in a.rows}
    qb = {(r.origin, r.destination, r.commodity): r.quantity for r in b.rows}
    rows = []
    for key in sorted(set(qa) | set(qb)):
        x, y = qa.get(key, 0.0), qb.get(key, 0.0)
        q = x * (y / x) ** w if x > 0 and y > 0 else x + (y - x) * w
        if q > 0:
            rows.append(DemandRow(*key, quantity=q, source=f"EST: interpolated {a.name}->{b.name}"))
    return DemandScenario(
        f"{a.name}~{b.name}@{year}",
        year,
        rows,
        description=f"interpolated between {a.name} ({a.year}) and {b.name} ({b.year})",
    )


# ---------------------------------------------------------------- CSV import
def read_demand_csv(
    data: str | bytes | Path, net: Network, *, name: str, year: int, file: str | None = None
) -> DemandScenario:
    """Parse and validate a demand CSV against `net`; DataError lists every problem."""
    fname = file or (str(data) if isinstance(data, Path) else "demand.csv")
    issues: list[Issue] = []
    if isinstance(data, Path):
        if not data.is_file():
            raise DataError(Issue(fname, None, None, None, "no such file"))
        data = data.read_bytes()
    if isinstance(data, bytes):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            data = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DataError(
                Issue(fname, line, None, None, "file is not UTF-8 text (save it as CSV UTF-8)")
            ) from None
    if not (1900 <= year <= 2100):
        issues.append(Issue(fname, None, "year", str(year), "year must lie in 1900..2100"))
    if not data.strip():
        raise DataError(
            Issue(
                fname,
                None,
                None,
                None,
                f"file is empty: it needs a header row ({','.join(COLUMNS)})",
            )
        )
    rows: list[DemandRow] = []
    seen: dict[tuple[str, str, str], int] = {}
    records = csv_records(data, fname, COLUMNS, REQUIRED, issues, MAX_ROWS, "a demand file")
    for line, rec in records:
        row = _check_row(rec, net, fname, line, issues)
        if row is None:
            continue
        key = (row.origin, row.destination, row.commodity)
        if key in seen:
            issues.append(
                Issue(
                    fname,
                    line,
                    "destination",
                    row.destination,
                    f"duplicate origin/destination/commodity: same as row "
                    f"{seen[key]} (add the quantities into one row)",
                )
            )
            continue
        seen[key] = line
        rows.append(row)
    if not issues and not rows:
        issues.append(Issue(fname, None, None, None, "file has a header but no demand rows"))
    if issues:
        raise DataError(issues)
    return DemandScenario(name, year, rows, meta={"file": fname, "dataset": net.label})


def _check_row(
    rec: dict[str, str], net: Network, fname: str, line: int, issues: list[Issue]
) -> DemandRow | None:
    n0 = len(issues)
    for col in REQUIRED:
        if rec.get(col, "") == "":
            issues.append(Issue(fname, line, col, "", "is required and may not be empty"))
    ends = {}
    for col in ("origin", "destination"):
        v = rec[col]
        if v == "":
            continue
        if v in net.nodes:
            ends[col] = v
            continue
        try:
            ends[col] = net.resolve_node(v)
        except NotFoundError as e:
            issues.append(Issue(fname, line, col, v, f"unknown node in dataset {net.label}: {e}"))
    com = net.commodities.get(rec["commodity"])
    if com is None and rec["commodity"]:
        issues.append(
            Issue(
                fname,
                line,
                "commodity",
                rec["commodity"],
                f"unknown commodity; dataset {net.label} has: {', '.join(sorted(net.commodities))}",
            )
        )
    q = (
        number_cell(
            rec["quantity"],
            fname,
            line,
            "quantity",
            issues,
            0.0,
            MAX_QTY,
            above_lo=True,
            why=" (a demand is a yearly amount; leave out pairs with no demand)",
        )
        if rec["quantity"]
        else None
    )
    unit = UNITS.get(rec["unit"])
    if unit is None and rec["unit"]:
        issues.append(Issue(fname, line, "unit", rec["unit"], f"must be one of {', '.join(UNITS)}"))
    elif com is not None and unit is not None:
        base, scale = unit
        if base == com.unit:
            factor = scale
        elif base == "t" and com.unit == "TEU" and com.t_per_unit > 0:
            factor = scale / com.t_per_unit
        else:
            issues.append(
                Issue(
                    fname,
                    line,
                    "unit",
                    rec["unit"],
                    f"{com.id} is counted in {com.unit}: a quantity in "
                    f"{rec['unit']} cannot be converted",
                )
            )
            factor = None
        if q is not None and factor is not None:
            q = q * factor
    if rec["source"]:  # optional in a demand file; when given, cited like any figure
        for value, rule in source_ref_problems(rec["source"], net.sources):
            issues.append(Issue(fname, line, "source", value, rule))
    if len(ends) == 2 and ends["origin"] == ends["destination"]:
        issues.append(
            Issue(
                fname,
                line,
                "destination",
                rec["destination"],
                "origin and destination are the same node",
            )
        )
    if len(issues) > n0 or q is None or com is None:
        return None
    req = rec.get("requires", "")
    if req and req not in net.projects:
        issues.append(
            Issue(fname, line, "requires", req, f"no project with this id in {net.label}")
        )
        return None
    return DemandRow(
        ends["origin"], ends["destination"], com.id, q, rec["source"], rec.get("note", ""), req
    )


# ---------------------------------------------------------------- bundled scenarios
def _scen_dir() -> Any:
    return resources.files("titr.flows").joinpath("scenarios")


def scenario_manifest() -> list[dict[str, Any]]:
    return list(json.loads(_scen_dir().joinpath("manifest.json").read_text("utf-8"))["scenarios"])


def bundled_scenarios() -> list[str]:
    return [s["name"] for s in scenario_manifest()]


def load_scenario(name: str, net: Network, store: Any = None) -> DemandScenario:
    """A bundled scenario by name ("2024", "2027", "2030-wb" ...), validated against `net`;
    if not bundled, a scenario saved in ``store`` (default: the user's store) under that name.
    The CLI and the API both resolve scenario names here."""
    for s in scenario_manifest():
        if s["name"] == name:
            text = _scen_dir().joinpath(s["file"]).read_text("utf-8")
            sc = read_demand_csv(
                text, net, name=name, year=int(s["year"]), file=f"scenarios/{s['file']}"
            )
            sc.title = s.get("title", "")
            sc.description = s.get("description", "")
            return sc
    if store is None:
        from titr.store import open_store

        store = open_store()
    try:
        d = store.get_scenario(name)
    except NotFoundError:
        raise NotFoundError(
            f"no demand scenario '{name}' (bundled or in the store).", bundled_scenarios()
        ) from None
    if d.get("kind") != "demand":
        raise NotFoundError(
            f"scenario '{name}' in the store is a {d.get('kind')} scenario, not a demand scenario."
        )
    return DemandScenario.from_dict(d["data"])

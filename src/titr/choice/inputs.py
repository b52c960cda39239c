"""Choice-model inputs as data: markets, observed corridor volumes by year, yearly conditions
(sea-rate factors, risk premia) and growth rates.

Four CSV files (bundled in ``titr/choice/data/``, or a folder of your own with the same names):

- ``markets.csv``    market, origin, destination, commodity, corridors (``;``-separated, at
                     least two), estimate (``yes``: the market's choice is estimated), source, note
- ``observed.csv``   market, year, corridor, quantity, unit, source, note: volume carried by a
                     corridor in a year (the calibration data; commodity units per year)
- ``conditions.csv`` year, corridor, attribute, value, unit, source, note; attributes:
                     ``tariff_factor`` (x the routed tariff that year), ``risk_usd_per_feu``
                     (risk/sanctions premium added to the cost, USD per FEU), ``extra_days``
- ``growth.csv``     market, from_year, to_year, cagr, source, note (``captive:<commodity>``
                     grows the single-corridor rows of the flows layer's base scenario)

Reading follows the dataset import's standard: every problem of every file is collected
(file, row, column, value, rule) and one `DataError` lists them all; nothing is returned when
there is any error. Every figure needs source ids of the dataset or ``EST: reasoning``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from titr.errors import DataError, Issue, NotFoundError
from titr.network.checks import source_ref_problems
from titr.network.csvrows import csv_records, number_cell
from titr.network.model import CORRIDORS, Network

FILES = ("markets.csv", "observed.csv", "conditions.csv", "growth.csv")
COLUMNS: dict[str, tuple[str, ...]] = {
    "markets.csv": (
        "market",
        "origin",
        "destination",
        "commodity",
        "corridors",
        "estimate",
        "source",
        "note",
    ),
    "observed.csv": ("market", "year", "corridor", "quantity", "unit", "source", "note"),
    "conditions.csv": ("year", "corridor", "attribute", "value", "unit", "source", "note"),
    "growth.csv": ("market", "from_year", "to_year", "cagr", "source", "note"),
}
OPTIONAL = {"note"}
ATTRIBUTES = {
    "tariff_factor": (0.05, 20.0),
    "risk_usd_per_feu": (0.0, 50_000.0),
    "extra_days": (-60.0, 120.0),
}
YEARS = (1990, 2100)
MAX_ROWS = 50_000
CAPTIVE = "captive:"


@dataclass(frozen=True)
class Market:
    """An origin-destination flow of one commodity whose corridor is chosen."""

    id: str
    origin: str
    destination: str
    commodity: str
    corridors: tuple[str, ...]
    estimate: bool
    source: str
    note: str = ""


@dataclass
class ChoiceData:
    """Validated choice inputs (see the module docstring)."""

    markets: dict[str, Market]
    observed: pd.DataFrame  # market, year, corridor, quantity, source
    conditions: dict[tuple[int, str, str], float]
    growth: pd.DataFrame  # market, from_year, to_year, cagr, source
    origin: str = "bundled"
    meta: dict[str, Any] = field(default_factory=dict)

    def condition(self, year: int, corridor: str, attribute: str, default: float) -> float:
        """The yearly condition, or `default` (1 for factors, 0 for premia) when not listed:
        absence means 'no change that year', which is itself the data's statement."""
        return self.conditions.get((year, corridor, attribute), default)

    def years(self, market: str) -> list[int]:
        return sorted(set(self.observed.loc[self.observed.market == market, "year"].tolist()))

    def volumes(self, market: str, year: int) -> dict[str, float]:
        df = self.observed[(self.observed.market == market) & (self.observed.year == year)]
        return {str(c): float(q) for c, q in zip(df.corridor, df.quantity, strict=True)}

    def cagr(self, market: str, year: int) -> float:
        """Growth rate per year for `market` in `year` (DataError if no row covers it)."""
        df = self.growth[
            (self.growth.market == market)
            & (self.growth.from_year < year)
            & (self.growth.to_year >= year)
        ]
        if df.empty:
            raise DataError(
                Issue(
                    "growth.csv",
                    None,
                    "market",
                    market,
                    f"no growth rate covers {year}; add a row (from_year < {year} <= to_year)",
                )
            )
        return float(df.cagr.iloc[0])


# ---------------------------------------------------------------- CSV plumbing
def _decode(data: str | bytes, fname: str) -> str:
    if isinstance(data, bytes):
        raw = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DataError(
                Issue(fname, line, None, None, "file is not UTF-8 text (save it as CSV UTF-8)")
            ) from None
    return data[1:] if data.startswith("\ufeff") else data


def _records(
    data: str | bytes, fname: str, issues: list[Issue]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, record) per data row; header and row-shape problems go to `issues`."""
    cols = COLUMNS[Path(fname).name]
    try:
        text = _decode(data, fname)
    except DataError as e:
        issues.extend(e.issues)
        return
    if not text.strip():
        issues.append(
            Issue(fname, None, None, None, f"file is empty: it needs a header ({','.join(cols)})")
        )
        return
    required = [h for h in cols if h not in OPTIONAL]
    n0, count = len(issues), 0
    for line, rec in csv_records(text, fname, cols, required, issues, MAX_ROWS):
        for h in cols:
            rec.setdefault(h, "")
        count += 1
        yield line, rec
    if count == 0 and len(issues) == n0:
        issues.append(Issue(fname, None, None, None, "file has a header but no rows"))


def _required(rec: dict[str, str], fname: str, line: int, issues: list[Issue]) -> bool:
    ok = True
    for h in COLUMNS[Path(fname).name]:
        if h not in OPTIONAL and rec.get(h, "") == "":
            issues.append(Issue(fname, line, h, "", "is required and may not be empty"))
            ok = False
    return ok


def _number(
    rec: dict[str, str],
    col: str,
    fname: str,
    line: int,
    issues: list[Issue],
    lo: float,
    hi: float,
    integer: bool = False,
) -> float | None:
    return number_cell(rec[col], fname, line, col, issues, lo, hi, integer=integer)


def _source(rec: dict[str, str], net: Network, fname: str, line: int, issues: list[Issue]) -> None:
    for value, rule in source_ref_problems(rec["source"], net.sources):
        issues.append(Issue(fname, line, "source", value, rule))


def _corridor(v: str, fname: str, line: int, col: str, issues: list[Issue]) -> str | None:
    if v not in CORRIDORS or v == "access":
        issues.append(
            Issue(
                fname,
                line,
                col,
                v,
                f"unknown corridor; one of {', '.join(c for c in CORRIDORS if c != 'access')}",
            )
        )
        return None
    return v


# ---------------------------------------------------------------- the four files
def _markets(data: str | bytes, net: Network, fname: str, issues: list[Issue]) -> dict[str, Market]:
    out: dict[str, Market] = {}
    for line, rec in _records(data, fname, issues):
        n0 = len(issues)
        if not _required(rec, fname, line, issues):
            continue
        mid = rec["market"]
        if mid.startswith(CAPTIVE) or not mid.replace("_", "").isalnum():
            issues.append(
                Issue(fname, line, "market", mid, "a market id is letters, digits and '_' only")
            )
        if mid in out:
            issues.append(Issue(fname, line, "market", mid, "duplicate market id"))
        ends = {}
        for col in ("origin", "destination"):
            try:
                ends[col] = net.resolve_node(rec[col])
            except NotFoundError as e:
                issues.append(
                    Issue(fname, line, col, rec[col], f"unknown node in {net.label}: {e}")
                )
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
        if rec["commodity"] not in net.commodities:
            issues.append(
                Issue(
                    fname,
                    line,
                    "commodity",
                    rec["commodity"],
                    f"unknown commodity; {net.label} has {', '.join(sorted(net.commodities))}",
                )
            )
        cors = [c.strip() for c in rec["corridors"].split(";") if c.strip()]
        for c in cors:
            _corridor(c, fname, line, "corridors", issues)
        if len(set(cors)) != len(cors):
            issues.append(
                Issue(fname, line, "corridors", rec["corridors"], "a corridor is listed twice")
            )
        if len(cors) < 2:
            issues.append(
                Issue(
                    fname,
                    line,
                    "corridors",
                    rec["corridors"],
                    "a market needs at least two corridors to choose from",
                )
            )
        if rec["estimate"] not in ("yes", "no"):
            issues.append(Issue(fname, line, "estimate", rec["estimate"], "must be yes or no"))
        _source(rec, net, fname, line, issues)
        if len(issues) == n0:
            out[mid] = Market(
                mid,
                ends["origin"],
                ends["destination"],
                rec["commodity"],
                tuple(cors),
                rec["estimate"] == "yes",
                rec["source"],
                rec.get("note", ""),
            )
    return out


def _observed(
    data: str | bytes, net: Network, markets: dict[str, Market], fname: str, issues: list[Issue]
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, int, str], int] = {}
    for line, rec in _records(data, fname, issues):
        n0 = len(issues)
        if not _required(rec, fname, line, issues):
            continue
        m = markets.get(rec["market"])
        if m is None:
            issues.append(
                Issue(fname, line, "market", rec["market"], "no such market in markets.csv")
            )
        year = _number(rec, "year", fname, line, issues, *YEARS, integer=True)
        q = _number(rec, "quantity", fname, line, issues, 0.0, 1e10)
        cor = _corridor(rec["corridor"], fname, line, "corridor", issues)
        if m is not None and cor is not None and cor not in m.corridors:
            issues.append(
                Issue(
                    fname,
                    line,
                    "corridor",
                    cor,
                    f"market {m.id} chooses among {', '.join(m.corridors)} only",
                )
            )
        if m is not None and rec["unit"] != net.commodities[m.commodity].unit:
            issues.append(
                Issue(
                    fname,
                    line,
                    "unit",
                    rec["unit"],
                    f"market {m.id} is counted in {net.commodities[m.commodity].unit}",
                )
            )
        _source(rec, net, fname, line, issues)
        if len(issues) > n0 or year is None or q is None:
            continue
        key = (rec["market"], int(year), rec["corridor"])
        if key in seen:
            issues.append(
                Issue(
                    fname,
                    line,
                    "corridor",
                    rec["corridor"],
                    f"duplicate market/year/corridor: same as row {seen[key]}",
                )
            )
            continue
        seen[key] = line
        rows.append(
            {
                "market": key[0],
                "year": key[1],
                "corridor": key[2],
                "quantity": q,
                "source": rec["source"],
            }
        )
    df = pd.DataFrame(rows, columns=["market", "year", "corridor", "quantity", "source"])
    for mid, m in markets.items():
        if m.estimate and df[df.market == mid].empty:
            issues.append(
                Issue(fname, None, "market", mid, "an estimated market needs observed volumes")
            )
    for gkey, g in df.groupby(["market", "year"]):
        mid, year = str(gkey[0]), int(gkey[1])  # type: ignore[index, call-overload]
        if float(g.quantity.sum()) <= 0:
            issues.append(
                Issue(
                    fname, None, "quantity", f"{mid} {year}", "all corridors carry zero that year"
                )
            )
    return df


def _conditions(
    data: str | bytes, net: Network, fname: str, issues: list[Issue]
) -> dict[tuple[int, str, str], float]:
    out: dict[tuple[int, str, str], float] = {}
    lines: dict[tuple[int, str, str], int] = {}
    for line, rec in _records(data, fname, issues):
        n0 = len(issues)
        if not _required(rec, fname, line, issues):
            continue
        year = _number(rec, "year", fname, line, issues, *YEARS, integer=True)
        _corridor(rec["corridor"], fname, line, "corridor", issues)
        rng = ATTRIBUTES.get(rec["attribute"])
        val = None
        if rng is None:
            issues.append(
                Issue(
                    fname,
                    line,
                    "attribute",
                    rec["attribute"],
                    f"unknown attribute; one of {', '.join(ATTRIBUTES)}",
                )
            )
        else:
            val = _number(rec, "value", fname, line, issues, *rng)
        _source(rec, net, fname, line, issues)
        if len(issues) > n0 or year is None or val is None:
            continue
        key = (int(year), rec["corridor"], rec["attribute"])
        if key in out:
            issues.append(
                Issue(
                    fname,
                    line,
                    "attribute",
                    rec["attribute"],
                    f"duplicate year/corridor/attribute: same as row {lines[key]}",
                )
            )
            continue
        out[key], lines[key] = val, line
    return out


def _growth(
    data: str | bytes, net: Network, markets: dict[str, Market], fname: str, issues: list[Issue]
) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for line, rec in _records(data, fname, issues):
        n0 = len(issues)
        if not _required(rec, fname, line, issues):
            continue
        mid = rec["market"]
        if mid.startswith(CAPTIVE):
            if mid[len(CAPTIVE) :] not in net.commodities:
                issues.append(
                    Issue(
                        fname,
                        line,
                        "market",
                        mid,
                        f"'{CAPTIVE}' must be followed by a commodity of {net.label}",
                    )
                )
        elif mid not in markets:
            issues.append(
                Issue(
                    fname,
                    line,
                    "market",
                    mid,
                    "no such market in markets.csv (or captive:<commodity>)",
                )
            )
        y0 = _number(rec, "from_year", fname, line, issues, *YEARS, integer=True)
        y1 = _number(rec, "to_year", fname, line, issues, *YEARS, integer=True)
        g = _number(rec, "cagr", fname, line, issues, -0.5, 2.0)
        if y0 is not None and y1 is not None and y1 <= y0:
            issues.append(Issue(fname, line, "to_year", rec["to_year"], "must be after from_year"))
        _source(rec, net, fname, line, issues)
        if len(issues) > n0 or y0 is None or y1 is None or g is None:
            continue
        for r in rows:
            if r["market"] == mid and r["from_year"] < y1 and y0 < r["to_year"]:
                issues.append(
                    Issue(
                        fname,
                        line,
                        "from_year",
                        rec["from_year"],
                        f"overlaps row {r['line']} of the same market",
                    )
                )
                break
        else:
            rows.append(
                {
                    "market": mid,
                    "from_year": int(y0),
                    "to_year": int(y1),
                    "cagr": g,
                    "source": rec["source"],
                    "line": line,
                }
            )
    return pd.DataFrame(rows, columns=["market", "from_year", "to_year", "cagr", "source", "line"])


def read_choice_data(
    files: dict[str, str | bytes], net: Network, *, origin: str = "custom"
) -> ChoiceData:
    """Validate the four files (name -> content) against `net`; DataError lists every problem."""
    issues: list[Issue] = []
    for f in FILES:
        if f not in files:
            issues.append(Issue(f, None, None, None, "required file is missing"))
    if issues:
        raise DataError(issues)
    markets = _markets(files["markets.csv"], net, "markets.csv", issues)
    observed = _observed(files["observed.csv"], net, markets, "observed.csv", issues)
    conditions = _conditions(files["conditions.csv"], net, "conditions.csv", issues)
    growth = _growth(files["growth.csv"], net, markets, "growth.csv", issues)
    if issues:
        raise DataError(issues)
    return ChoiceData(markets, observed, conditions, growth, origin, {"dataset": net.label})


def load_choice_data(net: Network, path: str | Path | None = None) -> ChoiceData:
    """The bundled choice data (``titr/choice/data``) or the four files in folder `path`."""
    if path is None:
        root: Any = resources.files("titr.choice").joinpath("data")
        files = {f: root.joinpath(f).read_bytes() for f in FILES}
        return read_choice_data(files, net, origin="bundled")
    p = Path(path)
    if not p.is_dir():
        raise DataError(
            Issue(
                str(p), None, None, None, "no such folder (it must hold " + ", ".join(FILES) + ")"
            )
        )
    files = {f: (p / f).read_bytes() for f in FILES if (p / f).is_file()}
    return read_choice_data(files, net, origin=str(p))

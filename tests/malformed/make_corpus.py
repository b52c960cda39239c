"""Generate the malformed-dataset corpus: tiny (tests/data/tiny) with exactly one defect each.

Run `python tests/malformed/make_corpus.py` after changing tiny or a case: it rewrites every
case folder under tests/malformed/ and cases.json. The folders are committed so a reader can
open the broken files as plain files.

cases.json maps case name -> {"expect": "error" | "valid" | "warning", "file", "row", "column",
"rule", "what"}: the issue `titr data validate` must report (row and column may be null for a
file-level problem such as a missing manifest).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TINY = HERE.parent / "data" / "tiny"


class DS:
    """A copy of tiny in memory: file name -> text (bytes for raw edits)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {p.name: p.read_bytes() for p in sorted(TINY.iterdir())}

    # ---- CSV helpers (rows as lists of strings; header is row 1) ----
    def rows(self, fname: str) -> list[list[str]]:
        text = self.files[fname].decode("utf-8")
        return list(csv.reader(io.StringIO(text, newline="")))

    def put_rows(self, fname: str, rows: list[list[str]]) -> None:
        buf = io.StringIO(newline="")
        csv.writer(buf, lineterminator="\n").writerows(rows)
        self.files[fname] = buf.getvalue().encode("utf-8")

    def set(self, fname: str, key: str, column: str, value: str) -> None:
        """Set one cell of the row whose first cell is `key`."""
        rows = self.rows(fname)
        j = rows[0].index(column)
        hit = [r for r in rows[1:] if r[0] == key]
        assert len(hit) == 1, (fname, key)
        hit[0][j] = value
        self.put_rows(fname, rows)

    def add(self, fname: str, **cells: str) -> None:
        rows = self.rows(fname)
        unknown = set(cells) - set(rows[0])
        assert not unknown, unknown
        rows.append([cells.get(h, "") for h in rows[0]])
        self.put_rows(fname, rows)

    def delete_row(self, fname: str, key: str) -> None:
        rows = self.rows(fname)
        self.put_rows(fname, [rows[0]] + [r for r in rows[1:] if r[0] != key])

    def text(self, fname: str) -> str:
        return self.files[fname].decode("utf-8")

    def put_text(self, fname: str, text: str) -> None:
        self.files[fname] = text.encode("utf-8")

    def write(self, dest: Path) -> None:
        if dest.exists():
            shutil.rmtree(dest)
        dest.mkdir(parents=True)
        for name, data in self.files.items():
            (dest / name).write_bytes(data)


@dataclass
class Case:
    name: str
    what: str
    mutate: Callable[[DS], None]
    file: str
    row: int | None
    column: str | None
    rule: str
    expect: str = "error"


def _node(**kw: str) -> dict[str, str]:
    base = {
        "name_en": "Extra",
        "name_ru": "Экстра",
        "name_tr": "Ekstra",
        "country": "KZ",
        "kind": "junction",
        "lat": "45.0",
        "lon": "70.0",
        "coord_source": "EST: made-up test coordinates",
        "gauge_mm": "1520",
        "source": "S001",
    }
    return {**base, **kw}


def _link(**kw: str) -> dict[str, str]:
    base = {
        "mode": "rail_1520",
        "bidirectional": "true",
        "corridors": "middle",
        "commodities": "*",
        "distance": "100",
        "distance_source": "S001",
        "time_min": "2",
        "time_mode": "3",
        "time_max": "4",
        "time_source": "S001",
        "status": "existing",
        "country": "KZ",
    }
    return {**base, **kw}


def _project(**kw: str) -> dict[str, str]:
    base = {
        "id": "PR_X",
        "name_en": "Extra project",
        "name_ru": "Доп. проект",
        "name_tr": "Ek proje",
        "country": "KZ",
        "target_kind": "link",
        "target_ref": "L_BC",
        "effect": "capacity_add",
        "effect_value": "1000000",
        "lead_time": "3",
        "earliest_year": "2027",
        "status": "planned",
        "source": "S001",
    }
    return {**base, **kw}


def _electricity_on_rail(d: DS) -> None:
    d.add(
        "commodities.csv",
        id="electricity",
        name_en="Electricity",
        name_ru="Электроэнергия",
        name_tr="Elektrik",
        unit="MWh",
        t_per_unit="0",
        modes="power_cable",
        value_of_time="0",
        source="S001",
    )
    d.set("links.csv", "L_BC", "commodities", "general;electricity")


def _unterminated_quote(d: DS) -> None:
    lines = d.text("links.csv").split("\n")
    lines[2] = lines[2].replace(",KTZ,", ',"KTZ,', 1)  # row 3: the quote is never closed
    d.put_text("links.csv", "\n".join(lines))


def _stray_quote(d: DS) -> None:
    lines = d.text("links.csv").split("\n")
    lines[3] = lines[3].replace(",ASCO,", ',"ASCO"x,', 1)  # row 4: text after closing quote
    d.put_text("links.csv", "\n".join(lines))


def _wrong_cell_count(d: DS) -> None:
    lines = d.text("links.csv").split("\n")
    lines[2] += ",extra"
    d.put_text("links.csv", "\n".join(lines))


def _latin1(d: DS) -> None:
    # row 3 title gets a Latin-1 encoded "ü" (byte 0xFC), not valid UTF-8
    text = d.text("sources.csv").replace("Test source two", "Test source zw\u00fc")
    d.files["sources.csv"] = text.encode("latin-1")


def _bom(d: DS) -> None:
    for f in ("nodes.csv", "links.csv", "manifest.json"):
        d.files[f] = b"\xef\xbb\xbf" + d.files[f]


def _header_only(d: DS) -> None:
    d.put_text("nodes.csv", d.text("nodes.csv").split("\n")[0] + "\n")


def _manifest(obj: object) -> Callable[[DS], None]:
    def f(d: DS) -> None:
        d.files["manifest.json"] = (
            obj.encode() if isinstance(obj, str) else json.dumps(obj).encode()
        )

    return f


def _column_edit(fname: str, fn: Callable[[list[list[str]]], list[list[str]]]) -> Callable:
    def f(d: DS) -> None:
        d.put_rows(fname, fn(d.rows(fname)))

    return f


def _drop_col(col: str) -> Callable[[list[list[str]]], list[list[str]]]:
    def f(rows: list[list[str]]) -> list[list[str]]:
        j = rows[0].index(col)
        return [r[:j] + r[j + 1 :] for r in rows]

    return f


def _dup_row(d: DS) -> None:
    rows = d.rows("processes.csv")
    rows.append(list(rows[2]))  # copy of row 3 (P_B_BORDER) as row 6
    d.put_rows("processes.csv", rows)


def _dup_id(d: DS) -> None:
    d.add("nodes.csv", **_node(id="KZ_C", name_en="Charlie again", lat="43.0", lon="52.0"))


def _disconnected(d: DS) -> None:
    d.add("nodes.csv", **_node(id="KZ_X", lat="50.0", lon="60.0"))
    d.add("nodes.csv", **_node(id="KZ_Y", lat="50.5", lon="61.0"))
    d.add("links.csv", **_link(id="L_XY", a_node="KZ_X", b_node="KZ_Y"))


def S(fname: str, key: str, col: str, value: str) -> Callable[[DS], None]:  # noqa: N802
    return lambda d: d.set(fname, key, col, value)


def chain(*fs: Callable[[DS], None]) -> Callable[[DS], None]:
    def f(d: DS) -> None:
        for g in fs:
            g(d)

    return f


def with_column(fname: str, col: str, key: str, value: str) -> Callable[[DS], None]:
    """Add an optional column (empty everywhere) and set it on the row whose id is `key`."""

    def f(d: DS) -> None:
        rows = d.rows(fname)
        rows[0].append(col)
        for r in rows[1:]:
            r.append(value if r[0] == key else "")
        d.put_rows(fname, rows)

    return f


def _subsidy(**kw: str) -> Callable[[DS], None]:
    """Add one block-train subsidy row to tiny's tariffs (row 7, after its five rows)."""
    base = {
        "id": "T_SUB",
        "applies_to": "block_train",
        "ref": "CN",
        "commodity": "container",
        "component": "subsidy",
        "basis": "per_FEU",
        "amount": "1000",
        "currency": "USD",
        "year": "2021",
        "operator": "local governments",
        "country": "CN",
        "source": "S001",
    }
    cells = {**base, **kw}
    return lambda d: d.add("tariffs.csv", **cells)


CASES: list[Case] = [
    # ---- wrong types ----
    Case(
        "float-text",
        "text in a float column",
        S("links.csv", "L_BC", "distance", "far"),
        "links.csv",
        3,
        "distance",
        "must be a number",
    ),
    Case(
        "int-fraction",
        "1.5 in an int column",
        S("processes.csv", "P_C_PORT", "servers", "1.5"),
        "processes.csv",
        4,
        "servers",
        "must be a whole number",
    ),
    Case(
        "bool-maybe",
        "'maybe' in a bool column",
        S("links.csv", "L_CD", "bidirectional", "maybe"),
        "links.csv",
        4,
        "bidirectional",
        "must be true or false",
    ),
    Case(
        "int-text-year",
        "text in an int column",
        S("tariffs.csv", "T_BC", "year", "last year"),
        "tariffs.csv",
        3,
        "year",
        "must be a whole number",
    ),
    # ---- unknown ids ----
    Case(
        "link-unknown-node",
        "link to an unknown node",
        S("links.csv", "L_DE", "b_node", "GE_X"),
        "links.csv",
        5,
        "b_node",
        "unknown node",
    ),
    Case(
        "process-unknown-node",
        "process at an unknown node",
        S("processes.csv", "P_D_PORT", "node", "AZ_X"),
        "processes.csv",
        5,
        "node",
        "unknown node",
    ),
    Case(
        "tariff-unknown-link",
        "tariff refers to an unknown link",
        S("tariffs.csv", "T_AB", "ref", "L_XX"),
        "tariffs.csv",
        2,
        "ref",
        "unknown link",
    ),
    Case(
        "tariff-unknown-service",
        "tariff refers to an unknown service",
        S("tariffs.csv", "T_CD", "ref", "SV_XX"),
        "tariffs.csv",
        4,
        "ref",
        "unknown service",
    ),
    Case(
        "tariff-unknown-corridor",
        "corridor tariff for an unknown corridor",
        S("tariffs.csv", "T_MID", "ref", "silk_road"),
        "tariffs.csv",
        6,
        "ref",
        "unknown corridor",
    ),
    Case(
        "project-unknown-target",
        "project target does not exist",
        S("projects.csv", "PR_FERRY", "target_ref", "SV_XX"),
        "projects.csv",
        2,
        "target_ref",
        "unknown service",
    ),
    Case(
        "unknown-commodity-in-list",
        "unknown commodity in a list",
        S("links.csv", "L_CD", "commodities", "container;bananas"),
        "links.csv",
        4,
        "commodities",
        "unknown commodity",
    ),
    Case(
        "tariff-unknown-commodity",
        "tariff for an unknown commodity",
        S("tariffs.csv", "T_BC", "commodity", "bananas"),
        "tariffs.csv",
        3,
        "commodity",
        "unknown commodity",
    ),
    Case(
        "link-unknown-service",
        "ferry link operated by an unknown service",
        S("links.csv", "L_CD", "service", "SV_XX"),
        "links.csv",
        4,
        "service",
        "unknown service",
    ),
    Case(
        "alternative-missing-row",
        "alternative for a missing row",
        S("alternatives.csv", "ALT_BC", "ref", "L_XX"),
        "alternatives.csv",
        2,
        "ref",
        "unknown links id",
    ),
    Case(
        "alternative-missing-field",
        "alternative for a missing field",
        S("alternatives.csv", "ALT_BC", "field", "speed"),
        "alternatives.csv",
        2,
        "field",
        "has no such field",
    ),
    Case(
        "alternative-bad-value",
        "alternative value of the wrong type",
        S("alternatives.csv", "ALT_BC", "value", "lots"),
        "alternatives.csv",
        2,
        "value",
        "must be a number",
    ),
    # ---- capacities ----
    Case(
        "capacity-zero",
        "capacity 0",
        S("links.csv", "L_BC", "capacity", "0"),
        "links.csv",
        3,
        "capacity",
        "capacity must be > 0",
    ),
    Case(
        "capacity-negative",
        "negative capacity",
        S("processes.csv", "P_D_PORT", "capacity", "-5"),
        "processes.csv",
        5,
        "capacity",
        "capacity must be > 0",
    ),
    Case(
        "capacity-without-unit",
        "capacity without unit",
        S("links.csv", "L_DE", "capacity_unit", ""),
        "links.csv",
        5,
        "capacity_unit",
        "capacity needs a capacity_unit",
    ),
    Case(
        "capacity-without-source",
        "capacity without source",
        S("links.csv", "L_BC", "capacity_source", ""),
        "links.csv",
        3,
        "capacity_source",
        "capacity needs a capacity_source",
    ),
    Case(
        "distance-missing",
        "required number left empty",
        S("links.csv", "L_AB", "distance", ""),
        "links.csv",
        2,
        "distance",
        "is required and may not be empty",
    ),
    Case(
        "distance-zero",
        "zero distance",
        S("links.csv", "L_AB", "distance", "0"),
        "links.csv",
        2,
        "distance",
        "greater than 0",
    ),
    Case(
        "time-negative",
        "negative time",
        S("processes.csv", "P_B_BORDER", "time_min", "-1"),
        "processes.csv",
        3,
        "time_min",
        "greater than or equal to 0",
    ),
    # ---- bad units ----
    Case(
        "mw-on-rail",
        "MW capacity on a rail link",
        S("links.csv", "L_BC", "capacity_unit", "MW"),
        "links.csv",
        3,
        "capacity_unit",
        "unit mismatch: a rail_1520 link",
    ),
    Case(
        "per-teu-on-tonnes",
        "per_TEU tariff on a tonne commodity",
        S("tariffs.csv", "T_AB", "commodity", "general"),
        "tariffs.csv",
        2,
        "basis",
        "needs a commodity counted in TEU",
    ),
    Case(
        "electricity-on-rail",
        "electricity allowed on a rail link",
        _electricity_on_rail,
        "links.csv",
        3,
        "commodities",
        "cannot travel by rail_1520",
    ),
    Case(
        "process-unit-mw",
        "MW is not a process capacity unit",
        S("processes.csv", "P_C_PORT", "capacity_unit", "MW"),
        "processes.csv",
        4,
        "capacity_unit",
        "must be one of",
    ),
    # ---- CSV syntax and encoding ----
    Case(
        "unterminated-quote",
        "a quoted field that never closes",
        _unterminated_quote,
        "links.csv",
        3,
        None,
        "never closed",
    ),
    Case(
        "stray-quote",
        "text after a closing quote",
        _stray_quote,
        "links.csv",
        4,
        None,
        "broken CSV quoting",
    ),
    Case(
        "wrong-cell-count",
        "a row with one cell too many",
        _wrong_cell_count,
        "links.csv",
        3,
        None,
        "row has 23 cells but the header has 22",
    ),
    Case(
        "latin1-bytes",
        "Latin-1 bytes instead of UTF-8",
        _latin1,
        "sources.csv",
        3,
        "title",
        "must be UTF-8",
    ),
    Case("utf8-bom", "UTF-8 byte order mark (accepted)", _bom, "", None, None, "", "valid"),
    Case(
        "empty-file",
        "links.csv has zero bytes",
        lambda d: d.put_text("links.csv", ""),
        "links.csv",
        None,
        None,
        "file is empty",
    ),
    Case(
        "header-only-nodes",
        "nodes.csv has a header and no rows: every link end is unknown",
        _header_only,
        "links.csv",
        2,
        "a_node",
        "unknown node",
    ),
    Case(
        "missing-required-file",
        "links.csv is missing",
        lambda d: d.files.pop("links.csv"),
        "links.csv",
        None,
        None,
        "required file",
    ),
    Case(
        "missing-manifest",
        "no manifest.json",
        lambda d: d.files.pop("manifest.json"),
        "manifest.json",
        None,
        None,
        "needs a manifest.json",
    ),
    Case(
        "manifest-invalid-json",
        "manifest.json is not JSON",
        _manifest('{"name": "tiny",\n "version": "1",\n}'),
        "manifest.json",
        3,
        None,
        "invalid JSON",
    ),
    Case(
        "manifest-without-version",
        "manifest.json has no version",
        _manifest({"name": "tiny", "title": "no version"}),
        "manifest.json",
        None,
        "version",
        "Field required",
    ),
    Case(
        "manifest-bad-name",
        "manifest name with spaces",
        _manifest({"name": "tiny corridor!", "version": "1"}),
        "manifest.json",
        None,
        "name",
        "should match pattern",
    ),
    Case(
        "manifest-not-object",
        "manifest.json is a list",
        _manifest([1, 2]),
        "manifest.json",
        None,
        None,
        "must be a JSON object",
    ),
    # ---- columns and rows ----
    Case(
        "unknown-column",
        "an unknown column",
        _column_edit(
            "nodes.csv",
            lambda rows: [r + (["population"] if i == 0 else ["1"]) for i, r in enumerate(rows)],
        ),
        "nodes.csv",
        1,
        "population",
        "unknown column",
    ),
    Case(
        "duplicated-column",
        "a column twice",
        _column_edit("links.csv", lambda rows: [r + [r[-1]] for r in rows]),
        "links.csv",
        1,
        "note",
        "column appears more than once",
    ),
    Case(
        "missing-required-column",
        "the lat column is missing",
        _column_edit("nodes.csv", _drop_col("lat")),
        "nodes.csv",
        1,
        "lat",
        "required column is missing",
    ),
    Case(
        "duplicate-id", "two nodes with the same id", _dup_id, "nodes.csv", 7, "id", "duplicate id"
    ),
    Case(
        "duplicated-row",
        "the same row twice",
        _dup_row,
        "processes.csv",
        6,
        None,
        "duplicated row (same as row 3)",
    ),
    # ---- huge and non-finite values ----
    Case(
        "huge-value",
        "1e300 km",
        S("links.csv", "L_BC", "distance", "1e300"),
        "links.csv",
        3,
        "distance",
        "must be at most",
    ),
    Case(
        "inf-value",
        "infinite time",
        S("links.csv", "L_CD", "time_max", "inf"),
        "links.csv",
        4,
        "time_max",
        "must be a finite number",
    ),
    Case(
        "nan-value",
        "NaN capacity",
        S("processes.csv", "P_B_GAUGE", "capacity", "nan"),
        "processes.csv",
        2,
        "capacity",
        "must be a finite number",
    ),
    # ---- coordinates ----
    Case(
        "lat-95",
        "latitude 95",
        S("nodes.csv", "KZ_C", "lat", "95"),
        "nodes.csv",
        4,
        "lat",
        "less than or equal to 90",
    ),
    Case(
        "lon-200",
        "longitude 200",
        S("nodes.csv", "AZ_D", "lon", "200"),
        "nodes.csv",
        5,
        "lon",
        "less than or equal to 180",
    ),
    Case(
        "latlon-zero",
        "coordinates 0,0",
        chain(S("nodes.csv", "GE_E", "lat", "0"), S("nodes.csv", "GE_E", "lon", "0")),
        "nodes.csv",
        6,
        "lat",
        "coordinates 0,0 look missing",
    ),
    # ---- names ----
    Case(
        "missing-russian-name",
        "empty name_ru",
        S("nodes.csv", "KZ_B", "name_ru", ""),
        "nodes.csv",
        3,
        "name_ru",
        "is required",
    ),
    Case(
        "russian-name-latin",
        "name_ru in Latin letters (a warning only)",
        S("nodes.csv", "KZ_B", "name_ru", "Bravo"),
        "nodes.csv",
        3,
        "name_ru",
        "must be written in Cyrillic",
        "warning",
    ),
    # ---- sources ----
    Case(
        "unknown-source-id",
        "cites a source that does not exist",
        S("links.csv", "L_BC", "distance_source", "S999"),
        "links.csv",
        3,
        "distance_source",
        "unknown source id",
    ),
    Case(
        "empty-source-cell",
        "node source left empty",
        S("nodes.csv", "AZ_D", "source", ""),
        "nodes.csv",
        5,
        "source",
        "is required",
    ),
    Case(
        "est-without-reasoning",
        "'EST:' with no reasoning",
        S("links.csv", "L_DE", "time_source", "EST:"),
        "links.csv",
        5,
        "time_source",
        "must give its reasoning",
    ),
    Case(
        "source-ref-garbage",
        "a source cell that is neither ids nor EST",
        S("processes.csv", "P_B_BORDER", "time_source", ";"),
        "processes.csv",
        3,
        "time_source",
        "must cite source ids",
    ),
    # ---- times ----
    Case(
        "time-min-gt-mode",
        "time_min > time_mode",
        S("links.csv", "L_BC", "time_min", "70"),
        "links.csv",
        3,
        "time_min",
        "min <= mode <= max",
    ),
    Case(
        "process-mode-gt-max",
        "time_mode > time_max",
        S("processes.csv", "P_D_PORT", "time_mode", "40"),
        "processes.csv",
        5,
        "time_max",
        "min <= mode <= max",
    ),
    Case(
        "zero-time-link",
        "a link of zero time (zero-time cycle A->B->A)",
        chain(
            S("links.csv", "L_AB", "time_min", "0"),
            S("links.csv", "L_AB", "time_mode", "0"),
            S("links.csv", "L_AB", "time_max", "0"),
        ),
        "links.csv",
        2,
        "time_max",
        "zero-time cycles",
    ),
    Case(
        "implausible-speed",
        "2400 km of rail in 3 hours",
        chain(
            S("links.csv", "L_BC", "time_min", "2"),
            S("links.csv", "L_BC", "time_mode", "3"),
            S("links.csv", "L_BC", "time_max", "4"),
        ),
        "links.csv",
        3,
        "time_mode",
        "implausible speed",
    ),
    # ---- topology ----
    Case(
        "self-loop",
        "link from a node to itself",
        S("links.csv", "L_DE", "b_node", "AZ_D"),
        "links.csv",
        5,
        "b_node",
        "may not start and end at the same node",
    ),
    Case(
        "gauge-change-missing",
        "1435 and 1520 meet at KZ_B with no gauge change",
        chain(lambda d: d.delete_row("processes.csv", "P_B_GAUGE")),
        "nodes.csv",
        3,
        "gauge_mm",
        "gauge change missing",
    ),
    Case(
        "disconnected-part",
        "two unconnected subnetworks",
        _disconnected,
        "nodes.csv",
        7,
        "id",
        "disconnected part",
    ),
    Case(
        "isolated-node",
        "a node without links",
        lambda d: d.add("nodes.csv", **_node(id="KZ_LONE")),
        "nodes.csv",
        7,
        "id",
        "isolated",
    ),
    # ---- enums, codes, lists ----
    Case(
        "unknown-mode",
        "mode rail_1000",
        S("links.csv", "L_BC", "mode", "rail_1000"),
        "links.csv",
        3,
        "mode",
        "must be one of",
    ),
    Case(
        "unknown-reliability",
        "reliability 'great'",
        S("sources.csv", "S001", "reliability", "great"),
        "sources.csv",
        2,
        "reliability",
        "must be one of",
    ),
    Case(
        "bad-country-code",
        "country 'Kaz'",
        S("nodes.csv", "KZ_B", "country", "Kaz"),
        "nodes.csv",
        3,
        "country",
        "ISO 3166-1 alpha-2",
    ),
    Case(
        "list-empty-item",
        "commodity list 'container;;general'",
        S("links.csv", "L_CD", "commodities", "container;;general"),
        "links.csv",
        4,
        "commodities",
        "may not be empty",
    ),
    Case(
        "list-unknown-corridor",
        "corridor 'silk' in the corridors list",
        S("links.csv", "L_AB", "corridors", "middle;silk"),
        "links.csv",
        2,
        "corridors",
        "not in allowed values",
    ),
    Case(
        "bad-id-code",
        "node id with a space",
        S("nodes.csv", "GE_E", "id", "GE E"),
        "nodes.csv",
        6,
        "id",
        "must be a code",
    ),
    # ---- services and projects ----
    Case(
        "service-on-rail-link",
        "a rail link operated by a ferry service",
        S("links.csv", "L_DE", "service", "SV_CD"),
        "links.csv",
        5,
        "service",
        "only ferry or sea links",
    ),
    Case(
        "new-link-on-existing",
        "new_link project on an existing link",
        lambda d: d.add("projects.csv", **_project(effect="new_link", effect_value="1")),
        "projects.csv",
        3,
        "target_ref",
        "must point at an element with status planned",
    ),
    Case(
        "time-factor-zero",
        "time_factor 0",
        lambda d: d.add("projects.csv", **_project(effect="time_factor", effect_value="0")),
        "projects.csv",
        3,
        "effect_value",
        "a time_factor effect must be in (0, 10]",
    ),
    Case(
        "capex-without-source",
        "capex without capex_source",
        S("projects.csv", "PR_FERRY", "capex_source", ""),
        "projects.csv",
        2,
        "capex_source",
        "capex needs a capex_source",
    ),
    Case(
        "vessels-add-on-link",
        "vessels_add on a link",
        lambda d: d.add("projects.csv", **_project(effect="vessels_add", effect_value="2")),
        "projects.csv",
        3,
        "effect",
        "vessels_add applies to services only",
    ),
    Case(
        "service-zero-vessels",
        "a ferry line with 0 vessels",
        S("services.csv", "SV_CD", "vessels", "0"),
        "services.csv",
        2,
        "vessels",
        "greater than or equal to 1",
    ),
    Case(
        "availability-above-one",
        "availability 1.5",
        S("services.csv", "SV_CD", "availability", "1.5"),
        "services.csv",
        2,
        "availability",
        "less than or equal to 1",
    ),
    Case(
        "tariff-scope-on-link",
        "a link tariff given a scope (only published corridor rates have one)",
        with_column("tariffs.csv", "scope_from", "T_AB", "CN"),
        "tariffs.csv",
        2,
        "scope_from",
        "only a corridor rate",
    ),
    Case(
        "tariff-scope-bad-country",
        "a corridor rate scoped to a region name instead of country codes",
        with_column("tariffs.csv", "scope_to", "T_MID", "DE;EU-27"),
        "tariffs.csv",
        6,
        "scope_to",
        "ISO 3166-1",
    ),
    Case(
        "emission-unknown-service-kind",
        "an emission factor for a kind of service that does not exist",
        with_column("emission_factors.csv", "service_kind", "ferry", "barge_line"),
        "emission_factors.csv",
        4,
        "service_kind",
        "must be one of",
    ),
    Case(
        "subsidy-share-above-one",
        "a subsidy of 150 % of the freight",
        _subsidy(basis="share_of_freight", amount="1.5"),
        "tariffs.csv",
        7,
        "amount",
        "a share of the freight is at most 1",
    ),
    Case(
        "subsidy-on-a-link",
        "a subsidy charged on a link instead of the block train",
        _subsidy(applies_to="link", ref="L_AB"),
        "tariffs.csv",
        7,
        "component",
        "applies to block trains",
    ),
    Case(
        "block-train-not-a-subsidy",
        "a moving charge on the block train (only subsidies apply there)",
        _subsidy(component="moving"),
        "tariffs.csv",
        7,
        "applies_to",
        "applies to block trains",
    ),
    Case(
        "subsidy-per-km",
        "a subsidy per FEU-km (subsidies are shares or per container)",
        _subsidy(basis="per_FEU_km"),
        "tariffs.csv",
        7,
        "basis",
        "share_of_freight or an amount per_FEU",
    ),
    Case(
        "share-basis-on-a-link",
        "a link tariff given as a share of the freight",
        S("tariffs.csv", "T_AB", "basis", "share_of_freight"),
        "tariffs.csv",
        2,
        "basis",
        "for subsidies only",
    ),
    Case(
        "subsidy-unknown-country",
        "a subsidy of trains leaving a country with no node in the data",
        _subsidy(ref="MN", country="MN"),
        "tariffs.csv",
        7,
        "ref",
        "no node in that country",
    ),
    Case(
        "subsidy-scope-from-other-country",
        "a subsidy of trains leaving CN scoped to start in KZ",
        chain(_subsidy(), with_column("tariffs.csv", "scope_from", "T_SUB", "KZ")),
        "tariffs.csv",
        7,
        "scope_from",
        "starts in CN",
    ),
]


def cases_table() -> dict[str, dict[str, object]]:
    return {
        c.name: {
            "what": c.what,
            "expect": c.expect,
            "file": c.file,
            "row": c.row,
            "column": c.column,
            "rule": c.rule,
        }
        for c in CASES
    }


def build(dest: Path) -> None:
    """Write every case folder and cases.json under `dest`."""
    names = {c.name for c in CASES}
    assert len(names) == len(CASES), "case names must be unique"
    for c in CASES:
        d = DS()
        c.mutate(d)
        d.write(dest / c.name)
    (dest / "cases.json").write_text(
        json.dumps(cases_table(), indent=1, ensure_ascii=False) + "\n", "utf-8"
    )


def main() -> None:
    names = {c.name for c in CASES}
    for old in HERE.iterdir():
        if old.is_dir() and old.name not in names and not old.name.startswith("__"):
            shutil.rmtree(old)
    build(HERE)
    print(f"wrote {len(CASES)} cases to {HERE}")


if __name__ == "__main__":
    main()

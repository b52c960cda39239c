"""Continental-scale networks read straight into arrays: nodes and links from CSV or Parquet
(pyarrow), checked column by column instead of record by record.

`read_arrays(path)` reads a dataset folder (its ``manifest.json`` names the files; the nodes
and links files may be ``.csv`` or ``.parquet``) into an `ArrayNetwork`: nodes and links as
numpy columns, every other component (sources, processes, services, commodities, tariffs,
parameters, projects, ...) through the record reader of `titr.network.io_csv` (they stay small
when the network grows). `titr.graph.arrays.compile_arrays` compiles it into the same
`MultimodalGraph` that `titr.graph.build.build_graph` makes from a `Network`.

Validation is vectorised and applies the same rules as the record reader, from the same
sources: the attribute table (`titr.network.attributes`; each distinct bad cell's message is
the one `parse_cell` gives), the record rules of nodes and links (latitude and longitude
ranges, distance > 0, times >= 0 and min <= mode <= max, no self-loop, capacity > 0 with a
unit and a source), unique ids, and references (link ends to nodes, services, commodities,
source ids). Every problem is an `Issue` naming file, row (header = row 1), column, value and
rule; at most `max_errors` per rule are listed and the rest counted; nothing is returned when
there is an error. The consistency checks that walk records (`titr.network.checks`, e.g.
implausible speeds) are not run here; the structural ones that matter at scale (isolated
nodes) are, as warnings.

This path is for local files (Python API and ``titr data arrays``): the upload limits of
`titr.limits` on rows do not apply, memory does (about 1 GiB per million places).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from titr import limits
from titr.errors import DataError, Issue
from titr.network import attributes as attrs
from titr.network.checks import source_ref_problems
from titr.network.io_csv import (
    CONTROL_RE,
    REQUIRED_COMPONENTS,
    _decode,
    _read_manifest,
    _Reader,
    build_network,
    read_component,
)
from titr.network.model import Manifest, Network

ARRAY_COMPONENTS = ("nodes", "links")
# the columns kept as arrays (the others are checked, then dropped: names and notes of a
# million places would cost a Python string each)
KEPT = {
    "nodes": ("id", "country", "kind", "lat", "lon", "gauge_mm"),
    "links": (
        "id",
        "a_node",
        "b_node",
        "mode",
        "bidirectional",
        "corridors",
        "commodities",
        "distance",
        "time_min",
        "time_mode",
        "time_max",
        "capacity",
        "capacity_unit",
        "capacity_source",
        "service",
        "status",
        "country",
    ),
}
_CONTROL_PATTERN = CONTROL_RE.pattern
_CODE_PATTERN = attrs.CODE_RE.pattern
_DECIMAL_PATTERN = attrs.DECIMAL_RE.pattern


@dataclass
class ArrayNetwork:
    """A network whose nodes and links are columns (numpy arrays, one value per row).

    ``nodes``: id, country, kind (object arrays), lat, lon (float64), gauge_mm (object, None
    when empty). ``links``: id, a_node, b_node, mode, corridors, commodities (the cell text,
    ';'-separated), service (None when empty), status, country (object arrays),
    bidirectional (bool), distance, time_min, time_mode, time_max, capacity (float64, nan
    when empty), capacity_unit (object). ``rest`` holds every other component as records."""

    manifest: Manifest
    content_hash: str
    nodes: dict[str, np.ndarray]
    links: dict[str, np.ndarray]
    rest: Network
    files: dict[str, str] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def label(self) -> str:
        """Provenance label: name@version#hash8 (hash of the files' bytes)."""
        return f"{self.manifest.name}@{self.manifest.version}#{self.content_hash[:8]}"

    @property
    def n_nodes(self) -> int:
        return int(self.nodes["id"].size)

    @property
    def n_links(self) -> int:
        return int(self.links["id"].size)


class _Issues:
    """Collects issues, at most max_errors per (file, column, rule), the rest counted."""

    def __init__(self) -> None:
        self.items: list[Issue] = []
        self.cap = limits.current().max_errors

    def rows(
        self, fname: str, column: str | None, rows: np.ndarray, values: Any, rule: str
    ) -> None:
        """Issues for the data rows ``rows`` (0-based; reported as row + 2, the header being
        row 1) with the cell ``values`` (an array aligned with ``rows``, or None)."""
        n = int(rows.size)
        if not n:
            return
        for j in range(min(n, self.cap)):
            val = None if values is None else values[j]
            self.items.append(
                Issue(fname, int(rows[j]) + 2, column, None if val is None else str(val), rule)
            )
        if n > self.cap:
            self.items.append(
                Issue(
                    fname,
                    None,
                    column,
                    None,
                    f"{n - self.cap} more rows break this rule: {rule} (limit max_errors = "
                    f"{self.cap})",
                )
            )

    def add(self, issue: Issue) -> None:
        self.items.append(issue)

    @property
    def errors(self) -> bool:
        return any(i.severity == "error" for i in self.items)


def _read_table(path: Path, fname: str, iss: _Issues) -> pa.Table | None:
    """A CSV (every column as text) or Parquet file as an arrow table."""
    try:
        if fname.lower().endswith(".parquet"):
            return pq.read_table(path)
        with open(path, "rb") as f:
            head = f.readline()
        try:
            names = next(iter(csv.reader([head.decode("utf-8-sig")])))
        except (UnicodeDecodeError, StopIteration):
            iss.add(Issue(fname, 1, None, None, "cannot read the header: the file must be UTF-8"))
            return None
        names = [n.strip() for n in names]
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, encoding="utf8"),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError) as e:
        msg = str(e).splitlines()[0][:300]
        iss.add(Issue(fname, None, None, None, f"cannot read as a table: {msg}"))
        return None


def _header(comp: str, fname: str, table: pa.Table, iss: _Issues) -> bool:
    """Header rules of the record reader: no unknown, duplicated or missing column."""
    by_name = {a.field: a for a in attrs.table()[comp]}
    names = [str(n) for n in table.column_names]
    ok = True
    for h in dict.fromkeys(names):
        if h not in by_name:
            iss.add(Issue(fname, 1, h, None, f"unknown column; {comp} has: {', '.join(by_name)}"))
            ok = False
        if names.count(h) > 1:
            iss.add(Issue(fname, 1, h, None, "column appears more than once"))
            ok = False
    for a in by_name.values():
        if a.required and a.default == "" and a.field not in names:
            iss.add(Issue(fname, 1, a.field, None, "required column is missing"))
            ok = False
    return ok


def _cell_rule(a: attrs.Attribute, raw: str) -> str | None:
    """The record reader's message for one cell (None when the cell is valid)."""
    try:
        attrs.parse_cell(a, raw)
    except attrs.CellError as e:
        return f"{a.field} {e} ({a.type}" + (f", unit {a.unit}" if a.unit else "") + ")"
    return None


def _column(
    a: attrs.Attribute,
    col: pa.ChunkedArray | None,
    n: int,
    fname: str,
    iss: _Issues,
    sources: Collection[str],
    keep: bool = True,
) -> np.ndarray:
    """One column checked against its attribute (and, for source references, against the
    ``sources`` ids) and converted: float64 for float (nan when empty), bool for bool, object
    (str or None) otherwise; an empty placeholder when not ``keep``."""
    base = a.type.removeprefix("list:")
    if col is None:  # a column left out: every row takes the default
        msg = _cell_rule(a, "")
        if msg is not None:
            iss.rows(fname, a.field, np.arange(n), None, msg)
        v = attrs.parse_cell(a, "") if msg is None else None
        if base == "float" and not a.is_list:
            return np.full(n, np.nan if v is None else float(v))
        if base == "bool":
            return np.full(n, bool(v))
        return np.full(n, a.default or None, dtype=object)
    if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):
        if base != "float" or a.is_list:
            iss.add(Issue(fname, 1, a.field, str(col.type), f"{a.field} must be {a.type}"))
            return np.zeros(n)
        x = col.to_numpy(zero_copy_only=False).astype(float)  # nulls -> nan
        empty = np.isnan(x)
        if a.required and a.default == "":
            iss.rows(fname, a.field, np.flatnonzero(empty), None, _cell_rule(a, "") or "")
        bad = ~empty & (~np.isfinite(x) | (np.abs(x) > attrs.MAX_ABS))
        rows = np.flatnonzero(bad)
        for r in rows[: iss.cap]:
            v = float(x[r])
            iss.rows(fname, a.field, np.array([r]), [v], _cell_rule(a, repr(v)) or "")
        return x
    if pa.types.is_boolean(col.type):
        if base != "bool":
            iss.add(Issue(fname, 1, a.field, str(col.type), f"{a.field} must be {a.type}"))
            return np.zeros(n, dtype=bool)
        if col.null_count:
            fill = attrs.parse_cell(a, "") if a.default else None
            if fill is None:
                rows = np.flatnonzero(col.is_null().to_numpy(zero_copy_only=False))
                iss.rows(fname, a.field, rows, None, _cell_rule(a, "") or "")
                return np.zeros(n, dtype=bool)
            col = pc.coalesce(col, bool(fill))
        return col.to_numpy(zero_copy_only=False).astype(bool)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        iss.add(Issue(fname, 1, a.field, str(col.type), f"{a.field} must be {a.type}"))
        return np.full(n, None, dtype=object)
    col = pc.coalesce(col, "")
    ctrl = pc.match_substring_regex(col, _CONTROL_PATTERN)
    if pc.any(ctrl).as_py():
        rows = np.flatnonzero(ctrl.to_numpy(zero_copy_only=False))
        iss.rows(
            fname,
            a.field,
            rows,
            [repr(s) for s in col.take(pa.array(rows[: iss.cap])).to_pylist()],
            "control character in a cell: cells are text without NUL or other control "
            "characters (except tab and line breaks)",
        )
    s = pc.utf8_trim_whitespace(col)
    if a.default != "":
        s = pc.if_else(pc.equal(s, ""), a.default, s)
    empty = pc.equal(s, "").to_numpy(zero_copy_only=False)
    if base in ("string", "code", "float") or (base.startswith("ref:") and not a.is_list):
        if base == "string" or base.startswith("ref:"):
            ok = np.ones(n, dtype=bool)
        else:
            pat = _CODE_PATTERN if base == "code" else _DECIMAL_PATTERN
            ok = pc.match_substring_regex(s, pat).to_numpy(zero_copy_only=False)
        if base == "float":
            xs = pc.cast(
                pc.if_else(pc.and_(pa.array(ok), pc.invert(pa.array(empty))), s, None), pa.float64()
            )
            x = xs.to_numpy(zero_copy_only=False).astype(float)
            ok &= empty | (np.isfinite(x) & (np.abs(x) <= attrs.MAX_ABS))
        bad = np.flatnonzero(~ok & ~empty)
        if bad.size:
            vals = s.take(pa.array(bad)).to_pylist()
            for r, v in zip(bad[: iss.cap].tolist(), vals[: iss.cap], strict=False):
                iss.rows(fname, a.field, np.array([r]), [v], _cell_rule(a, v) or "")
            if bad.size > iss.cap:
                iss.rows(fname, a.field, bad[iss.cap :], vals[iss.cap :], f"{a.field} invalid")
        if a.required and a.default == "":
            iss.rows(fname, a.field, np.flatnonzero(empty), None, _cell_rule(a, "") or "")
        if base == "float":
            return np.where(empty, np.nan, x)
        if not keep:
            return np.zeros(0, dtype=object)
        out = np.array(s.to_pylist(), dtype=object)
        out[empty] = None
        return out
    # few distinct values (enums, countries, booleans, lists, references, source refs):
    # the record reader's rule on each distinct value, broadcast to the rows
    enc = pc.dictionary_encode(s).combine_chunks()
    uniq = enc.dictionary.to_pylist()
    idx = enc.indices.to_numpy(zero_copy_only=False)
    msgs = [_cell_rule(a, u) for u in uniq]
    for j, m in enumerate(msgs):
        problems = [(uniq[j], m)] if m is not None else []
        if m is None and base == "source_ref" and uniq[j] != "":
            problems = source_ref_problems(uniq[j], sources)
        for value, rule in problems:
            rows = np.flatnonzero(idx == j)
            iss.rows(fname, a.field, rows, [value] * min(rows.size, iss.cap), rule)
    if base == "bool":
        lut = np.array(
            [
                bool(attrs.parse_cell(a, u)) if m is None else False
                for u, m in zip(uniq, msgs, strict=True)
            ],
            dtype=bool,
        )
        return lut[idx] if lut.size else np.zeros(n, dtype=bool)
    lut_o = np.array([u if u != "" else None for u in uniq] + [None], dtype=object)
    return lut_o[idx] if len(uniq) else np.full(n, None, dtype=object)


def _columns(
    comp: str, fname: str, table: pa.Table, iss: _Issues, sources: Collection[str]
) -> dict[str, np.ndarray]:
    n = table.num_rows
    names = set(table.column_names)
    out = {}
    for a in attrs.table()[comp]:
        col = table.column(a.field) if a.field in names else None
        keep = a.field in KEPT[comp]
        v = _column(a, col, n, fname, iss, sources, keep)
        if keep:
            out[a.field] = v
    return out


def _known(values: np.ndarray, known: Collection[str]) -> np.ndarray:
    """Bool per row: the value is None or in ``known`` (hash lookups)."""
    return np.asarray(pd.isna(values) | pd.Series(values).isin(list(known)).to_numpy())


def _duplicates(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose id already appeared, and the row of its first appearance."""
    codes, _ = pd.factorize(ids)
    first = np.full(int(codes.max(initial=-1)) + 1, -1, dtype=np.int64)
    rows = np.arange(codes.size)
    first[codes[::-1]] = rows[::-1]  # the last write per code is its first row
    dup = np.flatnonzero(first[codes] != rows)
    return dup, first[codes[dup]]


def _node_rules(nodes: dict[str, np.ndarray], fname: str, iss: _Issues) -> None:
    for col, lim in (("lat", 90.0), ("lon", 180.0)):
        x = nodes[col]
        bad = np.flatnonzero(np.isfinite(x) & (np.abs(x) > lim))
        iss.rows(
            fname,
            col,
            bad,
            x[bad[: iss.cap]].tolist(),
            f"Input should be {'greater than or equal to'} {-lim:g} and {'less than or equal to'} "
            f"{lim:g}",
        )
    rows, first = _duplicates(nodes["id"])
    for r, f in zip(rows[: iss.cap].tolist(), first[: iss.cap].tolist(), strict=True):
        iss.add(
            Issue(
                fname,
                r + 2,
                "id",
                str(nodes["id"][r]),
                f"duplicate id (already used on row {f + 2})",
            )
        )


def _link_rules(
    links: dict[str, np.ndarray], node_ids: np.ndarray, rest: Network, fname: str, iss: _Issues
) -> None:
    d = links["distance"]
    bad = np.flatnonzero(np.isfinite(d) & (d <= 0))
    iss.rows(fname, "distance", bad, d[bad[: iss.cap]].tolist(), "Input should be greater than 0")
    tmin, tmode, tmax = links["time_min"], links["time_mode"], links["time_max"]
    for col, x in (("time_min", tmin), ("time_mode", tmode), ("time_max", tmax)):
        bad = np.flatnonzero(x < 0)
        iss.rows(
            fname,
            col,
            bad,
            x[bad[: iss.cap]].tolist(),
            "Input should be greater than or equal to 0",
        )
    fin = np.isfinite(tmin) & np.isfinite(tmode) & np.isfinite(tmax)
    for col, bad_mask in (
        ("time_min", fin & (tmin > tmode)),
        ("time_max", fin & (tmin <= tmode) & (tmode > tmax)),
    ):
        bad = np.flatnonzero(bad_mask)
        iss.rows(
            fname,
            col,
            bad,
            [f"{tmin[r]:g}, {tmode[r]:g}, {tmax[r]:g}" for r in bad[: iss.cap].tolist()],
            "time must satisfy min <= mode <= max",
        )
    a, b = links["a_node"], links["b_node"]
    loop = np.flatnonzero((a == b) & (a != None))  # noqa: E711
    iss.rows(
        fname,
        "b_node",
        loop,
        b[loop[: iss.cap]].tolist(),
        "a link may not start and end at the same node",
    )
    index = pd.Index(node_ids)
    if not index.is_unique:  # reported by _node_rules; look ends up among the distinct ids
        index = pd.Index(pd.unique(node_ids))
    for col in ("a_node", "b_node"):
        v = links[col]
        at = index.get_indexer(v)
        links[f"{col}_row"] = at  # row of the node in nodes, -1 when unknown
        bad = np.flatnonzero((at < 0) & ~pd.isna(v))
        iss.rows(
            fname, col, bad, v[bad[: iss.cap]].tolist(), "refers to a node that is not in nodes"
        )
    cap = links["capacity"]
    has = np.isfinite(cap)
    bad = np.flatnonzero(has & (cap <= 0))
    iss.rows(
        fname,
        "capacity",
        bad,
        cap[bad[: iss.cap]].tolist(),
        "capacity must be > 0 (leave it empty when unknown)",
    )
    for col, rule in (
        ("capacity_unit", "capacity needs a capacity_unit"),
        ("capacity_source", "capacity needs a capacity_source"),
    ):
        bad = np.flatnonzero(has & (cap > 0) & (links[col] == None))  # noqa: E711
        iss.rows(fname, col, bad, None, rule)
    bad = np.flatnonzero(~_known(links["service"], set(rest.services)))
    iss.rows(
        fname,
        "service",
        bad,
        links["service"][bad[: iss.cap]].tolist(),
        "refers to a service that is not in services",
    )
    # commodity lists: each item a commodity of the dataset or '*'
    known_c = set(rest.commodities) | {"*"}
    com = links["commodities"]
    inv, uniq = pd.factorize(com)
    ok = np.array(
        [all(x.strip() in known_c for x in str(u).split(";")) for u in uniq.tolist()] + [True],
        dtype=bool,
    )
    bad = np.flatnonzero(~ok[inv])
    iss.rows(
        fname,
        "commodities",
        bad,
        com[bad[: iss.cap]].tolist(),
        "names a commodity that is not in commodities",
    )
    rows, first = _duplicates(links["id"])
    for r, f in zip(rows[: iss.cap].tolist(), first[: iss.cap].tolist(), strict=True):
        iss.add(
            Issue(
                fname,
                r + 2,
                "id",
                str(links["id"][r]),
                f"duplicate id (already used on row {f + 2})",
            )
        )


def read_arrays(path: str | Path) -> ArrayNetwork:
    """Read the dataset folder ``path`` with nodes and links as arrays (see the module
    docstring); DataError listing every problem found."""
    path = Path(path)
    rd = _Reader(path)
    if rd.zip is not None:
        raise DataError(
            Issue(path.name, None, None, None, "the array reader reads a folder, not a zip archive")
        )
    iss = _Issues()
    raw_issues: list[Issue] = []
    manifest = _read_manifest(rd, raw_issues)
    for i in raw_issues:
        iss.add(i)
    if manifest is None:
        raise DataError(iss.items)
    files = dict(manifest.files)
    digest = hashlib.sha256()
    comps: dict[str, list[Any]] = {}
    for comp in attrs.COMPONENTS:
        if comp in ARRAY_COMPONENTS:
            continue
        fname = files.get(comp, f"{comp}.csv")
        if not rd.exists(fname):
            if comp in REQUIRED_COMPONENTS:
                iss.add(
                    Issue(
                        fname, None, None, None, f"required file for component '{comp}' is missing"
                    )
                )
            continue
        data = rd.read(fname)
        digest.update(comp.encode() + b"\0" + data)
        lst: list[Issue] = []
        text = _decode(data, fname, lst)
        if text is not None:
            comps[comp] = [r for _, r in read_component(comp, text, fname, lst)]
        for i in lst:
            iss.add(i)
    rest = build_network(manifest, comps)
    tables: dict[str, dict[str, np.ndarray]] = {}
    for comp in ARRAY_COMPONENTS:
        fname = files.get(comp, f"{comp}.csv")
        if not rd.exists(fname):
            iss.add(
                Issue(fname, None, None, None, f"required file for component '{comp}' is missing")
            )
            continue
        fpath = path / fname
        with open(fpath, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 24), b""):
                digest.update(chunk)
        table = _read_table(fpath, fname, iss)
        if table is None or not _header(comp, fname, table, iss):
            continue
        if table.num_rows == 0:
            iss.add(Issue(fname, None, None, None, f"{comp} has no rows"))
            continue
        tables[comp] = _columns(comp, fname, table, iss, rest.sources)
        del table
    if "nodes" in tables:
        _node_rules(tables["nodes"], files.get("nodes", "nodes.csv"), iss)
    if "links" in tables and "nodes" in tables:
        _link_rules(
            tables["links"], tables["nodes"]["id"], rest, files.get("links", "links.csv"), iss
        )
    if iss.errors or "nodes" not in tables or "links" not in tables:
        raise DataError(iss.items)
    nodes, links = tables["nodes"], tables["links"]
    # a place no link reaches cannot be routed to: a warning, as in the record checks
    used = np.zeros(nodes["id"].size, dtype=bool)
    used[links["a_node_row"]] = True
    used[links["b_node_row"]] = True
    lonely = np.flatnonzero(~used)
    fname = files.get("nodes", "nodes.csv")
    for r in lonely[: iss.cap].tolist():
        iss.add(
            Issue(fname, r + 2, "id", str(nodes["id"][r]), "no link reaches this node", "warning")
        )
    return ArrayNetwork(
        manifest,
        digest.hexdigest(),
        nodes,
        links,
        rest,
        files,
        [i for i in iss.items if i.severity == "warning"],
    )

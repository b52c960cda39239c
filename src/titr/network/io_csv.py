"""Read and write datasets as CSV files plus a manifest (a folder or a zip).

Reading collects every problem of every file before it gives up: a `DataError` lists them all,
each naming file, row, column, value and the rule broken. Nothing is half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from titr.errors import DataError, Issue
from titr.network import attributes as attrs
from titr.network.model import (
    COMPONENT_MODELS,
    FieldRuleError,
    Manifest,
    Network,
    Record,
    record_key,
)

REQUIRED_COMPONENTS = ("sources", "nodes", "links", "commodities")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 1_000_000


class _Reader:
    """Gives file names and bytes from a folder or a zip archive."""

    def __init__(self, path: Path):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        if path.is_file():
            if not zipfile.is_zipfile(path):
                raise DataError(
                    Issue(
                        str(path),
                        None,
                        None,
                        None,
                        "a dataset is a folder or a .zip with manifest.json and CSV files",
                    )
                )
            self.zip = zipfile.ZipFile(path)
            names = self.zip.namelist()
            manifests = [n for n in names if n.endswith("manifest.json")]
            if manifests:
                self.prefix = manifests[0][: -len("manifest.json")]
        elif not path.is_dir():
            raise DataError(Issue(str(path), None, None, None, "no such file or folder"))

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return (self.prefix + name) in self.zip.namelist()
        return (self.path / name).is_file()

    def read(self, name: str) -> bytes:
        if self.zip is not None:
            info = self.zip.getinfo(self.prefix + name)
            if info.file_size > MAX_FILE_BYTES:
                raise OSError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
            return self.zip.read(self.prefix + name)
        p = self.path / name
        if p.stat().st_size > MAX_FILE_BYTES:
            raise OSError(f"larger than {MAX_FILE_BYTES // 2**20} MiB")
        return p.read_bytes()


def _decode(data: bytes, fname: str, issues: list[Issue]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        issues.append(
            Issue(
                fname,
                line,
                _column_at(data, e.start),
                repr(data[e.start : e.start + 4]),
                f"file must be UTF-8 encoded (invalid byte at offset {e.start}; "
                f"save it as UTF-8, not Latin-1/Windows-1252)",
            )
        )
        return None


def _column_at(data: bytes, offset: int) -> str | None:
    """Header name of the CSV column that byte `offset` falls in (None if unknown)."""
    head_end = data.find(b"\n")
    if head_end < 0 or offset <= head_end:
        return None
    header = next(csv.reader([data[:head_end].decode("utf-8", "replace").lstrip("\ufeff")]))
    line_start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[line_start:offset].decode("utf-8", "replace")
    try:
        idx = len(next(csv.reader([prefix + "x"]))) - 1
    except (csv.Error, StopIteration):
        return None
    return header[idx].strip() if 0 <= idx < len(header) else None


def _read_manifest(rd: _Reader, issues: list[Issue]) -> Manifest | None:
    if not rd.exists("manifest.json"):
        issues.append(
            Issue(
                "manifest.json",
                None,
                None,
                None,
                "a dataset needs a manifest.json with at least name and version",
            )
        )
        return None
    text = _decode(rd.read("manifest.json"), "manifest.json", issues)
    if text is None:
        return None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        issues.append(Issue("manifest.json", e.lineno, None, None, f"invalid JSON: {e.msg}"))
        return None
    if not isinstance(raw, dict):
        issues.append(Issue("manifest.json", None, None, None, "must be a JSON object"))
        return None
    try:
        m = Manifest.model_validate(raw)
    except ValidationError as e:
        for err in e.errors():
            issues.append(
                Issue(
                    "manifest.json",
                    None,
                    ".".join(map(str, err["loc"])),
                    None if err["type"] == "missing" else str(err.get("input"))[:80],
                    err["msg"],
                )
            )
        return None
    for comp in m.files:
        if comp not in attrs.COMPONENTS:
            issues.append(
                Issue(
                    "manifest.json",
                    None,
                    "files",
                    comp,
                    f"unknown component; known: {', '.join(attrs.COMPONENTS)}",
                )
            )
    return m


def _rows(text: str, fname: str, issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based line number of the row start, cells); strict quoting."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1  # the line this row starts on
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            if "unexpected end of data" in str(e):
                line, what = start, "a quoted field opened on this row is never closed"
            else:
                line, what = reader.line_num, str(e)
            issues.append(
                Issue(
                    fname,
                    line,
                    None,
                    None,
                    f"broken CSV quoting: {what} (a field with commas, quotes or "
                    f"line breaks must be enclosed in double quotes, and quotes "
                    f"inside doubled)",
                )
            )
            return
        yield start, row


def read_component(
    comp: str, text: str, fname: str, issues: list[Issue]
) -> list[tuple[int, Record]]:
    """Parse one component's CSV text into validated records; append issues."""
    table = attrs.table()[comp]
    by_name = {a.field: a for a in table}
    model = COMPONENT_MODELS[comp]
    out: list[tuple[int, Record]] = []
    if text.strip() == "":
        issues.append(
            Issue(
                fname,
                None,
                None,
                None,
                f"file is empty: it needs a header row ({','.join(by_name)})",
            )
        )
        return out
    it = _rows(text, fname, issues)
    try:
        _, header = next(it)
    except StopIteration:
        return out
    header = [h.strip() for h in header]
    unknown = [h for h in header if h not in by_name]
    for h in unknown:
        issues.append(Issue(fname, 1, h, None, f"unknown column; {comp} has: {', '.join(by_name)}"))
    dups = {h for h in header if header.count(h) > 1}
    for h in dups:
        issues.append(Issue(fname, 1, h, None, "column appears more than once"))
    missing = [a.field for a in table if a.required and a.default == "" and a.field not in header]
    for f in missing:
        issues.append(Issue(fname, 1, f, None, "required column is missing"))
    if unknown or dups or missing:
        return out
    seen_ids: dict[Any, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    n = 0
    for line, row in it:
        if not row or all(c.strip() == "" for c in row):
            continue
        n += 1
        if n > MAX_ROWS:
            issues.append(Issue(fname, line, None, None, f"more than {MAX_ROWS} rows"))
            break
        if len(row) != len(header):
            issues.append(
                Issue(
                    fname,
                    line,
                    None,
                    None,
                    f"row has {len(row)} cells but the header has {len(header)} "
                    f"(check commas and quoting)",
                )
            )
            continue
        key_row = tuple(c.strip() for c in row)
        if key_row in seen_rows:
            issues.append(
                Issue(fname, line, None, None, f"duplicated row (same as row {seen_rows[key_row]})")
            )
            continue
        seen_rows[key_row] = line
        raw = dict(zip(header, row, strict=True))
        values: dict[str, Any] = {}
        bad = False
        for h, cell in zip(header, row, strict=True):
            a = by_name[h]
            try:
                values[h] = attrs.parse_cell(a, cell)
            except attrs.CellError as e:
                issues.append(
                    Issue(
                        fname,
                        line,
                        h,
                        cell,
                        f"{h} {e} ({a.type}" + (f", unit {a.unit}" if a.unit else "") + ")",
                    )
                )
                bad = True
        for a in table:  # columns left out that have defaults
            if a.field not in header:
                try:
                    values[a.field] = attrs.parse_cell(a, "")
                except attrs.CellError as e:
                    issues.append(Issue(fname, line, a.field, "", f"{a.field} {e}"))
                    bad = True
        if bad:
            continue
        try:
            rec = model.model_validate(values)
        except ValidationError as e:
            for err in e.errors():
                col = ".".join(str(x) for x in err["loc"]) or None
                cause = (err.get("ctx") or {}).get("error")
                if col is None and isinstance(cause, FieldRuleError):
                    col = cause.field  # a cross-field rule that one column breaks
                val = raw.get(col, values.get(col)) if col else None  # the cell as written
                msg = err["msg"].removeprefix("Value error, ")
                issues.append(Issue(fname, line, col, None if val is None else str(val), msg))
            continue
        key = record_key(comp, rec)
        if key in seen_ids:
            issues.append(
                Issue(
                    fname,
                    line,
                    _key_column(comp),
                    str(key),
                    f"duplicate id (already used on row {seen_ids[key]})",
                )
            )
            continue
        seen_ids[key] = line
        out.append((line, rec))
    return out


def _key_column(comp: str) -> str:
    return {"emission_factors": "mode", "indicators": "series,year,variant"}.get(comp, "id")


def read_dataset(path: str | Path, *, check: bool = True) -> Network:
    """Read and validate a dataset folder or zip. Raises DataError with every issue found."""
    return validate_dataset(path, check=check)[0]


def validate_dataset(path: str | Path, *, check: bool = True) -> tuple[Network, list[Issue]]:
    """Like `read_dataset`, and also return the warnings, located by file and row."""
    path = Path(path)
    rd = _Reader(path)
    issues: list[Issue] = []
    manifest = _read_manifest(rd, issues)
    files = dict(manifest.files) if manifest else {}
    parsed: dict[str, list[tuple[int, Record]]] = {}
    for comp in attrs.COMPONENTS:
        fname = files.get(comp, f"{comp}.csv")
        if not rd.exists(fname):
            if comp in REQUIRED_COMPONENTS:
                issues.append(
                    Issue(
                        fname, None, None, None, f"required file for component '{comp}' is missing"
                    )
                )
            continue
        try:
            data = rd.read(fname)
        except OSError as e:
            issues.append(Issue(fname, None, None, None, f"cannot read: {e}"))
            continue
        text = _decode(data, fname, issues)
        if text is None:
            continue
        parsed[comp] = read_component(comp, text, fname, issues)
    if manifest is None or any(i.severity == "error" for i in issues):
        raise DataError(issues)
    net = build_network(manifest, {c: [r for _, r in rows] for c, rows in parsed.items()})
    if check:
        from titr.network.checks import run_checks

        rows_of = {
            c: {record_key(c, r): (files.get(c, f"{c}.csv"), ln) for ln, r in rs}
            for c, rs in parsed.items()
        }
        problems = run_checks(net, rows_of)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise DataError(problems)
        return net, problems
    return net, []


def build_network(manifest: Manifest, comps: dict[str, list[Record]]) -> Network:
    kw: dict[str, Any] = {"manifest": manifest}
    for comp, recs in comps.items():
        if comp == "indicators":
            kw[comp] = list(recs)
        else:
            kw[comp] = {record_key(comp, r): r for r in recs}
    net = Network(**kw)
    return net.model_copy(update={"content_hash": content_hash(net)})


def record_to_row(comp: str, rec: Record) -> list[str]:
    d = rec.model_dump()
    out = []
    for a in attrs.table()[comp]:
        v = d.get(a.field)
        if v is None:
            out.append("")
        elif isinstance(v, list):
            out.append(";".join(v))
        elif isinstance(v, bool):
            out.append("true" if v else "false")
        elif isinstance(v, float):
            out.append(repr(v) if v != int(v) else str(int(v)) if abs(v) < 1e15 else repr(v))
        else:
            out.append(str(v))
    return out


def component_records(net: Network, comp: str) -> list[Record]:
    val = getattr(net, comp)
    return list(val) if isinstance(val, list) else list(val.values())


def component_csv(net: Network, comp: str) -> str:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(attrs.fields(comp))
    for rec in component_records(net, comp):
        w.writerow(record_to_row(comp, rec))
    return buf.getvalue()


def content_hash(net: Network) -> str:
    """sha256 over the canonical CSV of every component (order-preserving)."""
    h = hashlib.sha256()
    for comp in attrs.COMPONENTS:
        h.update(comp.encode())
        h.update(component_csv(net, comp).encode("utf-8"))
    return h.hexdigest()


def write_dataset(net: Network, out: str | Path) -> Path:
    """Write a dataset folder (manifest.json + one CSV per component)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {c: f"{c}.csv" for c in attrs.COMPONENTS}
    man = net.manifest.model_dump()
    man["files"] = files
    (out / "manifest.json").write_text(
        json.dumps(man, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    for c, fn in files.items():
        (out / fn).write_text(component_csv(net, c), "utf-8")
    return out


def apply_alternatives(net: Network, labels: list[str]) -> Network:
    """Copy of `net` where alternatives with the given labels replace default values."""
    known = {a.label for a in net.alternatives.values()}
    unknown = [lb for lb in labels if lb not in known]
    if unknown:
        raise DataError(
            [
                Issue(
                    "alternatives",
                    None,
                    "label",
                    lb,
                    f"no alternative has this label; known: {sorted(known)}",
                )
                for lb in unknown
            ]
        )
    comps: dict[str, dict[str, Record]] = {}
    for alt in net.alternatives.values():
        if alt.label not in labels:
            continue
        store = comps.setdefault(alt.component, dict(getattr(net, alt.component)))
        rec = store.get(alt.ref)
        if rec is None:
            raise DataError(
                Issue(
                    "alternatives",
                    None,
                    "ref",
                    alt.ref,
                    f"alternative {alt.id} refers to a missing {alt.component} row",
                )
            )
        a = next((x for x in attrs.table()[alt.component] if x.field == alt.field), None)
        if a is None:
            raise DataError(
                Issue(
                    "alternatives", None, "field", alt.field, f"{alt.component} has no such field"
                )
            )
        try:
            value = attrs.parse_cell(a, alt.value)
        except attrs.CellError as e:
            raise DataError(
                Issue("alternatives", None, "value", alt.value, f"{alt.field} {e}")
            ) from None
        d = rec.model_dump()
        d[alt.field] = value
        store[alt.ref] = type(rec).model_validate(d)
    upd: dict[str, Any] = dict(comps)
    new = net.model_copy(update=upd)
    man = new.manifest.model_copy(
        update={"version": new.manifest.version + "+" + "+".join(sorted(labels))}
    )
    new = new.model_copy(update={"manifest": man})
    return new.model_copy(update={"content_hash": content_hash(new)})

"""Read and write datasets as CSV files plus a manifest (a folder or a zip).

Reading collects every problem of every file before it gives up: a `DataError` lists them all,
each naming file, row, column, value and the rule broken. Nothing is half-loaded.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from titr import limits
from titr.errors import DataError, Issue
from titr.network import attributes as attrs
from titr.network.checks import run_checks
from titr.network.model import (
    COMPONENT_MODELS,
    FieldRuleError,
    Manifest,
    Network,
    Record,
    record_key,
)

REQUIRED_COMPONENTS = ("sources", "nodes", "links", "commodities")
_CHUNK = 1 << 16
# C0 control characters (except TAB, LF, CR) and DEL: refused in every cell and manifest
# string, whatever the backend (PostgreSQL cannot store NUL; none has a meaning in the data)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# a manifest name or version is part of a reference and of HTTP headers: no control at all
LABEL_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _ignored_member(name: str) -> bool:
    """Archive metadata that is not part of a dataset: macOS resource forks (`__MACOSX/`,
    `._name`), folders, Finder/Explorer litter."""
    base = name.rsplit("/", 1)[-1]
    return (
        name.startswith("__MACOSX/")
        or "/__MACOSX/" in name
        or base.startswith("._")
        or base in (".DS_Store", "Thumbs.db", "desktop.ini")
        or name.endswith("/")
    )


def _safe_relpath(name: str) -> str | None:
    """Why a file name from a manifest is not a plain relative path inside the dataset folder
    (None when it is): no absolute paths, drive letters, backslashes, '..' or controls."""
    if not name or len(name) > 255:
        return "must be a file name of 1 to 255 characters"
    if LABEL_CONTROL_RE.search(name):
        return "may not contain control characters"
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "must be a relative path with '/' inside the dataset folder"
    if any(part in ("", ".", "..") for part in name.split("/")):
        return "may not contain '..', '.' or empty path parts: files stay inside the dataset folder"
    return None


class _Reader:
    """Gives file names and bytes from a folder or a zip archive, within the limits: members
    are inflated in chunks and counted as they come out (size, total, compression ratio), and
    every archive failure (bad CRC, corrupt deflate, encryption, unsupported method) is a
    DataError naming the member."""

    def __init__(self, path: Path):
        self.path = path
        self.zip: zipfile.ZipFile | None = None
        self.prefix = ""
        self.inflated = 0
        self._members: dict[str, zipfile.ZipInfo] = {}
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
            lim = limits.current()
            try:
                self.zip = zipfile.ZipFile(path)
                infos = self.zip.infolist()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
                raise DataError(
                    Issue(path.name, None, None, None, f"damaged zip archive: {e}")
                ) from None
            if len(infos) > lim.max_archive_members:
                raise DataError(
                    Issue(
                        path.name,
                        None,
                        None,
                        str(len(infos)),
                        limits.rule("max_archive_members", len(infos), "entries in the archive"),
                    )
                )
            self._members = {i.filename: i for i in infos if not _ignored_member(i.filename)}
            manifests = sorted(
                (n for n in self._members if n.rsplit("/", 1)[-1] == "manifest.json"),
                key=lambda n: (n.count("/"), n),
            )
            if manifests:
                self.prefix = manifests[0][: -len("manifest.json")]
        elif not path.is_dir():
            raise DataError(Issue(str(path), None, None, None, "no such file or folder"))

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return (self.prefix + name) in self._members
        return (self.path / name).is_file()

    def _inside(self, p: Path) -> bool:
        try:
            return p.resolve().is_relative_to(self.path.resolve())
        except OSError:
            return False

    def read(self, name: str) -> bytes:
        """The file's bytes; OSError (message = the rule) when it breaks a limit or the
        archive is damaged."""
        lim = limits.current()
        if self.zip is None:
            p = self.path / name
            if not self._inside(p):
                raise OSError("the file lies outside the dataset folder (a link?)")
            size = p.stat().st_size
            if size > lim.max_member_bytes:
                raise OSError(limits.rule("max_member_bytes", size, "file size in bytes"))
            return p.read_bytes()
        info = self._members[self.prefix + name]
        if info.flag_bits & 0x1:
            raise OSError("the archive member is encrypted: zip it again without a password")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise OSError(
                f"compression method {info.compress_type} is not supported: zip it again "
                f"with 'deflate' (the default of every zip tool)"
            )
        cap = min(lim.max_member_bytes, lim.max_uncompressed_bytes - self.inflated)
        ratio_cap = max(info.compress_size, 1) * lim.max_compression_ratio
        out = bytearray()
        try:
            with self.zip.open(info) as f:
                while chunk := f.read(_CHUNK):
                    limits.checkpoint()
                    out += chunk
                    n = len(out)
                    if n > lim.max_member_bytes:
                        raise OSError(limits.rule("max_member_bytes", f"> {n}", "inflated size"))
                    if n > cap:
                        raise OSError(
                            limits.rule(
                                "max_uncompressed_bytes",
                                f"> {self.inflated + n}",
                                "inflated size of the archive",
                            )
                        )
                    if n > ratio_cap and n > _CHUNK:
                        raise OSError(
                            limits.rule(
                                "max_compression_ratio",
                                f"> {n // max(info.compress_size, 1)}",
                                "compression ratio (a zip bomb?)",
                            )
                        )
        except OSError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError) as e:
            raise OSError(f"damaged archive member ({type(e).__name__}: {e})") from None
        except NotImplementedError as e:
            raise OSError(f"unsupported archive member: {e}") from None
        self.inflated += len(out)
        return bytes(out)


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
    try:
        data = rd.read("manifest.json")
    except OSError as e:
        issues.append(Issue("manifest.json", None, None, None, f"cannot read: {e}"))
        return None
    text = _decode(data, "manifest.json", issues)
    if text is None:
        return None
    try:
        raw = limits.load_json(text, "manifest.json")
    except json.JSONDecodeError as e:
        issues.append(Issue("manifest.json", e.lineno, None, None, f"invalid JSON: {e.msg}"))
        return None
    except limits.LimitError as e:
        issues.append(Issue("manifest.json", None, None, None, str(e)))
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
    for key in ("name", "version"):
        v = getattr(m, key)
        if LABEL_CONTROL_RE.search(v):
            issues.append(
                Issue(
                    "manifest.json",
                    None,
                    key,
                    repr(v)[:80],
                    f"the dataset {key} may not contain control characters (line breaks, NUL)",
                )
            )
    if "/" in m.version or "\\" in m.version or m.version.strip(".") == "":
        issues.append(
            Issue(
                "manifest.json",
                None,
                "version",
                m.version[:80],
                "the dataset version may not contain '/' or '\\' or be only dots "
                "(it names the files of an export)",
            )
        )
    for key, v in raw.items():
        if isinstance(v, str) and key not in ("name", "version") and CONTROL_RE.search(v):
            issues.append(
                Issue(
                    "manifest.json",
                    None,
                    key,
                    repr(v)[:80],
                    "control characters (other than tab and line breaks) are not allowed",
                )
            )
    for comp, fname in m.files.items():
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
        why = _safe_relpath(fname)
        if why is not None:
            issues.append(Issue("manifest.json", None, f"files.{comp}", fname[:80], why))
    if any(i.file == "manifest.json" for i in issues):
        return None
    return m


def _lines(text: str, fname: str, lim: limits.Limits) -> Iterator[str]:
    """The text's lines for the CSV reader, refusing a line longer than max_line_bytes and
    more physical lines than max_rows allows (blank lines count: a file of 60 million empty
    lines is refused as fast as it is read)."""
    max_lines = lim.max_rows * 2 + 1000
    for n, line in enumerate(io.StringIO(text, newline=""), 1):
        if len(line) > lim.max_line_bytes:
            raise _Stop(
                Issue(
                    fname,
                    n,
                    None,
                    None,
                    limits.rule("max_line_bytes", f">= {len(line)}", "line length"),
                )
            )
        if n > max_lines:
            raise _Stop(Issue(fname, n, None, None, limits.rule("max_rows", n, "lines")))
        yield line


class _Stop(Exception):
    """Reading one file stops here; `issue` says why."""

    def __init__(self, issue: Issue):
        self.issue = issue


def _rows(text: str, fname: str, issues: list[Issue]) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based line number of the row start, cells); strict quoting, bounded field and
    line lengths."""
    lim = limits.current()
    csv.field_size_limit(max(lim.max_field_chars, 1))
    reader = csv.reader(_lines(text, fname, lim), strict=True)
    while True:
        start = reader.line_num + 1  # the line this row starts on
        try:
            row = next(reader)
        except StopIteration:
            return
        except _Stop as e:
            issues.append(e.issue)
            return
        except csv.Error as e:
            msg = str(e)
            if "field larger than field limit" in msg:
                issues.append(
                    Issue(
                        fname,
                        reader.line_num,
                        None,
                        None,
                        limits.rule("max_field_chars", "more", "characters in one cell"),
                    )
                )
                return
            if "unexpected end of data" in msg:
                line, what = start, "a quoted field opened on this row is never closed"
            else:
                line, what = reader.line_num, msg
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
        if len(row) > lim.max_columns:
            issues.append(
                Issue(fname, start, None, None, limits.rule("max_columns", len(row), "cells"))
            )
            return
        yield start, row


def _control_issue(fname: str, text: str, header: list[str]) -> Issue | None:
    """The first control character (C0 except tab/LF/CR, and DEL) of a file, located."""
    m = CONTROL_RE.search(text)
    if m is None:
        return None
    data = text[: m.start()]
    line = data.count("\n") + 1
    col = None
    if line > 1:
        prefix = data[data.rfind("\n") + 1 :]
        try:
            idx = len(next(csv.reader([prefix + "x"]))) - 1
            col = header[idx] if 0 <= idx < len(header) else None
        except (csv.Error, StopIteration):
            col = None
    return Issue(
        fname,
        line,
        col,
        repr(text[max(0, m.start() - 10) : m.end() + 10]),
        f"control character U+{ord(m.group()):04X} in a cell: cells are text without NUL or "
        f"other control characters (tab and line breaks inside quotes are allowed)",
    )


def read_component(
    comp: str, text: str, fname: str, issues: list[Issue], *, rows_before: int = 0
) -> list[tuple[int, Record]]:
    """Parse one component's CSV text into validated records; append issues.

    Work is linear in the text and bounded by the limits (`titr.limits`): rows, columns,
    line and cell length; after max_errors issues in this file reading stops with one more
    issue saying so."""
    lim = limits.current()
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
    ctrl = _control_issue(fname, text, header)
    if ctrl is not None:
        issues.append(ctrl)
        return out
    counts: dict[str, int] = {}
    for h in header:
        counts[h] = counts.get(h, 0) + 1
    unknown = [h for h in counts if h not in by_name]
    for h in unknown[: lim.max_errors]:
        issues.append(Issue(fname, 1, h, None, f"unknown column; {comp} has: {', '.join(by_name)}"))
    dups = [h for h, c in counts.items() if c > 1]
    for h in dups[: lim.max_errors]:
        issues.append(Issue(fname, 1, h, None, "column appears more than once"))
    missing = [a.field for a in table if a.required and a.default == "" and a.field not in counts]
    for f in missing:
        issues.append(Issue(fname, 1, f, None, "required column is missing"))
    if len(unknown) + len(dups) > lim.max_errors:
        issues.append(
            Issue(
                fname,
                1,
                None,
                None,
                f"{len(unknown) + len(dups) - lim.max_errors} more header issues not listed "
                f"(limit max_errors = {lim.max_errors})",
            )
        )
    if unknown or dups or missing:
        return out
    seen_ids: dict[Any, int] = {}
    seen_rows: dict[tuple[str, ...], int] = {}
    n = 0
    first = len(issues)
    for line, row in it:
        if len(issues) - first >= lim.max_errors - 1:  # the stop notice is the last listed
            issues.append(
                Issue(
                    fname,
                    line,
                    None,
                    None,
                    f"stopped reading this file after {len(issues) - first} issues (limit "
                    f"max_errors = {lim.max_errors}); rows from here on were not checked",
                )
            )
            break
        if line & 0xFF == 0:
            limits.checkpoint()
        if not "".join(row).strip():
            continue
        n += 1
        if n + rows_before > lim.max_rows:
            issues.append(
                Issue(
                    fname,
                    line,
                    None,
                    None,
                    limits.rule("max_rows", n + rows_before, "data rows in the dataset"),
                )
            )
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
    return {"emission_factors": "mode,service_kind", "indicators": "series,year,variant"}.get(
        comp, "id"
    )


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
    texts: dict[str, str] = {}
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
        texts[comp] = text
        parsed[comp] = read_component(
            comp, text, fname, issues, rows_before=sum(len(v) for v in parsed.values())
        )
    if manifest is None or any(i.severity == "error" for i in issues):
        if manifest is not None and check:
            issues.extend(_reference_errors_of_valid_rows(manifest, parsed, texts, files))
        raise DataError(issues)
    net = build_network(manifest, {c: [r for _, r in rows] for c, rows in parsed.items()})
    if check:
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


def _reference_errors_of_valid_rows(
    manifest: Manifest,
    parsed: dict[str, list[tuple[int, Record]]],
    texts: dict[str, str],
    files: dict[str, str],
) -> list[Issue]:
    """Reference and source errors among the rows that passed their field rules, so one run
    reports a bad cell and an unknown node together (not one after the other). A reference
    to a row that was itself rejected is not reported: that row's own error says it."""
    from titr.network.checks import check_references, check_sources

    rejected: set[str] = set()
    for comp, text in texts.items():
        try:
            ids = {
                (r.get("id") or "").strip() for r in csv.DictReader(io.StringIO(text, newline=""))
            }
        except csv.Error:
            continue
        kept = {str(record_key(comp, r)) for _, r in parsed.get(comp, [])}
        rejected |= ids - kept - {""}
    try:
        net = build_network(manifest, {c: [r for _, r in rows] for c, rows in parsed.items()})
    except (ValidationError, ValueError, KeyError, TypeError):  # the field errors say why
        return []
    rows_of = {
        c: {record_key(c, r): (files.get(c, f"{c}.csv"), ln) for ln, r in rs}
        for c, rs in parsed.items()
    }
    out = check_references(net, rows_of) + check_sources(net, rows_of)
    return [i for i in out if i.severity == "error" and (i.value or "") not in rejected]


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
    for k in ("content_sha256", "content_sha256_by_version"):  # a bundled dataset's stamp
        man.pop(k, None)  # (titr.network.bundled) is not carried into a written copy
    (out / "manifest.json").write_text(
        json.dumps(man, indent=2, ensure_ascii=False) + "\n", "utf-8"
    )
    for c, fn in files.items():
        (out / fn).write_text(component_csv(net, c), "utf-8")
    return out

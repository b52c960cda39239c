"""The attribute table: the single definition of every dataset field (type, unit, default).

`attributes.csv` lists, for each component (nodes, links, ...), its fields with type, unit,
whether required, default and description. The CSV reader converts cells with it, the docs are
generated from it, the store's tables are built from it, and a test checks that the pydantic
models declare exactly these fields.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any

COMPONENTS = (
    "sources",
    "nodes",
    "links",
    "processes",
    "services",
    "commodities",
    "tariffs",
    "projects",
    "indicators",
    "targets",
    "emission_factors",
    "parameters",
    "alternatives",
)

CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
SOURCE_ID_RE = re.compile(r"^S\d{3,}$")
MAX_ABS = 1e12  # anything larger is a unit mistake, not a corridor figure


@dataclass(frozen=True)
class Attribute:
    component: str
    field: str
    type: str
    unit: str
    required: bool
    default: str
    description: str

    @cached_property
    def enum_values(self) -> tuple[str, ...] | None:
        t = self.type.removeprefix("list:")
        if t.startswith("enum:"):
            return tuple(t[5:].split("|"))
        return None

    @cached_property
    def is_list(self) -> bool:
        return self.type.startswith("list:")

    @cached_property
    def ref(self) -> str | None:
        t = self.type.removeprefix("list:")
        return t[4:] if t.startswith("ref:") else None


@lru_cache(maxsize=1)
def table() -> dict[str, list[Attribute]]:
    """Component -> ordered attributes, read from the packaged attributes.csv."""
    text = resources.files("titr.network").joinpath("attributes.csv").read_text("utf-8")
    out: dict[str, list[Attribute]] = {}
    for r in csv.DictReader(text.splitlines()):
        out.setdefault(r["component"], []).append(
            Attribute(
                r["component"],
                r["field"],
                r["type"],
                r["unit"],
                r["required"] == "yes",
                r["default"],
                r["description"],
            )
        )
    return out


def fields(component: str) -> list[str]:
    return [a.field for a in table()[component]]


class CellError(ValueError):
    """A cell does not satisfy its attribute's rule (message is the rule)."""


# ASCII decimal, as the attribute table states: 12, -3.5, .5, 4.5e6. Python's float() also
# takes '2_400', Arabic-Indic digits ('٣٠'), 'infinity' and full-width digits: refused here.
DECIMAL_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?$")


def _parse_float(raw: str) -> float:
    if raw.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        raise CellError("must be a finite number")
    if not DECIMAL_RE.match(raw):
        raise CellError(
            "must be a number in ASCII decimal notation (digits 0-9, '.' as the decimal "
            "point, optional exponent e.g. 4.5e6; no thousands separators)"
        )
    try:
        v = float(raw)
    except ValueError:
        raise CellError("must be a number") from None
    if not math.isfinite(v):
        raise CellError("must be a finite number")
    if abs(v) > MAX_ABS:
        raise CellError(f"must be at most {MAX_ABS:g} in absolute value (unit mistake?)")
    return v


def parse_cell(attr: Attribute, raw: str | None) -> Any:
    """Convert one CSV cell to its Python value; raise CellError naming the rule.

    Empty cells become the default (or None); required fields with no default must be set.
    """
    s = (raw or "").strip()
    if s == "":
        if attr.default != "":
            s = attr.default
        elif attr.required:
            raise CellError("is required and may not be empty")
        else:
            return [] if attr.is_list else None
    base = attr.type.removeprefix("list:")
    if attr.is_list:
        items = [x.strip() for x in s.split(";")]
        if any(x == "" for x in items):
            raise CellError("list items are separated by ';' and may not be empty")
        if base.startswith("enum:"):
            allowed = attr.enum_values or ()
            bad = [x for x in items if x not in allowed]
            if bad:
                raise CellError(f"items {bad} not in allowed values {list(allowed)}")
        if base == "country":
            bad = [x for x in items if not COUNTRY_RE.match(x)]
            if bad:
                raise CellError(
                    f"items {bad} are not ISO 3166-1 alpha-2 codes in capitals (KZ, AZ) or XX"
                )
        if len(set(items)) != len(items):
            raise CellError("list has duplicated items")
        return items
    if base == "string":
        return s
    if base == "code":
        if not CODE_RE.match(s):
            raise CellError("must be a code: a letter, then letters, digits, '_', '-' or '.'")
        return s
    if base == "country":
        if not COUNTRY_RE.match(s):
            raise CellError("must be an ISO 3166-1 alpha-2 code in capitals (KZ, AZ) or XX")
        return s
    if base == "float":
        return _parse_float(s)
    if base == "int":
        if not DECIMAL_RE.match(s):
            raise CellError("must be a whole number in ASCII digits (no separators)")
        try:
            f = float(s)
        except ValueError:
            raise CellError("must be a whole number") from None
        if not math.isfinite(f) or f != int(f):
            raise CellError("must be a whole number")
        if abs(f) > MAX_ABS:
            raise CellError(f"must be at most {MAX_ABS:g}")
        return int(f)
    if base == "bool":
        low = s.lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
        raise CellError("must be true or false")
    if base.startswith("enum:"):
        allowed = attr.enum_values or ()
        if s not in allowed:
            raise CellError(f"must be one of {[a for a in allowed if a]}")
        return s
    if base.startswith("ref:"):
        return s
    if base == "source_ref":
        return s
    raise CellError(f"unknown attribute type {attr.type}")  # pragma: no cover


def parse_source_ref(s: str) -> tuple[list[str], str | None]:
    """Split a source_ref cell into (source ids, estimate reasoning or None).

    Forms: 'S001;S002', 'EST: reasoning', 'S001; EST: reasoning'.
    """
    ids: list[str] = []
    est: str | None = None
    parts = s.split(";")
    for i, p in enumerate(parts):
        p = p.strip()
        if p.upper().startswith("EST"):
            est = ";".join(parts[i:]).strip()
            est = re.sub(r"^EST\s*:?\s*", "", est, flags=re.I)
            break
        if p:
            ids.append(p)
    return ids, est


def markdown_reference() -> str:
    """The data reference (docs/data-reference.md), generated from the table."""
    lines = [
        "# titr data reference",
        "",
        "Generated from `src/titr/network/attributes.csv` by `titr docs data-reference`; "
        "do not edit by hand.",
        "",
        "A dataset is a folder (or zip) with `manifest.json` and one CSV per component. "
        "Cells of type `source_ref` hold source ids separated by `;` (`S001;S014`) or "
        "`EST: reasoning` for an engineering estimate. List cells use `;`. Times are "
        "triangular distributions given as min / mode / max.",
        "",
    ]
    for comp, attrs in table().items():
        lines += [
            f"## {comp}",
            "",
            "| field | type | unit | required | default | description |",
            "|---|---|---|---|---|---|",
        ]
        for a in attrs:
            t = a.type.replace("|", "\\|")
            lines.append(
                f"| `{a.field}` | {t} | {a.unit} | {'yes' if a.required else 'no'} | "
                f"{a.default} | {a.description} |"
            )
        lines.append("")
    return "\n".join(lines)

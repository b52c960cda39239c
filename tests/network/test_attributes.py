"""The attribute table is the single definition: models, enums, types and docs follow it."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pytest

from titr.cli.main import main
from titr.network import attributes as attrs
from titr.network.model import COMPONENT_MODELS

ROOT = Path(__file__).resolve().parents[2]
COMPS = list(attrs.COMPONENTS)


def _unwrap(tp: Any) -> tuple[set[type], set[str], bool, bool]:
    """(base python types, Literal values, is optional, is list) of an annotation."""
    bases: set[type] = set()
    lits: set[str] = set()
    optional = is_list = False
    stack = [tp]
    while stack:
        t = stack.pop()
        origin = typing.get_origin(t)
        if t is type(None):
            optional = True
        elif origin in (typing.Union, types.UnionType):
            stack.extend(typing.get_args(t))
        elif origin is typing.Literal:
            lits.update(str(x) for x in typing.get_args(t))
            bases.add(str)
        elif origin is list:
            is_list = True
            stack.extend(typing.get_args(t))
        elif isinstance(t, type):
            bases.add(t)
    return bases, lits, optional, is_list


def test_every_component_has_a_model_and_attributes() -> None:
    assert set(attrs.table()) == set(COMPONENT_MODELS) == set(COMPS)


@pytest.mark.parametrize("comp", COMPS)
def test_model_declares_exactly_the_table_fields(comp: str) -> None:
    model_fields = set(COMPONENT_MODELS[comp].model_fields)
    table_fields = set(attrs.fields(comp))
    assert model_fields == table_fields, (
        f"{comp}: only in model {model_fields - table_fields}, "
        f"only in attributes.csv {table_fields - model_fields}"
    )
    assert len(attrs.fields(comp)) == len(table_fields), "a field is listed twice"


@pytest.mark.parametrize("comp", COMPS)
def test_required_and_defaults_agree(comp: str) -> None:
    fields = COMPONENT_MODELS[comp].model_fields
    for a in attrs.table()[comp]:
        fi = fields[a.field]
        where = f"{comp}.{a.field}"
        if a.required and a.default == "":
            assert fi.is_required(), f"{where} is required in attributes.csv"
        if not a.required:
            assert not fi.is_required(), f"{where} is optional in attributes.csv"
            assert fi.default in (None, [], 1, 0.0, 0), where
        if a.default != "":
            # the reader fills the default in; a model default, if any, must be the same value
            if not fi.is_required():
                assert fi.default == attrs.parse_cell(a, ""), where
            else:
                assert a.is_list, where  # only list '*' defaults are left to the reader


@pytest.mark.parametrize("comp", COMPS)
def test_enums_match_literals(comp: str) -> None:
    fields = COMPONENT_MODELS[comp].model_fields
    for a in attrs.table()[comp]:
        bases, lits, optional, is_list = _unwrap(fields[a.field].annotation)
        where = f"{comp}.{a.field}"
        assert is_list == a.is_list, where
        allowed = a.enum_values
        if allowed is None:
            assert not lits, f"{where}: model restricts values the table does not list"
            continue
        assert lits == {v for v in allowed if v != ""}, where
        if "" in allowed:
            assert optional, f"{where}: the table allows empty, the model does not"


PY_TYPES = {"float": {float}, "int": {int}, "bool": {bool}}


@pytest.mark.parametrize("comp", COMPS)
def test_scalar_types_match(comp: str) -> None:
    fields = COMPONENT_MODELS[comp].model_fields
    for a in attrs.table()[comp]:
        bases, _, _, _ = _unwrap(fields[a.field].annotation)
        want = PY_TYPES.get(a.type.removeprefix("list:"), {str})
        assert bases == want, f"{comp}.{a.field}: table {a.type}, model {bases}"


def test_table_rows_are_well_formed() -> None:
    known = {"string", "code", "country", "float", "int", "bool", "source_ref"}
    for comp, table in attrs.table().items():
        for a in table:
            base = a.type.removeprefix("list:")
            assert (
                base in known
                or base.startswith("enum:")
                or base.removeprefix("ref:") in attrs.COMPONENTS
            ), (comp, a.field, a.type)
            assert a.description, (comp, a.field)
            if a.default != "":
                attrs.parse_cell(a, a.default)  # a default satisfies its own rule
        assert table[0].field in ("id", "series", "mode"), comp


def test_docs_reference_is_generated_and_current() -> None:
    doc = (ROOT / "docs" / "data-reference.md").read_text("utf-8")
    assert doc == attrs.markdown_reference() + "\n", (
        "docs/data-reference.md is stale: run `titr docs data-reference`"
    )
    for comp in COMPS:
        assert f"## {comp}" in doc


def test_docs_command_writes_the_reference(tmp_path: Path) -> None:
    out = tmp_path / "ref.md"
    assert main(["docs", "data-reference", "--out", str(out)]) == 0
    assert out.read_text("utf-8") == attrs.markdown_reference() + "\n"
    text = out.read_text("utf-8")
    assert "| `capacity_unit` | enum:t/yr\\|TEU/yr\\|trains/day\\|MW\\| |" in text


@pytest.mark.parametrize(
    ("type_", "raw", "value"),
    [
        ("float", " 2.5 ", 2.5),
        ("float", "1e3", 1000.0),
        ("int", "3", 3),
        ("int", "3.0", 3),
        ("bool", "TRUE", True),
        ("bool", "no", False),
        ("list:string", "a; b ;c", ["a", "b", "c"]),
        ("country", "KZ", "KZ"),
        ("list:country", "CN; DE;RO", ["CN", "DE", "RO"]),
        ("code", "KZ_AKTAU", "KZ_AKTAU"),
    ],
)
def test_parse_cell_accepts(type_: str, raw: str, value: Any) -> None:
    a = attrs.Attribute("x", "f", type_, "", True, "", "d")
    assert attrs.parse_cell(a, raw) == value


@pytest.mark.parametrize(
    ("type_", "raw", "rule"),
    [
        ("float", "1,5", "must be a number"),
        ("float", "-inf", "finite"),
        ("float", "2e12", "at most"),
        ("int", "2.5", "whole number"),
        ("int", "1e13", "at most"),
        ("bool", "y", "true or false"),
        ("list:string", "a;;b", "may not be empty"),
        ("list:string", "a;a", "duplicated"),
        ("country", "kz", "ISO 3166-1"),
        ("list:country", "CN;de", "ISO 3166-1"),
        ("list:country", "CN;EUR", "ISO 3166-1"),
        ("list:country", "CN;;DE", "may not be empty"),
        ("list:country", "DE;DE", "duplicated"),
        ("code", "1ABC", "must be a code"),
        ("enum:a|b", "c", "must be one of"),
        ("string", "  ", "required"),
    ],
)
def test_parse_cell_rejects(type_: str, raw: str, rule: str) -> None:
    a = attrs.Attribute("x", "f", type_, "", True, "", "d")
    with pytest.raises(attrs.CellError, match=rule):
        attrs.parse_cell(a, raw)


@pytest.mark.parametrize(
    ("cell", "ids", "est"),
    [
        ("S001", ["S001"], None),
        ("S001; S014", ["S001", "S014"], None),
        ("EST: half of the line", [], "half of the line"),
        ("S002; EST: scaled; from 2023", ["S002"], "scaled; from 2023"),
        ("est:lower case", [], "lower case"),
    ],
)
def test_parse_source_ref(cell: str, ids: list[str], est: str | None) -> None:
    assert attrs.parse_source_ref(cell) == (ids, est)

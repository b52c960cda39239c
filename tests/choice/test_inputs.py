"""Choice inputs: the bundled files validate; every malformed case is located (file, row,
column) and nothing is returned."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

import titr
from titr.choice.inputs import FILES, load_choice_data, read_choice_data
from titr.errors import DataError


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return titr.load_dataset()


@pytest.fixture(scope="module")
def bundled() -> dict[str, str]:
    root = resources.files("titr.choice").joinpath("data")
    return {f: root.joinpath(f).read_text("utf-8") for f in FILES}


def test_bundled_data_is_valid_and_sourced(net):
    d = load_choice_data(net)
    assert "cn_eu_container" in d.markets
    m = d.markets["cn_eu_container"]
    assert m.estimate and len(m.corridors) >= 2
    years = d.years("cn_eu_container")
    assert years == list(range(2019, 2026))
    # natural experiments are in the data: Cape only after the Red Sea crisis
    assert "sea_cape" not in d.volumes("cn_eu_container", 2023)
    assert (
        d.volumes("cn_eu_container", 2024)["sea_cape"]
        > d.volumes("cn_eu_container", 2024)["sea_suez"]
    )
    assert d.condition(2022, "northern", "risk_usd_per_feu", 0.0) > 0
    assert d.condition(2021, "northern", "risk_usd_per_feu", 0.0) == 0
    assert d.cagr("cn_eu_container", 2030) > 0
    with pytest.raises(DataError, match="no growth rate covers 2040"):
        d.cagr("cn_eu_container", 2040)


def _replace(files: dict[str, str], name: str, old: str, new: str) -> dict[str, str]:
    out = dict(files)
    assert old in out[name], f"test setup: {old!r} not in {name}"
    out[name] = out[name].replace(old, new, 1)
    return out


def _line(files: dict[str, str], name: str, needle: str) -> int:
    hits = [i for i, ln in enumerate(files[name].splitlines(), start=1) if needle in ln]
    assert hits, needle
    return hits[-1]  # a duplicate is reported on its second occurrence


# (case, file, old text, new text, expected column, rule fragment); the row is where `new` lands
CASES = [
    (
        "unknown origin",
        "markets.csv",
        "cn_eu_container,CN_XIAN",
        "cn_eu_container,CN_NOWHERE",
        "origin",
        "unknown node",
    ),
    ("same ends", "markets.csv", "CN_XIAN,DE_DUI", "DE_DUI,DE_DUI", "destination", "same node"),
    (
        "unknown commodity",
        "markets.csv",
        ",container,",
        ",bananas,",
        "commodity",
        "unknown commodity",
    ),
    (
        "one corridor",
        "markets.csv",
        "middle;northern;sea_suez;sea_cape",
        "middle",
        "corridors",
        "at least two",
    ),
    (
        "unknown corridor in market",
        "markets.csv",
        "middle;northern;",
        "middle;arctic;",
        "corridors",
        "unknown corridor",
    ),
    (
        "corridor twice",
        "markets.csv",
        "middle;northern;sea_suez;sea_cape",
        "middle;middle;sea_suez",
        "corridors",
        "listed twice",
    ),
    ("estimate flag", "markets.csv", "sea_cape,yes,", "sea_cape,maybe,", "estimate", "yes or no"),
    (
        "bad market id",
        "markets.csv",
        "cn_eu_container,CN_XIAN",
        "cn eu!,CN_XIAN",
        "market",
        "letters, digits",
    ),
    ("unknown source id", "markets.csv", '"S223; S2000"', "S9999", "source", "not in sources.csv"),
    ("no source", "markets.csv", '"S223; S2000"', "somewhere", "source", "unknown source id"),
    (
        "year text",
        "observed.csv",
        "cn_eu_container,2019,middle",
        "cn_eu_container,twenty,middle",
        "year",
        "finite number",
    ),
    (
        "year fraction",
        "observed.csv",
        "cn_eu_container,2020,middle",
        "cn_eu_container,2020.5,middle",
        "year",
        "whole number",
    ),
    (
        "negative volume",
        "observed.csv",
        "2021,middle,25200",
        "2021,middle,-5",
        "quantity",
        "must lie in",
    ),
    (
        "nan volume",
        "observed.csv",
        "2021,middle,25200",
        "2021,middle,nan",
        "quantity",
        "finite number",
    ),
    (
        "wrong unit",
        "observed.csv",
        "2021,middle,25200,TEU",
        "2021,middle,25200,t",
        "unit",
        "counted in TEU",
    ),
    (
        "corridor not in market",
        "observed.csv",
        "2021,middle,25200",
        "2021,iran,25200",
        "corridor",
        "chooses among",
    ),
    (
        "unknown market",
        "observed.csv",
        "cn_eu_container,2021,middle",
        "xx,2021,middle",
        "market",
        "no such market",
    ),
    (
        "duplicate observation",
        "observed.csv",
        "cn_eu_container,2022,middle",
        "cn_eu_container,2021,middle",
        "corridor",
        "duplicate",
    ),
    (
        "unknown attribute",
        "conditions.csv",
        "2019,sea_suez,tariff_factor",
        "2019,sea_suez,weather",
        "attribute",
        "unknown attribute",
    ),
    (
        "factor out of range",
        "conditions.csv",
        "tariff_factor,0.57",
        "tariff_factor,900",
        "value",
        "must lie in",
    ),
    (
        "duplicate condition",
        "conditions.csv",
        "2020,sea_suez,tariff_factor",
        "2019,sea_suez,tariff_factor",
        "attribute",
        "duplicate",
    ),
    (
        "growth unknown market",
        "growth.csv",
        "cn_eu_container,2024",
        "nowhere,2024",
        "market",
        "no such market",
    ),
    (
        "captive unknown commodity",
        "growth.csv",
        "captive:general",
        "captive:gold",
        "market",
        "captive",
    ),
    (
        "growth years reversed",
        "growth.csv",
        "cn_eu_container,2024,2035",
        "cn_eu_container,2035,2024",
        "to_year",
        "after from_year",
    ),
    ("cagr too high", "growth.csv", "0.038", "3.5", "cagr", "must lie in"),
    (
        "empty source",
        "growth.csv",
        '0.0,"EST: Kazatomprom volume via TITR held at the 2023 level (S139); scenarios change it"',
        "0.0,",
        "source",
        "required",
    ),
]


@pytest.mark.parametrize("case, name, old, new, column, rule", CASES, ids=[c[0] for c in CASES])
def test_malformed_rows_are_located(net, bundled, case, name, old, new, column, rule):
    files = _replace(bundled, name, old, new)
    with pytest.raises(DataError) as ei:
        read_choice_data(files, net)
    issues = ei.value.issues
    row = _line(files, name, new)
    hits = [i for i in issues if i.file == name and i.column == column]
    assert hits, f"{case}: {[str(i) for i in issues]}"
    assert any(i.row == row for i in hits), [str(i) for i in hits]
    if rule:
        assert any(rule in i.rule for i in hits), [str(i) for i in hits]


FILE_CASES = [
    (
        "missing file",
        lambda f: {k: v for k, v in f.items() if k != "growth.csv"},
        "growth.csv",
        "required file is missing",
    ),
    ("empty file", lambda f: {**f, "markets.csv": ""}, "markets.csv", "file is empty"),
    (
        "header only",
        lambda f: {**f, "conditions.csv": f["conditions.csv"].splitlines()[0] + "\n"},
        "conditions.csv",
        "no rows",
    ),
    (
        "unknown column",
        lambda f: {**f, "growth.csv": f["growth.csv"].replace("cagr,", "cagr,extra,", 1)},
        "growth.csv",
        "unknown column",
    ),
    (
        "missing column",
        lambda f: {**f, "observed.csv": f["observed.csv"].replace("quantity,", "qty,", 1)},
        "observed.csv",
        "required column is missing",
    ),
    ("ragged row", lambda f: {**f, "growth.csv": f["growth.csv"] + "a,b\n"}, "growth.csv", "cells"),
    (
        "stray quote",
        lambda f: {**f, "markets.csv": f["markets.csv"] + 'x,"y\n'},
        "markets.csv",
        "quoting",
    ),
    (
        "latin-1 bytes",
        lambda f: {**f, "observed.csv": f["observed.csv"].encode("utf-8") + "é".encode("latin-1")},
        "observed.csv",
        "UTF-8",
    ),
]


@pytest.mark.parametrize("case, mutate, name, rule", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_malformed_files_are_located(net, bundled, case, mutate, name, rule):
    with pytest.raises(DataError) as ei:
        read_choice_data(mutate(bundled), net)
    assert any(i.file == name and rule in i.rule for i in ei.value.issues), [
        str(i) for i in ei.value.issues
    ]


def test_every_error_is_listed_at_once(net, bundled):
    files = _replace(bundled, "observed.csv", "2021,middle,25200", "2021,middle,-5")
    files = _replace(files, "growth.csv", "0.038", "3.5")
    files = _replace(files, "conditions.csv", "tariff_factor,0.57", "tariff_factor,900")
    with pytest.raises(DataError) as ei:
        read_choice_data(files, net)
    assert {i.file for i in ei.value.issues} == {"observed.csv", "growth.csv", "conditions.csv"}


def test_folder_loading(net, bundled, tmp_path: Path):
    for f, t in bundled.items():
        (tmp_path / f).write_text(t, "utf-8")
    assert load_choice_data(net, tmp_path).origin == str(tmp_path)
    (tmp_path / "observed.csv").write_text("market,year\n", "utf-8")
    with pytest.raises(DataError, match="observed.csv"):
        load_choice_data(net, tmp_path)
    with pytest.raises(DataError, match="no such folder"):
        load_choice_data(net, tmp_path / "nope")


def test_malformed_case_count():
    """The suite tries this many malformed inputs (reported in the issue)."""
    assert len(CASES) + len(FILE_CASES) >= 30

"""The array reader (`titr.network.arrays`): the same values as the record reader on valid
data, and on malformed nodes / links files an error naming file, row, column and rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from titr.errors import DataError
from titr.network.arrays import read_arrays
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


def test_values_equal_the_record_reader():
    an = read_arrays(TINY)
    net = read_dataset(TINY)
    assert an.n_nodes == len(net.nodes) and an.n_links == len(net.links)
    for i, nid in enumerate(an.nodes["id"]):
        n = net.nodes[nid]
        assert (an.nodes["lat"][i], an.nodes["lon"][i]) == (n.lat, n.lon)
        assert (an.nodes["country"][i], an.nodes["kind"][i]) == (n.country, n.kind)
        assert an.nodes["gauge_mm"][i] == n.gauge_mm
    for i, lid in enumerate(an.links["id"]):
        lk = net.links[lid]
        assert an.links["a_node"][i] == lk.a_node and an.links["b_node"][i] == lk.b_node
        assert bool(an.links["bidirectional"][i]) == lk.bidirectional
        assert an.links["distance"][i] == lk.distance
        t = (an.links["time_min"][i], an.links["time_mode"][i], an.links["time_max"][i])
        assert t == (lk.time_min, lk.time_mode, lk.time_max)
        cap = an.links["capacity"][i]
        assert (np.isnan(cap) and lk.capacity is None) or cap == lk.capacity
        assert an.links["service"][i] == lk.service
    assert set(an.rest.commodities) == set(net.commodities)
    assert an.label.startswith(f"{net.name}@{net.version}#")


def _copy(tmp_path: Path) -> Path:
    d = tmp_path / "ds"
    shutil.copytree(TINY, d)
    return d


def _edit(d: Path, fname: str, row: int, column: str, value: str) -> None:
    """Set one cell (row numbered as in issues: header = 1) of a CSV file."""
    t = pacsv.read_csv(
        d / fname,
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in _header(d / fname)}
        ),
    )
    cols = {n: t.column(n).to_pylist() for n in t.column_names}
    cols[column][row - 2] = value
    pacsv.write_csv(pa.table({n: pa.array(v, pa.string()) for n, v in cols.items()}), d / fname)


def _header(p: Path) -> list[str]:
    return p.read_text(encoding="utf-8").splitlines()[0].split(",")


# (file, row, column, new value, column named in the issue, words of the rule)
CELL_CASES = [
    ("nodes.csv", 2, "id", "1BAD", "id", "must be a code"),
    ("nodes.csv", 3, "id", "", "id", "required"),
    ("nodes.csv", 2, "country", "kz", "country", "ISO 3166-1"),
    ("nodes.csv", 2, "kind", "castle", "kind", "must be one of"),
    ("nodes.csv", 3, "lat", "95", "lat", "less than or equal to 90"),
    ("nodes.csv", 3, "lon", "-200", "lon", "greater than or equal to -180"),
    ("nodes.csv", 2, "lat", "abc", "lat", "ASCII decimal"),
    ("nodes.csv", 2, "lat", "1,5", "lat", "ASCII decimal"),
    ("nodes.csv", 2, "lon", "inf", "lon", "finite"),
    ("nodes.csv", 2, "lon", "nan", "lon", "finite"),
    ("nodes.csv", 2, "lat", "1e13", "lat", "at most"),
    ("nodes.csv", 2, "lat", "", "lat", "required"),
    ("nodes.csv", 2, "gauge_mm", "1000", "gauge_mm", "must be one of"),
    ("nodes.csv", 2, "source", "S999", "source", "unknown source id"),
    ("nodes.csv", 2, "coord_source", "", "coord_source", "required"),
    ("nodes.csv", 2, "name_en", "A\x01b", "name_en", "control character"),
    ("nodes.csv", 3, "id", "CN_A", "id", "duplicate id (already used on row 2)"),
    ("links.csv", 2, "a_node", "XX_NOWHERE", "a_node", "not in nodes"),
    ("links.csv", 2, "b_node", "CN_A", "b_node", "same node"),
    ("links.csv", 2, "mode", "hovercraft", "mode", "must be one of"),
    ("links.csv", 2, "distance", "0", "distance", "greater than 0"),
    ("links.csv", 2, "distance", "-5", "distance", "greater than 0"),
    ("links.csv", 2, "time_min", "2.5", "time_min", "min <= mode <= max"),
    ("links.csv", 2, "time_max", "1.5", "time_max", "min <= mode <= max"),
    ("links.csv", 2, "time_min", "-1", "time_min", "greater than or equal to 0"),
    ("links.csv", 2, "capacity", "0", "capacity", "capacity must be > 0"),
    ("links.csv", 2, "capacity_unit", "", "capacity_unit", "needs a capacity_unit"),
    ("links.csv", 2, "capacity_source", "", "capacity_source", "needs a capacity_source"),
    ("links.csv", 2, "service", "SV_NONE", "service", "not in services"),
    ("links.csv", 2, "commodities", "container;cheese", "commodities", "not in commodities"),
    ("links.csv", 2, "commodities", "container;", "commodities", "may not be empty"),
    ("links.csv", 2, "bidirectional", "maybe", "bidirectional", "true or false"),
    ("links.csv", 2, "corridors", "middle;moon", "corridors", "not in allowed values"),
    ("links.csv", 2, "corridors", "", "corridors", "required"),
    ("links.csv", 2, "status", "open", "status", "must be one of"),
    ("links.csv", 2, "distance_source", "EST", "distance_source", "reasoning"),
    ("links.csv", 2, "time_source", "whatever", "time_source", "unknown source id"),
    ("links.csv", 2, "time_source", ";", "time_source", "must cite source ids"),
    ("links.csv", 3, "id", "L_AB", "id", "duplicate id (already used on row 2)"),
]


@pytest.mark.parametrize(("fname", "row", "col", "value", "where", "words"), CELL_CASES)
def test_malformed_cell_is_located(tmp_path, fname, row, col, value, where, words):
    d = _copy(tmp_path)
    _edit(d, fname, row, col, value)
    with pytest.raises(DataError) as e:
        read_arrays(d)
    hits = [i for i in e.value.issues if i.file == fname and i.column == where]
    assert hits, [str(i) for i in e.value.issues]
    assert any(i.row == row for i in hits), [str(i) for i in hits]
    if words:
        assert any(words in i.rule for i in hits), [str(i) for i in hits]


def test_bad_cells_match_the_record_reader(tmp_path):
    """Where both readers refuse a cell, they name the same file, row and column."""
    for fname, row, col, value, _where, _ in CELL_CASES:
        d = _copy(tmp_path / f"{fname}{row}{col}{len(value)}{abs(hash(value)) % 97}")
        _edit(d, fname, row, col, value)
        with pytest.raises(DataError) as a:
            read_arrays(d)
        with pytest.raises(DataError) as r:
            read_dataset(d)
        ours = {(i.file, i.row, i.column) for i in a.value.issues}
        theirs = {(i.file, i.row, i.column) for i in r.value.issues}
        assert ours & theirs, (fname, row, col, value, ours, theirs)


def test_header_problems(tmp_path):
    d = _copy(tmp_path)
    text = (d / "nodes.csv").read_text(encoding="utf-8").splitlines()
    (d / "nodes.csv").write_text(
        "\n".join([text[0].replace(",lat,", ",latitude,")] + text[1:]) + "\n", encoding="utf-8"
    )
    with pytest.raises(DataError) as e:
        read_arrays(d)
    rules = {(i.column, i.rule.split(";")[0]) for i in e.value.issues}
    assert ("latitude", "unknown column") in rules
    assert ("lat", "required column is missing") in rules


def test_duplicated_column(tmp_path):
    d = _copy(tmp_path)
    lines = (d / "links.csv").read_text(encoding="utf-8").splitlines()
    lines = [ln + ",x" for ln in lines]
    lines[0] = lines[0][:-2] + ",note"
    (d / "links.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as e:
        read_arrays(d)
    assert any(i.column == "note" and "more than once" in i.rule for i in e.value.issues)


def test_missing_and_empty_files(tmp_path):
    d = _copy(tmp_path)
    (d / "links.csv").unlink()
    with pytest.raises(DataError, match="links.csv.*required file"):
        read_arrays(d)
    d2 = _copy(tmp_path / "b")
    head = (d2 / "nodes.csv").read_text(encoding="utf-8").splitlines()[0]
    (d2 / "nodes.csv").write_text(head + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="nodes has no rows"):
        read_arrays(d2)


def test_wrong_cell_count_is_an_error(tmp_path):
    d = _copy(tmp_path)
    with open(d / "nodes.csv", "a", encoding="utf-8") as f:
        f.write("XX_Q,only,three\n")
    with pytest.raises(DataError, match="nodes.csv"):
        read_arrays(d)


def test_a_zip_is_refused(tmp_path):
    z = shutil.make_archive(str(tmp_path / "tiny"), "zip", TINY)
    with pytest.raises(DataError, match="folder, not a zip"):
        read_arrays(z)


def test_many_bad_rows_are_counted_not_listed(tmp_path):
    from titr import limits

    d = _copy(tmp_path)
    lines = (d / "nodes.csv").read_text(encoding="utf-8").splitlines()
    extra = [f"XX_N{i},n,n,n,XX,city,99,0,EST: x,,S001," for i in range(30)]
    (d / "nodes.csv").write_text("\n".join(lines + extra) + "\n", encoding="utf-8")
    limits.set_limits(max_errors=10)
    try:
        with pytest.raises(DataError) as e:
            read_arrays(d)
    finally:
        limits.reset_limits()
    lat = [i for i in e.value.issues if i.column == "lat"]
    assert len(lat) == 11 and "20 more rows" in lat[-1].rule


def _parquet(d: Path, fname: str, table: pa.Table) -> None:
    pq.write_table(table, d / fname.replace(".csv", ".parquet"))
    (d / fname).unlink()
    m = json.loads((d / "manifest.json").read_text(encoding="utf-8"))
    m.setdefault("files", {})[fname.removesuffix(".csv")] = fname.replace(".csv", ".parquet")
    (d / "manifest.json").write_text(json.dumps(m), encoding="utf-8")


def _typed_nodes(d: Path) -> pa.Table:
    t = pacsv.read_csv(
        d / "nodes.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={
                n: (pa.float64() if n in ("lat", "lon") else pa.string())
                for n in _header(d / "nodes.csv")
            }
        ),
    )
    return t


def test_parquet_with_typed_columns_reads_the_same(tmp_path):
    d = _copy(tmp_path)
    _parquet(d, "nodes.csv", _typed_nodes(d))
    a, b = read_arrays(d), read_arrays(TINY)
    assert np.array_equal(a.nodes["lat"], b.nodes["lat"])
    assert list(a.nodes["id"]) == list(b.nodes["id"])


@pytest.mark.parametrize(
    ("column", "values", "words"),
    [
        ("lat", [95.0], "less than or equal to 90"),
        ("lat", [None], "required"),
        ("lon", [float("inf")], "finite"),
        ("id", [7], "must be code"),
    ],
)
def test_malformed_parquet(tmp_path, column, values, words):
    d = _copy(tmp_path)
    t = _typed_nodes(d)
    col = t.column(column).to_pylist()
    col[0] = values[0]
    typ = (
        pa.int64() if isinstance(values[0], int) and column == "id" else t.schema.field(column).type
    )
    if typ == pa.int64():
        col = list(range(len(col)))
    t = t.set_column(t.column_names.index(column), column, pa.array(col, typ))
    _parquet(d, "nodes.csv", t)
    with pytest.raises(DataError) as e:
        read_arrays(d)
    hits = [i for i in e.value.issues if i.file == "nodes.parquet" and i.column == column]
    assert hits and any(words in i.rule for i in hits), [str(i) for i in e.value.issues]

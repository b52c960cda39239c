"""Exports: GeoJSON is valid RFC 7946, CSV round-trips to the same hash, XLSX has one sheet per
component with the right headers and row counts."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from titr.network import attributes as attrs
from titr.network.bundled import DEFAULT
from titr.network.export import network_geojson, network_xlsx
from titr.network.io_csv import component_records, content_hash, read_dataset, write_dataset
from titr.network.model import Network

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return read_dataset(TINY)


@pytest.fixture(scope="module")
def bundled() -> Network:
    from titr.network.bundled import load

    return load(DEFAULT)


@pytest.fixture(params=["tiny", "bundled"])
def net(request: pytest.FixtureRequest) -> Network:
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def _positions(geom: dict[str, Any]) -> list[list[float]]:
    t, c = geom["type"], geom["coordinates"]
    if t == "Point":
        return [c]
    if t == "LineString":
        assert len(c) >= 2, "a LineString needs two or more positions"
        return list(c)
    if t == "MultiLineString":
        assert c and all(len(part) >= 2 for part in c)
        return [p for part in c for p in part]
    raise AssertionError(f"unexpected geometry type {t}")


def assert_rfc7946(gj: dict[str, Any]) -> None:
    """The parts of RFC 7946 a GIS (QGIS/GDAL) relies on."""
    text = json.dumps(gj, allow_nan=False)  # JSON proper: no NaN/Infinity anywhere
    assert gj["type"] == "FeatureCollection"
    assert "crs" not in gj, "RFC 7946 removed 'crs' (WGS84 lon/lat is implied)"
    assert isinstance(gj["features"], list) and gj["features"]
    ids: list[Any] = []
    for f in gj["features"]:
        assert f["type"] == "Feature"
        assert "crs" not in f
        assert isinstance(f["properties"], dict)
        json.dumps(f["properties"], allow_nan=False)
        assert isinstance(f["id"], str | int)
        ids.append(f["id"])
        for pos in _positions(f["geometry"]):
            assert len(pos) == 2 and all(isinstance(x, int | float) for x in pos)
            lon, lat = pos
            assert -180 <= lon <= 180 and -90 <= lat <= 90, pos
            assert math.isfinite(lon) and math.isfinite(lat)
    assert len(ids) == len(set(ids)), "feature ids must be unique"
    assert '"crs"' not in text


def test_geojson_is_rfc7946(net: Network) -> None:
    gj = network_geojson(net)
    assert_rfc7946(gj)
    nodes = [f for f in gj["features"] if f["properties"]["feature"] == "node"]
    links = [f for f in gj["features"] if f["properties"]["feature"] == "link"]
    assert len(nodes) == len(net.nodes) and len(links) == len(net.links)
    for f in nodes:  # [lon, lat] order, not [lat, lon]
        n = net.nodes[f["id"]]
        assert f["geometry"]["coordinates"] == [round(n.lon, 6), round(n.lat, 6)]
    for f in links:
        lk = net.links[f["id"]]
        pos = _positions(f["geometry"])
        a, b = net.nodes[lk.a_node], net.nodes[lk.b_node]
        assert pos[0] == [round(a.lon, 6), round(a.lat, 6)]
        assert pos[-1] == [round(b.lon, 6), round(b.lat, 6)]


def test_geojson_known_places_are_lon_lat(tiny: Network) -> None:
    gj = network_geojson(tiny)
    by_id = {f["id"]: f for f in gj["features"]}
    assert by_id["CN_A"]["geometry"]["coordinates"] == [80.0, 44.0]
    # a Caspian crossing is drawn along its shipping lane (titr.network.sealanes): a
    # LineString from Aktau-like [51.2, 43.6] to Alat-like [49.4, 39.9] through sea waypoints
    cd = by_id["L_CD"]["geometry"]
    assert cd["type"] == "LineString" and len(cd["coordinates"]) > 2
    assert cd["coordinates"][0] == [51.2, 43.6] and cd["coordinates"][-1] == [49.4, 39.9]
    assert all(47 <= x <= 54 and 36 <= y <= 47 for x, y in cd["coordinates"])  # stays at sea
    assert by_id["KZ_B"]["properties"]["processes"] == ["gauge_change", "border"]


def test_geojson_names_by_language_and_planned_filter(tiny: Network) -> None:
    ru = network_geojson(tiny, lang="ru")
    assert {f["properties"]["name"] for f in ru["features"] if f["id"] == "KZ_C"} == {"Порт Чарли"}
    planned = tiny.links["L_DE"].model_copy(update={"status": "planned"})
    net = tiny.model_copy(update={"links": {**tiny.links, "L_DE": planned}})
    ids = {f["id"] for f in network_geojson(net, include_planned=False)["features"]}
    assert "L_DE" not in ids and "L_CD" in ids


def test_geojson_splits_lines_at_the_antimeridian(tiny: Network) -> None:
    a = tiny.nodes["CN_A"].model_copy(update={"lon": 179.0, "lat": 60.0})
    b = tiny.nodes["KZ_B"].model_copy(update={"lon": -179.0, "lat": 62.0})
    net = tiny.model_copy(update={"nodes": {**tiny.nodes, "CN_A": a, "KZ_B": b}})
    gj = network_geojson(net)
    assert_rfc7946(gj)
    g = next(f for f in gj["features"] if f["id"] == "L_AB")["geometry"]
    assert g["type"] == "MultiLineString"
    assert g["coordinates"] == [[[179.0, 60.0], [180.0, 61.0]], [[-180.0, 61.0], [-179.0, 62.0]]]
    for part in g["coordinates"]:  # no part spans more than half the globe
        assert abs(part[0][0] - part[1][0]) <= 180


def test_csv_export_reimports_to_the_same_hash(net: Network, tmp_path: Path) -> None:
    out = write_dataset(net, tmp_path / "out")
    back = read_dataset(out)
    assert back.content_hash == net.content_hash == content_hash(back)
    assert back.manifest.name == net.manifest.name
    for comp in attrs.COMPONENTS:
        assert (out / f"{comp}.csv").read_text("utf-8").splitlines()[0] == ",".join(
            attrs.fields(comp)
        )
    # written twice: byte for byte the same (diffs well in git)
    again = write_dataset(back, tmp_path / "again")
    for p in out.iterdir():
        assert (again / p.name).read_bytes() == p.read_bytes(), p.name


def test_xlsx_has_a_sheet_per_component(net: Network, tmp_path: Path) -> None:
    path = tmp_path / "net.xlsx"
    network_xlsx(net, path)
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames == [c[:31] for c in attrs.COMPONENTS]
    for comp in attrs.COMPONENTS:
        rows = list(wb[comp[:31]].iter_rows(values_only=True))
        table = attrs.table()[comp]
        assert list(rows[0]) == [a.field for a in table]
        assert [x or "" for x in rows[1]] == [a.unit for a in table]
        recs = component_records(net, comp)
        assert len(rows) - 2 == len(recs), comp
        if comp == "links" and recs:
            j = attrs.fields("links").index("distance")
            assert [r[j] for r in rows[2:]] == [lk.distance for lk in recs]
            assert all(isinstance(r[j], int | float) for r in rows[2:])


def test_xlsx_to_memory(tiny: Network) -> None:
    buf = io.BytesIO()
    network_xlsx(tiny, buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    ws = wb["nodes"]
    assert ws.cell(3, 1).value == "CN_A" and ws.cell(3, 7).value == 44.0

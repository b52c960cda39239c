"""Exports: GeoJSON (RFC 7946, lon/lat order) and Excel workbooks."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from titr.network import attributes as attrs
from titr.network.io_csv import component_records, record_to_row
from titr.network.model import Network
from titr.network.sealanes import lane


def export_stem(net: Network) -> str:
    """The file or folder name of an export: ``NAME-VERSION`` made of [A-Za-z0-9._+-] only
    (anything else becomes '_'), never '.', '..' or a leading '-'. The same name in the CLI
    (`titr data export`) and the API (`/api/datasets/{ref}/export`), for every format, so the
    export of an older version never lands on the newest one's file and a version string
    never steers where it is written."""
    out = re.sub(r"[^A-Za-z0-9._+\-]", "_", f"{net.name}-{net.version}").strip(".-")
    return out[:120] or "dataset"


def network_geojson(net: Network, lang: str = "en", include_planned: bool = True) -> dict[str, Any]:
    """FeatureCollection of nodes (Point) and links (LineString), coordinates [lon, lat]."""
    feats: list[dict[str, Any]] = []
    for n in net.nodes.values():
        feats.append(
            {
                "type": "Feature",
                "id": n.id,
                "geometry": {"type": "Point", "coordinates": [round(n.lon, 6), round(n.lat, 6)]},
                "properties": {
                    "feature": "node",
                    "id": n.id,
                    "name": n.name(lang),
                    "name_en": n.name_en,
                    "name_ru": n.name_ru,
                    "name_tr": n.name_tr,
                    "country": n.country,
                    "kind": n.kind,
                    "gauge_mm": n.gauge_mm,
                    "processes": [p.kind for p in net.processes_at(n.id)],
                    "process_kinds": {p.id: p.kind for p in net.processes_at(n.id)},
                    "source": n.source,
                },
            }
        )
    for lk in net.links.values():
        if lk.status == "planned" and not include_planned:
            continue
        a, b = net.nodes.get(lk.a_node), net.nodes.get(lk.b_node)
        if a is None or b is None:
            continue
        coords = [[round(a.lon, 6), round(a.lat, 6)], [round(b.lon, 6), round(b.lat, 6)]]
        sea = lane(net, lk)  # sea/ferry links follow the shipping lane (titr.network.sealanes)
        if sea is not None and sea.along_network:
            coords = [[x, y] for x, y in sea.coordinates]
        if sea is not None and sea.along_network and _crosses_antimeridian(coords):
            geom: dict[str, Any] = {"type": "MultiLineString", "coordinates": _cut(coords)}
        elif sea is not None and sea.along_network:
            geom = {"type": "LineString", "coordinates": coords}
        elif abs(a.lon - b.lon) > 180:  # RFC 7946 §3.1.9: cut at the antimeridian
            geom = {
                "type": "MultiLineString",
                "coordinates": _split_antimeridian(a.lon, a.lat, b.lon, b.lat),
            }
        else:
            geom = {"type": "LineString", "coordinates": coords}
        feats.append(
            {
                "type": "Feature",
                "id": lk.id,
                "geometry": geom,
                "properties": {
                    "feature": "link",
                    "id": lk.id,
                    "a_node": lk.a_node,
                    "b_node": lk.b_node,
                    "mode": lk.mode,
                    "status": lk.status,
                    "corridors": lk.corridors,
                    "distance_km": lk.distance,
                    "time_mode_h": lk.time_mode,
                    "capacity": lk.capacity,
                    "capacity_unit": lk.capacity_unit,
                    "operator": lk.operator,
                    "country": lk.country,
                    "service": lk.service,
                    "service_name": (
                        net.services[lk.service].name if lk.service in net.services else None
                    ),
                    "distance_source": lk.distance_source,
                    "passages": lk.passages,
                    "lane": "shipping lane" if sea is not None and sea.along_network else None,
                    "capacity_source": lk.capacity_source,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "name": net.label,
        "properties": {
            "dataset": net.name,
            "version": net.version,
            "content_hash": net.content_hash,
        },
        "features": feats,
    }


def _crosses_antimeridian(coords: list[list[float]]) -> bool:
    return any(abs(p[0] - q[0]) > 180 for p, q in zip(coords, coords[1:], strict=False))


def _cut(coords: list[list[float]]) -> list[list[list[float]]]:
    """A polyline cut into parts wherever a segment jumps across lon ±180."""
    parts: list[list[list[float]]] = [[coords[0]]]
    for p, q in zip(coords, coords[1:], strict=False):
        if abs(p[0] - q[0]) > 180:
            (a, b), (c, d) = _split_antimeridian(p[0], p[1], q[0], q[1])
            parts[-1].append(b)
            parts.append([c])
        parts[-1].append(q)
    return parts


def _split_antimeridian(
    lon1: float, lat1: float, lon2: float, lat2: float
) -> list[list[list[float]]]:
    """Two line parts meeting at lon +-180 (the short way round, latitude interpolated
    linearly in lon/lat), as RFC 7946 §3.1.9 asks for lines that cross the antimeridian."""
    side = 180.0 if lon1 > 0 else -180.0
    lon2u = lon2 + 360.0 if lon1 > 0 else lon2 - 360.0  # lon2 unwrapped next to lon1
    f = (side - lon1) / (lon2u - lon1)
    lat_x = round(lat1 + f * (lat2 - lat1), 6)
    return [
        [[round(lon1, 6), round(lat1, 6)], [side, lat_x]],
        [[-side, lat_x], [round(lon2, 6), round(lat2, 6)]],
    ]


def network_xlsx(net: Network, path: str | Path | io.BytesIO) -> None:
    """One sheet per component, headers from the attribute table, a units row under them."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(path, {"in_memory": isinstance(path, io.BytesIO)})
    bold = wb.add_format({"bold": True})
    unit_fmt = wb.add_format({"italic": True, "font_color": "#666666"})
    for comp in attrs.COMPONENTS:
        ws = wb.add_worksheet(comp[:31])
        table = attrs.table()[comp]
        for j, a in enumerate(table):
            ws.write(0, j, a.field, bold)
            ws.write(1, j, a.unit, unit_fmt)
        types = [a.type for a in table]
        for i, rec in enumerate(component_records(net, comp), start=2):
            for j, cell in enumerate(record_to_row(comp, rec)):
                if types[j] in ("float", "int") and cell != "":
                    ws.write_number(i, j, float(cell))
                else:
                    ws.write_string(i, j, cell)
        ws.freeze_panes(2, 1)
    wb.close()

"""Static corridor map (SVG) rendered offline: Vega-Lite geoshape of the bundled Natural Earth
world-atlas (web/static/vendor) with the network's links as straight segments, the plan's
project elements and the bottleneck elements highlighted, converted by vl-convert (no browser,
no network)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from titr.network.model import Network

ATLAS = (
    Path(__file__).resolve().parents[1]
    / "web"
    / "static"
    / "vendor"
    / "world-atlas"
    / "countries-50m.json"
)


@lru_cache(maxsize=1)
def _atlas() -> dict[str, Any]:
    if not ATLAS.is_file():
        raise FileNotFoundError(f"missing bundled world atlas {ATLAS}")
    data: dict[str, Any] = json.loads(ATLAS.read_text(encoding="utf-8"))
    return data


COLOURS = {"network": "#0b4f6c", "project": "#f29d12", "bottleneck": "#c62828"}


def corridor_map_png(
    net: Network,
    project_links: set[str],
    project_nodes: set[str],
    bottleneck_links: set[str],
    bottleneck_nodes: set[str],
    corridor: str = "middle",
) -> str:
    """The map as a PNG data URI (no legend: the report prints it in its own language with
    COLOURS)."""
    import base64

    import vl_convert as vlc

    spec = _spec(net, project_links, project_nodes, bottleneck_links, bottleneck_nodes, corridor)
    png: bytes = vlc.vegalite_to_png(spec, scale=2)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _spec(
    net: Network,
    project_links: set[str],
    project_nodes: set[str],
    bottleneck_links: set[str],
    bottleneck_nodes: set[str],
    corridor: str,
) -> dict[str, Any]:
    labels = {k: k for k in COLOURS}

    segs = []
    for lk in net.links.values():
        if corridor not in lk.corridors and lk.id not in project_links:
            continue
        a, b = net.nodes[lk.a_node], net.nodes[lk.b_node]
        kind = (
            labels["bottleneck"]
            if lk.id in bottleneck_links
            else labels["project"]
            if lk.id in project_links
            else labels["network"]
        )
        segs.append({"lon": a.lon, "lat": a.lat, "lon2": b.lon, "lat2": b.lat, "kind": kind})
    used = {
        n for lk in net.links.values() if corridor in lk.corridors for n in (lk.a_node, lk.b_node)
    }
    pts = [{"lon": net.nodes[n].lon, "lat": net.nodes[n].lat} for n in sorted(used)]
    marks = [
        {
            "lon": net.nodes[n].lon,
            "lat": net.nodes[n].lat,
            "kind": "bottleneck" if n in bottleneck_nodes else "project",
        }
        for n in sorted(project_nodes | bottleneck_nodes)
    ]
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": 680,
        "height": 300,
        "projection": {"type": "mercator", "center": [68, 42], "scale": 470},
        "layer": [
            {
                "data": {
                    "values": _atlas(),
                    "format": {"type": "topojson", "feature": "countries"},
                },
                "mark": {
                    "type": "geoshape",
                    "fill": "#eef1f4",
                    "stroke": "#b5bfc9",
                    "strokeWidth": 0.5,
                    "clip": True,
                },
            },
            {
                "data": {"values": segs},
                "mark": {"type": "rule", "clip": True},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "longitude2": {"field": "lon2"},
                    "latitude2": {"field": "lat2"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": [labels["network"], labels["project"], labels["bottleneck"]],
                            "range": [
                                COLOURS["network"],
                                COLOURS["project"],
                                COLOURS["bottleneck"],
                            ],
                        },
                        "legend": None,
                    },
                    "strokeWidth": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {
                            "domain": [labels["network"], labels["project"], labels["bottleneck"]],
                            "range": [1.2, 3.0, 3.5],
                        },
                        "legend": None,
                    },
                },
            },
            {
                "data": {"values": pts},
                "mark": {"type": "circle", "size": 10, "color": "#0b4f6c", "clip": True},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                },
            },
            {
                "data": {"values": marks},
                "mark": {"type": "square", "size": 70, "clip": True, "opacity": 1},
                "encoding": {
                    "longitude": {"field": "lon", "type": "quantitative"},
                    "latitude": {"field": "lat", "type": "quantitative"},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "scale": {
                            "domain": ["project", "bottleneck"],
                            "range": [COLOURS["project"], COLOURS["bottleneck"]],
                        },
                        "legend": None,
                    },
                },
            },
        ],
        "config": {"font": "DejaVu Sans", "view": {"stroke": None}},
    }
    return spec

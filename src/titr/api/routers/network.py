"""/api/network: the corridor as GeoJSON, node and link details with their sources, and the
attribute table (every field with its unit)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from titr.api.deps import LangQ, Net
from titr.api.schemas import Attribute, ElementDetail, FeatureCollection
from titr.network import attributes as attrs
from titr.network.model import Network, Record

router = APIRouter(prefix="/api", tags=["network"])


def resolve_sources(net: Network, component: str, rec: Record) -> list[dict[str, Any]]:
    """Every source_ref cell of a record: the source ids it cites, the estimate reasoning
    (cells written `EST: ...`) and the cited source records."""
    out = []
    d = rec.model_dump()
    for a in attrs.table()[component]:
        if a.type != "source_ref" or not d.get(a.field):
            continue
        ids, est = attrs.parse_source_ref(str(d[a.field]))
        out.append(
            {
                "field": a.field,
                "ids": ids,
                "estimate": est,
                "sources": [net.sources[i].model_dump() for i in ids if i in net.sources],
            }
        )
    return out


@router.get("/network", response_model=FeatureCollection, summary="Network as GeoJSON")
def network(
    net: Net,
    lang: LangQ = "en",
    include_planned: Annotated[bool, Query(description="Also planned links")] = True,
) -> dict[str, Any]:
    """FeatureCollection (RFC 7946, [lon, lat]) of nodes (Point) and links (LineString) with
    their figures (distance km, modal time h, capacity with unit) and source ids; names in the
    chosen language."""
    from titr.network.export import network_geojson

    return {**network_geojson(net, lang, include_planned), "dataset": net.label}


@router.get("/network/nodes/{node}", response_model=ElementDetail, summary="One node")
def node_detail(
    net: Net,
    node: Annotated[str, Path(description="Node code or name in en/ru/tr", max_length=200)],
    lang: LangQ = "en",
) -> dict[str, Any]:
    """A node's fields, its processes (gauge change, border, port handling: time in hours,
    capacity) and links, each figure with its sources resolved."""
    nid = net.resolve_node(node)
    n = net.nodes[nid]
    procs = [
        {**p.model_dump(), "sources": resolve_sources(net, "processes", p)}
        for p in net.processes_at(nid)
    ]
    links = [
        {
            "id": lk.id,
            "a_node": lk.a_node,
            "b_node": lk.b_node,
            "mode": lk.mode,
            "status": lk.status,
            "distance_km": lk.distance,
        }
        for lk in net.links_of(nid)
    ]
    return {
        "dataset": net.label,
        "id": nid,
        "kind": "node",
        "name": n.name(lang),
        "record": n.model_dump(),
        "sources": resolve_sources(net, "nodes", n),
        "processes": procs,
        "links": links,
    }


@router.get("/network/links/{link}", response_model=ElementDetail, summary="One link")
def link_detail(
    net: Net, link: Annotated[str, Path(description="Link id", max_length=200)], lang: LangQ = "en"
) -> dict[str, Any]:
    """A link's fields (distance km, running time min/mode/max h, capacity with its unit),
    its service and tariffs, each with its sources resolved."""
    lk = net.links.get(link)
    if lk is None:
        import difflib

        from titr.errors import NotFoundError

        raise NotFoundError(
            f"no link '{link}' in dataset {net.label}.",
            difflib.get_close_matches(link, list(net.links), 6, 0.5),
        )
    svc = net.services.get(lk.service) if lk.service else None
    tariffs = [
        {**t.model_dump(), "sources": resolve_sources(net, "tariffs", t)}
        for t in net.tariffs.values()
        if t.applies_to == "link" and t.ref == lk.id
    ]
    a, b = net.nodes.get(lk.a_node), net.nodes.get(lk.b_node)
    return {
        "dataset": net.label,
        "id": lk.id,
        "kind": "link",
        "name": f"{a.name(lang) if a else lk.a_node} – {b.name(lang) if b else lk.b_node}",
        "record": lk.model_dump(),
        "sources": resolve_sources(net, "links", lk),
        "service": (
            {
                **svc.model_dump(),
                "yearly_capacity": svc.yearly_capacity(),
                "sources": resolve_sources(net, "services", svc),
            }
            if svc
            else None
        ),
        "tariffs": tariffs,
    }


@router.get(
    "/attributes", response_model=list[Attribute], tags=["reference"], summary="Attribute table"
)
def attributes() -> list[dict[str, Any]]:
    """Every dataset field: component, type, unit, required, default, description."""
    return [
        {
            "component": a.component,
            "field": a.field,
            "type": a.type,
            "unit": a.unit,
            "required": a.required,
            "default": a.default,
            "description": a.description,
        }
        for comp in attrs.COMPONENTS
        for a in attrs.table()[comp]
    ]

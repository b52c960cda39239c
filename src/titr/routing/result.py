"""Route results: steps, routes with their time distribution, tariff and CO2; exports."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import orjson
import pandas as pd

from titr import jsonfmt
from titr.graph.dist import dist_kind
from titr.network.model import Network
from titr.routing.emissions import Co2Report
from titr.routing.transit import TransitTime
from titr.tariff.through import TariffLine, TariffReport


@dataclass(frozen=True)
class Step:
    """One step of a route.

    ``kind``: 'link' (running; ``ref`` = link id, ``node`` → ``to_node``), 'process' (``ref`` =
    process id at ``node``; ``arc_kind`` says transfer / pass (border) / load / unload) or
    'wait' (``ref`` = service id, waiting at ``node`` for a sailing of link ``link``).
    ``time`` is a distribution in hours (`Triangular` or `Uniform`: mean, variance, sample).
    ``cost_usd`` is the through-tariff contribution per commodity unit. ``note``: the link's
    note in the data (a link time that includes a hub dwell or a transshipment says so there).
    """

    kind: str
    ref: str
    node: str
    to_node: str
    mode: str
    time: Any
    distance_km: float
    arc_kind: str
    cost_usd: float
    link: str = ""
    tariff_missing: bool = False
    # a link step's note from the data (e.g. "Includes the Almaty-1 hub dwell …": what its
    # time covers besides running); "" for none
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        t = self.time
        return {
            "kind": self.kind,
            "arc_kind": self.arc_kind,
            "ref": self.ref,
            "node": self.node,
            "to_node": self.to_node,
            "mode": self.mode,
            "link": self.link or None,
            "distance_km": self.distance_km,
            "time_h": {
                "distribution": dist_kind(t),
                "min": t.min,
                "mode": getattr(t, "mode", None),
                "max": t.max,
                "mean": t.mean,
            },
            "cost_usd": self.cost_usd,
            "tariff_missing": self.tariff_missing,
            "note": self.note or None,
        }


@dataclass
class Route:
    steps: list[Step]
    commodity: str
    objective: str
    objective_value: float
    transit_time: TransitTime
    tariff: TariffReport
    co2: Co2Report
    corridor_km: dict[str, float] = field(default_factory=dict)
    passages: list[str] = field(default_factory=list)
    # each step's tidy JSON (`jsonfmt.dumps_bytes` of `Step.to_dict()`), when the router has
    # it cached per graph arc; only `json_doc` reads it
    step_json: list[bytes] | None = field(default=None, repr=False, compare=False)

    @property
    def nodes(self) -> list[str]:
        out: list[str] = []
        for s in self.steps:
            for n in (s.node, s.to_node):
                if not out or out[-1] != n:
                    out.append(n)
        return out

    @property
    def links(self) -> list[str]:
        return [s.ref for s in self.steps if s.kind == "link"]

    @property
    def distance_km(self) -> float:
        return float(sum(s.distance_km for s in self.steps))

    @property
    def time_h(self) -> float:
        """Expected transit time (hours)."""
        return float(sum(s.time.mean for s in self.steps))

    @property
    def cost_usd(self) -> float:
        """Component-sum through tariff per commodity unit (USD)."""
        return float(sum(s.cost_usd for s in self.steps))

    @property
    def co2_kg(self) -> float:
        return self.co2.kg

    @property
    def border_crossings(self) -> int:
        """Border nodes passed (each node counted once however many border processes)."""
        return len({s.node for s in self.steps if s.arc_kind == "pass"})

    @property
    def mode_changes(self) -> int:
        return sum(1 for s in self.steps if s.arc_kind == "transfer")

    def summary(self) -> dict[str, Any]:
        tt = self.transit_time
        return {
            "nodes": self.nodes,
            "distance_km": self.distance_km,
            "expected_days": tt.mean,
            "p10_days": tt.p10,
            "p50_days": tt.p50,
            "p90_days": tt.p90,
            "tariff_usd": self.tariff.total_usd,
            "tariff_per": self.tariff.per,
            "co2_kg": self.co2_kg,
            "border_crossings": self.border_crossings,
            "mode_changes": self.mode_changes,
            "corridors": sorted(self.corridor_km, key=lambda c: -self.corridor_km[c]),
            "passages": self.passages,
        }

    def _head(self, tariff: dict[str, Any] | None = None) -> dict[str, Any]:
        d = self.summary()
        d.update(
            {
                "objective": self.objective,
                "objective_value": self.objective_value,
                "transit_time": self.transit_time.to_dict(),
                "tariff": self.tariff.to_dict() if tariff is None else tariff,
                "co2": self.co2.to_dict(),
                "corridor_km": self.corridor_km,
            }
        )
        return d

    def to_dict(self) -> dict[str, Any]:
        d = self._head()
        d["steps"] = [s.to_dict() for s in self.steps]
        return _json_safe(d)  # type: ignore[no-any-return]

    def json_doc(self) -> dict[str, Any]:
        """`to_dict` as tidy JSON values (`titr.jsonfmt.tidy_safe`: 10 significant digits),
        with the steps as their cached JSON fragments when the router supplied them."""
        tariff = self.tariff.to_dict()
        tariff["lines"] = []
        d: dict[str, Any] = jsonfmt.tidy_safe(self._head(tariff))
        d["tariff"]["lines"] = [orjson.Fragment(_line_json(ln)) for ln in self.tariff.lines]
        sj = self.step_json
        if sj is not None and len(sj) == len(self.steps):
            d["steps"] = [orjson.Fragment(b) for b in sj]
        else:
            d["steps"] = [jsonfmt.fragment(s.to_dict()) for s in self.steps]
        return d


_LINE_JSON: dict[TariffLine, bytes] = {}
MAX_LINE_JSON = 65_536


def _line_json(ln: TariffLine) -> bytes:
    """Tidy JSON of a tariff line, kept per line value (a route's lines repeat across answers:
    the same component on the same link for the same commodity and unit)."""
    b = _LINE_JSON.get(ln)
    if b is None:
        b = jsonfmt.dumps_bytes(ln.to_dict())
        if len(_LINE_JSON) >= MAX_LINE_JSON:
            _LINE_JSON.clear()
        _LINE_JSON[ln] = b
    return b


def _json_safe(x: Any) -> Any:
    """Plain JSON values: non-finite floats become None, numpy scalars Python numbers, keys
    strings. Exact types are tested first (the common case in a route's nested dicts)."""
    t = type(x)
    if t is str or t is int or t is bool or x is None:
        return x
    if t is float:
        return x if x - x == 0.0 else None  # inf - inf and nan - nan are nan
    if t is dict:
        return {k if type(k) is str else str(k): _json_safe(v) for k, v in x.items()}
    if t is list or t is tuple:
        return [_json_safe(v) for v in x]
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if hasattr(x, "item"):
        return _json_safe(x.item())
    return x


@dataclass
class RouteResult:
    """Routes from ``origin`` to ``destination``, best first."""

    net: Network
    origin: str
    destination: str
    commodity: str
    by: str
    routes: list[Route]
    restrictions: str = "no restriction"
    via: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.net.label

    def to_frame(self) -> pd.DataFrame:
        """One row per step (``route`` = 0 for the best route)."""
        rows = []
        for i, r in enumerate(self.routes):
            for j, s in enumerate(r.steps):
                rows.append(
                    {
                        "route": i,
                        "seq": j,
                        "kind": s.kind,
                        "arc_kind": s.arc_kind,
                        "ref": s.ref,
                        "node": s.node,
                        "to_node": s.to_node,
                        "mode": s.mode,
                        "distance_km": s.distance_km,
                        "time_min_h": s.time.min,
                        "time_mean_h": s.time.mean,
                        "time_max_h": s.time.max,
                        "cost_usd": s.cost_usd,
                    }
                )
        return pd.DataFrame(rows)

    def summary_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"route": i, **r.summary()} for i, r in enumerate(self.routes)])

    def to_geojson(self) -> dict[str, Any]:
        """RFC 7946 FeatureCollection: one LineString ([lon, lat]) per route; sea and ferry
        legs follow their shipping lane (`titr.network.sealanes`)."""
        feats = []
        for i, r in enumerate(self.routes):
            coords = _route_line(self.net, r)
            if len(coords) == 1:
                coords = coords * 2
            props = _json_safe(
                {
                    "rank": i,
                    "origin": self.origin,
                    "destination": self.destination,
                    "commodity": self.commodity,
                    "objective": self.by,
                    "dataset": self.label,
                    **r.summary(),
                }
            )
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": coords},
                    "properties": props,
                }
            )
        return {"type": "FeatureCollection", "features": feats}

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = _json_safe(
            {
                "dataset": self.label,
                "origin": self.origin,
                "destination": self.destination,
                "commodity": self.commodity,
                "by": self.by,
                "restrictions": self.restrictions,
                "via": self.via,
                "notes": self.notes,
            }
        )
        d["routes"] = [r.to_dict() for r in self.routes]  # already JSON-safe
        return d

    def to_json(self) -> bytes:
        """`to_dict` as compact UTF-8 JSON with numbers at `titr.jsonfmt`'s 10 significant
        digits (what the API sends: equal to `jsonfmt.tidy(self.to_dict())`)."""
        head = {
            "dataset": self.label,
            "origin": self.origin,
            "destination": self.destination,
            "commodity": self.commodity,
            "by": self.by,
            "restrictions": self.restrictions,
            "via": self.via,
            "notes": self.notes,
        }
        d: dict[str, Any] = jsonfmt.tidy_safe(head)
        d["routes"] = [r.json_doc() for r in self.routes]
        return jsonfmt.encode_tidy(d)


def _route_line(net: Network, r: Route) -> list[list[float]]:
    """The route's line through its nodes, with each sea/ferry leg drawn along its lane."""
    from titr.network.sealanes import lane

    coords = [[net.nodes[r.nodes[0]].lon, net.nodes[r.nodes[0]].lat]] if r.nodes else []
    for s in r.steps:
        if s.kind != "link" or s.node == s.to_node:
            continue
        lk = net.links.get(s.ref)
        ln = lane(net, lk) if lk is not None else None
        if ln is not None and ln.along_network:
            pts = [[x, y] for x, y in ln.coordinates]
            if lk is not None and s.node == lk.b_node:
                pts.reverse()
            coords += pts[1:]
        else:
            coords.append([net.nodes[s.to_node].lon, net.nodes[s.to_node].lat])
    return coords

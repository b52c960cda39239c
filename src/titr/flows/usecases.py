"""The flow use cases, each one domain function called by the CLI and the API alike (they only
parse their inputs and serialise the answer):

* `assign_scenario`  the least-cost assignment of a demand scenario on the network of its year
                     (existing elements + projects under construction by then), what it
                     carries on the Middle Corridor and what it diverts (t and TEU by
                     corridor and commodity), and the same demand on the Middle Corridor alone;
* `link_volumes`     the volume each link carries in an assignment (t/yr, TEU/yr, and units
                     per commodity, both directions together): what the map draws as width;
* `bottlenecks_for`  its binding capacities, and the Middle Corridor's maximum throughput for
                     all dry cargo and per commodity between the scenario's ends, next to the
                     capacity stated in the data, with the reason for the difference.

Every answer names its dataset (`name@version#hash8`), year and project set, and says what it
counts.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from titr.flows.assign import Assignment, assign, assign_od
from titr.flows.corridors import corridor_frame
from titr.flows.demand import DemandScenario
from titr.flows.flowgraph import build_flow_model
from titr.flows.maxflow import max_throughput
from titr.graph.projects import in_service
from titr.graph.resources import resource_label
from titr.graph.rules import MIDDLE_CORRIDOR, commodity_sector, corridor_tags
from titr.graph.units import format_t
from titr.network.model import Network

STATED = ("titr_stated_capacity_t", "titr_stated_capacity_teu")


def counts(net: Network) -> str:
    return (
        "tonnes per year (containers also in TEU per year); the Middle Corridor is the links "
        "whose corridors column names one of: "
        + ", ".join(corridor_tags(net, MIDDLE_CORRIDOR))
        + " (dataset parameters middle_corridor_includes_*); volume on any other link is "
        "diverted (sea, Iran, Northern route), never counted as carried on the Middle Corridor"
    )


def clean(x: Any) -> Any:
    """JSON-safe: NaN/inf -> None, numpy scalars -> Python."""
    if isinstance(x, dict):
        return {str(k): clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, str | bytes):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def records(df: pd.DataFrame, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows of ``df`` as JSON-safe dicts, without the columns ``drop``."""
    if not len(df):
        return []
    return clean(df.drop(columns=[c for c in drop if c in df.columns]).to_dict("records"))  # type: ignore[no-any-return]


def _freight_t(net: Network, commodity: list[str], units: Any) -> float:
    return float(
        sum(
            q * net.commodities[k].t_per_unit
            for k, q in zip(commodity, units, strict=True)
            if net.commodities[k].unit != "MWh"
        )
    )


def middle_corridor_only(net: Network, sc: DemandScenario, a: Assignment) -> Assignment:
    """The scenario's demand (as assigned in ``a``) on the Middle Corridor alone."""
    od = a.problem.od
    model = build_flow_model(
        net, sorted(set(od.commodity)), year=sc.year, corridors=MIDDLE_CORRIDOR
    )
    return assign_od(net, od, scenario=sc.name, year=sc.year, model=model)


def link_volumes(net: Network, a: Assignment) -> list[dict[str, Any]]:
    """Per network link, the assigned flow of both directions together: t/yr (freight; MWh
    carries no tonnes), TEU/yr (containers) and units per year by commodity. Links without
    flow are left out; sorted by tonnes, then by link id."""
    acc: dict[str, dict[str, float]] = {}
    for k, f in a.arc_flow.items():
        g = a.model.graphs[k]
        for i in np.flatnonzero(f > 1e-9):
            if g.kind[i] != "link":
                continue
            per = acc.setdefault(str(g.link[i]), {})
            per[k] = per.get(k, 0.0) + float(f[i])
    out = []
    for link, per in acc.items():
        t = sum(
            q * net.commodities[k].t_per_unit
            for k, q in per.items()
            if net.commodities[k].unit != "MWh"
        )
        teu = sum((q for k, q in per.items() if net.commodities[k].unit == "TEU"), 0.0)
        out.append((t, link, teu, dict(sorted(per.items()))))
    out.sort(key=lambda r: (-r[0], r[1]))
    return [{"link": link, "t": t, "teu": teu, "by_commodity": by} for t, link, teu, by in out]


def assign_scenario(
    net: Network, sc: DemandScenario, top: int = 20
) -> tuple[Assignment, dict[str, Any]]:
    """The assignment and its answer (see the module doc)."""
    a = assign(net, sc)
    od = a.problem.od
    cf = corridor_frame(a, net)
    on = cf[cf["on_middle_corridor"]]
    off = cf[~cf["on_middle_corridor"]]
    mc = middle_corridor_only(net, sc, a)
    demand_t = _freight_t(net, od.commodity, od.quantity)
    unserved_t = _freight_t(net, od.commodity, a.unserved)
    mc_unserved_t = _freight_t(net, od.commodity, mc.unserved)
    body = {
        "dataset": net.label,
        "scenario": sc.name,
        "year": sc.year,
        "projects_in_service": sorted(in_service(net, (), sc.year)),
        "counts": counts(net),
        "demand_t": demand_t,
        "middle_corridor": {
            "carried_t": float(on["t"].sum()),
            "carried_teu": float(on["teu"].sum()),
            "diverted_t": float(off["t"].sum()),
            "diverted_teu": float(off["teu"].sum()),
            "diverted_by_corridor_t": {
                str(c): float(v) for c, v in off.groupby("corridor")["t"].sum().items()
            },
            "unserved_t": unserved_t,
            "alone": {
                "what": "the same demand on the Middle Corridor alone (no diversion allowed)",
                "served_t": demand_t - mc_unserved_t,
                "unserved_t": mc_unserved_t,
                "binding": [str(r) for r in mc.bottlenecks()["resource"]],
            },
        },
        "by_corridor": records(cf),
        "summary": a.summary,
        "bottlenecks": records(a.bottlenecks(top)),
        "resources": records(a.to_frame()),
        "links": link_volumes(net, a),
        "unserved": records(a.unserved_frame()),
        "warnings": list(a.warnings),
    }
    return a, clean(body)


def _ends(sc: DemandScenario, coms: list[str]) -> tuple[list[str], list[str]]:
    rows = [r for r in sc.rows if r.commodity in coms]
    return sorted({r.origin for r in rows}), sorted({r.destination for r in rows})


#: what `corridor_capacity` measures, in one phrase (printed next to every figure it gives)
CAPACITY_MEASURES = (
    "dry cargo (any mix, jointly) on the Middle Corridor plus crude oil on its own legs, "
    "between the demand scenario's origins and destinations"
)


def _throughput_entry(t: Any, coms: list[str], o: list[str], d: list[str]) -> dict[str, Any]:
    """One max-throughput answer as the bottleneck and capacity use cases report it."""
    return {
        "commodities": coms,
        "origins": o,
        "destinations": d,
        "max_t": t.value_t,
        "unbounded": t.unbounded,
        "by_commodity_t": t.by_commodity,
        "limited_by": records(t.cut),
    }


def corridor_capacity(net: Network, sc: DemandScenario, year: int | None = None) -> dict[str, Any]:
    """Most t/yr the corridor carries on the network of ``year`` (default the scenario's;
    projects completed or under construction by then): `max_throughput` of the freight-sector
    commodities of the scenario jointly, from its origins to its destinations on the Middle
    Corridor links, plus crude oil (the oil-sector commodities) from its oil origins to its
    oil destinations on the oil links (tankers and pipeline, no resource shared with dry
    cargo). The one rule behind `titr bottlenecks`' throughput and the indicators' capacity
    path (`titr.indicators.capacity_path`)."""
    y = sc.year if year is None else year
    out: dict[str, Any] = {"year": y, "measures": CAPACITY_MEASURES, "scenario": sc.name}
    for key, sector, corridor in (("dry_cargo", "freight", MIDDLE_CORRIDOR), ("oil", "oil", "oil")):
        coms = sorted(
            {
                r.commodity
                for r in sc.rows
                if commodity_sector(net.commodities[r.commodity]) == sector
            }
        )
        o, d = _ends(sc, coms)
        if not coms or not o or not d:
            continue
        t = max_throughput(net, o, d, corridor=corridor, commodities=coms, year=y)
        out[key] = _throughput_entry(t, coms, o, d)
    parts = [out[k]["max_t"] for k in ("dry_cargo", "oil") if k in out]
    out["total_t"] = float(sum(parts)) if parts else math.nan
    return out


def bottlenecks_for(net: Network, sc: DemandScenario, top: int = 15) -> dict[str, Any]:
    """Binding capacities of the scenario's assignment and the Middle Corridor's maximum
    throughput (see the module doc)."""
    a, body = assign_scenario(net, sc, top)
    dry = sorted(
        {
            r.commodity
            for r in sc.rows
            if commodity_sector(net.commodities[r.commodity]) == "freight"
        }
    )
    # the stated capacity is a figure to compare with, not an input: a dataset may not state one
    st_t, st_teu = (net.parameters.get(k) for k in STATED)
    stated_t = st_t.value if st_t else None
    stated_teu = st_teu.value if st_teu else None
    through: dict[str, Any] = {
        "what": "maximum t/yr the Middle Corridor carries from the scenario's origins to its "
        "destinations (any origin to any destination), on the network of the scenario's year",
        "year": sc.year,
        "projects": body["projects_in_service"],
        "stated_t": stated_t,
        "stated_teu": stated_teu,
        "stated_source": st_t.source if st_t else None,
    }
    cc = corridor_capacity(net, sc)
    if "dry_cargo" in cc:
        through["dry_cargo"] = dict(cc["dry_cargo"])
        if "container" in dry:
            tpu = net.commodities["container"].t_per_unit
            through["dry_cargo"]["max_container_teu"] = (
                cc["dry_cargo"]["by_commodity_t"].get("container", 0.0) / tpu
            )
    if "oil" in cc:
        through["crude_oil_legs"] = cc["oil"]
    through["corridor_capacity_t"] = cc["total_t"]
    through["corridor_capacity_measures"] = cc["measures"]
    groups: dict[str, list[str]] = {k: [k] for k in dry}
    for name, coms in groups.items():
        o, d = _ends(sc, coms)
        if not o or not d:
            continue
        t = max_throughput(net, o, d, corridor=MIDDLE_CORRIDOR, commodities=coms, year=sc.year)
        entry = _throughput_entry(t, coms, o, d)
        if "container" in coms:
            tpu = net.commodities["container"].t_per_unit
            entry["max_container_teu"] = t.by_commodity.get("container", 0.0) / tpu
        through[name] = entry
    dc = through.get("dry_cargo")
    if dc is not None and stated_t is None:
        through["reason"] = f"dataset {net.label} states no capacity ({STATED[0]}) to compare with"
    elif dc is not None and stated_t is not None:
        limits = (
            ", ".join(resource_label(net, r["resource"]) for r in dc["limited_by"][:6])
            or "no finite capacity"
        )
        diff = dc["max_t"] - stated_t
        carried = body["middle_corridor"]["carried_t"]
        through["reason"] = (
            f"the model's maximum for dry cargo ({format_t(dc['max_t'])}/yr) "
            f"{'exceeds' if diff > 0 else 'falls short of'} the stated {format_t(stated_t)}/yr "
            f"(incl. {stated_teu or 0:,.0f} TEU; {through['stated_source']}) by "
            f"{format_t(abs(diff))}/yr: the stated figure is a declared route capacity, the "
            f"model's is the sum of what the binding segments let through between these ends "
            f"({limits}); crude oil moves on its own legs (tanker, pipeline) and is not in it. "
            f"This scenario carries {format_t(carried)}/yr on the Middle Corridor."
        )
    body["throughput"] = through
    del a
    return clean(body)  # type: ignore[no-any-return]

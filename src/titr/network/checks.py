"""Consistency checks on a whole dataset, as plain functions (PyPSA's consistency.py idea).

Each check takes the network and a locator (component -> key -> (file, row)) and returns
issues. `run_checks` runs them all; errors block an import, warnings are reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from titr.errors import Issue
from titr.network import attributes as attrs
from titr.network.model import RAIL_MODES, Network, record_key

Locator = dict[str, dict[Any, tuple[str, int]]]
CYRILLIC = re.compile(r"[\u0400-\u04FF]")

MODE_CAPACITY_UNITS = {
    "rail_1520": {"t/yr", "TEU/yr", "trains/day"},
    "rail_1435": {"t/yr", "TEU/yr", "trains/day"},
    "ferry": {"t/yr", "TEU/yr"},
    "sea": {"t/yr", "TEU/yr"},
    "road": {"t/yr", "TEU/yr"},
    "pipeline": {"t/yr"},
    "power_cable": {"MW"},
}
MAX_SPEED_KMH = {
    "rail_1520": 120,
    "rail_1435": 120,
    "ferry": 45,
    "sea": 50,
    "road": 90,
    "pipeline": 50,
}


def _at(
    loc: Locator,
    comp: str,
    key: Any,
    column: str | None,
    value: Any,
    rule: str,
    severity: str = "error",
) -> Issue:
    fname, row = loc.get(comp, {}).get(key, (f"{comp}.csv", None))
    return Issue(fname, row, column, None if value is None else str(value), rule, severity)


def check_references(net: Network, loc: Locator) -> list[Issue]:
    """Every id a row refers to exists (nodes, services, commodities, targets of tariffs...)."""
    out: list[Issue] = []
    for lk in net.links.values():
        for col in ("a_node", "b_node"):
            v = getattr(lk, col)
            if v not in net.nodes:
                out.append(_at(loc, "links", lk.id, col, v, "unknown node (not in nodes.csv)"))
        if lk.service and lk.service not in net.services:
            out.append(_at(loc, "links", lk.id, "service", lk.service, "unknown service"))
        if lk.service and lk.mode not in ("ferry", "sea"):
            out.append(
                _at(
                    loc,
                    "links",
                    lk.id,
                    "service",
                    lk.service,
                    "only ferry or sea links are operated by a service",
                )
            )
    for comp, recs in (("links", net.links.values()), ("processes", net.processes.values())):
        for r in recs:
            for c in r.commodities:  # type: ignore[attr-defined]
                if c != "*" and c not in net.commodities:
                    out.append(_at(loc, comp, r.id, "commodities", c, "unknown commodity"))  # type: ignore[attr-defined]
    for p in net.processes.values():
        if p.node not in net.nodes:
            out.append(_at(loc, "processes", p.id, "node", p.node, "unknown node"))
    targets: dict[str, dict[str, Any]] = {
        "link": net.links,
        "process": net.processes,
        "service": net.services,
    }
    for t in net.tariffs.values():
        if t.commodity not in net.commodities:
            out.append(_at(loc, "tariffs", t.id, "commodity", t.commodity, "unknown commodity"))
        if t.applies_to == "corridor":
            if t.ref not in (
                "middle",
                "northern",
                "sea_suez",
                "sea_cape",
                "iran",
                "oil",
                "uranium",
                "power",
            ):
                out.append(_at(loc, "tariffs", t.id, "ref", t.ref, "unknown corridor"))
        elif t.applies_to == "block_train":
            if t.ref not in {n.country for n in net.nodes.values()}:
                out.append(_at(loc, "tariffs", t.id, "ref", t.ref, "no node in that country"))
        elif t.ref not in targets[t.applies_to]:
            out.append(_at(loc, "tariffs", t.id, "ref", t.ref, f"unknown {t.applies_to}"))
    for pr in net.projects.values():
        if pr.target_ref not in targets[pr.target_kind]:
            out.append(
                _at(
                    loc, "projects", pr.id, "target_ref", pr.target_ref, f"unknown {pr.target_kind}"
                )
            )
            continue
        if pr.effect == "new_link":
            tgt = targets[pr.target_kind][pr.target_ref]
            if getattr(tgt, "status", "planned") != "planned":
                out.append(
                    _at(
                        loc,
                        "projects",
                        pr.id,
                        "target_ref",
                        pr.target_ref,
                        "a new_link project must point at an element with status planned",
                    )
                )
        if pr.effect == "vessels_add" and pr.target_kind != "service":
            out.append(
                _at(
                    loc,
                    "projects",
                    pr.id,
                    "effect",
                    pr.effect,
                    "vessels_add applies to services only",
                )
            )
    for a in net.alternatives.values():
        store = getattr(net, a.component)
        if a.ref not in store:
            out.append(_at(loc, "alternatives", a.id, "ref", a.ref, f"unknown {a.component} id"))
        elif a.field not in attrs.fields(a.component):
            out.append(
                _at(loc, "alternatives", a.id, "field", a.field, f"{a.component} has no such field")
            )
        else:
            attr = next(x for x in attrs.table()[a.component] if x.field == a.field)
            try:
                attrs.parse_cell(attr, a.value)
            except attrs.CellError as e:
                out.append(_at(loc, "alternatives", a.id, "value", a.value, f"{a.field} {e}"))
    return out


def source_ref_problems(cell: str, known: Collection[str]) -> list[tuple[str, str]]:
    """(value, rule) for each problem of one source_ref cell: it cites source ids of
    ``known`` or is an estimate with its reasoning (`titr.network.arrays` uses it too)."""
    out: list[tuple[str, str]] = []
    ids, est = attrs.parse_source_ref(cell)
    if not ids and est is None:
        out.append((cell, "must cite source ids (S001;S002) or be 'EST: reasoning'"))
    for sid in ids:
        if sid not in known:
            out.append((sid, "unknown source id (not in sources.csv)"))
    if est is not None and len(est.split()) < 2:
        out.append((cell, "an estimate must give its reasoning after 'EST:'"))
    return out


def check_sources(net: Network, loc: Locator) -> list[Issue]:
    """Every source_ref cell cites known source ids or is an estimate with its reasoning."""
    out: list[Issue] = []
    for comp in attrs.COMPONENTS:
        cols = [a.field for a in attrs.table()[comp] if a.type == "source_ref"]
        if not cols:
            continue
        val = getattr(net, comp)
        recs = val if isinstance(val, list) else list(val.values())
        for r in recs:
            key = record_key(comp, r)
            for col in cols:
                cell = getattr(r, col)
                if cell is None:
                    continue
                for value, rule in source_ref_problems(cell, net.sources):
                    out.append(_at(loc, comp, key, col, value, rule))
    return out


def check_units(net: Network, loc: Locator) -> list[Issue]:
    """Capacity units fit the mode; commodities fit the mode; tariff bases fit the commodity."""
    out: list[Issue] = []
    for lk in net.links.values():
        if lk.capacity_unit and lk.capacity_unit not in MODE_CAPACITY_UNITS[lk.mode]:
            out.append(
                _at(
                    loc,
                    "links",
                    lk.id,
                    "capacity_unit",
                    lk.capacity_unit,
                    f"unit mismatch: a {lk.mode} link takes capacity in "
                    f"{sorted(MODE_CAPACITY_UNITS[lk.mode])}",
                )
            )
        for c in lk.commodities:
            com = net.commodities.get(c)
            if com is not None and lk.mode not in com.modes:
                out.append(
                    _at(
                        loc,
                        "links",
                        lk.id,
                        "commodities",
                        c,
                        f"commodity {c} cannot travel by {lk.mode} (its modes: "
                        f"{', '.join(com.modes)})",
                    )
                )
    for com in net.commodities.values():
        if com.unit in ("TEU", "t") and com.t_per_unit <= 0:
            out.append(
                _at(
                    loc,
                    "commodities",
                    com.id,
                    "t_per_unit",
                    com.t_per_unit,
                    f"unit mismatch: a commodity counted in {com.unit} needs t_per_unit > 0",
                )
            )
        if com.unit == "MWh" and any(m != "power_cable" for m in com.modes):
            out.append(
                _at(
                    loc,
                    "commodities",
                    com.id,
                    "modes",
                    ";".join(com.modes),
                    "unit mismatch: MWh travel only by power_cable",
                )
            )
    basis_units = {
        "per_TEU": "TEU",
        "per_FEU": "TEU",
        "per_TEU_km": "TEU",
        "per_FEU_km": "TEU",
        "per_MWh": "MWh",
        "per_t": None,
        "per_t_km": None,
        "per_wagon": None,
        "share_of_freight": None,
    }
    for t in net.tariffs.values():
        com = net.commodities.get(t.commodity)
        need = basis_units[t.basis]
        if com is None:
            continue
        if need == "TEU" and com.unit != "TEU":
            out.append(
                _at(
                    loc,
                    "tariffs",
                    t.id,
                    "basis",
                    t.basis,
                    f"unit mismatch: {t.basis} needs a commodity counted in TEU, "
                    f"{com.id} is counted in {com.unit}",
                )
            )
        if need == "MWh" and com.unit != "MWh":
            out.append(
                _at(
                    loc,
                    "tariffs",
                    t.id,
                    "basis",
                    t.basis,
                    "unit mismatch: per_MWh needs an electricity commodity",
                )
            )
        if com.unit == "MWh" and t.basis not in ("per_MWh", "share_of_freight"):
            out.append(
                _at(
                    loc,
                    "tariffs",
                    t.id,
                    "basis",
                    t.basis,
                    "unit mismatch: electricity is charged per_MWh",
                )
            )
    return out


def check_gauges(net: Network, loc: Locator) -> list[Issue]:
    """Where 1435 mm and 1520 mm rail meet, a gauge_change process must exist."""
    out: list[Issue] = []
    modes_at: dict[str, set[str]] = {}
    for lk in net.links.values():
        for n in (lk.a_node, lk.b_node):
            modes_at.setdefault(n, set()).add(lk.mode)
    for nid, ms in modes_at.items():
        if ms >= RAIL_MODES:
            kinds = {p.kind for p in net.processes_at(nid)}
            if not kinds & {"gauge_change", "transshipment"}:
                out.append(
                    _at(
                        loc,
                        "nodes",
                        nid,
                        "gauge_mm",
                        nid,
                        "gauge change missing: 1435 mm and 1520 mm rail meet here but "
                        "there is no gauge_change process",
                    )
                )
    return out


def check_times(net: Network, loc: Locator) -> list[Issue]:
    """No zero-time links (they make zero-time cycles); speeds are plausible for the mode."""
    out: list[Issue] = []
    for lk in net.links.values():
        if lk.mode == "power_cable":
            continue
        if lk.time_max <= 0:
            out.append(
                _at(
                    loc,
                    "links",
                    lk.id,
                    "time_max",
                    lk.time_max,
                    f"zero running time over {lk.distance:g} km: links of zero time "
                    f"form zero-time cycles (A->B->A)",
                )
            )
            continue
        speed = lk.distance / max(lk.time_mode, 1e-9) if lk.time_mode > 0 else float("inf")
        if speed > MAX_SPEED_KMH[lk.mode]:
            out.append(
                _at(
                    loc,
                    "links",
                    lk.id,
                    "time_mode",
                    lk.time_mode,
                    f"implausible speed {speed:.0f} km/h for {lk.mode} "
                    f"(limit {MAX_SPEED_KMH[lk.mode]} km/h)",
                )
            )
    return out


def check_connectivity(net: Network, loc: Locator) -> list[Issue]:
    """Every node has a link, and the freight network is one connected part.

    Energy-only parts (power cables, pipelines) may stand apart from the freight network.
    """
    out: list[Issue] = []
    linked = {n for lk in net.links.values() for n in (lk.a_node, lk.b_node)}
    for nid in net.nodes:
        if nid not in linked:
            out.append(_at(loc, "nodes", nid, "id", nid, "node has no link (isolated)"))
    parent = {n: n for n in net.nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for lk in net.links.values():
        if lk.a_node in parent and lk.b_node in parent:
            parent[find(lk.a_node)] = find(lk.b_node)
    comps: dict[str, list[str]] = {}
    for n in linked & set(parent):
        comps.setdefault(find(n), []).append(n)
    if len(comps) <= 1:
        return out
    main = max(comps.values(), key=len)
    for members in comps.values():
        if members is main:
            continue
        mset = set(members)
        modes = {lk.mode for lk in net.links.values() if lk.a_node in mset}
        if modes <= {"power_cable", "pipeline"}:
            continue
        out.append(
            _at(
                loc,
                "nodes",
                sorted(members)[0],
                "id",
                ",".join(sorted(members)[:6]),
                f"disconnected part: {len(members)} node(s) not connected to the main "
                f"network ({len(main)} nodes)",
            )
        )
    return out


def check_languages(net: Network, loc: Locator) -> list[Issue]:
    """Names exist in en/ru/tr; a Russian name is written in Cyrillic."""
    out: list[Issue] = []
    for comp, recs in (
        ("nodes", net.nodes.values()),
        ("commodities", net.commodities.values()),
        ("projects", net.projects.values()),
    ):
        for r in recs:
            for lang in ("en", "ru", "tr"):
                v = getattr(r, f"name_{lang}")
                if not v or not v.strip():
                    out.append(
                        _at(
                            loc, comp, r.id, f"name_{lang}", v, f"name missing in language '{lang}'"
                        )
                    )
            if r.name_ru and not CYRILLIC.search(r.name_ru):
                out.append(
                    _at(
                        loc,
                        comp,
                        r.id,
                        "name_ru",
                        r.name_ru,
                        "a Russian name must be written in Cyrillic",
                        "warning",
                    )
                )
    return out


def check_coordinates(net: Network, loc: Locator) -> list[Issue]:
    """(0, 0) is a missing coordinate, not a place on the corridor."""
    return [
        _at(
            loc,
            "nodes",
            n.id,
            "lat",
            f"{n.lat},{n.lon}",
            "coordinates 0,0 look missing (lon/lat swapped or empty?)",
        )
        for n in net.nodes.values()
        if n.lat == 0 and n.lon == 0
    ]


def check_not_empty(net: Network, loc: Locator) -> list[Issue]:
    """A dataset has at least one source, node, link and commodity (a header-only file is
    read as zero rows; an empty network is an error, not a valid dataset)."""
    out: list[Issue] = []
    for comp in ("sources", "nodes", "links", "commodities"):
        if not getattr(net, comp):
            out.append(
                Issue(f"{comp}.csv", None, None, None, f"the dataset has no {comp} (no data rows)")
            )
    return out


CHECKS: list[Callable[[Network, Locator], list[Issue]]] = [
    check_not_empty,
    check_references,
    check_sources,
    check_units,
    check_gauges,
    check_times,
    check_connectivity,
    check_languages,
    check_coordinates,
]


def run_checks(net: Network, loc: Locator | None = None) -> list[Issue]:
    loc = loc or {}
    out: list[Issue] = []
    for chk in CHECKS:
        out.extend(chk(net, loc))
    return out

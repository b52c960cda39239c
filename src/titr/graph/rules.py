"""The network rules, one function each; every engine (routing, LP, max throughput, planning,
simulation) applies them through the compiled graph of `titr.graph.build`.

* admission: a link carries a commodity if its ``commodities`` list names it, or is ``*`` and
  the link's mode is among the commodity's modes. Vessel suitability is the same rule: a ferry
  or sea link lists the commodities its service's vessels take (a tanker line lists crude oil).
  A process acts on a commodity if its list names it or is ``*``.
* transfers: a shipment changes mode or gauge at a node only through a process that allows
  it — ``gauge_change`` between rail_1435 and rail_1520, ``port_handling`` and
  ``transshipment`` between any two different modes. No process, no transfer.
* borders: every border process of a node is paid once per crossing of the node (arriving side
  → border chain → cleared side), whatever the modes; a shipment that starts at a border node
  starts cleared, one that ends there does not cross it.
* ends: a shipment starts through the node's ``loading`` processes and ends through its
  ``unloading`` processes; one that starts or ends at a port by water also passes the port's
  handling for capacity only (`water_end_processes`: no dwell, no charge).
* corridors: a link belongs to corridor c when its ``corridors`` column names c or a tag the
  dataset declares part of c (`corridor_tags`; both are data); a process belongs to c when a
  link of c that admits its commodity meets its node.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from titr.network.model import WATER_MODES, Commodity, Link, Network, Process

RAIL_PAIR = frozenset({"rail_1435", "rail_1520"})
# The Middle Corridor, as a question names it; `corridor_tags` expands it with the tags the
# dataset counts as part of it (parameters middle_corridor_includes_<tag>, with sources).
MIDDLE_CORRIDOR = ("middle",)
TRANSFER_KINDS = ("gauge_change", "port_handling", "transshipment")


SECTORS = ("freight", "oil", "power")


def commodity_sector(com: Commodity) -> str:
    """power: a commodity counted in MWh; oil: one that moves by pipeline; else freight."""
    if com.unit == "MWh":
        return "power"
    if "pipeline" in com.modes:
        return "oil"
    return "freight"


def link_admits(lk: Link, com: Commodity) -> bool:
    if "*" in lk.commodities:
        return lk.mode in com.modes
    return com.id in lk.commodities


def process_admits(p: Process, com: Commodity) -> bool:
    return "*" in p.commodities or com.id in p.commodities


def transfer_allowed(p: Process, from_mode: str, to_mode: str) -> bool:
    """Whether process ``p`` moves a shipment from ``from_mode`` to ``to_mode`` at its node."""
    if from_mode == to_mode:
        return False
    if p.kind == "gauge_change":
        return frozenset({from_mode, to_mode}) == RAIL_PAIR
    return p.kind in ("port_handling", "transshipment")


def border_processes(procs: Iterable[Process]) -> list[Process]:
    return sorted((p for p in procs if p.kind == "border"), key=lambda p: p.id)


def start_processes(procs: Iterable[Process], mode: str) -> list[Process]:
    """Processes a shipment starting at the node (in any ``mode``) passes: its loading."""
    return sorted((p for p in procs if p.kind == "loading"), key=lambda p: p.id)


def end_processes(procs: Iterable[Process], mode: str) -> list[Process]:
    """Processes a shipment ending at the node (in any ``mode``) passes: its unloading."""
    return sorted((p for p in procs if p.kind == "unloading"), key=lambda p: p.id)


def water_end_processes(procs: Iterable[Process], mode: str) -> list[Process]:
    """Port handling a shipment that starts or ends at the node by water (``mode`` ferry or
    sea) passes for capacity only: it uses the port's handling capacity, while its dwell and
    charge stay out of the route (published leg times and tariffs end at the port)."""
    if mode not in WATER_MODES:
        return []
    return sorted((p for p in procs if p.kind == "port_handling"), key=lambda p: p.id)


def corridor_tags(net: Network, corridors: Collection[str]) -> tuple[str, ...]:
    """The link tags that make up ``corridors``: each corridor's own tag plus every tag t the
    dataset declares part of it with parameter ``<corridor>_corridor_includes_<t>`` = 1
    (e.g. the oil and uranium legs of the Middle Corridor, whose tonnage the TITR statistics
    count)."""
    out: list[str] = []
    for c in corridors:
        out.append(c)
        pre = f"{c}_corridor_includes_"
        out += sorted(
            pid[len(pre) :]
            for pid, p in net.parameters.items()
            if pid.startswith(pre) and p.value == 1
        )
    return tuple(dict.fromkeys(out))


def link_on_corridor(lk: Link, corridors: Collection[str]) -> bool:
    """True when the link's ``corridors`` column names one of ``corridors``."""
    return any(c in corridors for c in lk.corridors)


def corridor_links(net: Network, corridors: Collection[str]) -> set[str]:
    return {lk.id for lk in net.links.values() if link_on_corridor(lk, corridors)}


def corridor_processes(net: Network, corridors: Collection[str]) -> set[str]:
    """Processes at a node met by a link of the corridors that admits the process' commodity."""
    out: set[str] = set()
    for p in net.processes.values():
        for lk in net.links_of(p.node):
            if not link_on_corridor(lk, corridors):
                continue
            if "*" in p.commodities or "*" in lk.commodities:
                out.add(p.id)
                break
            if set(p.commodities) & set(lk.commodities):
                out.add(p.id)
                break
    return out

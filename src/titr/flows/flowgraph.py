"""Arc lists and capacity resources for the capacity LP, built from a `Network`.

Vertices: one per (node, mode) terminal plus one hub per node (where demand enters and
leaves). Arcs (kind):

- ``link``     terminal -> terminal along a link (both ways if bidirectional),
- ``transfer`` between two terminals of different modes at a node (gauge change, port
               handling, transshipment),
- ``access``   hub -> terminal (origin), ``egress`` terminal -> sink hub (destination);
  source and sink hubs are apart so no path passes through a node's hub.

A *resource* is one capacity: a link direction, a node process (both directions together),
or a service direction (ferry fleet). Each arc consumes a set of resources; the LP row of a
resource r is  sum_k sum_a coef[k, a, r] * x[k, a] <= capacity_r  with capacities in a shared
unit (t/yr, or MWh/yr for electricity; see `titr.flows.units`) and coef = t per commodity unit.

Which processes an arc consumes:
- transfer 1520 <-> 1435: ``gauge_change`` and ``transshipment`` processes at the node;
- any other transfer: ``port_handling``, ``transshipment``, ``loading``, ``unloading``;
- access/egress at a water-mode terminal: ``port_handling`` (+ ``loading``/``unloading``);
- every link arc *entering* a node: the node's ``border`` processes ("pass").
Only processes whose commodity list holds the commodity apply. Unknown capacities are
unlimited and reported in `warnings`. Link capacities are per direction (rail line figures are
quoted per loaded direction), process capacities count both directions, service capacities are
per direction (vessels x payload x 8760/cycle time x availability).

Cost per commodity unit on an arc: the dataset's tariffs for the element and commodity when
present (EUR at parameter ``eur_usd``, EST 1.08), otherwise an EST rate per t-km by mode
(`DEFAULT_RATE_USD_PER_TKM`), plus the commodity's value of time x hours / 24.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from titr.errors import DataError, Issue
from titr.flows.units import sailing_to_shared, t_per_teu, to_shared
from titr.network.model import RAIL_MODES, WATER_MODES, Commodity, Link, Network

# EST: indicative line-haul rates (USD per t-km) used only when the dataset has no tariff for an
# element: rail ~0.035 (KTZ container rates 0.12-0.15 USD/TEU-km at ~4-12 t/TEU), Caspian feeder
# ~0.08 (USD 400/TEU over ~470 km at 12 t/TEU), deep sea 0.004, road 0.08, pipeline 0.01.
DEFAULT_RATE_USD_PER_TKM = {
    "rail_1520": 0.035,
    "rail_1435": 0.035,
    "ferry": 0.08,
    "sea": 0.004,
    "road": 0.08,
    "pipeline": 0.01,
    "power_cable": 0.0,
}
USD_PER_MWH_KM = 0.01  # EST: HVDC transmission charge order of magnitude
GAUGE_PAIR = frozenset(RAIL_MODES)
# links that count as the Middle Corridor (TITR) with its feeders, oil, uranium and power legs
MIDDLE_CORRIDOR = ("middle", "access", "oil", "uranium", "power")


@dataclass
class Resource:
    """One capacity: `capacity` in `unit` (shared unit per year); inf = not binding."""

    id: str
    kind: str  # link | process | service
    ref: str
    direction: str  # "a>b", "b>a" or "" (processes: both directions)
    capacity: float
    unit: str
    native: float | None
    native_unit: str
    country: str
    status: str = "existing"

    @property
    def native_per_shared(self) -> float:
        """Native capacity units per shared unit (to express duals per native unit)."""
        if self.native and math.isfinite(self.capacity) and self.capacity > 0:
            return self.native / self.capacity
        return float("nan")


@dataclass
class CommodityGraph:
    """Arcs of one commodity. Arrays have length n_arcs; res_* is a CSR arc -> resources."""

    commodity: str
    unit: str
    t_per_unit: float
    n_vertices: int
    hub: dict[str, int]  # where a node's demand enters (access arcs leave it)
    sink: dict[str, int]  # where a node's demand leaves (egress arcs enter it)
    tail: np.ndarray
    head: np.ndarray
    cost: np.ndarray  # USD per commodity unit
    time_h: np.ndarray
    distance_km: np.ndarray
    kind: list[str]
    ref: list[str]
    res_ptr: np.ndarray
    res_idx: np.ndarray
    res_coef: np.ndarray

    @property
    def n_arcs(self) -> int:
        return int(self.tail.size)


@dataclass
class FlowModel:
    """Resources shared by all commodities plus one arc set per commodity."""

    label: str
    resources: list[Resource]
    graphs: dict[str, CommodityGraph]
    warnings: list[str] = field(default_factory=list)

    def resource_index(self) -> dict[str, int]:
        return {r.id: i for i, r in enumerate(self.resources)}


def _usd(net: Network, amount: float, currency: str) -> float:
    return amount * (net.parameter("eur_usd", 1.08) if currency == "EUR" else 1.0)


def _tariff_per_unit(
    net: Network, applies_to: str, ref: str, com: Commodity, distance: float
) -> float | None:
    """Sum of tariff components on an element, USD per commodity unit; None if none."""
    tot, found = 0.0, False
    for t in net.tariffs.values():
        if t.applies_to != applies_to or t.ref != ref or t.commodity != com.id:
            continue
        a = _usd(net, t.amount, t.currency)
        teu = com.unit == "TEU"
        tpu = com.t_per_unit if com.t_per_unit > 0 else 1.0
        per_unit = {
            "per_TEU": a if teu else a / max(t_per_teu_safe(net), 1e-9),
            "per_FEU": a / 2 if teu else a / 2 / max(t_per_teu_safe(net), 1e-9),
            "per_t": a * tpu,
            "per_t_km": a * tpu * distance,
            "per_TEU_km": (a if teu else a / max(t_per_teu_safe(net), 1e-9)) * distance,
            "per_FEU_km": (a / 2 if teu else a / 2 / max(t_per_teu_safe(net), 1e-9)) * distance,
            "per_wagon": a * tpu / net.parameter("t_per_wagon", 60.0),
            "per_MWh": a,
        }[t.basis]
        tot += per_unit
        found = True
    return tot if found else None


def t_per_teu_safe(net: Network) -> float:
    try:
        return t_per_teu(net)
    except DataError:
        return 12.0


def allowed_on_link(lk: Link, com: Commodity) -> bool:
    if lk.mode not in com.modes:
        return False
    return "*" in lk.commodities or com.id in lk.commodities


def _process_applies(p_commodities: list[str], com: str) -> bool:
    return "*" in p_commodities or com in p_commodities


def build_flow_model(
    net: Network,
    commodities: list[str] | None = None,
    *,
    include_planned: bool = False,
    capacity_override: dict[str, float] | None = None,
    corridors: Collection[str] | None = None,
) -> FlowModel:
    """Resources and per-commodity arcs for the capacity LP.

    include_planned: also build planned links/processes (their resources get capacity 0 unless
    a project opens them; used by the investment MILP). capacity_override: resource id ->
    capacity in the shared unit (used for finite-difference checks and project effects).
    corridors: keep only links tagged with one of these corridors (e.g. `MIDDLE_CORRIDOR`
    to count only volume carried on the Middle Corridor, without diversion to Iran/North/sea)."""
    coms = commodities or sorted(net.commodities)
    for c in coms:
        if c not in net.commodities:
            raise DataError(
                Issue(
                    "demand",
                    None,
                    "commodity",
                    c,
                    f"commodity is not in dataset {net.label}; known: "
                    f"{', '.join(sorted(net.commodities))}",
                )
            )
    warnings: list[str] = []
    resources: list[Resource] = []
    rindex: dict[str, int] = {}

    def add_res(r: Resource) -> int:
        if capacity_override and r.id in capacity_override:
            r.capacity = capacity_override[r.id]
        rindex[r.id] = len(resources)
        resources.append(r)
        return rindex[r.id]

    links = [
        lk
        for lk in net.links.values()
        if (include_planned or lk.status == "existing")
        and (corridors is None or set(lk.corridors) & set(corridors))
    ]
    procs = [p for p in net.processes.values() if include_planned or p.status == "existing"]
    link_res: dict[tuple[str, str], int] = {}
    for lk in links:
        dirs = ["a>b", "b>a"] if lk.bidirectional else ["a>b"]
        if lk.capacity is not None and lk.capacity_unit:
            cap, unit = to_shared(net, lk.capacity, lk.capacity_unit, f"links.csv {lk.id}")
        else:
            cap, unit = math.inf, ("MWh/yr" if lk.mode == "power_cable" else "t/yr")
            if lk.status == "existing" and lk.mode not in ("sea",) and not lk.service:
                warnings.append(f"link {lk.id}: no capacity given, treated as unlimited")
        if lk.status == "planned":
            cap = 0.0
        for d in dirs:
            link_res[(lk.id, d)] = add_res(
                Resource(
                    f"link:{lk.id}:{d}",
                    "link",
                    lk.id,
                    d,
                    cap,
                    unit,
                    lk.capacity,
                    lk.capacity_unit or "",
                    lk.country,
                    lk.status,
                )
            )
    svc_res: dict[tuple[str, str], int] = {}
    for lk in links:
        if not lk.service:
            continue
        s = net.services.get(lk.service)
        if s is None:
            raise DataError(
                Issue(
                    "links.csv",
                    None,
                    "service",
                    lk.service,
                    f"link {lk.id} names a service that is not in services.csv",
                )
            )
        payload = sailing_to_shared(
            net, s.capacity_per_sailing, s.sailing_unit, f"services.csv {s.id}"
        )
        cap = s.vessels * payload * 8760.0 / s.cycle_time * s.availability
        for d in ["a>b", "b>a"] if lk.bidirectional else ["a>b"]:
            if (s.id, d) not in svc_res:
                svc_res[(s.id, d)] = add_res(
                    Resource(
                        f"service:{s.id}:{d}",
                        "service",
                        s.id,
                        d,
                        cap,
                        "t/yr",
                        s.yearly_capacity(),
                        f"{s.sailing_unit}/yr",
                        lk.country,
                    )
                )
    proc_res: dict[str, int] = {}
    for p in procs:
        if p.capacity is not None and p.capacity_unit:
            cap, unit = to_shared(net, p.capacity, p.capacity_unit, f"processes.csv {p.id}")
        else:
            cap, unit = math.inf, "t/yr"
            if p.status == "existing":
                warnings.append(f"process {p.id}: no capacity given, treated as unlimited")
        if p.status == "planned":
            cap = 0.0
        node = net.nodes.get(p.node)
        proc_res[p.id] = add_res(
            Resource(
                f"process:{p.id}",
                "process",
                p.id,
                "",
                cap,
                unit,
                p.capacity,
                p.capacity_unit or "",
                node.country if node else "",
                p.status,
            )
        )
    procs_at: dict[str, list] = defaultdict(list)
    for p in procs:
        procs_at[p.node].append(p)

    graphs: dict[str, CommodityGraph] = {}
    for cid in coms:
        com = net.commodities[cid]
        graphs[cid] = _commodity_graph(
            net, com, links, procs_at, link_res, svc_res, proc_res, resources
        )
    return FlowModel(net.label, resources, graphs, warnings)


def _commodity_graph(
    net: Network,
    com: Commodity,
    links: list[Link],
    procs_at: dict[str, list],
    link_res: dict[tuple[str, str], int],
    svc_res: dict[tuple[str, str], int],
    proc_res: dict[str, int],
    resources: list[Resource],
) -> CommodityGraph:
    tpu = com.t_per_unit if com.unit != "MWh" else 1.0
    vid: dict[tuple[str, str], int] = {}
    # Separate source and sink hubs: with one hub a path could run terminal -> hub -> terminal
    # and change mode or gauge there without paying the node's transfer process.
    hub: dict[str, int] = {}
    sink: dict[str, int] = {}
    for nid in net.nodes:
        hub[nid] = len(vid)
        vid[(nid, "hub")] = hub[nid]
        sink[nid] = len(vid)
        vid[(nid, "sink")] = sink[nid]

    def v(node: str, mode: str) -> int:
        key = (node, mode)
        if key not in vid:
            vid[key] = len(vid)
        return vid[key]

    tail: list[int] = []
    head: list[int] = []
    cost: list[float] = []
    time_h: list[float] = []
    dist: list[float] = []
    kind: list[str] = []
    ref: list[str] = []
    arc_res: list[list[tuple[int, float]]] = []

    def coef(ri: int) -> float:
        unit = resources[ri].unit
        if unit == "MWh/yr":
            return 1.0 if com.unit == "MWh" else 0.0
        return tpu if com.unit != "MWh" else 0.0

    def process_cost(pids: list[str]) -> tuple[float, float]:
        c = t = 0.0
        for pid in pids:
            p = net.processes[pid]
            tc = _tariff_per_unit(net, "process", pid, com, 0.0)
            c += tc or 0.0
            t += p.time.mean
        return c, t

    def border_procs(node: str) -> list[str]:
        return [
            p.id
            for p in procs_at.get(node, [])
            if p.kind == "border" and _process_applies(p.commodities, com.id)
        ]

    modes_at: dict[str, set[str]] = defaultdict(set)
    vot = com.value_of_time / 24.0
    for lk in links:
        if not allowed_on_link(lk, com):
            continue
        modes_at[lk.a_node].add(lk.mode)
        modes_at[lk.b_node].add(lk.mode)
        base = _tariff_per_unit(net, "link", lk.id, com, lk.distance)
        if lk.service:
            sc = _tariff_per_unit(net, "service", lk.service, com, lk.distance)
            if sc is not None:
                base = (base or 0.0) + sc
        if base is None:
            base = (
                lk.distance * USD_PER_MWH_KM
                if com.unit == "MWh"
                else DEFAULT_RATE_USD_PER_TKM[lk.mode] * tpu * lk.distance
            )
        hours = lk.time.mean
        if lk.service:
            hours += net.services[lk.service].headway_hours() / 2.0
        dirs = [("a>b", lk.a_node, lk.b_node)]
        if lk.bidirectional:
            dirs.append(("b>a", lk.b_node, lk.a_node))
        for d, a, b in dirs:
            bp = border_procs(b)
            pc, pt = process_cost(bp)
            rs = [(link_res[(lk.id, d)], 0.0)]
            if lk.service:
                rs.append((svc_res[(lk.service, d)], 0.0))
            rs += [(proc_res[pid], 0.0) for pid in bp]
            tail.append(v(a, lk.mode))
            head.append(v(b, lk.mode))
            cost.append(base + pc + vot * (hours + pt))
            time_h.append(hours + pt)
            dist.append(lk.distance)
            kind.append("link")
            ref.append(lk.id)
            arc_res.append([(ri, coef(ri)) for ri, _ in rs])

    for node, modes in modes_at.items():
        plist = [p for p in procs_at.get(node, []) if _process_applies(p.commodities, com.id)]
        for m1 in sorted(modes):
            water = m1 in WATER_MODES
            io_kinds = {"port_handling"} if water else set()
            for direction in ("access", "egress"):
                ks = io_kinds | ({"loading"} if direction == "access" else {"unloading"})
                pids = [
                    p.id for p in plist if p.kind in ks and (water or p.kind != "port_handling")
                ]
                pc, pt = process_cost(pids)
                if direction == "access":
                    tail.append(hub[node])
                    head.append(v(node, m1))
                else:
                    tail.append(v(node, m1))
                    head.append(sink[node])
                cost.append(pc + vot * pt)
                time_h.append(pt)
                dist.append(0.0)
                kind.append(direction)
                ref.append(",".join(pids) or node)
                arc_res.append([(proc_res[pid], coef(proc_res[pid])) for pid in pids])
            for m2 in sorted(modes):
                if m1 == m2:
                    continue
                if frozenset((m1, m2)) == GAUGE_PAIR:
                    ks = {"gauge_change", "transshipment"}
                else:
                    ks = {"port_handling", "transshipment", "loading", "unloading"}
                pids = [p.id for p in plist if p.kind in ks]
                pc, pt = process_cost(pids)
                tail.append(v(node, m1))
                head.append(v(node, m2))
                cost.append(pc + vot * pt)
                time_h.append(pt)
                dist.append(0.0)
                kind.append("transfer")
                ref.append(",".join(pids) or node)
                arc_res.append([(proc_res[pid], coef(proc_res[pid])) for pid in pids])

    ptr = np.zeros(len(arc_res) + 1, dtype=np.int64)
    idx: list[int] = []
    val: list[float] = []
    for i, rs in enumerate(arc_res):
        for ri, _c in rs:
            idx.append(ri)
            val.append(coef(ri))
        ptr[i + 1] = len(idx)
    return CommodityGraph(
        commodity=com.id,
        unit=com.unit,
        t_per_unit=com.t_per_unit,
        n_vertices=len(vid),
        hub=hub,
        sink=sink,
        tail=np.asarray(tail, dtype=np.int64),
        head=np.asarray(head, dtype=np.int64),
        cost=np.asarray(cost, dtype=float),
        time_h=np.asarray(time_h, dtype=float),
        distance_km=np.asarray(dist, dtype=float),
        kind=kind,
        ref=ref,
        res_ptr=ptr,
        res_idx=np.asarray(idx, dtype=np.int64),
        res_coef=np.asarray(val, dtype=float),
    )

"""Compile a Network + Scenario into a simulation model: stages (resources) and shipment paths.

Stage kinds (all times in hours):
- ``form``: block-train formation, one per train service and rail segment (the run of rail
  links and border/gauge-change processes between two transfers), shared by every flow of that
  commodity riding the same segment; a train leaves when its payload reaches ``capacity`` (t)
  or ``max_wait_h`` after its first shipment arrived, whichever is first
  (`train_rule`: train length and departure rule from the dataset's block_train services).
- ``section``: a rail section with capacity C trains/day: one train may enter every
  headway = 24 / C hours; the running time is sampled per train.
- ``queue``: a border post or gauge-change station with ``servers`` parallel tracks, each
  train (batch) held for a sampled processing time (FIFO, multi-server); `process_servers`
  derives the tracks from the sourced capacity (trains/day) and mean processing time.
- ``dwell``: per-shipment dwell (port handling, transshipment), an infinite-server delay.
- ``sail``: a ferry/feeder line, one direction: ``vessels`` ships, each loads at most
  ``capacity`` (in the service's sailing unit) per sailing, sails when full or
  ``max_wait_h`` after berthing, and is back for the next load ``cycle_h`` after departure.

Each direction of a line or section is its own resource (a round-trip cycle time gives each
direction the same number of sailings). Stages form a directed acyclic graph (flows run one way
through each resource), so the engine processes them in topological order.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import networkx as nx
import numpy as np

from titr.errors import DataError, Issue, NoRouteError, NotFoundError
from titr.graph import units, weather
from titr.network.model import RAIL_MODES, WATER_MODES, Network
from titr.sim.paths import shipment_steps
from titr.sim.scenario import Scenario, demand_from_csv


class Dist(Protocol):
    mean: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray: ...


@dataclass(frozen=True)
class Tri:
    """Triangular(min, mode, max) hours; mean = (a + c + b) / 3."""

    a: float
    c: float
    b: float

    @property
    def mean(self) -> float:
        return (self.a + self.c + self.b) / 3.0

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.b <= self.a:
            return np.full(size, self.a)
        return rng.triangular(self.a, self.c, self.b, size)


@dataclass(frozen=True)
class Expo:
    """Exponential with the given mean (hours)."""

    mean: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean, size)


@dataclass(frozen=True)
class Fixed:
    """Deterministic time (hours)."""

    mean: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.mean)


@dataclass
class Stage:
    key: str
    kind: str  # form | section | queue | dwell | sail
    resource: str  # link / process / service id, or node for formation
    node: str
    time: Any = None  # Dist: running, processing, dwell or sailing time (hours)
    servers: int = 1
    headway_h: float = 0.0
    capacity: float = float("inf")  # form: t per train; sail: sailing unit per sailing
    unit: str = "t"
    max_wait_h: float = 0.0
    cycle_h: float = 0.0
    vessels: int = 0
    weather_sensitive: bool = False
    to_node: str = ""


@dataclass
class Path:
    origin: str
    destination: str
    commodity: str
    stages: list[Any]  # stage keys while compiling, indices after `finish_model`


@dataclass
class SimModel:
    """Everything a replication needs; plain data, cheap to pickle to workers."""

    stages: list[Stage]
    paths: list[Path]
    flows: list[dict[str, Any]]  # path, per_year (lots/yr), lot, t_per_lot, promised_h
    order: list[int]  # topological order of stages
    load: dict[str, np.ndarray]  # unit -> load per lot of each flow, e.g. load["TEU"][f]
    scenario: Scenario
    label: str = ""
    plugins: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # demand flows without a route

    @property
    def horizon_h(self) -> float:
        return self.scenario.horizon_days * 24.0


def _tri(obj: Any) -> Tri:
    return Tri(float(obj.time_min), float(obj.time_mode), float(obj.time_max))


def compile_model(net: Network, sc: Scenario) -> SimModel:
    """Build stages and paths for every demand flow (raises DataError naming the flow)."""
    issues: list[Issue] = []
    stages: dict[str, Stage] = {}
    paths: list[Path] = []
    flows: list[dict[str, Any]] = []
    cap_t = sc.train_capacity_t or units.t_per_train(net)
    budget: dict[tuple[str, str, str], float] = {}
    wagon_t = sc.wagon_t or units.t_per_wagon(net)
    demand = sc.demand
    from_csv = False
    skipped: list[str] = []
    if not demand and (sc.demand_scenario or net.name == "middle-corridor-2025"):
        demand = demand_from_csv(sc.demand_scenario or "demand-2025")
        from_csv = True
    for i, fl in enumerate(demand):
        where = f"demand[{i}]"
        bad = False
        for key in ("origin", "destination"):
            try:  # codes or names in any language of the data (titr.network.places)
                code = net.resolve_node(getattr(fl, key))
                fl = replace(fl, origin=code) if key == "origin" else replace(fl, destination=code)
            except NotFoundError as e:
                issues.append(
                    Issue(
                        sc.source_file,
                        None,
                        f"{where}.{key}",
                        getattr(fl, key),
                        f"is not a node of dataset {net.label}: {e}",
                    )
                )
                bad = True
        com = net.commodities.get(fl.commodity)
        if com is None:
            issues.append(
                Issue(
                    sc.source_file,
                    None,
                    f"{where}.commodity",
                    fl.commodity,
                    f"is not a commodity of {net.label}: {', '.join(sorted(net.commodities))}",
                )
            )
            bad = True
        if bad or com is None:
            continue
        t_unit = com.t_per_unit if com.unit != "t" else 1.0
        lot = fl.lot or (1.0 if com.unit == "TEU" else wagon_t)
        t_lot = lot * (t_unit if com.unit != "t" else 1.0)
        com_cap = (
            cap_t if (sc.train_capacity_t or com.unit == "TEU") else units.t_per_train(net, com)
        )
        if t_lot > com_cap:
            issues.append(
                Issue(
                    sc.source_file,
                    None,
                    f"{where}.lot",
                    str(lot),
                    f"a lot of {t_lot:g} t exceeds the train capacity {com_cap:g} t",
                )
            )
            continue
        # TEU-equivalent sailing load (a ship's slots); containers count as TEU only when
        # the commodity's unit is TEU (`teu_per_lot` below), bulk and oil in t
        teu_lot = lot if com.unit == "TEU" else t_lot / units.t_per_teu(net)
        per_lot = {
            "t": t_lot,
            "TEU": teu_lot,
            "wagons": teu_lot / units.teu_per_wagon(net) if com.unit == "TEU" else t_lot / wagon_t,
        }
        try:
            parts = _assign(net, sc, fl, fl.per_year / lot, per_lot, budget)
        except NoRouteError as e:
            if from_csv:  # a shared demand table may list flows this network cannot carry
                skipped.append(f"{fl.origin}>{fl.destination}:{fl.commodity}: {e}")
                continue
            issues.append(
                Issue(
                    sc.source_file, None, where, f"{fl.origin}->{fl.destination}", f"no route: {e}"
                )
            )
            continue
        for steps, frac in parts:
            sids = _path_stages(net, sc, steps, fl.destination, fl.commodity, cap_t, stages)
            paths.append(Path(fl.origin, fl.destination, fl.commodity, sids))
            flows.append(
                {
                    "path": len(paths) - 1,
                    "lots_per_year": fl.per_year / lot * frac,
                    "share": frac,
                    "lot": lot,
                    "t_per_lot": t_lot,
                    "teu_per_lot": lot if com.unit == "TEU" else 0.0,
                    "slot_teu_per_lot": teu_lot,
                    "wagons_per_lot": per_lot["wagons"],
                    "promised_h": 24.0 * (fl.promised_days or sc.promised_days),
                    "name": f"{fl.origin}>{fl.destination}:{fl.commodity}",
                    "unit": com.unit,
                }
            )
    if not demand:
        issues.append(
            Issue(
                sc.source_file,
                None,
                "demand",
                None,
                "no demand flows: list at least one origin–destination flow",
            )
        )
    known = (net.nodes, net.links, net.processes, net.services)
    for i, cl in enumerate(sc.closures):  # a closure that matches nothing would do nothing
        if not any(cl.target in ids for ids in known):
            issues.append(
                Issue(
                    sc.source_file,
                    None,
                    f"plugins.closures[{i}].target",
                    cl.target,
                    f"is not a node, link, process or service of dataset {net.label}",
                )
            )
    if issues:
        raise DataError(issues)
    if from_csv:  # the scenario keeps the flows it simulated (resume, provenance)
        kept = {f["name"] for f in flows}
        sc.demand = [f for f in demand if f"{f.origin}>{f.destination}:{f.commodity}" in kept]
    real = [st for st in stages.values() if st.kind != "dir"]  # drop direction markers
    model = finish_model(real, paths, flows, sc, net.label)
    model.skipped = skipped
    model.plugins.update(dataset_plugin_params(net, sc))
    return model


ASSIGN_UTILISATION = 0.85


def _assign(
    net: Network,
    sc: Scenario,
    fl: Any,
    lots_per_year: float,
    per_lot: dict[str, float],
    budget: dict[tuple[str, str, str], float],
) -> list[tuple[list[dict[str, Any]], float]]:
    """Split a flow over routes so that no line direction is planned above
    ASSIGN_UTILISATION × its yearly capacity (vessels × payload × 8760 / cycle × availability):
    the fastest route takes the share that fits, the next fastest route avoiding the full
    lines takes more, and so on (flows in demand order). What fits nowhere stays on the
    fastest route, where the simulation shows the queue."""
    parts: list[tuple[list[dict[str, Any]], float]] = []
    left, full = 1.0, set[str]()
    for _ in range(8):
        avoid = [f"link:{lk.id}" for lk in net.links.values() if lk.service in full]
        try:
            steps = shipment_steps(net, fl.origin, fl.destination, fl.commodity, sc.corridor, avoid)
        except NoRouteError:
            if not avoid:  # no route at all (not just none with spare capacity)
                raise
            break
        need: dict[tuple[str, str, str], float] = {}
        for s in steps:
            lk = net.links.get(s["ref"]) if s["kind"] == "link" else None
            sv = net.services.get(lk.service or "") if lk is not None else None
            if lk is None or sv is None or lk.mode not in WATER_MODES:
                continue
            k = (sv.id, s["node"], s["to_node"])
            budget.setdefault(k, ASSIGN_UTILISATION * sv.yearly_capacity())
            need[k] = lots_per_year * per_lot[sv.sailing_unit]
        fit = min([budget[k] / n for k, n in need.items() if n > 0] + [1.0])
        f = min(left, max(fit, 0.0))
        if f > 1e-6:
            parts.append((steps, f))
            left -= f
            for k, n in need.items():
                budget[k] -= f * n
        newly = {k[0] for k in need if budget[k] <= 1e-6 * max(need[k], 1.0)}
        if left <= 1e-9 or not (newly - full):
            break
        full |= newly
    if left > 1e-9:
        if not parts:
            parts.append(
                (shipment_steps(net, fl.origin, fl.destination, fl.commodity, sc.corridor), 0.0)
            )
        parts[0] = (parts[0][0], parts[0][1] + left)
    return parts


def finish_model(
    stage_list: list[Stage],
    paths: list[Path],
    flows: list[dict[str, Any]],
    sc: Scenario,
    label: str = "",
) -> SimModel:
    """Index stages, order them topologically and tabulate loads per unit."""
    key_ix = {s.key: i for i, s in enumerate(stage_list)}
    g = nx.DiGraph()
    g.add_nodes_from(range(len(stage_list)))
    for p in paths:
        p.stages = [
            key_ix[stage_list[s].key] if isinstance(s, int) else key_ix[s] for s in p.stages
        ]
        for a, b in zip(p.stages, p.stages[1:], strict=False):
            g.add_edge(a, b)
    try:
        order = list(nx.lexicographical_topological_sort(g, key=lambda i: stage_list[i].key))
    except nx.NetworkXUnfeasible as e:
        cyc = nx.find_cycle(g)
        raise DataError(
            Issue(
                sc.source_file,
                None,
                "demand",
                None,
                "flows use the same resources in a cycle ("
                + " -> ".join(stage_list[a].key for a, _ in cyc)
                + "); the engine needs one direction per resource",
            )
        ) from e
    load = {
        "t": np.array([f["t_per_lot"] for f in flows]),
        # TEU-equivalent slots a lot takes on a TEU-rated ship (containers: their TEU; other
        # freight: t / t per TEU); `teu_per_lot` counts containers only
        "TEU": np.array([f.get("slot_teu_per_lot", f["teu_per_lot"]) for f in flows]),
        # wagons per lot (compile_model: TEU / teu_per_wagon for containers, t / t_per_wagon
        # for other freight); a hand-made model without them boards no wagon ferry
        "wagons": np.array([f.get("wagons_per_lot", math.nan) for f in flows]),
    }
    return SimModel(stage_list, paths, flows, order, load, sc, label)


def _path_stages(
    net: Network,
    sc: Scenario,
    steps: list[dict[str, Any]],
    dest: str,
    com: str,
    cap_t: float,
    stages: dict[str, Stage],
) -> list[str]:
    keys: list[str] = []
    carrier = "none"  # what the shipments are riding on: none | train | vessel

    def add(st: Stage) -> None:
        stages.setdefault(st.key, st)
        keys.append(st.key)

    for i, s in enumerate(steps):
        if s["kind"] == "process":
            p = net.processes[s["ref"]]
            # a process passed in two directions is two resources (the engine runs one way
            # through each); the first direction met keeps the plain key
            prev = next((x["node"] for x in reversed(steps[:i]) if x["kind"] == "link"), "")
            nxt = next((x["to_node"] for x in steps[i + 1 :] if x["kind"] == "link"), "")
            way = f"{prev}>{nxt}"
            first = stages.setdefault(f"@dir:{p.id}", Stage(way, "dir", p.id, p.node))
            sfx = "" if first.key == way else f"@{way}"
            if p.kind in ("border", "gauge_change"):
                c = process_servers(net, p, cap_t)
                add(Stage(f"queue:{p.id}{sfx}", "queue", p.id, p.node, _tri(p), servers=c))
            else:
                add(Stage(f"dwell:{p.id}{sfx}", "dwell", p.id, p.node, _tri(p)))
                carrier = "none"
            continue
        lk = net.links[s["ref"]]
        u, v = s["node"], s["to_node"]
        if lk.mode in WATER_MODES and lk.service in net.services:
            sv = net.services[lk.service]
            add(
                Stage(
                    f"sail:{sv.id}:{u}>{v}",
                    "sail",
                    sv.id,
                    u,
                    _tri(lk),
                    capacity=sv.capacity_per_sailing,
                    unit=sv.sailing_unit,
                    max_wait_h=min(sc.sailing_max_wait_hours, sv.headway_hours())
                    if sv.sailings_per_week
                    else sc.sailing_max_wait_hours,
                    cycle_h=sv.cycle_time,
                    vessels=sv.vessels,
                    weather_sensitive=sv.weather_sensitive,
                    to_node=v,
                )
            )
            carrier = "vessel"
            continue
        if lk.mode in RAIL_MODES and carrier != "train":
            seg, end = rail_segment(net, steps, i)
            h = hashlib.sha1("|".join(seg).encode()).hexdigest()[:6]
            svc, cap, wait = train_rule(net, sc, lk, net.commodities[com])
            add(
                Stage(
                    f"form:{svc}:{u}>{end}:{com}#{h}",
                    "form",
                    svc,
                    u,
                    None,
                    capacity=cap,
                    max_wait_h=wait,
                    to_node=end,
                )
            )
            carrier = "train"
        headway = 0.0
        if lk.capacity is not None and lk.capacity_unit and lk.mode in RAIL_MODES:
            if lk.capacity_unit == "trains/day":
                per_day = lk.capacity
            else:  # a yearly tonnage (t/yr, TEU/yr) in trains of cap_t tonnes
                t_yr, _ = units.to_shared(net, lk.capacity, lk.capacity_unit, f"links.csv {lk.id}")
                per_day = t_yr / units.DAYS_PER_YEAR / cap_t
            headway = 24.0 / per_day if per_day > 0 else 0.0
        add(
            Stage(
                f"section:{lk.id}:{u}>{v}",
                "section",
                lk.id,
                u,
                _tri(lk),
                headway_h=headway,
                to_node=v,
            )
        )
        if lk.mode not in RAIL_MODES:
            carrier = "none"
    return keys


TRAIN_PROCESSES = ("border", "gauge_change")  # a train passes these as one (queue stages)


def rail_segment(net: Network, steps: list[dict[str, Any]], i: int) -> tuple[list[str], str]:
    """The rail segment a train formed at step ``i`` runs: the step refs from ``i`` through
    every following rail link and border/gauge-change process, up to the first transfer
    (port, transshipment, a non-rail link); and the node where it ends."""
    seg: list[str] = []
    end = steps[i]["to_node"]
    for x in steps[i:]:
        if x["kind"] == "link":
            if net.links[x["ref"]].mode not in RAIL_MODES:
                break
            end = x["to_node"]
        elif net.processes[x["ref"]].kind not in TRAIN_PROCESSES:
            break
        seg.append(str(x["ref"]))
    return seg, end


def train_service(net: Network, lk: Any) -> Any | None:
    """The block_train service (services.csv) that runs container trains starting on link
    ``lk``: the one whose operator is the link's (first named) operator; None if none."""
    op = (lk.operator or "").split("/")[0].strip()
    for sv in sorted(net.services.values(), key=lambda s: s.id):
        if sv.kind == "block_train" and (sv.operator or "").strip() == op and op:
            return sv
    return None


def train_rule(net: Network, sc: Scenario, lk: Any, com: Any) -> tuple[str, float, float]:
    """(service id, train payload in t, longest wait in h) of the block trains formed on a
    rail segment starting with link ``lk`` for commodity ``com``.

    Containers ride the block_train service of the link's operator (`train_service`): its
    ``capacity_per_sailing`` is the train length (TEU, t or wagons, converted to t), and it
    leaves when full or one timetable headway (168 / ``sailings_per_week`` h) after its first
    container; a service without a timetable waits at most ``block_train_max_wait_h``
    (parameters.csv). Without a service (and for non-container freight) trains carry the
    dataset's ``t_per_train`` / ``t_per_train_general``; trains of other freight wait at most
    ``freight_train_max_wait_h``. A scenario's ``train_capacity_t`` and
    ``train_max_wait_hours`` override the dataset."""
    sv = train_service(net, lk) if com.unit == "TEU" else None
    if sc.train_capacity_t:
        cap = float(sc.train_capacity_t)
    elif sv is not None:
        cap = units.payload_t(
            net, sv.capacity_per_sailing, sv.sailing_unit, f"services.csv {sv.id}"
        )
    else:
        cap = units.t_per_train(net, com)
    if sc.train_max_wait_hours is not None:
        wait = float(sc.train_max_wait_hours)
    elif sv is not None and sv.sailings_per_week:
        wait = sv.headway_hours()
    elif com.unit == "TEU":
        wait = units.parameter(net, "block_train_max_wait_h", "a block train that leaves when full")
    else:
        wait = units.parameter(net, "freight_train_max_wait_h", f"a train of {com.id}")
    return (sv.id if sv is not None else f"train_{com.id}"), cap, wait


def process_servers(net: Network, p: Any, train_t: float) -> int:
    """Parallel tracks (servers) of a border or gauge-change process.

    With a sourced capacity, c = ceil(N × T / 24): a station that clears N trains a day while
    holding each for a mean T hours (the mean of its triangular time) has N·T/24 trains in
    process at once (Little's law). N is the capacity in trains/day, or a yearly tonnage over
    365 days in trains of ``train_t`` tonnes. Without a capacity, the ``servers`` column."""
    if p.capacity is None or not p.capacity_unit:
        return int(p.servers)
    if p.capacity_unit == "trains/day":
        per_day = float(p.capacity)
    else:
        t_yr, _ = units.to_shared(net, p.capacity, p.capacity_unit, f"processes.csv {p.id}")
        per_day = t_yr / units.DAYS_PER_YEAR / train_t
    mean_h = (p.time_min + p.time_mode + p.time_max) / 3.0
    return max(1, math.ceil(per_day * mean_h / 24.0 - 1e-9))


def dataset_plugin_params(net: Network, sc: Scenario) -> dict[str, Any]:
    """What the scenario's plugins read from the dataset (`DataError` naming a missing
    parameter): each weather-sensitive service's sea and every sea's storm climate
    (`titr.graph.weather`, the router's storms too) when storms are on; the low-water payload
    factor (``caspian_low_water_payload_factor``) when low water is on without its own."""
    out: dict[str, Any] = {"weather_seas": weather.weather_seas(net)}
    if sc.weather is not None:
        out["storm_climates"] = weather.storm_climates(net)
    if sc.low_water is not None and sc.low_water.get("payload_factor") is None:
        out["low_water_payload_factor"] = units.parameter(
            net, "caspian_low_water_payload_factor", "the low_water plugin"
        )
    return out

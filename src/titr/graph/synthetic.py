"""Seeded synthetic multimodal networks, for property tests and benchmarks.

Places are scattered over lon 20–120°, lat 30–55° and split into countries by longitude bands.
Rail links join each place to its nearest neighbours (gauge 1435 west of 45° E and east of
85° E, 1520 between); where the gauges meet, most places get a gauge-change process (some
deliberately none). Places at the end of a link that crosses a country boundary get a border
process. Places in the "Caspian" band (47–53° E) may be ports joined by ferry links with a
service and port handling; some road links are added. Links carry a per-TEU-km tariff except a
few (no tariff data); some links are planned, some allow uranium, one power cable carries
electricity. Same ``seed`` → same network.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from titr.network.model import (
    Commodity,
    EmissionFactor,
    Link,
    Manifest,
    Network,
    Node,
    Parameter,
    Process,
    Service,
    Source,
    TariffComponent,
    haversine_km,
)

# the dataset parameters the engines need (units, rates for unpriced links, penalties)
SYNTHETIC_PARAMETERS = (
    ("t_per_train", 1300.0, "t/train"),
    ("t_per_train_general", 3000.0, "t/train"),
    ("block_train_max_wait_h", 168.0, "h"),
    ("freight_train_max_wait_h", 48.0, "h"),
    ("t_per_wagon", 60.0, "t/wagon"),
    ("teu_per_wagon", 2.0, "TEU/wagon"),
    ("usd_per_eur", 1.1, "USD/EUR"),
    ("unpriced_usd_per_t_km_rail_1520", 0.035, "USD/t-km"),
    ("unpriced_usd_per_t_km_rail_1435", 0.035, "USD/t-km"),
    ("unpriced_usd_per_t_km_ferry", 0.08, "USD/t-km"),
    ("unpriced_usd_per_t_km_sea", 0.004, "USD/t-km"),
    ("unpriced_usd_per_t_km_road", 0.08, "USD/t-km"),
    ("unpriced_usd_per_t_km_pipeline", 0.01, "USD/t-km"),
    ("unpriced_usd_per_mwh_km_power_cable", 0.01, "USD/MWh-km"),
    ("unserved_penalty_usd_per_t", 2000.0, "USD/t"),
    ("unserved_penalty_usd_per_mwh", 500.0, "USD/MWh"),
)

COUNTRIES = ("DE", "PL", "TR", "GE", "AZ", "KZ", "UZ", "CN", "MN")


def _country(lon: float) -> str:
    i = int((lon - 20.0) / (100.0 / len(COUNTRIES)))
    return COUNTRIES[min(max(i, 0), len(COUNTRIES) - 1)]


def _gauge(lon: float) -> str:
    return "rail_1520" if 45.0 <= lon <= 85.0 else "rail_1435"


def synthetic_network(
    n_places: int = 200,
    seed: int = 0,
    *,
    neighbours: int = 3,
    port_share: float = 0.3,
    road_share: float = 0.1,
    planned_share: float = 0.05,
    missing_tariff_share: float = 0.05,
    no_gauge_process_share: float = 0.1,
) -> Network:
    """A random but valid corridor-like network (see the module docstring)."""
    if n_places < 4:
        raise ValueError("a synthetic network needs at least 4 places")
    rng = np.random.default_rng(seed)
    lon = rng.uniform(20.0, 120.0, n_places)
    lat = rng.uniform(30.0, 55.0, n_places)
    src = "S1"
    nodes: dict[str, Node] = {}
    ids = [f"N{i}" for i in range(n_places)]
    for i, nid in enumerate(ids):
        nodes[nid] = Node(
            id=nid,
            name_en=f"Place {i}",
            name_ru=f"Пункт {i}",
            name_tr=f"Yer {i}",
            country=_country(lon[i]),
            kind="terminal",
            lat=float(lat[i]),
            lon=float(lon[i]),
            coord_source=src,
            source=src,
        )
    xy = np.column_stack([lon * np.cos(np.radians(lat)), lat])
    k = min(neighbours + 1, n_places)
    _, nb = cKDTree(xy).query(xy, k=k)
    links: dict[str, Link] = {}
    tariffs: dict[str, TariffComponent] = {}
    processes: dict[str, Process] = {}
    services: dict[str, Service] = {}
    pairs: set[tuple[int, int]] = set()
    for i in range(n_places):
        for j in np.atleast_1d(nb[i])[1:]:
            a, b = (i, int(j)) if i < int(j) else (int(j), i)
            pairs.add((a, b))
    u = rng.random(len(pairs) * 4)
    ui = 0

    def draw() -> float:
        nonlocal ui
        ui += 1
        return float(u[(ui - 1) % len(u)])

    def add_link(
        lid: str,
        a: int,
        b: int,
        mode: str,
        km: float,
        speed: float,
        corridor: str = "middle",
        commodities: list[str] | None = None,
        passages: list[str] | None = None,
        service: str | None = None,
    ) -> None:
        t_mode = km / speed
        links[lid] = Link(
            id=lid,
            a_node=ids[a],
            b_node=ids[b],
            mode=mode,  # type: ignore[arg-type]
            corridors=[corridor],
            commodities=commodities or ["*"],
            passages=passages or [],
            distance=km,
            distance_source=src,
            time_min=0.8 * t_mode,
            time_mode=t_mode,
            time_max=1.5 * t_mode,
            time_source=src,
            service=service,
            status="planned" if draw() < planned_share else "existing",
            country=nodes[ids[a]].country,
            operator=f"OP_{nodes[ids[a]].country}",
        )
        if draw() >= missing_tariff_share:
            tid = f"T_{lid}"
            tariffs[tid] = TariffComponent(
                id=tid,
                applies_to="link",
                ref=lid,
                commodity="container",
                component="moving",
                basis="per_TEU_km",
                amount=round(0.1 + 0.2 * draw(), 3),
                year=2025,
                country=nodes[ids[a]].country,
                operator=f"OP_{nodes[ids[a]].country}",
                source=src,
            )

    gauges_at: dict[int, set[str]] = {}
    for n, (a, b) in enumerate(sorted(pairs)):
        km = max(1.0, haversine_km(lat[a], lon[a], lat[b], lon[b]) * 1.2)
        mode = _gauge(lon[a])
        corridor = "northern" if lat[a] > 50 else "middle"
        uranium = ["uranium", "container", "general"] if draw() < 0.2 else ["*"]
        add_link(f"L{n}", a, b, mode, km, 40.0, corridor, uranium)
        gauges_at.setdefault(a, set()).add(mode)
        gauges_at.setdefault(b, set()).add(mode)
        if nodes[ids[a]].country != nodes[ids[b]].country:
            for x in (a, b):
                pid = f"P_BORDER_{x}"
                if pid not in processes:
                    processes[pid] = Process(
                        id=pid,
                        node=ids[x],
                        kind="border",
                        commodities=["*"],
                        time_min=1,
                        time_mode=3,
                        time_max=8,
                        time_source=src,
                    )
        if draw() < road_share:
            add_link(f"R{n}", a, b, "road", km * 1.05, 60.0, corridor)
    for x, gs in gauges_at.items():
        if len(gs) == 2 and draw() >= no_gauge_process_share:
            pid = f"P_GAUGE_{x}"
            processes[pid] = Process(
                id=pid,
                node=ids[x],
                kind="gauge_change",
                commodities=["*"],
                time_min=1,
                time_mode=2,
                time_max=6,
                time_source=src,
            )
    ports = [i for i in range(n_places) if 47.0 <= lon[i] <= 53.0 and draw() < port_share]
    for x in ports:
        processes[f"P_PORT_{x}"] = Process(
            id=f"P_PORT_{x}",
            node=ids[x],
            kind="port_handling",
            commodities=["*"],
            time_min=6,
            time_mode=24,
            time_max=72,
            time_source=src,
        )
    for n, (a, b) in enumerate(zip(ports[:-1], ports[1:], strict=False)):
        sid = f"SV{n}"
        services[sid] = Service(
            id=sid,
            name=f"Line {n}",
            kind="feeder_line",
            vessels=2,
            capacity_per_sailing=300,
            sailing_unit="TEU",
            cycle_time=48 + 96 * draw(),
            source=src,
        )
        km = max(1.0, haversine_km(lat[a], lon[a], lat[b], lon[b]))
        add_link(
            f"F{n}", a, b, "ferry", km, 25.0, "middle", ["container", "general"], ["Caspian"], sid
        )
    if n_places >= 2:
        add_link("PC0", 0, 1, "power_cable", 100.0, 1000.0, "power", ["electricity"])
    all_modes = ["rail_1520", "rail_1435", "ferry", "sea", "road"]
    coms = {
        "container": Commodity(
            id="container",
            name_en="Containers",
            name_ru="Контейнеры",
            name_tr="Konteyner",
            unit="TEU",
            t_per_unit=12.0,
            modes=all_modes,
            value_of_time=30.0,
            source=src,
        ),  # type: ignore[arg-type]
        "general": Commodity(
            id="general",
            name_en="General",
            name_ru="Генгруз",
            name_tr="Genel",
            unit="t",
            t_per_unit=1.0,
            modes=all_modes,  # type: ignore[arg-type]
            source=src,
        ),
        "uranium": Commodity(
            id="uranium",
            name_en="Uranium",
            name_ru="Уран",
            name_tr="Uranyum",
            unit="t",
            t_per_unit=1.0,
            modes=["rail_1520", "rail_1435"],
            dangerous_goods_class="7",
            source=src,
        ),
        "electricity": Commodity(
            id="electricity",
            name_en="Electricity",
            name_ru="Электроэнергия",
            name_tr="Elektrik",
            unit="MWh",
            t_per_unit=0.0,
            modes=["power_cable"],
            source=src,
        ),
    }
    efs = {
        m: EmissionFactor(mode=m, g_co2_per_tkm=g, source=src)  # type: ignore[arg-type]
        for m, g in (("rail_1520", 20), ("rail_1435", 18), ("ferry", 50), ("road", 80))
    }
    params = {
        pid: Parameter(id=pid, value=v, unit=u, source="EST: synthetic test network")
        for pid, v, u in SYNTHETIC_PARAMETERS
    }
    return Network(
        manifest=Manifest(name=f"synthetic-{n_places}-{seed}", version="1"),
        parameters=params,
        content_hash=f"{seed:08d}{n_places:08d}",
        sources={src: Source(id=src, title="synthetic", publisher="titr")},
        nodes=nodes,
        links=links,
        processes=processes,
        services=services,
        commodities=coms,
        tariffs=tariffs,
        emission_factors=efs,
    )

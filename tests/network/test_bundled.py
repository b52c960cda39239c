"""The bundled middle-corridor-2025 dataset: valid, covers the issue's list, every figure sourced,
official TITR series, alternatives that apply, and a loss-free trip through the store."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from pathlib import Path

import pytest

from titr.network import attributes as attrs
from titr.network.alternatives import with_alternatives
from titr.network.bundled import DEFAULT, datasets_dir
from titr.network.checks import CYRILLIC
from titr.network.io_csv import component_records, validate_dataset
from titr.network.model import Network
from titr.network.places import fold as _fold
from titr.store.db import Store


@pytest.fixture(scope="module")
def net() -> Network:
    from titr.network.bundled import load

    return load(DEFAULT)


def find(net: Network, *keys: str, country: str | None = None) -> list[str]:
    """Node ids whose id or name (en/ru/tr, folded) contains one of the keys."""
    fk = [_fold(k) for k in keys]
    out = []
    for n in net.nodes.values():
        hay = " ".join(_fold(x) for x in (n.id, n.name_en, n.name_ru, n.name_tr))
        if any(k in hay for k in fk) and (country is None or n.country == country):
            out.append(n.id)
    return out


def reachable(net: Network, start: str, links: Iterable[str]) -> set[str]:
    """Nodes reachable from `start` over the given links (respecting one-way links)."""
    adj: dict[str, list[str]] = {}
    for lid in links:
        lk = net.links[lid]
        adj.setdefault(lk.a_node, []).append(lk.b_node)
        if lk.bidirectional:
            adj.setdefault(lk.b_node, []).append(lk.a_node)
    seen, todo = {start}, deque([start])
    while todo:
        for m in adj.get(todo.popleft(), []):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def test_validates_with_zero_errors() -> None:
    net, warnings = validate_dataset(datasets_dir() / DEFAULT)
    assert all(w.severity == "warning" for w in warnings)
    assert len(net.nodes) >= 40 and len(net.links) >= 45
    assert net.manifest.name == DEFAULT


PLACES = [
    (("Xi'an", "Xian"), "CN"),
    (("Chongqing",), "CN"),
    (("Urumqi",), "CN"),
    (("Lianyungang",), "CN"),
    (("Yiwu",), "CN"),
    (("Aktau",), "KZ"),
    (("Kuryk",), "KZ"),
    (("Alat", "Baku"), "AZ"),
    (("Turkmenbashi",), "TM"),
    (("Poti",), "GE"),
    (("Batumi",), "GE"),
    (("Akhalkalaki",), "GE"),
    (("Kars",), "TR"),
    (("Istanbul",), "TR"),
    (("Mersin",), "TR"),
    (("Ceyhan",), "TR"),
    (("Constanța", "Constanta"), "RO"),
    (("Burgas",), "BG"),
    (("Varna",), "BG"),
    (("Duisburg",), "DE"),
    (("Budapest",), "HU"),
    (("Małaszewicze",), "PL"),
]


@pytest.mark.parametrize(("keys", "country"), PLACES, ids=[p[0][0] for p in PLACES])
def test_named_place_exists(net: Network, keys: tuple[str, ...], country: str) -> None:
    assert find(net, *keys, country=country), f"no node for {keys} in {country}"


@pytest.mark.parametrize("name", ["Malaszewicze", "Constanta", "Urumqi", "Duisburg", "Kuryk"])
def test_places_resolve_by_plain_name(net: Network, name: str) -> None:
    nid = net.resolve_node(name)
    assert nid in find(net, name)


def _has_process(net: Network, ids: list[str], kind: str) -> bool:
    return any(p.kind == kind for nid in ids for p in net.processes_at(nid))


@pytest.mark.parametrize(
    "keys", [("Dostyk", "Alashankou"), ("Khorgos", "Altynkol")], ids=["dostyk", "khorgos"]
)
def test_china_kazakhstan_crossings_change_gauge(net: Network, keys: tuple[str, ...]) -> None:
    ids = find(net, *keys)
    assert ids, keys
    assert _has_process(net, ids, "gauge_change"), f"no gauge_change at {ids}"
    modes = {lk.mode for nid in ids for lk in net.links_of(nid)}
    assert {"rail_1435", "rail_1520"} <= modes


def test_akhalkalaki_gauge_change(net: Network) -> None:
    assert _has_process(net, find(net, "Akhalkalaki"), "gauge_change")


def _corridor_links(net: Network, corridor: str) -> list[str]:
    return [lk.id for lk in net.links.values() if corridor in lk.corridors]


def _countries_of(net: Network, link_ids: Iterable[str]) -> set[str]:
    return {
        net.nodes[n].country
        for lid in link_ids
        for n in (net.links[lid].a_node, net.links[lid].b_node)
    }


def test_northern_route_through_russia_and_belarus(net: Network) -> None:
    ids = _corridor_links(net, "northern")
    assert ids
    assert {"RU", "BY"} <= _countries_of(net, ids)


@pytest.mark.parametrize(("corridor", "passage"), [("sea_suez", "suez"), ("sea_cape", "cape")])
def test_sea_routes(net: Network, corridor: str, passage: str) -> None:
    ids = _corridor_links(net, corridor)
    assert ids
    assert any(net.links[i].mode == "sea" for i in ids)
    assert any(passage in _fold(p) for i in ids for p in net.links[i].passages), passage


def test_iran_route(net: Network) -> None:
    ids = _corridor_links(net, "iran")
    assert ids and "IR" in _countries_of(net, ids)


def test_caspian_crossings(net: Network) -> None:
    """Aktau/Kuryk -> Alat/Baku, and the Turkmenbashi crossing (to Alat in this dataset)."""
    water = [lk for lk in net.links.values() if lk.mode in ("ferry", "sea")]

    def crossing(a: set[str], b: set[str]) -> list[str]:
        return [lk.id for lk in water if {lk.a_node, lk.b_node} & a and {lk.a_node, lk.b_node} & b]

    east = set(find(net, "Aktau", "Kuryk", country="KZ"))
    az = set(find(net, "Alat", "Baku", country="AZ"))
    tm = set(find(net, "Turkmenbashi", country="TM"))
    assert crossing(set(find(net, "Aktau", country="KZ")), az)
    assert crossing(set(find(net, "Kuryk", country="KZ")), az)
    assert crossing(tm, east | az)
    assert all(
        net.links[lid].service
        for lid in crossing(east, az)
        if "container" in net.links[lid].commodities
    ), "container crossings are operated by services (fleet capacity)"


def test_oil_chain_reaches_ceyhan(net: Network) -> None:
    ids = _corridor_links(net, "oil")
    modes = {net.links[i].mode for i in ids}
    assert "pipeline" in modes and modes & {"sea", "ferry"}
    ceyhan = find(net, "Ceyhan")
    starts = find(net, "Tengiz") or find(net, "Aktau", country="KZ")
    assert any(set(ceyhan) & reachable(net, s, ids) for s in starts)
    via = find(net, "Sangachal", "Dubendi")
    assert via and any(set(via) & reachable(net, s, ids) for s in starts)


def test_uranium_route(net: Network) -> None:
    u = [c for c in net.commodities.values() if c.dangerous_goods_class == "7"]
    assert u, "a uranium commodity of dangerous goods class 7"
    ids = _corridor_links(net, "uranium")
    assert ids
    assert all("*" in net.links[i].commodities or u[0].id in net.links[i].commodities for i in ids)


def test_planned_power_cable_is_an_estimate(net: Network) -> None:
    cables = [lk for lk in net.links.values() if lk.mode == "power_cable"]
    assert cables and all(lk.status == "planned" for lk in cables)
    for lk in cables:
        cells = [lk.distance_source, lk.time_source, lk.capacity_source or "", lk.note or ""]
        assert (
            any(attrs.parse_source_ref(c)[1] for c in cells[:3])
            or "estimate" in " ".join(cells).lower()
        ), lk.id


def test_commodities(net: Network) -> None:
    units = {c.unit for c in net.commodities.values()}
    assert {"TEU", "t", "MWh"} <= units
    assert any(c.unit == "MWh" for c in net.commodities.values())
    keys = " ".join(_fold(c.id + c.name_en) for c in net.commodities.values())
    for k in ("container", "crude", "uranium", "electric"):
        assert k in keys, k


def test_middle_corridor_is_connected_from_china_to_europe(net: Network) -> None:
    existing = [lk.id for lk in net.links.values() if lk.status == "existing"]
    xian = find(net, "Xi'an", country="CN")[0]
    seen = reachable(net, xian, existing)
    for place in ("Poti", "Istanbul", "Constanța", "Duisburg", "Budapest"):
        assert set(find(net, place)) & seen, place


PROJECT_KEYS = [
    ("moyynty",),
    ("kyzylzhar",),
    ("bakhty", "ayagoz"),
    ("almaty",),
    ("aktau",),
    ("kuryk",),
    ("baku", "alat"),
    ("asco", "ferr", "vessel"),
    ("btk", "kars", "akhalkalaki"),
    ("georgia",),
    ("anaklia",),
    ("poti",),
]


@pytest.mark.parametrize("keys", PROJECT_KEYS, ids=[k[0] for k in PROJECT_KEYS])
def test_candidate_projects(net: Network, keys: tuple[str, ...]) -> None:
    hay = [_fold(p.id + " " + p.name_en + " " + (p.note or "")) for p in net.projects.values()]
    assert any(any(_fold(k) in h for k in keys) for h in hay), keys


def test_every_figure_group_is_sourced(net: Network) -> None:
    """Every source_ref cell cites known sources or is 'EST: reasoning'; set capacities and
    capex carry their source."""
    n_cells = 0
    for comp in attrs.COMPONENTS:
        cols = [a.field for a in attrs.table()[comp] if a.type == "source_ref"]
        for rec in component_records(net, comp):
            for col in cols:
                cell = getattr(rec, col)
                if cell is None:
                    continue
                n_cells += 1
                ids, est = attrs.parse_source_ref(cell)
                assert ids or est, (comp, col, cell)
                for sid in ids:
                    assert sid in net.sources, (comp, col, sid)
                if est is not None:
                    assert len(est.split()) >= 2, (comp, col, cell)
    assert n_cells > 300
    for lk in net.links.values():
        if lk.capacity is not None:
            assert lk.capacity_source and lk.capacity_unit, lk.id
    for p in net.projects.values():
        if p.capex is not None:
            assert p.capex_source, p.id


def test_sources_are_complete(net: Network) -> None:
    assert len(net.sources) >= 20
    for s in net.sources.values():
        assert s.url or s.note, f"{s.id}: no URL and no note saying why"
        assert s.reliability in ("high", "medium", "low")
    used: set[str] = set()
    for comp in attrs.COMPONENTS:
        cols = [a.field for a in attrs.table()[comp] if a.type == "source_ref"]
        for rec in component_records(net, comp):
            for col in cols:
                if getattr(rec, col):
                    used.update(attrs.parse_source_ref(getattr(rec, col))[0])
    assert used <= set(net.sources)


def test_names_in_three_languages(net: Network) -> None:
    for comp in ("nodes", "commodities", "projects"):
        for r in getattr(net, comp).values():
            for lang in ("en", "ru", "tr"):
                assert getattr(r, f"name_{lang}").strip(), (comp, r.id, lang)
            assert CYRILLIC.search(r.name_ru), (comp, r.id, r.name_ru)


def test_official_titr_series(net: Network) -> None:
    series = {i.year: i for i in net.indicator_series("titr_cargo")}
    want = {2019: 0.759, 2020: 0.783, 2021: 0.586, 2022: 1.485, 2023: 2.764, 2024: 4.484,
            2025: 4.119}  # fmt: skip
    assert {y: series[y].value for y in want if y in series} == want
    assert all(series[y].unit == "Mt" for y in want)


def test_targets(net: Network) -> None:
    t = list(net.targets.values())
    assert any(x.series == "titr_cargo" and x.value == 10 for x in t), "10 Mt target"
    assert any(x.series == "titr_cargo" and x.value == 11 and x.year == 2030 for x in t)
    assert any("trade" in x.series and (x.value == 1000 or x.value == 1) for x in t), (
        "USD 1 bn Kazakhstan-Azerbaijan trade target"
    )
    for series in ("titr_containers", "kz_oil_btc", "kz_az_trade"):
        assert net.indicator_series(series) or any(
            i.series.startswith(series.split("_")[0]) and series.split("_")[-1] in i.series
            for i in net.indicators
        ), series


# Labels that only corroborate the default from another source (the dataset says so in the
# note: "same per-line split as default"); they change nothing by design.
CORROBORATING = {"asco_ferries_2018_13_plus_2"}


def test_conflicting_figures_have_alternatives_that_apply(net: Network) -> None:
    """Each label (one alternative figure, possibly spanning several rows) sets every field it
    names and changes at least one default; the original network is not mutated."""
    alts = list(net.alternatives.values())
    assert len(alts) >= 3
    before = net.content_hash
    for label in sorted({a.label for a in alts}):
        new = with_alternatives(net, [label])
        changed = 0
        for alt in (a for a in alts if a.label == label):
            a = next(x for x in attrs.table()[alt.component] if x.field == alt.field)
            rec = getattr(new, alt.component)[alt.ref]
            assert getattr(rec, alt.field) == attrs.parse_cell(a, alt.value), alt.id
            changed += getattr(getattr(net, alt.component)[alt.ref], alt.field) != getattr(
                rec, alt.field
            )
        if label in CORROBORATING:
            continue
        assert changed, f"alternative {label} repeats the defaults"
        assert new.content_hash != net.content_hash
        assert label in new.version
    assert net.content_hash == before
    assert with_alternatives(net, []).content_hash == net.content_hash


def test_store_round_trip(store: Store, net: Network) -> None:
    store.save_network(net)
    back = store.load_network(DEFAULT)
    assert back.content_hash == net.content_hash
    assert back.nodes == net.nodes and back.links == net.links
    assert back.indicators == net.indicators and back.alternatives == net.alternatives


# --- one content per version (titr.network.bundled.stamp) ------------------------------------


def test_every_bundled_dataset_is_stamped_with_its_content() -> None:
    """Changing a bundled dataset without `python scripts/stamp_dataset.py` fails here: the
    manifest's content hash and its version's entry must be the content's."""
    from titr.network.bundled import bundled_names, datasets_dir, version_stamp

    for name in bundled_names():
        st = version_stamp(datasets_dir() / name)
        assert st.problem == "", st.problem
        assert len(set(st.history.values())) == len(st.history)


def _copy(tmp_path: Path) -> Path:
    import shutil

    from titr.network.bundled import datasets_dir

    d = tmp_path / "ds"
    shutil.copytree(datasets_dir() / "middle-corridor-2025", d)
    return d


def _edit_parameter(folder: Path, pid: str, value: str) -> None:
    p = folder / "parameters.csv"
    lines = p.read_text("utf-8").splitlines()
    lines = [
        f"{pid},{value},{ln.split(',')[2]},{','.join(ln.split(',')[3:])}"
        if ln.startswith(f"{pid},")
        else ln
        for ln in lines
    ]
    p.write_text("\n".join(lines) + "\n", "utf-8")


def test_a_content_change_is_caught_and_stamping_bumps_the_version(tmp_path: Path) -> None:
    from titr.network.bundled import stamp, version_stamp

    d = _copy(tmp_path)
    before = version_stamp(d)
    assert before.problem == ""
    _edit_parameter(d, "storm_days_per_year", "45")
    changed = version_stamp(d)
    assert "changed content under version" in changed.problem
    assert "scripts/stamp_dataset.py" in changed.problem
    old, new = stamp(d)
    assert (old, new) != (old, old) and new != before.version
    after = version_stamp(d)
    assert after.problem == "" and after.version == new
    assert after.history[before.version] == before.actual  # the old version keeps its content
    assert stamp(d) == (new, new)  # idempotent


def test_a_hand_edited_hash_without_a_bump_is_caught(tmp_path: Path) -> None:
    import json

    from titr.network.bundled import version_stamp

    d = _copy(tmp_path)
    _edit_parameter(d, "storm_days_per_year", "45")
    m = json.loads((d / "manifest.json").read_text("utf-8"))
    actual = version_stamp(d).actual
    m["content_sha256"] = actual  # the hash updated, the version not
    (d / "manifest.json").write_text(json.dumps(m), "utf-8")
    assert "is recorded in content_sha256_by_version with other content" in version_stamp(d).problem


def test_a_hand_bumped_version_is_stamped_as_is(tmp_path: Path) -> None:
    import json

    from titr.network.bundled import stamp

    d = _copy(tmp_path)
    _edit_parameter(d, "storm_days_per_year", "45")
    m = json.loads((d / "manifest.json").read_text("utf-8"))
    m["version"] = "2026.1"
    (d / "manifest.json").write_text(json.dumps(m), "utf-8")
    assert stamp(d) == ("2026.1", "2026.1")


@pytest.mark.parametrize(
    ("v", "want"), [("2025.1", "2025.2"), ("2025.9", "2025.10"), ("1", "2"), ("beta", "beta.1")]
)
def test_next_version(v: str, want: str) -> None:
    from titr.network.bundled import next_version

    assert next_version(v) == want


def test_a_written_copy_carries_no_stamp(tmp_path: Path) -> None:
    import json

    from titr.network.bundled import load
    from titr.network.io_csv import write_dataset

    out = write_dataset(load("middle-corridor-2025"), tmp_path / "w")
    m = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "content_sha256" not in m and "content_sha256_by_version" not in m

"""Operations the simulation compiles from the dataset (titr.sim.model): block trains per train
service and rail segment (length and departure rule from services.csv), border and
gauge-change tracks from the sourced trains/day and processing time, containers counted in TEU."""

from __future__ import annotations

import math

import pytest

from titr.errors import DataError
from titr.graph import units
from titr.network.bundled import load
from titr.sim import compile_model, parse_scenario
from titr.sim.model import process_servers, rail_segment, train_rule, train_service


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return load("middle-corridor-2025")


@pytest.fixture(scope="module")
def model(net):  # type: ignore[no-untyped-def]
    demand = [
        {"origin": "CN_XIAN", "destination": "GE_POTI", "commodity": "container", "per_year": 5000},
        {"origin": "CN_XIAN", "destination": "TR_IST", "commodity": "container", "per_year": 2000},
        {"origin": "CN_XIAN", "destination": "GE_POTI", "commodity": "general", "per_year": 9e4},
    ]
    return compile_model(net, parse_scenario({"demand": demand}))


def _forms(model, f):  # type: ignore[no-untyped-def]
    st = [model.stages[s] for s in model.paths[model.flows[f]["path"]].stages]
    return [s for s in st if s.kind == "form"]


def test_flows_sharing_a_rail_segment_share_trains(net, model) -> None:  # type: ignore[no-untyped-def]
    poti, ist, gen = _forms(model, 0), _forms(model, 1), _forms(model, 2)
    # Xi'an -> Aktau: one China Railway block train for both container flows (not one per OD)
    assert poti[0].key == ist[0].key
    assert (poti[0].resource, poti[0].node, poti[0].to_node) == (
        "SV_TRAIN_CR",
        "CN_XIAN",
        "KZ_AKTAU",
    )
    # after the Caspian the trains run to different places: different segments, different trains
    assert len(poti) == len(ist) == 2 and poti[1].key != ist[1].key
    assert poti[1].resource == ist[1].resource == "SV_TRAIN_ADY"
    # general cargo rides its own trains of the dataset's t_per_train_general
    assert gen[0].key != poti[0].key and gen[0].node == "CN_XIAN"
    assert gen[0].capacity == units.t_per_train(net, net.commodities["general"])


def test_train_length_and_departure_rule_come_from_the_service_rows(net, model) -> None:  # type: ignore[no-untyped-def]
    cr, ady = net.services["SV_TRAIN_CR"], net.services["SV_TRAIN_ADY"]
    poti = _forms(model, 0)
    assert poti[0].capacity == pytest.approx(cr.capacity_per_sailing * units.t_per_teu(net))
    assert poti[1].capacity == pytest.approx(ady.capacity_per_sailing * units.t_per_teu(net))
    wait = net.parameters["block_train_max_wait_h"].value
    assert cr.sailings_per_week is None and poti[0].max_wait_h == wait


def test_timetabled_service_leaves_within_one_headway(net) -> None:  # type: ignore[no-untyped-def]
    lk = net.links["L_ALAT_BKS"]
    ady = net.services["SV_TRAIN_ADY"].model_copy(update={"sailings_per_week": 7.0})
    n2 = net.model_copy(update={"services": {**net.services, "SV_TRAIN_ADY": ady}})
    sid, cap, wait = train_rule(n2, parse_scenario({}), lk, n2.commodities["container"])
    assert (sid, wait) == ("SV_TRAIN_ADY", 24.0)
    assert cap == pytest.approx(100 * units.t_per_teu(net))
    # a scenario override wins over the dataset
    sid, cap, wait = train_rule(
        n2,
        parse_scenario({"train_max_wait_hours": 6, "train_capacity_t": 500}),
        lk,
        n2.commodities["container"],
    )
    assert (cap, wait) == (500.0, 6.0)


def test_missing_train_parameter_is_a_data_error(net) -> None:  # type: ignore[no-untyped-def]
    pars = {k: v for k, v in net.parameters.items() if k != "block_train_max_wait_h"}
    n2 = net.model_copy(update={"parameters": pars})
    with pytest.raises(DataError, match="block_train_max_wait_h"):
        train_rule(n2, parse_scenario({}), net.links["L_XIAN_URC"], n2.commodities["container"])


def test_service_is_matched_by_the_links_operator(net) -> None:  # type: ignore[no-untyped-def]
    assert train_service(net, net.links["L_XIAN_URC"]).id == "SV_TRAIN_CR"  # type: ignore[union-attr]
    assert train_service(net, net.links["L_ALA_DOS"]).id == "SV_TRAIN_CR"  # type: ignore[union-attr]
    assert train_service(net, net.links["L_ALAT_BKS"]).id == "SV_TRAIN_ADY"  # type: ignore[union-attr]
    assert train_service(net, net.links["L_PET_YEK"]) is None  # RZD: dataset t_per_train
    sid, cap, _ = train_rule(
        net, parse_scenario({}), net.links["L_PET_YEK"], net.commodities["container"]
    )
    assert sid == "train_container" and cap == units.t_per_train(net)


def test_rail_segment_ends_at_the_first_transfer(net, model) -> None:  # type: ignore[no-untyped-def]
    from titr.sim.paths import shipment_steps

    steps = shipment_steps(net, "CN_XIAN", "GE_POTI", "container")
    seg, end = rail_segment(net, steps, 0)
    assert end == "KZ_AKTAU"
    kinds = {net.processes[r].kind for r in seg if r in net.processes}
    assert kinds <= {"border", "gauge_change"} and "gauge_change" in kinds


def test_border_and_gauge_tracks_from_sourced_capacity(net) -> None:  # type: ignore[no-untyped-def]
    tpt = units.t_per_train(net)
    akh = net.processes["PR_AKH_GAUGE"]  # 5 Mt/yr, 12/18/36 h
    per_day = 5e6 / 365 / tpt
    assert process_servers(net, akh, tpt) == math.ceil(per_day * 22.0 / 24.0) == 9
    dos = net.processes["PR_DOS_GAUGE"]  # 28 trains/day, 3/4.25/12 h
    assert process_servers(net, dos, tpt) == math.ceil(28 * (3 + 4.25 + 12) / 3 / 24) == 8
    # the tracks clear at least the sourced trains a day at the mean processing time
    for p in net.processes.values():
        if p.kind in ("border", "gauge_change") and p.capacity is not None:
            c = process_servers(net, p, tpt)
            mean = (p.time_min + p.time_mode + p.time_max) / 3
            n = p.capacity if p.capacity_unit == "trains/day" else None
            if n is not None:
                assert c * 24 / mean >= n - 1e-9 and (c - 1) * 24 / mean < n
    # without a capacity: the servers column
    etk = net.processes["PR_ETK_GAUGE"]
    assert etk.capacity is None and process_servers(net, etk, tpt) == etk.servers


def test_compiled_queue_uses_the_derived_tracks(net, model) -> None:  # type: ignore[no-untyped-def]
    q = {s.resource: s for s in model.stages if s.kind == "queue"}
    assert q["PR_AKH_GAUGE"].servers == 9
    assert q["PR_DOS_GAUGE"].servers == 8


def test_teu_counts_containers_only(net, model) -> None:  # type: ignore[no-untyped-def]
    c, _, g = model.flows
    assert c["teu_per_lot"] == 1.0 and c["unit"] == "TEU"
    assert g["teu_per_lot"] == 0.0 and g["unit"] == "t"
    # general cargo still takes TEU-equivalent slots on a TEU-rated ship
    assert g["slot_teu_per_lot"] == pytest.approx(g["t_per_lot"] / units.t_per_teu(net))
    assert model.load["TEU"][2] == pytest.approx(g["slot_teu_per_lot"])


def test_other_freight_trains_wait_at_most_the_freight_parameter(net, model) -> None:  # type: ignore[no-untyped-def]
    gen = _forms(model, 2)
    assert gen[0].resource == "train_general"
    assert gen[0].max_wait_h == net.parameters["freight_train_max_wait_h"].value
    pars = {k: v for k, v in net.parameters.items() if k != "freight_train_max_wait_h"}
    n2 = net.model_copy(update={"parameters": pars})
    with pytest.raises(DataError, match="freight_train_max_wait_h"):
        train_rule(n2, parse_scenario({}), net.links["L_XIAN_URC"], n2.commodities["general"])


BAD_OVERRIDES = [
    ({"train_max_wait_hours": -1}, "train_max_wait_hours", ">= 0"),
    ({"train_max_wait_hours": "two days"}, "train_max_wait_hours", "must be a number"),
    ({"train_max_wait_hours": True}, "train_max_wait_hours", "must be a number"),
    ({"train_max_wait_hours": float("nan")}, "train_max_wait_hours", "finite"),
    ({"train_capacity_t": 0}, "train_capacity_t", "> 0"),
    ({"train_capacity_t": -1540}, "train_capacity_t", "> 0"),
    ({"train_capacity_t": "110 TEU"}, "train_capacity_t", "must be a number"),
    ({"train_capacity_t": float("inf")}, "train_capacity_t", "finite"),
]


@pytest.mark.parametrize(("data", "where", "rule"), BAD_OVERRIDES)
def test_bad_train_overrides_name_the_key_and_rule(data, where, rule) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DataError) as e:
        parse_scenario(data, "s.json")
    msg = str(e.value)
    assert where in msg and rule in msg and "s.json" in msg


def test_closure_of_a_train_service_holds_its_trains(net) -> None:  # type: ignore[no-untyped-def]
    from titr.sim import rep_rng, run_replication

    demand = [
        {"origin": "CN_XIAN", "destination": "GE_POTI", "commodity": "container", "per_year": 20000}
    ]
    base = {"demand": demand, "horizon_days": 120, "warmup_days": 10}
    shut = {
        **base,
        "plugins": {"closures": [{"target": "SV_TRAIN_CR", "start_day": 40, "end_day": 50}]},
    }
    out = []
    for d in (base, shut):
        m = compile_model(net, parse_scenario(d))
        tr = run_replication(m, rep_rng(1, 0))
        k = next(
            i for i, s in enumerate(m.paths[0].stages) if m.stages[s].resource == "SV_TRAIN_CR"
        )
        out.append(tr.tst[0][k])
    dep = out[1]
    assert not ((dep >= 40 * 24) & (dep < 50 * 24)).any()  # no train leaves while closed
    assert ((out[0] >= 40 * 24) & (out[0] < 50 * 24)).any()


@pytest.mark.parametrize("target", ["NOWHERE", "sv_train_cr", "", "L_XIAN"])
def test_closure_of_an_unknown_target_is_refused(net, target) -> None:  # type: ignore[no-untyped-def]
    demand = [
        {"origin": "CN_XIAN", "destination": "GE_POTI", "commodity": "container", "per_year": 2000}
    ]
    d = {
        "demand": demand,
        "plugins": {"closures": [{"target": target or " ", "start_day": 1, "end_day": 2}]},
    }
    with pytest.raises(DataError, match=r"plugins\.closures\[0\]\.target"):
        compile_model(net, parse_scenario(d, "c.json"))

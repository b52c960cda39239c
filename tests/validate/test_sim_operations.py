"""Simulation operations against outside figures and the router (bundled 2025 baseline).

- Container block trains a year from China: the baseline's count (trains formed at Chinese
  origins per year, from the demand's TEU and the sourced train length) lies within the sourced
  2025 range: ADY's 317 block trains in Jan–Oct 2025 (S189), i.e. ~380 a year, up to ADY's 2025
  target of 600 (S188). Printed next to 2024's 287–310 China→AZ/Europe block trains (S165,
  S164) and 358 container trains (S174).
- Throughput never above demand; a 30-day Caspian closure (all Caspian lines) during the warm-up
  or inside the window never raises it (same seeds).
- A small flow (≤ 2 % of every resource's capacity) moves no other flow's p50 by 5 % or more.
- Simulated container p50 stays consistent with `titr route`'s p50 for the same OD: not below
  it by more than half a day, and at most 20 % above it (the simulation adds the block-train
  formation wait and queues that the router does not model)."""

from __future__ import annotations

import pytest

from titr.graph import units
from titr.sim import compile_model, parse_scenario, rep_rng, run_replication
from titr.sim.stats import combine, summarise

pytestmark = pytest.mark.slow

BASELINE = {
    "demand_scenario": "demand-2025",
    "horizon_days": 365,
    "warmup_days": 30,
    "plugins": {"weather": {}},
}
CASPIAN = ("SV_CASP_FDR", "SV_CASP_KUR_FERRY", "SV_CASP_DRY", "SV_CASP_TANK", "SV_CASP_TMB_FERRY")
REPS = 3


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    from titr.network.bundled import load

    return load("middle-corridor-2025")


def run(net, sc_dict, reps: int = REPS):  # type: ignore[no-untyped-def]
    model = compile_model(net, parse_scenario(sc_dict))
    summ = [summarise(model, run_replication(model, rep_rng(2025, r)), r) for r in range(reps)]
    return model, summ


@pytest.fixture(scope="module")
def baseline(net):  # type: ignore[no-untyped-def]
    return run(net, BASELINE)


def china_container_trains(net, model, s) -> float:  # type: ignore[no-untyped-def]
    return sum(
        r["trains_per_year"]
        for r in s["resources"].values()
        if r["kind"] == "form"
        and "trains_per_year" in r
        and net.nodes[r["node"]].country == "CN"
        and r["resource"].startswith("SV_TRAIN")
    )


def test_baseline_container_trains_within_the_sourced_range(net, baseline) -> None:  # type: ignore[no-untyped-def]
    model, summ = baseline
    cn = [china_container_trains(net, model, s) for s in summ]
    allc = [s["trains"]["container_per_year"] for s in summ]
    lo, hi = 317 * 12 / 10, 600  # ADY Jan–Oct 2025 annualised (S189); ADY 2025 target (S188)
    print(
        f"\ncontainer block trains from China, model 2025: {min(cn):.0f}–{max(cn):.0f}/yr "
        f"(all container trains formed: {sum(allc) / len(allc):.0f}/yr); "
        f"sourced 2025: {lo:.0f} (ADY 317 in Jan–Oct, S189) – {hi} (ADY target, S188); "
        "2024: 287–310 China→AZ/Europe (S165, S164), 358 container trains (S174)"
    )
    assert all(lo <= x <= hi for x in cn), cn
    # and containers are counted as containers: the 2025 demand is ~77,000 TEU (S174)
    teu = combine(summ)["throughput.teu_per_year"]["mean"]
    assert 0.95 * 77000 <= teu <= 1.05 * 77000, teu


def test_throughput_never_above_demand_and_closures_never_raise_it(net, baseline) -> None:  # type: ignore[no-untyped-def]
    _, base0 = baseline
    for s in base0:
        th = s["throughput"]
        assert th["t_per_year"] <= th["demand_t_per_year"] + 1e-6
        assert th["teu_per_year"] <= th["demand_teu_per_year"] + 1e-6
    # a warm-up (= drain time) longer than the longest baseline transit (~44 d): the baseline
    # delivers all of its window's freight, so the comparison is free of end-of-year noise
    long = {**BASELINE, "warmup_days": 60}
    _, base = run(net, long)
    for s in base:
        assert s["throughput"]["t_per_year"] == pytest.approx(s["throughput"]["demand_t_per_year"])
    for start, end in ((0, 30), (30, 60), (100, 130)):
        closures = [{"target": sv, "start_day": start, "end_day": end} for sv in CASPIAN]
        sc = {**long, "plugins": {"weather": {}, "closures": closures}}
        _, shut = run(net, sc)
        for b, c in zip(base, shut, strict=True):
            assert c["throughput"]["t_per_year"] <= b["throughput"]["t_per_year"] + 1e-6, (
                start,
                b["throughput"],
                c["throughput"],
            )
            assert c["throughput"]["t_per_year"] <= c["throughput"]["demand_t_per_year"] + 1e-6


def test_a_small_flow_moves_no_other_flows_p50(net, baseline) -> None:  # type: ignore[no-untyped-def]
    model, base = baseline
    extra = {
        "origin": "CN_XIAN",
        "destination": "HU_BUD",
        "commodity": "container",
        "per_year": 100,
    }
    from titr.sim.scenario import demand_from_csv

    demand = [
        {
            "origin": f.origin,
            "destination": f.destination,
            "commodity": f.commodity,
            "per_year": f.per_year,
        }
        for f in demand_from_csv("demand-2025")
    ]
    m2, more = run(net, {**BASELINE, "demand": [*demand, extra]} | {"demand_scenario": None})
    # the added flow is at most 2 % of the capacity of every resource it uses that has one
    t_yr = 100 * units.t_per_teu(net)
    f_new = next(f for f in m2.flows if f["name"].startswith("CN_XIAN>HU_BUD"))
    for s in m2.paths[f_new["path"]].stages:
        st = m2.stages[s]
        if st.kind == "queue":
            cap_t = st.servers * 8760 / st.time.mean * units.t_per_train(net)
            assert t_yr <= 0.02 * cap_t, st.key
        if st.kind == "section" and st.headway_h > 0:
            assert t_yr <= 0.02 * 8760 / st.headway_h * units.t_per_train(net), st.key
    a, b = combine(base), combine(more)
    keys = [k for k in a if k.startswith("od.") and k.endswith(".p50_d")]
    assert keys
    moved = {k: b[k]["mean"] / a[k]["mean"] - 1 for k in keys}
    print("\np50 moved by the small flow:", {k: f"{v:+.2%}" for k, v in moved.items()})
    assert all(abs(v) < 0.05 for v in moved.values()), moved
    akh_a = a.get("resources.queue:PR_AKH_GAUGE.mean_wait_h", {"mean": 0.0})["mean"]
    akh_b = b.get("resources.queue:PR_AKH_GAUGE.mean_wait_h", {"mean": 0.0})["mean"]
    print(f"Akhalkalaki mean wait: {akh_a:.2f} h -> {akh_b:.2f} h with the small flow")
    assert akh_b <= akh_a + 2.0


@pytest.mark.parametrize(
    ("o", "d"),
    [("CN_XIAN", "GE_POTI"), ("CN_XIAN", "TR_IST"), ("KZ_ALM", "GE_POTI"), ("CN_URC", "AZ_ALAT")],
)
def test_simulated_p50_consistent_with_the_router(net, baseline, o, d) -> None:  # type: ignore[no-untyped-def]
    from titr.routing import route

    _, summ = baseline
    sim = combine(summ)[f"od.{o}>{d}:container.p50_d"]["mean"]
    r = route(
        net, o, d, commodity="container", by="time", per="unit", samples=200, only_corridor="middle"
    )
    rp50 = r.routes[0].transit_time.p50
    print(f"\n{o}>{d}: simulated p50 {sim:.2f} d, router p50 {rp50:.2f} d ({sim / rp50 - 1:+.1%})")
    assert rp50 - 0.5 <= sim <= 1.2 * rp50

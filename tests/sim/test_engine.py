"""The fast engine on the tiny corridor: determinism, conservation, formation and sailing rules,
disruption plugins, event log export."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from titr.network.bundled import load
from titr.sim import compile_model, load_scenario, rep_rng, replicate, run_replication
from titr.sim.eventlog import event_log, export_event_log
from titr.sim.plugins import draw_disruptions, storm_windows

DATA = Path(__file__).resolve().parents[1] / "data" / "sim"


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    sc = load_scenario(DATA / "tiny.json")
    return compile_model(load(sc.dataset or ""), sc)


def test_same_seed_bit_identical_other_seed_differs(model) -> None:  # type: ignore[no-untyped-def]
    a = json.dumps(replicate(model, 7, 0), sort_keys=True)
    b = json.dumps(replicate(model, 7, 0), sort_keys=True)
    c = json.dumps(replicate(model, 7, 1), sort_keys=True)
    assert a == b and a != c


def test_every_shipment_delivered_times_monotone(model) -> None:  # type: ignore[no-untyped-def]
    tr = run_replication(model, rep_rng(3, 0))
    n = len(tr.flow)
    assert n > 1000
    assert np.isfinite(tr.delivered).all()
    for i in range(0, n, 97):
        k = tr.plen[i]
        ins, st = tr.t_in[i, : k + 1], tr.t_start[i, :k]
        assert (st >= ins[:k] - 1e-9).all() and (ins[1:] >= st - 1e-9).all()


def _stage(model, prefix):  # type: ignore[no-untyped-def]
    return next(i for i, s in enumerate(model.stages) if s.key.startswith(prefix))


def test_trains_and_sailings_respect_capacity_and_weather(model) -> None:  # type: ignore[no-untyped-def]
    rng = rep_rng(5, 0)
    tr = run_replication(model, rng)
    log = event_log(model, tr)
    t_per = np.array([f["t_per_lot"] for f in model.flows])
    forms = log[log.activity == "train formation"]
    tonnes = forms.assign(t=t_per[tr.flow[forms.case.to_numpy()]]).groupby("batch")["t"].sum()
    cap = model.stages[_stage(model, "form:")].capacity
    assert tonnes.max() <= cap + 1e-6 and tonnes.mean() > 0.5 * cap
    s = _stage(model, "sail:")
    st = model.stages[s]
    sail = log[log.stage == st.key]
    teu = np.array([f["teu_per_lot"] for f in model.flows])
    per_sailing = sail.assign(u=teu[tr.flow[sail.case.to_numpy()]]).groupby("batch")["u"].sum()
    # low water: payload 0.75 of the 300 TEU per sailing
    assert per_sailing.max() <= 0.75 * st.capacity + 1e-6
    # no departure inside a storm / closure / breakdown window of that stage
    rng2 = rep_rng(5, 0)
    for f in model.flows:
        from titr.sim.engine import release_times

        release_times(rng2, f["lots_per_year"], model.horizon_h, model.scenario.seasonality)
    d2 = draw_disruptions(model, rng2)
    ws, we = d2.windows[s]
    assert len(ws) > 0
    dep = sail.groupby("batch")["start_h"].first().to_numpy()
    i = np.searchsorted(ws, dep, side="right") - 1
    inside = (i >= 0) & (dep < we[np.maximum(i, 0)])
    assert not inside.any()


def test_border_closure_blocks_processing(model) -> None:  # type: ignore[no-untyped-def]
    tr = run_replication(model, rep_rng(11, 0))
    log = event_log(model, tr)
    at_b = log[(log.node == "KZ_B") & (log.activity == "processing")]
    started = at_b.start_h.to_numpy()
    assert not ((started >= 40 * 24) & (started < 42 * 24)).any()
    # trains queued during the closure start right when it ends
    assert (np.abs(started - 42 * 24) < 1e-9).any()


def test_storm_process_matches_the_scenario_override(model) -> None:  # type: ignore[no-untyped-def]
    """tiny.json: 40 storm days a year, 75 % of them in Nov–Feb (its weather override of the
    dataset climate): the windows the plugin draws close that many days, in that season."""
    from titr.sim.plugins import month_of

    w = model.scenario.weather
    climate = model.plugins["storm_climates"]["caspian"].reshaped(
        w["storm_days_per_year"], w["season_months"], w["season_share"], None
    )
    rng = np.random.default_rng(0)
    days, season = [], []
    for _ in range(200):
        s, e = storm_windows(rng, climate, 8760.0)
        days.append(np.minimum(e, 8760.0).sum() / 24 - s.sum() / 24)
        m = month_of(s) + 1
        season.append(np.isin(m, [11, 12, 1, 2]).mean() if len(s) else np.nan)
    assert 37 < np.mean(days) < 43  # closed days, overlaps counted once
    assert 0.68 < np.nanmean(season) < 0.82


def test_storms_and_low_water_lengthen_transit(tmp_path: Path) -> None:
    base = json.loads((DATA / "tiny.json").read_text())
    base["dataset"] = str((DATA.parent / "tiny").resolve())
    calm = dict(base, plugins={})
    out = []
    for sc_d in (calm, base):
        p = tmp_path / "s.json"
        p.write_text(json.dumps(sc_d))
        sc = load_scenario(p)
        m = compile_model(load(sc.dataset or ""), sc)
        out.append(np.mean([replicate(m, 1, r)["transit"]["mean_d"] for r in range(3)]))
    assert out[1] > out[0] + 1.0


def test_event_log_parquet_and_csv(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tr = run_replication(model, rep_rng(2, 0))
    p = export_event_log(model, tr, tmp_path / "log.parquet")
    c = export_event_log(model, tr, tmp_path / "log.csv")
    a, b = pd.read_parquet(p), pd.read_csv(c)
    assert len(a) == len(b) == int(tr.plen.sum())
    assert {"case", "activity", "resource", "start_h", "end_h", "wait_h"} <= set(a.columns)
    assert (a.wait_h >= -1e-9).all()
    last = a.groupby("case").end_h.max().to_numpy()
    np.testing.assert_allclose(np.sort(last), np.sort(tr.delivered))
    from titr.errors import DataError

    with pytest.raises(DataError):
        export_event_log(model, tr, tmp_path / "log.xlsx")


def test_shipment_steps_are_the_routers_route() -> None:
    """The simulation's paths are the router's fastest route on the one compiled graph (no
    fallback builder): same links, and the processes the router charges."""
    from titr.routing import route
    from titr.sim.paths import shipment_steps

    net = load(str(DATA.parent / "tiny"))
    b = shipment_steps(net, "CN_A", "GE_E", "container", None)
    r = route(net, "CN_A", "GE_E", commodity="container", by="time").routes[0]
    want = [(s.kind, s.ref) for s in r.steps if s.kind in ("link", "process")]
    assert [(s["kind"], s["ref"]) for s in b] == want
    from titr.errors import NoRouteError

    with pytest.raises(NoRouteError):
        shipment_steps(net, "CN_A", "GE_E", "container", None, ["link:L_CD"])


# --- the engine reproduces the frozen pre-issue-14 engine bit for bit --------------------------

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def _frozen(name: str):  # type: ignore[no-untyped-def]
    import importlib.util
    import sys

    key = f"titr_frozen{name}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[key] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def _same_trace(a, b) -> None:  # type: ignore[no-untyped-def]
    for x, y in zip(a.tin + a.tst + a.bat, b.tin + b.tst + b.bat, strict=True):
        assert x.dtype == y.dtype and x.shape == y.shape
        np.testing.assert_array_equal(x, y)  # exact, not approximate
    for sa, sb in zip(a.stage_stats, b.stage_stats, strict=True):
        assert sa.keys() == sb.keys()
        for k in sa:
            np.testing.assert_array_equal(np.asarray(sa[k]), np.asarray(sb[k]))


def _middle_corridor(days: float, plugins: dict | None = None):  # type: ignore[no-untyped-def, type-arg]
    from titr.sim import parse_scenario

    d = {
        "name": "identity",
        "demand_scenario": "demand-2025",
        "horizon_days": days,
        "warmup_days": 10,
        "plugins": plugins if plugins is not None else {"weather": {}},
    }
    return compile_model(load("middle-corridor-2025"), parse_scenario(d))


IDENTITY_PLUGINS = {
    "baseline": {"weather": {}},
    "every plugin": {
        "weather": {},
        "low_water": {},
        "breakdowns": {"mtbf_days": 15, "mttr_hours": 10, "kinds": ["queue", "section", "sail"]},
        "closures": [{"target": "AZ_BAK", "start_day": 20, "end_day": 24, "kind": "closure"}],
    },
    "none": {},
}


@pytest.mark.parametrize("case", sorted(IDENTITY_PLUGINS))
def test_engine_bit_identical_to_frozen_engine(case: str) -> None:
    """Same model and seed: the current engine's trace (every time, every batch id, every
    stage statistic) equals the one of the engine as it was before the speed work, kept
    frozen in benchmarks/_sim_engine_v1.py; the run also leaves the generator in the same
    state (same number of draws)."""
    v1 = _frozen("_sim_engine_v1")
    m = _middle_corridor(75, IDENTITY_PLUGINS[case])
    for rep in range(2):
        r_old, r_new = rep_rng(21, rep), rep_rng(21, rep)
        _same_trace(v1.run_replication(m, r_old), run_replication(m, r_new))
        assert r_old.random() == r_new.random()


def test_engine_bit_identical_to_frozen_engine_tiny(model) -> None:  # type: ignore[no-untyped-def]
    v1 = _frozen("_sim_engine_v1")
    for rep in range(3):
        _same_trace(
            v1.run_replication(model, rep_rng(8, rep)), run_replication(model, rep_rng(8, rep))
        )


def _comparable(summary: dict) -> str:  # type: ignore[type-arg]
    """A summary as JSON without its throughput block: the throughput accounting (which
    freight counts in the window) is the operations model's rule (issue 10) and changes with
    it, the rest is the statistics this speed work must reproduce."""
    out = {k: v for k, v in summary.items() if k not in OPERATIONS_KEYS}
    out["resources"] = {
        r: {k: v for k, v in rv.items() if k not in OPERATIONS_KEYS}
        for r, rv in summary.get("resources", {}).items()
    }
    return json.dumps(out, sort_keys=True)


# Figures the operations model (issue 10) added to the summary after the statistics were
# frozen: the throughput accounting and the trains counted per formation resource. The speed
# work must reproduce everything else bit for bit.
OPERATIONS_KEYS = frozenset({"throughput", "trains", "trains_per_year"})


def test_summary_identical_to_frozen_statistics(model) -> None:  # type: ignore[no-untyped-def]
    """summarise (occupancy from integer histograms, per-flow slices) gives the summary the
    frozen statistics gave, to the last bit (JSON of every figure: transit quantiles per OD,
    waits, L, W, weekly queues, utilisation, critical shares; the operations model's own
    figures, OPERATIONS_KEYS, are left to its tests)."""
    from titr.sim.stats import summarise

    s1 = _frozen("_sim_stats_v1")
    for m in (model, _middle_corridor(60, IDENTITY_PLUGINS["every plugin"])):
        for rep in range(2):
            tr = run_replication(m, rep_rng(4, rep))
            new = summarise(m, tr, rep)
            assert _comparable(s1.summarise(m, tr, rep)) == _comparable(new)
            assert len(new["resources"]) > 5 and new["critical_share"]


def test_interrupt_inside_a_kernel_stays_keyboard_interrupt() -> None:
    """SIGINT while a numba kernel calls back into Python surfaces as SystemError chained to
    the KeyboardInterrupt (seen as exit 1 instead of 130 in the CLI's Ctrl-C test): the
    engine's entry points turn it back; any other SystemError passes unchanged."""
    from titr.sim.engine import interruptible

    @interruptible
    def interrupted() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as ki:
            try:
                raise SystemError("inner") from ki
            except SystemError as inner:
                raise SystemError("returned a result with an exception set") from inner

    @interruptible
    def other() -> None:
        raise SystemError("something else")

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    with pytest.raises(SystemError, match="something else"):
        other()

"""Simulation benchmark: the fast batch engine against the SimPy reference model of the same
scenario and fidelity (shipment-level results), measured in the same run.

1. Baseline scenario (the bundled dataset with the capacity model's 2025 demand; the tiny test
   corridor if the bundled data is missing): R replications on each engine with the same
   seeds for demand and disruptions. Prints the time per replication, the ratio SimPy / fast,
   and the agreement of the results (mean and p90 transit, throughput, the busiest resource)
   with 95 % t-intervals.
2. One simulated year at 10 Mt/yr (the same scenario's demand scaled to 10 Mt): fast engine
   time (best of 3) with and without the statistics.

Times are CPU seconds (`time.process_time`): the engines run their replications alternated
(fast, SimPy, fast, SimPy ...) in one process, and the per-replication figure is the mean over
the R replications (different seeds, the same for both engines). The ratio compares two
implementations of the same model (vectorised batch engine vs process-based SimPy); each
statistic must agree within the two engines' 95 % confidence intervals (or 3 %), otherwise the
run stops with exit status 1.

Goals: ≥ 50× SimPy; one simulated year at 10 Mt/yr in < 1 s; 0.15 s CPU per baseline
replication including statistics.

Run: .venv/bin/python benchmarks/simulation.py [--reps 5] [--scenario FILE] [--days 365]
     [--quick]  (smoke run: 2 replications of 90 days)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bench import check, machine  # noqa: E402
from simpy_reference import simulate_simpy  # noqa: E402
from titr.network.bundled import bundled_names, load  # noqa: E402
from titr.sim import compile_model, load_scenario, parse_scenario, rep_rng  # noqa: E402
from titr.sim.engine import run_replication  # noqa: E402
from titr.sim.model import SimModel  # noqa: E402
from titr.sim.stats import combine, summarise  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = {
    "name": "baseline-2025",
    "demand_scenario": "demand-2025",
    "horizon_days": 365,
    "warmup_days": 30,
    "plugins": {"weather": {}},
}


def baseline(args: argparse.Namespace) -> tuple[Any, SimModel]:
    if args.scenario:
        sc = load_scenario(args.scenario)
        net = load(sc.dataset or "middle-corridor-2025")
    elif "middle-corridor-2025" in bundled_names():
        net = load("middle-corridor-2025")
        sc = parse_scenario(BASELINE)
    else:
        print("bundled dataset missing: using the tiny test corridor")
        sc = load_scenario(ROOT / "tests" / "data" / "sim" / "tiny.json")
        net = load(sc.dataset or "")
    sc = sc.with_horizon(args.days)
    return net, compile_model(net, sc)


def _fmt(st: dict[str, float], scale: float = 1.0) -> str:
    return f"{st['mean'] * scale:10.3f} ± {(st['ci_high'] - st['mean']) * scale:7.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--scenario", default=None)
    ap.add_argument("--days", type=float, default=None)
    ap.add_argument("--target-mt", type=float, default=10.0)
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 replications, 90 days")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.days = 2, 90.0
    print(machine())
    net, model = baseline(args)
    print(
        f"dataset {net.label}; {len(model.flows)} flows, {len(model.stages)} stages; "
        f"horizon {model.scenario.horizon_days:g} days; {args.reps} replications each"
    )
    run_replication(model, rep_rng(0, 0))  # warm caches
    out: dict[str, list[dict[str, Any]]] = {"fast": [], "simpy": []}
    times: dict[str, float] = {"fast": 0.0, "simpy": 0.0}
    t_stats = 0.0
    n_ship = 0
    for r in range(args.reps):
        t = time.process_time()
        tr = run_replication(model, rep_rng(1000, r))
        t1 = time.process_time()
        out["fast"].append(summarise(model, tr, r))
        times["fast"] += t1 - t
        t_stats += time.process_time() - t1
        n_ship += len(tr.flow)
        t = time.process_time()
        tr2 = simulate_simpy(model, rep_rng(1000, r))
        times["simpy"] += time.process_time() - t
        out["simpy"].append(summarise(model, tr2, r))
    ratio = times["simpy"] / times["fast"]
    print(f"\nshipments per replication: {n_ship / args.reps:,.0f}")
    per_rep = (times["fast"] + t_stats) / args.reps
    print(f"fast engine : {times['fast'] / args.reps:8.3f} s CPU per replication")
    print(f"statistics  : {t_stats / args.reps:8.3f} s CPU per replication (summarise)")
    print(f"SimPy       : {times['simpy'] / args.reps:8.3f} s CPU per replication")
    print(
        f"ratio SimPy / fast engine = {ratio:.1f}x   (goal >= 50x; compares: implementation of "
        f"the same model, vectorised batches vs SimPy processes)  "
        f"{'OK' if ratio >= 50 else 'BELOW GOAL'}"
    )
    print(
        f"engine + statistics: {per_rep:.3f} s CPU per replication (goal 0.15 s at 365 days: "
        f"{'n/a' if model.scenario.horizon_days < 365 else ('met' if per_rep <= 0.15 else 'NOT met')})"
    )
    cf, cr = combine(out["fast"]), combine(out["simpy"])
    busiest = max(
        (k for k in cf if k.endswith(".mean_wait_h") and k.startswith("resources.")),
        key=lambda k: cf[k]["mean"],
    )
    print("\nagreement (mean ± 95 % CI half-width)        fast          SimPy      diff")
    bad: list[str] = []
    for key, scale, unit in (
        ("transit.mean_d", 1, "d"),
        ("transit.p50_d", 1, "d"),
        ("transit.p90_d", 1, "d"),
        ("transit.on_time", 100, "%"),
        ("throughput.t_per_year", 1e-6, "Mt/yr"),
        (busiest, 1, "h"),
    ):
        a, b = cf[key], cr[key]
        half = (a["ci_high"] - a["mean"]) + (b["ci_high"] - b["mean"])
        diff = a["mean"] - b["mean"]
        agree = abs(diff) <= max(half, 0.03 * abs(b["mean"]))
        ok = "agree" if agree else "DIFFER"
        print(f"  {key[:40]:40s} {_fmt(a, scale)} {_fmt(b, scale)} {diff * scale:8.3f} {unit} {ok}")
        bad += [] if agree else [key]
    check(not bad, f"simulation statistics inside each other's CIs (differ: {bad or 'none'})")

    t_year = sum(f["lots_per_year"] * f["t_per_lot"] for f in model.flows)
    k = args.target_mt * 1e6 / t_year
    d = model.scenario.to_dict()
    d["demand"] = [dict(f, per_year=f["per_year"] * k) for f in d["demand"]]
    d["horizon_days"], d["warmup_days"] = 365, 30
    d.pop("demand_scenario", None)
    big = compile_model(net, parse_scenario(json.loads(json.dumps(d))))
    best_run, best_all = float("inf"), float("inf")
    for r in range(1 if args.quick else 3):
        t = time.process_time()
        tr = run_replication(big, rep_rng(7, r))
        t1 = time.process_time()
        s = summarise(big, tr, r)
        t2 = time.process_time()
        best_run, best_all = min(best_run, t1 - t), min(best_all, t2 - t)
    print(
        f"\none simulated year at {args.target_mt:g} Mt/yr demand ({len(tr.flow):,} shipments, "
        f"{sum(v.get('batches', 0) for st, v in zip(big.stages, tr.stage_stats, strict=True) if st.kind != 'dwell'):,.0f} train/sailing events; delivered "
        f"{s['throughput']['t_per_year'] / 1e6:.2f} Mt/yr):"
    )
    print(
        f"  engine {best_run:.3f} s CPU, engine + statistics {best_all:.3f} s (goal < 1 s)  "
        f"{'OK' if best_run < 1 else 'BELOW GOAL'}"
    )
    print(f"  critical resource: {s['critical_resource']}")


if __name__ == "__main__":
    main()

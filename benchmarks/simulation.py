"""Simulation benchmark: titr's engine against three other implementations of the same model,
measured in the same run:

- the previous titr engine (frozen copy, benchmarks/_sim_engine_v1.py, with the previous
  statistics _sim_stats_v1.py): the traces and summaries must be IDENTICAL (bit for bit);
  the ratio is the speed-up of issue 14's work (compiled loops, sorting trains instead of
  shipments, integer occupancy counts), same algorithm and same answers;
- a lean heapq event loop (benchmarks/_sim_heapq.py): one event list, per-shipment events,
  no framework, the stronger peer;
- SimPy (benchmarks/simpy_reference.py): processes and resources.
The last two draw the same demand and disruptions but sample running/service/sailing times
in event order, so their statistics must agree with titr's within the 95 % confidence
intervals (or 3 %); any disagreement stops the run with exit status 1.

1. Baseline scenario (the bundled dataset with the capacity model's 2025 demand; the tiny test
   corridor if the bundled data is missing): R replications on every engine with the same
   seeds, alternated (titr, previous, heapq, SimPy, titr, ...) in one process. titr and the
   previous engine run each replication --repeat times (best CPU time kept); the peers once.
2. One simulated year at 10 Mt/yr (the same demand scaled): titr's engine, best of 3, with
   and without the statistics.
3. JIT warm-up of the compiled loops (numba, cache=True): the CPU time of the first
   replication in this process beyond a warm one (loading the on-disk cache, or compiling),
   and in a full run the compile time from an empty cache in a fresh process. It is never
   counted in a replication's time.

Times are CPU seconds (`time.process_time`), not wall time: the machine is shared.
Goals: >= 50x SimPy; one simulated year at 10 Mt/yr in < 1 s; 0.15 s CPU per baseline
replication including statistics.

Run: .venv/bin/python benchmarks/simulation.py [--reps 5] [--repeat 3] [--scenario FILE]
     [--days 365] [--quick]  (smoke run: 2 replications of 90 days)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _sim_engine_v1 as v1  # noqa: E402
import _sim_stats_v1 as v1_stats  # noqa: E402
from _bench import check, machine  # noqa: E402
from _sim_heapq import simulate_heapq  # noqa: E402
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


COLD = """
import time
from titr.network.bundled import load
from titr.sim import compile_model, load_scenario, rep_rng, replicate
sc = load_scenario({tiny!r})
m = compile_model(load(sc.dataset or ""), sc)
t = time.process_time(); replicate(m, 0, 0); a = time.process_time() - t
t = time.process_time(); replicate(m, 0, 0); b = time.process_time() - t
print(a - b)
"""


def jit_cold() -> float:
    """CPU seconds that compiling every kernel costs: the first replication (with statistics)
    in a fresh process whose numba cache directory is empty, minus a second one."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        tiny = str(ROOT / "tests" / "data" / "sim" / "tiny.json")
        r = subprocess.run(
            [sys.executable, "-c", COLD.format(tiny=tiny)],
            env={**os.environ, "NUMBA_CACHE_DIR": d},
            capture_output=True,
            text=True,
            check=True,
        )
    return float(r.stdout.strip().splitlines()[-1])


def _stats_json(summary: dict[str, Any]) -> str:
    return json.dumps(summary, sort_keys=True)


def _fmt(st: dict[str, float], scale: float = 1.0) -> str:
    return f"{st['mean'] * scale:10.3f} ± {(st['ci_high'] - st['mean']) * scale:7.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3, help="best of N for titr and previous")
    ap.add_argument("--scenario", default=None)
    ap.add_argument("--days", type=float, default=None)
    ap.add_argument("--target-mt", type=float, default=10.0)
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 replications, 90 days")
    args = ap.parse_args()
    if args.quick:
        args.reps, args.days, args.repeat = 2, 90.0, 1
    print(machine())
    net, model = baseline(args)
    print(
        f"dataset {net.label}; {len(model.flows)} flows, {len(model.stages)} stages; "
        f"horizon {model.scenario.horizon_days:g} days; {args.reps} replications each"
    )
    t = time.process_time()
    run_replication(model, rep_rng(0, 0))
    first = time.process_time() - t
    t = time.process_time()
    tr0 = run_replication(model, rep_rng(0, 0))
    warm = time.process_time() - t
    summarise(model, tr0)  # the statistics' kernel too
    v1.run_replication(model, rep_rng(0, 0))
    engines = ("titr", "previous", "heapq", "SimPy")
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in engines}
    times = dict.fromkeys(engines, 0.0)
    t_stats = {"titr": 0.0, "previous": 0.0}
    n_ship = 0
    same_trace = True
    for r in range(args.reps):
        best = {"titr": (float("inf"), 0.0), "previous": (float("inf"), 0.0)}
        for _ in range(args.repeat):  # titr and the previous engine alternated, best of N
            for name, run, summ in (
                ("titr", run_replication, summarise),
                ("previous", v1.run_replication, v1_stats.summarise),
            ):
                t = time.process_time()
                tr = run(model, rep_rng(1000, r))
                t1 = time.process_time()
                s = summ(model, tr, r)
                t2 = time.process_time()
                if t2 - t < sum(best[name]):
                    best[name] = (t1 - t, t2 - t1)
                if name == "titr":
                    tr_new, s_new = tr, s
                else:
                    same_trace &= all(
                        np.array_equal(x, y)
                        for x, y in zip(
                            tr.tin + tr.tst + tr.bat,
                            tr_new.tin + tr_new.tst + tr_new.bat,
                            strict=True,
                        )
                    )
        for name in best:
            times[name] += best[name][0]
            t_stats[name] += best[name][1]
        out["titr"].append(s_new)
        out["previous"].append(s)
        n_ship += len(tr_new.flow)
        for name, fn in (("heapq", simulate_heapq), ("SimPy", simulate_simpy)):
            t = time.process_time()
            tr2 = fn(model, rep_rng(1000, r))
            times[name] += time.process_time() - t
            out[name].append(summarise(model, tr2, r))
    R = args.reps
    print(f"\nshipments per replication: {n_ship / R:,.0f}")
    print(
        f"JIT warm-up (first replication in this process minus a warm one; numba cache "
        f"{'loaded' if first - warm < 2 else 'compiled'}): {max(0.0, first - warm):.2f} s CPU, "
        f"not counted below"
    )
    if not args.quick:
        print(f"JIT compile from an empty cache (fresh process): {jit_cold():.2f} s CPU, once")
    print(f"\n{'CPU s per replication':<34}{'engine':>9}{'stats':>9}{'total':>9}{'ratio':>9}")
    tot = {k: (times[k] + t_stats.get(k, 0.0)) / R for k in engines}
    for k in engines:
        st_k = f"{t_stats[k] / R:9.3f}" if k in t_stats else f"{'':>9}"
        label = {
            "titr": "titr (compiled loops)",
            "previous": "previous titr engine (frozen)",
            "heapq": "heapq event loop",
            "SimPy": "SimPy processes",
        }[k]
        print(
            f"  {label:<32}{times[k] / R:9.3f}{st_k}{tot[k]:9.3f}{times[k] / times['titr']:8.1f}x"
        )
    print(
        "  ratio = engine CPU / titr engine CPU; compares: the same model and rules, "
        "batch engine with compiled loops vs per-shipment event loops (heapq, SimPy); "
        "'previous' is the same algorithm before the compiled loops"
    )
    check(
        same_trace
        and [_stats_json(x) for x in out["previous"]] == [_stats_json(x) for x in out["titr"]],
        "titr traces and summaries identical to the previous engine's (bit for bit)",
    )
    ratio = times["SimPy"] / times["titr"]
    print(
        f"ratio SimPy / titr = {ratio:.1f}x (goal >= 50x) {'OK' if ratio >= 50 else 'BELOW GOAL'}"
    )
    per_rep = tot["titr"]
    print(
        f"titr engine + statistics: {per_rep:.3f} s CPU per replication (goal 0.15 s at 365 "
        f"days: {'n/a' if model.scenario.horizon_days < 365 else ('met' if per_rep <= 0.15 else 'NOT met')})"
    )
    cf = combine(out["titr"])
    busiest = max(
        (k for k in cf if k.endswith(".mean_wait_h") and k.startswith("resources.")),
        key=lambda k: cf[k]["mean"],
    )
    bad: list[str] = []
    for peer in ("heapq", "SimPy"):
        cr = combine(out[peer])
        print(f"\nagreement (mean ± 95 % CI half-width)     titr              {peer:<10}      diff")
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
            print(
                f"  {key[:40]:40s} {_fmt(a, scale)} {_fmt(b, scale)} {diff * scale:8.3f} {unit} {ok}"
            )
            bad += [] if agree else [f"{peer}:{key}"]
    check(
        not bad,
        f"simulation statistics of titr, heapq and SimPy inside each other's CIs "
        f"(differ: {bad or 'none'})",
    )

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

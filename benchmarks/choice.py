"""Benchmark: the capacity-aware choice equilibrium on the bundled data.

Run:  .venv/bin/python benchmarks/choice.py [--quick] [--repeat N]

For each scenario (baseline, single-tariff, time-halved; --quick: single-tariff only) the
script runs `titr.choice.forecast` from 2026 to 2035 (--quick: to 2030) and reports the CPU
time (best of N), the equilibrium iterations per year and the final gap. Goal: < 10 s for the
whole forecast.

Peer, measured in the same run: the same equilibrium found by bisection on the toll with the
capacity LP as the oracle (one LP solve per step, no clearing step from the served volume). The Middle Corridor volumes
of both must agree within 0.5 % (checked), and the ratio of CPU times is printed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import titr
from titr.choice.capacity import corridor_lp
from titr.choice.equilibrium import MIDDLE, _with_toll
from titr.choice.forecast import (
    bundled_estimates,
    captive_rows,
    forecast,
    market_demand,
    year_alternatives,
)
from titr.choice.inputs import load_choice_data
from titr.choice.model import shares
from titr.choice.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench import check, cpu_alternated, machine, ratio_line  # noqa: E402


def lp_bisection(net, data, coefs, scenario, year, rel=1e-5):  # type: ignore[no-untyped-def]
    """Peer: the clearing toll by bisection with the capacity LP as the oracle (raise the toll
    while anything is unserved), one LP solve per step."""
    m = data.markets["cn_eu_container"]
    alts, projects = year_alternatives(net, data, m.id, year, scenario)
    d = market_demand(data, m.id, year)
    cap = captive_rows(net, data, year, 2025)
    im = [a.corridor for a in alts].index(MIDDLE)
    solves = 0

    def unserved(toll: float) -> tuple[float, float]:
        nonlocal solves
        x = d * shares(coefs, _with_toll(alts, toll))[im]
        solves += 1
        run = corridor_lp(net, [*cap, (m.commodity, m.origin, m.destination, x)], projects=projects)
        return float(run.unserved[-1]), x

    u, x = unserved(0.0)
    if u <= 1e-3 * x:
        return x, solves
    lo, hi = 0.0, 1.0
    while unserved(hi)[0] > 1e-3 * x:
        lo, hi = hi, hi * 2
    while hi - lo > rel * hi:
        mid = 0.5 * (lo + hi)
        if unserved(mid)[0] > 1e-6 * x:
            lo = mid
        else:
            hi = mid
    return unserved(hi)[1], solves


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    print(machine())
    net = titr.load_dataset()
    data = load_choice_data(net)
    coefs = bundled_estimates()
    names = ["single-tariff"] if a.quick else ["baseline", "single-tariff", "time-halved"]
    to = 2030 if a.quick else 2035
    repeat = 1 if a.quick else a.repeat
    print(f"dataset {net.label}; coefficients {coefs.kind} on {coefs.meta.get('years')}; to {to}")
    ok = True
    for name in names:
        sc = load_scenario(name, net)
        best = float("inf")
        f = None
        for _ in range(repeat):
            t0 = time.process_time()
            f = forecast(net, sc, to_year=to, data=data, coefs=coefs, compare_baseline=False)
            best = min(best, time.process_time() - t0)
        assert f is not None
        conv = f.convergence()
        iters = conv.groupby("year").iteration.max()
        print(
            f"{name:14s} forecast {f.years[0]}-{f.years[-1]}: {best:6.2f} s CPU (best of {repeat}); "
            f"iterations per year {iters.min()}-{iters.max()}; final gap {conv.gap.iloc[-1]:.1e}; "
            f"all converged {all(e.converged for e in f.results.values())}"
        )
        ok &= best < 10.0 and all(e.converged for e in f.results.values())
        # the last year against the peer, alternated in this process
        y = f.years[-1]

        def ours(sc=sc, y=y):  # type: ignore[no-untyped-def]
            r = forecast(
                net, sc, to_year=y, data=data, coefs=coefs, compare_baseline=False, years=[y]
            )
            eq = r.results[("cn_eu_container", y)]
            return eq.volume(MIDDLE), int(eq.history.iteration.max())

        def peer(sc=sc, y=y):  # type: ignore[no-untyped-def]
            return lp_bisection(net, data, coefs, sc, y)

        t, out = cpu_alternated({"titr": ours, "peer": peer}, repeat)
        (x_ours, k_ours), (x_peer, k_peer) = out["titr"], out["peer"]
        check(
            abs(x_peer - x_ours) <= 5e-3 * max(x_ours, 1.0),
            f"{name} {y} Middle Corridor volume within 0.5 % ({x_ours:,.0f} vs {x_peer:,.0f} TEU)",
        )
        ratio_line(
            f"{name} {y} equilibrium ({k_ours} iterations vs {k_peer} LP solves)",
            t["titr"],
            {"LP bisection": t["peer"]},
            "the clearing step of titr's successive averages against bisection on the toll with the LP as oracle (same LP, same logit)",
        )
    print("goal (< 10 s per forecast, converged):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""Winter storms on the Caspian against the sourced range: "storm/queue: add 3–10 days in
Nov–Feb" (facts §6.3, the dataset's storm_extra_delay_days_min/max, EST from ferry waits of
"up to a week in bad weather", 5-day stoppages in Feb 2025 (S126) and a week in December
(S245)). Printed next to S6204 (Argus, January with 10 storm days: Xi'an → Absheron quoted
16–21 days against 15–20 the month before).

The router (titr route --month) and the simulation (storm windows from the same climate,
queues from the 2025 demand) must each put a Nov–Feb shipment's p90 3–10 days above a July
one's, and agree with each other."""

from __future__ import annotations

import numpy as np
import pytest

from titr.routing import route

ODS = [("KZ_ALT", "GE_POTI"), ("KZ_ALM", "GE_POTI"), ("CN_URC", "AZ_ALAT"), ("CN_XIAN", "GE_POTI")]
WINTER = (11, 12, 1, 2)


def _range(net) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    return net.parameter("storm_extra_delay_days_min"), net.parameter("storm_extra_delay_days_max")


def _router_shift(net, o: str, d: str) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Nov–Feb mean p50 and p90 minus July's (days), by departure month."""

    def tt(m: int):  # type: ignore[no-untyped-def]
        return route(net, o, d, month=m).routes[0].transit_time

    jul = tt(7)
    win = [tt(m) for m in WINTER]
    return (
        float(np.mean([t.p50 for t in win])) - jul.p50,
        float(np.mean([t.p90 for t in win])) - jul.p90,
    )


def test_router_winter_delay_within_the_sourced_range(corridor) -> None:  # type: ignore[no-untyped-def]
    lo, hi = _range(corridor)
    print(
        f"\nsourced: storms add {lo:g}–{hi:g} d in Nov–Feb (facts §6.3); S6204: January "
        "16–21 d vs 15–20 d the month before"
    )
    for o, d in ODS:
        d50, d90 = _router_shift(corridor, o, d)
        print(f"router {o}→{d}: Nov–Feb vs July p50 +{d50:.1f} d, p90 +{d90:.1f} d")
        assert lo <= d90 <= hi, (o, d, d90)
        assert 0.3 < d50 < d90


@pytest.mark.slow
def test_simulated_winter_delay_within_the_range_and_close_to_the_router(corridor) -> None:  # type: ignore[no-untyped-def]
    from titr.sim import compile_model, parse_scenario, rep_rng, run_replication
    from titr.sim.stats import summarise

    base = {
        "name": "season",
        "demand_scenario": "demand-2025",
        "horizon_days": 120,
        "warmup_days": 20,
        "plugins": {"weather": {}},
    }
    od: dict[int, list[dict]] = {}  # type: ignore[type-arg]
    for sm in (11, 6):  # Nov 21 – Feb against Jun 21 – Sep
        m = compile_model(corridor, parse_scenario(dict(base, start_month=sm)))
        od[sm] = [summarise(m, run_replication(m, rep_rng(2025, r)))["od"] for r in range(2)]
    lo, hi = _range(corridor)
    for o, d in ODS[1:]:
        key = f"{o}>{d}:container"

        def q(sm: int, k: str) -> float:
            return float(np.mean([rep[key][k] for rep in od[sm]]))  # noqa: B023

        s50, s90 = q(11, "p50_d") - q(6, "p50_d"), q(11, "p90_d") - q(6, "p90_d")
        r50, r90 = _router_shift(corridor, o, d)
        print(
            f"\n{key}: simulated winter p50 +{s50:.1f} d, p90 +{s90:.1f} d; "
            f"router p50 +{r50:.1f} d, p90 +{r90:.1f} d; sourced {lo:g}–{hi:g} d"
        )
        assert lo <= s90 <= hi and 0 < s50 < s90
        assert abs(s90 - r90) < 2.5 and abs(s50 - r50) < 2.5

"""The one place where reports read the routing layer: corridor comparison for one of the
scenario's largest container origin–destination pairs."""

from __future__ import annotations

from typing import Any

from titr.flows.demand import DemandScenario
from titr.network.model import Network
from titr.routing.compare import compare_corridors


def top_ods(
    scenario: DemandScenario, n: int, commodity: str = "container"
) -> list[tuple[str, str]]:
    """The `n` largest OD pairs of `commodity`, largest first."""
    rows = sorted(
        (r for r in scenario.rows if r.commodity == commodity),
        key=lambda r: (-r.quantity, r.origin, r.destination),
    )
    out: list[tuple[str, str]] = []
    for r in rows:
        if (r.origin, r.destination) not in out:
            out.append((r.origin, r.destination))
    return out[:n]


def corridor_comparison(net: Network, scenario: DemandScenario, seed: int = 0) -> dict[str, Any]:
    """Best route per corridor for the first of the scenario's ten largest container OD pairs
    that the most corridors can serve."""
    best = None
    for o, d in top_ods(scenario, 10):
        c = compare_corridors(net, o, d, "container", by="time", seed=seed, samples=2000)
        n_ok = sum(1 for x in c.options if x.route is not None)
        if best is None or n_ok > best[0]:
            best = (n_ok, o, d, c)
    if best is None:
        return {"origin": None, "destination": None, "names": {}, "options": []}
    _, o, d, cmp = best
    rows = []
    for opt in cmp.options:
        r = opt.row()
        row = {
            k: r.get(k)
            for k in (
                "corridor",
                "available",
                "mean_days",
                "p90_days",
                "tariff_usd",
                "tariff_per",
                "co2_kg",
                "reason",
            )
        }
        row["reason_short"] = str(row["reason"] or "").split(";")[0].split(":")[0]
        rows.append(row)
    return {
        "origin": o,
        "destination": d,
        "names": {
            k: {"en": net.nodes[k].name_en, "ru": net.nodes[k].name_ru, "tr": net.nodes[k].name_tr}
            for k in (o, d)
        },
        "commodity": "container",
        "options": rows,
    }

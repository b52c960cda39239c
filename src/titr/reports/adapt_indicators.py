"""The one place where reports read the indicators layer: the corridor's yearly tonnage
(actuals) and its targets, set against the plan's carried volume."""

from __future__ import annotations

from typing import Any

from titr.errors import NotFoundError
from titr.indicators.forecast import series
from titr.network.model import Network

SERIES = "titr_cargo"


def volumes_vs_targets(net: Network, carried_t: dict[int, float]) -> dict[str, Any]:
    """Rows per year: actual Mt (indicators), the plan's carried Mt, the targets of that year."""
    try:
        actual = {r.year: r.value for r in series(net, SERIES) if r.unit == "Mt"}
    except NotFoundError:
        actual = {}
    targets: dict[int, list[dict[str, Any]]] = {}
    for tg in net.targets.values():
        if tg.series == SERIES and tg.unit == "Mt":
            targets.setdefault(tg.year, []).append(
                {"id": tg.id, "value": tg.value, "owner": tg.owner, "source": tg.source}
            )
    years = sorted(set(actual) | set(carried_t) | set(targets))
    top = max(
        [
            *actual.values(),
            *(v / 1e6 for v in carried_t.values()),
            *(t["value"] for v in targets.values() for t in v),
            1e-9,
        ]
    )
    rows = []
    for y in years:
        tv = max((t["value"] for t in targets.get(y, [])), default=None)
        a = actual.get(y)
        c = carried_t[y] / 1e6 if y in carried_t else None
        rows.append(
            {
                "year": y,
                "actual_mt": a,
                "plan_mt": c,
                "target_mt": tv,
                "targets": targets.get(y, []),
                "actual_pct": 100 * a / top if a is not None else 0.0,
                "plan_pct": 100 * c / top if c is not None else 0.0,
                "target_pct": [100 * t["value"] / top for t in targets.get(y, [])],
            }
        )
    return {"series": SERIES, "rows": rows}

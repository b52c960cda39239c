"""Routes in a given month: the storm wait before each weather-sensitive sailing.

A shipment leaves its origin at a uniform moment of calendar month ``month`` and reaches each
sailing after the mean time of the steps before it. Before a sailing of a weather-sensitive
service (`titr.graph.weather.weather_seas`) it waits out the storm window it finds, if any:
a ``storm`` step whose distribution is `titr.graph.weather.storm_wait` of that sea's dataset
climate over the month shifted by the time already spent. The transit time is then the sum of
the steps as for any route (Monte Carlo, since the storm wait is an empirical distribution).

What the router cannot know without demand is left to the simulation (`titr simulate`): the
backlog of sailings that builds up during a storm.
"""

from __future__ import annotations

import dataclasses
import math

from titr.errors import TitrError
from titr.graph import weather
from titr.network.model import Network
from titr.routing.result import Route, Step
from titr.routing.transit import transit_time

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def check_month(month: int) -> int:
    """``month`` if it is a calendar month 1..12, else a `TitrError` saying so."""
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise TitrError(f"month must be a calendar month 1..12, got {month!r}")
    return month


def storm_steps(net: Network, steps: list[Step], month: int) -> list[Step]:
    """``steps`` with a storm-wait step before each weather-sensitive sailing's wait, for a
    departure from the origin in ``month``. A route without such sailings is returned as is."""
    check_month(month)
    seas = weather.weather_seas(net)
    climates: dict[str, weather.StormClimate] = {}
    first, span = weather.month_interval(month)
    out: list[Step] = []
    elapsed_h = 0.0
    for s in steps:
        sea = seas.get(s.ref) if s.kind == "wait" else None
        if sea is not None:
            climate = climates.get(sea) or climates.setdefault(sea, weather.storm_climate(net, sea))
            day = (first + int(math.floor(elapsed_h / 24.0 + 0.5))) % 365
            out.append(
                Step(
                    kind="wait",
                    ref=s.ref,
                    node=s.node,
                    to_node=s.to_node,
                    mode=s.mode,
                    time=weather.storm_wait(climate, day, span),
                    distance_km=0.0,
                    arc_kind="storm",
                    cost_usd=0.0,
                    link=s.link,
                )
            )
        out.append(s)
        elapsed_h += float(s.time.mean) if s.time is not None else 0.0
    return out


def in_month(
    net: Network,
    r: Route,
    month: int,
    samples: int,
    seed: object,
    time_method: str = "convolution",
) -> Route:
    """Route ``r`` for a departure in ``month``: storm steps added (`storm_steps`) and the
    transit time recomputed from all steps."""
    steps = storm_steps(net, r.steps, month)
    if len(steps) == len(r.steps):
        return r
    tt = transit_time([s.time for s in steps], samples, seed, time_method)  # type: ignore[arg-type]
    return dataclasses.replace(r, steps=steps, transit_time=tt, step_json=None)


def month_note(net: Network, routes: list[Route], month: int) -> str:
    """What the month changed, for the result's notes."""
    waits = [s for r in routes for s in r.steps if s.kind == "wait" and s.arc_kind == "storm"]
    name = MONTH_NAMES[month - 1]
    if not waits:
        return f"departure in {name}: no weather-sensitive sailing on the route(s)"
    parts = sorted(
        {
            f"{s.ref} ({s.time.sea.replace('_', ' ')}): stopped {s.time.closed_share:.0%} "
            f"of the time, mean wait {s.time.mean / 24:.1f} d"
            for s in waits
        }
    )
    return (
        f"departure in {name}: storm wait before weather-sensitive sailings from the dataset's "
        f"storm climate (graph.weather; queues after a storm are left to titr simulate): "
        + "; ".join(parts)
    )

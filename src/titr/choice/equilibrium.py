"""Capacity-aware equilibrium of corridor choice and the Middle Corridor's capacity LP.

The choice model says how much of a market would take the Middle Corridor at a given cost;
the capacity LP (`titr.choice.capacity`) says how much of it the corridor can carry beside its
single-corridor (captive) demand. They are iterated with the method of successive averages on
a capacity toll tau (USD per commodity unit, added to the Middle Corridor's cost):

    x_k      = D * P_middle(tau_k)                     (choice at the current toll)
    LP(x_k)  -> served s_k, unserved u_k, binding resources with shadow prices
    tau^_k   = the toll at which D * P_middle(tau) = s_k   if u_k > 0   (unserved feeds back)
             = tau_k                                        if the corridor is exactly full
             = 0                                            if it has spare capacity
    tau_k+1  = tau_k + (tau^_k - tau_k) / (k + 1)           (successive averages)

until the relative gap |tau^_k - tau_k| / max(tau_k, 1 USD) and the unserved share
u_k / x_k both fall below `tol`. At the equilibrium the corridor carries what it can and the
diverted demand goes to the other corridors through the logit shares. Each iteration is
reported (gap, toll, middle demand, unserved, binding resource).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from titr.choice.capacity import CapacityRun, Demand, corridor_lp
from titr.choice.inputs import Market
from titr.choice.model import Alternative, Coefficients, shares
from titr.errors import TitrError
from titr.network.model import Network

MIDDLE = "middle"


@dataclass
class Equilibrium:
    """Equilibrium of one market (plus the corridor's captive demand) in one year."""

    market: str
    year: int
    demand: float  # market total, commodity units per year
    corridors: list[str]
    shares: np.ndarray
    volumes: np.ndarray
    toll_usd_per_unit: float
    converged: bool
    history: pd.DataFrame
    capacity: CapacityRun
    alternatives: list[Alternative] = field(default_factory=list)
    cpu_s: float = 0.0

    def volume(self, corridor: str) -> float:
        return (
            float(self.volumes[self.corridors.index(corridor)])
            if corridor in self.corridors
            else 0.0
        )


def _with_toll(alts: list[Alternative], toll_k_per_decision: float) -> list[Alternative]:
    from dataclasses import replace

    return [
        replace(a, cost=a.cost + toll_k_per_decision) if a.corridor == MIDDLE and a.available else a
        for a in alts
    ]


def _solve_toll(p_mid: Callable[[float], float], target: float, hi0: float = 1.0) -> float:
    """Smallest toll (kUSD per decision unit) with p_mid(toll) <= target (bisection; p_mid
    is decreasing in the toll)."""
    if p_mid(0.0) <= target:
        return 0.0
    hi = hi0
    while p_mid(hi) > target:
        hi *= 2.0
        if hi > 1e6:
            raise TitrError(
                "the capacity toll does not converge: the Middle Corridor's share does not respond to cost"
            )
    lo = 0.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if p_mid(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9 * max(1.0, hi):
            break
    return hi


def equilibrium(
    net: Network,
    market: Market,
    year: int,
    demand: float,
    alts: list[Alternative],
    coefs: Coefficients,
    captive: Sequence[Demand] = (),
    *,
    projects: Sequence[str] = (),
    units_per_decision: float = 1.0,
    tol: float = 1e-3,
    max_iter: int = 100,
) -> Equilibrium:
    """Iterate choice and capacity (module docstring) for one market and year."""
    t0 = time.process_time()
    cors = [a.corridor for a in alts]
    if MIDDLE not in cors or not alts[cors.index(MIDDLE)].available:
        p = shares(coefs, alts)
        only = corridor_lp(net, captive, projects=projects)
        hist = pd.DataFrame(
            [
                {
                    "iteration": 0,
                    "gap": 0.0,
                    "toll_usd_per_unit": 0.0,
                    "middle_demand": 0.0,
                    "unserved": 0.0,
                    "binding": "",
                }
            ]
        )
        return Equilibrium(
            market.id,
            year,
            demand,
            cors,
            p,
            demand * p,
            0.0,
            True,
            hist,
            only,
            alts,
            time.process_time() - t0,
        )
    im = cors.index(MIDDLE)

    def p_mid(toll_k: float) -> float:
        return float(shares(coefs, _with_toll(alts, toll_k))[im])

    toll = 0.0  # kUSD per decision unit
    rows = []
    converged = False
    run: CapacityRun | None = None
    for k in range(1, max_iter + 1):
        x = demand * p_mid(toll)
        dem = [*captive, (market.commodity, market.origin, market.destination, x)]
        run = corridor_lp(net, dem, projects=projects)
        served = float(run.served[-1]) if len(run.served) and x > 0 else 0.0
        unserved = max(0.0, x - served)
        full = bool(len(run.binding)) and unserved <= tol * max(x, 1.0)
        if unserved > tol * max(x, 1.0):
            target = served / demand
            hat = _solve_toll(p_mid, target)
        elif full and toll > 0:
            hat = toll
        else:
            hat = 0.0
        gap = abs(hat - toll) / max(toll, 1e-3)
        top = run.binding.iloc[0] if len(run.binding) else None
        rows.append(
            {
                "iteration": k,
                "gap": gap if toll > 0 or hat > 0 else 0.0,
                "toll_usd_per_unit": toll * 1000.0 / units_per_decision,
                "middle_demand": x,
                "unserved": unserved,
                "unserved_share": unserved / x if x > 0 else 0.0,
                "binding": "" if top is None else str(top["resource"]),
                "shadow_price_usd_per_t": 0.0
                if top is None
                else float(top["shadow_price_usd_per_t"]),
            }
        )
        if (hat == 0.0 and toll == 0.0 and unserved <= tol * max(x, 1.0)) or (
            gap < tol and unserved <= tol * max(x, 1.0)
        ):
            converged = True
            break
        toll = toll + (hat - toll) / (k + 1) if k > 1 else hat
    assert run is not None
    final = _with_toll(alts, toll)
    p = shares(coefs, final)
    return Equilibrium(
        market.id,
        year,
        demand,
        cors,
        p,
        demand * p,
        toll * 1000.0 / units_per_decision,
        converged,
        pd.DataFrame(rows),
        run,
        final,
        time.process_time() - t0,
    )

"""Break-even single through tariff, and whether "tripling by 2030" is reachable.

`breakeven_tariff` finds the Middle Corridor's single through tariff (USD per FEU; per t as
FEU / (t per FEU)) at which, in a forecast year, the corridor

- reaches a target share of its market (``target_share``) or a target volume (``target_teu``),
  with the capacity equilibrium (the share can never exceed what the corridor carries: if the
  target lies above it, the answer says so and gives the tariff without the capacity limit), or
- equals a named comparator's generalized cost (``comparator``): tariff + risk + carbon +
  value of time x (days + reliability ratio x (p90 - p50)), the model's own values of time;
  the corridor constants (unobserved preferences) are left out and reported apart.

The Middle share falls with its tariff (tested), so bisection finds the unique tariff.

`tripling` asks whether the Middle Corridor's tonnage in `year` reaches `multiple` x the
official tonnage of `base_year` (3 x 4.484 Mt = 13.45 Mt for 2024), searching the levers from
least to most effort: tariff (routed rate down to USD 1,000/FEU), transit time cut (0, 25 %,
50 %), capacity (today's network, the planned Middle Corridor projects, unconstrained). It
answers yes with the first combination within today's network or the planned projects
that reaches the target; otherwise no, with the best achieved within them and the shortfall,
and (when a network without capacity limits would reach it) the conditions it would take
there, including the container capacity needed beyond every planned project.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from titr.choice.equilibrium import MIDDLE, equilibrium
from titr.choice.forecast import (
    BASE_SCENARIO,
    _t_per_feu,
    base_year,
    bundled_estimates,
    captive_rows,
    market_demand,
    year_alternatives,
)
from titr.choice.inputs import ChoiceData, load_choice_data
from titr.choice.model import Coefficients, shares, unit_scale
from titr.choice.scenario import Lever, Scenario
from titr.errors import DataError, InfeasibleError, Issue
from titr.network.model import Network

MARKET = "cn_eu_container"
TARIFF_LO, TARIFF_HI = 100.0, 30_000.0  # USD per FEU: search bracket


@dataclass
class Breakeven:
    year: int
    target: str
    usd_per_feu: float | None
    usd_per_t: float | None
    share: float
    volume: float
    capacity_limited: bool
    unconstrained_usd_per_feu: float | None = None
    assumptions: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in self.__dict__.items()
        }


def _middle(
    net: Network,
    data: ChoiceData,
    coefs: Coefficients,
    scenario: Scenario,
    year: int,
    *,
    capacity: bool = True,
    market: str = MARKET,
) -> tuple[float, float]:
    """(share, volume) of the Middle Corridor in `market` and `year` under `scenario`."""
    m = data.markets[market]
    alts, projects = year_alternatives(net, data, market, year, scenario)
    d = market_demand(data, market, year)
    if not capacity:
        p = shares(coefs, alts)[[a.corridor for a in alts].index(MIDDLE)]
        return float(p), float(p * d)
    upd, _ = unit_scale(net, m.commodity)
    base = base_year(data)
    eq = equilibrium(
        net,
        m,
        year,
        d,
        alts,
        coefs,
        captive_rows(net, data, year, base),
        projects=projects,
        units_per_decision=upd,
    )
    v = eq.volume(MIDDLE)
    return v / d, v


def _tariff_scenario(base: Scenario, year: int, usd_per_feu: float) -> Scenario:
    return base.with_levers(
        Lever("tariff", year, year, MIDDLE, usd_per_feu), name=f"{base.name}+tariff"
    )


def breakeven_tariff(
    net: Network,
    *,
    year: int = 2030,
    target_share: float | None = None,
    target_teu: float | None = None,
    comparator: str | None = None,
    scenario: Scenario = BASE_SCENARIO,
    data: ChoiceData | None = None,
    coefs: Coefficients | None = None,
) -> Breakeven:
    """See the module docstring; exactly one of target_share, target_teu, comparator."""
    data = data or load_choice_data(net)
    coefs = coefs or bundled_estimates()
    given = [x is not None for x in (target_share, target_teu, comparator)]
    if sum(given) != 1:
        raise DataError(
            Issue(
                "breakeven",
                None,
                None,
                None,
                "give exactly one of --target-share, --target-teu, --comparator",
            )
        )
    base = base_year(data)
    if not (base < year <= 2035):
        raise DataError(Issue("--year", None, None, str(year), f"must lie in {base + 1}..2035"))
    t_feu = _t_per_feu(net)
    vot = coefs.value_of_time()
    rr = (
        coefs.values.get("b_rel", 0.0) / coefs.values["b_time"]
        if coefs.values.get("b_time")
        else 0.0
    )
    assumptions: dict[str, Any] = {
        "scenario": scenario.name,
        "market": MARKET,
        "value_of_time_usd_per_feu_day": vot,
        "reliability_ratio": rr,
        "t_per_feu": t_feu,
        "dataset": net.label,
        "coefficients": coefs.meta,
    }
    if comparator is not None:
        alts, _ = year_alternatives(net, data, MARKET, year, scenario)
        by = {a.corridor: a for a in alts}
        if comparator not in by or comparator == MIDDLE:
            raise DataError(
                Issue(
                    "--comparator",
                    None,
                    None,
                    comparator,
                    f"one of {', '.join(c for c in by if c != MIDDLE)}",
                )
            )
        comp, mid = by[comparator], by[MIDDLE]
        if not comp.available or not mid.available:
            raise InfeasibleError(
                f"{comparator if not comp.available else MIDDLE} is not available in {year} under {scenario.name}"
            )

        def gc_wo_tariff(a: Any) -> float:  # USD per FEU, tariff excluded
            return (a.cost * 1000.0 - a.tariff_usd) + vot * (a.days + rr * a.rel)

        gc_comp = comp.cost * 1000.0 + vot * (comp.days + rr * comp.rel)
        t = gc_comp - gc_wo_tariff(mid)
        assumptions.update(
            {
                "comparator_generalized_cost_usd_per_feu": gc_comp,
                "middle_time_cost_usd_per_feu": vot * (mid.days + rr * mid.rel),
                "constants_left_out": {
                    k: v for k, v in coefs.values.items() if k.startswith("asc_")
                },
            }
        )
        if t <= 0:
            return Breakeven(
                year,
                f"generalized cost of {comparator}",
                None,
                None,
                math.nan,
                math.nan,
                False,
                None,
                assumptions
                | {
                    "why": f"the Middle Corridor's time cost alone exceeds {comparator}'s generalized cost: no tariff >= 0 equals it"
                },
            )
        sh, vol = _middle(
            net, data, coefs, _tariff_scenario(scenario, year, t), year, capacity=False
        )
        # the share at that tariff is what shippers would choose; the corridor may not
        # carry it (capacity equilibrium at the same tariff)
        _, carried = _middle(net, data, coefs, _tariff_scenario(scenario, year, t), year)
        full = carried < vol * (1 - 1e-3)
        if full:
            assumptions["carried_teu"] = carried
            assumptions["why"] = (
                f"at this tariff shippers would send {vol:,.0f} TEU but the Middle Corridor's "
                f"capacity carries at most {carried:,.0f} TEU in {year}"
            )
        return Breakeven(
            year,
            f"generalized cost of {comparator}",
            t,
            t / t_feu,
            sh,
            vol,
            full,
            None,
            assumptions,
        )

    d = market_demand(data, MARKET, year)
    want = target_share if target_share is not None else float(target_teu or 0.0) / d
    if not (0.0 < want < 1.0):
        raise DataError(
            Issue(
                "--target-share" if target_share is not None else "--target-teu",
                None,
                None,
                str(target_share if target_share is not None else target_teu),
                "must give a share strictly between 0 and 1 of the market",
            )
        )

    def solve() -> float | None:
        """Tariff with the unconstrained logit share = want (the share falls with the
        tariff: bisection to USD 1 per FEU)."""

        def share_at(t: float) -> float:
            return _middle(
                net, data, coefs, _tariff_scenario(scenario, year, t), year, capacity=False
            )[0]

        if share_at(TARIFF_LO) < want:
            return None
        if share_at(TARIFF_HI) >= want:
            return TARIFF_HI
        lo, hi = TARIFF_LO, TARIFF_HI
        while hi - lo > 1.0:
            mid = 0.5 * (lo + hi)
            if share_at(mid) >= want:
                lo = mid
            else:
                hi = mid
        return lo

    free = solve()
    assumptions["market_demand_teu"] = d
    target = f"share {want:.4%}" if target_share is not None else f"{target_teu:,.0f} TEU"
    # with capacity the share is the unconstrained one until the corridor is full, so the
    # break-even tariff is the same if the corridor carries the target at that tariff
    if free is not None:
        sh, vol = _middle(net, data, coefs, _tariff_scenario(scenario, year, free), year)
        if sh >= want * (1 - 1e-3):
            return Breakeven(year, target, free, free / t_feu, sh, vol, False, free, assumptions)
    sh, vol = _middle(net, data, coefs, _tariff_scenario(scenario, year, TARIFF_LO), year)
    assumptions["why"] = (
        f"the Middle Corridor's capacity carries at most {vol:,.0f} TEU ({sh:.4%} of the market) "
        f"in {year}: no tariff reaches the target without more capacity"
    )
    return Breakeven(year, target, None, None, sh, vol, True, free, assumptions)


@dataclass
class Tripling:
    year: int
    target_t: float
    reachable: bool
    conditions: dict[str, Any] | None
    best: dict[str, Any]
    tried: list[dict[str, Any]]
    # when not reachable with today's network or the planned projects: what an unconstrained
    # corridor would need (tariff, time cut, container capacity); else None
    beyond_planned: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def planned_middle_projects(net: Network) -> tuple[str, ...]:
    """Planned (not completed) projects whose target is a Middle Corridor link, process or
    service: the capacity the planning layer can add."""
    out = []
    for p in net.projects.values():
        if p.status == "completed":
            continue
        if p.target_kind == "link":
            lk = net.links.get(p.target_ref)
            ok = lk is not None and "middle" in lk.corridors
        elif p.target_kind == "process":
            pr = net.processes.get(p.target_ref)
            ok = pr is not None and any(
                "middle" in lk.corridors
                for lk in net.links.values()
                if pr.node in (lk.a_node, lk.b_node)
            )
        else:
            ok = any(
                lk.service == p.target_ref and "middle" in lk.corridors for lk in net.links.values()
            )
        if ok and p.earliest_year is not None:
            out.append(p.id)
    return tuple(sorted(out))


def tripling(
    net: Network,
    *,
    year: int = 2030,
    base_year_: int = 2024,
    multiple: float = 3.0,
    data: ChoiceData | None = None,
    coefs: Coefficients | None = None,
) -> Tripling:
    """Is `multiple` x the official tonnage of `base_year_` reachable in `year`? (module doc)"""
    data = data or load_choice_data(net)
    coefs = coefs or bundled_estimates()
    ser = [i for i in net.indicator_series("titr_cargo") if i.year == base_year_]
    if not ser:
        raise DataError(
            Issue(
                "indicators.csv",
                None,
                "year",
                str(base_year_),
                "no official titr_cargo figure for this year",
            )
        )
    target = multiple * ser[0].value * (1e6 if ser[0].unit == "Mt" else 1.0)
    t_teu = net.commodities["container"].t_per_unit
    base = base_year(data)
    cap_t = sum(
        q * net.commodities[k].t_per_unit
        for k, *_, q in captive_rows(net, data, year, base)
        if net.commodities[k].unit != "MWh"
    )
    routed = year_alternatives(net, data, MARKET, year, BASE_SCENARIO)[0]
    mid0 = next(a for a in routed if a.corridor == MIDDLE)
    tariffs = [mid0.tariff_usd] + [
        t for t in (3000.0, 2500.0, 2000.0, 1500.0, 1000.0) if t < mid0.tariff_usd
    ]
    planned = planned_middle_projects(net)
    capacities: list[tuple[str, tuple[str, ...], bool]] = [
        ("today", (), True),
        ("planned projects", planned, True),
        ("unconstrained", (), False),
    ]
    tried: list[dict[str, Any]] = []
    best: dict[str, Any] = {}

    def run(
        cname: str, projs: tuple[str, ...], constrained: bool, cut: float, tar: float
    ) -> dict[str, Any]:
        levers = [Lever("tariff", year, year, MIDDLE, tar)]
        if cut:
            levers.append(Lever("time", year, year, MIDDLE, cut))
        if projs:
            levers.append(Lever("projects", year, year, ids=projs))
        _, vol = _middle(
            net, data, coefs, Scenario("tripling-search", levers=levers), year, capacity=constrained
        )
        return {
            "capacity": cname,
            "time_cut": cut,
            "tariff_usd_per_feu": tar,
            "middle_teu": vol,
            "middle_t": vol * t_teu + cap_t,
            "target_t": target,
        }

    cap_teu = {c: run(c, p, k, 0.5, TARIFF_LO)["middle_teu"] for c, p, k in capacities if k}
    limited = {c for c, _, k in capacities if k}

    def _short() -> dict[str, Any]:
        """The best row within today's network or the planned projects, with its shortfall."""
        rows = [r for r in tried if r["capacity"] in limited] or tried
        top = max(rows, key=lambda r: r["middle_t"])
        return dict(top, shortfall_t=target - top["middle_t"], capacity_teu_by_option=cap_teu)

    for (cname, projs, constrained), cut in itertools.product(capacities, (0.0, 0.25, 0.5)):
        prev = None
        for tar in tariffs:
            row = run(cname, projs, constrained, cut, tar)
            tried.append(row)
            if not best or row["middle_t"] > best["middle_t"]:
                best = row
            if row["middle_t"] >= target:
                if prev is not None:  # the highest tariff that still reaches the target
                    lo, hi = tar, prev
                    for _ in range(20):
                        mid = 0.5 * (lo + hi)
                        r = run(cname, projs, constrained, cut, mid)
                        if r["middle_t"] >= target:
                            lo, row = mid, r
                        else:
                            hi = mid
                        if hi - lo < 5.0:
                            break
                cond = dict(row, capacity_teu_by_option=cap_teu)
                if constrained:
                    return Tripling(year, target, True, cond, best, tried)
                # only a corridor without capacity limits gets there: not reachable with
                # every planned project; say what it would take
                cond["capacity_needed_teu"] = row["middle_teu"]
                cond["note"] = (
                    "reachable only with container capacity beyond today's network and "
                    "every planned project"
                )
                return Tripling(year, target, False, None, _short(), tried, cond)
            prev = tar
    return Tripling(year, target, False, None, _short(), tried)

"""Forecasts to 2030/2035 under a scenario: growth, choice, capacity equilibrium, outputs.

For each year from the base year (the last observed year) to `to_year`:

- market demand = base-year total x prod(1 + cagr) (``growth.csv``); the Middle Corridor's
  single-corridor rows (crude oil, general cargo, uranium of the flows layer's base scenario)
  grow by their ``captive:<commodity>`` rate;
- yearly conditions after the last observed year stay at that year's values (the Red Sea
  premium and the Northern sanctions premium persist unless a scenario lever changes them);
- the scenario's levers change tariffs, times, availability, premia, carbon price, projects;
- `titr.choice.equilibrium` splits the market among corridors within the Middle Corridor's
  capacity.

Outputs (frames): volumes by corridor and year (units and t), the Middle Corridor's tonnage,
the diversion matrix against the baseline (from -> to corridor), revenue by country and
operator (volume x tariff x the route's split), CO2 (t) and the convergence history.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from titr.choice.costs import CorridorCost, corridor_costs
from titr.choice.equilibrium import MIDDLE, Equilibrium, equilibrium
from titr.choice.inputs import ChoiceData, load_choice_data
from titr.choice.model import Alternative, Coefficients, alternative, unit_scale
from titr.choice.scenario import Scenario
from titr.errors import DataError, Issue
from titr.flows.demand import load_scenario as load_demand_scenario
from titr.network.model import Network

CAPTIVE_TAGS = ("middle", "oil", "uranium")  # corridors a single-corridor row is routed on
BASE_SCENARIO = Scenario("baseline", "Baseline: growth only, conditions of the last observed year")


def bundled_estimates() -> Coefficients:
    """The coefficients estimated on the bundled data (``data/estimates.json``, written by
    ``titr choice estimate --write-bundled``; a slow test re-estimates and compares)."""
    text = resources.files("titr.choice").joinpath("data", "estimates.json").read_text("utf-8")
    return Coefficients.from_dict(json.loads(text))


def base_year(data: ChoiceData) -> int:
    return int(data.observed.year.max())


def captive_rows(
    net: Network, data: ChoiceData, year: int, base: int
) -> list[tuple[str, str, str, float]]:
    """Middle-only rows of the flows layer's base-year scenario (no container rows: those are
    the choice market), grown from `base` to `year` by their captive rates."""
    sc = load_demand_scenario(str(base), net)
    done = {p.id for p in net.projects.values() if p.status == "completed"}
    out = []
    for r in sc.rows:
        if r.commodity == "container" or (r.requires and r.requires not in done):
            continue
        f = 1.0
        for y in range(base + 1, year + 1):
            f *= 1.0 + data.cagr(f"captive:{r.commodity}", y)
        out.append((r.commodity, r.origin, r.destination, r.quantity * f))
    return out


def year_alternatives(
    net: Network, data: ChoiceData, market: str, year: int, scenario: Scenario
) -> tuple[list[Alternative], tuple[str, ...]]:
    """The market's corridors in `year` under `scenario` (conditions held after the last
    observed year)."""
    m = data.markets[market]
    cond_year = min(year, base_year(data))
    projects = scenario.projects(year)
    ccs = corridor_costs(
        net,
        m.origin,
        m.destination,
        m.commodity,
        m.corridors,
        projects=projects,
        year=year if projects else None,
    )
    carbon = sum(lv.value for lv in scenario.active(year, "carbon"))
    _, per = unit_scale(net, m.commodity)
    out = []
    for c in m.corridors:
        closed = any(
            lv.corridor == c and lv.commodity in ("", m.commodity)
            for lv in scenario.active(year, "closure")
        )
        cc = ccs[c]
        if closed:
            out.append(Alternative(c, False, base=cc))
            continue
        tariff = [lv.value for lv in scenario.active(year, "tariff") if lv.corridor == c]
        cut = [lv.value for lv in scenario.active(year, "time") if lv.corridor == c]
        delay = sum(
            lv.value * lv.months / 12.0 for lv in scenario.active(year, "delay") if lv.corridor == c
        )
        risk = data.condition(cond_year, c, "risk_usd_per_feu", 0.0) + sum(
            lv.value for lv in scenario.active(year, "risk") if lv.corridor == c
        )
        override = None
        if tariff:
            override = tariff[-1] if per == "FEU" else tariff[-1] / _t_per_feu(net)
        a = alternative(
            net,
            m.commodity,
            cc,
            tariff_factor=data.condition(cond_year, c, "tariff_factor", 1.0),
            risk_usd_per_feu=risk,
            extra_days=data.condition(cond_year, c, "extra_days", 0.0) + delay,
            carbon_usd_per_t=carbon,
            tariff_override_usd=override,
            time_factor=1.0 - (cut[-1] if cut else 0.0),
        )
        if delay:
            from dataclasses import replace

            a = replace(a, rel=a.rel + delay)
        out.append(a)
    return out, projects


def _t_per_feu(net: Network) -> float:
    return net.commodities["container"].t_per_unit * net.parameter("teu_per_feu")


def market_demand(data: ChoiceData, market: str, year: int) -> float:
    base = base_year(data)
    q = sum(data.volumes(market, base).values())
    for y in range(base + 1, year + 1):
        q *= 1.0 + data.cagr(market, y)
    return q


@dataclass
class Forecast:
    """Scenario forecast (see the module docstring)."""

    label: str
    scenario: Scenario
    years: list[int]
    results: dict[tuple[str, int], Equilibrium]
    captive: dict[int, list[tuple[str, str, str, float]]]
    baseline: dict[tuple[str, int], Equilibrium] | None
    coefficients: Coefficients
    net: Network = field(repr=False)
    notes: list[str] = field(default_factory=list)
    _commodity_of: dict[str, str] = field(default_factory=dict)

    def _t(self, commodity: str) -> float:
        return self.net.commodities[commodity].t_per_unit

    def volumes(self) -> pd.DataFrame:
        rows = []
        for (mid, y), eq in sorted(self.results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            com = self.net.commodities[self._commodity_of[mid]]
            for c, v, p in zip(eq.corridors, eq.volumes, eq.shares, strict=True):
                rows.append(
                    {
                        "year": y,
                        "market": mid,
                        "corridor": c,
                        "volume": v,
                        "unit": com.unit,
                        "t": v * com.t_per_unit,
                        "share": p,
                    }
                )
        return pd.DataFrame(rows)

    def middle_tonnes(self) -> pd.DataFrame:
        """The Middle Corridor's tonnage by year: chosen market volume + captive rows."""
        rows = []
        for y in self.years:
            cont = sum(
                eq.volume(MIDDLE) * self._t(self._commodity_of[m])
                for (m, yy), eq in self.results.items()
                if yy == y
            )
            cap = sum(
                q * self._t(k)
                for k, _, _, q in self.captive[y]
                if self.net.commodities[k].unit != "MWh"
            )
            served_cap = cap - sum(
                u * self._t(k)
                for (m, yy), eq in self.results.items()
                if yy == y
                for (k, *_), u in zip(
                    eq.capacity.demand[:-1], eq.capacity.unserved[:-1], strict=False
                )
            )
            rows.append(
                {
                    "year": y,
                    "market_t": cont,
                    "captive_t": served_cap,
                    "middle_t": cont + served_cap,
                }
            )
        return pd.DataFrame(rows)

    def diversion(self, year: int | None = None) -> pd.DataFrame:
        """Diversion matrix against the baseline in `year` (default: the last): volume moved
        from corridor (rows) to corridor (columns); losses are spread over the gainers in
        proportion to their gains."""
        if self.baseline is None:
            raise DataError(
                Issue(
                    "scenario", None, None, self.scenario.name, "a diversion needs a baseline run"
                )
            )
        y = year or self.years[-1]
        frames = []
        for (m, yy), eq in self.results.items():
            if yy != y:
                continue
            b = self.baseline[(m, yy)]
            d = eq.volumes - b.volumes
            gain = np.clip(d, 0, None)
            loss = np.clip(-d, 0, None)
            M = np.outer(loss, gain) / gain.sum() if gain.sum() > 0 else np.zeros((len(d), len(d)))
            frames.append(pd.DataFrame(M, index=eq.corridors, columns=eq.corridors))
        out = frames[0]
        for f in frames[1:]:
            out = out.add(f, fill_value=0.0)
        out.index.name = "from"
        out.columns.name = "to"
        return out

    def _captive_served(self) -> list[tuple[int, str, str, str, float, CorridorCost]]:
        """(year, commodity, origin, destination, served units, route) of the Middle
        Corridor's single-corridor rows, routed on the Middle (or oil) links."""
        out = []
        for (_, y), eq in self.results.items():
            dem = (
                eq.capacity.demand[:-1]
                if eq.capacity.demand and eq.volume(MIDDLE) > 0
                else eq.capacity.demand
            )
            for (k, o, d, _q), served in zip(dem, eq.capacity.served, strict=False):
                if served <= 0:
                    continue
                ccs = corridor_costs(self.net, o, d, k, CAPTIVE_TAGS)
                route = next((c for c in ccs.values() if c.available), None)
                if route is not None:
                    out.append((y, k, o, d, float(served), route))
        return out

    def revenue(self, by: str = "country") -> pd.DataFrame:
        """Revenue (USD/yr) by year, corridor and country or operator: volume x the corridor's
        tariff per unit (after scenario) x the route's split of the tariff; the Middle
        Corridor's single-corridor cargo (oil, general, uranium) at its routed tariff."""
        rows = []
        for y, _k, _o, _d, served, route in self._captive_served():
            split = route.by_country if by == "country" else route.by_operator
            for key, sh in split.items():
                rows.append(
                    {
                        "year": y,
                        "corridor": MIDDLE,
                        by: key,
                        "revenue_usd": served * route.tariff_usd * sh,
                    }
                )
        for (m, y), eq in self.results.items():
            for a, v in zip(eq.alternatives, eq.volumes, strict=True):
                if not a.available or a.base is None or v <= 0:
                    continue
                upd, _ = unit_scale(self.net, self._commodity_of[m])
                usd = v / upd * a.tariff_usd  # decision units x USD per decision unit
                split = a.base.by_country if by == "country" else a.base.by_operator
                for k, s in split.items():
                    rows.append({"year": y, "corridor": a.corridor, by: k, "revenue_usd": usd * s})
        df = pd.DataFrame(rows, columns=["year", "corridor", by, "revenue_usd"])
        out: pd.DataFrame = df.groupby(["year", "corridor", by], as_index=False)[
            ["revenue_usd"]
        ].sum()
        return out

    def link_volumes(self) -> pd.DataFrame:
        """Per year and link, the forecast volume it carries (t/yr; TEU/yr for containers):
        each corridor's chosen volume on the links of that corridor's best route, and the
        Middle Corridor's single-corridor cargo (oil, general, uranium) on its routed links.
        What the map draws as line width; links without volume are left out."""
        acc: dict[tuple[int, str], list[float]] = {}

        def add(year: int, links: tuple[str, ...], commodity: str, units: float) -> None:
            com = self.net.commodities[commodity]
            if com.unit == "MWh":
                return
            for link in links:
                e = acc.setdefault((year, link), [0.0, 0.0])
                e[0] += units * com.t_per_unit
                if com.unit == "TEU":
                    e[1] += units

        for (m, y), eq in self.results.items():
            for a, v in zip(eq.alternatives, eq.volumes, strict=True):
                if a.available and a.base is not None and v > 0:
                    add(y, a.base.links, self._commodity_of[m], float(v))
        for y, k, _o, _d, served, route in self._captive_served():
            add(y, route.links, k, served)
        rows = [
            {"year": y, "link": link, "t": t, "teu": teu}
            for (y, link), (t, teu) in sorted(
                acc.items(), key=lambda kv: (kv[0][0], -kv[1][0], kv[0][1])
            )
        ]
        return pd.DataFrame(rows, columns=["year", "link", "t", "teu"])

    def co2(self) -> pd.DataFrame:
        """CO2 (t/yr) by year and corridor (the Middle Corridor's single-corridor cargo
        included)."""
        rows = [
            {"year": y, "corridor": MIDDLE, "co2_t": served * route.co2_kg / 1000.0}
            for y, _k, _o, _d, served, route in self._captive_served()
        ]
        for (m, y), eq in self.results.items():
            upd, _ = unit_scale(self.net, self._commodity_of[m])
            for a, v in zip(eq.alternatives, eq.volumes, strict=True):
                if a.available:
                    rows.append(
                        {"year": y, "corridor": a.corridor, "co2_t": v / upd * a.co2_kg / 1000.0}
                    )
        df = pd.DataFrame(rows, columns=["year", "corridor", "co2_t"])
        out: pd.DataFrame = df.groupby(["year", "corridor"], as_index=False)[["co2_t"]].sum()
        return out

    def convergence(self) -> pd.DataFrame:
        return pd.concat(
            [
                eq.history.assign(year=y, market=m)
                for (m, y), eq in sorted(self.results.items(), key=lambda kv: kv[0][1])
            ],
            ignore_index=True,
        )

    def to_dict(self) -> dict[str, Any]:
        def recs(df: pd.DataFrame) -> list[dict[str, Any]]:
            return [
                {
                    str(k): (None if isinstance(v, float) and not math.isfinite(v) else v)
                    for k, v in r.items()
                }
                for r in df.to_dict(orient="records")
            ]

        out: dict[str, Any] = {
            "dataset": self.label,
            "scenario": self.scenario.to_dict(),
            "years": self.years,
            "volumes": recs(self.volumes()),
            "middle_tonnes": recs(self.middle_tonnes()),
            "revenue_by_country": recs(self.revenue("country")),
            "co2": recs(self.co2()),
            "link_volumes": recs(self.link_volumes()),
            "toll_usd_per_unit": {
                f"{m}:{y}": eq.toll_usd_per_unit for (m, y), eq in self.results.items()
            },
            "converged": all(eq.converged for eq in self.results.values()),
            "coefficients": self.coefficients.meta,
            "notes": self.notes,
        }
        if self.baseline is not None:
            dv = self.diversion()
            out["diversion"] = {
                "corridors": list(dv.index),
                "matrix": dv.to_numpy().tolist(),
                "year": self.years[-1],
            }
        return out


def _run(
    net: Network,
    data: ChoiceData,
    coefs: Coefficients,
    scenario: Scenario,
    years: list[int],
    base: int,
) -> tuple[dict[tuple[str, int], Equilibrium], dict[int, list[tuple[str, str, str, float]]]]:
    results: dict[tuple[str, int], Equilibrium] = {}
    captive: dict[int, list[tuple[str, str, str, float]]] = {}
    for y in years:
        captive[y] = captive_rows(net, data, y, base)
        for mid, m in data.markets.items():
            alts, projects = year_alternatives(net, data, mid, y, scenario)
            upd, _ = unit_scale(net, m.commodity)
            results[(mid, y)] = equilibrium(
                net,
                m,
                y,
                market_demand(data, mid, y),
                alts,
                coefs,
                captive[y],
                projects=projects,
                units_per_decision=upd,
            )
    return results, captive


def forecast(
    net: Network,
    scenario: Scenario = BASE_SCENARIO,
    *,
    to_year: int = 2030,
    data: ChoiceData | None = None,
    coefs: Coefficients | None = None,
    compare_baseline: bool = True,
    years: list[int] | None = None,
) -> Forecast:
    """Run `scenario` from the year after the last observed one to `to_year`."""
    data = data or load_choice_data(net)
    coefs = coefs or bundled_estimates()
    base = base_year(data)
    if not (base < to_year <= 2035):
        raise DataError(
            Issue(
                "--to",
                None,
                None,
                str(to_year),
                f"the forecast runs from {base + 1} to at most 2035 (growth.csv)",
            )
        )
    yrs = years or list(range(base + 1, to_year + 1))
    notes = []
    from titr.choice.estimate import data_hash

    h = data_hash(net, data)
    if coefs.meta.get("data_hash") not in (None, h):
        notes.append(
            f"the coefficients were estimated on other data ({coefs.meta.get('data_hash')}, now {h}): "
            "re-run `titr choice estimate --write-bundled`"
        )
    res, cap = _run(net, data, coefs, scenario, yrs, base)
    baseline = None
    if compare_baseline and scenario.levers:
        baseline, _ = _run(net, data, coefs, BASE_SCENARIO, yrs, base)
    for (m, y), eq in res.items():
        if not eq.converged:
            notes.append(
                f"{m} {y}: the equilibrium did not converge (last gap {eq.history.gap.iloc[-1]:.2e})"
            )
    f = Forecast(net.label, scenario, yrs, res, cap, baseline, coefs, net, notes)
    f._commodity_of = {mid: m.commodity for mid, m in data.markets.items()}
    return f

"""Corridor-choice model: utilities, multinomial / nested logit shares, elasticities.

Utility of corridor c for a market in a year (cost in kUSD per decision unit: per FEU for
container markets, per t otherwise; time in days):

    V_c = asc_c + b_cost * cost_c + b_time * days_c + b_rel * (p90 - p50)_c + b_border * borders_c
    cost_c = tariff_c * tariff_factor_{c,y} + risk_{c,y} + carbon_price * co2_c + toll_c

``toll_c`` is the capacity price of the equilibrium (`titr.choice.equilibrium`). Nested logit
(nests with scale lambda in (0, 1]):

    P(c) = P(c | m) P(m),  P(c | m) = exp(V_c / l_m) / sum_{j in m} exp(V_j / l_m),
    P(m) = exp(l_m I_m) / sum_n exp(l_n I_n),  I_m = log sum_{j in m} exp(V_j / l_m)

(lambda = 1 for every nest is the multinomial logit). Biogeme's nest parameter mu >= 1 is
1 / lambda. Implied value of time = b_time / b_cost (kUSD per unit per day).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from titr.choice.costs import CorridorCost
from titr.errors import DataError, Issue
from titr.network.model import Network

ATTRS = ("cost", "days", "rel", "borders")
COEF_OF = {"cost": "b_cost", "days": "b_time", "rel": "b_rel", "borders": "b_border"}
NESTS: dict[str, tuple[str, ...]] = {
    "rail": ("middle", "northern", "iran"),
    "sea": ("sea_suez", "sea_cape"),
}
ASC_OF = {
    "middle": None,
    "northern": "asc_northern",
    "iran": "asc_iran",
    "sea_suez": "asc_sea",
    "sea_cape": "asc_sea",
}


def unit_scale(net: Network, commodity: str) -> tuple[float, str]:
    """Commodity units per decision unit and its name: containers per FEU, the rest per t."""
    com = net.commodities[commodity]
    if com.unit == "TEU":
        return net.parameter("teu_per_feu"), "FEU"
    if com.t_per_unit > 0:
        return 1.0 / com.t_per_unit, "t"
    return 1.0, com.unit


@dataclass
class Coefficients:
    """Estimated (or fixed) coefficients of the choice model and their provenance."""

    values: dict[str, float]
    std_err: dict[str, float] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)  # estimated | fixed: reason
    nests: dict[str, float] = field(default_factory=dict)  # nest -> lambda in (0, 1]
    kind: str = "mnl"
    per: str = "FEU"
    meta: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> float:
        if name not in self.values:
            raise DataError(
                Issue(
                    "estimates",
                    None,
                    "coefficient",
                    name,
                    "the choice model has no such coefficient",
                )
            )
        return self.values[name]

    def lam(self, nest: str) -> float:
        return float(self.nests.get(nest, 1.0))

    def value_of_time(self) -> float:
        """Implied value of time in USD per decision unit per day (b_time / b_cost)."""
        b = self.values.get("b_cost", 0.0)
        return 1000.0 * self.values.get("b_time", 0.0) / b if b else math.nan

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "per": self.per,
            "values": self.values,
            "std_err": self.std_err,
            "status": self.status,
            "nests": self.nests,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Coefficients:
        return cls(
            {k: float(v) for k, v in d["values"].items()},
            {k: float(v) for k, v in d.get("std_err", {}).items()},
            dict(d.get("status", {})),
            {k: float(v) for k, v in d.get("nests", {}).items()},
            str(d.get("kind", "mnl")),
            str(d.get("per", "FEU")),
            dict(d.get("meta", {})),
        )


@dataclass(frozen=True)
class Alternative:
    """A corridor's attributes as the choice model sees them (per decision unit)."""

    corridor: str
    available: bool
    cost: float = 0.0  # kUSD per decision unit
    days: float = 0.0
    rel: float = 0.0
    borders: float = 0.0
    tariff_usd: float = 0.0  # per decision unit, after the year's factor / scenario tariff
    co2_kg: float = 0.0  # per decision unit
    base: CorridorCost | None = None


def alternative(
    net: Network,
    commodity: str,
    cc: CorridorCost,
    *,
    tariff_factor: float = 1.0,
    risk_usd_per_feu: float = 0.0,
    extra_days: float = 0.0,
    carbon_usd_per_t: float = 0.0,
    toll_usd_per_unit: float = 0.0,
    tariff_override_usd: float | None = None,
    time_factor: float = 1.0,
) -> Alternative:
    """Attributes of one corridor: routed figures x the year's conditions x the scenario.

    `risk_usd_per_feu` is converted to the decision unit (per t: / (t per FEU));
    `tariff_override_usd` replaces the routed tariff (per decision unit); `time_factor`
    scales transit time and its spread; `toll_usd_per_unit` is per commodity unit."""
    if not cc.available:
        return Alternative(cc.corridor, False, base=cc)
    upd, per = unit_scale(net, commodity)
    teu_feu = net.parameter("teu_per_feu")
    com = net.commodities[commodity]
    t_per_feu = (
        com.t_per_unit * teu_feu
        if com.unit == "TEU"
        else net.commodities["container"].t_per_unit * teu_feu
    )
    risk = risk_usd_per_feu if per == "FEU" else risk_usd_per_feu / t_per_feu
    tariff = (
        cc.tariff_usd * upd * tariff_factor if tariff_override_usd is None else tariff_override_usd
    )
    co2 = cc.co2_kg * upd
    cost = tariff + risk + carbon_usd_per_t * co2 / 1000.0 + toll_usd_per_unit * upd
    days = cc.days * time_factor + extra_days
    return Alternative(
        cc.corridor,
        True,
        cost / 1000.0,
        days,
        cc.reliability_days * time_factor,
        float(cc.border_crossings),
        tariff,
        co2,
        cc,
    )


def utilities(coefs: Coefficients, alts: list[Alternative]) -> np.ndarray:
    v = np.full(len(alts), -np.inf)
    for i, a in enumerate(alts):
        if not a.available:
            continue
        asc = ASC_OF.get(a.corridor)
        u = coefs.values.get(asc, 0.0) if asc else 0.0
        for at in ATTRS:
            u += coefs.values.get(COEF_OF[at], 0.0) * getattr(a, at)
        v[i] = u
    return v


def shares(coefs: Coefficients, alts: list[Alternative]) -> np.ndarray:
    """Choice probabilities (sum 1 over the available corridors; 0 for unavailable)."""
    v = utilities(coefs, alts)
    if not np.isfinite(v).any():
        raise DataError(Issue("market", None, "corridors", None, "no corridor is available"))
    nest_of = {}
    for n, members in NESTS.items():
        for c in members:
            nest_of[c] = n
    groups: dict[str, list[int]] = {}
    for i, a in enumerate(alts):
        if a.available:
            groups.setdefault(nest_of.get(a.corridor, a.corridor), []).append(i)
    p = np.zeros(len(alts))
    logsums: dict[str, float] = {}
    for n, idx in groups.items():
        lam = coefs.lam(n) if n in NESTS else 1.0
        x = v[idx] / lam
        mx = float(x.max())
        logsums[n] = lam * (mx + math.log(float(np.exp(x - mx).sum())))
    top = np.array(list(logsums.values()))
    mt = float(top.max())
    pn = np.exp(top - mt) / float(np.exp(top - mt).sum())
    for (n, idx), pm in zip(groups.items(), pn, strict=True):
        lam = coefs.lam(n) if n in NESTS else 1.0
        x = v[idx] / lam
        e = np.exp(x - x.max())
        p[idx] = pm * e / e.sum()
    return p


def elasticities(
    coefs: Coefficients, alts: list[Alternative], attribute: str = "cost", rel_step: float = 1e-4
) -> pd.DataFrame:
    """Point elasticities d ln P_i / d ln x_j of the shares (rows i) to attribute x of corridor j
    (columns), by central differences on the model's own share function."""
    names = [a.corridor for a in alts]
    p0 = shares(coefs, alts)
    E = np.full((len(alts), len(alts)), np.nan)
    for j, a in enumerate(alts):
        x = getattr(a, attribute)
        if not a.available or x == 0:
            continue
        h = abs(x) * rel_step
        up = [replace(b, **{attribute: x + h}) if k == j else b for k, b in enumerate(alts)]
        dn = [replace(b, **{attribute: x - h}) if k == j else b for k, b in enumerate(alts)]
        dp = (shares(coefs, up) - shares(coefs, dn)) / (2 * h)
        with np.errstate(divide="ignore", invalid="ignore"):
            E[:, j] = np.where(p0 > 0, dp * x / p0, np.nan)
    return pd.DataFrame(E, index=names, columns=names)

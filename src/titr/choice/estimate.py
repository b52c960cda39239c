"""Estimation of the corridor-choice model with Biogeme (maximum likelihood, robust SEs).

**From aggregate shares to a sample (grouped data).** The calibration data are corridor
volumes per market and year, not individual shipments. Each (market, year, corridor) with a
positive volume becomes one row whose chosen alternative is that corridor and whose Biogeme
weight is the volume in *decision units*: one block-train load (``teu_per_train`` TEU of the
dataset) is taken as one independent decision. The weighted log likelihood
sum_w log P(chosen) is then the grouped-data (Berkson) likelihood of the shares. Limits, said
plainly: (1) the standard errors treat every train-load as an independent draw, so they are
lower bounds; they are the Rao-Cramer (inverse Hessian) ones, right for frequency weights
(a sandwich estimator would count each weighted row as one observation); (2) the attributes
vary only across years, so a coefficient is identified only if its attribute moves
differently across corridors from year to year (a two-way fixed-effects check below); (3) the
observed volumes carry the scope and EST caveats of ``observed.csv``.

**Fallback.** A coefficient the data cannot identify is not estimated: the value of time is
then fixed at the dataset's commodity value of time (``commodities.csv``), reliability is
valued at ``choice_reliability_ratio`` x the value of time, border crossings enter through
their routed time and cost only (their own coefficient is 0: with constant crossings it is
absorbed by the corridor constants). Every fixed coefficient says why in ``status``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from titr.choice.costs import corridor_costs
from titr.choice.inputs import ChoiceData, Market
from titr.choice.model import (
    ASC_OF,
    NESTS,
    Alternative,
    Coefficients,
    alternative,
    elasticities,
    shares,
    unit_scale,
)
from titr.errors import DataError, Issue, TitrError
from titr.network.model import Network

KINDS = ("mnl", "nested")
MU_MAX = 20.0  # Biogeme nest parameter bound: lambda = 1 / mu >= 0.05


def year_alternatives(
    net: Network, data: ChoiceData, m: Market, year: int, **scenario: Any
) -> list[Alternative]:
    """The market's corridors in `year`: routed attributes x the year's conditions."""
    ccs = corridor_costs(net, m.origin, m.destination, m.commodity, m.corridors)
    return [
        alternative(
            net,
            m.commodity,
            ccs[c],
            tariff_factor=data.condition(year, c, "tariff_factor", 1.0),
            risk_usd_per_feu=data.condition(year, c, "risk_usd_per_feu", 0.0),
            extra_days=data.condition(year, c, "extra_days", 0.0),
        )
        for c in m.corridors
    ]


def data_hash(net: Network, data: ChoiceData) -> str:
    """Hash of what an estimate depends on: the estimation sample (observed volumes and the
    routed attributes x conditions of every corridor and year), not the dataset's label, so
    edits that do not touch the markets' routes keep the estimates valid."""
    df, alts, _ = sample(net, data)
    h = hashlib.sha256(",".join(alts).encode())
    h.update(df.round(9).to_csv(index=False).encode())
    return h.hexdigest()[:12]


def sample(
    net: Network, data: ChoiceData, years: Sequence[int] | None = None
) -> tuple[pd.DataFrame, list[str], dict[tuple[str, int], list[Alternative]]]:
    """Grouped-data estimation sample: one row per (market, year, corridor) with volume > 0;
    columns CHOICE (1-based corridor index), W (decision units), AV_i, COST_i, DAYS_i, REL_i."""
    alts_all: list[str] = []
    for m in data.markets.values():
        if m.estimate:
            for c in m.corridors:
                if c not in alts_all:
                    alts_all.append(c)
    unit = net.parameter("teu_per_train")
    rows = []
    cache: dict[tuple[str, int], list[Alternative]] = {}
    for m in data.markets.values():
        if not m.estimate:
            continue
        for y in data.years(m.id):
            if years is not None and y not in years:
                continue
            alts = year_alternatives(net, data, m, y)
            cache[(m.id, y)] = alts
            by = {a.corridor: a for a in alts}
            for c, q in data.volumes(m.id, y).items():
                if q <= 0:
                    continue
                if not by[c].available:
                    raise DataError(
                        Issue(
                            "observed.csv",
                            None,
                            "corridor",
                            c,
                            f"{m.id} {y}: volume observed on a corridor titr cannot route "
                            f"({getattr(by[c].base, 'reason', '')})",
                        )
                    )
                r: dict[str, Any] = {
                    "MARKET": m.id,
                    "YEAR": y,
                    "CHOICE": alts_all.index(c) + 1,
                    "W": q / unit,
                    "Q": q,
                }
                for i, name in enumerate(alts_all, start=1):
                    a = by.get(name)
                    ok = a is not None and a.available
                    r[f"AV_{i}"] = 1.0 if ok else 0.0
                    r[f"COST_{i}"] = a.cost if ok and a else 0.0
                    r[f"DAYS_{i}"] = a.days if ok and a else 0.0
                    r[f"REL_{i}"] = a.rel if ok and a else 0.0
                rows.append(r)
    df = pd.DataFrame(rows)
    if df.empty:
        raise DataError(
            Issue(
                "observed.csv",
                None,
                "year",
                str(list(years or [])),
                "no observed volumes in the years asked for",
            )
        )
    return df, alts_all, cache


def identified(df: pd.DataFrame, alts: list[str], attr: str) -> bool:
    """True when `attr` varies across corridors differently from year to year among the
    chosen (observed) cells: the residual of a two-way fixed-effects fit (market-year +
    corridor constant, corridors sharing a constant share the effect) is not zero."""
    cells = []
    for _, r in df.iterrows():
        i = int(r.CHOICE)
        c = alts[i - 1]
        cells.append(
            (f"{r.MARKET}:{r.YEAR}", ASC_OF.get(c) or "reference", float(r[f"{attr}_{i}"]))
        )
    if len(cells) < 3:
        return False
    g = sorted({c[0] for c in cells})
    a = sorted({c[1] for c in cells})
    X = np.zeros((len(cells), len(g) + len(a)))
    y = np.array([c[2] for c in cells])
    for k, (gg, aa, _) in enumerate(cells):
        X[k, g.index(gg)] = 1.0
        X[k, len(g) + a.index(aa)] = 1.0
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    res = y - X @ beta
    scale = max(float(np.abs(y).max()), 1e-9)
    return bool(np.abs(res).max() > 1e-6 * scale)


@dataclass
class Estimation:
    """Result of `estimate`: coefficients with SEs, fit, implied values of time, elasticities."""

    label: str
    coefficients: Coefficients
    table: pd.DataFrame
    fit: dict[str, Any]
    elasticity: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    values_of_time: pd.DataFrame = field(default_factory=pd.DataFrame)

    def to_frame(self) -> pd.DataFrame:
        return self.table

    def to_dict(self) -> dict[str, Any]:
        return _clean(
            {
                "dataset": self.label,
                "coefficients": self.table.to_dict(orient="records"),
                "model": self.coefficients.to_dict(),
                "fit": self.fit,
                "value_of_time_usd_per_day": {
                    "per_" + self.coefficients.per: self.coefficients.value_of_time(),
                },
                "elasticities": {
                    k: {c: v.loc[c].to_dict() for c in v.index} for k, v in self.elasticity.items()
                },
                "values_of_time": self.values_of_time.to_dict(orient="records"),
                "notes": self.notes,
            }
        )


def _clean(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, float | np.floating):
        return float(x) if math.isfinite(float(x)) else None
    if isinstance(x, np.integer):
        return int(x)
    return x


def estimate(
    net: Network,
    data: ChoiceData,
    *,
    kind: str = "nested",
    years: Sequence[int] | None = None,
    estimate_time: bool | None = None,
) -> Estimation:
    """Estimate the choice model on the observed shares (module docstring) with Biogeme.

    kind: "mnl" or "nested" (rail and sea nests; the sea nest's scale is estimated).
    years: the years to fit (default all); estimate_time: force (True) or forbid (False) a
    free time coefficient; default: free when identified."""
    if kind not in KINDS:
        raise TitrError(f"model kind must be one of {', '.join(KINDS)}, not {kind!r}")
    try:
        from biogeme.biogeme import BIOGEME
        from biogeme.database import Database
        from biogeme.expressions import Beta, Variable
        from biogeme.models import loglogit, lognested
        from biogeme.nests import NestsForNestedLogit, OneNestForNestedLogit
        from biogeme.parameters import Parameters
        from biogeme.results_processing import (
            EstimateVarianceCovariance,
            get_pandas_estimated_parameters,
        )
    except ImportError as e:  # pragma: no cover - dependency declared in pyproject
        raise TitrError(f"Biogeme is needed for estimation: pip install biogeme ({e})") from None
    t0 = time.process_time()
    df, alts, cache = sample(net, data, years)
    markets = [m for m in data.markets.values() if m.estimate]
    com = markets[0].commodity
    if any(m.commodity != com for m in markets):
        raise DataError(
            Issue(
                "markets.csv",
                None,
                "commodity",
                None,
                "estimated markets must share one commodity (one value of time)",
            )
        )
    upd, per = unit_scale(net, com)
    vot_data = net.commodities[com].value_of_time * upd / 1000.0  # kUSD per decision unit per day
    rr = net.parameter("choice_reliability_ratio")
    notes: list[str] = []
    status: dict[str, str] = {}
    time_free = identified(df, alts, "DAYS") if estimate_time is None else estimate_time
    if not time_free:
        notes.append(
            "value of time not identified by the observed years (transit-time differences "
            "between corridors do not change from year to year): fixed at the dataset's "
            f"{com} value of time, {vot_data * 1000:.1f} USD per {per} per day"
        )
    b_cost = Beta("b_cost", -0.5, None, 0, 0)
    b_time = Beta("b_time", -0.02, None, 0, 0) if time_free else None
    asc = {
        n: Beta(n, 0.0, None, None, 0)
        for n in sorted({str(ASC_OF[c]) for c in alts if ASC_OF.get(c)})
    }
    V = {}
    av = {}
    for i, c in enumerate(alts, start=1):
        a = ASC_OF.get(c)
        cost = Variable(f"COST_{i}")
        days = Variable(f"DAYS_{i}")
        rel = Variable(f"REL_{i}")
        if b_time is not None:
            u = b_cost * cost + b_time * (days + rr * rel)
        else:
            u = b_cost * (cost + vot_data * (days + rr * rel))
        V[i] = (asc[a] + u) if a else u
        av[i] = Variable(f"AV_{i}")
    mus: dict[str, Any] = {}
    if kind == "nested":
        nests = []
        for n, members in NESTS.items():
            idx = [alts.index(c) + 1 for c in members if c in alts]
            if len(idx) >= 2:
                mus[n] = Beta(f"mu_{n}", 1.5, 1.0, MU_MAX, 0)
                nests.append(
                    OneNestForNestedLogit(nest_param=mus[n], list_of_alternatives=idx, name=n)
                )
        lone = [alts.index(c) + 1 for c in alts if not any(c in NESTS[n] for n in mus)]
        for i in lone:
            nests.append(
                OneNestForNestedLogit(nest_param=1.0, list_of_alternatives=[i], name=alts[i - 1])
            )
        logprob = lognested(
            V,
            av,
            NestsForNestedLogit(
                choice_set=list(range(1, len(alts) + 1)), tuple_of_nests=tuple(nests)
            ),
            Variable("CHOICE"),
        )
    else:
        logprob = loglogit(V, av, Variable("CHOICE"))
    cols = ["CHOICE", "W"] + [
        f"{p}_{i}" for i in range(1, len(alts) + 1) for p in ("AV", "COST", "DAYS", "REL")
    ]
    db = Database("titr_choice", df[cols].astype(float))
    logging.getLogger("biogeme").setLevel(logging.WARNING)
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # Biogeme may drop files in the working directory
        try:
            bg = BIOGEME(
                db,
                {"log_like": logprob, "weight": Variable("W")},
                parameters=Parameters(),
                generate_html=False,
                generate_yaml=False,
                save_iterations=False,
            )
            bg.model_name = f"titr_{kind}"
            res = bg.estimate()
        finally:
            os.chdir(cwd)
    # grouped data = frequency weights: the Rao-Cramer (inverse Hessian) covariance is the
    # multinomial-sampling one; Biogeme's sandwich would treat each weighted row as a single
    # observation (the recovery test shows it then understates the spread)
    tab = get_pandas_estimated_parameters(
        res, variance_covariance_type=EstimateVarianceCovariance.RAO_CRAMER
    )
    tab = tab.iloc[:, :4]
    tab.columns = pd.Index(["name", "value", "std_err", "t_stat"])
    values = {str(r.name): float(r.value) for r in tab.itertuples()}
    ses = {str(r.name): float(r.std_err) for r in tab.itertuples()}
    for n in values:
        status[n] = "estimated"
    nests_lam: dict[str, float] = {}
    for n in mus:
        mu = values.pop(f"mu_{n}")
        se = ses.pop(f"mu_{n}")
        nests_lam[n] = 1.0 / mu
        values[f"lambda_{n}"] = 1.0 / mu
        ses[f"lambda_{n}"] = se / mu**2  # delta method
        status[f"lambda_{n}"] = "estimated (1 / Biogeme mu)" + (
            f"; at the bound mu = {MU_MAX:g}: the {n} corridors are near-perfect substitutes in the data"
            if mu >= MU_MAX * (1 - 1e-6)
            else ""
        )
        status.pop(f"mu_{n}", None)
    if not time_free:
        values["b_time"] = values["b_cost"] * vot_data
        ses["b_time"] = abs(ses["b_cost"] * vot_data)
        status["b_time"] = "fixed: b_cost x dataset value of time (not identified)"
    values["b_rel"] = values["b_time"] * rr
    ses["b_rel"] = abs(ses["b_time"] * rr)
    status["b_rel"] = (
        f"fixed: choice_reliability_ratio {rr:g} x b_time (p90-p50 constant over years)"
    )
    values["b_border"] = 0.0
    ses["b_border"] = 0.0
    status["b_border"] = (
        "fixed: 0 (crossings constant over years, absorbed by the constants; their time and cost are in the route)"
    )
    coefs = Coefficients(values, ses, status, nests_lam, kind, per)
    # fit statistics
    w = df["W"].to_numpy()
    n_av = df[[f"AV_{i}" for i in range(1, len(alts) + 1)]].sum(axis=1).to_numpy()
    ll0 = float(-(w * np.log(n_av)).sum())
    ll = float(res.final_loglikelihood)
    k = int(res.number_of_free_parameters)
    fit = {
        "kind": kind,
        "rows": len(df),
        "decisions": float(w.sum()),
        "decision_unit": f"{net.parameter('teu_per_train'):g} TEU (teu_per_train)",
        "years": sorted({int(y) for y in df.YEAR}),
        "log_likelihood": ll,
        "null_log_likelihood": ll0,
        "rho_square": 1.0 - ll / ll0 if ll0 else math.nan,
        "rho_bar_square": 1.0 - (ll - k) / ll0 if ll0 else math.nan,
        "aic": 2 * k - 2 * ll,
        "bic": k * math.log(float(w.sum())) - 2 * ll,
        "free_parameters": k,
        "converged": bool(res.algorithm_has_converged),
        "cpu_s": time.process_time() - t0,
        "data_hash": data_hash(net, data),
    }
    coefs.meta = {
        "dataset": net.label,
        "data_hash": fit["data_hash"],
        "years": fit["years"],
        "decision_unit": fit["decision_unit"],
    }
    rows = []
    for n in sorted(values):
        se = ses.get(n, math.nan)
        v = values[n]
        rows.append(
            {
                "name": n,
                "value": v,
                "std_err": se,
                "t_stat": v / se if se and math.isfinite(se) and se > 0 else math.nan,
                "status": status.get(n, ""),
            }
        )
    table = pd.DataFrame(rows)
    el: dict[str, pd.DataFrame] = {}
    last = max(cache)
    el[f"{last[0]} {last[1]} cost"] = elasticities(coefs, cache[last], "cost")
    el[f"{last[0]} {last[1]} days"] = elasticities(coefs, cache[last], "days")
    return Estimation(net.label, coefs, table, fit, el, notes, values_of_time(net, data, coefs))


def values_of_time(net: Network, data: ChoiceData, coefs: Coefficients) -> pd.DataFrame:
    """Value of time by commodity: estimated for the commodity of the estimated markets; for
    the others the dataset's value (``commodities.csv``, with its source/EST), because their
    traffic has no competing corridor in the network to reveal it (elasticity to the other
    corridors: none)."""
    est_com = {m.commodity for m in data.markets.values() if m.estimate}
    rows = []
    for c in net.commodities.values():
        if c.unit == "MWh":
            continue
        upd, per = unit_scale(net, c.id)
        if c.id in est_com:
            v_unit = coefs.value_of_time() / upd  # USD per commodity unit per day
            how = f"estimated (b_time / b_cost, {coefs.kind})"
        else:
            v_unit = c.value_of_time
            how = f"dataset: {c.source}"
        rows.append(
            {
                "commodity": c.id,
                "usd_per_unit_day": v_unit,
                "unit": c.unit,
                "usd_per_t_day": v_unit / c.t_per_unit if c.t_per_unit > 0 else math.nan,
                "dataset_usd_per_unit_day": c.value_of_time,
                "how": how,
            }
        )
    return pd.DataFrame(rows)


def predicted_shares(
    net: Network, data: ChoiceData, coefs: Coefficients, market: str, year: int
) -> dict[str, float]:
    """Model shares of `market` in `year` under that year's conditions."""
    m = data.markets[market]
    alts = year_alternatives(net, data, m, year)
    p = shares(coefs, alts)
    return {a.corridor: float(x) for a, x in zip(alts, p, strict=True)}


def backcast(
    net: Network, data: ChoiceData, *, fit_to: int = 2023, kind: str = "nested"
) -> tuple[Estimation, pd.DataFrame]:
    """Fit on years <= fit_to, predict the later observed years; frame of observed vs model
    shares with the absolute error in percentage points."""
    years = sorted({int(y) for y in data.observed.year})
    est = estimate(net, data, kind=kind, years=[y for y in years if y <= fit_to])
    rows = []
    for mid, m in data.markets.items():
        if not m.estimate:
            continue
        for y in data.years(mid):
            if y <= fit_to:
                continue
            obs = data.volumes(mid, y)
            tot = sum(obs.values())
            pred = predicted_shares(net, data, est.coefficients, mid, y)
            for c in m.corridors:
                o = obs.get(c, 0.0) / tot
                rows.append(
                    {
                        "market": mid,
                        "year": y,
                        "corridor": c,
                        "observed_share": o,
                        "model_share": pred[c],
                        "error_pp": 100 * (pred[c] - o),
                    }
                )
    return est, pd.DataFrame(rows)

"""Appraisal parameters: read from the dataset's parameters.csv (each with its source id),
optionally overridden by the caller, and checked. A missing parameter is a DataError naming
it; a bad value names the parameter, the value and the rule."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from titr.errors import DataError, Issue
from titr.network.model import Network

# field -> dataset parameter id
PARAMETER_IDS = {
    "discount_rate": "appraisal_discount_rate",
    "discount_rate_low": "appraisal_discount_rate_low",
    "discount_rate_high": "appraisal_discount_rate_high",
    "period_years": "appraisal_period_years",
    "base_year": "appraisal_base_year",
    "carbon_value": "carbon_value_usd_per_t",
    "carbon_value_low": "carbon_value_usd_per_t_low",
    "carbon_value_high": "carbon_value_usd_per_t_high",
    "opex_share": "opex_share_of_capex",
    "asset_life_years": "asset_life_years",
    "reliability_ratio": "reliability_ratio",
    "transit_margin": "transit_margin_share",
    "transit_margin_low": "transit_margin_share_low",
    "transit_margin_high": "transit_margin_share_high",
    "capex_overrun_rail_mean": "capex_overrun_rail_mean",
    "capex_overrun_rail_sd": "capex_overrun_rail_sd",
    "capex_overrun_other_low": "capex_overrun_other_low",
    "capex_overrun_other_high": "capex_overrun_other_high",
    "demand_sd": "demand_forecast_sd",
    "value_of_time_sd": "value_of_time_sd",
}

# (low, high, low inclusive, high inclusive) per field
_RULES: dict[str, tuple[float, float, bool, bool]] = {
    "discount_rate": (0.0, 1.0, True, False),
    "discount_rate_low": (0.0, 1.0, True, False),
    "discount_rate_high": (0.0, 1.0, True, False),
    "period_years": (1, 200, True, True),
    "base_year": (1990, 2100, True, True),
    "carbon_value": (0.0, math.inf, True, False),
    "carbon_value_low": (0.0, math.inf, True, False),
    "carbon_value_high": (0.0, math.inf, True, False),
    "opex_share": (0.0, 1.0, True, True),
    "asset_life_years": (1, 500, True, True),
    "reliability_ratio": (0.0, 10.0, True, True),
    "transit_margin": (0.0, 1.0, True, True),
    "transit_margin_low": (0.0, 1.0, True, True),
    "transit_margin_high": (0.0, 1.0, True, True),
    "capex_overrun_rail_mean": (-0.9, 10.0, True, True),
    "capex_overrun_rail_sd": (0.0, 10.0, True, True),
    "capex_overrun_other_low": (-0.9, 10.0, True, True),
    "capex_overrun_other_high": (-0.9, 10.0, True, True),
    "demand_sd": (0.0, 2.0, True, True),
    "value_of_time_sd": (0.0, 2.0, True, True),
}
_INTEGER = {"period_years", "base_year", "asset_life_years"}


@dataclass(frozen=True)
class AppraisalParams:
    discount_rate: float
    discount_rate_low: float
    discount_rate_high: float
    period_years: int
    base_year: int
    carbon_value: float  # USD per t CO2
    carbon_value_low: float
    carbon_value_high: float
    opex_share: float  # of capex per year of service
    asset_life_years: int
    reliability_ratio: float
    transit_margin: float
    transit_margin_low: float
    transit_margin_high: float
    capex_overrun_rail_mean: float
    capex_overrun_rail_sd: float
    capex_overrun_other_low: float
    capex_overrun_other_high: float
    demand_sd: float
    value_of_time_sd: float
    sources: tuple[tuple[str, str], ...] = ()  # (field, source text) as in the dataset

    @property
    def years(self) -> list[int]:
        return list(range(self.base_year, self.base_year + self.period_years))

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["sources"] = dict(self.sources)
        return d

    def source_ids(self) -> set[str]:
        return {m for _, s in self.sources for m in re.findall(r"S\d{3,}", s)}

    def replace(self, **kw: Any) -> AppraisalParams:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d.update(kw)
        return check(AppraisalParams(**d), where="<options>")


def from_network(net: Network, overrides: dict[str, Any] | None = None) -> AppraisalParams:
    """The dataset's appraisal parameters with `overrides` (field name -> value) applied."""
    issues = []
    vals: dict[str, Any] = {}
    srcs = []
    for f, pid in PARAMETER_IDS.items():
        p = net.parameters.get(pid)
        if p is None:
            issues.append(
                Issue(
                    "parameters.csv",
                    None,
                    "id",
                    pid,
                    "appraisal parameter missing from the dataset",
                )
            )
            continue
        vals[f] = p.value
        srcs.append((f, str(p.source)))
    if issues:
        raise DataError(issues)
    where = "parameters.csv"
    for k, v in (overrides or {}).items():
        if k not in PARAMETER_IDS:
            raise DataError(Issue("<options>", None, k, str(v), "not an appraisal parameter"))
        if v is not None:
            vals[k] = v
            where = "<options>"
            srcs = [(f, s) if f != k else (f, "user override") for f, s in srcs]
    # an overridden central value widens its sensitivity range rather than contradicting it
    for c, lo, hi in (
        ("discount_rate", "discount_rate_low", "discount_rate_high"),
        ("carbon_value", "carbon_value_low", "carbon_value_high"),
        ("transit_margin", "transit_margin_low", "transit_margin_high"),
    ):
        if (overrides or {}).get(c) is not None:
            vals[lo] = min(vals[lo], vals[c])
            vals[hi] = max(vals[hi], vals[c])
    for k in _INTEGER:
        v = vals[k]
        if not (isinstance(v, int) or _finite(v) and float(v).is_integer()):
            raise DataError(Issue(where, None, PARAMETER_IDS[k], str(v), "must be a whole number"))
        vals[k] = int(v)
    return check(AppraisalParams(**vals, sources=tuple(srcs)), where=where)


def _finite(v: Any) -> bool:
    """A finite number (an int too large for a float, e.g. --period 10**400, is not)."""
    try:
        return math.isfinite(float(v))
    except (OverflowError, TypeError, ValueError):
        return False


def check(p: AppraisalParams, where: str = "parameters.csv") -> AppraisalParams:
    issues = []
    for f, (lo, hi, lo_in, hi_in) in _RULES.items():
        v = getattr(p, f)
        ok = isinstance(v, (int, float)) and _finite(v) or v == math.inf
        ok = ok and (v >= lo if lo_in else v > lo) and (v <= hi if hi_in else v < hi)
        if not ok:
            br = ("[" if lo_in else "(") + f"{lo:g}, {hi:g}" + ("]" if hi_in else ")")
            issues.append(Issue(where, None, PARAMETER_IDS[f], str(v), f"must lie in {br}"))
    if not issues:
        if not p.discount_rate_low <= p.discount_rate <= p.discount_rate_high:
            issues.append(
                Issue(
                    where,
                    None,
                    "appraisal_discount_rate",
                    str(p.discount_rate),
                    "must lie between appraisal_discount_rate_low and _high",
                )
            )
        if not p.carbon_value_low <= p.carbon_value <= p.carbon_value_high:
            issues.append(
                Issue(
                    where,
                    None,
                    "carbon_value_usd_per_t",
                    str(p.carbon_value),
                    "must lie between carbon_value_usd_per_t_low and _high",
                )
            )
        if not p.transit_margin_low <= p.transit_margin <= p.transit_margin_high:
            issues.append(
                Issue(
                    where,
                    None,
                    "transit_margin_share",
                    str(p.transit_margin),
                    "must lie between transit_margin_share_low and _high",
                )
            )
        if p.capex_overrun_other_low > p.capex_overrun_other_high:
            issues.append(
                Issue(
                    where,
                    None,
                    "capex_overrun_other_low",
                    str(p.capex_overrun_other_low),
                    "must be <= capex_overrun_other_high",
                )
            )
    if issues:
        raise DataError(issues)
    return p

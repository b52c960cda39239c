"""Indicator series, progress towards targets, and log-linear trend forecasts.

Forecast model: ln(value_t) = a + b·t + ε, fitted by least squares on the chosen years; the
point forecast is exp(a + b·t) (the median of a log-normal), the band is the (1-α) prediction
interval exp(ŷ ± t_{n-2, 1-α/2} · s · sqrt(1 + 1/n + (t - t̄)² / Σ(t_i - t̄)²)).
The implied growth rate is exp(b) - 1 per year. Deterministic: no sampling.

A series that measures the corridor's tonnage (`capacity.BOUNDED_SERIES`) is bounded by the
corridor's capacity path (`capacity.capacity_path`: existing network plus the projects in
service by each year): where the trend or its band exceeds the capacity of that year they are
cut to it and the year is listed in `bounded_years`. A target above the capacity of its year is
not on track whatever the trend.

A series "mixes sources" when its default points cite more than one source: levels from
different publications (scope, statistic) may not be comparable, and the output says so.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats

from titr.errors import DataError, Issue, NotFoundError
from titr.indicators.capacity import BOUNDED_SERIES, CapacityPath, capacity_path
from titr.network.model import Indicator, Network


def series(net: Network, name: str, variant: str = "default") -> list[Indicator]:
    """The yearly values of a series (sorted by year); NotFoundError lists known series."""
    rows = net.indicator_series(name, variant)
    if not rows:
        known = sorted({i.series for i in net.indicators})
        variants = sorted({i.variant for i in net.indicators if i.series == name})
        if variants:
            raise NotFoundError(f"series '{name}' has no variant '{variant}'.", variants)
        raise NotFoundError(f"no indicator series '{name}' in {net.label}.", known)
    return rows


@dataclass(frozen=True)
class Forecast:
    series: str
    unit: str
    method: str
    fitted_years: tuple[int, ...]
    growth_rate: float  # per year, e.g. 0.25 = +25 %/yr
    years: tuple[int, ...]
    value: tuple[float, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    level: float
    dataset: str
    capacity: tuple[float, ...] | None = None  # the corridor's capacity path, same unit
    bounded_years: tuple[int, ...] = ()  # years where the trend or its band was cut to it
    capacity_note: str = ""

    def to_frame(self) -> pd.DataFrame:
        d: dict[str, object] = {
            "year": self.years,
            "value": self.value,
            "lower": self.lower,
            "upper": self.upper,
        }
        if self.capacity is not None:
            d["capacity"] = self.capacity
        return pd.DataFrame(d)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def forecast(
    net: Network,
    name: str,
    until: int,
    *,
    variant: str = "default",
    since: int | None = None,
    level: float = 0.8,
    bound: bool = True,
) -> Forecast:
    """Log-linear trend forecast of a series from its last year to `until` (inclusive); a
    corridor tonnage series is cut to the capacity path unless `bound` is False."""
    rows = [r for r in series(net, name, variant) if since is None or r.year >= since]
    if not 0 < level < 1:
        raise DataError(Issue("forecast", None, "level", str(level), "must be between 0 and 1"))
    pos = [r for r in rows if r.value > 0]
    if len(pos) < 3:
        raise DataError(
            Issue(
                "forecast",
                None,
                "series",
                name,
                f"needs at least 3 positive yearly values to fit a trend, has {len(pos)}",
            )
        )
    last = pos[-1].year
    if until <= last:
        raise DataError(
            Issue(
                "forecast",
                None,
                "until",
                str(until),
                f"must be after the last observed year {last}",
            )
        )
    if until > last + 30:
        raise DataError(
            Issue(
                "forecast",
                None,
                "until",
                str(until),
                "forecasts are limited to 30 years past the last observation",
            )
        )
    t = np.array([r.year for r in pos], dtype=float)
    y = np.log([r.value for r in pos])
    n = len(t)
    tbar = t.mean()
    sxx = float(((t - tbar) ** 2).sum())
    b = float(((t - tbar) * (y - y.mean())).sum() / sxx)
    a = float(y.mean() - b * tbar)
    resid = y - (a + b * t)
    s = math.sqrt(float((resid**2).sum()) / max(n - 2, 1))
    q = float(stats.t.ppf(0.5 + level / 2, max(n - 2, 1)))
    years = np.arange(last + 1, until + 1)
    yhat = a + b * years
    half = q * s * np.sqrt(1 + 1 / n + (years - tbar) ** 2 / sxx)
    value, lower, upper = np.exp(yhat), np.exp(yhat - half), np.exp(yhat + half)
    cap: tuple[float, ...] | None = None
    bounded: tuple[int, ...] = ()
    note = ""
    path = _capacity_for(net, name, pos[-1].unit, [int(x) for x in years]) if bound else None
    if path is not None:
        c = np.array(path.mt_per_year)
        bounded = tuple(int(y) for y, u, cc in zip(years, upper, c, strict=True) if u > cc)
        value, lower, upper = np.minimum(value, c), np.minimum(lower, c), np.minimum(upper, c)
        cap = tuple(float(x) for x in c)
        note = (
            "bounded by the corridor's capacity path (existing network plus projects completed "
            f"or under construction by each year; planned projects not counted; {path.measures})"
        )
    return Forecast(
        series=name,
        unit=pos[-1].unit,
        method="log-linear trend",
        fitted_years=tuple(int(x) for x in t),
        growth_rate=math.exp(b) - 1,
        years=tuple(int(x) for x in years),
        value=tuple(float(v) for v in value),
        lower=tuple(float(v) for v in lower),
        upper=tuple(float(v) for v in upper),
        level=level,
        dataset=net.label,
        capacity=cap,
        bounded_years=bounded,
        capacity_note=note,
    )


def _capacity_for(net: Network, name: str, unit: str, years: list[int]) -> CapacityPath | None:
    if name not in BOUNDED_SERIES or unit != "Mt":
        return None
    path = capacity_path(net, years)
    return None if any(math.isnan(c) for c in path.mt_per_year) else path


@dataclass(frozen=True)
class SeriesInfo:
    """What a series' default points rest on, and the other figures given for the same years."""

    series: str
    unit: str
    years: tuple[int, ...]
    sources: tuple[str, ...]  # distinct sources of the default points
    mixed_sources: bool
    estimated_years: tuple[int, ...]  # default points marked EST
    variants: dict[int, dict[str, float]]  # year -> {variant: value} (non-default figures)
    default_notes: dict[int, str]  # year -> note of the default point (why it is the default)


def series_info(net: Network, name: str) -> SeriesInfo:
    """Sources, mixing flag and alternative figures of a series (default variant)."""
    rows = series(net, name)
    srcs = tuple(dict.fromkeys(r.source for r in rows))
    other: dict[int, dict[str, float]] = {}
    for i in net.indicators:
        if i.series == name and i.variant != "default":
            other.setdefault(i.year, {})[i.variant] = i.value
    return SeriesInfo(
        series=name,
        unit=rows[0].unit,
        years=tuple(r.year for r in rows),
        sources=srcs,
        mixed_sources=len(srcs) > 1,
        estimated_years=tuple(r.year for r in rows if r.source.startswith("EST")),
        variants=dict(sorted(other.items())),
        default_notes={r.year: r.note for r in rows if r.note},
    )


@dataclass(frozen=True)
class TargetProgress:
    target: str
    series: str
    owner: str
    target_year: int
    target_value: float
    unit: str
    last_year: int | None
    last_value: float | None
    share_reached: float | None
    required_growth: float | None  # per year from the last value to reach the target
    trend_growth: float | None  # fitted log-linear growth of the series over `trend_years`
    on_track: bool | None
    source: str
    capacity_in_year: float | None = None  # corridor capacity path in the target year
    reason: str = ""  # why on_track is what it is
    trend_years: tuple[int, int] | None = None  # first and last year the trend is fitted on
    last_growth: float | None = None  # the latest year-on-year change (the current pace)


def target_progress(
    net: Network, variant: str = "default", *, bound: bool = True
) -> list[TargetProgress]:
    """For each target: last actual value, share reached, growth needed per year vs trend; a
    corridor tonnage target above the capacity path in its year is not on track (unless
    `bound` is False)."""
    out = []
    for tg in sorted(net.targets.values(), key=lambda x: (x.series, x.year)):
        rows = net.indicator_series(tg.series, variant)
        rows = [r for r in rows if r.unit == tg.unit] or []
        last = rows[-1] if rows else None
        req = trend = None
        on_track = None
        reason = ""
        cap = None
        span = None
        last_g = None
        if last is not None and last.value > 0 and tg.year > last.year:
            req = (tg.value / last.value) ** (1 / (tg.year - last.year)) - 1
            pos = [r for r in rows if r.value > 0]
            prev = next((r for r in reversed(rows) if r.year == last.year - 1), None)
            if prev is not None and prev.value > 0:
                last_g = last.value / prev.value - 1
            if len(pos) >= 3:
                t = np.array([r.year for r in pos], float)
                yv = np.log([r.value for r in pos])
                b = float(np.polyfit(t, yv, 1)[0])
                trend = math.exp(b) - 1
                span = (pos[0].year, pos[-1].year)
                # on track: the fitted trend AND the latest year's change both reach the growth
                # needed; a trend fitted over years of fast growth is not the pace after a fall
                trend_ok = trend >= req
                pace_ok = last_g is None or last_g >= req
                on_track = trend_ok and pace_ok
                fit = f"the {span[0]}–{span[1]} trend ({trend * 100:+.1f} %/yr)"
                need = f"the {req * 100:+.1f} %/yr needed"
                if on_track:
                    reason = f"{fit} and the latest year reach {need}"
                elif trend_ok and last_g is not None:
                    reason = (
                        f"{fit} would reach {need}, but {last.year} changed "
                        f"{last_g * 100:+.1f} % on {last.year - 1}: not at the current pace"
                    )
                else:
                    reason = f"{fit} falls short of {need}"
            path = _capacity_for(net, tg.series, tg.unit, [tg.year]) if bound else None
            if path is not None:
                cap = path.mt_per_year[0]
                if tg.value > cap:
                    on_track = False
                    reason = (
                        f"target above the corridor's capacity in {tg.year} "
                        f"({cap:.1f} {tg.unit}/yr with the projects under construction)"
                    )
        elif last is not None and tg.year <= last.year:
            at = next((r for r in rows if r.year == tg.year), last)
            on_track = at.value >= tg.value
            reason = f"{at.year} actual {at.value:g} {tg.unit}"
        out.append(
            TargetProgress(
                target=tg.id,
                series=tg.series,
                owner=tg.owner,
                target_year=tg.year,
                target_value=tg.value,
                unit=tg.unit,
                last_year=last.year if last else None,
                last_value=last.value if last else None,
                share_reached=(last.value / tg.value) if last and tg.value else None,
                required_growth=req,
                trend_growth=trend,
                on_track=on_track,
                source=tg.source,
                capacity_in_year=cap,
                reason=reason,
                trend_years=span,
                last_growth=last_g,
            )
        )
    return out

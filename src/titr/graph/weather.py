"""Storms that stop weather-sensitive sailings: one storm climate per sea, read from the
dataset, used by the router (a storm-wait step before each such sailing) and by the
simulation (blocking windows on the same sailings). One process, one set of numbers.

Data (``parameters.csv``; a missing row is a `DataError` naming it):

* ``storm_days_per_year`` (Caspian) and ``black_sea_storm_days_per_year``: days a year on which
  the lines do not sail;
* ``storm_share_jan`` … ``storm_share_dec``: the share of the year's storm days in each month
  (the same seasonal profile for both seas; the shares sum to 1);
* ``storm_episode_days_min`` / ``_mode`` / ``_max``: one stoppage lasts D ~ Triangular days.

Process. In month m the closed share of time is f_m = days_m / days in m. Episode starts are
Poisson at λ_m = −ln(1 − f_m) / E[D] per day, so the share of time inside at least one episode
(the busy fraction of an M/G/∞ queue, 1 − exp(−λ E[D])) is f_m: ``days_m`` are closed days
with overlapping episodes counted once. Episodes that overlap merge into one window.

Storm wait. A shipment ready to sail at a moment t waits until the end of the window holding t
(0 outside every window): P(wait > 0) = f_m, and within a window the wait is the window's
residual time. `storm_wait` gives its distribution for shipments ready at a uniform moment of
a calendar interval, from the same window process the simulation draws (a fixed seed and 400
simulated years, so the answer is deterministic). The simulation adds what the router cannot
know without demand: the backlog of sailings that builds up during a window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from titr.errors import DataError, Issue
from titr.graph import units
from titr.network.model import Network

MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: sea -> parameter holding its storm days per year
SEA_DAYS_PARAMETER = {
    "caspian": "storm_days_per_year",
    "black_sea": "black_sea_storm_days_per_year",
}
#: sea -> parameter holding its weather-sensitive lines' load over their calm capacity
SEA_UTILISATION_PARAMETER = {
    "caspian": "caspian_sailing_utilisation",
    "black_sea": "black_sea_sailing_utilisation",
}
WAIT_YEARS = 400  # simulated years behind `storm_wait`
WAIT_DRAWS = 40_000  # ready moments sampled within the interval
WAIT_SEED = 20_251_102  # fixed: the router's storm wait is deterministic
MAX_CLOSED_SHARE = 0.99  # a month always closed would need an infinite start rate


@dataclass(frozen=True)
class StormClimate:
    """Storm days in each calendar month (January first) of one sea and the episode length
    (Triangular min, mode, max in days)."""

    sea: str
    days_by_month: tuple[float, ...]
    episode_days: tuple[float, float, float]
    utilisation: float = 0.0  # the sea's lines' load / calm sailing capacity (router backlog)

    @property
    def days_per_year(self) -> float:
        return float(sum(self.days_by_month))

    @property
    def mean_episode_days(self) -> float:
        return sum(self.episode_days) / 3.0

    def closed_share(self, month: int) -> float:
        """f_m: share of month ``month`` (1..12) during which the lines do not sail."""
        return min(self.days_by_month[month - 1] / MONTH_DAYS[month - 1], MAX_CLOSED_SHARE)

    def start_rate_per_day(self, month: int) -> float:
        """λ_m = −ln(1 − f_m) / E[D]: episode starts per day in ``month``."""
        return -math.log1p(-self.closed_share(month)) / self.mean_episode_days

    def reshaped(
        self,
        days_per_year: float | None = None,
        season_months: list[int] | None = None,
        season_share: float | None = None,
        mean_days: float | None = None,
    ) -> StormClimate:
        """This climate with a scenario's overrides: another yearly total (the monthly profile
        kept), a share ``season_share`` of the days in ``season_months`` (default: the months
        above the uniform share 1/12), each part spread over its months in proportion to the
        climate's own profile (or to the month lengths where that is 0), and episodes of
        mean ``mean_days`` as Triangular(d/2, d, 3d/2)."""
        total = self.days_per_year if days_per_year is None else float(days_per_year)
        days = np.asarray(self.days_by_month, dtype=float)
        prof = days / days.sum() if days.sum() > 0 else MONTH_DAYS / MONTH_DAYS.sum()
        if season_months is not None or season_share is not None:
            if season_months is not None:
                inside = np.isin(np.arange(1, 13), season_months)
            else:
                inside = prof > 1.0 / 12.0
            share = float(prof[inside].sum()) if season_share is None else float(season_share)
            out = np.zeros(12)
            for mask, part in ((inside, share), (~inside, 1.0 - share)):
                if not mask.any():
                    continue
                w = np.where(mask, prof, 0.0)
                if w.sum() <= 0:
                    w = np.where(mask, MONTH_DAYS, 0.0)
                out += part * w / w.sum()
            prof = out
        episode = self.episode_days
        if mean_days is not None:
            episode = (mean_days / 2.0, float(mean_days), 1.5 * mean_days)
        return StormClimate(
            self.sea, tuple(float(x) for x in total * prof), episode, self.utilisation
        )


def storm_climate(net: Network, sea: str) -> StormClimate:
    """The dataset's storm climate of ``sea`` ('caspian' or 'black_sea'); `DataError` listing
    every missing or inconsistent parameter."""
    need = f"the {sea.replace('_', ' ')} storm climate (graph.weather)"
    issues: list[Issue] = []

    def get(pid: str) -> float:
        try:
            return units.parameter(net, pid, need)
        except DataError as e:
            issues.extend(e.issues)
            return math.nan

    total = get(SEA_DAYS_PARAMETER[sea])
    rho = get(SEA_UTILISATION_PARAMETER[sea])
    shares = np.array([get(f"storm_share_{m}") for m in MONTHS])
    ep = tuple(get(f"storm_episode_days_{k}") for k in ("min", "mode", "max"))
    if issues:
        raise DataError(issues)

    def bad(pid: str, value: object, rule: str) -> None:
        issues.append(Issue("parameters.csv", None, "value", f"{pid}={value}", rule))

    if not 0 <= total <= 365:
        bad(SEA_DAYS_PARAMETER[sea], total, "storm days per year must lie in 0..365")
    if not 0 <= rho < 1:
        bad(SEA_UTILISATION_PARAMETER[sea], rho, "utilisation must lie in [0, 1)")
    if (shares < 0).any() or abs(float(shares.sum()) - 1.0) > 1e-3:
        bad("storm_share_jan..dec", round(float(shares.sum()), 6), "shares must be ≥ 0, sum 1")
    if not 0 < ep[0] <= ep[1] <= ep[2]:
        bad("storm_episode_days_min/mode/max", ep, "need 0 < min <= mode <= max")
    days = total * shares
    for i, m in enumerate(MONTHS):
        if days[i] > MAX_CLOSED_SHARE * MONTH_DAYS[i]:
            bad(f"storm_share_{m}", shares[i], f"gives {days[i]:.1f} storm days in a month")
    if issues:
        raise DataError(issues)
    return StormClimate(sea, tuple(float(x) for x in days), (ep[0], ep[1], ep[2]), rho)


def storm_climates(net: Network) -> dict[str, StormClimate]:
    """Every sea's storm climate (the seas `weather_seas` can name)."""
    return {sea: storm_climate(net, sea) for sea in SEA_DAYS_PARAMETER}


def weather_seas(net: Network) -> dict[str, str]:
    """Weather-sensitive service id -> its sea: 'caspian' when a link it sails has a Caspian
    passage, else 'black_sea' (the other seas the dataset's ferries and feeders cross)."""
    caspian = {
        lk.service
        for lk in net.links.values()
        if lk.service and any("caspian" in p.lower() for p in lk.passages)
    }
    return {
        sid: ("caspian" if sid in caspian else "black_sea")
        for sid, sv in sorted(net.services.items())
        if sv.weather_sensitive
    }


def month_of(t_h: np.ndarray | float, start_month: int = 1) -> np.ndarray:
    """Calendar month index 0..11 at time t (hours), for a start on day 1 of start_month."""
    edges = np.concatenate([[0.0], np.cumsum(np.roll(MONTH_DAYS, -(start_month - 1)))]) * 24
    doy = np.mod(np.asarray(t_h, dtype=float), 365.0 * 24)
    k = np.searchsorted(edges, doy, side="right") - 1
    return (np.clip(k, 0, 11) + start_month - 1) % 12  # type: ignore[no-any-return]


def merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of intervals as sorted, disjoint [start, end) windows."""
    if len(starts) == 0:
        return np.zeros(0), np.zeros(0)
    o = np.argsort(starts, kind="stable")
    s, e = starts[o], ends[o]
    run_end = np.maximum.accumulate(e)
    new = np.ones(len(s), dtype=bool)
    new[1:] = s[1:] > run_end[:-1]
    grp = np.cumsum(new) - 1
    out_s = s[new]
    out_e = np.zeros(len(out_s))
    np.maximum.at(out_e, grp, run_end)
    return out_s, out_e


def storm_windows(
    rng: np.random.Generator, climate: StormClimate, span_h: float, start_month: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Merged storm windows (hours from a start on day 1 of ``start_month``) over ``span_h``.

    Calendar months are walked from the start; in each, Poisson(λ_m × its days) episode starts
    uniform within it and durations Triangular(episode days) × 24 h. Draws in a fixed order:
    counts, then starts, then durations (same generator state, same windows)."""
    lengths: list[float] = []
    rates: list[float] = []
    t, m = 0.0, start_month
    while t < span_h:
        d = float(MONTH_DAYS[m - 1])
        lengths.append(min(d * 24.0, span_h - t))
        rates.append(climate.start_rate_per_day(m))
        t += d * 24.0
        m = m % 12 + 1
    seg_len = np.array(lengths)
    seg_start = np.concatenate([[0.0], np.cumsum(seg_len)[:-1]])
    counts = rng.poisson(np.array(rates) * seg_len / 24.0)
    which = np.repeat(np.arange(len(seg_len)), counts)
    starts = seg_start[which] + rng.random(len(which)) * seg_len[which]
    lo, mode, hi = climate.episode_days
    dur = (rng.triangular(lo, mode, hi, len(which)) if hi > lo else np.full(len(which), lo)) * 24.0
    return merge(starts, starts + dur)


@dataclass(frozen=True, eq=False)
class StormWait:
    """Storm wait before a sailing (hours), as a quantile table ``q`` (q[i] = quantile at
    i / (len(q) - 1)); the step interface of `titr.graph.dist` (min, max, mean, variance,
    sample, ppf). ``closed_share``: probability of a wait > 0."""

    q: np.ndarray
    mean: float
    variance: float
    closed_share: float
    sea: str
    kind: str = "storm"

    @property
    def min(self) -> float:
        return float(self.q[0])

    @property
    def max(self) -> float:
        return float(self.q[-1])

    def ppf(self, p: float | np.ndarray) -> np.ndarray:
        grid = np.linspace(0.0, 1.0, len(self.q))
        return np.interp(np.asarray(p, dtype=float), grid, self.q)  # type: ignore[no-any-return]

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        return self.ppf(rng.random(size))


def _ready_moments(first_day: float, span_days: float, years: int, n: int) -> np.ndarray:
    """``n`` moments (hours) uniform over [first_day, first_day + span_days) of each year."""
    rng = np.random.default_rng(WAIT_SEED + 1)
    year = rng.integers(0, years, n)
    return (year * 365.0 + first_day + rng.random(n) * span_days) * 24.0  # type: ignore[no-any-return]


def fluid_wait(s: np.ndarray, e: np.ndarray, rho: float, t: np.ndarray) -> np.ndarray:
    """Wait (hours) of freight ready at moments ``t`` before a line that stops in the merged
    windows [s, e) and is loaded to ``rho`` of its calm capacity (fluid FIFO queue).

    Backlog B (hours of sailing work) grows at ρ while stopped and shrinks at 1 − ρ while open
    until empty; freight ready at t leaves once the open time after t has cleared B(t):
    W(t) = O⁻¹(O(t) + B(t)) − t with O the cumulative open time. For one stop of D hours,
    freight arriving u into it waits D − (1 − ρ)u, and freight arriving after it waits while
    the backlog clears; ρ = 0 leaves the stop's residual time only."""
    n = len(s)
    if n == 0:
        return np.zeros(len(t))
    b_start = np.zeros(n)
    b_end = np.zeros(n)
    b = 0.0
    for i in range(n):
        if i:
            b = max(0.0, b - (1.0 - rho) * (s[i] - e[i - 1]))
        b_start[i] = b
        b += rho * (e[i] - s[i])
        b_end[i] = b
    closed_before = np.concatenate([[0.0], np.cumsum(e - s)[:-1]])
    open_at = s - closed_before  # O(s_i) = O(e_i)
    at = np.searchsorted(s, t, side="right") - 1
    j = np.maximum(at, 0)
    inside = (at >= 0) & (e[j] > t)
    backlog = np.where(
        inside,
        b_start[j] + rho * (t - s[j]),
        np.where(at >= 0, np.maximum(0.0, b_end[j] - (1.0 - rho) * (t - e[j])), 0.0),
    )
    o_t = np.where(at >= 0, np.where(inside, open_at[j], open_at[j] + (t - e[j])), t)
    y = o_t + backlog
    k = np.searchsorted(open_at, y, side="right") - 1  # last stop at or before y (open time)
    kk = np.maximum(k, 0)
    tau = np.where(k >= 0, e[kk] + (y - open_at[kk]), y)
    return np.maximum(tau - t, 0.0)  # type: ignore[no-any-return]


@lru_cache(maxsize=256)
def storm_wait(climate: StormClimate, first_day: int, span_days: int) -> StormWait:
    """Storm wait of freight ready to sail at a uniform moment of days [first_day,
    first_day + span_days) of the year (day 0 = 1 January; wraps into the next year):
    `fluid_wait` over `storm_windows` of WAIT_YEARS years (fixed seed) at the climate's
    utilisation (the backlog a storm leaves behind)."""
    if not 0 <= first_day < 365 or not 1 <= span_days <= 365:
        raise ValueError(f"storm wait interval {first_day}+{span_days} d is outside one year")
    years = WAIT_YEARS
    s, e = storm_windows(
        np.random.default_rng(WAIT_SEED), climate, (years + 1) * 8760.0, start_month=1
    )
    t = _ready_moments(float(first_day), float(span_days), years, WAIT_DRAWS)
    i = np.searchsorted(s, t, side="right") - 1
    inside = (i >= 0) & (e[np.maximum(i, 0)] > t)
    wait = fluid_wait(s, e, climate.utilisation, t)
    q = np.quantile(wait, np.linspace(0.0, 1.0, 1001))
    q.flags.writeable = False
    return StormWait(
        q=q,
        mean=float(wait.mean()),
        variance=float(wait.var()),
        closed_share=float(inside.mean()),
        sea=climate.sea,
    )


def month_interval(month: int) -> tuple[int, int]:
    """(first day of the year, days) of calendar month ``month`` (1..12)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    first = int(MONTH_DAYS[: month - 1].sum())
    return first, int(MONTH_DAYS[month - 1])


def climates_by_service(
    seas: Mapping[str, str], climates: Mapping[str, StormClimate]
) -> dict[str, StormClimate]:
    """Service id -> the storm climate of its sea."""
    return {sid: climates[sea] for sid, sea in seas.items()}

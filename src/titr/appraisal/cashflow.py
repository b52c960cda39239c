"""Discounted cash-flow measures: NPV, EIRR (every root), BCR, payback year, first-year return.

A cash-flow stream is one value per year t = 0..n−1 (year 0 = the appraisal's base year),
money in any one unit (the measures are invariant to that unit except NPV, which scales):

    NPV(r)  = Σ_t f_t (1 + r)^−t
    EIRR    = every r > −1 with NPV(r) = 0. Substituting x = 1/(1 + r) turns NPV into the
              polynomial Σ_t f_t x^t; its real roots x > 0 are the EIRRs. By Descartes' rule
              there are at most as many as the stream has sign changes, so a stream that
              changes sign more than once may have several EIRRs (or none): all are reported,
              and `Eirr.value` is set only when exactly one exists.
    BCR     = PV(benefits + residual value) / PV(capex + opex)
    payback = first year whose cumulative discounted net flow is >= 0 after having been < 0
    FYRR    = (benefits − opex) in the first year of operation / total undiscounted capex
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq


def discount_factors(rate: float, n: int) -> np.ndarray:
    """(1 + rate)^−t for t = 0..n−1."""
    return np.asarray((1.0 + rate) ** -np.arange(n, dtype=float))


def npv(flows: Sequence[float] | np.ndarray, rate: float) -> float:
    f = np.asarray(flows, dtype=float)
    return float(f @ discount_factors(rate, f.size))


def sign_changes(flows: Sequence[float] | np.ndarray, tol: float = 0.0) -> int:
    """Number of sign changes of the stream, zeros (|f| <= tol) skipped."""
    s = [math.copysign(1.0, v) for v in np.asarray(flows, dtype=float) if abs(v) > tol]
    return sum(1 for a, b in zip(s, s[1:], strict=False) if a != b)


@dataclass(frozen=True)
class Eirr:
    """All internal rates of return of a stream. `value` is the rate when exactly one exists."""

    roots: tuple[float, ...]
    sign_changes: int

    @property
    def value(self) -> float | None:
        return self.roots[0] if len(self.roots) == 1 else None

    @property
    def note(self) -> str:
        if not self.roots:
            return "no internal rate of return (NPV never crosses zero)"
        if len(self.roots) > 1:
            rs = ", ".join(f"{r:.2%}" for r in self.roots)
            return (
                f"{len(self.roots)} internal rates of return ({rs}): the cash flow changes "
                f"sign {self.sign_changes} times, so no single EIRR; use NPV"
            )
        return ""

    def to_dict(self) -> dict[str, object]:
        return {
            "value": self.value,
            "roots": list(self.roots),
            "sign_changes": self.sign_changes,
            "note": self.note,
        }


def eirr(flows: Sequence[float] | np.ndarray) -> Eirr:
    """Every rate r > −1 with NPV(r) = 0 (see the module doc), ascending, each polished by
    Brent's method on NPV so it is exact to ~1e−12."""
    f = np.asarray(flows, dtype=float)
    scale = float(np.abs(f).max(initial=0.0))
    k = sign_changes(f, tol=scale * 1e-12)
    if scale == 0.0 or k == 0:
        return Eirr((), k)
    g = f / scale  # unit-free: the roots do not depend on the currency unit
    nz = np.flatnonzero(np.abs(g) > 1e-12)
    g = g[: nz[-1] + 1]
    lead = int(nz[0])  # x^lead factors out: x = 0 (r = inf) is no rate
    coeffs = g[lead:][::-1]  # numpy.roots wants the highest power first
    xs = np.roots(coeffs) if coeffs.size > 1 else np.array([])
    rates: list[float] = []
    for x in xs:
        if abs(x.imag) > 1e-7 * max(1.0, abs(x.real)) or x.real <= 0:
            continue
        r = 1.0 / float(x.real) - 1.0
        rates.append(_polish(g, r))
    rates.sort()
    out: list[float] = []
    for r in rates:
        if math.isfinite(r) and (not out or abs(r - out[-1]) > 1e-9):
            out.append(r)
    return Eirr(tuple(out), k)


def _polish(g: np.ndarray, r: float) -> float:
    """Refine a polynomial root r with Brent's method on a small bracket where NPV changes
    sign; a double root (no sign change) is returned as found."""
    h = max(1e-6, abs(r) * 1e-4)
    lo, hi = max(r - h, -1 + 1e-9), r + h
    a, b = npv(g, lo), npv(g, hi)
    if a == 0.0:
        return lo
    if b == 0.0:
        return hi
    if (a < 0) != (b < 0):
        return float(brentq(lambda x: npv(g, x), lo, hi, xtol=1e-14, rtol=1e-14))
    return r


def payback_year(
    net: Sequence[float] | np.ndarray, rate: float, years: Sequence[int]
) -> int | None:
    """First year in which the cumulative discounted net flow turns >= 0 after being < 0;
    None when it never does (or is never negative: nothing to pay back)."""
    cum = np.cumsum(np.asarray(net, dtype=float) * discount_factors(rate, len(years)))
    neg = np.flatnonzero(cum < 0)
    if neg.size == 0:
        return None
    # it must stay paid back: the first year after the last negative cumulative value
    last_neg = int(neg[-1])
    if last_neg + 1 >= cum.size:
        return None
    return int(years[last_neg + 1])


def bcr(pv_benefits: float, pv_costs: float) -> float | None:
    return pv_benefits / pv_costs if pv_costs > 0 else None


def first_year_return(
    benefits: np.ndarray, opex: np.ndarray, capex_total: float, first_op: int | None
) -> float | None:
    """(benefits − opex) in the first operating year (index) / total undiscounted capex."""
    if first_op is None or capex_total <= 0:
        return None
    return float((benefits[first_op] - opex[first_op]) / capex_total)

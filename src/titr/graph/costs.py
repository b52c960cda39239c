"""Tariff components converted to USD per commodity unit.

A component of ``amount`` on ``basis`` costs, per commodity unit,

    amount × fx × q(basis) [× km for the *_km bases]

where fx = 1 for USD and the parameter ``usd_per_eur`` for EUR, and q is how many basis units
one commodity unit is: TEU (1 for a TEU commodity, else t_per_unit / t per TEU, the TEU
commodity's t_per_unit), FEU = TEU / 2, t = t_per_unit, wagon = TEU / parameter
``teu_per_wagon`` for containers, t_per_unit / parameter ``t_per_wagon`` for other freight,
MWh = 1 for an MWh commodity. Links without any tariff component are costed (when asked:
`with_unpriced`) at the median USD/km of the priced links of their mode, else at the dataset's
``unpriced_usd_per_t_km_<mode>`` rate. A conversion that needs a parameter
the dataset lacks raises `DataError` naming the component and the parameter.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from titr.errors import DataError, Issue
from titr.graph import units
from titr.graph.model import MultimodalGraph
from titr.network.model import Commodity, Network, TariffComponent

KM_BASES = frozenset({"per_t_km", "per_TEU_km", "per_FEU_km"})


def _fail(tc: TariffComponent, rule: str) -> DataError:
    return DataError(Issue("tariffs.csv", None, "basis", f"{tc.id}: {tc.basis}", rule))


def teu_per_unit(net: Network, com: Commodity) -> float | None:
    """TEU in one commodity unit, or None when the dataset cannot say."""
    try:
        return units.teu_per_unit(net, com)
    except DataError:
        return None


def basis_units_per_unit(net: Network, com: Commodity, tc: TariffComponent) -> float:
    """How many of the component's basis units one commodity unit is (km not included)."""
    b = tc.basis
    if b in ("per_TEU", "per_TEU_km", "per_FEU", "per_FEU_km"):
        teu = teu_per_unit(net, com)
        if teu is None:
            raise _fail(
                tc,
                f"basis {b} cannot be applied to commodity '{com.id}' (unit "
                f"{com.unit}) without a TEU commodity giving t per TEU",
            )
        return teu if b.startswith("per_TEU") else teu / 2.0
    if b in ("per_t", "per_t_km"):
        return com.t_per_unit
    if b == "per_wagon":
        tpw = net.parameters.get("teu_per_wagon")
        teu = teu_per_unit(net, com)
        if com.unit == "TEU" and tpw is not None and teu is not None:
            return teu / tpw.value
        if "t_per_wagon" in net.parameters and com.unit != "MWh":
            return com.t_per_unit / units.t_per_wagon(net)
        raise _fail(
            tc,
            "basis per_wagon needs parameter 'teu_per_wagon' (containers) or "
            "'t_per_wagon' (other freight), which the dataset lacks",
        )
    if b == "per_MWh":
        if com.unit != "MWh":
            raise _fail(
                tc, f"basis per_MWh cannot be applied to commodity '{com.id}' (unit {com.unit})"
            )
        return 1.0
    raise _fail(tc, f"unknown basis {b}")


def fx_to_usd(net: Network, tc: TariffComponent) -> float:
    return units.to_usd(net, 1.0, tc.currency, f"tariffs.csv {tc.id}")


def usd_per_unit(
    net: Network, com: Commodity, tc: TariffComponent, distance_km: float = 0.0
) -> float:
    """USD per commodity unit of one component over ``distance_km`` (for the *_km bases)."""
    v = tc.amount * fx_to_usd(net, tc) * basis_units_per_unit(net, com, tc)
    if tc.basis in KM_BASES:
        v *= distance_km
    return v


def select_tariffs(
    net: Network, commodity: str, year: int | None = None
) -> dict[tuple[str, str], list[TariffComponent]]:
    """Components per (applies_to, ref) for a commodity.

    When several years exist for the same (applies_to, ref, component, operator, basis), the
    newest year not after ``year`` is kept (the newest overall when ``year`` is None). A
    component whose rows are all newer than ``year`` keeps its oldest row: a row's year is the
    year of its figure, and the oldest figure is the data's best estimate of that earlier
    price (dropping it would leave the link unpriced and the total short).
    """
    best: dict[tuple[str, str, str, str, str], TariffComponent] = {}
    for tc in net.tariffs.values():
        if tc.commodity != commodity:
            continue
        key = (tc.applies_to, tc.ref, tc.component, tc.operator or "", tc.basis)
        cur = best.get(key)
        if cur is None or _better_year(tc.year, cur.year, year):
            best[key] = tc
    out: dict[tuple[str, str], list[TariffComponent]] = {}
    for tc in sorted(best.values(), key=lambda t: t.id):
        out.setdefault((tc.applies_to, tc.ref), []).append(tc)
    return out


def _better_year(new: int, cur: int, year: int | None) -> bool:
    """Is a row of year ``new`` a better pick than one of ``cur`` for price year ``year``:
    the newest not after ``year``; among rows all after it, the oldest."""
    if year is None:
        return new > cur
    if (new <= year) != (cur <= year):
        return new <= year
    return new > cur if new <= year else new < cur


def check_convertible(net: Network, com: Commodity, comps: Iterable[TariffComponent]) -> None:
    """Raise one DataError listing every component that cannot be converted."""
    issues: list[Issue] = []
    for tc in comps:
        try:
            usd_per_unit(net, com, tc, 1.0)
        except DataError as e:
            issues.extend(e.issues)
    if issues:
        raise DataError(issues)


def with_unpriced(g: MultimodalGraph, net: Network) -> np.ndarray:
    """Arc costs (USD per unit) where a link arc without any tariff component is costed at the
    median USD per km of the priced link arcs of its mode (the dataset's own tariffs), or, for
    a mode with no priced link, at the dataset's parameter ``unpriced_usd_per_t_km_<mode>``
    (`titr.graph.units.unpriced_rate`; a DataError when it is missing). One rule for the
    router's cost objective and the capacity LP."""
    c = np.asarray(g.cost_usd, dtype=float).copy()
    miss = np.flatnonzero(g.tariff_missing)
    if miss.size == 0:
        return c
    com = net.commodities[g.commodity]
    priced = (g.kind == "link") & ~g.tariff_missing & (g.distance_km > 0)
    rate: dict[str, float] = {}
    for m in sorted(set(g.arc_mode[miss])):
        sel = priced & (g.arc_mode == m)
        if sel.any():
            rate[m] = float(np.median(c[sel] / g.distance_km[sel]))
        else:
            rate[m] = units.unpriced_rate(net, com, m)
    for a in miss:
        c[a] = rate[g.arc_mode[a]] * g.distance_km[a]
    return c

"""Through tariff of a route: the sum of its tariff components, or a published corridor rate.

Component sum (USD per commodity unit):
    Σ_link steps  Σ_c∈link ∪ service(link)  usd(c, link km)  +  Σ_process steps Σ_c∈process usd(c)
with the conversions of `titr.graph.costs` (FEU = 2 TEU, per t via t_per_unit, per km × link
km, EUR × usd_per_eur). A link with no component for the commodity (neither its own nor its
service's) is listed in ``missing`` as "no tariff data" — it adds nothing to the total, and the
report says so rather than showing a silent zero.

Single-tariff mode: a ``corridor_rate`` component (applies_to = corridor) of a corridor the route
uses replaces every component of the route except those of link steps outside that corridor
(e.g. ``access`` legs); the report keeps the component sum and shows the difference
(rate-based total − component sum). Of the corridor's published rates, the newest whose scope
(``scope_from`` → ``scope_to`` countries) covers the route's end countries is used; none
covering them is an error (a China → Europe rate does not price a Kazakhstan → Georgia leg).

Subsidies (``applies_to = block_train``, ``component = subsidy``): a state subsidy of
international container block trains leaving a country (China's local governments pay one on
China–Europe trains). `block_train_subsidy` is the one rule: a route that starts in the
row's country and leaves it by rail gets the newest subsidy row not after the price year whose
``scope_to`` covers the route's end country; a ``share_of_freight`` row is that share of the
route's unsubsidised freight, a ``per_FEU``/``per_TEU`` row that amount (never more than the
freight). The report's ``total_usd`` is then the shipper price
(``unsubsidised_usd − subsidy``); ``unsubsidised_usd`` is the cost the railways and carriers
charge in total. The by-country/operator/component groups are the carriers' revenue and leave
the subsidy out. A published corridor rate (single-tariff mode) is already a market price: no
subsidy is deducted from it.

Reported per TEU, FEU, tonne or native commodity unit: per TEU = per unit / TEU per unit,
per FEU = 2 × per TEU, per t = per unit / t_per_unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from titr.errors import DataError, Issue, NotFoundError, TitrError
from titr.graph.costs import select_tariffs, teu_per_unit, usd_per_unit
from titr.network.model import Commodity, Network, TariffComponent

PER_CHOICES = ("unit", "teu", "feu", "t")


class StepLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def ref(self) -> str: ...

    @property
    def node(self) -> str: ...

    @property
    def distance_km(self) -> float: ...


@dataclass(frozen=True)
class TariffLine:
    step_ref: str  # link or process the component is charged on
    tariff_id: str
    applies_to: str
    component: str
    country: str
    operator: str | None
    year: int
    source: str
    basis: str
    amount: float
    currency: str
    usd: float  # in the report's unit (per TEU / FEU / t / unit)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class TariffReport:
    commodity: str
    per: str
    total_usd: float
    lines: list[TariffLine]
    missing: list[dict[str, str]]  # links with no tariff data: {link, country, operator}
    by_country: dict[str, float]
    by_operator: dict[str, float]
    by_component: dict[str, float]
    component_sum_usd: float
    single: dict[str, Any] | None = None  # corridor, rate_usd, difference_usd, tariff_id…
    years: list[int] = field(default_factory=list)
    unsubsidised_usd: float = 0.0  # what the carriers charge in total (before any subsidy)
    subsidy: dict[str, Any] | None = None  # block_train_subsidy's answer (usd in `per` units)
    price_year: int | None = None  # the year asked for (None = newest rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "commodity": self.commodity,
            "per": self.per,
            "total_usd": self.total_usd,
            "component_sum_usd": self.component_sum_usd,
            "lines": [ln.to_dict() for ln in self.lines],
            "missing": self.missing,
            "by_country": self.by_country,
            "by_operator": self.by_operator,
            "by_component": self.by_component,
            "single": self.single,
            "years": self.years,
            "unsubsidised_usd": self.unsubsidised_usd,
            "subsidy": self.subsidy,
            "price_year": self.price_year,
        }


def default_per(com: Commodity) -> str:
    """teu for TEU commodities, t for tonnes, unit otherwise (MWh)."""
    return {"TEU": "teu", "t": "t"}.get(com.unit, "unit")


def per_factor(net: Network, com: Commodity, per: str) -> float:
    """Multiply USD per commodity unit by this to get USD per ``per``."""
    per = per.lower()
    if per not in PER_CHOICES:
        raise TitrError(f"--per must be one of {', '.join(PER_CHOICES)}, got '{per}'")
    if per == "unit":
        return 1.0
    if per == "t":
        if com.t_per_unit <= 0:
            raise TitrError(
                f"commodity '{com.id}' has no tonnage (t_per_unit = 0): cannot report per tonne"
            )
        return 1.0 / com.t_per_unit
    teu = teu_per_unit(net, com)
    if teu is None or teu <= 0:
        raise TitrError(
            f"commodity '{com.id}' (unit {com.unit}) cannot be reported per "
            f"{per.upper()}: the dataset has no parameter 't_per_teu'"
        )
    return (1.0 if per == "teu" else 2.0) / teu


def _line(
    net: Network, com: Commodity, tc: TariffComponent, ref: str, km: float, f: float
) -> TariffLine:
    return TariffLine(
        step_ref=ref,
        tariff_id=tc.id,
        applies_to=tc.applies_to,
        component=tc.component,
        country=tc.country,
        operator=tc.operator,
        year=tc.year,
        source=tc.source,
        basis=tc.basis,
        amount=tc.amount,
        currency=tc.currency,
        usd=usd_per_unit(net, com, tc, km) * f,
    )


def _group(lines: Sequence[TariffLine], key: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for ln in lines:
        k = getattr(ln, key) or "(unknown)"
        out[k] = out.get(k, 0.0) + ln.usd
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def through_tariff(
    net: Network,
    steps: Sequence[StepLike],
    commodity: str = "container",
    *,
    per: str | None = None,
    single: bool = False,
    year: int | None = None,
    selected: dict[tuple[str, str], list[TariffComponent]] | None = None,
) -> TariffReport:
    """Through tariff of a route given by its steps (see the module docstring). `selected`:
    `select_tariffs(net, commodity, year)` when the caller keeps it (the router does, per
    graph); read only."""
    com = net.commodities.get(commodity)
    if com is None:
        raise NotFoundError(f"unknown commodity '{commodity}'.", sorted(net.commodities))
    per = per or default_per(com)
    f = per_factor(net, com, per)
    tariffs = select_tariffs(net, com.id, year) if selected is None else selected
    lines: list[TariffLine] = []
    missing: list[dict[str, str]] = []
    for s in steps:
        if s.kind == "link":
            lk = net.links[s.ref]
            comps = list(tariffs.get(("link", lk.id), []))
            if lk.service:
                comps += tariffs.get(("service", lk.service), [])
            if not comps:
                missing.append(
                    {
                        "link": lk.id,
                        "country": lk.country,
                        "operator": lk.operator or "",
                        "reason": "no tariff data",
                    }
                )
            for tc in comps:
                lines.append(_line(net, com, tc, lk.id, s.distance_km, f))
        elif s.kind == "process":
            for tc in tariffs.get(("process", s.ref), []):
                lines.append(_line(net, com, tc, s.ref, 0.0, f))
    comp_sum = float(sum(ln.usd for ln in lines))
    report = TariffReport(
        commodity=com.id,
        per=per.lower(),
        total_usd=comp_sum,
        lines=lines,
        missing=missing,
        by_country=_group(lines, "country"),
        by_operator=_group(lines, "operator"),
        by_component=_group(lines, "component"),
        component_sum_usd=comp_sum,
        years=sorted({ln.year for ln in lines}),
        unsubsidised_usd=comp_sum,
        price_year=year,
    )
    if single:
        _apply_corridor_rate(net, com, report, steps, tariffs, f, year)
        return report
    sub = block_train_subsidy(net, com, steps, comp_sum, f, year)
    if sub is not None:
        report.subsidy = sub
        report.total_usd = comp_sum - sub["usd"]
    return report


SUBSIDY_UNITS = {"share_of_freight": "share", "per_FEU": "per FEU", "per_TEU": "per TEU"}


def _leaves_by_rail(net: Network, steps: Sequence[StepLike], country: str) -> bool:
    """The route starts in ``country``, ends outside it, and its first link out of the country
    is a rail link (a block train, not a ship from a seaport)."""
    if not steps or net.nodes[steps[0].node].country != country:
        return False
    if _route_ends(net, steps)[1] == country:
        return False
    for s in steps:
        if s.kind != "link":
            continue
        to = getattr(s, "to_node", None) or _other_end(net, s)
        if net.nodes[s.node].country == country and net.nodes[to].country != country:
            return net.links[s.ref].mode.startswith("rail")
    return False


def _other_end(net: Network, s: StepLike) -> str:
    lk = net.links[s.ref]
    return lk.b_node if lk.a_node == s.node else lk.a_node


_SUBSIDY_ROWS: dict[int, tuple[dict[str, TariffComponent], tuple[TariffComponent, ...]]] = {}


def _subsidy_rows(net: Network) -> tuple[TariffComponent, ...]:
    """The dataset's subsidy rows, kept per tariff table (the router prices many routes of one
    network; scanning every tariff row each time cost ~20 µs a route)."""
    hit = _SUBSIDY_ROWS.get(id(net.tariffs))
    if hit is not None and hit[0] is net.tariffs:
        return hit[1]
    rows = tuple(
        tc
        for tc in net.tariffs.values()
        if tc.applies_to == "block_train" and tc.component == "subsidy"
    )
    if len(_SUBSIDY_ROWS) >= 32:
        _SUBSIDY_ROWS.clear()
    _SUBSIDY_ROWS[id(net.tariffs)] = (net.tariffs, rows)
    return rows


def block_train_subsidy(
    net: Network,
    com: Commodity,
    steps: Sequence[StepLike],
    freight_usd: float,
    f: float,
    year: int | None,
) -> dict[str, Any] | None:
    """The state subsidy a route's block train gets (see the module docstring), in the
    report's unit (``f`` converts USD per commodity unit), or None when no subsidy row
    applies. ``freight_usd``: the route's unsubsidised freight in the report's unit."""
    if not steps:
        return None
    origin, dest = _route_ends(net, steps)
    ok = [
        tc
        for tc in _subsidy_rows(net)
        if tc.ref == origin
        and tc.commodity == com.id
        and (year is None or tc.year <= year)
        and (not tc.scope_to or dest in tc.scope_to)
    ]
    if not ok or not _leaves_by_rail(net, steps, origin):
        return None
    tc = max(ok, key=lambda t: (t.year, t.id))
    if tc.basis == "share_of_freight":
        usd = tc.amount * freight_usd
    else:
        try:
            usd = usd_per_unit(net, com, tc) * f
        except DataError as e:
            raise DataError(
                e.issues
                + [Issue("tariffs.csv", None, "basis", tc.id, "subsidy cannot be converted")]
            ) from None
        usd = min(usd, freight_usd)
    return {
        "tariff_id": tc.id,
        "country": tc.ref,
        "operator": tc.operator,
        "year": tc.year,
        "basis": tc.basis,
        "amount": tc.amount,
        "currency": tc.currency,
        "unit": SUBSIDY_UNITS[tc.basis],
        "usd": usd,
        "source": tc.source,
        "scope_to": list(tc.scope_to),
        "note": tc.note,
    }


def _route_ends(net: Network, steps: Sequence[StepLike]) -> tuple[str, str]:
    """Countries of the route's first and last node."""
    first = steps[0].node
    last = getattr(steps[-1], "to_node", None) or steps[-1].node
    return net.nodes[first].country, net.nodes[last].country


def _scope_text(tc: TariffComponent) -> str:
    fr = ", ".join(tc.scope_from) or "any"
    to = ", ".join(tc.scope_to) or "any"
    return f"{tc.id} ({tc.year}, {fr} → {to})"


def newest_applicable_rate(
    net: Network,
    corridor: str,
    rates: Sequence[TariffComponent],
    steps: Sequence[StepLike],
    year: int | None = None,
) -> TariffComponent:
    """The newest published corridor rate whose scope (``scope_from`` → ``scope_to``
    countries; empty = not stated) covers the route's end countries. A through rate published
    for China → Europe does not price a Kazakhstan → Georgia segment: no applicable rate is an
    error that names the rates and what they cover."""
    o, d = _route_ends(net, steps)
    ok = [
        tc
        for tc in rates
        if (not tc.scope_from or o in tc.scope_from) and (not tc.scope_to or d in tc.scope_to)
    ]
    if not ok:
        listed = "; ".join(_scope_text(tc) for tc in sorted(rates, key=lambda t: -t.year))
        raise TitrError(
            f"single-tariff mode: the published '{corridor}' corridor rates do not apply to a "
            f"route from {o} to {d}: {listed}. Use the component tariffs (without "
            f"--single-tariff) for this segment."
        )
    published = [tc for tc in ok if year is None or tc.year <= year]
    if published:  # a rate published after the price year only when none was before
        return max(published, key=lambda tc: (tc.year, tc.id))
    return min(ok, key=lambda tc: (tc.year, tc.id))


def _apply_corridor_rate(
    net: Network,
    com: Commodity,
    report: TariffReport,
    steps: Sequence[StepLike],
    tariffs: dict[tuple[str, str], list[TariffComponent]],
    f: float,
    year: int | None = None,
) -> None:
    km_by_corridor: dict[str, float] = {}
    for s in steps:
        if s.kind == "link":
            for c in net.links[s.ref].corridors:
                if c != "access":
                    km_by_corridor[c] = km_by_corridor.get(c, 0.0) + s.distance_km
    rated = {
        ref: [tc for tc in lst if tc.component == "corridor_rate"]
        for (kind, ref), lst in tariffs.items()
        if kind == "corridor"
    }
    rated = {k: v for k, v in rated.items() if v}
    usable = sorted((c for c in km_by_corridor if c in rated), key=lambda c: -km_by_corridor[c])
    if not usable:
        raise TitrError(
            f"single-tariff mode: no published corridor rate for commodity "
            f"'{com.id}' on the corridors this route uses "
            f"({', '.join(sorted(km_by_corridor)) or 'none'}); rates exist for: "
            f"{', '.join(sorted(rated)) or 'none'}"
        )
    corridor = usable[0]
    rate_tc = newest_applicable_rate(net, corridor, rated[corridor], steps, year)
    try:
        rate = usd_per_unit(net, com, rate_tc) * f
    except DataError as e:
        raise DataError(
            e.issues
            + [Issue("tariffs.csv", None, "basis", rate_tc.id, "corridor rate cannot be converted")]
        ) from None
    outside = [
        ln
        for ln in report.lines
        if ln.applies_to in ("link", "service") and corridor not in net.links[ln.step_ref].corridors
    ]
    total = rate + sum(ln.usd for ln in outside)
    report.single = {
        "corridor": corridor,
        "tariff_id": rate_tc.id,
        "rate_usd": rate,
        "year": rate_tc.year,
        "source": rate_tc.source,
        "scope_from": list(rate_tc.scope_from),
        "scope_to": list(rate_tc.scope_to),
        "outside_corridor_usd": float(sum(ln.usd for ln in outside)),
        "component_sum_usd": report.component_sum_usd,
        "total_usd": total,
        "difference_usd": total - report.component_sum_usd,
    }
    report.total_usd = total
    report.missing = [m for m in report.missing if corridor not in net.links[m["link"]].corridors]

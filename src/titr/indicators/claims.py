"""The October 2025 Kazakhstan–Azerbaijan summit's claims, each checked against the sourced
figures it should be compared with and against the model (never used to tune it).

The claims are data: indicator points of a ``summit_seed*`` variant and targets whose owner
names the summit (`indicators.csv`, `targets.csv`, sources S180/S181). Each kind of claim has
one check here, which says what it compares:

* ``titr_cargo`` 2024 (4.5 Mt, +62 %): the official series (S174) for the level and the
  growth on the year before; the model's corridor capacity in that year (`capacity_path`).
* ``titr_cargo_growth_pct`` 2025 (+2 %): the official full year and the other year-to-date
  figures (a year-to-date growth is not a full year's).
* ``kz_oil_btc`` 2024 (~1.5 Mt): the Ministry of Energy's ten months and the default estimate;
  the model's crude-oil capacity across the Caspian in that year.
* ``transit_days_cn_border_ge`` (15–18 days China border → Georgia): the sourced default
  (Altynkol → Poti 12 days, S227) and the model's route from the Chinese border crossings to
  the Georgian ports: p10–p90 in a calm month and p50–p90 in the storm season
  (`titr.routing.scenarios`); the Almaty → Poti market quote (S100, November 2025, while the
  Caspian ports were congested) against the model's route leaving Almaty in November.
* target ``titr_cargo`` (10 Mt): the capacity path and `titr plan`'s answer for that target
  and year (every candidate project that can be in service).
* target ``cn_ge_cargo_multiple`` (China → Georgia freight ×3 by 2030): `titr choice tripling`
  on the corridor's tonnage (the data has no China → Georgia series of its own).
* target ``kz_az_trade`` (USD 1 bn, the governments' goal the summit restated): the trade series in both countries' statistics; trade is
  not something the transport model computes.

A claim whose data rows are missing is left out (the dataset states no such claim).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from titr.errors import NoRouteError
from titr.graph.resources import resource_label
from titr.indicators.capacity import capacity_path
from titr.network.model import Indicator, Network, Target

SAID_AT = "KZ–AZ summit, Oct 2025"  # who said the claims (the seeds, S179–S181)

SUMMIT = "summit"  # variants ``summit_seed*`` and targets whose owner names the summit
SAMPLES = 4000  # transit-time samples per route (seeded: same answer every run)
WINTER = (11, 12, 1, 2)
CALM_MONTH = 7


@dataclass(frozen=True)
class Figure:
    """One figure set next to a claim: what it is, its value and unit, and its source (a
    source id, or what in the model produced it)."""

    what: str
    value: float | str
    unit: str
    source: str


@dataclass(frozen=True)
class ClaimCheck:
    id: str
    claim: str  # the statement as made
    said_by: str
    source: str
    sourced: list[Figure]  # independent sourced figures to compare with
    model: list[Figure]  # the model's figures
    verdict: str  # confirmed | consistent | not confirmed | year to date | not reachable | ...
    reason: str  # one sentence: why the verdict

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ClaimsReport:
    dataset: str
    checks: list[ClaimCheck] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "claims": [c.to_dict() for c in self.checks]}


def _points(net: Network, series: str) -> list[Indicator]:
    return sorted((i for i in net.indicators if i.series == series), key=lambda i: i.year)


def _one(net: Network, series: str, year: int, variant: str) -> Indicator | None:
    return next((i for i in _points(net, series) if i.year == year and i.variant == variant), None)


def _summit_points(net: Network, series: str) -> list[Indicator]:
    return [i for i in _points(net, series) if i.variant.startswith("summit_seed")]


def _src(source: str) -> str:
    """A source id list as given; an estimate as "EST" (its reasoning stays in the data)."""
    return "EST" if source.startswith("EST") else source


def _fig(i: Indicator, what: str) -> Figure:
    return Figure(what, i.value, i.unit, _src(i.source))


def _cargo_level(net: Network) -> ClaimCheck | None:
    claim = next((i for i in _summit_points(net, "titr_cargo")), None)
    if claim is None:
        return None
    y = claim.year
    off, prev = _one(net, "titr_cargo", y, "default"), _one(net, "titr_cargo", y - 1, "default")
    growth = _one(net, "titr_cargo_growth_pct", y, "default")
    sourced = [_fig(i, f"official {i.year}") for i in (off, prev) if i is not None]
    said = f"TITR cargo {y}: {claim.value:g} {claim.unit}"
    if growth is not None:
        said += f", {growth.value:+g} %"
    model: list[Figure] = []
    cap = capacity_path(net, [y])
    if cap.mt_per_year and cap.mt_per_year[0] == cap.mt_per_year[0]:
        model.append(
            Figure(
                f"corridor capacity {y} ({cap.measures})",
                cap.mt_per_year[0],
                "Mt/yr",
                "titr.indicators.capacity_path",
            )
        )
    if off is None:
        return ClaimCheck(
            "titr_cargo_" + str(y),
            said,
            SAID_AT,
            claim.source,
            sourced,
            model,
            "not confirmed",
            f"no official {y} figure in the data",
        )
    ok_level = abs(off.value - claim.value) <= 0.05 * off.value
    calc = None
    if prev is not None and prev.value > 0:
        calc = (off.value / prev.value - 1) * 100
        sourced.append(
            Figure(f"official growth {y - 1}→{y}", round(calc, 1), "%", f"{off.source} (computed)")
        )
    ok_growth = growth is None or calc is None or abs(calc - growth.value) < 1.0
    fits = not model or float(model[0].value) >= off.value
    verdict = "confirmed" if ok_level and ok_growth else "not confirmed"
    reason = (
        f"the official series gives {off.value:g} {off.unit} for {y}"
        + (
            f" ({calc:+.1f} % on {prev.value:g} {prev.unit} in {y - 1})"
            if calc is not None and prev
            else ""
        )
        + (f"; the {y} network can carry {float(model[0].value):.1f} Mt/yr" if model else "")
        + ("" if fits else ", less than was carried: the model's capacity is too low")
    )
    return ClaimCheck(
        f"titr_cargo_{y}",
        said,
        SAID_AT,
        claim.source,
        sourced,
        model,
        verdict if fits else "model disagrees",
        reason,
    )


def _cargo_growth_ytd(net: Network) -> ClaimCheck | None:
    claim = next((i for i in _summit_points(net, "titr_cargo_growth_pct")), None)
    if claim is None:
        return None
    y = claim.year
    pts = [i for i in _points(net, "titr_cargo_growth_pct") if i.year == y and i is not claim]
    off = next((i for i in pts if i.variant == "default"), None)
    sourced = [
        _fig(i, "official full year" if i.variant == "default" else f"{i.variant} (year to date)")
        for i in pts
    ]
    said = f"TITR cargo growth in {y} so far: {claim.value:+g} %"
    if off is None:
        return ClaimCheck(
            f"titr_cargo_growth_{y}",
            said,
            SAID_AT,
            claim.source,
            sourced,
            [],
            "not confirmed",
            f"no official full-year {y} figure in the data",
        )
    ytd = [i for i in pts if i.variant != "default"]
    reason = (
        f"a year-to-date figure (October {y}); the official full year is {off.value:+g} % "
        f"({off.source})"
        + (
            f"; other year-to-date figures: {', '.join(f'{i.variant} {i.value:+g} %' for i in ytd)}"
            if ytd
            else ""
        )
    )
    return ClaimCheck(
        f"titr_cargo_growth_{y}",
        said,
        SAID_AT,
        claim.source,
        sourced,
        [],
        "year to date, not the full year",
        reason,
    )


def _oil(net: Network) -> ClaimCheck | None:
    claim = next((i for i in _summit_points(net, "kz_oil_btc")), None)
    if claim is None:
        return None
    y = claim.year
    pts = [i for i in _points(net, "kz_oil_btc") if i.year == y and i is not claim]
    sourced = [_fig(i, i.variant if i.variant != "default" else "default (full year)") for i in pts]
    said = f"Kazakh oil transit via Azerbaijan {y}: about {claim.value:g} {claim.unit}"
    from titr.indicators.capacity import oil_capacity

    oil = oil_capacity(net, y)
    model = (
        []
        if oil is None
        else [
            Figure(
                f"crude-oil capacity across the Caspian {y}",
                oil,
                "Mt/yr",
                "titr.flows.max_throughput (oil legs)",
            )
        ]
    )
    full = next((i for i in pts if i.variant == "default"), None)
    part = next((i for i in pts if i.variant.startswith("jan_")), None)
    ok = full is not None and abs(full.value - claim.value) <= 0.1 * claim.value
    fits = oil is None or oil >= claim.value
    reason = (
        (
            f"default {full.value:g} {full.unit} ({_src(full.source)})"
            if full
            else "no full-year figure"
        )
        + (
            f"; {part.variant.replace('_', '–')} {part.value:g} {part.unit} ({part.source})"
            if part
            else ""
        )
        + (f"; the oil legs carry up to {oil:.1f} Mt/yr" if oil is not None else "")
    )
    verdict = ("consistent" if ok else "not confirmed") if fits else "model disagrees"
    return ClaimCheck(
        f"kz_oil_btc_{y}",
        said,
        SAID_AT,
        claim.source,
        sourced,
        model,
        verdict,
        reason,
    )


def _best_route(net: Network, origins: tuple[str, ...], dests: tuple[str, ...], month: int | None):  # type: ignore[no-untyped-def]
    from titr.routing import route

    best = None
    for o in origins:
        for d in dests:
            if o not in net.nodes or d not in net.nodes:
                continue
            try:
                r = route(
                    net, o, d, "container", only_corridor="middle", samples=SAMPLES, month=month
                )
            except NoRouteError:
                continue
            rt = r.routes[0]
            if best is None or rt.transit_time.p50 < best[2].transit_time.p50:
                best = (o, d, rt)
    return best


def _transit(net: Network) -> ClaimCheck | None:
    pts = _summit_points(net, "transit_days_cn_border_ge")
    lo = next((i for i in pts if i.variant.endswith("_min")), None)
    hi = next((i for i in pts if i.variant.endswith("_max")), None)
    if lo is None or hi is None:
        return None
    said = f"China border → Georgia: {lo.value:g}–{hi.value:g} days"
    sourced = [
        _fig(i, "Altynkol → Poti/Batumi (sourced default)")
        for i in _points(net, "transit_days_cn_border_ge")
        if i.variant == "default"
    ]
    calm = _best_route(net, ("CN_KHG", "CN_ALA"), ("GE_POTI", "GE_BUS"), CALM_MONTH)
    if calm is None:
        return None
    o, d, rt = calm
    winter = [_best_route(net, (o,), (d,), m) for m in WINTER]
    w50 = sum(w[2].transit_time.p50 for w in winter if w) / len(WINTER)
    w90 = sum(w[2].transit_time.p90 for w in winter if w) / len(WINTER)
    tt = rt.transit_time
    where = f"{o} → {d}"
    model = [
        Figure(f"{where} p10 (July)", round(tt.p10, 1), "days", "titr route --month 7"),
        Figure(f"{where} p50 (July)", round(tt.p50, 1), "days", "titr route --month 7"),
        Figure(f"{where} p90 (July)", round(tt.p90, 1), "days", "titr route --month 7"),
        Figure(f"{where} p50 (Nov–Feb)", round(w50, 1), "days", "titr route --month 11/12/1/2"),
        Figure(f"{where} p90 (Nov–Feb)", round(w90, 1), "days", "titr route --month 11/12/1/2"),
    ]
    quote = next(
        (i for i in _points(net, "transit_days_almaty_poti") if i.variant == "default"), None
    )
    extra = ""
    if quote is not None:
        sourced.append(_fig(quote, "Almaty → Poti market quote, November 2025 (ports congested)"))
        nov = _best_route(net, ("KZ_ALM",), ("GE_POTI",), 11)
        if nov is not None:
            nt = nov[2].transit_time
            model.append(
                Figure(
                    "KZ_ALM → GE_POTI p50 (November)",
                    round(nt.p50, 1),
                    "days",
                    "titr route --month 11",
                )
            )
            model.append(
                Figure(
                    "KZ_ALM → GE_POTI p90 (November)",
                    round(nt.p90, 1),
                    "days",
                    "titr route --month 11",
                )
            )
            inside = nt.p50 <= quote.value <= nt.p90
            extra = (
                f"; the {quote.value:g}-day Almaty → Poti quote ({quote.source}) lies "
                + ("within" if inside else "outside")
                + f" the model's November p50–p90 ({nt.p50:.1f}–{nt.p90:.1f} d)"
            )
    if hi.value < tt.p10:
        verdict, how = "faster than the model", "below the model's calm p10"
    elif lo.value > w90:
        verdict, how = "slower than the model", "above the model's winter p90"
    elif lo.value > tt.p90:
        verdict, how = (
            "consistent with a storm-season crossing",
            f"above the calm p90 ({tt.p90:.1f} d), within the Nov–Feb p50–p90 ({w50:.1f}–{w90:.1f} d)",
        )
    else:
        verdict, how = (
            "consistent",
            f"within the model's July p10–p90 ({tt.p10:.1f}–{tt.p90:.1f} d)",
        )
    base = sourced[0] if sourced else None
    reason = (
        f"{lo.value:g}–{hi.value:g} d is {how}"
        + (
            f"; the sourced Altynkol → Poti figure is {base.value:g} d ({base.source})"
            if base
            else ""
        )
        + extra
    )
    return ClaimCheck(
        "transit_days_cn_border_ge",
        said,
        f"Presidential adviser A. Zhanasova, {SAID_AT}",
        lo.source,
        sourced,
        model,
        verdict,
        reason,
    )


def _summit_targets(net: Network, series: str) -> list[Target]:
    return sorted(
        (t for t in net.targets.values() if t.series == series and SUMMIT in t.owner.lower()),
        key=lambda t: t.id,
    )


def _target_10mt(net: Network) -> list[ClaimCheck]:
    from titr.planning.target import plan_for_target

    out = []
    for tg in _summit_targets(net, "titr_cargo"):
        said = f"TITR cargo up to {tg.value:g} {tg.unit} (year {tg.year})"
        last = [i for i in _points(net, "titr_cargo") if i.variant == "default"]
        sourced = [_fig(last[-1], f"official {last[-1].year}")] if last else []
        sourced += [
            Figure(f"{t.owner} target {t.year}", t.value, t.unit, t.source)
            for t in sorted(net.targets.values(), key=lambda t: t.id)
            if t.series == tg.series and t.year == tg.year and t.id != tg.id
        ]
        cap = capacity_path(net, [tg.year])
        model = [
            Figure(
                f"corridor capacity {tg.year} ({cap.measures})",
                round(cap.mt_per_year[0], 2),
                "Mt/yr",
                "titr.indicators.capacity_path",
            )
        ]
        _, ans = plan_for_target(net, f"{tg.value:g}{tg.unit}", tg.value * 1e6, tg.year)
        model.append(
            Figure(
                f"titr plan {tg.value:g} {tg.unit} by {tg.year}: most of the target scenario's flows carried with every candidate project in service by then",
                round(ans["reachable_t"] / 1e6, 2),
                "Mt/yr",
                "titr.planning.plan_for_target",
            )
        )
        ok = bool(ans["feasible"])
        reason = (
            f"titr plan: {'reachable' if ok else 'not reachable'} by {tg.year}"
            + (
                ""
                if ok
                else f" (at most {ans['reachable_t'] / 1e6:.2f} Mt/yr of the target scenario, "
                f"limited by {', '.join(resource_label(net, b) for b in ans['binding'][:3])})"
            )
            + f"; the corridor capacity with the projects under construction is {cap.mt_per_year[0]:.2f} Mt/yr ({cap.measures})"
        )
        out.append(
            ClaimCheck(
                tg.id,
                said,
                tg.owner,
                tg.source,
                sourced,
                model,
                "reachable" if ok else "not reachable",
                reason,
            )
        )
    return out


def _tripling(net: Network) -> list[ClaimCheck]:
    from titr.choice.breakeven import tripling

    out = []
    for tg in _summit_targets(net, "cn_ge_cargo_multiple"):
        base = tg.year - 5 if "2025" not in tg.unit else 2025
        base = int(tg.unit.rsplit(" ", 1)[-1]) if tg.unit.startswith("x of ") else base
        said = f"China → Georgia freight could triple by {tg.year} ({tg.value:g} × {base})"
        sourced = [
            Figure(f"{t.owner} target {t.year}", t.value, t.unit, t.source)
            for t in sorted(net.targets.values(), key=lambda t: t.id)
            if t.series == "titr_cargo_multiple_of_2021" and t.year == tg.year
        ]
        r = tripling(net, year=tg.year, base_year_=base, multiple=tg.value)
        best = r.conditions if r.reachable and r.conditions else r.best
        model = [
            Figure(
                f"titr choice tripling: target {tg.value:g} × {base} corridor tonnage",
                round(r.target_t / 1e6, 2),
                "Mt",
                "titr.choice.breakeven.tripling",
            ),
            Figure(
                "most the corridor carries within the planned projects"
                if not r.reachable
                else "carried under the conditions found",
                round(float(best["middle_t"]) / 1e6, 2),
                "Mt",
                "titr.choice.breakeven.tripling",
            ),
        ]
        reason = (
            "checked on the corridor's whole tonnage (the data has no China → Georgia series): "
            + (
                "reachable"
                if r.reachable
                else f"not reachable within today's network and the planned projects, at most {float(best['middle_t']) / 1e6:.2f} of {r.target_t / 1e6:.2f} Mt"
            )
        )
        out.append(
            ClaimCheck(
                tg.id,
                said,
                tg.owner,
                tg.source,
                sourced,
                model,
                "reachable" if r.reachable else "not reachable",
                reason,
            )
        )
    return out


def _trade(net: Network) -> list[ClaimCheck]:
    out = []
    # the summit restated the governments' USD 1 bn goal: every trade target is checked
    for tg in sorted(
        (t for t in net.targets.values() if t.series == "kz_az_trade"), key=lambda t: t.id
    ):
        said = f"Kazakhstan–Azerbaijan trade to {tg.value:g} {tg.unit}"
        sourced = []
        for series, who in (
            ("kz_az_trade", "Kazakh statistics"),
            ("kz_az_trade_az_reported", "Azerbaijani statistics"),
        ):
            pts = _points(net, series)
            full = [i for i in pts if i.variant == "default"]
            if full:
                sourced.append(_fig(full[-1], f"{who}, {full[-1].year}"))
            latest = max(pts, key=lambda i: (i.year, i.variant != "default"), default=None)
            if latest is not None and (not full or latest is not full[-1]):
                sourced.append(
                    _fig(latest, f"{who}, {latest.year} {latest.variant.replace('_', '–')}")
                )
        top = max((float(f.value) for f in sourced), default=0.0)
        reason = (
            f"highest figure in the data {top:g} {tg.unit} ({top / tg.value:.0%} of the goal); trade is "
            "not computed by the transport model, and the two countries' statistics differ"
        )
        out.append(
            ClaimCheck(
                tg.id,
                said,
                tg.owner,
                tg.source,
                sourced,
                [],
                "not reached yet" if top < tg.value else "reached",
                reason,
            )
        )
    return out


CHECKS: tuple[Callable[[Network], Any], ...] = (
    _cargo_level,
    _cargo_growth_ytd,
    _oil,
    _transit,
    _target_10mt,
    _tripling,
    _trade,
)


def check_claims(net: Network) -> ClaimsReport:
    """Every summit claim the dataset states, checked (see the module doc)."""
    out: list[ClaimCheck] = []
    for chk in CHECKS:
        got = chk(net)
        if got is None:
            continue
        out += got if isinstance(got, list) else [got]
    return ClaimsReport(net.label, out)

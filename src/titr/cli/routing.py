"""`titr route FROM TO` and `titr compare FROM TO`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape
from rich.table import Table

from titr import jsonfmt
from titr.cli.app import DATASET_OPTION_HELP, app, console, load_network, print_json

Dataset = Annotated[str | None, typer.Option("--dataset", "-d", help=DATASET_OPTION_HELP)]
PriceYear = Annotated[
    int | None,
    typer.Option(
        min=1990,
        max=2100,
        help="Price year: the tariff rows and the China–Europe train subsidy of that year "
        "(default: the newest rows)",
    ),
]


def _days(x: float) -> str:
    return f"{x:.1f}"


def _write_geojson(obj: dict[str, Any], path: Path) -> None:
    text = jsonfmt.dumps(obj)
    if str(path) == "-":
        print(text)
    else:
        path.write_text(text, encoding="utf-8")
        console.print(f"GeoJSON written to {escape(str(path))}")


@app.command("route")
def route_cmd(
    origin: Annotated[str, typer.Argument(help="From: node code or name (en/ru/tr)")],
    destination: Annotated[str, typer.Argument(help="To: node code or name (en/ru/tr)")],
    commodity: Annotated[str, typer.Option(help="Commodity id")] = "container",
    by: Annotated[
        Literal["time", "cost", "generalized"], typer.Option(help="What the route minimises")
    ] = "time",
    value_of_time: Annotated[
        float | None, typer.Option(help="USD per unit-day (generalized cost)")
    ] = None,
    alternatives: Annotated[int, typer.Option(help="Number of routes wanted")] = 1,
    avoid: Annotated[
        list[str] | None,
        typer.Option(
            help="Country code, passage, corridor, link or node (repeatable; "
            "KIND:VALUE to be explicit)"
        ),
    ] = None,
    via: Annotated[
        list[str] | None,
        typer.Option(
            help="Pass through this place, in order (repeatable): a node (code or name) or a "
            "country (ISO code or name in en/ru/tr); node:VALUE / country:VALUE to be explicit"
        ),
    ] = None,
    single_tariff: Annotated[
        bool, typer.Option("--single-tariff", help="Use the published corridor rate")
    ] = False,
    per: Annotated[
        str | None,
        typer.Option(help="Report tariffs per teu, feu, t or unit (default: the commodity's)"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the transit-time sampling")] = 0,
    year: PriceYear = None,
    month: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=12,
            help="Departure month 1..12: storm waits before weather-sensitive sailings",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    geojson: Annotated[
        Path | None, typer.Option(help="Write routes as GeoJSON ('-' = stdout)")
    ] = None,
    dataset: Dataset = None,
) -> None:
    """Best route(s), transit-time distribution, through tariff and CO2."""
    from titr.routing import route

    net = load_network(dataset)
    res = route(
        net,
        origin,
        destination,
        commodity,
        by=by,
        alternatives=alternatives,
        avoid=avoid or (),
        via=via or (),
        value_of_time=value_of_time,
        per=per,
        single_tariff=single_tariff,
        seed=seed,
        year=year,
        month=month,
    )
    if as_json:
        print_json(res.to_dict())
        return
    if geojson is not None:
        _write_geojson(res.to_geojson(), geojson)
        if str(geojson) == "-":
            return
    nm = net.nodes
    unit = res.routes[0].tariff.per
    fx = _per_factor(net, commodity, unit)  # USD and CO2 per commodity unit -> per `unit`
    console.print(
        f"[bold]{escape(nm[res.origin].name_en)} → {escape(nm[res.destination].name_en)}"
        f"[/] · {commodity} · by {by} · {escape(res.restrictions)} · {net.label}"
    )
    t = Table(title="Routes")
    for c in (
        "#",
        "path",
        "km",
        "mean d",
        "p10",
        "p50",
        "p90",
        f"tariff USD/{unit}",
        f"CO2 kg/{unit}",
        "borders",
        "changes",
    ):
        t.add_column(c, justify="right" if c not in ("path",) else "left")
    for i, r in enumerate(res.routes):
        tt = r.transit_time
        t.add_row(
            str(i + 1),
            escape(" → ".join(r.nodes)),
            f"{r.distance_km:,.0f}",
            _days(tt.mean),
            _days(tt.p10),
            _days(tt.p50),
            _days(tt.p90),
            f"{r.tariff.total_usd:,.0f}" + ("*" if r.tariff.missing else ""),
            f"{r.co2_kg * fx:,.0f}",
            str(r.border_crossings),
            str(r.mode_changes),
        )
    console.print(t)
    if any(r.tariff.missing for r in res.routes):
        console.print("* some links of the route have no tariff data (not included)")
    best = res.routes[0]
    st = Table(title="Steps of route 1 (hours)")
    for c in ("kind", "ref", "at", "to", "mode", "min", "mean", "max", "km", f"USD/{unit}"):
        st.add_column(c)
    for s in best.steps:
        st.add_row(
            s.arc_kind,
            escape(s.ref),
            s.node,
            s.to_node if s.kind == "link" else "",
            s.mode,
            f"{s.time.min:.1f}",
            f"{s.time.mean:.1f}",
            f"{s.time.max:.1f}",
            f"{s.distance_km:,.0f}" if s.distance_km else "",
            "no data" if s.tariff_missing else f"{s.cost_usd * fx:,.0f}",
        )
    console.print(st)
    step_notes = dict.fromkeys(f"{s.ref}: {s.note}" for s in best.steps if s.note)
    if step_notes:  # what a step's time covers besides running (a hub dwell, a transshipment)
        console.print("notes on the steps (from the data):")
        for line in step_notes:
            console.print(f"  {escape(line)}")
    from titr.network.places import country_label

    tr = best.tariff
    bt = Table(title=f"Through tariff of route 1, USD per {tr.per}")
    for c in ("by", "key", "USD"):
        bt.add_column(c)
    for label, groups in (
        ("country", tr.by_country),
        ("operator", tr.by_operator),
        ("component", tr.by_component),
    ):
        for k, v in groups.items():
            key = country_label(k) if label == "country" else k  # never the bare sea code XX
            bt.add_row(label, escape(key), f"{v:,.0f}")
    console.print(bt)
    sub = _subsidy_line(tr)
    if sub:
        console.print(sub, soft_wrap=True)
    if tr.single:
        s1 = tr.single
        console.print(
            f"single tariff ({s1['corridor']} rate {s1['tariff_id']}, {s1['year']}, "
            f"{'/'.join(s1['scope_from']) or 'any'} → {'/'.join(s1['scope_to']) or 'any'}, "
            f"source {escape(s1['source'])}): {s1['total_usd']:,.0f} vs component "
            f"sum {s1['component_sum_usd']:,.0f} (difference "
            f"{s1['difference_usd']:+,.0f})"
        )
    console.print(
        f"transit time: {escape(best.transit_time.method)}; CO2 factors: "
        + ", ".join(
            f"{m} {f['g_co2_per_tkm']} g/t-km ({escape(f['source'])})"
            for m, f in best.co2.factors.items()
        ),
        soft_wrap=True,
    )
    for n in res.notes:
        console.print(f"[yellow]note[/]: {escape(n)}", soft_wrap=True)


@app.command("compare")
def compare_cmd(
    origin: Annotated[str, typer.Argument(help="From: node code or name (en/ru/tr)")],
    destination: Annotated[str, typer.Argument(help="To: node code or name (en/ru/tr)")],
    commodity: Annotated[str, typer.Option(help="Commodity id")] = "container",
    by: Annotated[
        Literal["time", "cost", "generalized"], typer.Option(help="What the route minimises")
    ] = "time",
    per: Annotated[
        str | None,
        typer.Option(help="Report tariffs per teu, feu, t or unit (default: the commodity's)"),
    ] = None,
    avoid: Annotated[
        list[str] | None,
        typer.Option(
            help="Country (code or name), passage, corridor, link or node to avoid (repeatable)"
        ),
    ] = None,
    year: PriceYear = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    geojson: Annotated[
        Path | None, typer.Option(help="Write routes as GeoJSON ('-' = stdout)")
    ] = None,
    dataset: Dataset = None,
) -> None:
    """Best route of each corridor (Middle, Northern, Suez, Cape, Iran) side by side."""
    from titr.routing.compare import compare_corridors

    net = load_network(dataset)
    cmp = compare_corridors(
        net, origin, destination, commodity, by=by, per=per, avoid=avoid or (), year=year
    )
    if as_json:
        print_json(cmp.to_dict())
        return
    if geojson is not None:
        _write_geojson(cmp.to_geojson(), geojson)
        if str(geojson) == "-":
            return
    from titr.tariff.through import default_per

    unit = per or (default_per(net.commodities[commodity]) if commodity in net.commodities else "")
    fx = _per_factor(net, commodity, unit) if unit else 1.0
    t = Table(title=f"{cmp.origin} → {cmp.destination} · {commodity} · {net.label}")
    for c in (
        "corridor",
        "km",
        "mean d",
        "p10",
        "p50",
        "p90",
        f"shipper USD/{unit}",
        "unsubsidised",
        f"CO2 kg/{unit}",
        "borders",
        "changes",
        "path / reason",
    ):
        t.add_column(c)
    for o in cmp.options:
        r = o.route
        if r is None:
            t.add_row(o.corridor, *[""] * 10, f"[red]no route[/]: {escape(o.reason or '')}")
            continue
        tt = r.transit_time
        tariff = f"{r.tariff.total_usd:,.0f}" + ("*" if r.tariff.missing else "")
        t.add_row(
            o.corridor,
            f"{r.distance_km:,.0f}",
            _days(tt.mean),
            _days(tt.p10),
            _days(tt.p50),
            _days(tt.p90),
            tariff,
            f"{r.tariff.unsubsidised_usd:,.0f}",
            f"{r.co2_kg * fx:,.0f}",
            str(r.border_crossings),
            str(r.mode_changes),
            escape(" → ".join(r.nodes)),
        )
    console.print(t)
    if any(o.route is not None and o.route.tariff.missing for o in cmp.options):
        console.print("* some links of the route have no tariff data (not included)")
    rules = {
        o.route.tariff.subsidy["tariff_id"]: _subsidy_rule(o.route.tariff)
        for o in cmp.options
        if o.route is not None and o.route.tariff.subsidy
    }
    for text in rules.values():
        console.print(f"shipper = unsubsidised − {text}", soft_wrap=True)


def _subsidy_rule(tr: Any) -> str:
    """The subsidy row a shipper price deducts, in words (ids of its sources; EST marked)."""
    s = tr.subsidy
    amount = (
        f"{s['amount']:.0%} of the freight"
        if s["basis"] == "share_of_freight"
        else f"{s['currency']} {s['amount']:,.0f} {s['unit']}"
    )
    asked = f"price year {tr.price_year}" if tr.price_year is not None else "newest data"
    src = s["source"].split("EST")[0].strip(" ;")
    est = "; EST" if "EST" in s["source"] else ""
    return (
        f"{s['country']} block-train subsidy ({escape(s['operator'] or '')}, {amount}; row "
        f"{s['tariff_id']} of {s['year']}, {asked}; source {escape(src)}{est})"
    )


def _subsidy_line(tr: Any) -> str:
    """Shipper price = unsubsidised cost − subsidy, with the numbers of one route."""
    if not tr.subsidy:
        return ""
    return (
        f"shipper price {tr.total_usd:,.0f} USD/{tr.per} = unsubsidised cost "
        f"{tr.unsubsidised_usd:,.0f} − {tr.subsidy['usd']:,.0f} {_subsidy_rule(tr)}"
    )


def _per_factor(net: Any, commodity: str, unit: str) -> float:
    """Per commodity unit -> per `unit` (teu, feu, t, unit): the tariff report's own rule, so
    every column and table of one output uses the same unit."""
    from titr.tariff.through import per_factor

    com = net.commodities.get(commodity)
    return 1.0 if com is None else per_factor(net, com, unit)


@app.command("claims")
def claims_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    dataset: Annotated[str | None, typer.Option(help=DATASET_OPTION_HELP)] = None,
) -> None:
    """The summit's claims checked against sourced figures and the model.

    4.5 Mt and +62 % in 2024, +2 % in 2025, 1.5 Mt of oil, 15–18 days China border → Georgia,
    10 Mt, tripling by 2030, USD 1 bn trade: each next to the sourced figures it should be
    compared with and the model's answer. Claims are checked, never used to calibrate."""
    from titr.indicators.claims import check_claims

    net = load_network(dataset)
    rep = check_claims(net)
    if as_json:
        print_json(rep.to_dict())
        return
    t = Table(title=f"Summit claims checked · {net.label}")
    for col in ("claim", "said by (source)", "sourced figures", "model", "verdict"):
        t.add_column(col)

    def figs(fs: list) -> str:  # type: ignore[type-arg]
        return "\n".join(
            f"{f.what}: {f.value:g} {f.unit} ({f.source})"
            if isinstance(f.value, float | int)
            else f"{f.what}: {f.value} ({f.source})"
            for f in fs
        )

    for c in rep.checks:
        t.add_row(
            escape(c.claim),
            escape(f"{c.said_by} ({c.source})"),
            escape(figs(c.sourced)) or "—",
            escape(figs(c.model)) or "—",
            escape(c.verdict),
        )
    console.print(t)
    for c in rep.checks:
        console.print(f"[bold]{escape(c.claim)}[/]: {escape(c.verdict)} — {escape(c.reason)}")

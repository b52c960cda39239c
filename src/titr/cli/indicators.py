"""`titr indicators`: volumes against targets, with trend forecasts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from titr.cli.app import DATASET_OPTION_HELP, app, console, load_network


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:+.1f} %"


@app.command("indicators")
def indicators(
    series_name: Annotated[str | None, typer.Option("--series", help="One series")] = None,
    forecast_to: Annotated[
        int | None, typer.Option(help="Forecast the series to this year")
    ] = None,
    variant: Annotated[str, typer.Option(help="Figure variant")] = "default",
    dataset: Annotated[str | None, typer.Option(help=DATASET_OPTION_HELP)] = None,
) -> None:
    """Indicator series (TITR tonnage, containers, oil via BTC, trade) against their targets.

    Each series shows its default figures, the other figures given for the same year (e.g.
    the summit's +2 % next to the official −8 %) and why the default is the default; series
    whose default points cite several sources are flagged. Forecasts of the corridor's tonnage
    are bounded by its capacity path."""
    from titr.indicators import forecast, series, series_info, target_progress

    net = load_network(dataset)
    names = [series_name] if series_name else sorted({i.series for i in net.indicators})
    for name in names:
        have = sorted({i.variant for i in net.indicators if i.series == name})
        # listing every series: one that has no figure of this variant shows its own
        var = variant if (series_name or variant in have or not have) else have[0]
        rows = series(net, name, var)
        info = series_info(net, name) if var == "default" else None
        shown = "" if var == "default" else f", {var}"
        t = Table(title=f"{name} ({rows[0].unit}{shown}) — {net.label}")
        t.add_column("year")
        t.add_column("value", justify="right")
        t.add_column("source")
        if info is not None and info.variants:
            t.add_column("other figures (variant: value)")
        for r in rows:
            cells = [str(r.year), f"{r.value:,.3f}".rstrip("0").rstrip("."), r.source[:50]]
            if info is not None and info.variants:
                cells.append(
                    ", ".join(f"{k}: {v:g}" for k, v in info.variants.get(r.year, {}).items())
                )
            t.add_row(*cells)
        fc = None
        if forecast_to and (series_name or sum(r.value > 0 for r in rows) >= 3):
            fc = forecast(net, name, forecast_to, variant=var)
            for i, (y, v, lo, hi) in enumerate(
                zip(fc.years, fc.value, fc.lower, fc.upper, strict=True)
            ):
                cap = "" if fc.capacity is None else f"; capacity {fc.capacity[i]:,.2f}"
                cells = [
                    f"{y} (trend)",
                    f"{v:,.2f}",
                    f"{int(fc.level * 100)} %: {lo:,.2f}–{hi:,.2f}{cap}",
                ]
                if info is not None and info.variants:
                    cells.append("")
                t.add_row(*cells)
        console.print(t)
        if info is not None:
            if info.mixed_sources:
                console.print(
                    f"[yellow]mixed sources[/]: the default figures cite {len(info.sources)} "
                    f"sources ({'; '.join(s[:30] for s in info.sources)}); levels from different "
                    "publications may differ in scope"
                )
            if info.estimated_years:
                console.print(f"estimated (EST) years: {', '.join(map(str, info.estimated_years))}")
            for y in info.variants:
                if y in info.default_notes:
                    console.print(f"default {y}: {info.default_notes[y]}")
        if fc is not None and fc.capacity_note:
            extra = (
                f"; cut to capacity in {', '.join(map(str, fc.bounded_years))}"
                if fc.bounded_years
                else ""
            )
            console.print(f"forecast {fc.capacity_note}{extra}")
    t = Table(title="Targets")
    for c in (
        "target",
        "series",
        "year",
        "value",
        "owner",
        "last",
        "reached",
        "needs/yr",
        "trend/yr (fit)",
        "last year",
        "on track",
        "why",
    ):
        t.add_column(c)
    for p in target_progress(net, variant):
        if series_name and p.series != series_name:
            continue
        t.add_row(
            p.target,
            p.series,
            str(p.target_year),
            f"{p.target_value:g} {p.unit}",
            p.owner[:24],
            "" if p.last_value is None else f"{p.last_value:g} ({p.last_year})",
            "" if p.share_reached is None else f"{p.share_reached * 100:.0f} %",
            _pct(p.required_growth),
            _pct(p.trend_growth)
            + (f" ({p.trend_years[0]}–{p.trend_years[1]})" if p.trend_years else ""),
            _pct(p.last_growth),
            {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[p.on_track],
            p.reason,
        )
    console.print(t)

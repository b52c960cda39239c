"""`titr choice ...`, `titr forecast`, `titr tariff breakeven`: corridor choice, forecasts
under policy scenarios, break-even tariff and the tripling question. Parse and print only:
each command is one call into `titr.choice`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from titr.cli.app import DATASET_OPTION_HELP, app, console, load_network, print_json

choice_app = typer.Typer(
    help="Corridor choice: estimation, scenarios, tripling.", no_args_is_help=True
)
tariff_app = typer.Typer(
    help="Corridor tariff questions (break-even single tariff).", no_args_is_help=True
)
app.add_typer(choice_app, name="choice")
app.add_typer(tariff_app, name="tariff")

DataOpt = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Folder with markets/observed/conditions/growth CSVs (default: bundled)"
    ),
]
DatasetOpt = Annotated[str | None, typer.Option("--dataset", help=DATASET_OPTION_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON")]


def _fmt(x: Any, nd: int = 4) -> str:
    if isinstance(x, float):
        if not math.isfinite(x):
            return "n/a"
        return f"{x:,.{nd}g}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(x)


@choice_app.command("estimate")
def estimate_cmd(
    kind: Annotated[str, typer.Option(help="mnl or nested")] = "nested",
    fit_to: Annotated[
        int | None,
        typer.Option("--fit-to", help="Fit on years up to this one and back-cast the later years"),
    ] = None,
    write_bundled: Annotated[
        bool,
        typer.Option(
            "--write-bundled", help="Write the coefficients to the bundled estimates.json"
        ),
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the coefficients (JSON) to this file")
    ] = None,
    data: DataOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Estimate the corridor-choice model with Biogeme on the observed corridor shares."""
    from titr.choice.estimate import backcast, estimate
    from titr.choice.inputs import load_choice_data

    net = load_network(dataset)
    d = load_choice_data(net, data)
    bc = None
    if fit_to is not None:
        est, bc = backcast(net, d, fit_to=fit_to, kind=kind)
    else:
        est = estimate(net, d, kind=kind)
    doc = est.coefficients.to_dict()
    if write_bundled:
        from importlib import resources

        target = Path(str(resources.files("titr.choice").joinpath("data", "estimates.json")))
        target.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", "utf-8")
    if out:
        out.write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", "utf-8")
    if as_json:
        res = est.to_dict()
        if bc is not None:
            res["backcast"] = bc.to_dict(orient="records")
        print_json(res)
        return
    t = Table(
        title=f"Corridor choice ({kind}) — {net.label}, years {est.fit['years'][0]}–{est.fit['years'][-1]}"
    )
    for c in ("coefficient", "value", "s.e. (Rao-Cramér)", "t", "status"):
        t.add_column(c)
    for r in est.table.itertuples():
        t.add_row(str(r.name), _fmt(r.value), _fmt(r.std_err), _fmt(r.t_stat, 3), str(r.status))
    console.print(t)
    f = est.fit
    console.print(
        f"log-likelihood {f['log_likelihood']:,.1f} (null {f['null_log_likelihood']:,.1f}); rho² {f['rho_square']:.3f}, "
        f"rho-bar² {f['rho_bar_square']:.3f}; AIC {f['aic']:,.0f}; {f['rows']} grouped rows = {f['decisions']:,.0f} decisions of {f['decision_unit']}"
    )
    console.print(
        f"implied value of time: USD {est.coefficients.value_of_time():,.1f} per {est.coefficients.per} per day"
    )
    tv = Table(title="values of time by commodity (USD per day)")
    for c in ("commodity", "per unit", "per t", "dataset value", "how"):
        tv.add_column(c)
    for com, vu, unit, vt, vd, how in zip(
        est.values_of_time.commodity,
        est.values_of_time.usd_per_unit_day,
        est.values_of_time.unit,
        est.values_of_time.usd_per_t_day,
        est.values_of_time.dataset_usd_per_unit_day,
        est.values_of_time["how"],
        strict=True,
    ):
        tv.add_row(str(com), f"{vu:,.2f} /{unit}", _fmt(float(vt), 3), f"{vd:,.2f}", str(how)[:90])
    console.print(tv)
    for n in est.notes:
        console.print(f"note: {n}")
    for k, e in est.elasticity.items():
        te = Table(title=f"elasticities of the shares (rows) to {k} (columns)")
        te.add_column("")
        for c in e.columns:
            te.add_column(c, justify="right")
        for i in e.index:
            te.add_row(i, *[_fmt(float(v), 3) for v in e.loc[i]])
        console.print(te)
    if bc is not None:
        tb = Table(title=f"back-cast: fitted to {fit_to}, observed vs model shares")
        for c in ("year", "corridor", "observed", "model", "error (pp)"):
            tb.add_column(c)
        for r in bc.itertuples():
            tb.add_row(
                str(r.year),
                str(r.corridor),
                f"{r.observed_share:.2%}",
                f"{r.model_share:.2%}",
                f"{r.error_pp:+.2f}",
            )
        console.print(tb)
        console.print(
            f"mean absolute error {bc.error_pp.abs().mean():.2f} pp, largest {bc.error_pp.abs().max():.2f} pp"
        )


@choice_app.command("scenarios")
def scenarios_cmd(dataset: DatasetOpt = None) -> None:
    """Bundled policy scenarios."""
    from titr.choice.scenario import bundled_scenarios, load_scenario

    net = load_network(dataset)
    t = Table(title="choice scenarios")
    t.add_column("name")
    t.add_column("title")
    t.add_column("levers")
    for n in bundled_scenarios():
        s = load_scenario(n, net)
        t.add_row(
            n,
            s.title,
            "; ".join(
                f"{lv.kind} {lv.corridor} {lv.value:g} from {lv.from_year}".replace("  ", " ")
                for lv in s.levers
            ),
        )
    console.print(t)


@choice_app.command("tripling")
def tripling_cmd(
    year: Annotated[int, typer.Option(help="Target year")] = 2030,
    multiple: Annotated[
        float, typer.Option(help="Multiple of the base year's official tonnage")
    ] = 3.0,
    base_year: Annotated[
        int, typer.Option("--base-year", help="Base year of the official tonnage")
    ] = 2024,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Is 'tripling by 2030' reachable, and on what minimum tariff, time and capacity?"""
    from titr.choice.breakeven import tripling

    net = load_network(dataset)
    r = tripling(net, year=year, base_year_=base_year, multiple=multiple)
    if as_json:
        print_json(r.to_dict())
        return
    console.print(
        f"Target: {r.target_t / 1e6:.2f} Mt on the Middle Corridor in {year} ({multiple:g} x {base_year}) — {net.label}"
    )
    if r.reachable and r.conditions:
        c = r.conditions
        console.print(
            f"[bold green]yes[/], with: single tariff ≤ USD {c['tariff_usd_per_feu']:,.0f}/FEU, "
            f"transit time cut {c['time_cut']:.0%}, capacity: {c['capacity']} → "
            f"{c['middle_teu']:,.0f} TEU, {c['middle_t'] / 1e6:.2f} Mt"
        )
        return
    b = r.best
    caps = ", ".join(f"{k} {v:,.0f} TEU" for k, v in b["capacity_teu_by_option"].items())
    console.print(
        f"[bold red]no[/]: at most {b['middle_t'] / 1e6:.2f} Mt (short by "
        f"{b['shortfall_t'] / 1e6:.2f} Mt) with {b['capacity']}, single tariff USD "
        f"{b['tariff_usd_per_feu']:,.0f}/FEU, transit time cut {b['time_cut']:.0%}; "
        f"the corridor carries at most: {caps}"
    )
    u = r.beyond_planned
    if u is not None:
        console.print(
            f"only beyond every planned project: container capacity for "
            f"{u['capacity_needed_teu']:,.0f} TEU/yr, single tariff ≤ USD "
            f"{u['tariff_usd_per_feu']:,.0f}/FEU, transit time cut {u['time_cut']:.0%}"
        )


@app.command("forecast")
def forecast_cmd(
    scenario: Annotated[
        str, typer.Option(help="Bundled scenario name or a .toml/.json file")
    ] = "baseline",
    to: Annotated[int, typer.Option("--to", help="Last year")] = 2030,
    tariff: Annotated[
        float | None,
        typer.Option(help="Also set a single Middle Corridor tariff (USD/FEU) from the first year"),
    ] = None,
    data: DataOpt = None,
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Volumes by corridor and year under a policy scenario, with diversion, revenue and CO2."""
    from titr.choice.forecast import forecast
    from titr.choice.inputs import load_choice_data
    from titr.choice.scenario import Lever, load_scenario

    net = load_network(dataset)
    d = load_choice_data(net, data)
    sc = load_scenario(scenario, net)
    if tariff is not None:
        if not (1.0 <= tariff <= 100_000.0) or not math.isfinite(tariff):
            from titr.errors import DataError, Issue

            raise DataError(
                Issue("--tariff", None, None, str(tariff), "must lie in 1..100000 USD per FEU")
            )
        sc = sc.with_levers(
            Lever("tariff", int(d.observed.year.max()) + 1, None, "middle", tariff),
            name=f"{sc.name}+tariff{tariff:g}",
        )
    f = forecast(net, sc, to_year=to, data=d)
    if as_json:
        print_json(f.to_dict())
        return
    v = f.volumes()
    t = Table(title=f"{sc.name}: {sc.title} — {net.label}")
    t.add_column("year")
    cors = list(dict.fromkeys(v.corridor))
    for c in cors:
        t.add_column(f"{c} TEU", justify="right")
    t.add_column("Middle share", justify="right")
    t.add_column("Middle Mt (all cargo)", justify="right")
    t.add_column("toll USD/TEU", justify="right")
    mt = f.middle_tonnes().set_index("year")
    for y in f.years:
        vy = v[v.year == y].set_index("corridor")
        tolls = [eq.toll_usd_per_unit for (m, yy), eq in f.results.items() if yy == y]
        t.add_row(
            str(y),
            *[f"{vy.volume[c]:,.0f}" for c in cors],
            f"{vy.share['middle']:.3%}",
            f"{mt.middle_t[y] / 1e6:.2f}",
            f"{max(tolls):,.0f}",
        )
    console.print(t)
    if f.baseline is not None:
        dv = f.diversion()
        td = Table(title=f"diversion in {f.years[-1]} against the baseline (TEU/yr, from → to)")
        td.add_column("from \\ to")
        for c in dv.columns:
            td.add_column(str(c), justify="right")
        for i in dv.index:
            td.add_row(str(i), *[f"{x:,.0f}" for x in dv.loc[i]])
        console.print(td)
    rev = f.revenue("country")
    last = rev[(rev.year == f.years[-1]) & (rev.corridor == "middle")].sort_values(
        "revenue_usd", ascending=False
    )
    if len(last):
        console.print(
            "Middle Corridor revenue "
            + str(f.years[-1])
            + ": "
            + ", ".join(
                f"{c} USD {x / 1e6:,.1f} m"
                for c, x in zip(last.country, last.revenue_usd, strict=True)
            )
        )
    co2 = f.co2()
    c_last = co2[co2.year == f.years[-1]]
    console.print(
        f"CO2 {f.years[-1]}: "
        + ", ".join(
            f"{c} {x / 1e6:,.2f} Mt" for c, x in zip(c_last.corridor, c_last.co2_t, strict=True)
        )
    )
    conv = f.convergence()
    console.print(
        f"equilibrium: {len(conv)} iterations over {len(f.years)} years, last gap {conv.gap.iloc[-1]:.1e}, all converged: {all(e.converged for e in f.results.values())}"
    )
    for n in f.notes:
        console.print(f"note: {n}")


@tariff_app.command("breakeven")
def breakeven_cmd(
    target_share: Annotated[
        float | None,
        typer.Option(
            "--target-share",
            help="Middle Corridor share of the China–Europe container market (0..1)",
        ),
    ] = None,
    target_teu: Annotated[
        float | None, typer.Option("--target-teu", help="Middle Corridor container volume (TEU/yr)")
    ] = None,
    comparator: Annotated[
        str | None,
        typer.Option(help="Equal this corridor's generalized cost (northern, sea_suez, sea_cape)"),
    ] = None,
    year: Annotated[int, typer.Option(help="Forecast year")] = 2030,
    scenario: Annotated[str, typer.Option(help="Scenario the tariff is added to")] = "baseline",
    dataset: DatasetOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The single through tariff (per FEU and per t) at which the Middle Corridor reaches a
    target share/volume or equals a comparator's generalized cost."""
    from titr.choice.breakeven import breakeven_tariff
    from titr.choice.scenario import load_scenario

    net = load_network(dataset)
    b = breakeven_tariff(
        net,
        year=year,
        target_share=target_share,
        target_teu=target_teu,
        comparator=comparator,
        scenario=load_scenario(scenario, net),
    )
    if as_json:
        print_json(b.to_dict())
        return
    if b.usd_per_feu is None:
        console.print(
            f"[bold red]no tariff[/] reaches {b.target} in {year}: {b.assumptions.get('why', '')}"
        )
        if b.unconstrained_usd_per_feu:
            console.print(
                f"without the capacity limit the tariff would be USD {b.unconstrained_usd_per_feu:,.0f} per FEU"
            )
    else:
        console.print(
            f"single through tariff for {b.target} in {year}: [bold]USD {b.usd_per_feu:,.0f} per FEU[/] "
            f"(USD {b.usd_per_t:,.1f} per t) → share {b.share:.3%}, {b.volume:,.0f} TEU"
        )
        if b.capacity_limited:
            console.print(f"[bold yellow]capacity[/]: {b.assumptions['why']}")
    a = b.assumptions
    console.print(
        f"assumptions: scenario {a['scenario']}; value of time USD {a['value_of_time_usd_per_feu_day']:,.1f}/FEU/day; "
        f"reliability ratio {a['reliability_ratio']:g}; {a['t_per_feu']:g} t per FEU; {a['dataset']}; "
        f"coefficients estimated on {a['coefficients'].get('years', ['?'])[0]}–{a['coefficients'].get('years', ['?'])[-1]}"
    )
    if "constants_left_out" in a:
        console.print(
            f"corridor constants (not in the generalized cost): {a['constants_left_out']}"
        )

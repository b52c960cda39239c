"""`titr appraise` and `titr report`: parse options, call the appraisal/report domain function,
print or write the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from titr.cli.app import DATASET_OPTION_HELP, app, console, load_network, print_json
from titr.errors import DataError, Issue


def parse_target(text: str) -> float:
    from titr.graph.units import parse_quantity

    value, unit = parse_quantity(text)
    if unit != "t":
        raise DataError(
            Issue("--target", None, None, text, "the corridor target is a tonnage (t, kt, Mt)")
        )
    return value


def _overrides(rate: float | None, period: int | None, carbon: float | None) -> dict[str, Any]:
    return {"discount_rate": rate, "period_years": period, "carbon_value": carbon}


def _f(v: Any, fmt: str = "{:,.1f}") -> str:
    if v is None:
        return "–"
    if isinstance(v, float) and v != v:
        return "–"
    return fmt.format(v) if isinstance(v, (int, float)) else str(v)


@app.command("appraise")
def appraise_cmd(
    target: Annotated[str, typer.Option(help="Target volume on the corridor, e.g. 11Mt")],
    by: Annotated[int, typer.Option(help="Target year")],
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Demand structure (bundled name)")
    ] = None,
    rate: Annotated[
        float | None, typer.Option(help="Discount rate (default: the dataset's)")
    ] = None,
    period: Annotated[
        int | None, typer.Option(help="Appraisal period in years (default: the dataset's)")
    ] = None,
    carbon: Annotated[
        float | None, typer.Option(help="Carbon value USD/t CO2 (default: the dataset's)")
    ] = None,
    project: Annotated[
        str | None, typer.Option(help="Show the yearly cash flows of one project of the plan")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulation and the Monte Carlo")] = 0,
    reps: Annotated[int, typer.Option(help="Simulation replications")] = 3,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 10_000,
    budget: Annotated[
        float | None, typer.Option(help="Pipeline budget, MUSD in total (default: none)")
    ] = None,
    rank_by: Annotated[str, typer.Option(help="npv_per_capex or bcr")] = "npv_per_capex",
    executor: Annotated[str, typer.Option(help="serial, local or dask")] = "serial",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
    dataset: Annotated[str | None, typer.Option(help=DATASET_OPTION_HELP)] = None,
) -> None:
    """NPV, EIRR, BCR, payback and first-year return of the plan for a target and of each of
    its projects; who pays and who gains by country."""
    from titr.appraisal.run import assess

    value = parse_target(target)
    net = load_network(dataset)
    res = assess(
        net,
        value,
        by,
        scenario=scenario,
        seed=seed,
        replications=reps,
        executor=executor,
        overrides=_overrides(rate, period, carbon),
        draws=draws,
        budget=budget,
        rank_by=rank_by,
    )
    from titr.appraisal.appraise import party_label

    a = res.appraisal
    pa = a.project(project) if project else None
    if as_json:
        d = res.to_dict()
        if pa is not None:
            from titr.appraisal.appraise import _clean

            d["project_cash_flows"] = _clean(pa.stream.to_frame().to_dict(orient="records"))
        print_json(d)
        return
    p = a.params
    console.rule(
        f"[bold]appraisal[/] {target} by {by} on {a.label} (demand: {a.view.scenario.name}; "
        f"rate {p.discount_rate:.1%}, {p.base_year}–{p.base_year + p.period_years - 1})"
    )
    m = a.measures
    console.print(
        f"plan: NPV {m['npv_musd']:,.0f} MUSD, BCR {_f(m['bcr'], '{:.2f}')}, "
        f"EIRR {_f(m['eirr'], '{:.1%}')}, payback {_f(m['payback_year'], '{}')}"
        + (f"  [yellow]{m['eirr_note']}[/]" if m["eirr_note"] else "")
    )
    t = Table(title="Projects (leave-one-out against the rest of the plan)")
    for c in (
        "project",
        "country",
        "in service",
        "decide by",
        "capex MUSD",
        "NPV MUSD",
        "BCR",
        "EIRR",
        "payback",
    ):
        t.add_column(c, justify="left" if c in ("project", "country") else "right")
    for r in a.projects_frame().to_dict(orient="records"):
        t.add_row(
            str(r["project"]),
            str(r["country"]),
            str(r["in_service"]),
            str(r["decide_by"]),
            _f(r["capex_musd"]) + (" EST" if r["capex_basis"] == "EST" else ""),
            _f(r["npv_musd"]),
            _f(r["bcr"], "{:.2f}"),
            _f(r["eirr"], "{:.1%}"),
            _f(r["payback_year"], "{:.0f}"),
        )
    console.print(t)
    ct = Table(title="Who pays, who gains (PV, MUSD)")
    for c in ("party", "pays", "gains", "net"):
        ct.add_column(c, justify="left" if c == "party" else "right")
    for r in a.by_country().to_dict(orient="records"):
        ct.add_row(
            party_label(str(r["party"])),
            _f(r["pays_pv_musd"]),
            _f(r["gains_pv_musd"]),
            _f(r["net_pv_musd"]),
        )
    console.print(ct)
    if pa is not None:
        ft = Table(title=f"Cash flows of {pa.project.id} (MUSD)")
        df = pa.stream.to_frame()
        for c in df.columns:
            ft.add_column(c, justify="right")
        for row in df.itertuples(index=False):
            ft.add_row(*[str(row[0])] + [f"{v:,.2f}" for v in row[1:]])
        console.print(ft)
    tt = Table(title="Tornado: plan NPV (MUSD) at the low / high value of each input")
    for c in ("input", "low", "high", "NPV low", "NPV high"):
        tt.add_column(c, justify="left" if c == "input" else "right")
    for tr in res.tornado:
        tt.add_row(
            tr["input"],
            _f(tr["low_value"], "{:g}"),
            _f(tr["high_value"], "{:g}"),
            _f(tr["npv_low_musd"]),
            _f(tr["npv_high_musd"]),
        )
    console.print(tt)
    mc = res.monte_carlo
    console.print(
        f"Monte Carlo ({mc['draws']:,} draws, seed {mc['seed']}): P(NPV > 0) = "
        f"{mc['p_npv_positive']:.1%}; NPV P10 {mc['npv_p10_musd']:,.0f}, "
        f"P50 {mc['npv_p50_musd']:,.0f}, P90 {mc['npv_p90_musd']:,.0f} MUSD"
    )
    pt = Table(
        title=f"Pipeline (ranked by {res.pipeline['rank_by']}; all funded projects in "
        f"service in {res.pipeline['common_service_year']})"
    )
    for c in ("rank", "project", "NPV/capex", "BCR", "funded", "decide by", "in service", "slack"):
        pt.add_column(c, justify="left" if c == "project" else "right")
    for r in res.pipeline["projects"]:
        pt.add_row(
            str(r["rank"]),
            r["project"],
            _f(r["npv_per_capex"], "{:.2f}"),
            _f(r["bcr"], "{:.2f}"),
            "yes" if r["funded"] else "no",
            _f(r["decide_by"], "{}"),
            _f(r["in_service"], "{}"),
            _f(r["slack_years"], "{}"),
        )
    console.print(pt)
    for w in a.warnings + res.pipeline["notes"]:
        console.print(f"[yellow]note[/]: {w}")
    console.print(f"traffic: {a.view.traffic_source}; reliability: {a.reliability_source}")


@app.command("report")
def report_cmd(
    target: Annotated[str, typer.Option(help="Target volume on the corridor, e.g. 11Mt")],
    by: Annotated[int, typer.Option(help="Target year")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    lang: Annotated[str, typer.Option(help="en, ru or tr")] = "en",
    fmt: Annotated[str, typer.Option("--format", help="pdf, html or xlsx")] = "pdf",
    scenario: Annotated[
        str | None, typer.Option("--scenario", "-s", help="Demand structure (bundled name)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulation and the Monte Carlo")] = 0,
    reps: Annotated[int, typer.Option(help="Simulation replications")] = 3,
    draws: Annotated[int, typer.Option(help="Monte Carlo draws")] = 10_000,
    budget: Annotated[
        float | None, typer.Option(help="Pipeline budget, MUSD in total (default: none)")
    ] = None,
    executor: Annotated[str, typer.Option(help="serial, local or dask")] = "serial",
    dataset: Annotated[str | None, typer.Option(help=DATASET_OPTION_HELP)] = None,
) -> None:
    """Corridor assessment report (executive summary, phased plan, appraisal, who pays and
    who gains, volumes and bottlenecks, reliability, parameters, sources, provenance)."""
    from titr.appraisal.run import assess
    from titr.reports import report_data, write
    from titr.reports.render import check_options

    check_options(lang, fmt)
    value = parse_target(target)
    net = load_network(dataset)
    res = assess(
        net,
        value,
        by,
        scenario=scenario,
        seed=seed,
        replications=reps,
        executor=executor,
        draws=draws,
        budget=budget,
        seasons=True,
    )
    write(report_data(res), lang, fmt, output)
    console.print(f"wrote {output} ({fmt}, {lang}) for {res.appraisal.label}")

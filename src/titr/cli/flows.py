"""`titr assign`, `titr bottlenecks`, `titr plan`, `titr demand import|list`."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.table import Table

from titr.cli.app import (
    DATASET_OPTION_HELP,
    app,
    console,
    load_network,
    print_json,
    print_warnings,
)
from titr.cli.help import TitrTyper
from titr.errors import DataError, Issue
from titr.graph.resources import resource_label
from titr.network.model import Network

demand_app = TitrTyper(
    help="Demand scenarios: list bundled and stored ones, import CSVs.", no_args_is_help=True
)
app.add_typer(demand_app, name="demand")

DatasetOpt = Annotated[str | None, typer.Option("--dataset", "-d", help=DATASET_OPTION_HELP)]
XlsxOpt = Annotated[
    Path | None, typer.Option("--xlsx", help="Also write the tables to this Excel workbook")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print the answer as JSON (the API's body) instead")
]
CsvOpt = Annotated[
    Path | None, typer.Option("--csv", help="Also write the tables as CSV files into this folder")
]


def _export(frames: dict[str, pd.DataFrame], xlsx: Path | None, csv_dir: Path | None) -> None:
    if xlsx:
        with pd.ExcelWriter(xlsx, engine="xlsxwriter") as w:
            for name, df in frames.items():
                df.to_excel(w, sheet_name=name[:31], index=False)
        console.print(f"[green]wrote[/] {xlsx}")
    if csv_dir:
        csv_dir.mkdir(parents=True, exist_ok=True)
        for name, df in frames.items():
            df.to_csv(csv_dir / f"{name}.csv", index=False)
        console.print(f"[green]wrote[/] {len(frames)} CSV files to {csv_dir}")


def _fmt(v: object) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if math.isinf(v):
            return "∞"
        return f"{v:,.3g}" if abs(v) < 10 else f"{v:,.0f}"
    return str(v)


def _table(df: pd.DataFrame, title: str, cols: list[str], limit: int = 30) -> Table:
    t = Table(title=title)
    for c in cols:
        t.add_column(c, justify="right" if df[c].dtype.kind in "fi" else "left")
    for _, r in df.head(limit).iterrows():
        t.add_row(*[_fmt(r[c]) for c in cols])
    return t


def _resource_table(net: Network, df: pd.DataFrame, title: str, limit: int) -> Table:
    d = df.copy()
    if "resource" in d:  # names a person reads, the id in brackets
        d["resource"] = [resource_label(net, str(r)) for r in d["resource"]]
    if "country" in d:  # 'Kazakhstan (KZ)', 'Sea and Caspian shipping' (never the bare XX)
        from titr.network.places import country_label

        d["country"] = [country_label(str(c)) if isinstance(c, str) else c for c in d["country"]]
    d["flow Mt"] = d["flow"] / 1e6
    d["capacity Mt"] = d["capacity"] / 1e6
    d["use %"] = d["utilisation"] * 100
    d["USD/t"] = d["shadow_price_usd_per_unit"]
    d["USD/native"] = d["shadow_price_usd_per_native_unit"]
    cols = [
        "resource",
        "country",
        "flow Mt",
        "capacity Mt",
        "use %",
        "USD/t",
        "USD/native",
        "native_unit",
    ]
    if "rank" in d:
        cols.insert(0, "rank")
    return _table(d, title, cols, limit)


@app.command("assign")
def assign_cmd(
    scenario: Annotated[
        str,
        typer.Option(
            "--scenario",
            "-s",
            help="Bundled (2024, 2025, 2025-plus2, "
            "2027, 2030-wb, 2030-triple) or stored "
            "demand scenario",
        ),
    ] = "2024",
    dataset: DatasetOpt = None,
    top: Annotated[int, typer.Option(help="Rows to show", min=1)] = 25,
    xlsx: XlsxOpt = None,
    csv_dir: CsvOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Assign a demand scenario on the capacity-constrained network of its year (HiGHS LP):
    what the Middle Corridor carries, what is diverted, what is left unserved."""
    from titr.flows import load_scenario
    from titr.flows.usecases import assign_scenario

    net = load_network(dataset)
    sc = load_scenario(scenario, net)
    a, body = assign_scenario(net, sc, top)
    if json_out:
        print_json(body)
        return
    s = a.summary
    console.rule(f"[bold]assignment[/] {sc.name} ({sc.year}) on {net.label}")
    df = a.to_frame()
    used = df[df["flow"] > 0].sort_values("utilisation", ascending=False)
    console.print(
        _resource_table(net, used, "Flow and utilisation per link / process / service", top)
    )
    ct = Table(title="By commodity (units per year)")
    for c in ("commodity", "demand", "served", "unserved", "USD/unit", "days/unit"):
        ct.add_column(c, justify="right")
    for k, v in s["by_commodity"].items():
        ct.add_row(
            k,
            _fmt(v["demand"]),
            _fmt(v["served"]),
            _fmt(v["unserved"]),
            _fmt(v["cost_per_unit"]),
            _fmt(v["hours_per_unit"] / 24),
        )
    console.print(ct)
    _print_corridors(body)
    uf = a.unserved_frame()
    if len(uf):
        console.print(
            _table(
                uf,
                "[red]Unserved demand[/] (penalty paid)",
                ["commodity", "origin", "destination", "demand", "unserved", "penalty_usd"],
            )
        )
    print_warnings(a.warnings)
    console.print(
        f"objective {s['objective_usd']:,.0f} USD/yr · {s['variables']:,} variables · "
        f"build {s['build_s']:.3f} s · solve {s['solve_s']:.3f} s"
    )
    _export(
        {"resources": df, "unserved": uf, "flows": a.flows_frame(), "demand": sc.to_frame()},
        xlsx,
        csv_dir,
    )


def _print_corridors(body: dict[str, Any]) -> None:
    mc = body["middle_corridor"]
    assert isinstance(mc, dict)
    bc = pd.DataFrame(body["by_corridor"])
    if len(bc):
        bc["Mt"] = bc["t"] / 1e6
        console.print(
            _table(
                bc,
                "Carried by corridor (diverted = off the Middle Corridor)",
                ["commodity", "corridor", "Mt", "teu"],
            )
        )
    alone = mc["alone"]
    console.print(
        f"Middle Corridor: carried [bold]{mc['carried_t'] / 1e6:,.2f} Mt[/] "
        f"({mc['carried_teu']:,.0f} TEU), diverted {mc['diverted_t'] / 1e6:,.2f} Mt, "
        f"unserved {mc['unserved_t'] / 1e6:,.2f} Mt; on the Middle Corridor alone it would "
        f"serve {alone['served_t'] / 1e6:,.2f} Mt and leave {alone['unserved_t'] / 1e6:,.2f} Mt "
        f"unserved. Counts: {body['counts']}"
    )


@app.command("bottlenecks")
def bottlenecks_cmd(
    scenario: Annotated[str, typer.Option("--scenario", "-s")] = "2024",
    dataset: DatasetOpt = None,
    top: Annotated[int, typer.Option(help="Rows to show", min=1)] = 15,
    xlsx: XlsxOpt = None,
    csv_dir: CsvOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Binding capacities ranked by shadow price, and the Middle Corridor's maximum
    throughput (all dry cargo and per commodity) next to its stated capacity."""
    from titr.flows import load_scenario
    from titr.flows.usecases import bottlenecks_for

    net = load_network(dataset)
    sc = load_scenario(scenario, net)
    body = bottlenecks_for(net, sc, top)
    if json_out:
        print_json(body)
        return
    bn = pd.DataFrame(body["bottlenecks"])
    console.rule(f"[bold]bottlenecks[/] {sc.name} ({sc.year}) on {net.label}")
    if len(bn):
        console.print(
            _resource_table(
                net,
                bn.fillna(math.nan),
                "Binding capacities (shadow price = USD saved per extra unit of capacity per year)",
                top,
            )
        )
    else:
        console.print("no capacity is binding for this demand")
    _print_corridors(body)
    th = body["throughput"]
    frames = {"bottlenecks": bn}
    for name, e in th.items():
        if not isinstance(e, dict) or "max_t" not in e:
            continue
        cap = "unbounded (no finite cut)" if e["unbounded"] else f"{e['max_t'] / 1e6:,.2f} Mt/yr"
        teu = f", {e['max_container_teu']:,.0f} TEU" if "max_container_teu" in e else ""
        console.print(
            f"Middle Corridor max throughput, {name} ({', '.join(e['commodities'])}): "
            f"[bold]{cap}[/]{teu}; limited by "
            f"{', '.join(resource_label(net, r['resource']) for r in e['limited_by']) or '—'}"
        )
        frames[f"throughput_{name}"] = pd.DataFrame(e["limited_by"])
    if "reason" in th:
        console.print(f"stated capacity: {th['reason']}")
    _export(frames, xlsx, csv_dir)


def _parse_budget(text: str | None, years: list[int]) -> dict[tuple[str, int], float]:
    if not text:
        return {}
    out: dict[tuple[str, int], float] = {}
    p = Path(text)
    issues = []
    if p.suffix.lower() == ".csv":
        if not p.is_file():
            raise DataError(Issue(text, None, None, None, "no such budget file"))
        with p.open(encoding="utf-8-sig", newline="") as f:
            for i, r in enumerate(csv.DictReader(f), start=2):
                try:
                    out[(r["country"].strip(), int(r["year"]))] = float(r["budget_musd"])
                except (KeyError, ValueError, TypeError, AttributeError):
                    issues.append(
                        Issue(
                            text,
                            i,
                            None,
                            str(r),
                            "a budget row is country,year,"
                            "budget_musd with a whole year and a number",
                        )
                    )
    else:
        for part in text.split(","):
            c, _, v = part.partition("=")
            try:
                val = float(v)
            except ValueError:
                issues.append(
                    Issue(
                        "--budget",
                        None,
                        c.strip(),
                        v,
                        "write COUNTRY=MUSD per year, e.g. KZ=500,AZ=200",
                    )
                )
                continue
            for y in years:
                out[(c.strip(), y)] = val
    if issues:
        raise DataError(issues)
    return out


@app.command("plan")
def plan_cmd(
    target: Annotated[str, typer.Option(help="Target volume, e.g. 10Mt, 11 Mt")],
    by: Annotated[int, typer.Option(help="Target year")],
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            "-s",
            help="Demand structure (default: the bundled scenario closest to the target year)",
        ),
    ] = None,
    budget: Annotated[
        str | None,
        typer.Option(
            help="MUSD per year per country: KZ=500,AZ=200 or a CSV country,year,budget_musd"
        ),
    ] = None,
    rate: Annotated[float, typer.Option(help="Discount rate for annuities")] = 0.08,
    lifetime: Annotated[int, typer.Option(help="Asset life (years)")] = 30,
    exclude_unpriced: Annotated[
        bool, typer.Option(help="Leave out projects without published capex (default: EST cost)")
    ] = False,
    dataset: DatasetOpt = None,
    xlsx: XlsxOpt = None,
    csv_dir: CsvOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Least-cost projects and years (all countries) to carry a target volume by a year.

    An unreachable target is an answer too: the best plan reachable by that year, with its
    status, the volume reached, the shortfall and what binds (exit 0)."""
    from titr.flows import load_scenario, parse_quantity
    from titr.planning.target import PLAN_YEARS, plan_for_target

    value, unit = parse_quantity(target)
    if unit != "t":
        raise DataError(
            Issue("--target", None, None, target, "the corridor target is a tonnage (t, kt, Mt)")
        )
    net = load_network(dataset)
    pl, body = plan_for_target(
        net,
        target,
        value,
        by,
        scenario=load_scenario(scenario, net) if scenario else None,
        budgets=_parse_budget(budget, PLAN_YEARS),
        exclude_unpriced=exclude_unpriced,
        rate=rate,
        lifetime=lifetime,
    )
    if json_out:
        print_json(body)
        return
    sc_name = body["scenario"]["name"]
    console.rule(f"[bold]plan[/] {target} by {by} on {net.label} (structure: {sc_name})")
    if pl.status != "optimal":

        def names(ids: list[str]) -> str:
            return ", ".join(resource_label(net, i) for i in ids) or "none"

        console.print(
            f"[bold red]status: {pl.status}[/] — {pl.reason}\n"
            f"best reachable plan: {pl.reachable_t / 1e6:,.2f} Mt/yr in {by}, short by "
            f"{pl.shortfall_t / 1e6:,.2f} Mt/yr; binding: {names(pl.binding)}; "
            f"no project that can be in service by {by} expands: {names(pl.lacking)}"
        )
        for res_id, later in pl.lacking_later.items():
            console.print(
                f"  {resource_label(net, res_id)}: expanded only later by {', '.join(later)}"
            )
    ch = pl.chosen
    console.print(
        _table(
            ch,
            f"Projects ({len(ch)}), capex {ch['capex_musd'].sum():,.0f} MUSD",
            [
                "project",
                "country",
                "decide_by",
                "in_service",
                "capex_musd",
                "capex_basis",
                "effect",
            ],
        )
    )
    if len(ch):
        by_c = ch.groupby("country")["capex_musd"].sum().reset_index()
        console.print(_table(by_c, "Capex by country (MUSD)", ["country", "capex_musd"]))
    bby = pl.bottleneck_by_year.copy()
    if len(bby):
        for c in ("demand_t", "bottleneck_capacity_t", "served_t"):
            bby[c.replace("_t", " Mt")] = bby[c] / 1e6
        bby["bottleneck"] = [resource_label(net, str(r)) for r in bby["bottleneck"]]
        console.print(
            _table(
                bby,
                "Per year: demand, served and the most used segment of the chain",
                [
                    "year",
                    "demand Mt",
                    "served Mt",
                    "bottleneck",
                    "bottleneck_capacity Mt",
                    "utilisation",
                ],
            )
        )
    rd = pl.readiness.copy()
    if len(rd):
        rd["needed Mt"] = rd["needed_t"] / 1e6
        rd["resource"] = [resource_label(net, str(r)) for r in rd["resource"]]
        console.print(
            _table(
                rd,
                f"Readiness of the chain's segments (spread of upgraded "
                f"segments: {pl.spread_years} yr)",
                ["resource", "country", "needed Mt", "ready_year", "upgraded"],
            )
        )
    from titr.planning.report import BUYS_NOTE

    bt = Table(title=f"What the plan buys in {by}", caption=BUYS_NOTE)
    bt.add_column("measure")
    bt.add_column("without plan", justify="right")
    bt.add_column("with plan", justify="right")
    keys = sorted({k.split(".", 1)[1] for k in pl.buys if k.startswith("with_plan.")})
    for k in keys:
        bt.add_row(k, _fmt(pl.buys.get(f"without_plan.{k}")), _fmt(pl.buys.get(f"with_plan.{k}")))
    console.print(bt)
    if len(pl.next_bottleneck):
        console.print(
            _resource_table(
                net, pl.next_bottleneck, "Next bottleneck (demand +25 % over the target)", 5
            )
        )
    print_warnings(pl.warnings + pl.skipped, "note")
    console.print(
        f"objective {pl.objective:,.0f} USD · gap {pl.mip_gap:.2%} · "
        f"build {pl.build_s:.2f} s · solve {pl.solve_s:.2f} s · "
        f"annuity rate {pl.rate:.0%}, life {pl.lifetime} yr"
    )
    _export(
        {
            "projects": pl.to_frame(),
            "capacity_profile": pl.capacity_profile,
            "bottleneck_by_year": pl.bottleneck_by_year,
            "readiness": pl.readiness,
            "next_bottleneck": pl.next_bottleneck,
        },
        xlsx,
        csv_dir,
    )


@demand_app.command("import")
def demand_import(
    file: Annotated[Path, typer.Argument(help="Demand CSV")],
    name: Annotated[str, typer.Option(help="Scenario name")],
    year: Annotated[int, typer.Option(help="Demand year")] = 2025,
    replace: Annotated[bool, typer.Option(help="Replace a stored scenario of this name")] = False,
    dataset: DatasetOpt = None,
) -> None:
    """Validate a demand CSV against a dataset and store it as a scenario (all or nothing)."""
    from titr.flows import read_demand_csv
    from titr.store import open_store

    net = load_network(dataset)
    sc = read_demand_csv(file, net, name=name, year=year, file=str(file))
    open_store().save_scenario(name, "demand", sc.to_dict(), dataset_name=net.name, replace=replace)
    console.print(
        f"[green]stored[/] demand scenario {name} ({year}): {len(sc.rows)} rows, "
        f"{sc.tonnes(net) / 1e6:,.3f} Mt freight"
    )


@demand_app.command("list")
def demand_list() -> None:
    """Bundled and stored demand scenarios."""
    from titr.flows.demand import scenario_manifest
    from titr.store import open_store

    t = Table(title="Demand scenarios")
    for c in ("name", "year", "where", "title"):
        t.add_column(c)
    for s in scenario_manifest():
        t.add_row(s["name"], str(s["year"]), "bundled", s.get("title", ""))
    for s in open_store().list_scenarios():
        if s["kind"] == "demand":
            t.add_row(s["name"], "", f"store ({s.get('dataset_name') or ''})", "")
    console.print(t)

"""`titr simulate`: Monte Carlo operations simulation with a progress bar, stored and resumable."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from titr.cli.app import app, console, err_console, load_network, print_json
from titr.errors import DataError, Issue

BASELINE = {
    "name": "baseline-2025",
    "demand_scenario": "demand-2025",
    "horizon_days": 365,
    "warmup_days": 30,
    "plugins": {"weather": {}},
}


def parse_duration_days(text: str) -> float:
    """'0.5d' -> 0.5, '12h' -> 0.5, '0.5' -> 0.5 (days)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([dh]?)\s*", text or "")
    if not m or float(m.group(1)) <= 0:
        raise DataError(
            Issue(
                "<options>",
                None,
                "--until-ci",
                text,
                "must be a positive duration like 0.5d or 12h",
            )
        )
    v = float(m.group(1))
    return v / 24.0 if m.group(2) == "h" else v


def _fmt(st: dict[str, float] | None, scale: float = 1.0, nd: int = 2) -> str:
    if not st:
        return "–"
    m, lo, hi = st["mean"] * scale, st["ci_low"] * scale, st["ci_high"] * scale
    return f"{m:.{nd}f} [{lo:.{nd}f}, {hi:.{nd}f}]"


def print_result(res: Any) -> None:
    s = res.stats
    t = Table(
        title=f"Transit time, days (mean [95 % CI]) — {res.replications} replications, {res.label}"
    )
    for c in ("origin–destination", "mean", "p50", "p90", "p99", "on time %"):
        t.add_column(c)
    ods = sorted({k.split(".")[1] for k in s if k.startswith("od.")})
    for name, pre in [("all shipments", "transit.")] + [(o, f"od.{o}.") for o in ods]:
        t.add_row(
            name,
            _fmt(s.get(pre + "mean_d")),
            _fmt(s.get(pre + "p50_d")),
            _fmt(s.get(pre + "p90_d")),
            _fmt(s.get(pre + "p99_d")),
            _fmt(s.get(pre + "on_time"), 100, 1),
        )
    console.print(t)
    console.print(
        "throughput (freight released in the measurement window and delivered): "
        f"all freight {_fmt(s.get('throughput.t_per_year'), 1e-6, 3)} Mt/yr "
        f"of {_fmt(s.get('throughput.demand_t_per_year'), 1e-6, 3)} Mt/yr demand; "
        f"containers {_fmt(s.get('throughput.teu_per_year'), 1, 0)} TEU/yr "
        f"of {_fmt(s.get('throughput.demand_teu_per_year'), 1, 0)} TEU/yr demand"
    )
    console.print(
        f"trains formed per year: container block trains "
        f"{_fmt(s.get('trains.container_per_year'), 1, 0)}; "
        f"other freight trains {_fmt(s.get('trains.other_per_year'), 1, 0)}"
    )
    u = Table(title="Resources (utilisation, mean wait h)")
    for c in ("resource", "kind", "node", "utilisation %", "mean wait h"):
        u.add_column(c)
    keys = sorted({k.split(".")[1] for k in s if k.startswith("resources.")})
    keys.sort(key=lambda k: -s.get(f"resources.{k}.mean_wait_h", {"mean": 0})["mean"])
    for k in keys:
        r0 = res.summaries[0]["resources"].get(k, {})
        u.add_row(
            k,
            r0.get("kind", ""),
            r0.get("node", ""),
            _fmt(s.get(f"resources.{k}.utilisation"), 100, 1),
            _fmt(s.get(f"resources.{k}.mean_wait_h"), 1, 1),
        )
    console.print(u)
    console.print(f"most often on the critical path: [bold]{res.critical_resource}[/]")


@app.command("simulate")
def simulate_cmd(
    scenario: Annotated[Path | None, typer.Argument(help="Scenario file (.json or .toml)")] = None,
    days: Annotated[float | None, typer.Option(help="Horizon in days (overrides the file)")] = None,
    replications: Annotated[int, typer.Option("--replications", "-n")] = 10,
    seed: Annotated[int, typer.Option(help="Seed: same seed, same result")] = 0,
    executor: Annotated[
        Literal["serial", "local", "dask"], typer.Option(help="Where replications run")
    ] = "local",
    address: Annotated[str | None, typer.Option(help="Dask scheduler tcp://HOST:PORT")] = None,
    workers: Annotated[int | None, typer.Option(help="Local worker processes")] = None,
    resume: Annotated[str | None, typer.Option(help="Resume a stored run by its id")] = None,
    until_ci: Annotated[
        str | None,
        typer.Option(
            "--until-ci", help="Stop when the p90 transit time is known to ± this (e.g. 0.5d)"
        ),
    ] = None,
    dataset: Annotated[str | None, typer.Option(help="Dataset (overrides the file)")] = None,
    events: Annotated[
        Path | None, typer.Option(help="Write replication 0's event log here (.parquet or .csv)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Simulate the corridor's operations; each replication is saved as it finishes."""
    from titr.sim.montecarlo import simulate
    from titr.sim.scenario import load_scenario, parse_scenario
    from titr.store import open_store

    st = open_store()
    if resume:
        params = st.get_run(resume)["params"]
        sc = parse_scenario(params["scenario"], f"run {resume}")
    elif scenario is None:  # built-in 2025 baseline: demand-2025, storms from the dataset
        sc = parse_scenario(dict(BASELINE))
    else:
        sc = load_scenario(scenario)
    net = load_network(dataset or sc.dataset)
    ci = parse_duration_days(until_ci) if until_ci else None
    started = time.monotonic()
    with Progress(
        TextColumn("[bold]simulating[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=as_json,
    ) as bar:
        task = bar.add_task("reps", total=replications, rate="")
        first: list[int] = []
        run_ids: list[str] = []

        def progress(done: int, total: int) -> None:
            if not first:
                first.append(done)
            el = time.monotonic() - started
            rate = (done - first[0]) / el if el > 0 else 0.0
            bar.update(task, completed=done, total=total, rate=f"{rate:.2f} rep/s")

        try:
            res = simulate(
                net,
                sc,
                replications=replications,
                seed=seed,
                executor=executor,
                address=address,
                workers=workers,
                days=None if resume else days,
                until_ci=ci,
                progress=progress,
                store=st,
                resume=resume,
                on_run=run_ids.append,
            )
        except (OSError, TimeoutError, ValueError) as e:
            if executor != "dask":
                raise
            from titr.errors import TitrError

            where = address or "a local Dask cluster"
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise TitrError(f"cannot reach the Dask scheduler at {where}: {reason}") from None
        except KeyboardInterrupt:
            rid = run_ids[0] if run_ids else "RUN_ID"
            err_console.print(
                f"interrupted: the finished replications are stored; continue with: "
                f"titr simulate --resume {rid}"
            )
            raise SystemExit(130) from None
    if events is not None:
        from titr.sim.engine import run_replication
        from titr.sim.eventlog import export_event_log
        from titr.sim.model import compile_model
        from titr.sim.montecarlo import rep_rng

        model = compile_model(net, sc.with_horizon(None if resume else days))
        export_event_log(model, run_replication(model, rep_rng(res.seed, 0)), events)
    if ci is not None:
        from titr.sim.stats import p90_halfwidth_days

        hw = p90_halfwidth_days(res.summaries)
        if not hw <= ci:  # the run ended on --replications, not on the precision asked for
            err_console.print(
                f"[yellow]note[/]: precision target not reached after {res.replications} "
                f"replications: p90 transit time known to ± {hw:.2f} d, asked ± {ci:g} d "
                f"(raise --replications)"
            )
    if as_json:
        print_json(res.to_dict())
        return
    console.print(f"run [bold]{res.run_id}[/] ({res.replications} replications, seed {res.seed})")
    print_result(res)

"""`titr data arrays`: read a large network as arrays and compile it (`titr.network.arrays`,
`titr.graph.arrays`); prints what was read and compiled, with the time it took."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from titr import jsonfmt
from titr.cli.app import console
from titr.cli.data import _print_warnings, data_app


@data_app.command("arrays")
def arrays(
    path: Annotated[
        Path, typer.Argument(help="Dataset folder; nodes and links may be .csv or .parquet")
    ],
    commodity: Annotated[
        list[str] | None,
        typer.Option("--commodity", "-c", help="Commodity to compile (repeatable; default all)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Read a network of any size straight into arrays (errors name file, row, column and
    rule; exit 2), then compile it per commodity as the router sees it."""
    from titr.graph.arrays import compile_arrays
    from titr.network.arrays import read_arrays

    t0 = time.perf_counter()
    an = read_arrays(path)
    load_s = time.perf_counter() - t0
    coms = commodity or sorted(an.rest.commodities)
    rows = []
    for c in coms:
        t1 = time.perf_counter()
        g = compile_arrays(an, c)
        rows.append(
            {
                "commodity": c,
                "vertices": g.n_vertices,
                "arcs": g.n_arcs,
                "places_reached": len(g.origin),
                "compile_s": time.perf_counter() - t1,
            }
        )
    out = {
        "dataset": an.label,
        "places": an.n_nodes,
        "links": an.n_links,
        "processes": len(an.rest.processes),
        "warnings": len(an.warnings),
        "load_s": load_s,
        "graphs": rows,
    }
    if as_json:
        print(jsonfmt.dumps(out))
        return
    _print_warnings(an.warnings)
    console.print(
        f"[green]read[/]: {an.label} — {an.n_nodes:,} places, {an.n_links:,} links, "
        f"{len(an.rest.processes):,} processes in {load_s:.2f} s"
    )
    t = Table(title="Compiled graphs")
    for col in ("commodity", "vertices", "arcs", "places reached", "seconds"):
        t.add_column(col, justify="left" if col == "commodity" else "right")
    for r in rows:
        t.add_row(
            str(r["commodity"]),
            f"{r['vertices']:,}",
            f"{r['arcs']:,}",
            f"{r['places_reached']:,}",
            f"{r['compile_s']:.2f}",
        )
    console.print(t)

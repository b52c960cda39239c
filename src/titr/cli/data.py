"""`titr data ...`, `titr network summary`, `titr sources`, `titr docs`, `titr db`."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from titr import jsonfmt
from titr.cli.app import DATASET_OPTION_HELP, OPTS, app, console, load_network

data_app = typer.Typer(help="Validate, import, export and list datasets.", no_args_is_help=True)
network_app = typer.Typer(help="Look at a corridor network.", no_args_is_help=True)
docs_app = typer.Typer(
    help="Generate documentation from the attribute table.", no_args_is_help=True
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(network_app, name="network")
app.add_typer(docs_app, name="docs")
app.add_typer(db_app, name="db")


DatasetOpt = Annotated[
    str | None, typer.Option("--dataset", "-d", help=DATASET_OPTION_HELP + " Same as NAME.")
]


def _one_ref(name: str | None, dataset: str | None) -> str | None:
    """The dataset named by the NAME argument or by --dataset (not two different ones)."""
    from titr.errors import TitrError

    if name and dataset and name != dataset:
        raise TitrError(f"two datasets given: NAME '{name}' and --dataset '{dataset}'; give one")
    return name or dataset


def _print_warnings(issues: list) -> None:  # type: ignore[type-arg]
    warns = [i for i in issues if i.severity == "warning"]
    from rich.markup import escape

    for w in warns[:50]:
        console.print(f"[yellow]warning[/]: {escape(str(w))}", soft_wrap=True)
    if len(warns) > 50:
        console.print(f"[yellow]... and {len(warns) - 50} more warnings[/]")


@data_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="Dataset folder or zip")]) -> None:
    """Check a dataset: every error of every file is reported at once (exit 2 on errors)."""
    from titr.network.io_csv import validate_dataset

    net, warnings = validate_dataset(path)
    _print_warnings(warnings)
    console.print(
        f"[green]valid[/]: {net.label} — {len(net.nodes)} nodes, {len(net.links)} "
        f"links, {len(net.processes)} processes, {len(net.sources)} sources"
    )


@data_app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="Dataset folder or zip")],
    name: Annotated[str | None, typer.Option(help="Store under this name")] = None,
    replace: Annotated[bool, typer.Option(help="Replace same name+version")] = False,
) -> None:
    """Validate and store a dataset in one transaction (all or nothing)."""
    from titr.network.io_csv import read_dataset
    from titr.store import open_store

    net = read_dataset(path)
    st = open_store()
    stored_as = name or net.name
    before = {
        d["content_hash"]
        for d in st.list_datasets()
        if d["name"] == stored_as and d["version"] == net.version
    }
    ds_id = st.save_network(net, name=name, replace=replace)
    what = "already stored (unchanged)" if net.content_hash in before else "[green]imported[/]"
    console.print(
        f"{what} {stored_as} {net.version} (hash {net.content_hash[:8]}, id {ds_id})",
        highlight=False,
    )


@data_app.command("list")
def list_() -> None:
    """Datasets in the store."""
    from titr.store import open_store

    t = Table(title="Datasets in the store")
    for c in ("name", "version", "hash", "nodes", "links", "projects", "imported"):
        t.add_column(c)
    for d in open_store().list_datasets():
        t.add_row(
            d["name"],
            d["version"],
            d["content_hash"][:8],
            str(d["nodes"]),
            str(d["links"]),
            str(d["projects"]),
            (d["created_at"] or "")[:19],
        )
    console.print(t)


@data_app.command("export")
def export(
    name: Annotated[str | None, typer.Argument(help=DATASET_OPTION_HELP)] = None,
    dataset: DatasetOpt = None,
    format: Annotated[
        Literal["csv", "geojson", "xlsx"], typer.Option("--format", "-f", help="File format")
    ] = "csv",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output path")] = None,
    lang: Annotated[
        Literal["en", "ru", "tr"], typer.Option(help="Language of the names (geojson)")
    ] = "en",
) -> None:
    """Export a dataset as CSV folder, GeoJSON (RFC 7946) or Excel workbook."""
    import os
    import shutil
    import tempfile

    from titr.errors import TitrError
    from titr.network.export import export_stem, network_geojson, network_xlsx
    from titr.network.io_csv import write_dataset

    if format not in ("csv", "geojson", "xlsx"):
        raise TitrError(f"--format must be csv, geojson or xlsx, not '{format}'")
    if lang not in ("en", "ru", "tr"):
        raise TitrError(f"--lang must be en, ru or tr, not '{lang}'")
    net = load_network(_one_ref(name, dataset))
    suffix = {"csv": "", "geojson": ".geojson", "xlsx": ".xlsx"}[format]
    dest = out or Path(export_stem(net) + suffix)
    if format != "csv" and dest.is_dir():
        raise TitrError(f"--out {dest}: is a folder; a {format} export is one file")
    if format == "csv" and dest.exists():
        if not dest.is_dir():
            raise TitrError(f"--out {dest}: is a file; a csv export is a folder")
        if any(dest.iterdir()) and not (dest / "manifest.json").is_file():
            raise TitrError(
                f"--out {dest}: a folder with other files (no manifest.json); "
                "give an empty or new folder, or a dataset folder to replace"
            )
    if not dest.parent.is_dir():
        raise TitrError(f"--out {dest}: folder {dest.parent} does not exist")
    # written next to the target and moved into place: nothing half-written on failure
    tmp = Path(tempfile.mkdtemp(prefix=".titr-export-", dir=dest.parent))
    try:
        part = tmp / "out"
        if format == "csv":
            write_dataset(net, part)
            if dest.is_dir():
                os.replace(dest, tmp / "old")  # removed with tmp once the new one is in
        elif format == "geojson":
            part.write_text(jsonfmt.dumps(network_geojson(net, lang)), "utf-8")
        else:
            network_xlsx(net, part)
        os.replace(part, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    console.print(f"[green]wrote[/] {dest}")


@data_app.command("delete")
def delete(name: str, version: Annotated[str | None, typer.Option()] = None) -> None:
    """Remove a dataset from the store."""
    from titr.store import open_store

    open_store().delete_dataset(name, version)
    console.print(f"deleted {name} {version or '(newest)'}")


@network_app.command("summary")
def summary(
    name: Annotated[str | None, typer.Argument(help=DATASET_OPTION_HELP)] = None,
    dataset: DatasetOpt = None,
    geojson: Annotated[
        Path | None, typer.Option(help="Also write the network as GeoJSON here")
    ] = None,
    language: Annotated[
        Literal["en", "ru", "tr"] | None,
        typer.Option("--lang", help="Language of the names (default: titr --lang / the locale)"),
    ] = None,
) -> None:
    """Corridor summary: components, countries, km by mode and corridor, capacities, sources."""
    from titr.network.attributes import parse_source_ref
    from titr.network.export import network_geojson

    lang: str = language or OPTS.lang
    net = load_network(_one_ref(name, dataset))
    console.rule(f"[bold]{net.manifest.title or net.name}[/] — {net.label}")
    t = Table(title="Contents")
    t.add_column("component")
    t.add_column("rows", justify="right")
    for comp in (
        "nodes",
        "links",
        "processes",
        "services",
        "commodities",
        "tariffs",
        "projects",
        "indicators",
        "targets",
        "sources",
        "alternatives",
    ):
        v = getattr(net, comp)
        t.add_row(comp, str(len(v)))
    console.print(t)

    t = Table(title="Network by corridor and mode (existing links, km)")
    t.add_column("corridor")
    modes = sorted({lk.mode for lk in net.links.values()})
    for m in modes:
        t.add_column(m, justify="right")
    km: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for lk in net.links.values():
        if lk.status != "existing":
            continue
        for corr in lk.corridors:
            km[corr][lk.mode] += lk.distance
    for c in sorted(km):
        t.add_row(c, *[f"{km[c].get(m, 0):,.0f}" if km[c].get(m) else "" for m in modes])
    console.print(t)

    t = Table(title="Nodes by country")
    t.add_column("country")
    t.add_column("nodes", justify="right")
    t.add_column("names")
    by_c: dict[str, list[str]] = defaultdict(list)
    for n in net.nodes.values():
        by_c[n.country].append(n.name(lang))
    for c in sorted(by_c):
        t.add_row(c, str(len(by_c[c])), ", ".join(sorted(by_c[c]))[:90])
    console.print(t)

    t = Table(title="Capacities on the Middle Corridor (existing)")
    for c in ("element", "capacity", "unit", "source"):
        t.add_column(c)
    for lk in net.links.values():
        if "middle" in lk.corridors and lk.capacity and lk.status == "existing":
            t.add_row(
                f"{lk.id} ({lk.mode})",
                f"{lk.capacity:,.0f}",
                lk.capacity_unit or "",
                (lk.capacity_source or "")[:40],
            )
    for p in net.processes.values():
        if p.capacity and p.status == "existing":
            t.add_row(
                f"{p.id} ({p.kind})",
                f"{p.capacity:,.0f}",
                p.capacity_unit or "",
                (p.capacity_source or "")[:40],
            )
    for s in net.services.values():
        t.add_row(
            f"{s.id} ({s.kind})",
            f"{s.yearly_capacity():,.0f}",
            f"{s.sailing_unit}/yr",
            s.source[:40],
        )
    console.print(t)

    rel = Counter(s.reliability for s in net.sources.values())
    n_est = n_src = 0
    for comp in ("links", "processes", "services", "tariffs", "projects", "parameters"):
        for r in getattr(net, comp).values():
            for f in (
                "distance_source",
                "time_source",
                "capacity_source",
                "source",
                "capex_source",
            ):
                cell = getattr(r, f, None)
                if cell:
                    ids, est = parse_source_ref(cell)
                    n_src += bool(ids)
                    n_est += est is not None
    console.print(
        f"Sources: {len(net.sources)} ({', '.join(f'{k} {v}' for k, v in sorted(rel.items()))}); "
        f"figure groups citing sources: {n_src}, marked estimates: {n_est}"
    )
    if geojson:
        geojson.write_text(jsonfmt.dumps(network_geojson(net, lang)), "utf-8")
        console.print(f"[green]wrote[/] {geojson}")


@app.command("sources")
def sources(
    name: Annotated[str | None, typer.Argument(help=DATASET_OPTION_HELP)] = None,
    dataset: DatasetOpt = None,
    search: Annotated[str | None, typer.Option(help="Filter by text")] = None,
) -> None:
    """The sources a dataset cites."""
    net = load_network(_one_ref(name, dataset))
    t = Table(title=f"Sources of {net.label}")
    for c in ("id", "publisher", "date", "reliability", "title / url"):
        t.add_column(c)
    for s in net.sources.values():
        text = f"{s.title} {s.url or ''} {s.publisher}"
        if search and search.lower() not in text.lower():
            continue
        t.add_row(
            s.id,
            s.publisher,
            s.date or "",
            s.reliability,
            f"{s.title[:60]}\n{s.url or '(no URL: ' + (s.note or '') + ')'}",
        )
    console.print(t)


@docs_app.command("data-reference")
def data_reference(out: Annotated[Path, typer.Option()] = Path("docs/data-reference.md")) -> None:
    """Write the data reference generated from the attribute table."""
    from titr.network.attributes import markdown_reference

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown_reference() + "\n", "utf-8")
    console.print(f"[green]wrote[/] {out}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply database migrations (done automatically on first use)."""
    from titr.store import open_store

    st = open_store()
    console.print(f"database at head: {st.engine.url.render_as_string(hide_password=True)}")


@db_app.command("init")
def db_init(
    dataset: Annotated[str, typer.Option(help="Bundled dataset to load")] = "middle-corridor-2025",
) -> None:
    """Create the store (if needed) and load a bundled dataset into it."""
    from titr.network.bundled import load
    from titr.store import open_store

    st = open_store()
    net = load(dataset)
    ds_id = st.save_network(net)
    console.print(
        f"store ready at {st.engine.url.render_as_string(hide_password=True)}; "
        f"{net.label} is dataset {ds_id}"
    )

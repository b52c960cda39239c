"""/api/datasets: list, detail, import (validated zip upload), export, delete."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response

from titr import limits
from titr.api.deps import Lang, Limit, Offset, State, Writer
from titr.api.schemas import DatasetDetail, DatasetInfo, Deleted, ImportResult, Page
from titr.errors import DataError, Issue, NotFoundError
from titr.network import attributes as attrs

router = APIRouter(prefix="/api/datasets", tags=["datasets"])

_HEADER_SAFE = " !#$&'()*+,/:;=?@[]~"  # printable ASCII kept; anything else %-encoded (UTF-8)


RefPath = Annotated[str, PathParam(description="NAME or NAME@VERSION", max_length=160)]


def _bundled_infos(skip: set[tuple[str, str]]) -> list[dict[str, Any]]:
    from titr.network.bundled import bundled_names, load

    out = []
    for name in bundled_names():
        try:
            net = load(name)
        except Exception:  # a bundled dataset that does not validate is not offered
            continue
        if (net.name, net.version) in skip:
            continue
        out.append(
            {
                "id": None,
                "name": net.name,
                "version": net.version,
                "content_hash": net.content_hash,
                "label": net.label,
                "title": net.manifest.title,
                "origin": "bundled",
                "created_at": None,
                "nodes": len(net.nodes),
                "links": len(net.links),
                "projects": len(net.projects),
            }
        )
    return out


@router.get("", response_model=Page[DatasetInfo], summary="List datasets")
def list_datasets(state: State, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    """Datasets in the store (every version) followed by bundled datasets not stored yet."""
    stored = []
    for d in state.store.list_datasets():
        label = f"{d['name']}@{d['version']}#{d['content_hash'][:8]}"
        stored.append({**d, "label": label, "origin": "store"})
    items = stored + _bundled_infos({(d["name"], d["version"]) for d in stored})
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
    }


@router.get("/{ref}", response_model=DatasetDetail, summary="One dataset")
def get_dataset(state: State, ref: RefPath) -> dict[str, Any]:
    """Manifest, row counts per component and countries of a dataset."""
    net = state.network(ref)
    origin, *_ = state.resolve(ref)
    counts = {c: len(getattr(net, c)) for c in attrs.COMPONENTS}
    return {
        "id": None,
        "name": net.name,
        "version": net.version,
        "content_hash": net.content_hash,
        "label": net.label,
        "title": net.manifest.title,
        "origin": origin,
        "nodes": counts["nodes"],
        "links": counts["links"],
        "projects": counts["projects"],
        "manifest": net.manifest.model_dump(),
        "counts": counts,
        "countries": net.countries(),
    }


@router.post(
    "",
    status_code=201,
    response_model=ImportResult,
    summary="Import a dataset",
    responses={
        409: {"description": "Same name and version with other content"},
        413: {"description": "Upload larger than max_upload_bytes"},
    },
)
def import_dataset(
    state: State,
    _w: Writer,
    file: Annotated[
        UploadFile,
        File(description="Zip of the dataset folder (manifest.json and one CSV per component)"),
    ],
    name: Annotated[str | None, Form(description="Store under this name", max_length=100)] = None,
    replace: Annotated[bool, Form(description="Replace the same name and version")] = False,
) -> dict[str, Any]:
    """Validate an uploaded dataset zip and store it in one transaction. Any error (bad zip,
    invalid CSV cell, broken reference) answers 422 with every issue and leaves the store
    unchanged."""
    from titr.network.checks import run_checks
    from titr.network.io_csv import read_dataset

    fname = (file.filename or "upload.zip")[:200]
    cap = limits.current().max_upload_bytes
    data = file.file.read(cap + 1)
    if len(data) > cap:
        raise limits.LimitError("max_upload_bytes", f"> {cap}", "upload size", status=413)
    if not data or not zipfile.is_zipfile(io.BytesIO(data)):
        raise DataError(
            Issue(
                fname,
                None,
                None,
                None,
                "upload a .zip of the dataset folder (manifest.json and CSV "
                "files); this is not a zip archive",
            )
        )
    with tempfile.TemporaryDirectory(prefix="titr-upload-") as tmp:
        p = Path(tmp) / "dataset.zip"
        p.write_bytes(data)
        try:
            net = read_dataset(p)
        except zipfile.BadZipFile as e:
            raise DataError(Issue(fname, None, None, None, f"damaged zip archive: {e}")) from None
    ds_id = state.store.save_network(net, name=name, replace=replace)
    state.invalidate()
    stored = state.network(f"{name or net.name}@{net.version}")
    warnings = [i.as_dict() for i in run_checks(stored) if i.severity == "warning"][:200]
    return {
        "id": ds_id,
        "name": stored.name,
        "version": stored.version,
        "content_hash": stored.content_hash,
        "dataset": stored.label,
        "warnings": warnings,
    }


@router.get(
    "/{ref}/export",
    summary="Export a dataset",
    response_class=Response,
    responses={
        200: {
            "description": "The dataset as a file",
            "content": {
                "application/zip": {},
                "application/geo+json": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            },
        }
    },
)
def export_dataset(
    state: State,
    ref: RefPath,
    format: Annotated[
        Literal["csv-zip", "geojson", "xlsx"], Query(description="csv-zip | geojson | xlsx")
    ] = "csv-zip",
    lang: Annotated[Lang, Query(description="Names in GeoJSON")] = "en",
) -> Response:
    """The dataset as a zip of CSV files (re-importable), GeoJSON (RFC 7946) or an Excel
    workbook with a units row."""
    from titr.network.export import export_stem, network_geojson, network_xlsx
    from titr.network.io_csv import write_dataset

    net = state.network(ref)
    stem = export_stem(net)  # a file name, whatever the version holds
    headers = {"X-Titr-Dataset": quote(net.label, safe=_HEADER_SAFE)}
    if format == "geojson":
        body = json.dumps(
            {**network_geojson(net, lang), "dataset": net.label}, ensure_ascii=False
        ).encode("utf-8")
        headers["Content-Disposition"] = f'attachment; filename="{stem}.geojson"'
        return Response(body, media_type="application/geo+json", headers=headers)
    if format == "xlsx":
        buf = io.BytesIO()
        network_xlsx(net, buf)
        headers["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
        return Response(
            buf.getvalue(),
            headers=headers,
            media_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    with tempfile.TemporaryDirectory(prefix="titr-export-") as tmp:
        folder = write_dataset(net, Path(tmp) / stem)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted(folder.iterdir()):
                zf.write(f, f"{stem}/{f.name}")
    headers["Content-Disposition"] = f'attachment; filename="{stem}.zip"'
    return Response(buf.getvalue(), media_type="application/zip", headers=headers)


@router.delete("/{ref}", response_model=Deleted, summary="Delete a stored dataset")
def delete_dataset(state: State, _w: Writer, ref: RefPath) -> dict[str, str]:
    """Remove a stored dataset (newest version, or NAME@VERSION). Runs keep their dataset
    label. Bundled datasets cannot be deleted (they are not in the store)."""
    origin, name, version, h = state.resolve(ref)
    if origin != "store":
        raise NotFoundError(f"dataset '{ref}' is bundled, not in the store: nothing to delete.")
    state.store.delete_dataset(name, version)
    state.invalidate()
    return {"deleted": f"{name}@{version}#{h[:8]}"}

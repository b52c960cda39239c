"""Fault injection on dataset archives: every malformed input is generated here (no binaries
in the repo), fed to the reader, the CLI and the API on SQLite and PostgreSQL. Each must be
refused with a located message (DataError / exit 2 / 4xx problem+json) and leave the store
unchanged; the valid-but-odd ones (macOS metadata) must import."""

from __future__ import annotations

import io
import json
import struct
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.cli.main import main
from titr.errors import DataError
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
PROBLEM = "application/problem+json"


def tiny_files(edit: dict[str, bytes | str | None] | None = None) -> dict[str, bytes]:
    """The tiny dataset's files by name; `edit` replaces (or with None removes) files."""
    files = {p.name: p.read_bytes() for p in sorted(TINY.iterdir())}
    for k, v in (edit or {}).items():
        if v is None:
            files.pop(k, None)
        else:
            files[k] = v.encode("utf-8") if isinstance(v, str) else v
    return files


def make_zip(
    files: dict[str, bytes],
    top: str = "tiny/",
    method: int = zipfile.ZIP_DEFLATED,
    first: dict[str, bytes] | None = None,
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in (first or {}).items():
            zf.writestr(name, data)
        for name, data in files.items():
            zf.writestr(top + name, data)
    return buf.getvalue()


def _members(data: bytes) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: i for i in zf.infolist()}


def _central_offsets(data: bytes) -> dict[str, int]:
    """Offset of each member's central directory record."""
    out = {}
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        n, m, k = struct.unpack("<HHH", data[pos + 28 : pos + 34])
        out[data[pos + 46 : pos + 46 + n].decode()] = pos
        pos = data.find(b"PK\x01\x02", pos + 46 + n + m + k)
    return out


def _data_offset(data: bytes, info: zipfile.ZipInfo) -> int:
    h = info.header_offset
    n, m = struct.unpack("<HH", data[h + 26 : h + 30])
    return h + 30 + n + m


def patch_member(data: bytes, name: str, fn: Callable[[bytearray, int, int], None]) -> bytes:
    """Apply fn(buffer, local header offset, central record offset) to one member."""
    buf = bytearray(data)
    info = _members(data)[name]
    fn(buf, info.header_offset, _central_offsets(data)[name])
    return bytes(buf)


def corrupt_deflate() -> bytes:
    z = make_zip(tiny_files())
    info = _members(z)["tiny/nodes.csv"]
    off = _data_offset(z, info)
    buf = bytearray(z)
    buf[off] = 0xFF  # BTYPE = 11: a reserved block type, zlib refuses it
    return bytes(buf)


def bad_crc() -> bytes:
    z = make_zip(tiny_files(), method=zipfile.ZIP_STORED)
    info = _members(z)["tiny/nodes.csv"]
    buf = bytearray(z)
    buf[_data_offset(z, info) + 40] ^= 0x01  # one flipped bit in a stored member
    return bytes(buf)


def flag(bit: int) -> bytes:
    def fn(buf: bytearray, local: int, central: int) -> None:
        for pos in (local + 6, central + 8):
            buf[pos] |= bit

    return patch_member(make_zip(tiny_files()), "tiny/nodes.csv", fn)


def method(m: int) -> bytes:
    def fn(buf: bytearray, local: int, central: int) -> None:
        struct.pack_into("<H", buf, local + 8, m)
        struct.pack_into("<H", buf, central + 10, m)

    return patch_member(make_zip(tiny_files()), "tiny/nodes.csv", fn)


def manifest(text: str, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    return make_zip(tiny_files({"manifest.json": text}), method=method)


def _man(**kw: object) -> str:
    base = json.loads((TINY / "manifest.json").read_text("utf-8"))
    base.update(kw)
    return json.dumps(base)


def nodes_edit(old: str, new: str) -> bytes:
    text = (TINY / "nodes.csv").read_text("utf-8")
    assert old in text
    return make_zip(tiny_files({"nodes.csv": text.replace(old, new, 1)}))


def links_edit(old: str, new: str) -> bytes:
    text = (TINY / "links.csv").read_text("utf-8")
    assert old in text, old
    return make_zip(tiny_files({"links.csv": text.replace(old, new, 1)}))


def _header() -> str:
    return (TINY / "nodes.csv").read_text("utf-8").split("\n", 1)[0]


def _first_row() -> str:
    return (TINY / "nodes.csv").read_text("utf-8").split("\n")[1]


def _link_distance() -> tuple[str, str]:
    lines = (TINY / "links.csv").read_text("utf-8").split("\n")
    head = lines[0].split(",")
    i = head.index("distance")
    row = lines[1].split(",")
    old = ",".join(row)
    return old, ",".join(row[:i] + ["VALUE"] + row[i + 1 :])


def _exponent_form() -> str:
    """The first link's distance written as mantissa e exponent (same number)."""
    old, _ = _link_distance()
    head = (TINY / "links.csv").read_text("utf-8").split("\n")[0].split(",")
    v = old.split(",")[head.index("distance")]
    return f"{float(v) / 100!r}e2"


def distance(value: str) -> bytes:
    old, new = _link_distance()
    return links_edit(old, new.replace("VALUE", value))


def many_members() -> bytes:
    return make_zip(tiny_files(), first={f"junk/{i}.txt": b"x" for i in range(1001)})


# name -> (builder, rule substring expected in the message)
CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "corrupt-deflate": (corrupt_deflate, "damaged archive member"),
    "bad-crc": (bad_crc, "damaged archive member"),
    "encrypted-flag": (lambda: flag(0x1), "encrypted"),
    "deflate64": (lambda: method(9), "compression method 9"),
    "bzip2": (lambda: method(12), "compression method 12"),
    "truncated-zip": (lambda: make_zip(tiny_files())[:-30], "zip"),
    "not-a-zip": (lambda: b"PK\x03\x04" + b"\x00" * 200, "zip"),
    "manifest-nested-200000": (
        lambda: manifest("[" * 200_000 + "]" * 200_000, zipfile.ZIP_STORED),
        "max_json_depth",
    ),
    "manifest-nested-40": (
        lambda: manifest(_man(x=json.loads("[" * 40 + "]" * 40))),
        "max_json_depth",
    ),
    "manifest-long-string": (lambda: manifest(_man(title="x" * 20_000)), "max_string_chars"),
    "manifest-version-newline": (lambda: manifest(_man(version="1\n2")), "control characters"),
    "manifest-version-nul": (lambda: manifest(_man(version="1\u0000x")), "control characters"),
    "manifest-title-bell": (lambda: manifest(_man(title="a\u0007b")), "control characters"),
    "manifest-path-parent": (
        lambda: manifest(_man(files={"nodes": "../outside.csv"})),
        "inside the dataset folder",
    ),
    "manifest-path-absolute": (
        lambda: manifest(_man(files={"nodes": "/etc/passwd"})),
        "relative path",
    ),
    "manifest-path-backslash": (
        lambda: manifest(_man(files={"nodes": "..\\outside.csv"})),
        "relative path",
    ),
    "manifest-path-drive": (lambda: manifest(_man(files={"nodes": "C:/x.csv"})), "relative path"),
    "manifest-path-nested-parent": (
        lambda: manifest(_man(files={"nodes": "a/../../x.csv"})),
        "inside the dataset folder",
    ),
    "cell-nul": (lambda: nodes_edit("Alpha", "Al\u0000pha"), "control character U+0000"),
    "cell-escape": (lambda: nodes_edit("Alpha", "Al\u001bpha"), "control character U+001B"),
    "cell-del": (lambda: nodes_edit("Alpha", "Al\u007fpha"), "control character U+007F"),
    "number-arabic-indic": (lambda: distance("\u0663\u0660"), "ASCII decimal"),
    "number-underscore": (lambda: distance("2_400"), "ASCII decimal"),
    "number-fullwidth": (lambda: distance("\uff13\uff10"), "ASCII decimal"),
    "number-comma-decimal": (lambda: distance("3,5"), "cells but the header has"),
    "header-200k-columns": (
        lambda: make_zip(
            tiny_files({"nodes.csv": _header() + "".join(f",x{i}" for i in range(200_000)) + "\n"})
        ),
        "max_line_bytes",
    ),
    "header-20k-columns": (
        lambda: make_zip(
            tiny_files({"nodes.csv": _header() + "".join(f",x{i}" for i in range(20_000)) + "\n"})
        ),
        "max_columns",
    ),
    "row-20k-cells": (
        lambda: nodes_edit("Alpha", "Alpha" + "," * 20_000),
        "max_columns",
    ),
    "blank-line-bomb": (
        lambda: make_zip(tiny_files({"nodes.csv": _header() + "\n" + "\n" * (60 * 2**20)})),
        "max_compression_ratio",
    ),
    "repeated-row": (
        lambda: make_zip(
            tiny_files({"nodes.csv": _header() + "\n" + (_first_row() + "\n") * 300_000})
        ),
        "max_compression_ratio",
    ),
    "repeated-row-under-ratio": (
        lambda: make_zip(
            tiny_files({"nodes.csv": _header() + "\n" + (_first_row() + "\n") * 3_000}),
            method=zipfile.ZIP_STORED,
        ),
        "stopped reading this file after 199 issues",
    ),
    "long-cell": (lambda: nodes_edit("Alpha", "A" * 20_000), "max_field_chars"),
    "many-members": (many_members, "max_archive_members"),
    "macos-only-metadata": (
        lambda: make_zip({}, first={"__MACOSX/._manifest.json": b"\x00\x05\x16\x07junk"}),
        "manifest.json",
    ),
}

# valid archives with odd wrapping: they import like the plain folder
VALID: dict[str, Callable[[], bytes]] = {
    "macos-metadata-first": lambda: make_zip(
        tiny_files(),
        first={
            "__MACOSX/._manifest.json": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X",
            "__MACOSX/tiny/._nodes.csv": b"\x00\x05\x16\x07",
            "tiny/.DS_Store": b"\x00\x00\x00\x01Bud1",
        },
    ),
    "no-top-folder": lambda: make_zip(tiny_files(), top=""),
    "ascii-exponent": lambda: distance(_exponent_form()),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("faults")
    out = {}
    for name, (fn, _) in CASES.items():
        out[name] = d / f"{name}.zip"
        out[name].write_bytes(fn())
    for name, fn in VALID.items():
        out[name] = d / f"{name}.zip"
        out[name].write_bytes(fn())
    return out


def test_the_corpus_is_small_to_keep_and_large_enough(built: dict[str, Path]) -> None:
    assert len(CASES) >= 30
    assert all(built[n].stat().st_size < 1_000_000 for n in CASES)  # uploads under 1 MB


@pytest.mark.parametrize("case", sorted(CASES))
def test_reader_refuses_with_a_located_rule_quickly(case: str, built: dict[str, Path]) -> None:
    t0 = time.process_time()
    with pytest.raises(DataError) as ei:
        read_dataset(built[case])
    cpu = time.process_time() - t0
    text = str(ei.value)
    assert CASES[case][1] in text, text[:2000]
    assert len(text) < 100_000  # bounded answer
    assert cpu < 2.0, f"{case}: {cpu:.2f} s of CPU"


@pytest.mark.parametrize("case", sorted(VALID))
def test_odd_but_valid_archives_import(case: str, built: dict[str, Path]) -> None:
    net = read_dataset(built[case])
    assert net.content_hash == read_dataset(TINY).content_hash


def test_manifest_paths_are_confined_before_any_file_is_opened(tmp_path: Path) -> None:
    """Folder datasets: a manifest naming a file outside the folder (or a link pointing
    out) is refused and the outside file's content never appears in the message."""
    secret = tmp_path / "secret.csv"
    secret.write_text("TOP_SECRET_LINE,never,echo\n", "utf-8")
    for target in ("../secret.csv", str(secret), "sub/../../secret.csv"):
        ds = tmp_path / f"ds{abs(hash(target))}"
        ds.mkdir()
        for name, data in tiny_files({"manifest.json": _man(files={"nodes": target})}).items():
            (ds / name).write_bytes(data)
        with pytest.raises(DataError) as ei:
            read_dataset(ds)
        assert "TOP_SECRET_LINE" not in str(ei.value)
        assert "files.nodes" in str(ei.value)
    ds = tmp_path / "linked"
    ds.mkdir()
    for name, data in tiny_files({"nodes.csv": None}).items():
        (ds / name).write_bytes(data)
    (ds / "nodes.csv").symlink_to(secret)
    with pytest.raises(DataError) as ei:
        read_dataset(ds)
    assert "TOP_SECRET_LINE" not in str(ei.value) and "outside the dataset folder" in str(ei.value)


@pytest.mark.parametrize(
    "case",
    [
        "corrupt-deflate",
        "bad-crc",
        "encrypted-flag",
        "deflate64",
        "manifest-nested-200000",
        "cell-nul",
        "number-underscore",
    ],
)
def test_cli_exits_2_without_traceback(
    case: str, built: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["data", "validate", str(built[case])])
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and CASES[case][1] in err


@pytest.fixture
def live(db_url: str) -> Iterator[tuple[httpx.Client, Store, str]]:
    store = Store(db_url)
    store.save_network(read_dataset(TINY))
    token = store.create_token("faults")
    app = create_app(db_url, default_dataset="tiny")
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield client, store, token
    store.close()


def test_api_refuses_every_case_and_the_store_is_unchanged(
    live: tuple[httpx.Client, Store, str], built: dict[str, Path]
) -> None:
    """Every case on SQLite and PostgreSQL: 4xx problem+json naming the rule, no 5xx, the
    store's row counts identical afterwards; the valid ones import."""
    client, store, token = live
    auth = {"Authorization": f"Bearer {token}"}
    before = store.table_counts()
    refused = 0
    for case, (_, rule) in sorted(CASES.items()):
        r = client.post(
            "/api/datasets",
            headers=auth,
            files={"file": (f"{case}.zip", built[case].read_bytes(), "application/zip")},
            data={"name": "broken"},
        )
        assert r.status_code in (413, 422), (case, r.status_code, r.text[:500])
        assert r.headers["content-type"].startswith(PROBLEM)
        assert rule in r.text, (case, r.text[:1000])
        assert len(r.content) < 200_000, case
        refused += 1
    assert refused == len(CASES)
    assert store.table_counts() == before
    for i, case in enumerate(sorted(VALID)):
        r = client.post(
            "/api/datasets",
            headers=auth,
            files={"file": (f"{case}.zip", built[case].read_bytes(), "application/zip")},
            data={"name": f"odd{i}"},
        )
        assert r.status_code == 201, (case, r.text[:500])


def test_concurrent_imports_under_one_name_end_in_one_success_and_one_409(db_url: str) -> None:
    """Eight imports of different content under one name and version at once: exactly one is
    stored, every other is a DatasetExistsError (409), never an IntegrityError."""
    import threading

    from titr.store.db import DatasetExistsError

    nets = [read_dataset(TINY).model_copy(update={"content_hash": f"{i:064x}"}) for i in range(8)]
    stores = [Store(db_url) for _ in nets]
    results: list[object] = [None] * len(nets)
    barrier = threading.Barrier(len(nets))

    def go(i: int) -> None:
        barrier.wait()
        try:
            results[i] = stores[i].save_network(nets[i], name="race")
        except Exception as e:  # collected and checked below
            results[i] = e

    ths = [threading.Thread(target=go, args=(i,)) for i in range(len(nets))]
    for t in ths:
        t.start()
    for t in ths:
        t.join(120)
    ok = [r for r in results if isinstance(r, int)]
    conflicts = [r for r in results if isinstance(r, DatasetExistsError)]
    assert len(ok) == 1 and len(conflicts) == len(nets) - 1, results
    assert [d["name"] for d in stores[0].list_datasets()] == ["race"]
    for s in stores:
        s.close()


def test_export_of_odd_versions_is_safe(tmp_path: Path) -> None:
    """A stored version with non-ASCII characters or path separators (saved through the
    Python API, which has no reader in front) exports with ASCII headers and never writes
    outside the export's temporary folder; the reader refuses such versions on import."""
    import os

    from fastapi.testclient import TestClient

    from titr.network.model import Manifest

    url = f"sqlite:///{tmp_path / 'titr.db'}"
    st = Store(url)
    base = read_dataset(TINY)
    escape = Path("/tmp") / f"titr-esc{os.getpid()}"  # where the old export wrote
    versions = ["версия 1", "v\u2028é", f"1/../../../../../../tmp/{escape.name}"]
    for v in versions:
        man = Manifest.model_validate({**base.manifest.model_dump(), "version": v})
        net = base.model_copy(update={"manifest": man})
        st.save_network(net, name=f"odd{versions.index(v)}")
    with TestClient(create_app(url), raise_server_exceptions=False) as c:
        for i, _ in enumerate(versions):
            for fmt in ("csv-zip", "geojson", "xlsx"):
                r = c.get(f"/api/datasets/odd{i}/export", params={"format": fmt})
                assert r.status_code == 200, (i, fmt, r.text[:300])
                assert r.headers["x-titr-dataset"].isascii()
                assert r.headers["content-disposition"].isascii()
            with zipfile.ZipFile(io.BytesIO(c.get(f"/api/datasets/odd{i}/export").content)) as z:
                assert all(".." not in n.split("/") for n in z.namelist())
    assert not escape.exists()
    st.close()
    with pytest.raises(DataError, match="may not contain '/'"):
        read_dataset(_write(tmp_path, manifest(_man(version="1/2"))))


def _write(tmp_path: Path, data: bytes) -> Path:
    p = tmp_path / "x.zip"
    p.write_bytes(data)
    return p

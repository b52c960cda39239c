"""`titr data ...`, `titr network summary`, `titr sources` through `titr.cli.main.main`."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from titr.cli.main import main
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture
def cli_store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The CLI's store is a fresh database on each backend."""
    monkeypatch.setenv("TITR_DATABASE_URL", db_url)
    return db_url


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "data", "validate", str(TINY))
    assert rc == 0, err
    assert "valid" in out and "tiny@1#" in out and "5 nodes, 4 links" in out


def test_validate_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _, err = _run(capsys, "data", "validate", str(tmp_path / "nope"))
    assert rc == 2 and "no such file or folder" in err


def test_validate_a_file_that_is_not_a_zip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n")
    rc, _, err = _run(capsys, "data", "validate", str(p))
    assert rc == 2 and "folder or a .zip" in err


def test_validate_a_zip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import zipfile

    z = tmp_path / "tiny.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for p in TINY.iterdir():
            zf.write(p, f"tiny/{p.name}")
    rc, out, err = _run(capsys, "data", "validate", str(z))
    assert rc == 0, err
    assert read_dataset(z).content_hash == read_dataset(TINY).content_hash


def test_import_list_export_summary_sources(
    cli_store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc, out, err = _run(capsys, "data", "import", str(TINY))
    assert rc == 0, err
    h = read_dataset(TINY).content_hash
    assert f"imported tiny 1 (hash {h[:8]}" in out

    rc, out, _ = _run(capsys, "data", "list")
    assert rc == 0
    assert "tiny" in out and h[:8] in out

    # export by store name, each format
    rc, out, err = _run(
        capsys, "data", "export", "tiny", "--format", "csv", "-o", str(tmp_path / "c")
    )
    assert rc == 0, err
    assert read_dataset(tmp_path / "c").content_hash == h
    rc, _, err = _run(
        capsys, "data", "export", "tiny", "-f", "geojson", "-o", str(tmp_path / "t.geojson"),
        "--lang", "tr",
    )  # fmt: skip
    assert rc == 0, err
    gj = json.loads((tmp_path / "t.geojson").read_text("utf-8"))
    assert gj["type"] == "FeatureCollection"
    assert any(f["properties"].get("name") == "Çarli Limanı" for f in gj["features"])
    rc, _, err = _run(
        capsys, "data", "export", "tiny", "-f", "xlsx", "-o", str(tmp_path / "t.xlsx")
    )
    assert rc == 0, err
    assert "nodes" in openpyxl.load_workbook(tmp_path / "t.xlsx").sheetnames

    rc, out, err = _run(capsys, "network", "summary", "tiny", "--geojson", str(tmp_path / "s.json"))
    assert rc == 0, err
    for text in ("tiny@1#", "nodes", "KZ", "rail_1520", "Sources: 2", "marked estimates"):
        assert text in out, text
    assert json.loads((tmp_path / "s.json").read_text("utf-8"))["features"]

    rc, out, _ = _run(capsys, "sources", "tiny")
    assert rc == 0 and "S001" in out and "S002" in out
    rc, out, _ = _run(capsys, "sources", "tiny", "--search", "ministry")
    assert rc == 0 and "S001" in out and "S002" not in out


def test_export_by_path_without_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rc, _, err = _run(
        capsys, "data", "export", str(TINY), "--format", "geojson", "--out", str(tmp_path / "g")
    )
    assert rc == 0, err
    assert json.loads((tmp_path / "g").read_text("utf-8"))["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "shp"], "'shp' is not one of 'csv', 'geojson', 'xlsx'"),
        (["--format", "geojson", "--lang", "de"], "'de' is not one of 'en', 'ru', 'tr'"),
    ],
)
def test_export_bad_options(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "never"
    rc, _, err = _run(capsys, "data", "export", str(TINY), *args, "--out", str(out_path))
    assert rc == 2
    assert message in err
    assert not out_path.exists()


def test_unknown_dataset_name(cli_store: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "import", str(TINY)]) == 0
    capsys.readouterr()
    rc, _, err = _run(capsys, "network", "summary", "tiny@7")
    assert rc == 2 and "no dataset 'tiny' version '7'" in err
    rc, _, err = _run(capsys, "data", "export", "tinyy", "-f", "csv")
    assert rc == 2 and "not found" in err and "tiny" in err


def test_usage_errors_exit_nonzero(capsys: pytest.CaptureFixture[str]) -> None:
    rc, _, _ = _run(capsys, "data", "import")  # missing PATH
    assert rc == 2
    rc, _, _ = _run(capsys, "data", "frobnicate")
    assert rc == 2


def test_import_replace_flag(
    cli_store: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import shutil

    assert main(["data", "import", str(TINY)]) == 0
    d = tmp_path / "tiny2"
    shutil.copytree(TINY, d)
    text = (d / "tariffs.csv").read_text("utf-8").replace("per_TEU,50,", "per_TEU,55,")
    (d / "tariffs.csv").write_text(text, "utf-8")
    capsys.readouterr()
    rc, _, err = _run(capsys, "data", "import", str(d))
    assert rc == 2 and "already stored with other content" in err
    rc, out, err = _run(capsys, "data", "import", str(d), "--replace")
    assert rc == 0, err
    from titr.store.db import Store

    st = Store(cli_store)
    try:
        assert st.load_network("tiny").tariffs["T_AB"].amount == 55
        assert len(st.list_datasets()) == 1
    finally:
        st.close()


def test_summary_in_russian_and_bad_lang(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "network", "summary", str(TINY), "--lang", "ru")
    assert rc == 0, err
    assert "Порт Чарли" in out
    rc, _, err = _run(capsys, "network", "summary", str(TINY), "--lang", "kk")
    assert rc == 2 and "'kk' is not one of 'en', 'ru', 'tr'" in err


def _older_version(tmp_path: Path, version: str) -> Path:
    """A copy of the tiny dataset whose manifest says ``version``."""
    import shutil

    src = tmp_path / "src"
    shutil.copytree(TINY, src)
    man = json.loads((src / "manifest.json").read_text("utf-8"))
    man["version"] = version
    (src / "manifest.json").write_text(json.dumps(man), "utf-8")
    return src


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx"])
def test_export_of_an_older_version_is_named_by_name_and_version(
    cli_store: str,
    fmt: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every format's default file carries NAME-VERSION (cleaned), so exporting two versions
    never overwrites one with the other, and the version string does not steer the path."""
    assert main(["data", "import", str(_older_version(tmp_path, "0 draft:a*b"))]) == 0
    assert main(["data", "import", str(TINY)]) == 0
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    capsys.readouterr()
    rc, out, err = _run(capsys, "data", "export", "tiny@0 draft:a*b", "-f", fmt)
    assert rc == 0, err
    rc, out, err = _run(capsys, "data", "export", "tiny", "-f", fmt)
    assert rc == 0, err
    ext = {"csv": "", "geojson": ".geojson", "xlsx": ".xlsx"}[fmt]
    assert sorted(p.name for p in work.iterdir()) == [f"tiny-0_draft_a_b{ext}", f"tiny-1{ext}"]
    if fmt == "csv":
        assert read_dataset(work / "tiny-0_draft_a_b").version == "0 draft:a*b"


@pytest.mark.parametrize(
    ("fmt", "make", "message"),
    [
        ("csv", "file", "is a file"),
        ("csv", "other-folder", "no manifest.json"),
        ("geojson", "folder", "is a folder"),
        ("xlsx", "folder", "is a folder"),
        ("csv", "no-parent", "does not exist"),
    ],
)
def test_export_refuses_targets_it_would_clobber(
    fmt: str, make: str, message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "target"
    if make == "file":
        out.write_text("keep")
    elif make == "other-folder":
        out.mkdir()
        (out / "notes.txt").write_text("keep")
    elif make == "folder":
        out.mkdir()
    else:
        out = tmp_path / "nope" / "target"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    rc, _, err = _run(capsys, "data", "export", str(TINY), "-f", fmt, "-o", str(out))
    assert rc == 2 and message in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing half-written


def test_export_replaces_a_dataset_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "d"
    assert _run(capsys, "data", "export", str(TINY), "-o", str(out))[0] == 0
    (out / "stale.csv").write_text("x")
    assert _run(capsys, "data", "export", str(TINY), "-o", str(out))[0] == 0
    assert not (out / "stale.csv").exists()
    assert read_dataset(out).content_hash == read_dataset(TINY).content_hash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]  # no temporary left

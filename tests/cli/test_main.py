"""The CLI's entry point: --version, help without type names, configuration failures as one
line with a non-zero exit, solver banner and data warnings behind --verbose, JSON numbers
without float noise, a re-import that says nothing changed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from titr.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
TITR = Path(sys.executable).with_name("titr")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def _proc(*argv: str, env: dict[str, str] | None = None, timeout: int = 120) -> tuple[int, str]:
    """The installed `titr` in its own process (fd-level output, exit code)."""
    e = {**os.environ, "COLUMNS": "120", **(env or {})}
    r = subprocess.run([str(TITR), *argv], capture_output=True, text=True, env=e, timeout=timeout)
    return r.returncode, r.stdout + r.stderr


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from titr import __version__

    rc, out, _ = _run(capsys, "--version")
    assert rc == 0 and out.strip() == f"titr {__version__}"


COMMANDS = [
    ["route"],
    ["compare"],
    ["simulate"],
    ["plan"],
    ["assign"],
    ["bottlenecks"],
    ["indicators"],
    ["serve"],
    ["sources"],
    ["data", "export"],
    ["data", "import"],
    ["network", "summary"],
    ["demand", "import"],
]


@pytest.mark.parametrize("cmd", COMMANDS, ids=lambda c: "-".join(c))
def test_help_has_no_python_types(cmd: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = _run(capsys, *cmd, "--help")
    assert rc == 0
    for bad in ("<bool>", "<str>", "<int>", "<float>", "<path>", "list[", "NoneType", "{"):
        assert bad not in out, (bad, out)


def test_help_lists_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert "time|cost|generalized" in _run(capsys, "route", "--help")[1]
    assert "csv|geojson|xlsx" in _run(capsys, "data", "export", "--help")[1]
    assert "serial|local|dask" in _run(capsys, "simulate", "--help")[1]
    top = _run(capsys, "--help")[1]
    assert "--version" in top and "--verbose" in top and "en|ru|tr" in top
    usage = _run(capsys, "route", "--help")[1]
    assert "ORIGIN DESTINATION" in usage


BAD_URLS = [
    ("nonsense", "not a usable database URL"),
    ("foo://bar/baz", "not a usable database URL"),
    ("postgresql+psycopg://u:secret@127.0.0.1:1/x", "cannot open the database"),
    ("sqlite:////nonexistent-dir/sub/x.db", "cannot open the database"),
    ("mysql://u@127.0.0.1:1/x", "configuration error"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS)
def test_bad_database_url_is_one_line(
    url: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TITR_DATABASE_URL", url)
    rc, out, err = _run(capsys, "data", "list")
    text = out + err
    assert rc == 2, text
    assert message in text, text
    assert "Traceback" not in text and len(text.strip().splitlines()) == 1, text
    assert "secret" not in text  # the password is never printed


def test_postgres_url_without_the_extra() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None; sys.modules['psycopg2'] = None\n"
        "from titr.cli.main import main; sys.exit(main(['data', 'list']))"
    )
    env = {**os.environ, "TITR_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1:1/x"}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    text = r.stdout + r.stderr
    assert r.returncode == 2, text
    assert "titr[postgres]" in text and "Traceback" not in text
    assert len(text.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:1"])
def test_unreachable_dask_scheduler(address: str, tmp_path: Path) -> None:
    rc, text = _proc(
        "simulate",
        str(ROOT / "tests" / "data" / "sim" / "tiny.json"),
        "-n",
        "1",
        "--days",
        "20",
        "--executor",
        "dask",
        "--address",
        address,
        env={"TITR_HOME": str(tmp_path)},
    )
    assert rc == 2, text
    assert "cannot reach the Dask scheduler" in text and "Traceback" not in text
    assert len([ln for ln in text.splitlines() if "error" in ln]) == 1


@pytest.mark.slow
def test_solver_banner_and_warnings_only_with_verbose(tmp_path: Path) -> None:
    env = {"TITR_HOME": str(tmp_path)}
    rc, quiet = _proc("bottlenecks", "--scenario", "2027", env=env)
    assert rc == 0, quiet
    assert "Running HiGHS" not in quiet and "Copyright" not in quiet
    assert "no capacity given" not in quiet
    rc, loud = _proc("--verbose", "bottlenecks", "--scenario", "2027", env=env)
    assert rc == 0, loud
    assert "Running HiGHS" in loud


def test_json_has_no_float_noise(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "route", "Alpha", "Echo", "--dataset", str(TINY), "--json")
    assert rc == 0, err
    body = json.loads(out)
    assert body["routes"][0]["nodes"][-1] == "GE_E"
    noisy = re.findall(r"\d+\.\d*?(?:0000000|9999999)\d+", out)
    assert noisy == []
    for n in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", out):
        assert len(n.split(".")[1].split("e")[0]) <= 10, n


def test_reimport_says_unchanged(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TITR_DATABASE_URL", db_url)
    rc, out, _ = _run(capsys, "data", "import", str(TINY))
    assert rc == 0 and "imported" in out and "unchanged" not in out
    rc, out, _ = _run(capsys, "data", "import", str(TINY))
    assert rc == 0 and "already stored (unchanged)" in out and "imported" not in out
    rc, out, _ = _run(capsys, "data", "import", str(TINY), "--name", "tiny-copy")
    assert rc == 0 and "imported" in out


def test_dataset_option_on_sources_summary_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rc, out, err = _run(capsys, "sources", "--dataset", str(TINY))
    assert rc == 0 and "Test source one" in out, err
    rc, out, err = _run(capsys, "network", "summary", "--dataset", str(TINY))
    assert rc == 0 and "tiny@1#" in out, err
    dest = tmp_path / "t.geojson"
    rc, out, err = _run(
        capsys, "data", "export", "--dataset", str(TINY), "--format", "geojson", "-o", str(dest)
    )
    assert rc == 0 and json.loads(dest.read_text())["type"] == "FeatureCollection", err
    rc, _, err = _run(capsys, "sources", "tiny", "--dataset", str(TINY))
    assert rc == 2 and "two datasets given" in err


def test_global_lang_names(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = _run(capsys, "--lang", "tr", "network", "summary", str(TINY))
    assert rc == 0, err
    assert "Çarli Limanı" in out


def test_errors_in_the_cli_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    rc, _, err = _run(capsys, "--lang", "ru", "route", "Alpah", "Echo", "--dataset", str(TINY))
    assert rc == 2 and "не найдено" in err and "Места с названием «Alpah» нет." in err
    monkeypatch.setenv("TITR_LANG", "tr")
    rc, _, err = _run(capsys, "route", "Alpah", "Echo", "--dataset", str(TINY))
    assert rc == 2 and "'Alpah' adında bir yer yok." in err
    monkeypatch.setenv("TITR_LANG", "en")
    rc, _, err = _run(capsys, "route", "Alpah", "Echo", "--dataset", str(TINY))
    assert rc == 2 and "no place is called 'Alpah'." in err


def test_no_route_in_the_cli_language(capsys: pytest.CaptureFixture[str]) -> None:
    """Why no route exists, in --lang (the structure and the places' countries; codes stay
    codes without the dataset's names at hand)."""
    argv = ["route", "CN_A", "GE_E", "--avoid", "AZ", "--dataset", str(TINY)]
    rc, _, err = _run(capsys, "--lang", "ru", *argv)
    assert rc == 2 and "нет маршрута из пункта" in err and "страна Азербайджан" in err, err
    assert "no route" not in err and "blocks every route" not in err
    rc, _, err = _run(capsys, *argv)
    assert rc == 2 and "no route from CN_A to GE_E" in err

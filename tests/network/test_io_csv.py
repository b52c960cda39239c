"""The malformed-dataset corpus: every case names file, row, column and rule; the store is
unchanged after a failed import (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from titr.cli.main import main
from titr.errors import DataError, Issue
from titr.network.io_csv import read_dataset, validate_dataset
from titr.store.db import Store

HERE = Path(__file__).resolve().parents[1]
CORPUS = HERE / "malformed"
TINY = HERE / "data" / "tiny"
CASES: dict[str, dict[str, Any]] = json.loads((CORPUS / "cases.json").read_text("utf-8"))
ERROR_CASES = sorted(k for k, v in CASES.items() if v["expect"] == "error")


def _where(c: dict[str, Any]) -> str:
    """The place as `Issue.__str__` renders it: 'file, row N, column 'c''."""
    return str(Issue(c["file"], c["row"], c["column"], None, "")).removesuffix(": ")


def _matches(issue: Issue, c: dict[str, Any]) -> bool:
    return (
        issue.file == c["file"]
        and issue.row == c["row"]
        and issue.column == c["column"]
        and c["rule"] in issue.rule
    )


def _line_with(text: str, where: str, rule: str) -> str | None:
    for line in text.splitlines():
        if where in line and rule in line:
            return line
    return None


def test_corpus_is_large_enough_and_covers_the_issue_list() -> None:
    assert len(ERROR_CASES) >= 45
    for must in (
        "float-text", "int-fraction", "bool-maybe", "link-unknown-node", "process-unknown-node",
        "tariff-unknown-link", "tariff-unknown-service", "project-unknown-target",
        "unknown-commodity-in-list", "link-unknown-service", "alternative-missing-row",
        "alternative-missing-field", "capacity-zero", "capacity-negative",
        "capacity-without-unit", "capacity-without-source", "mw-on-rail", "per-teu-on-tonnes",
        "electricity-on-rail", "unterminated-quote", "stray-quote", "wrong-cell-count",
        "latin1-bytes", "utf8-bom", "empty-file", "header-only-nodes", "missing-required-file",
        "missing-manifest", "manifest-invalid-json", "manifest-without-version",
        "unknown-column", "duplicated-column", "missing-required-column", "duplicate-id",
        "duplicated-row", "huge-value", "inf-value", "nan-value", "lat-95", "lon-200",
        "latlon-zero", "missing-russian-name", "russian-name-latin", "unknown-source-id",
        "empty-source-cell", "est-without-reasoning", "time-min-gt-mode", "zero-time-link",
        "self-loop", "gauge-change-missing", "disconnected-part", "isolated-node",
        "unknown-mode", "unknown-reliability", "bad-country-code", "list-empty-item",
        "implausible-speed", "service-on-rail-link", "new-link-on-existing", "time-factor-zero",
    ):  # fmt: skip
        assert must in CASES, must
        assert (CORPUS / must).is_dir(), must


def test_committed_corpus_matches_the_generator(tmp_path: Path) -> None:
    """The plain-file folders are exactly what make_corpus.py writes (no hand edits)."""
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_corpus"] = mod  # dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
        mod.build(tmp_path)
    finally:
        sys.modules.pop("make_corpus", None)
    assert json.loads((tmp_path / "cases.json").read_text("utf-8")) == CASES
    for name in CASES:
        want = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
        got = {p.name: p.read_bytes() for p in (CORPUS / name).iterdir()}
        assert got == want, f"tests/malformed/{name} is stale: run make_corpus.py"


@pytest.mark.parametrize("case", ERROR_CASES)
def test_read_dataset_reports_the_issue(case: str) -> None:
    c = CASES[case]
    with pytest.raises(DataError) as ei:
        read_dataset(CORPUS / case)
    issues = ei.value.issues
    assert any(_matches(i, c) for i in issues), (
        f"{case}: expected {_where(c)}: ...{c['rule']}... among\n" + "\n".join(map(str, issues))
    )
    assert all(i.severity == "error" for i in issues)


@pytest.mark.parametrize("case", ERROR_CASES)
def test_cli_validate_prints_place_and_rule(case: str, capsys: pytest.CaptureFixture[str]) -> None:
    c = CASES[case]
    rc = main(["data", "validate", str(CORPUS / case)])
    out = capsys.readouterr()
    assert rc == 2
    line = _line_with(out.err, _where(c), c["rule"])
    assert line is not None, f"{case}: no line with {_where(c)!r} and {c['rule']!r} in\n{out.err}"
    assert "valid:" not in out.out


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def corpus_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """One store per backend for the whole corpus, already holding tiny (so counts are > 0)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('corpus') / 'titr.db'}"
    else:
        url = request.getfixturevalue("pg_cluster").new_database()
    st = Store(url)
    st.save_network(read_dataset(TINY))
    yield st
    st.close()


@pytest.mark.parametrize("case", ERROR_CASES)
def test_cli_import_fails_and_leaves_store_unchanged(
    case: str,
    corpus_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TITR_DATABASE_URL", corpus_store.url)
    before = corpus_store.table_counts()
    assert before["datasets"] >= 1 and before["ds_nodes"] >= 5
    rc = main(["data", "import", str(CORPUS / case), "--name", "broken"])
    err = capsys.readouterr().err
    assert rc == 2
    assert _line_with(err, _where(CASES[case]), CASES[case]["rule"]) is not None
    assert corpus_store.table_counts() == before
    assert [d["name"] for d in corpus_store.list_datasets()] == ["tiny"]


def test_bom_is_accepted_and_changes_nothing(
    corpus_store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert CASES["utf8-bom"]["expect"] == "valid"
    path = CORPUS / "utf8-bom"
    assert (path / "nodes.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    net = read_dataset(path)
    assert net.content_hash == read_dataset(TINY).content_hash
    assert main(["data", "validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out
    monkeypatch.setenv("TITR_DATABASE_URL", corpus_store.url)
    before = corpus_store.table_counts()
    assert main(["data", "import", str(path)]) == 0  # same name, version, content: idempotent
    assert corpus_store.table_counts() == before


def test_russian_name_in_latin_is_a_warning_only(capsys: pytest.CaptureFixture[str]) -> None:
    c = CASES["russian-name-latin"]
    assert c["expect"] == "warning"
    path = CORPUS / "russian-name-latin"
    net, warnings = validate_dataset(path)
    assert net.nodes["KZ_B"].name_ru == "Bravo"
    hits = [w for w in warnings if _matches(w, c)]
    assert hits and all(w.severity == "warning" for w in hits)
    read_dataset(path)  # does not raise
    rc = main(["data", "validate", str(path)])
    out = capsys.readouterr().out
    assert rc == 0
    line = _line_with(out, _where(c), c["rule"])
    assert line is not None and "warning" in line
    assert "valid" in out


def test_header_only_nodes_fails_references_and_emptiness() -> None:
    """Decision: a header-only file parses as zero rows; an empty nodes table then fails the
    dataset checks (no nodes, every link end unknown) rather than the parser."""
    with pytest.raises(DataError) as ei:
        read_dataset(CORPUS / "header-only-nodes")
    rules = [str(i) for i in ei.value.issues]
    assert any("nodes.csv" in r and "no nodes" in r for r in rules)
    unknown = [i for i in ei.value.issues if i.rule.startswith("unknown node")]
    assert len(unknown) >= 8  # both ends of all four links (plus processes)


def _copy_tiny(dest: Path) -> Path:
    shutil.copytree(TINY, dest)
    return dest


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_several_defects_in_several_files_are_all_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _copy_tiny(tmp_path / "multi")
    _edit(d / "nodes.csv", "43.6,51.2", "95,51.2")  # nodes row 4 lat
    _edit(d / "links.csv", ",2400,S001,", ",far,S001,")  # links row 3 distance
    _edit(d / "links.csv", "L_CD,KZ_C,AZ_D,ferry,true", "L_CD,KZ_C,AZ_D,ferry,maybe")  # row 4
    _edit(d / "processes.csv", ",S001,2,existing", ",S001,1.5,existing")  # row 2 servers
    _edit(d / "sources.csv", "2025-01-01,high", "2025-01-01,great")  # row 2 reliability
    _edit(d / "tariffs.csv", "per_TEU_km,0.15,USD,2025", "per_TEU_km,0.15,USD,soon")  # row 3
    want = [
        ("nodes.csv", 4, "lat"),
        ("links.csv", 3, "distance"),
        ("links.csv", 4, "bidirectional"),
        ("processes.csv", 2, "servers"),
        ("sources.csv", 2, "reliability"),
        ("tariffs.csv", 3, "year"),
    ]
    with pytest.raises(DataError) as ei:
        read_dataset(d)
    got = {(i.file, i.row, i.column) for i in ei.value.issues}
    assert set(want) <= got
    assert len(ei.value.issues) == len(want)  # one issue each, no echoes
    assert main(["data", "validate", str(d)]) == 2
    err = capsys.readouterr().err
    assert f"{len(want)} errors in the data" in err
    for f, r, col in want:
        assert f"{f}, row {r}, column '{col}'" in err


def test_several_consistency_defects_are_all_reported(tmp_path: Path) -> None:
    d = _copy_tiny(tmp_path / "multi2")
    _edit(d / "links.csv", "L_DE,AZ_D,GE_E", "L_DE,AZ_D,GE_X")  # unknown node
    _edit(
        d / "processes.csv",
        "P_B_BORDER,KZ_B,border,*,2,4,9,S001",
        "P_B_BORDER,KZ_B,border,*,2,4,9,S777",
    )
    _edit(d / "tariffs.csv", "T_AB,link,L_AB,container", "T_AB,link,L_AB,general")  # per_TEU on t
    _edit(d / "projects.csv", "SV_CD,vessels_add", "SV_ZZ,vessels_add")
    with pytest.raises(DataError) as ei:
        read_dataset(d)
    got = {(i.file, i.row, i.column) for i in ei.value.issues}
    assert {
        ("links.csv", 5, "b_node"),
        ("processes.csv", 3, "time_source"),
        ("tariffs.csv", 2, "basis"),
        ("projects.csv", 2, "target_ref"),
    } <= got


def test_problem_json_lists_every_issue() -> None:
    with pytest.raises(DataError) as ei:
        read_dataset(CORPUS / "header-only-nodes")
    p = ei.value.to_problem()
    assert p["status"] == 422
    assert len(p["errors"]) == len(ei.value.issues) >= 9
    assert {"file", "row", "column", "value", "rule", "severity"} <= set(p["errors"][0])


def test_field_and_reference_errors_are_reported_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad cell in one row and an unknown node in another: both at once (the README's
    'every error of every file at once'), not the second only after fixing the first."""
    d = _copy_tiny(tmp_path / "two-stage")
    _edit(d / "links.csv", ",2400,S001,", ",-5,S001,")  # links row 3 distance
    _edit(d / "links.csv", "L_DE,AZ_D,GE_E", "L_DE,AZ_D,NOPE")  # links row 5 unknown node
    _edit(d / "tariffs.csv", "per_TEU_km,0.15,USD,2025", "per_TEU_km,0.15,USD,soon")
    with pytest.raises(DataError) as ei:
        read_dataset(d)
    got = {(i.file, i.row, i.column, i.value) for i in ei.value.issues}
    assert ("links.csv", 3, "distance", "-5") in got
    assert ("links.csv", 5, "b_node", "NOPE") in got
    assert any(i.file == "tariffs.csv" and i.column == "year" for i in ei.value.issues)
    # the rejected link L_BC is not echoed as an unknown reference elsewhere
    assert not any(i.value == "L_BC" for i in ei.value.issues)
    assert len(ei.value.issues) == 3
    assert main(["data", "validate", str(d)]) == 2
    assert "3 errors in the data" in capsys.readouterr().err

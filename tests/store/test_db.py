"""The store on SQLite and on a real PostgreSQL: datasets, runs, scenarios, tokens, migrations."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from titr.cli.main import main
from titr.errors import DataError, NotFoundError, TitrError
from titr.network import attributes as attrs
from titr.network.io_csv import component_records, content_hash, read_dataset
from titr.network.model import Network
from titr.store import db as store_db
from titr.store import tables as T
from titr.store.db import DatasetExistsError, Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def tiny() -> Network:
    return read_dataset(TINY)


def _variant(net: Network, *, version: str | None = None, amount: float | None = None) -> Network:
    """A copy with another manifest version and/or another tariff amount (new content)."""
    upd: dict[str, object] = {}
    if version is not None:
        upd["manifest"] = net.manifest.model_copy(update={"version": version})
    if amount is not None:
        t = net.tariffs["T_AB"].model_copy(update={"amount": amount})
        upd["tariffs"] = {**net.tariffs, "T_AB": t}
    new = net.model_copy(update=upd)
    return new.model_copy(update={"content_hash": content_hash(new)})


def _assert_same(a: Network, b: Network) -> None:
    assert a.content_hash == b.content_hash
    assert a.manifest.name == b.manifest.name and a.manifest.version == b.manifest.version
    for comp in attrs.COMPONENTS:
        ra = [r.model_dump() for r in component_records(a, comp)]
        rb = [r.model_dump() for r in component_records(b, comp)]
        assert ra == rb, comp


def test_round_trip_equals_every_component(store: Store, tiny: Network) -> None:
    ds_id = store.save_network(tiny)
    back = store.load_network("tiny")
    _assert_same(back, tiny)
    assert back.label == tiny.label
    assert store.dataset_id("tiny", "1") == ds_id
    counts = store.table_counts()
    for comp in attrs.COMPONENTS:
        assert counts[T.component_table_name(comp)] == len(component_records(tiny, comp))


def test_round_trip_keeps_awkward_values(store: Store, tiny: Network) -> None:
    """Floats that are not short decimals, unicode in every script, lists, None, bools."""
    net = _variant(tiny, version="awkward", amount=1 / 3)
    n = net.nodes["KZ_C"].model_copy(
        update={"name_tr": "Çarşı İğdır ı", "note": 'quote " comma , semicolon ; “smart”'}
    )
    net = net.model_copy(update={"nodes": {**net.nodes, "KZ_C": n}})
    net = net.model_copy(update={"content_hash": content_hash(net)})
    store.save_network(net)
    back = store.load_network("tiny", "awkward")
    _assert_same(back, net)
    assert back.tariffs["T_AB"].amount == 1 / 3
    assert back.links["L_CD"].commodities == ["container", "general"]
    assert back.links["L_AB"].passages == []
    assert back.links["L_AB"].capacity_unit == "trains/day"
    assert back.services["SV_CD"].weather_sensitive is True


def test_bundled_dataset_changed_by_an_upgrade_replaces_the_stored_copy(
    store: Store, tiny: Network
) -> None:
    """`titr db init` / `titr serve` after an upgrade whose bundled dataset changed content
    under the same version: the shipped copy replaces the stored one, with a note (was:
    DatasetExistsError, so `make run` stopped and serve would not start)."""
    assert store.save_bundled(tiny) == (store.save_network(tiny), None)
    newer = _variant(tiny, amount=42.0)
    ds_id, note = store.save_bundled(newer)
    assert note is not None and "changed since it was stored" in note and newer.label in note
    assert store.load_network("tiny").content_hash == newer.content_hash
    assert len(store.list_datasets()) == 1
    assert store.save_bundled(newer) == (ds_id, None)  # then idempotent again


def test_reimport_is_idempotent(store: Store, tiny: Network) -> None:
    first = store.save_network(tiny)
    counts = store.table_counts()
    assert store.save_network(tiny) == first
    assert store.save_network(read_dataset(TINY)) == first
    assert store.table_counts() == counts


def test_same_name_version_other_content_needs_replace(store: Store, tiny: Network) -> None:
    store.save_network(tiny)
    other = _variant(tiny, amount=77.0)
    assert other.version == tiny.version and other.content_hash != tiny.content_hash
    counts = store.table_counts()
    with pytest.raises(DatasetExistsError, match="--replace"):
        store.save_network(other)
    assert store.table_counts() == counts
    store.save_network(other, replace=True)
    assert store.table_counts() == counts  # same number of rows, other content
    back = store.load_network("tiny")
    assert back.tariffs["T_AB"].amount == 77.0
    assert back.content_hash == other.content_hash
    assert len(store.list_datasets()) == 1


def test_several_datasets_side_by_side(store: Store, tiny: Network) -> None:
    store.save_network(tiny)
    v2 = _variant(tiny, version="2", amount=60.0)
    store.save_network(v2)
    store.save_network(tiny, name="tiny-copy")
    listing = store.list_datasets()
    assert [(d["name"], d["version"]) for d in listing] == [
        ("tiny", "1"),
        ("tiny", "2"),
        ("tiny-copy", "1"),
    ]
    assert all(d["nodes"] == 5 and d["links"] == 4 and d["projects"] == 1 for d in listing)
    assert store.load_network("tiny").version == "2"  # newest
    assert store.load_network("tiny", "1").tariffs["T_AB"].amount == 50.0
    assert store.load_network("tiny", "2").tariffs["T_AB"].amount == 60.0
    copy = store.load_network("tiny-copy")
    assert copy.name == "tiny-copy" and copy.nodes == tiny.nodes


def test_name_override_is_validated(store: Store, tiny: Network) -> None:
    with pytest.raises(DataError, match="--name"):
        store.save_network(tiny, name="bad name!")
    assert store.table_counts()["datasets"] == 0


def test_delete_dataset(store: Store, tiny: Network) -> None:
    store.save_network(tiny)
    ds_id = store.save_network(tiny, name="other")
    rid = store.create_run("sim", {"n": 1}, dataset_label="other", dataset_id=ds_id)
    store.delete_dataset("other")
    assert [d["name"] for d in store.list_datasets()] == ["tiny"]
    assert store.get_run(rid)["dataset_id"] is None  # the run survives, unlinked
    counts = store.table_counts()
    assert counts["ds_nodes"] == 5 and counts["datasets"] == 1
    with pytest.raises(NotFoundError):
        store.load_network("other")
    with pytest.raises(NotFoundError, match="tiny"):  # suggests close names
        store.delete_dataset("tiny2")


def test_unknown_dataset_suggests(store: Store, tiny: Network) -> None:
    store.save_network(tiny)
    with pytest.raises(NotFoundError) as ei:
        store.load_network("tinny")
    assert "tiny" in ei.value.suggestions
    with pytest.raises(NotFoundError):
        store.load_network("tiny", "9")


def test_corrupted_rows_are_detected(store: Store, tiny: Network) -> None:
    ds_id = store.save_network(tiny)
    t = T.component_tables["links"]
    with store.begin() as conn:
        conn.execute(
            sa.update(t).where(t.c.dataset_id == ds_id, t.c.id == "L_BC").values(distance=1.0)
        )
    with pytest.raises(TitrError, match="does not match its hash"):
        store.load_network("tiny")


@pytest.mark.parametrize("fail_at", ["links", "alternatives"])
def test_failure_mid_save_leaves_nothing(
    store: Store, tiny: Network, monkeypatch: pytest.MonkeyPatch, fail_at: str
) -> None:
    """The dataset row and the first components are inserted, then it fails: all rolled back."""
    real = store_db.component_records
    calls: list[str] = []

    def flaky(net: Network, comp: str):  # type: ignore[no-untyped-def]
        calls.append(comp)
        if comp == fail_at:
            raise RuntimeError("disk full (simulated)")
        return real(net, comp)

    before = store.table_counts()
    monkeypatch.setattr(store_db, "component_records", flaky)
    with pytest.raises(RuntimeError, match="simulated"):
        store.save_network(tiny)
    assert calls[:2] == ["sources", "nodes"]  # components were written before the failure
    assert store.table_counts() == before
    monkeypatch.setattr(store_db, "component_records", real)
    store.save_network(tiny)
    _assert_same(store.load_network("tiny"), tiny)


def test_failed_replace_keeps_the_old_dataset(
    store: Store, tiny: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save_network(tiny)
    before = store.table_counts()
    real = store_db.component_records

    def flaky(net: Network, comp: str):  # type: ignore[no-untyped-def]
        if comp == "processes":
            raise RuntimeError("simulated")
        return real(net, comp)

    monkeypatch.setattr(store_db, "component_records", flaky)
    with pytest.raises(RuntimeError):
        store.save_network(_variant(tiny, amount=1.0), replace=True)
    monkeypatch.setattr(store_db, "component_records", real)
    assert store.table_counts() == before
    _assert_same(store.load_network("tiny"), tiny)


def test_runs_and_items(store: Store) -> None:
    rid = store.create_run("montecarlo", {"seed": 1, "n": 3}, dataset_label="tiny@1", total=3)
    assert store.add_run_item(rid, 0, {"mean": 1.5}) is True
    assert store.add_run_item(rid, 2, {"mean": 2.5, "tags": ["a", "é"]}) is True
    assert store.add_run_item(rid, 0, {"mean": 99}) is False  # already there, not overwritten
    assert store.run_items(rid) == {0: {"mean": 1.5}, 2: {"mean": 2.5, "tags": ["a", "é"]}}
    r = store.get_run(rid)
    assert r["status"] == "running" and r["done"] == 2 and r["total"] == 3
    assert r["params"] == {"seed": 1, "n": 3}
    store.finish_run(rid, "done", result={"p50": 12.0})
    r = store.get_run(rid)
    assert r["status"] == "done" and r["result"] == {"p50": 12.0}
    other = store.create_run("assign", {}, run_id="fixed-id")
    assert other == "fixed-id"
    assert {x["id"] for x in store.list_runs()} == {rid, "fixed-id"}
    assert [x["id"] for x in store.list_runs(kind="assign")] == ["fixed-id"]
    assert len(store.list_runs(limit=1)) == 1
    with pytest.raises(NotFoundError):
        store.get_run("nope")
    with pytest.raises(sa.exc.IntegrityError):
        store.create_run("assign", {}, run_id="fixed-id")


def test_scenarios(store: Store) -> None:
    sid = store.save_scenario("high", "demand", {"growth": 0.05}, dataset_name="tiny")
    assert isinstance(sid, int)
    s = store.get_scenario("high")
    assert s["data"] == {"growth": 0.05} and s["kind"] == "demand"
    with pytest.raises(DatasetExistsError):
        store.save_scenario("high", "demand", {"growth": 0.1})
    store.save_scenario("high", "demand", {"growth": 0.1}, replace=True)
    assert store.get_scenario("high")["data"] == {"growth": 0.1}
    assert store.list_scenarios() == [{"name": "high", "kind": "demand", "dataset_name": None}]
    with pytest.raises(NotFoundError) as ei:
        store.get_scenario("low")
    assert ei.value.suggestions == ["high"]


def test_tokens(store: Store) -> None:
    tok = store.create_token("alice")
    assert tok.startswith("titr_") and len(tok) > 30
    assert store.check_token(tok)
    assert not store.check_token(tok + "x")
    assert not store.check_token(None) and not store.check_token("")
    with store.begin() as conn:  # stored hashed, never in clear
        hashes = [r[0] for r in conn.execute(sa.select(T.api_tokens.c.token_hash))]
    assert tok not in hashes and len(hashes) == 1
    assert store.revoke_tokens("alice") == 1
    assert not store.check_token(tok)


def test_migrations_up_down_up_and_no_drift(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    st = Store(db_url)
    try:
        assert st.table_counts()["datasets"] == 0
        st.downgrade("base")
        names = set(sa.inspect(st.engine).get_table_names()) - {"alembic_version"}
        assert names == set()
        st.migrate()
        with st.engine.connect() as conn:
            mc = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(mc, T.metadata)
        assert diff == [], diff
        st.save_network(read_dataset(TINY))
        assert st.load_network("tiny").name == "tiny"
    finally:
        st.close()


def test_second_store_on_same_database_sees_data(db_url: str) -> None:
    a = Store(db_url)
    b = Store(db_url)  # migrating an up-to-date database is a no-op
    try:
        a.save_network(read_dataset(TINY))
        assert [d["name"] for d in b.list_datasets()] == ["tiny"]
    finally:
        a.close()
        b.close()


def test_database_url_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TITR_DATABASE_URL", "postgresql://u@h/db")
    assert store_db.database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.delenv("TITR_DATABASE_URL")
    monkeypatch.setenv("TITR_HOME", str(tmp_path / "home"))
    assert store_db.database_url() == f"sqlite:///{tmp_path / 'home' / 'titr.db'}"
    assert (tmp_path / "home").is_dir()  # created on first use


def test_cli_import_list_delete_and_name_override(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TITR_DATABASE_URL", db_url)
    assert main(["data", "import", str(TINY)]) == 0
    assert main(["data", "import", str(TINY), "--name", "tiny-b"]) == 0
    assert main(["data", "import", str(TINY)]) == 0  # idempotent
    out = capsys.readouterr().out
    assert "imported tiny 1" in out and "imported tiny-b 1" in out
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "tiny-b" in out and out.count("tiny") >= 2
    st = Store(db_url)
    try:
        assert [d["name"] for d in st.list_datasets()] == ["tiny", "tiny-b"]
        assert main(["data", "import", str(TINY), "--name", "no spaces allowed"]) == 2
        assert "--name" in capsys.readouterr().err
        assert main(["data", "delete", "tiny-b"]) == 0
        assert [d["name"] for d in st.list_datasets()] == ["tiny"]
        assert main(["data", "delete", "tiny-b"]) == 2
        assert "no dataset 'tiny-b'" in capsys.readouterr().err
    finally:
        st.close()

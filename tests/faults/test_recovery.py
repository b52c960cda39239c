"""Stale state after a kill: kill -9 of `titr serve` mid-run leaves the run "interrupted" (not
"running" forever) for the next server, which resumes it through the API to the same result;
kill -9 of `titr simulate --executor local` takes its worker processes with it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from titr import jsonfmt
from titr.api import create_app
from titr.api.server import free_port, serve_in_thread
from titr.network.io_csv import read_dataset
from titr.sim import simulate
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
SCENARIO = {
    "name": "recovery",
    "horizon_days": 365,
    "demand": [
        {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": 20000}
    ],
}
TITR = [sys.executable, "-m", "titr.cli.main"]


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out |= {int(x) for x in f.read().split()}
    except OSError:
        pass
    return out


def _env(db_url: str, home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TITR_DATABASE_URL": db_url,
        "TITR_HOME": str(home),
        "TITR_RUN_HEARTBEAT_S": "0.5",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.mark.slow
def test_kill_9_of_the_server_leaves_a_resumable_interrupted_run(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TITR_RUN_HEARTBEAT_S", "0.5")
    store = Store(db_url)
    store.save_network(read_dataset(TINY))
    token = store.create_token("recovery")
    auth = {"Authorization": f"Bearer {token}"}
    port = free_port()
    proc = subprocess.Popen(
        [*TITR, "serve", "--port", str(port), "--dataset", "tiny"],
        env=_env(db_url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "titr serve did not start"
            time.sleep(0.2)
        req = {"dataset": "tiny", "scenario": SCENARIO, "replications": 40, "seed": 3}
        r = httpx.post(base + "/api/simulations", json=req, headers=auth, timeout=30)
        assert r.status_code == 202, r.text
        run_id = r.json()["id"]
        while store.get_run(run_id)["done"] < 3:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    info = store.get_run(run_id)
    assert info["status"] == "running" and info["done"] < 40  # what the kill left behind
    time.sleep(2.0)  # more than 3 heartbeats: the run's owner is gone
    app = create_app(db_url, default_dataset="tiny")  # the next server
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as c:
        st = c.get(f"/api/simulations/{run_id}").json()
        assert st["status"] == "interrupted" and "resume" in st["error"]
        r = c.delete(f"/api/simulations/{run_id}", headers=auth)
        assert r.status_code == 409  # nothing runs it: cancel is refused, resume is the way
        assert c.post(f"/api/simulations/{run_id}/resume").status_code == 401
        r = c.post(f"/api/simulations/{run_id}/resume", headers=auth)
        assert r.status_code == 202, r.text
        r2 = c.post(f"/api/simulations/{run_id}/resume", headers=auth)
        assert r2.status_code == 409  # running again
        deadline = time.monotonic() + 120
        while (st := c.get(f"/api/simulations/{run_id}").json())["status"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert st["status"] == "done" and st["done"] == 40
    expect = simulate(read_dataset(TINY), SCENARIO, replications=40, seed=3).to_dict()
    # the API's JSON carries 10 significant digits (titr.jsonfmt): compare like with like
    assert st["result"]["statistics"] == jsonfmt.tidy(expect["statistics"])
    store.close()


@pytest.mark.slow
def test_kill_9_of_a_local_simulation_takes_its_workers_along(
    tmp_path: Path,
) -> None:
    db_url = f"sqlite:///{tmp_path / 'titr.db'}"
    store = Store(db_url)
    store.save_network(read_dataset(TINY))
    store.close()
    scen = tmp_path / "scenario.json"
    scen.write_text(json.dumps(SCENARIO), "utf-8")
    proc = subprocess.Popen(
        [
            *TITR,
            "simulate",
            str(scen),
            "--dataset",
            "tiny",
            "-n",
            "5000",
            "--executor",
            "local",
            "--workers",
            "2",
        ],
        env=_env(db_url, tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    kids: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(kids := _children(proc.pid)) < 2:
            assert time.monotonic() < deadline and proc.poll() is None, "no workers started"
            time.sleep(0.1)
        time.sleep(1.0)
        kids = _children(proc.pid)
        assert all(_alive(k) for k in kids)
        os.kill(proc.pid, signal.SIGKILL)  # the parent only, as `kill -9 PID`
        proc.wait(30)
        deadline = time.monotonic() + 10
        while any(_alive(k) for k in kids) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [k for k in kids if _alive(k)]
        assert not left, f"worker processes {left} outlived their parent"
    finally:
        for k in kids | _children(proc.pid):  # never leave a stray process behind
            if _alive(k):
                os.kill(k, signal.SIGKILL)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    # the next command finds the run and marks it interrupted, resumable
    st = Store(db_url)
    time.sleep(1.6)
    ids = st.recover_interrupted(stale_s=1.5)
    assert len(ids) == 1 and st.get_run(ids[0])["status"] == "interrupted"
    st.close()


def test_cli_resume_of_a_run_whose_process_died(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run left "running" by a dead process (its heartbeat stopped) is resumed by
    `simulate(resume=...)` (`titr simulate --resume`) to the uninterrupted result."""
    monkeypatch.setenv("TITR_RUN_HEARTBEAT_S", "0.5")
    net = read_dataset(TINY)
    dead = Store(db_url)
    sc = {**SCENARIO, "horizon_days": 60}
    with pytest.raises(KeyboardInterrupt):

        def stop_after_two(done: int, total: int) -> None:
            if done >= 2:
                raise KeyboardInterrupt

        simulate(net, sc, replications=6, seed=5, store=dead, progress=stop_after_two)
    run_id = dead.list_runs("simulation")[0]["id"]
    # as if the process had died instead of handling Ctrl-C: status back to running, no beat
    with dead.begin() as conn:
        import sqlalchemy as sa

        from titr.store import tables as T

        conn.execute(sa.update(T.runs).where(T.runs.c.id == run_id).values(status="running"))
    dead.close()
    time.sleep(1.6)
    st = Store(db_url)
    res = simulate(net, sc, store=st, resume=run_id)
    assert st.get_run(run_id)["status"] == "done"
    assert (
        res.to_dict()["statistics"]
        == simulate(net, sc, replications=6, seed=5).to_dict()["statistics"]
    )
    st.close()

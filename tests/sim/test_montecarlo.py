"""Monte Carlo: identical results on every executor (serial, local processes, a real Dask
LocalCluster, a `dask scheduler` + `dask worker` pair on loopback), replications stored as they
finish, resume after cancel and after SIGKILL, the --until-ci stop rule, the background API."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from titr import jsonfmt
from titr.network.bundled import load
from titr.sim import compile_model, load_scenario, replicate, simulate, start_background
from titr.sim.montecarlo import CancelledRun

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "sim"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def small():  # type: ignore[no-untyped-def]
    sc = load_scenario(DATA / "tiny.toml")
    return load(sc.dataset or ""), sc


def _dumps(res: Any) -> list[str]:
    return [json.dumps(s, sort_keys=True) for s in res.summaries]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_local_processes_and_dask_localcluster_match_serial(small) -> None:  # type: ignore[no-untyped-def]
    net, sc = small
    ref = simulate(net, sc, replications=4, seed=5, executor="serial")
    loc = simulate(net, sc, replications=4, seed=5, executor="local", workers=2)
    dsk = simulate(net, sc, replications=4, seed=5, executor="dask", workers=1)
    assert _dumps(ref) == _dumps(loc) == _dumps(dsk)
    assert ref.to_dict() == dsk.to_dict()


def test_dask_batches_cover_every_replication_once_in_order() -> None:
    from titr.sim.montecarlo import DASK_BATCH_MAX, dask_batches

    for n_reps, workers in ((1, 1), (3, 2), (8, 1), (100, 2), (1000, 2), (37, 5), (5, 64), (96, 4)):
        reps = list(range(10, 10 + n_reps))
        b = dask_batches(reps, workers)
        assert [r for x in b for r in x] == reps
        assert all(1 <= len(x) <= DASK_BATCH_MAX for x in b)
        if n_reps >= 4 * workers * DASK_BATCH_MAX:
            assert max(len(x) for x in b) == DASK_BATCH_MAX
        assert len(b) >= min(n_reps, 4 * workers)  # enough tasks to balance the workers
        # as many tasks for every worker, of sizes that differ by at most one
        assert len(b) % workers == 0 or len(b) == n_reps
        assert max(len(x) for x in b) - min(len(x) for x in b) <= 1
    assert [len(x) for x in dask_batches(list(range(1000)), 2)] == [8] * 118 + [7] * 8
    assert dask_batches([], 2) == []


@pytest.mark.slow
def test_batched_dask_tasks_match_serial(small) -> None:  # type: ignore[no-untyped-def]
    # 8 replications on 1 worker run as tasks of 2 replications each
    net, sc = small
    ref = simulate(net, sc, replications=8, seed=3, executor="serial")
    dsk = simulate(net, sc, replications=8, seed=3, executor="dask", workers=1)
    assert _dumps(ref) == _dumps(dsk)


@pytest.mark.slow
def test_dask_scheduler_and_worker_pair_on_loopback(small) -> None:  # type: ignore[no-untyped-def]
    net, sc = small
    port = _free_port()
    dask = str(VENV_BIN / "dask")
    sched = subprocess.Popen(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [
            dask,
            "worker",
            f"tcp://127.0.0.1:{port}",
            "--nworkers",
            "1",
            "--nthreads",
            "1",
            "--no-dashboard",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        from distributed import Client

        with Client(f"tcp://127.0.0.1:{port}", timeout="30s") as c:
            c.wait_for_workers(1, timeout=60)
        got = simulate(
            net, sc, replications=3, seed=9, executor="dask", address=f"tcp://127.0.0.1:{port}"
        )
    finally:
        for p in (worker, sched):
            p.terminate()
        for p in (worker, sched):
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    ref = simulate(net, sc, replications=3, seed=9, executor="serial")
    assert _dumps(got) == _dumps(ref)


def test_replications_stored_cancel_and_resume(small, store) -> None:  # type: ignore[no-untyped-def]
    net, sc = small
    full = simulate(net, sc, replications=6, seed=2, executor="serial")
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 2:
            cancel.set()

    with pytest.raises(CancelledRun):
        simulate(
            net,
            sc,
            replications=6,
            seed=2,
            executor="serial",
            store=store,
            progress=progress,
            cancel=cancel,
        )
    (run,) = store.list_runs(kind="simulation")
    assert store.get_run(run["id"])["status"] == "cancelled"
    items = store.run_items(run["id"])
    assert 2 <= len(items) < 6
    res = simulate(net, {}, store=store, resume=run["id"], executor="serial")
    assert res.run_id == run["id"] and res.replications == 6
    assert _dumps(res) == _dumps(full)
    info = store.get_run(run["id"])
    assert info["status"] == "done" and info["done"] == 6
    assert info["result"]["statistics"] == json.loads(json.dumps(full.to_dict()))["statistics"]


@pytest.mark.slow
def test_sigkill_midway_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    d = json.loads((DATA / "tiny.json").read_text())
    d.update(dataset=str(DATA.parent / "tiny"), horizon_days=365)
    d["horizon_days"] = 240
    scen = tmp_path / "year.json"
    scen.write_text(json.dumps(d))
    env = dict(os.environ, TITR_HOME=str(tmp_path / "home"))
    env.pop("TITR_DATABASE_URL", None)
    titr = str(VENV_BIN / "titr")
    total = 24
    proc = subprocess.Popen(
        [
            titr,
            "simulate",
            str(scen),
            "-n",
            str(total),
            "--seed",
            "4",
            "--executor",
            "local",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    from titr.store.db import Store

    db = tmp_path / "home" / "titr.db"
    st: Store | None = None
    deadline = time.time() + 60
    run_id, done = None, 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if not db.exists():
            continue
        try:
            st = st or Store(f"sqlite:///{db}", migrate=False)
            runs = st.list_runs(kind="simulation")
            if runs:
                run_id = runs[0]["id"]
                done = len(st.run_items(run_id))
        except Exception:  # the CLI may still be creating the schema
            continue
        if done >= 3:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert run_id is not None and st is not None
    kept = st.run_items(run_id)
    assert 3 <= len(kept) < total, "the run must be killed mid-way"
    out = subprocess.run(
        [titr, "simulate", "--resume", run_id, "--executor", "serial", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    resumed = json.loads(out.stdout)
    for r, item in kept.items():  # finished replications were not recomputed or lost
        assert st.run_items(run_id)[r] == item
    sc = load_scenario(scen)
    full = simulate(load(sc.dataset or ""), sc, replications=total, seed=4, executor="serial")
    assert resumed["replications"] == total
    # the CLI's JSON carries 10 significant digits (titr.jsonfmt): compare like with like
    assert resumed["statistics"] == jsonfmt.tidy(full.to_dict()["statistics"])
    st.close()


def test_until_ci_stops_early_and_is_a_prefix(small) -> None:  # type: ignore[no-untyped-def]
    net, sc = small
    early = simulate(net, sc, replications=30, seed=1, executor="serial", until_ci=30.0)
    assert early.replications == 5
    full = simulate(net, sc, replications=6, seed=1, executor="serial")
    assert _dumps(early) == _dumps(full)[:5]
    strict = simulate(net, sc, replications=6, seed=1, executor="serial", until_ci=1e-6)
    assert strict.replications == 6


def _p90(v: float) -> dict[str, Any]:
    return {"transit": {"p90_d": v}}


def test_stop_rule_does_not_depend_on_arrival_order() -> None:
    from titr.sim.montecarlo import _StopRule
    from titr.sim.stats import p90_halfwidth_days

    vals = [10.0, 30.0, 11.0, 29.0, 20.0, 20.5, 19.5, 20.2, 19.8, 20.1, 19.9, 20.0]
    sums = [_p90(v) for v in vals]
    until = 6.5  # half-widths for 5..12 replications: 11.8 8.9 7.2 6.0 5.2 4.5 4.1 3.7
    # the serial answer: the first prefix length >= min_reps whose half-width <= until
    want = next(m for m in range(5, len(vals) + 1) if p90_halfwidth_days(sums[:m]) <= until)
    assert 5 < want < len(vals)  # the stop is neither the first check nor "all"
    orders = [list(range(len(vals))), list(reversed(range(len(vals)))), [3, 1, 0, 2, 7, 5, 6, 4]]
    orders.append([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    for order in orders:
        rule, have = _StopRule(len(vals), until, 5), {}
        got = None
        for r in order:
            have[r] = sums[r]
            got = rule.count(have)
            if got is not None:
                break
        assert got == want, order
    # rep 0 arriving last makes every replication arrive at once: still the serial prefix
    rule = _StopRule(len(vals), until, 5)
    assert rule.count({r: sums[r] for r in range(1, len(vals))}) is None
    assert rule.count(dict(enumerate(sums))) == want
    # without until_ci: all of them, once all are there
    rule = _StopRule(len(vals), None, 5)
    assert rule.count(dict(enumerate(sums[:-1]))) is None
    assert rule.count(dict(enumerate(sums))) == len(vals)
    # min_reps above the count: the whole run
    assert _StopRule(3, 1e9, 5).count(dict(enumerate(sums[:3]))) == 3


def test_resumed_run_with_every_replication_applies_the_stop_rule() -> None:
    from titr.sim.montecarlo import run_reps

    sums = [_p90(v) for v in (10.0, 30.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0)]
    done = dict(enumerate(sums))
    # nothing is left to run, so no model is needed; the stop rule still gives the prefix
    out = run_reps(None, 8, done=done, until_ci=50.0, min_reps=2, executor="serial")  # type: ignore[arg-type]
    assert out == sums[:3]  # half-width 127 d with 2 replications, 25 d with 3
    assert run_reps(None, 8, done=done, executor="serial") == sums  # type: ignore[arg-type]


def test_stop_rule_checks_each_prefix_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from titr.sim import montecarlo as mc

    calls: list[int] = []
    monkeypatch.setattr(mc, "p90_halfwidth_days", lambda s: calls.append(len(s)) or 1e9)
    rule, have = mc._StopRule(200, 1.0, 5), {}
    for r in range(200):
        have[r] = _p90(float(r))
        assert rule.count(have) == (200 if r == 199 else None)
    assert sorted(calls) == list(range(5, 201))  # 196 checks, not ~20,000


def test_dask_tuning_settings() -> None:
    pytest.importorskip("distributed")
    import dask

    from titr.sim.montecarlo import dask_tuning

    t = dask_tuning()
    env = t["distributed.nanny.pre-spawn-environ"]
    assert "MALLOC_TRIM_THRESHOLD_" not in env
    assert env.get("OMP_NUM_THREADS") == 1  # the rest of Dask's defaults stay
    assert t["distributed.worker.profile.enabled"] is False
    assert t["distributed.admin.tick.interval"] == "500ms"
    # dask_tuning only reads the configuration
    assert "MALLOC_TRIM_THRESHOLD_" in dask.config.get("distributed.nanny.pre-spawn-environ")


@pytest.mark.slow
def test_local_dask_cluster_applies_the_tuning_and_leaves_config_alone(small) -> None:  # type: ignore[no-untyped-def]
    import dask
    from distributed import Client

    from titr.sim import montecarlo as mc

    def _worker_state(dask_worker: Any) -> dict[str, Any]:  # nested: sent by value
        import os

        w = dask_worker  # client.run passes the worker by this argument's name
        return {
            "trim": os.environ.get("MALLOC_TRIM_THRESHOLD_"),
            "profile": "profile" in w.periodic_callbacks,
            "tick": w._tick_interval,
            "threads": w.state.nthreads,
        }

    before = dask.config.get("distributed.admin.tick.interval")
    with mc.local_dask_cluster(2) as cl, Client(cl.scheduler_address) as c:
        states = list(c.run(_worker_state).values())
        assert dask.config.get("distributed.admin.tick.interval") == before
        assert len(states) == 2
        for st in states:
            assert st == {"trim": None, "profile": False, "tick": 0.5, "threads": 1}
        net, sc = small
        model = compile_model(net, sc)
        got = mc.run_reps(model, 5, 7, executor="dask", address=cl.scheduler_address)
        spent = sum(c.run(mc.replication_cpu).values())
        assert spent > 0  # replications ran in the workers, and were counted there
    ref = mc.run_reps(model, 5, 7, executor="serial")
    assert [json.dumps(s, sort_keys=True) for s in got] == [
        json.dumps(s, sort_keys=True) for s in ref
    ]
    with mc.local_dask_cluster(1, tuned=False) as cl, Client(cl.scheduler_address) as c:
        (st,) = c.run(_worker_state).values()
        assert st["trim"] == "65536" and st["profile"] is True and st["tick"] == 0.02


def test_background_thread_progress_cancel_and_result(small) -> None:  # type: ignore[no-untyped-def]
    net, sc = small
    seen: list[tuple[int, int]] = []
    th, cancel, box = start_background(
        net,
        sc,
        progress=lambda d, t: seen.append((d, t)),
        replications=3,
        seed=0,
        executor="serial",
    )
    th.join(60)
    res = box["result"]
    assert seen[-1] == (3, 3) and res.replications == 3
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert d["critical_resource"] and "transit.p90_d" in d["statistics"]
    df = res.to_frame()
    assert list(df.columns) == ["statistic", "mean", "ci_low", "ci_high", "n"]
    row = df.set_index("statistic").loc["transit.p90_d"]
    assert row.ci_low <= row["mean"] <= row.ci_high

    th2, cancel2, box2 = start_background(
        net,
        sc,
        progress=lambda d, t: cancel2.set() if d >= 1 else None,
        replications=50,
        seed=0,
        executor="serial",
    )
    th2.join(60)
    assert isinstance(box2.get("error"), CancelledRun)


def test_cli_simulate_table_and_event_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from titr.cli.main import main

    rc = main(
        [
            "simulate",
            str(DATA / "tiny.toml"),
            "-n",
            "2",
            "--executor",
            "serial",
            "--days",
            "40",
            "--events",
            str(tmp_path / "ev.parquet"),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "CN_A>GE_E:container" in out and "critical path" in out
    assert (tmp_path / "ev.parquet").stat().st_size > 0
    rc = main(["simulate", str(DATA / "tiny.toml"), "--until-ci", "soon"])
    assert rc == 2
    rc = main(["simulate", str(DATA / "tiny.toml"), "--executor", "ray", "-n", "1"])
    assert rc == 2


@pytest.mark.slow
def test_ctrl_c_marks_run_interrupted_and_resume_completes(tmp_path: Path) -> None:
    d = json.loads((DATA / "tiny.json").read_text())
    d.update(dataset=str(DATA.parent / "tiny"), horizon_days=365)
    scen = tmp_path / "s.json"
    scen.write_text(json.dumps(d))
    env = dict(os.environ, TITR_HOME=str(tmp_path / "home"))
    env.pop("TITR_DATABASE_URL", None)
    total = 60
    proc = subprocess.Popen(
        [str(VENV_BIN / "titr"), "simulate", str(scen), "-n", str(total), "--executor", "serial"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # a runner started with SIGINT ignored (nohup, `cmd &` in a script) passes SIG_IGN to
        # its children, and Python then installs no KeyboardInterrupt handler: give the child
        # the default disposition, as a terminal would
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    from titr.store.db import Store

    db = tmp_path / "home" / "titr.db"
    st: Store | None = None
    run_id = None
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
        try:
            st = st or (Store(f"sqlite:///{db}", migrate=False) if db.exists() else None)
            runs = st.list_runs(kind="simulation") if st else []
            if runs and st is not None and st.run_items(runs[0]["id"]):
                run_id = runs[0]["id"]
                break
        except Exception:
            continue
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err
    assert st is not None and run_id is not None
    info = st.get_run(run_id)
    assert info["status"] == "interrupted" and 1 <= info["done"] < total, info
    kept = st.run_items(run_id)
    sc = load_scenario(scen)
    net = load(sc.dataset or "")
    res = simulate(net, {}, store=st, resume=run_id, executor="serial")
    assert res.replications == total and st.get_run(run_id)["status"] == "done"
    got = _dumps(res)
    for r, item in kept.items():  # stored replications were reused as they were
        assert got[r] == json.dumps(item, sort_keys=True)
    model = compile_model(net, sc)
    for r in (0, total - 1):  # and the rest equal a fresh computation
        assert got[r] == json.dumps(replicate(model, 0, r), sort_keys=True)
    st.close()


def test_dask_worker_malloc_settings_are_undone() -> None:
    """In a process started the way Dask's nanny starts workers (MALLOC_TRIM_THRESHOLD_=65536),
    every 1 MB numpy array is a fresh mmap with its page faults until the thresholds are raised."""
    code = (
        "import resource, numpy as np\n"
        "from titr.sim import montecarlo as mc\n"
        "def faults():\n"
        "    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "    for _ in range(50):\n"
        "        a = np.ones(2**17); del a\n"
        "    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0\n"
        "before = faults()\n"
        "mc._undo_dask_malloc_trim()\n"
        "faults()\n"
        "print(before, faults(), mc._MALLOC_TUNED)\n"
    )
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "65536"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    before, after, tuned = int(out[0]), int(out[1]), out[2]
    assert tuned == "True"
    assert before >= 50 * 200  # 256 pages per 1 MB array, faulted in every time
    assert after < before / 10

"""Every benchmark runs in its --quick mode and exits 0: a smoke run that fails when a
benchmark breaks or one of its equal-output checks fails (not a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_"))
HELPERS = ("simpy_reference.py",)  # imported by simulation.py, not a benchmark of its own
SOAKS = ("soak.py",)  # a bounded load run of the server: errors and refusals, no peer


def test_every_benchmark_is_listed() -> None:
    assert {
        "api.py",
        "dask_scaling.py",
        "flows.py",
        "montecarlo.py",
        "routing.py",
        "scale.py",
        "simulation.py",
    } <= set(SCRIPTS)


@pytest.mark.slow
@pytest.mark.parametrize("script", [s for s in SCRIPTS if s not in HELPERS])
def test_quick_run(script: str) -> None:
    r = subprocess.run(
        [sys.executable, str(BENCH / script), "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, f"{script} --quick failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    if script in SOAKS:  # no peer to compare with: its check is that nothing failed
        out = json.loads(r.stdout)
        assert out["soak"]["errors"] == 0 and out["soak"]["requests"] > 0, out["soak"]
        assert not out["malformed_uploads"]["unexpected"], out["malformed_uploads"]
        return
    # _bench.check prints "check: ..."; a benchmark with its own check says "equal ..."
    assert "check:" in r.stdout or "equal" in r.stdout, "no equal-output check ran"
    assert "DIFFERENT" not in r.stdout

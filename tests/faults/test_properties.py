"""Property tests: random bytes, mutated archives and extreme-but-valid numbers fed to every
reader (dataset zip/CSV, cells, scenarios, demand CSV, quantities) and to the upload and
simulation endpoints. The only allowed failure is a TitrError (CLI exit 2 / API 4xx): no
other exception, no traceback, no 5xx, the store unchanged."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from titr.errors import Issue, TitrError
from titr.network import attributes as attrs
from titr.network.io_csv import read_component, read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
EXTREME = st.one_of(
    st.sampled_from(
        [0.0, -0.0, 5e-324, 1.175494351e-38, 1e-300, 1e12, 1e15, 1.7976931348623157e308, -1e308]
    ),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
)
COUNTS: dict[str, int] = {}


def _only_titr_errors(fn: Any, *a: Any, **kw: Any) -> str:
    try:
        fn(*a, **kw)
    except TitrError as e:
        assert str(e)  # a message naming the place and the rule
        return "refused"
    return "accepted"


def _tiny_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(TINY.iterdir()):
            zf.writestr(f"tiny/{p.name}", p.read_bytes())
    return buf.getvalue()


ZIP = _tiny_zip()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("props")
    print("property cases:", COUNTS)


@SETTINGS
@given(data=st.binary(max_size=4096))
def test_random_bytes_as_a_dataset(data: bytes, scratch: Path) -> None:
    p = scratch / "random.zip"
    p.write_bytes(data)
    COUNTS["random-bytes"] = COUNTS.get("random-bytes", 0) + 1
    assert _only_titr_errors(read_dataset, p) == "refused"


@SETTINGS
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(ZIP) - 1), st.integers(1, 255)), min_size=1, max_size=8
    ),
    cut=st.one_of(st.none(), st.integers(0, len(ZIP))),
)
def test_mutated_archives(flips: list[tuple[int, int]], cut: int | None, scratch: Path) -> None:
    buf = bytearray(ZIP)
    for pos, x in flips:
        buf[pos] ^= x
    data = bytes(buf[:cut] if cut is not None else buf)
    p = scratch / "mutated.zip"
    p.write_bytes(data)
    COUNTS["mutated-zip"] = COUNTS.get("mutated-zip", 0) + 1
    _only_titr_errors(read_dataset, p)


COMPONENTS = sorted(attrs.COMPONENTS)


@SETTINGS
@given(comp=st.sampled_from(COMPONENTS), text=st.text(max_size=2000))
def test_random_text_as_a_component_csv(comp: str, text: str) -> None:
    issues: list[Issue] = []
    COUNTS["component-text"] = COUNTS.get("component-text", 0) + 1
    read_component(comp, text, f"{comp}.csv", issues)  # never raises: issues collect


@SETTINGS
@given(
    comp=st.sampled_from(COMPONENTS),
    idx=st.integers(0, 40),
    cell=st.one_of(st.text(max_size=50), EXTREME.map(repr), EXTREME.map(str)),
)
def test_random_cells(comp: str, idx: int, cell: str) -> None:
    table = attrs.table()[comp]
    a = table[idx % len(table)]
    COUNTS["cell"] = COUNTS.get("cell", 0) + 1
    try:
        v = attrs.parse_cell(a, cell)
    except attrs.CellError:
        return
    if isinstance(v, float):
        assert math.isfinite(v)
    if a.type in ("float", "int") and v is not None:
        assert cell.strip().isascii()  # numbers are ASCII decimal, nothing else


@SETTINGS
@given(
    horizon=EXTREME,
    warmup=EXTREME,
    per_year=EXTREME,
    reps=st.integers(-5, 10),
    name=st.text(max_size=30),
)
def test_scenarios_with_extreme_numbers(
    horizon: Any, warmup: Any, per_year: Any, reps: int, name: str
) -> None:
    from titr.sim import compile_model, parse_scenario

    net = read_dataset(TINY)
    raw = {
        "name": name,
        "horizon_days": horizon,
        "warmup_days": warmup,
        "demand": [
            {
                "origin": "CN_A",
                "destination": "GE_E",
                "commodity": "container",
                "per_year": per_year,
            }
        ],
    }
    COUNTS["scenario"] = COUNTS.get("scenario", 0) + 1

    def go() -> None:
        sc = parse_scenario(raw, "prop")
        compile_model(net, sc)

    _only_titr_errors(go)


@SETTINGS
@given(text=st.one_of(st.text(max_size=40), EXTREME.map(lambda x: f"{x} Mt")))
def test_quantities(text: str) -> None:
    from titr.graph.units import parse_quantity

    COUNTS["quantity"] = COUNTS.get("quantity", 0) + 1
    try:
        value, _ = parse_quantity(text)
    except TitrError:
        return
    assert math.isfinite(value) and value > 0, (text, value)


@SETTINGS
@given(data=st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_random_demand_csv(data: bytes) -> None:
    from titr.flows.demand import read_demand_csv

    net = read_dataset(TINY)
    COUNTS["demand-csv"] = COUNTS.get("demand-csv", 0) + 1
    _only_titr_errors(read_demand_csv, data, net, name="p", year=2025)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from titr.api import create_app
    from titr.store.db import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('props-api') / 'titr.db'}"
    st_ = Store(url)
    st_.save_network(read_dataset(TINY))
    token = st_.create_token("props")
    with TestClient(create_app(url, default_dataset="tiny"), raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        c.store = st_  # type: ignore[attr-defined]
        yield c
    st_.close()


@SETTINGS
@given(data=st.binary(max_size=4096))
def test_upload_endpoint_with_random_and_mutated_bytes(data: bytes, client: Any) -> None:
    before = client.store.table_counts()
    for body in (data, ZIP[: len(ZIP) // 2] + data):
        r = client.post("/api/datasets", files={"file": ("x.zip", body, "application/zip")})
        assert r.status_code in (413, 422), r.text[:300]
        assert r.headers["content-type"].startswith("application/problem+json")
    COUNTS["upload"] = COUNTS.get("upload", 0) + 2
    assert client.store.table_counts() == before


@SETTINGS
@given(days=EXTREME, reps=EXTREME, seed=EXTREME, until=EXTREME)
def test_simulation_endpoint_with_extreme_numbers(
    days: Any, reps: Any, seed: Any, until: Any, client: Any
) -> None:
    import json

    body = {
        "scenario": {
            "horizon_days": 30,
            "demand": [
                {"origin": "CN_A", "destination": "GE_E", "commodity": "container", "per_year": 10}
            ],
        },
        "days": days,
        "replications": reps,
        "seed": seed,
        "until_ci": until,
    }
    raw = json.dumps(body, allow_nan=True)  # NaN/Infinity literals as a hostile client sends
    r = client.post("/api/simulations", content=raw, headers={"content-type": "application/json"})
    COUNTS["simulation-body"] = COUNTS.get("simulation-body", 0) + 1
    assert r.status_code < 500, r.text[:300]
    if r.status_code == 202:
        client.delete(f"/api/simulations/{r.json()['id']}")

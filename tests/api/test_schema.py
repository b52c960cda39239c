"""Schemathesis over the OpenAPI spec of a live server: no 5xx, responses conform to the
documented schemas, status codes and content types (bounded examples, well under 60 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.network.io_csv import read_dataset
from titr.store.db import Store

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('schema') / 'titr.db'}"
    st = Store(url)
    st.save_network(read_dataset(TINY))
    token = st.create_token("schemathesis")
    with serve_in_thread(create_app(url, default_dataset="tiny")) as base:
        yield {"base": base, "token": token}
    st.close()


def _fuzz(
    base: str, headers: dict[str, str] | None, max_examples: int, methods: set[str]
) -> list[str]:
    """Run every operation of the spec with `max_examples` generated cases; return the
    operations exercised (a failing check raises)."""
    from hypothesis import given

    spec = schemathesis.openapi.from_url(base + "/openapi.json")
    done = []
    for result in spec.get_all_operations():
        op = result.ok()
        if op.method.upper() not in methods:
            continue

        @given(case=op.as_strategy())
        @settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case: Any) -> None:
            # a generous read timeout: some answers solve an LP, and CI may share its cores
            case.call_and_validate(base_url=base, checks=CHECKS, headers=headers, timeout=60)

        run()
        done.append(f"{op.method.upper()} {op.path}")
    return done


def _operations(base: str) -> set[str]:
    import httpx

    spec = httpx.get(base + "/openapi.json").json()
    return {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item}


@pytest.mark.slow
def test_no_server_errors_and_schema_conformance(live: dict[str, Any]) -> None:
    """Anonymous calls: reads answer 2xx/4xx per the spec, writes answer the documented 401;
    every operation of the spec is exercised."""
    done = _fuzz(live["base"], None, 15, {"GET", "POST", "DELETE"})
    assert set(done) == _operations(live["base"])


@pytest.mark.slow
def test_every_operation_with_a_token_conforms(live: dict[str, Any]) -> None:
    """With a valid token every operation (reads too) sees fuzzed input: no 5xx, answers as
    documented (429 when the simulation limits are full, 413/422 for bad uploads)."""
    auth = {"Authorization": f"Bearer {live['token']}"}
    done = _fuzz(live["base"], auth, 10, {"GET", "POST", "DELETE"})
    assert set(done) == _operations(live["base"])


def test_a_wrong_token_is_a_documented_401(live: dict[str, Any]) -> None:
    """An unknown token on every write: 401 problem+json as documented, never a 5xx."""
    auth = {"Authorization": "Bearer titr_not-a-token"}
    done = _fuzz(live["base"], auth, 5, {"POST", "DELETE"})
    assert "POST /api/simulations/{run_id}/resume" in done


def test_authorised_writes_conform(live: dict[str, Any]) -> None:
    """With a valid token the write endpoints see fuzzed bodies too (bad zips, odd forms)."""
    auth = {"Authorization": f"Bearer {live['token']}"}
    done = _fuzz(live["base"], auth, 15, {"POST", "DELETE"})
    assert "DELETE /api/datasets/{ref}" in done

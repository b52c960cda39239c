"""Route results as JSON: `RouteResult.to_json` (what the API sends) is the engine's
`to_dict` with numbers at titr.jsonfmt's 10 digits, whatever path built the steps."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest

from titr.errors import TitrError
from titr.jsonfmt import tidy
from titr.network.model import Network
from titr.routing import route
from titr.routing.result import RouteResult


def _queries(net: Network, n: int, seed: int) -> list[RouteResult]:
    rng = random.Random(seed)
    nodes = sorted(net.nodes)
    out: list[RouteResult] = []
    options = [
        {"by": "time", "alternatives": 1},
        {"by": "cost", "alternatives": 3},
        {"by": "generalized", "alternatives": 2, "per": "t"},
        {"by": "time", "alternatives": 3, "avoid": ["RU"]},
        {"by": "cost", "alternatives": 1, "per": "feu", "single_tariff": False},
    ]
    tries = 0
    while len(out) < n and tries < 50 * n:
        tries += 1
        o, d = rng.sample(nodes, 2)
        kw = options[len(out) % len(options)]
        try:
            out.append(route(net, o, d, "container", seed=tries, **kw))  # type: ignore[arg-type]
        except TitrError:
            continue
    assert len(out) == n
    return out


def test_to_json_is_the_tidy_dict(corridor: Network) -> None:
    results = _queries(corridor, 40, 3)
    assert sum(len(r.routes) for r in results) > 60
    for res in results:
        assert json.loads(res.to_json()) == tidy(res.to_dict())
    # steps are shared per graph arc: a second answer over the same arcs reuses them
    again = route(corridor, results[0].origin, results[0].destination, "container")
    assert (
        again.routes[0].steps[0]
        is route(corridor, results[0].origin, results[0].destination, "container")
        .routes[0]
        .steps[0]
    )


def test_to_json_without_cached_steps_and_with_non_finite_values(corridor: Network) -> None:
    res = _queries(corridor, 3, 11)
    for r in res:
        plain = dataclasses.replace(
            r, routes=[dataclasses.replace(x, step_json=None) for x in r.routes]
        )
        assert plain.to_json() == r.to_json()
        # a non-finite number is JSON null, as in to_dict
        odd = dataclasses.replace(
            r,
            routes=[dataclasses.replace(r.routes[0], objective_value=float("inf"))],
            notes=["Актау – Баку"],
        )
        got = json.loads(odd.to_json())
        assert got["routes"][0]["objective_value"] is None
        assert got == tidy(odd.to_dict())
        assert "Актау".encode() in odd.to_json()  # UTF-8, not \u escapes


def test_step_json_that_does_not_match_the_steps_is_not_used(corridor: Network) -> None:
    r = _queries(corridor, 1, 5)[0]
    rt = r.routes[0]
    assert rt.step_json is not None and len(rt.step_json) == len(rt.steps)
    short = dataclasses.replace(rt, step_json=rt.step_json[:-1])
    doc = json.loads(dataclasses.replace(r, routes=[short]).to_json())
    assert doc["routes"][0] == tidy(rt.to_dict())


@pytest.mark.parametrize("by", ["time", "cost"])
def test_tiny_via_and_alternatives(by: str) -> None:
    from pathlib import Path

    import titr

    tiny = titr.load_dataset(str(Path(__file__).resolve().parents[1] / "data" / "tiny"))
    res = route(tiny, "CN_A", "GE_E", by=by, alternatives=2)
    assert json.loads(res.to_json()) == tidy(res.to_dict())

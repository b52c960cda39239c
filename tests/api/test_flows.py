"""GET /api/flows over a real uvicorn server on loopback: the read-only assignment that the
map draws as line width. It is `titr assign --json` (one domain function): the same numbers,
link by link; bad parameters are problem+json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from titr.api import create_app
from titr.api.server import serve_in_thread
from titr.cli.main import main
from titr.jsonfmt import tidy

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    url = f"sqlite:///{tmp_path_factory.mktemp('flows') / 'titr.db'}"
    app = create_app(url, default_dataset="middle-corridor-2025")
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=120) as c:
        yield c


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["assign", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("scenario", ["2025", "2027"])
def test_api_flows_equal_the_cli_assignment(
    client: httpx.Client, capsys: pytest.CaptureFixture[str], scenario: str
) -> None:
    r = client.get("/api/flows", params={"scenario": scenario, "top": 25})
    assert r.status_code == 200, r.text
    api = tidy(r.json())
    cli = _cli(capsys, "--scenario", scenario, "--top", "25")
    assert api["dataset"] == cli["dataset"] and "#" in api["dataset"]
    assert api["links"] == cli["links"]  # link by link, the same volumes
    for body in (api, cli):  # the solver's wall-clock times are the only difference
        for k in ("build_s", "solve_s"):
            assert body["summary"].pop(k) >= 0
    assert api == cli  # and the whole answer
    links = api["links"]
    assert len(links) > 10
    assert all(x["t"] > 0 or x["by_commodity"] for x in links)
    assert [x["t"] for x in links] == sorted((x["t"] for x in links), reverse=True)


def test_link_volumes_add_up_to_the_resource_flows(client: httpx.Client) -> None:
    """Each link's tonnes (both directions) equal the t/yr flow of its two link resources
    in the same answer, for every link resource the assignment uses: one flow, two views."""
    body = client.get("/api/flows", params={"scenario": "2027"}).json()
    per_link: dict[str, float] = {}
    for res in body["resources"]:
        if res["kind"] == "link" and res["unit"] == "t/yr":
            per_link[res["ref"]] = per_link.get(res["ref"], 0.0) + res["flow"]
    drawn = {x["link"]: x["t"] for x in body["links"]}
    checked = 0
    for link, t in per_link.items():
        if t <= 0:
            assert link not in drawn or drawn[link] == pytest.approx(0, abs=1e-6)
            continue
        assert drawn[link] == pytest.approx(t, rel=1e-6), link
        checked += 1
    assert checked >= 10
    teu = sum(x["teu"] for x in body["links"] if x["link"] == "L_BEI_MNG")
    assert teu == pytest.approx(
        sum(
            x["by_commodity"].get("container", 0) for x in body["links"] if x["link"] == "L_BEI_MNG"
        )
    )


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"scenario": "nope"}, 404),
        ({"scenario": "x" * 101}, 422),
        ({"scenario": "2027", "top": 0}, 422),
        ({"scenario": "2027", "top": 501}, 422),
        ({"scenario": "2027", "top": "ten"}, 422),
        ({"scenario": "2027", "dataset": "no-such-dataset"}, 404),
    ],
)
def test_bad_parameters_are_problems(
    client: httpx.Client, params: dict[str, Any], status: int
) -> None:
    r = client.get("/api/flows", params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["detail"]

"""The API reports the shipper price and the unsubsidised cost of the China–Europe trains the
same way as the CLI and the engine (titr.tariff.through.block_train_subsidy)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from titr.api import create_app
from titr.network.bundled import load
from titr.store.db import Store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('tariff-api') / 'titr.db'}"
    st = Store(url)
    st.save_network(load("middle-corridor-2025"))
    st.close()
    with TestClient(create_app(url, default_dataset="middle-corridor-2025")) as c:
        yield c


def test_compare_rows_carry_price_cost_and_subsidy(client: TestClient) -> None:
    r = client.get(
        "/api/compare",
        params={"from": "Xian", "to": "Duisburg", "per": "feu", "corridors": "northern,sea_suez"},
    )
    assert r.status_code == 200, r.text
    rows = {c["corridor"]: c for c in r.json()["corridors"]}
    north, sea = rows["northern"], rows["sea_suez"]
    assert north["tariff_subsidy_usd"] > 0 and sea["tariff_subsidy_usd"] == 0
    for row in (north, sea):
        assert row["tariff_usd"] == pytest.approx(
            row["tariff_unsubsidised_usd"] - row["tariff_subsidy_usd"]
        )
        t = row["route"]["tariff"]
        assert t["total_usd"] == pytest.approx(row["tariff_usd"])
        assert t["unsubsidised_usd"] == pytest.approx(sum(ln["usd"] for ln in t["lines"]))
    sub = north["route"]["tariff"]["subsidy"]
    assert sub["country"] == "CN" and sub["tariff_id"].startswith("T_SUB_CN_")
    assert sub["usd"] == pytest.approx(north["tariff_subsidy_usd"])


def test_route_subsidy_operator_in_the_readers_language(client: TestClient) -> None:
    r = client.get("/api/routes", params={"from": "Xian", "to": "Duisburg", "lang": "ru"})
    assert r.status_code == 200, r.text
    sub = r.json()["routes"][0]["tariff"]["subsidy"]
    assert sub is not None and sub["operator"] == "Местные органы власти КНР"

"""The one place resolver: codes, names in en/ru/tr, case and accents ignored, country names in
five languages, ambiguity listed, suggestions as "Name (CODE)"."""

from __future__ import annotations

from pathlib import Path

import pytest

from titr.errors import NotFoundError
from titr.network.io_csv import read_dataset
from titr.network.model import Network
from titr.network.places import fold, places, resolve_country, resolve_node

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def net() -> Network:
    from titr.network.bundled import load

    return load("middle-corridor-2025")


NODES = [
    ("KZ_AKTAU", "KZ_AKTAU"),
    ("kz_aktau", "KZ_AKTAU"),
    ("Aktau", "KZ_AKTAU"),
    ("AKTAU", "KZ_AKTAU"),
    ("Актау", "KZ_AKTAU"),
    ("актау", "KZ_AKTAU"),
    ("Aktau International Sea Trade Port", "KZ_AKTAU"),
    ("Altynkol", "KZ_ALT"),
    ("Altynkol (Khorgos Gateway dry port)", "KZ_ALT"),
    ("Алтынколь", "KZ_ALT"),
    ("Altınköl", "KZ_ALT"),
    ("altinkol", "KZ_ALT"),
    ("Poti", "GE_POTI"),
    ("Поти", "GE_POTI"),
    ("Alat", "AZ_ALAT"),
    ("Алят", "AZ_ALAT"),
    ("Baku", "AZ_BAK"),
    ("Bakü", "AZ_BAK"),
    ("Стамбул", "TR_IST"),
    ("İstanbul", "TR_IST"),
    ("istanbul", "TR_IST"),
    ("ISTANBUL", "TR_IST"),
    ("Xi'an", "CN_XIAN"),
    ("Xian", "CN_XIAN"),
    ("Сиань", "CN_XIAN"),
    ("Urumçi", "CN_URC"),
    ("Sangachal", "AZ_SANG"),
    ("  Dostyk  ", "KZ_DOS"),
    ("Małaszewicze", None),  # only when the dataset has it
]


@pytest.mark.parametrize(("query", "code"), NODES)
def test_nodes_by_code_and_name(net: Network, query: str, code: str | None) -> None:
    if code is None:
        hits = places(net).find_nodes(query)
        assert all(h in net.nodes for h in hits)
        return
    assert resolve_node(net, query) == code
    assert net.resolve_node(query) == code  # the model's method is the same resolver


COUNTRIES = [
    ("RU", "RU"),
    ("ru", "RU"),
    ("Russia", "RU"),
    ("Россия", "RU"),
    ("Rusya", "RU"),
    ("Ресей", "RU"),
    ("Rusiya", "RU"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("Турция", "TR"),
    ("Iran", "IR"),
    ("İran", "IR"),
    ("Иран", "IR"),
    ("Georgia", "GE"),
    ("Gürcistan", "GE"),
    ("Грузия", "GE"),
    ("Kazakhstan", "KZ"),
    ("Kazakistan", "KZ"),
    ("Qazaxıstan", "KZ"),
    ("Azerbaycan", "AZ"),
    ("Азербайджан", "AZ"),
    ("Narnia", None),
    ("", None),
    ("XX", None),
    ("France", None),  # a real country the dataset does not have
]


@pytest.mark.parametrize(("query", "code"), COUNTRIES)
def test_countries_in_five_languages(net: Network, query: str, code: str | None) -> None:
    assert resolve_country(net, query) == code


def test_unknown_place_suggests_names_with_codes(net: Network) -> None:
    with pytest.raises(NotFoundError) as e:
        resolve_node(net, "Aktay")
    msg = str(e.value)
    assert "no place is called 'Aktay'" in msg
    assert "Aktau International Sea Trade Port (KZ_AKTAU)" in msg
    assert "Aktau International Sea Trade Port (KZ_AKTAU)" in e.value.suggestions


def test_suggestions_in_the_asked_language(net: Network) -> None:
    with pytest.raises(NotFoundError) as e:
        resolve_node(net, "Aktay", lang="ru")
    assert "Актау (KZ_AKTAU)" in e.value.suggestions


def test_ambiguity_is_listed_not_guessed() -> None:
    net = read_dataset(TINY)
    twin = net.nodes["KZ_B"].model_copy(update={"id": "KZ_B2"})
    nodes = {**net.nodes, "KZ_B2": twin}
    net2 = net.model_copy(update={"nodes": nodes})
    with pytest.raises(NotFoundError) as e:
        resolve_node(net2, "Bravo")
    msg = str(e.value)
    assert "names several places" in msg and "(KZ_B)" in msg and "(KZ_B2)" in msg
    assert resolve_node(net2, "KZ_B2") == "KZ_B2"  # the code still decides


BAD = ["", "   ", "!!!", "Nowhere", "KZ_", "Aktauu-port-x", "\x00", "a" * 500, "Альфа Омега"]


@pytest.mark.parametrize("query", BAD)
def test_bad_names_raise_not_found(net: Network, query: str) -> None:
    with pytest.raises(NotFoundError):
        resolve_node(net, query)


def test_fold() -> None:
    assert fold("İSTANBUL") == fold("istanbul") == fold("Istanbul")
    assert fold("Małaszewicze") == "malaszewicze"
    assert fold("Xi'an (dry port)") == "xiandryport"


def test_avoid_takes_country_names(net: Network) -> None:
    from titr.routing.restrict import classify

    for q in ("Russia", "Россия", "Rusya", "RU", "country:Rusya"):
        assert classify(net, q) == ("country", "RU"), q
    assert classify(net, "Gibraltar")[0] == "passage"  # the strait, not the territory
    assert classify(net, "country:Gibraltar") == ("country", "GI")
    with pytest.raises(NotFoundError, match=r"Russia \(RU\)"):
        classify(net, "Narnia")


def test_simulation_flows_take_names(net: Network) -> None:
    from titr.sim.model import compile_model
    from titr.sim.scenario import parse_scenario

    sc = parse_scenario(
        {
            "horizon_days": 30,
            "warmup_days": 0,
            "demand": [
                {
                    "origin": "Altynkol",
                    "destination": "Поти",
                    "commodity": "container",
                    "per_year": 20000,
                }
            ],
        }
    )
    model = compile_model(net, sc)
    assert {(p.origin, p.destination) for p in model.paths} == {("KZ_ALT", "GE_POTI")}


def test_link_and_node_labels(net: Network) -> None:
    from titr.network.places import link_label, node_label

    lk = next(iter(net.links.values()))
    text = link_label(net, lk.id)
    assert lk.id not in text and node_label(net, lk.a_node) in text and lk.mode in text
    assert node_label(net, "KZ_AKTAU", "ru") == "Актау"
    assert link_label(net, "NOPE") == "NOPE" and node_label(net, "NOPE") == "NOPE"


def test_route_notes_name_links_not_ids() -> None:
    from titr.routing import route

    tiny = read_dataset(TINY)
    res = route(tiny, "Alpha", "Echo")
    notes = " ".join(res.to_dict().get("notes", []))
    if "no tariff data" in notes:
        assert "L_" not in notes, notes
        assert "Delta Port" in notes or "Echo" in notes, notes


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("", "empty place name"),
        ("   ", "empty place name"),
        ("';--", "no place is called '';--'"),  # punctuation is not an empty name
        ("!!!", "no place is called '!!!'"),
        ("<script>", "no place is called '<script>'"),
    ],
)
def test_not_found_message_quotes_what_was_asked(net: Network, query: str, needle: str) -> None:
    with pytest.raises(NotFoundError) as e:
        resolve_node(net, query)
    assert needle in str(e.value)

"""`titr route` / `titr compare` print every money and CO2 column in one unit (--per)."""

from __future__ import annotations

import re

import pytest

from titr.cli.main import main


def _numbers(line: str) -> list[float]:
    return [float(x.replace(",", "")) for x in re.findall(r"(?<![\w.])\d[\d,]*(?:\.\d+)?", line)]


@pytest.mark.parametrize("per", ["feu", "teu"])
def test_route_steps_add_up_to_the_total_in_the_same_unit(
    capsys: pytest.CaptureFixture[str], per: str
) -> None:
    assert main(["route", "CN_XIAN", "KZ_DOS", "--per", per]) == 0
    out = capsys.readouterr().out
    assert f"tariff USD/{per}" in out and f"CO2 kg/{per}" in out and f"USD/{per} " in out
    total = next(_numbers(ln)[6] for ln in out.splitlines() if ln.startswith("│ 1 "))
    steps = [
        _numbers(ln)[-1]
        for ln in out.splitlines()
        if ln.startswith(("│ link", "│ pass", "│ transfer", "│ wait"))
    ]
    assert steps and sum(steps) == pytest.approx(total, abs=len(steps))


def test_compare_co2_follows_the_unit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "CN_XIAN", "KZ_DOS", "--per", "teu"]) == 0
    teu = capsys.readouterr().out
    assert main(["compare", "CN_XIAN", "KZ_DOS", "--per", "feu"]) == 0
    feu = capsys.readouterr().out
    row_t = next(ln for ln in teu.splitlines() if ln.startswith("│ middle"))
    row_f = next(ln for ln in feu.splitlines() if ln.startswith("│ middle"))
    # columns: km, mean, p10, p50, p90, shipper USD, unsubsidised USD, CO2
    (usd_t, co2_t), (usd_f, co2_f) = _numbers(row_t)[5:8:2], _numbers(row_f)[5:8:2]
    assert usd_f == pytest.approx(2 * usd_t, abs=2) and co2_f == pytest.approx(2 * co2_t, abs=2)


def test_single_tariff_names_the_rate_and_its_scope(capsys: pytest.CaptureFixture[str]) -> None:
    """Xi'an → Constanța on the Middle Corridor takes the newest rate published for China →
    Constanța; Xi'an → Duisburg the China–Europe one; Altynkol → Poti has none: exit 2."""
    assert main(["route", "Xian", "Constanta", "--avoid", "northern", "--single-tariff"]) == 0
    out = capsys.readouterr().out
    assert "T_CORR_MIDDLE_2025, 2025, CN → RO" in out
    assert main(["route", "Xian", "Duisburg", "--avoid", "northern", "--single-tariff"]) == 0
    assert "T_CORR_MIDDLE_2023, 2023, CN → DE/" in capsys.readouterr().out
    assert main(["route", "Altynkol", "Poti", "--single-tariff"]) == 2
    err = capsys.readouterr()
    text = err.out + err.err
    assert "do not apply to a route from KZ to GE" in text and "Traceback" not in text


BAD_VIAS = [
    "",
    "country:",
    "node:",
    "country:Atlantis",
    "country:XX",
    "node:Narnia",
    "Atlantis",
    "ZZ_NOWHERE",
    "!!!",
    "AZ,GE",
    "node:country:AZ",
    "Baku Tbilisi",
]


@pytest.mark.parametrize("via", BAD_VIAS)
def test_bad_via_is_one_message_and_exit_2(capsys: pytest.CaptureFixture[str], via: str) -> None:
    assert main(["route", "Altynkol", "Poti", "--via", via]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip(), err


@pytest.mark.parametrize(("via", "lang"), [("Россия", "ru"), ("Rusya", "tr"), ("Russia", "en")])
def test_via_country_in_three_languages(
    capsys: pytest.CaptureFixture[str], via: str, lang: str
) -> None:
    assert main(["--lang", lang, "route", "Altynkol", "Poti", "--via", via, "--json"]) == 0
    import json

    body = json.loads(capsys.readouterr().out)
    assert body["via"] == ["RU"]


def test_route_states_the_shipper_price_and_the_subsidy(capsys: pytest.CaptureFixture[str]) -> None:
    """Xi'an → Duisburg leaves China by rail: the total column is the shipper price, the line
    under the breakdown gives price = unsubsidised cost − subsidy with the row it comes from."""
    assert main(["route", "Xian", "Duisburg", "--per", "feu", "--year", "2019"]) == 0
    out = capsys.readouterr().out
    total = next(_numbers(ln)[6] for ln in out.splitlines() if ln.startswith("│ 1 "))
    m = re.search(
        r"shipper price ([\d,]+) USD/feu = unsubsidised cost ([\d,]+) − ([\d,]+) CN block-train "
        r"subsidy \(Chinese local governments, 40% of the freight; row T_SUB_CN_2019 of 2019, "
        r"price year 2019",
        out.replace("\n", " "),
    )
    assert m, out[-800:]
    price, cost, sub = (float(x.replace(",", "")) for x in m.groups())
    assert price == pytest.approx(cost - sub, abs=1) and price == pytest.approx(total, abs=1)
    assert sub == pytest.approx(0.4 * cost, abs=1)


def test_compare_shows_shipper_and_unsubsidised_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "Xian", "Duisburg", "--per", "feu"]) == 0
    out = capsys.readouterr().out
    assert "shipper USD/feu" in out and "unsubsidised" in out
    rows = {
        ln.split("│")[1].strip(): _numbers(ln) for ln in out.splitlines() if ln.startswith("│ ")
    }
    north, sea = rows["northern"], rows["sea_suez"]
    assert north[5] < north[6]  # subsidised China–Europe train
    assert sea[5] == sea[6]  # the ship from Shanghai is not subsidised
    assert "shipper = unsubsidised − CN block-train subsidy" in out.replace("\n", " ")


def test_no_bare_sea_country_code_in_tables(capsys: pytest.CaptureFixture[str]) -> None:
    """The international placeholder XX reads 'Sea and Caspian shipping' (review item 9)."""
    assert main(["route", "Shanghai", "Rotterdam", "--by", "cost"]) == 0
    out = capsys.readouterr().out
    assert "Sea and Caspian shipping" in out and "│ XX " not in out
    assert main(["bottlenecks", "--top", "5"]) == 0
    out = capsys.readouterr().out
    assert "│ XX " not in out and "Sea and Caspian shipping" in out


@pytest.mark.parametrize("bad", ["1989", "2101", "abc", "-5", "2025.5", ""])
def test_bad_price_year_exits_2(capsys: pytest.CaptureFixture[str], bad: str) -> None:
    for cmd in (["route", "Xian", "Duisburg"], ["compare", "Xian", "Duisburg"]):
        assert main([*cmd, "--year", bad]) == 2
        err = capsys.readouterr()
        assert "Traceback" not in err.out + err.err and "--year" in err.out + err.err

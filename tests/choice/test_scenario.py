"""Policy scenario files: bundled ones load; malformed TOML/JSON is located (counted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import titr
from titr.choice.scenario import bundled_scenarios, load_scenario, read_scenario
from titr.errors import DataError, NotFoundError


@pytest.fixture(scope="module")
def net():  # type: ignore[no-untyped-def]
    return titr.load_dataset()


def test_bundled_scenarios_load(net):
    names = bundled_scenarios()
    for must in (
        "baseline",
        "single-tariff",
        "time-halved",
        "red-sea-closed",
        "northern-closed",
        "caspian-storms",
        "carbon-100",
        "caspian-capacity",
    ):
        assert must in names
    s = load_scenario("time-halved", net)
    assert [lv.value for lv in s.active(2030, "time")] == [0.5]
    assert [lv.value for lv in s.active(2028, "time")] == [0.25]
    assert s.active(2026, "time") == []
    cap = load_scenario("caspian-capacity", net)
    assert set(cap.projects(2026)) < set(cap.projects(2028))
    with pytest.raises(NotFoundError, match="Did you mean"):
        load_scenario("single-tarif", net)


def test_round_trip_json_and_toml(net, tmp_path: Path):
    s = load_scenario("time-halved", net)
    p = tmp_path / "s.json"
    p.write_text(json.dumps(s.to_dict()), "utf-8")
    assert load_scenario(str(p), net).to_dict() == s.to_dict()


GOOD = 'name = "x"\n[[levers]]\nkind = "tariff"\ncorridor = "middle"\nusd_per_feu = 3000\nfrom_year = 2026\n'

# (case, text, column of the issue, rule fragment)
BAD = [
    ("empty", "", None, "empty"),
    ("broken toml", "name = \n", None, "invalid TOML"),
    ("broken json", '{"name": "x",', None, "invalid JSON"),
    ("not a table", "[1, 2]", None, "a scenario is a table"),
    ("no name", GOOD.replace('name = "x"\n', ""), "name", "needs a name"),
    (
        "unknown top field",
        GOOD.replace('name = "x"', 'name = "x"\ncolour = "red"'),
        "colour",
        "unknown field",
    ),
    ("levers not a list", 'name = "x"\nlevers = 3\n', "levers", "list"),
    ("unknown kind", GOOD.replace('"tariff"', '"magic"'), "levers[0].kind", "must be one of"),
    (
        "missing field",
        GOOD.replace("usd_per_feu = 3000\n", ""),
        "levers[0].usd_per_feu",
        "needs usd_per_feu",
    ),
    (
        "missing year",
        GOOD.replace("from_year = 2026\n", ""),
        "levers[0].from_year",
        "needs from_year",
    ),
    (
        "unknown corridor",
        GOOD.replace('"middle"', '"arctic"'),
        "levers[0].corridor",
        "unknown corridor",
    ),
    ("tariff text", GOOD.replace("3000", '"cheap"'), "levers[0].usd_per_feu", "finite number"),
    ("tariff zero", GOOD.replace("3000", "0"), "levers[0].usd_per_feu", "must lie in"),
    ("tariff bool", GOOD.replace("3000", "true"), "levers[0].usd_per_feu", "finite number"),
    ("tariff nan", GOOD.replace("3000", "nan"), "levers[0].usd_per_feu", "finite number"),
    ("year fraction", GOOD.replace("2026", "2026.5"), "levers[0].from_year", "whole number"),
    ("year range", GOOD.replace("2026", "1800"), "levers[0].from_year", "must lie in"),
    ("to before from", GOOD + "to_year = 2020\n", "levers[0].to_year", "before from_year"),
    ("unknown lever field", GOOD + "speed = 3\n", "levers[0].speed", "unknown field"),
    (
        "cut too big",
        'name = "x"\n[[levers]]\nkind = "time"\ncorridor = "middle"\ncut = 1.5\nfrom_year = 2027\n',
        "levers[0].cut",
        "must lie in",
    ),
    (
        "delay months",
        'name = "x"\n[[levers]]\nkind = "delay"\ncorridor = "middle"\ndays = 5\nmonths = 13\nfrom_year = 2027\n',
        "levers[0].months",
        "must lie in",
    ),
    (
        "unknown project",
        'name = "x"\n[[levers]]\nkind = "projects"\nids = ["P_NOPE"]\nfrom_year = 2027\n',
        "levers[0].ids",
        "no such project",
    ),
    (
        "empty project list",
        'name = "x"\n[[levers]]\nkind = "projects"\nids = []\nfrom_year = 2027\n',
        "levers[0].ids",
        "non-empty",
    ),
    (
        "closure commodity",
        'name = "x"\n[[levers]]\nkind = "closure"\ncorridor = "northern"\ncommodity = "gold"\nfrom_year = 2027\n',
        "levers[0].commodity",
        "unknown commodity",
    ),
    (
        "negative carbon",
        'name = "x"\n[[levers]]\nkind = "carbon"\nusd_per_t = -5\nfrom_year = 2027\n',
        "levers[0].usd_per_t",
        "must lie in",
    ),
    ("lever not a table", '{"name": "x", "levers": [5]}', "levers[0]", "a lever is"),
]


@pytest.mark.parametrize("case, text, column, rule", BAD, ids=[b[0] for b in BAD])
def test_malformed_scenarios_are_located(net, case, text, column, rule):
    with pytest.raises(DataError) as ei:
        read_scenario(
            text, net, file="bad.toml" if not text.lstrip().startswith(("{", "[1")) else "bad.json"
        )
    issues = ei.value.issues
    assert all(i.file.startswith("bad.") for i in issues)
    assert any((column is None or i.column == column) and rule in i.rule for i in issues), [
        str(i) for i in issues
    ]


def test_every_lever_error_listed_at_once(net):
    text = GOOD.replace("3000", "0").replace('"middle"', '"arctic"')
    with pytest.raises(DataError) as ei:
        read_scenario(text, net, file="bad.toml")
    assert {i.column for i in ei.value.issues} == {"levers[0].usd_per_feu", "levers[0].corridor"}


def test_file_errors(net, tmp_path: Path):
    with pytest.raises(DataError, match="no such file"):
        read_scenario(tmp_path / "none.toml", net)
    p = tmp_path / "latin.toml"
    p.write_bytes('name = "é"\n'.encode("latin-1"))
    with pytest.raises(DataError, match="UTF-8"):
        read_scenario(p, net)


def test_malformed_scenario_count():
    assert len(BAD) + 2 >= 28


def test_plan_lever_switches_on_the_planning_layers_projects(net):
    s = load_scenario("plan-6mt", net)
    assert s.levers and all(lv.kind == "projects" for lv in s.levers)
    assert all(lv.from_year >= 2026 and len(lv.ids) == 1 for lv in s.levers)
    assert set(s.projects(2035)) == {p for lv in s.levers for p in lv.ids}
    bad = 'name = "x"\n[[levers]]\nkind = "plan"\ntarget_mt = 60\nby = 2027\nfrom_year = 2026\n'
    with pytest.raises(DataError) as ei:
        read_scenario(bad, net, file="bad.toml")
    (issue,) = ei.value.issues
    assert issue.column == "levers[0].target_mt" and "cannot make this plan" in issue.rule

"""The storm climate shared by the router and the simulation (titr.graph.weather)."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from titr.errors import DataError
from titr.graph.weather import (
    MONTH_DAYS,
    StormClimate,
    fluid_wait,
    month_interval,
    month_of,
    storm_climate,
    storm_wait,
    storm_windows,
    weather_seas,
)
from titr.network.bundled import load
from titr.network.io_csv import read_dataset

TINY = Path(__file__).resolve().parents[1] / "data" / "tiny"
CLIMATE = StormClimate(
    "caspian", (8.0, 4.0, 2.0, 1.0, 2.0, 0.0, 0.0, 0.0, 0.0, 2.0, 10.0, 11.0), (3.0, 5.0, 7.0), 0.5
)


def test_windows_close_the_storm_days_of_each_month() -> None:
    """Over 300 years the closed share of every month is its storm days / its length (within
    0.03: a month starts with the previous month's episodes still running, so shares lag by
    about one episode at the season's edges) and the year has its storm days."""
    s, e = storm_windows(np.random.default_rng(3), CLIMATE, 300 * 8760.0)
    t = np.arange(0.0, 300 * 8760.0, 6.0)  # every 6 h
    i = np.searchsorted(s, t, side="right") - 1
    closed = (i >= 0) & (e[np.maximum(i, 0)] > t)
    m = month_of(t)
    for k in range(12):
        want = CLIMATE.days_by_month[k] / MONTH_DAYS[k]
        assert abs(closed[m == k].mean() - want) < 0.03, (k + 1, closed[m == k].mean(), want)
    assert abs(closed.mean() * 365 - CLIMATE.days_per_year) < 2.0  # 38.6 of 40 (edges)
    assert ((e - s) >= 3 * 24 - 1e-9).all()  # no window shorter than one episode


def test_windows_are_reproducible_and_start_month_shifts_the_calendar() -> None:
    a = storm_windows(np.random.default_rng(1), CLIMATE, 2 * 8760.0)
    b = storm_windows(np.random.default_rng(1), CLIMATE, 2 * 8760.0)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    s, _ = storm_windows(np.random.default_rng(1), CLIMATE, 5 * 8760.0, start_month=6)
    assert (np.isin(month_of(s, 6) + 1, [6, 7, 8, 9]) == 0).all()  # no summer storms


def test_fluid_wait_of_one_storm() -> None:
    """One stop of D = 100 h at ρ = 0.5: freight u hours into it waits D − (1 − ρ)u; after
    it the backlog ρD clears at 1 − ρ, so freight 50 h after the end waits ρD − 0.5·50."""
    s, e = np.array([100.0]), np.array([200.0])
    t = np.array([50.0, 100.0, 150.0, 200.0, 250.0, 300.0, 400.0])
    w = fluid_wait(s, e, 0.5, t)
    assert np.allclose(w, [0.0, 100.0, 75.0, 50.0, 25.0, 0.0, 0.0])
    assert np.allclose(fluid_wait(s, e, 0.0, t), [0.0, 100.0, 50.0, 0.0, 0.0, 0.0, 0.0])


def test_fluid_wait_carries_backlog_over_the_next_stop() -> None:
    """Backlog left at the next stop waits it out too: stops [0, 100) and [120, 170), ρ = 0.5:
    at 100 the backlog is 50 h, at 120 it is 40 h; freight ready at 110 (backlog 45 h) sails
    after 10 h open, the 50 h stop, then 35 h more: ready + 95 h."""
    s, e = np.array([0.0, 120.0]), np.array([100.0, 170.0])
    w = fluid_wait(s, e, 0.5, np.array([110.0]))
    assert np.allclose(w, [95.0])


def test_storm_wait_by_month() -> None:
    july = storm_wait(CLIMATE, *month_interval(7))
    assert july.max == 0.0 and july.closed_share == 0.0
    dec = storm_wait(CLIMATE, *month_interval(12))
    assert abs(dec.closed_share - 11 / 31) < 0.03
    assert float((dec.q > 0).mean()) > dec.closed_share  # the backlog delays freight after it
    calm = storm_wait(dataclasses.replace(CLIMATE, utilisation=0.0), *month_interval(12))
    assert calm.mean < dec.mean and calm.max <= dec.max
    again = storm_wait.__wrapped__(CLIMATE, *month_interval(12))  # type: ignore[attr-defined]
    assert np.array_equal(again.q, dec.q)  # deterministic, not only cached
    assert np.allclose(dec.ppf([0.0, 1.0]), [dec.min, dec.max])
    draws = dec.sample(np.random.default_rng(0), 50_000)
    assert abs(draws.mean() - dec.mean) < 0.05 * dec.mean


@pytest.mark.parametrize("bad", [(-1, 30), (365, 30), (0, 0), (10, 366)])
def test_storm_wait_refuses_intervals_outside_a_year(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="outside one year"):
        storm_wait(CLIMATE, *bad)


def test_reshaped_overrides() -> None:
    more = CLIMATE.reshaped(days_per_year=80)
    assert abs(more.days_per_year - 80) < 1e-9
    assert np.allclose(np.array(more.days_by_month) / 2, CLIMATE.days_by_month)
    season = CLIMATE.reshaped(None, [11, 12, 1, 2], 0.5, 4.0)
    d = np.array(season.days_by_month)
    assert abs(d[[10, 11, 0, 1]].sum() - 20.0) < 1e-9 and abs(d.sum() - 40.0) < 1e-9
    assert season.episode_days == (2.0, 4.0, 6.0)
    summer = CLIMATE.reshaped(None, [7], 1.0)  # no July storms in the profile: by month length
    assert abs(summer.days_by_month[6] - 40.0) < 1e-9


def test_bundled_climates_and_seas() -> None:
    net = load("middle-corridor-2025")
    c = storm_climate(net, "caspian")
    assert abs(c.days_per_year - net.parameter("storm_days_per_year")) < 1e-9
    assert c.episode_days == (3.0, 5.0, 7.0)
    b = storm_climate(net, "black_sea")
    assert abs(b.days_per_year - net.parameter("black_sea_storm_days_per_year")) < 1e-9
    seas = weather_seas(net)
    assert seas["SV_CASP_FDR"] == "caspian" and seas["SV_BS_FDR"] == "black_sea"
    assert set(seas) == {s for s, v in net.services.items() if v.weather_sensitive}


def _edit(tmp_path: Path, rows: dict[str, str | None]) -> Path:
    d = tmp_path / "tiny"
    shutil.copytree(TINY, d)
    p = d / "parameters.csv"
    out = []
    for line in p.read_text("utf-8").splitlines():
        pid = line.split(",", 1)[0]
        if pid in rows:
            if rows[pid] is not None:
                out.append(f"{pid},{rows[pid]},x,EST: test value edited,")
            continue
        out.append(line)
    p.write_text("\n".join(out) + "\n", "utf-8")
    return d


MALFORMED = [
    ({"storm_days_per_year": None}, "needs parameter 'storm_days_per_year'"),
    ({"storm_share_jul": None}, "needs parameter 'storm_share_jul'"),
    ({"storm_episode_days_mode": None}, "needs parameter 'storm_episode_days_mode'"),
    ({"caspian_sailing_utilisation": None}, "needs parameter 'caspian_sailing_utilisation'"),
    ({"storm_share_jan": "0.5"}, "sum 1"),
    ({"storm_share_jan": "-0.1", "storm_share_feb": "0.45"}, "sum 1"),
    ({"storm_days_per_year": "400"}, "0..365"),
    ({"storm_episode_days_min": "0"}, "0 < min <= mode <= max"),
    ({"storm_episode_days_max": "2.5"}, "0 < min <= mode <= max"),
    ({"caspian_sailing_utilisation": "1"}, "utilisation must lie in [0, 1)"),
    ({"storm_days_per_year": "300"}, "storm days in a month"),
]


@pytest.mark.parametrize(("rows", "rule"), MALFORMED)
def test_malformed_storm_parameters_are_refused(
    tmp_path: Path, rows: dict[str, str | None], rule: str
) -> None:
    net = read_dataset(_edit(tmp_path, rows))
    with pytest.raises(DataError) as e:
        storm_climate(net, "caspian")
    assert rule in str(e.value) and "parameters.csv" in str(e.value)


def test_every_missing_parameter_is_named_at_once(tmp_path: Path) -> None:
    net = read_dataset(
        _edit(
            tmp_path,
            {"storm_share_jan": None, "storm_share_dec": None, "storm_days_per_year": None},
        )
    )
    with pytest.raises(DataError) as e:
        storm_climate(net, "caspian")
    assert len(e.value.issues) == 3

"""Cash-flow measures against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from titr.appraisal import cashflow as cf


def test_npv_by_hand() -> None:
    # -100 + 60/1.1 + 60/1.21 = 4.13223...
    assert cf.npv([-100, 60, 60], 0.10) == pytest.approx(-100 + 60 / 1.1 + 60 / 1.21, abs=1e-12)
    assert cf.npv([-100, 60, 60], 0.0) == pytest.approx(20.0)


def test_single_eirr_by_hand() -> None:
    # -100 + 60x + 60x^2 = 0, x = 1/(1+r): x = (-60 + sqrt(3600 + 24000)) / 120
    x = (-60 + math.sqrt(27600)) / 120
    e = cf.eirr([-100, 60, 60])
    assert e.sign_changes == 1
    assert e.value == pytest.approx(1 / x - 1, abs=1e-10)
    assert e.note == ""
    assert cf.npv([-100, 60, 60], e.value) == pytest.approx(0.0, abs=1e-9)


def test_several_eirrs_are_all_reported() -> None:
    # -100 + 230x - 132x^2: (1+r) = 1.1 and 1.2 -> EIRR 10 % and 20 %
    e = cf.eirr([-100, 230, -132])
    assert e.sign_changes == 2
    assert e.roots == pytest.approx((0.10, 0.20), abs=1e-10)
    assert e.value is None
    assert "2 internal rates of return" in e.note and "10.00%" in e.note


def test_three_sign_changes() -> None:
    # roots at 5 %, 15 %, 30 %: -(y-1.05)(y-1.15)(y-1.30) with y = 1+r, flows in x = 1/y
    y = np.poly([1.05, 1.15, 1.30])  # y^3 + a y^2 + b y + c
    flows = -y  # f0 y^3 + f1 y^2 + f2 y + f3 = 0  <=>  sum f_t x^t = 0
    e = cf.eirr(flows)
    assert e.sign_changes == 3
    assert e.roots == pytest.approx((0.05, 0.15, 0.30), abs=1e-9)


def test_no_eirr() -> None:
    # a loss-making stream has its one EIRR below zero: x = (-10 + sqrt(4100)) / 20
    e = cf.eirr([-100, 10, 10])
    assert e.value == pytest.approx(20 / (-10 + math.sqrt(4100)) - 1, abs=1e-10)
    assert e.value < 0
    assert cf.eirr([10, 10, 10]).roots == ()
    assert "no internal rate" in cf.eirr([10, 10, 10]).note
    assert cf.eirr([0, 0, 0]).roots == ()


def test_leading_zeros_do_not_change_the_rate() -> None:
    a = cf.eirr([-100, 60, 60]).value
    b = cf.eirr([0, 0, -100, 60, 60, 0]).value
    assert a == pytest.approx(b, abs=1e-10)


def test_currency_unit_invariance() -> None:
    f = np.array([-120.0, -80.0, 35.0, 45.0, 55.0, 60.0, 60.0, -20.0])
    for k in (1e-6, 1e3, 1e9):
        assert cf.npv(f * k, 0.07) == pytest.approx(cf.npv(f, 0.07) * k, rel=1e-12)
        assert cf.eirr(f * k).roots == pytest.approx(cf.eirr(f).roots, abs=1e-10)
        assert cf.payback_year(f * k, 0.07, list(range(2025, 2033))) == cf.payback_year(
            f, 0.07, list(range(2025, 2033))
        )


def test_bcr_payback_fyrr() -> None:
    assert cf.bcr(150.0, 100.0) == 1.5
    assert cf.bcr(1.0, 0.0) is None
    years = [2025, 2026, 2027, 2028]
    # cumulative at 0 %: -100, -40, 20, 80 -> paid back in 2027
    assert cf.payback_year([-100, 60, 60, 60], 0.0, years) == 2027
    # at 50 %: -100, -60, -33.3, -15.6 -> never
    assert cf.payback_year([-100, 60, 60, 60], 0.5, years) is None
    # turns negative again at the end: paid back only after the last negative year
    assert cf.payback_year([-100, 150, -100, 200], 0.0, years) == 2028
    assert cf.payback_year([10, 10, 10, 10], 0.05, years) is None
    fy = cf.first_year_return(np.array([0, 30.0, 30]), np.array([0, 5.0, 5]), 100.0, 1)
    assert fy == pytest.approx(0.25)
    assert cf.first_year_return(np.zeros(3), np.zeros(3), 100.0, None) is None

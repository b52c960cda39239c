"""Candidate projects' capital recovery factor: stable for tiny rates, refuses degenerate ones."""

from __future__ import annotations

import math

import pytest

from titr.errors import DataError
from titr.planning.candidates import annuity_factor


@pytest.mark.parametrize(
    ("rate", "life", "want"),
    [
        (0.08, 30, 0.0888274),
        (0.0, 20, 0.05),
        (1e-38, 30, 1 / 30),  # (1 + r)^-n rounds to 1: the naive formula divides by zero
        (1e-300, 30, 1 / 30),
        (5e-324, 30, 1 / 30),
        (1e-12, 7, 1 / 7),
        (0.999999, 1, 1.999999),  # n = 1: (1 + r)
        (0.5, 10**9, 0.5),  # infinite life: the annuity is the interest
    ],
)
def test_annuity_factor_values(rate, life, want):
    got = annuity_factor(rate, life)
    assert math.isfinite(got)
    assert got == pytest.approx(want, rel=1e-5)


def test_annuity_factor_continuous_at_zero():
    assert annuity_factor(1e-9, 30) == pytest.approx(annuity_factor(0.0, 30), rel=1e-6)


@pytest.mark.parametrize(
    ("rate", "life", "where"),
    [
        (-0.01, 30, "--rate"),
        (-1.0, 30, "--rate"),
        (1.0, 30, "--rate"),
        (1e300, 30, "--rate"),
        (float("nan"), 30, "--rate"),
        (float("inf"), 30, "--rate"),
        (float("-inf"), 30, "--rate"),
        (0.08, 0, "--lifetime"),
        (0.08, -5, "--lifetime"),
        (0.0, 0, "--lifetime"),
    ],
)
def test_annuity_factor_refuses(rate, life, where):
    with pytest.raises(DataError) as e:
        annuity_factor(rate, life)
    assert e.value.issues[0].file == where

"""Time distributions used on graph arcs besides `Triangular` (hours).

Every distribution exposes the same duck-typed interface as `titr.network.model.Triangular`:
``min``, ``max``, ``mean``, ``variance``, ``sample(rng, size)`` and ``ppf(q)``; ``kind`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from titr.network.model import Triangular


class TimeDistribution(Protocol):
    """What the router and the simulation need from a step's time (hours)."""

    @property
    def min(self) -> float: ...

    @property
    def max(self) -> float: ...

    @property
    def mean(self) -> float: ...

    @property
    def variance(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray: ...

    def ppf(self, q: float | np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Uniform:
    """Uniform(min, max) in hours: the wait for a departure of a line with headway H is
    Uniform(0, H) for a shipment arriving at a random moment; mean H/2, variance H²/12."""

    min: float
    max: float
    kind: str = "uniform"

    def __post_init__(self) -> None:
        if not (0 <= self.min <= self.max):
            raise ValueError(
                f"uniform bounds must satisfy 0 <= min <= max, got {self.min}, {self.max}"
            )

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2.0

    @property
    def variance(self) -> float:
        return (self.max - self.min) ** 2 / 12.0

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        if self.max == self.min:
            return np.full(size, self.min, dtype=float)
        return rng.uniform(self.min, self.max, size)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        return self.min + np.asarray(q, dtype=float) * (self.max - self.min)


def scaled(t: Triangular, factor: float) -> Triangular:
    """A triangular time multiplied by a project's time factor."""
    return Triangular(min=t.min * factor, mode=t.mode * factor, max=t.max * factor)


def dist_kind(d: object) -> str:
    return "triangular" if isinstance(d, Triangular) else str(getattr(d, "kind", "other"))

"""CO2 of a shipment: Σ_link steps distance_km × t_per_unit × g_co2_per_tkm(link) / 1000.

Result in kg CO2 per commodity unit (× ``units`` for a shipment of several units). The
emission factors come from the dataset's ``emission_factors`` table (well-to-wheel g per
tonne-km) with their source: a link run by a service uses the factor for its mode and that
kind of service when there is one (``sea/feeder_line``: small short-sea container feeders, not
the deep-sea trade-lane figure), else the factor of its mode (`link_factor`). A mode without a
factor is listed in ``missing_modes`` and contributes nothing (never a silent zero).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from titr.errors import NotFoundError
from titr.network.model import EmissionFactor, Link, Network


class _Step(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def distance_km(self) -> float: ...

    @property
    def ref(self) -> str: ...


def link_factor(net: Network, link: Link) -> EmissionFactor | None:
    """The emission factor of one link: mode and service kind, else mode (see module doc)."""
    if link.service and link.service in net.services:
        ef = net.emission_factors.get(f"{link.mode}/{net.services[link.service].kind}")
        if ef is not None:
            return ef
    return net.emission_factors.get(link.mode)


@dataclass(frozen=True)
class Co2Report:
    kg: float
    units: float
    by_mode_kg: dict[str, float]
    factors: dict[str, dict[str, Any]]  # mode -> {g_co2_per_tkm, source}
    missing_modes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "kg": self.kg,
            "units": self.units,
            "by_mode_kg": self.by_mode_kg,
            "factors": self.factors,
            "missing_modes": self.missing_modes,
        }


def co2(net: Network, steps: Sequence[_Step], commodity: str, units: float = 1.0) -> Co2Report:
    com = net.commodities.get(commodity)
    if com is None:
        raise NotFoundError(f"unknown commodity '{commodity}'.", sorted(net.commodities))
    by_mode: dict[str, float] = {}
    factors: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    for s in steps:
        if s.kind != "link":
            continue
        lk = net.links.get(s.ref)
        ef = link_factor(net, lk) if lk is not None else net.emission_factors.get(s.mode)
        if ef is None:
            if s.mode not in missing:
                missing.append(s.mode)
            continue
        factors[ef.key] = {"g_co2_per_tkm": ef.g_co2_per_tkm, "source": ef.source}
        kg = s.distance_km * com.t_per_unit * ef.g_co2_per_tkm / 1000.0 * units
        by_mode[s.mode] = by_mode.get(s.mode, 0.0) + kg
    return Co2Report(
        kg=float(sum(by_mode.values())),
        units=units,
        by_mode_kg=by_mode,
        factors=factors,
        missing_modes=missing,
    )

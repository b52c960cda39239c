"""Quantities and capacity units.

The capacity LP measures every shared capacity in one unit per resource: tonnes per year
(t/yr) for freight, MWh per year for electricity. A commodity unit converts with the
commodity's `t_per_unit` (t per TEU for containers, 1 for tonnes). Native capacity units
convert as follows (units, then the dataset parameter used):

- ``t/yr``        x 1
- ``TEU/yr``      x t per TEU (the `t_per_unit` of the dataset's TEU commodity)
- ``trains/day``  x 365 x ``t_per_train`` (parameters.csv); if absent,
                  x 365 x ``teu_per_train`` x t per TEU; if both are absent a DataError names
                  the missing parameter
- ``MW``          x 8760 h -> MWh/yr
- service ``wagons`` per sailing x ``t_per_wagon`` (parameters.csv)
"""

from __future__ import annotations

import re

from titr.errors import DataError, Issue
from titr.network.model import Network

HOURS_PER_YEAR = 8760.0
DAYS_PER_YEAR = 365.0

_QTY_RE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?(?:e[+-]?[0-9]+)?)\s*([A-Za-z/]*)\s*$")
_SCALE = {"": 1.0, "k": 1e3, "m": 1e6, "g": 1e9}


def t_per_teu(net: Network) -> float:
    """Tonnes per TEU from the dataset's TEU commodity (DataError if there is none)."""
    for c in net.commodities.values():
        if c.unit == "TEU" and c.t_per_unit > 0:
            return c.t_per_unit
    raise DataError(
        Issue(
            "commodities.csv",
            None,
            "t_per_unit",
            None,
            "a capacity or demand in TEU needs a commodity with unit TEU and "
            "t_per_unit > 0 to convert it to tonnes",
        )
    )


def to_shared(net: Network, value: float, unit: str, where: str) -> tuple[float, str]:
    """Convert a native capacity (value, unit) to the shared unit: (value, 't/yr'|'MWh/yr').

    `where` names the element for error messages (e.g. "links.csv L_DOS_MOY")."""
    if unit == "t/yr":
        return value, "t/yr"
    if unit == "TEU/yr":
        return value * t_per_teu(net), "t/yr"
    if unit == "trains/day":
        if "t_per_train" in net.parameters:
            return value * DAYS_PER_YEAR * net.parameters["t_per_train"].value, "t/yr"
        if "teu_per_train" in net.parameters:
            return (
                value * DAYS_PER_YEAR * net.parameters["teu_per_train"].value * t_per_teu(net),
                "t/yr",
            )
        raise DataError(
            Issue(
                "parameters.csv",
                None,
                "id",
                "t_per_train",
                f"{where} gives capacity in trains/day: the parameter "
                f"'t_per_train' (or 'teu_per_train') is needed to convert it to "
                f"t/yr and is missing",
            )
        )
    if unit == "MW":
        return value * HOURS_PER_YEAR, "MWh/yr"
    raise DataError(Issue(where, None, "capacity_unit", unit, "unknown capacity unit"))


def sailing_to_shared(net: Network, per_sailing: float, unit: str, where: str) -> float:
    """Payload of one sailing in tonnes."""
    if unit == "t":
        return per_sailing
    if unit == "TEU":
        return per_sailing * t_per_teu(net)
    if unit == "wagons":
        if "t_per_wagon" not in net.parameters:
            raise DataError(
                Issue(
                    "parameters.csv",
                    None,
                    "id",
                    "t_per_wagon",
                    f"{where} counts capacity in wagons: the parameter "
                    f"'t_per_wagon' is needed to convert it to tonnes and is "
                    f"missing",
                )
            )
        return per_sailing * net.parameters["t_per_wagon"].value
    raise DataError(Issue(where, None, "sailing_unit", unit, "unknown sailing unit"))


def parse_quantity(text: str, *, what: str = "--target") -> tuple[float, str]:
    """Parse "10Mt", "11 Mt", "4.5e6 t", "300kTEU", "2 TWh" -> (value, base unit).

    Base units: 't', 'TEU', 'MWh'. Prefixes k (1e3), M (1e6), G (1e9; not for t).
    Unit words in ru/tr/en are read too ("10 Мт", "10 млн т", "10 milyon ton": see
    titr.unit_words). Raises DataError naming the rule on anything else."""
    from titr.unit_words import normalise_quantity

    m = _QTY_RE.match(normalise_quantity(text or ""))
    if not m:
        raise DataError(
            Issue(
                what,
                None,
                None,
                text,
                "a quantity is a number and a unit, e.g. 10Mt, 11 Mt, 4.5e6 t, 300kTEU, 2TWh",
            )
        )
    num = float(m.group(1).replace(",", "."))
    unit = m.group(2)
    base = None
    for b in ("TEU", "MWh", "Wh", "t"):
        if unit.endswith(b):
            base = b
            prefix = unit[: -len(b)]
            break
    if base is None:
        raise DataError(
            Issue(
                what,
                None,
                None,
                text,
                f"unknown unit '{unit or '(none)'}': use t, kt, Mt, TEU, kTEU, "
                f"MTEU, MWh, GWh or TWh",
            )
        )
    if base == "Wh":
        scale = {"M": 1.0, "G": 1e3, "T": 1e6}.get(prefix)
        base = "MWh"
    elif base == "MWh":
        scale = 1.0 if prefix == "" else None
    else:
        scale = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6}.get(prefix)
    if scale is None:
        raise DataError(Issue(what, None, None, text, f"unknown unit prefix '{prefix}' for {base}"))
    value = num * scale
    if not value > 0:
        raise DataError(Issue(what, None, None, text, "a quantity must be > 0"))
    return value, base


def format_t(value: float) -> str:
    """Human tonnes: 10.0 Mt, 850 kt, 120 t."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} Mt"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} kt"
    return f"{value:,.0f} t"

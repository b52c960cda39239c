"""Units, conversion factors, FX and penalties: every fact read from the dataset.

One function per fact; none has a default in code. A fact the dataset lacks is a `DataError`
naming ``parameters.csv`` (or ``commodities.csv``), the parameter and what needed it.

Facts (where they live):
  t per TEU          the ``t_per_unit`` of the dataset's commodity whose unit is TEU
  t per wagon        parameter ``t_per_wagon``          (wagon loads of freight in t)
  TEU per wagon      parameter ``teu_per_wagon``        (flat wagons)
  t per train        parameter ``t_per_train`` (container trains), ``t_per_train_general``
  USD per EUR        parameter ``usd_per_eur``
  unpriced links     parameter ``unpriced_usd_per_t_km_<mode>`` (``..._per_mwh_km_power_cable``)
  unserved demand    parameters ``unserved_penalty_usd_per_t`` / ``unserved_penalty_usd_per_mwh``

Shared capacity units: every capacity resource is counted per year in t (freight) or MWh
(electricity). Native units convert as
  ``t/yr`` x 1 · ``TEU/yr`` x t per TEU · ``trains/day`` x 365 x t per train · ``MW`` x 8760 h
and a sailing's payload as ``t`` x 1 · ``TEU`` x t per TEU · ``wagons`` x t per wagon.
"""

from __future__ import annotations

import re

from titr.errors import DataError, Issue
from titr.network.model import Commodity, Network, Service

HOURS_PER_YEAR = 8760.0  # exact by definition (365 d x 24 h)
DAYS_PER_YEAR = 365.0

_QTY_RE = re.compile(r"^\s*([+-]?[0-9]+(?:[.,][0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z/]*)\s*$")
# "1,000": a thousands separator (1000) or a decimal comma (1.000)? Refused, not guessed.
_AMBIGUOUS_COMMA = re.compile(r"^[+-]?[0-9]{1,3},[0-9]{3}(?:[eE]|$)")
QTY_UNITS = "t, kt, Mt, TEU, kTEU, MTEU, MWh, GWh or TWh"
MAX_QUANTITY = 1e10  # t, TEU or MWh a year per quantity (world seaborne trade is ~1.2e10 t)


def parameter(net: Network, pid: str, needed_for: str) -> float:
    """The value of parameter ``pid``; DataError saying what needed it when it is missing."""
    p = net.parameters.get(pid)
    if p is None:
        raise DataError(
            Issue(
                "parameters.csv",
                None,
                "id",
                pid,
                f"{needed_for} needs parameter '{pid}' (with a source or an EST reason), "
                f"which dataset {net.label} lacks",
            )
        )
    return float(p.value)


def t_per_teu(net: Network) -> float:
    """Tonnes per TEU: the ``t_per_unit`` of the dataset's TEU commodity."""
    for c in sorted(net.commodities.values(), key=lambda c: c.id):
        if c.unit == "TEU" and c.t_per_unit > 0:
            return float(c.t_per_unit)
    raise DataError(
        Issue(
            "commodities.csv",
            None,
            "t_per_unit",
            None,
            "converting TEU to tonnes needs a commodity with unit TEU and t_per_unit > 0",
        )
    )


def teu_per_unit(net: Network, com: Commodity) -> float:
    """TEU in one unit of ``com`` (1 for a TEU commodity, else t_per_unit / t per TEU)."""
    if com.unit == "TEU":
        return 1.0
    return com.t_per_unit / t_per_teu(net)


def tonnes_per_unit(com: Commodity) -> float:
    """Tonnes in one commodity unit (0 for electricity)."""
    return 0.0 if com.unit == "MWh" else float(com.t_per_unit)


def t_per_wagon(net: Network) -> float:
    return parameter(net, "t_per_wagon", "a wagon load of freight in tonnes")


def teu_per_wagon(net: Network) -> float:
    return parameter(net, "teu_per_wagon", "containers on flat wagons")


def t_per_train(net: Network, com: Commodity | None = None) -> float:
    """Payload of a block train in tonnes: ``t_per_train`` for containers (TEU commodities),
    ``t_per_train_general`` for other freight."""
    if com is not None and com.unit != "TEU":
        return parameter(net, "t_per_train_general", f"a train of {com.id} in tonnes")
    return parameter(net, "t_per_train", "a container train in tonnes")


def usd_per_eur(net: Network) -> float:
    return parameter(net, "usd_per_eur", "an amount in EUR")


def to_usd(net: Network, amount: float, currency: str, where: str = "") -> float:
    if currency == "USD":
        return amount
    if currency == "EUR":
        return amount * usd_per_eur(net)
    raise DataError(Issue(where or "tariffs.csv", None, "currency", currency, "unknown currency"))


def unpriced_rate(net: Network, com: Commodity, mode: str) -> float:
    """USD per commodity unit and km on a link without any tariff component."""
    if com.unit == "MWh":
        return parameter(
            net, f"unpriced_usd_per_mwh_km_{mode}", f"costing a {mode} link without tariff"
        )
    rate = parameter(net, f"unpriced_usd_per_t_km_{mode}", f"costing a {mode} link without tariff")
    return rate * com.t_per_unit


def unserved_penalty(net: Network, com: Commodity) -> float:
    """USD per commodity unit of demand left unserved."""
    if com.unit == "MWh":
        return parameter(net, "unserved_penalty_usd_per_mwh", "pricing unserved electricity")
    return parameter(net, "unserved_penalty_usd_per_t", "pricing unserved freight") * max(
        com.t_per_unit, 1.0
    )


def shared_unit(mode_or_unit: str) -> str:
    """'MWh/yr' for power (mode power_cable or a MW/MWh unit), else 't/yr'."""
    return "MWh/yr" if mode_or_unit in ("power_cable", "MW", "MWh/yr", "MWh") else "t/yr"


def to_shared(net: Network, value: float, unit: str, where: str) -> tuple[float, str]:
    """A native yearly capacity (value, unit) in the shared unit: (value, 't/yr'|'MWh/yr').

    ``where`` names the element for error messages (e.g. "links.csv L_DOS_MOY")."""
    if unit == "t/yr":
        return value, "t/yr"
    if unit == "TEU/yr":
        return value * t_per_teu(net), "t/yr"
    if unit == "trains/day":
        tpt = parameter(net, "t_per_train", f"{where} (a capacity in trains/day)")
        return value * DAYS_PER_YEAR * tpt, "t/yr"
    if unit == "MW":
        return value * HOURS_PER_YEAR, "MWh/yr"
    raise DataError(Issue(where, None, "capacity_unit", unit, "unknown capacity unit"))


def payload_t(net: Network, per_sailing: float, unit: str, where: str) -> float:
    """Payload of one sailing in tonnes."""
    if unit == "t":
        return per_sailing
    if unit == "TEU":
        return per_sailing * t_per_teu(net)
    if unit == "wagons":
        return per_sailing * t_per_wagon(net)
    raise DataError(Issue(where, None, "sailing_unit", unit, "unknown sailing unit"))


def service_capacity_t(net: Network, sv: Service, vessels_add: float = 0.0) -> float:
    """Yearly capacity of a service per direction in t/yr:
    (vessels + added) x payload x 8760 / cycle time x availability."""
    per_unit = payload_t(net, 1.0, sv.sailing_unit, f"services.csv {sv.id}")
    return sv.yearly_capacity(vessels=int(sv.vessels + vessels_add)) * per_unit


def parse_quantity(text: str, *, what: str = "--target") -> tuple[float, str]:
    """Parse "10Mt", "11 Mt", "4.5e6 t", "300kTEU", "2 TWh" -> (value, base unit).

    Base units: 't', 'TEU', 'MWh'. Prefixes k (1e3), M (1e6), G (1e9; not for t).
    Unit words in ru/tr/en are read too ("10 Мт", "10 млн т", "10 milyon ton": see
    titr.unit_words). Raises DataError naming the rule on anything else."""
    from titr.unit_words import normalise_quantity

    norm = normalise_quantity(text or "")
    m = _QTY_RE.match(norm) if isinstance(norm, str) else None
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
    if _AMBIGUOUS_COMMA.match(m.group(1)):
        raise DataError(
            Issue(
                what,
                None,
                None,
                text,
                "ambiguous number: a comma before three digits may be a thousands separator "
                "or a decimal comma; write it without the comma (1000 t) or with a point (1.0 t)",
            )
        )
    num = float(m.group(1).replace(",", "."))
    unit = m.group(2)
    base = None
    prefix = ""
    for b in ("TEU", "MWh", "Wh", "t"):
        if unit.endswith(b):
            base = b
            prefix = unit[: -len(b)]
            break
    scale: float | None = None
    if base == "Wh":
        scale = {"M": 1.0, "G": 1e3, "T": 1e6}.get(prefix)
        base = "MWh"
    elif base == "MWh":
        scale = 1.0 if prefix == "" else None
    elif base is not None:
        scale = {"": 1.0, "k": 1e3, "K": 1e3, "M": 1e6}.get(prefix)
    if base is None or scale is None:
        raise DataError(
            Issue(what, None, None, text, f"unknown unit '{unit or '(none)'}': use {QTY_UNITS}")
        )
    value = num * scale
    if not value > 0:
        raise DataError(Issue(what, None, None, text, "a quantity must be > 0"))
    if not value <= MAX_QUANTITY:
        raise DataError(
            Issue(
                what,
                None,
                None,
                text,
                f"a quantity must be finite and at most {MAX_QUANTITY:g} {base} a year",
            )
        )
    return value, base


def format_t(value: float) -> str:
    """Human tonnes: 10.0 Mt, 850 kt, 120 t."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} Mt"
    if abs(value) >= 1e3:
        return f"{value / 1e3:,.0f} kt"
    return f"{value:,.0f} t"

"""The records of a corridor dataset (one pydantic class per component: nodes, links,
processes, services, commodities, tariffs, projects, indicators, targets, emission factors,
parameters, alternatives, sources, manifest) and the cross-field rules of each row.

Fields and their units are defined once in `attributes.csv` (see `titr.network.attributes`);
these classes declare the same fields (a test keeps them in step)."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

Mode = Literal["rail_1520", "rail_1435", "ferry", "sea", "road", "pipeline", "power_cable"]
MODES: tuple[str, ...] = (
    "rail_1520",
    "rail_1435",
    "ferry",
    "sea",
    "road",
    "pipeline",
    "power_cable",
)
WATER_MODES = frozenset({"ferry", "sea"})
RAIL_MODES = frozenset({"rail_1520", "rail_1435"})
Corridor = Literal[
    "middle", "northern", "sea_suez", "sea_cape", "iran", "oil", "uranium", "power", "access"
]
CORRIDORS: tuple[str, ...] = (
    "middle",
    "northern",
    "sea_suez",
    "sea_cape",
    "iran",
    "oil",
    "uranium",
    "power",
    "access",
)


class FieldRuleError(ValueError):
    """A cross-field rule broken by one column: the reader reports `field` as the column."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _check_time_order(tmin: float, tmode: float, tmax: float) -> None:
    if tmin > tmode or tmode > tmax:
        raise FieldRuleError(
            "time_min" if tmin > tmode else "time_max",
            f"time must satisfy min <= mode <= max, got {tmin:g}, {tmode:g}, {tmax:g}",
        )


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Triangular(Record):
    """Triangular distribution (hours): min <= mode <= max."""

    min: float = Field(ge=0)
    mode: float = Field(ge=0)
    max: float = Field(ge=0)

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.min <= self.mode <= self.max):
            raise ValueError(
                f"time must satisfy min <= mode <= max, got {self.min}, {self.mode}, {self.max}"
            )
        return self

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3.0

    @property
    def variance(self) -> float:
        a, c, b = self.min, self.mode, self.max
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0

    def sample(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        if self.max == self.min:
            return np.full(size, self.min, dtype=float)
        return rng.triangular(self.min, self.mode, self.max, size)

    def ppf(self, q: float | np.ndarray) -> np.ndarray:
        """Quantile function (inverse CDF)."""
        a, c, b = self.min, self.mode, self.max
        q = np.asarray(q, dtype=float)
        if b == a:
            return np.full_like(q, a)
        fc = (c - a) / (b - a)
        lo = a + np.sqrt(q * (b - a) * (c - a))
        hi = b - np.sqrt((1 - q) * (b - a) * (b - c))
        return np.where(q < fc, lo, hi)


class Source(Record):
    id: str
    title: str
    url: str | None = None
    publisher: str
    date: str | None = None
    reliability: Literal["high", "medium", "low"] = "medium"
    note: str | None = None


class Names(Record):
    en: str
    ru: str
    tr: str


class Node(Record):
    id: str
    name_en: str
    name_ru: str
    name_tr: str
    country: str
    kind: Literal[
        "terminal",
        "port",
        "border",
        "junction",
        "city",
        "oil_terminal",
        "logistics_centre",
        "power_node",
        "passage",
    ]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    coord_source: str
    gauge_mm: Literal["1435", "1520"] | None = None
    source: str
    note: str | None = None

    def name(self, lang: str = "en") -> str:
        return {"en": self.name_en, "ru": self.name_ru, "tr": self.name_tr}.get(lang, self.name_en)


class _Capacity(Record):
    capacity: float | None = None
    capacity_unit: str | None = None
    capacity_source: str | None = None

    @model_validator(mode="after")
    def _capacity_rules(self) -> _Capacity:
        if self.capacity is not None:
            if self.capacity <= 0:
                raise FieldRuleError(
                    "capacity", "capacity must be > 0 (leave it empty when unknown)"
                )
            if not self.capacity_unit:
                raise FieldRuleError("capacity_unit", "capacity needs a capacity_unit")
            if not self.capacity_source:
                raise FieldRuleError("capacity_source", "capacity needs a capacity_source")
        return self


class Link(_Capacity):
    id: str
    a_node: str
    b_node: str
    mode: Mode
    bidirectional: bool = True
    corridors: list[Corridor]
    commodities: list[str]
    passages: list[str] = []
    distance: float = Field(gt=0)
    distance_source: str
    time_min: float = Field(ge=0)
    time_mode: float = Field(ge=0)
    time_max: float = Field(ge=0)
    time_source: str
    capacity_unit: Literal["t/yr", "TEU/yr", "trains/day", "MW"] | None = None
    service: str | None = None
    status: Literal["existing", "planned"] = "existing"
    operator: str | None = None
    country: str
    note: str | None = None

    @model_validator(mode="after")
    def _link_rules(self) -> Link:
        if self.a_node == self.b_node:
            raise FieldRuleError("b_node", "a link may not start and end at the same node")
        _check_time_order(self.time_min, self.time_mode, self.time_max)
        return self

    @cached_property
    def time(self) -> Triangular:
        return Triangular(min=self.time_min, mode=self.time_mode, max=self.time_max)


class Process(_Capacity):
    id: str
    node: str
    kind: Literal[
        "gauge_change", "border", "port_handling", "transshipment", "loading", "unloading"
    ]
    commodities: list[str]
    time_min: float = Field(ge=0)
    time_mode: float = Field(ge=0)
    time_max: float = Field(ge=0)
    time_source: str
    capacity_unit: Literal["t/yr", "TEU/yr", "trains/day"] | None = None
    servers: int = Field(default=1, ge=1)
    status: Literal["existing", "planned"] = "existing"
    note: str | None = None

    @model_validator(mode="after")
    def _order(self) -> Process:
        _check_time_order(self.time_min, self.time_mode, self.time_max)
        return self

    @cached_property
    def time(self) -> Triangular:
        return Triangular(min=self.time_min, mode=self.time_mode, max=self.time_max)


class Service(Record):
    id: str
    name: str
    kind: Literal["ferry_line", "feeder_line", "ro_ro", "tanker_line", "block_train"]
    operator: str | None = None
    vessels: int = Field(ge=1)
    capacity_per_sailing: float = Field(gt=0)
    sailing_unit: Literal["TEU", "t", "wagons"]
    cycle_time: float = Field(gt=0)
    sailings_per_week: float | None = Field(default=None, gt=0)
    availability: float = Field(default=1.0, gt=0, le=1)
    weather_sensitive: bool = False
    source: str
    note: str | None = None

    def yearly_capacity(
        self, vessels: int | None = None, availability: float | None = None
    ) -> float:
        """Payload per year per direction in sailing_unit:
        vessels x capacity_per_sailing x (8760 h / cycle_time) x availability."""
        v = self.vessels if vessels is None else vessels
        a = self.availability if availability is None else availability
        return v * self.capacity_per_sailing * (8760.0 / self.cycle_time) * a

    def headway_hours(self) -> float:
        """Mean time between departures in one direction (hours)."""
        if self.sailings_per_week:
            return 168.0 / self.sailings_per_week
        return self.cycle_time / self.vessels / self.availability


class Commodity(Record):
    id: str
    name_en: str
    name_ru: str
    name_tr: str
    unit: Literal["TEU", "t", "MWh"]
    t_per_unit: float = Field(ge=0)
    modes: list[Mode]
    dangerous_goods_class: str | None = None
    value_of_time: float = Field(default=0.0, ge=0)
    source: str
    note: str | None = None

    def name(self, lang: str = "en") -> str:
        return {"en": self.name_en, "ru": self.name_ru, "tr": self.name_tr}.get(lang, self.name_en)


class TariffComponent(Record):
    id: str
    applies_to: Literal["link", "process", "service", "corridor", "block_train"]
    ref: str
    commodity: str
    component: Literal[
        "moving",
        "loading",
        "unloading",
        "transshipment",
        "border",
        "port",
        "corridor_rate",
        "subsidy",
    ]
    basis: Literal[
        "per_TEU",
        "per_FEU",
        "per_t",
        "per_t_km",
        "per_TEU_km",
        "per_FEU_km",
        "per_wagon",
        "per_MWh",
        "share_of_freight",
    ]
    amount: float = Field(ge=0)
    currency: Literal["USD", "EUR"] = "USD"
    year: int = Field(ge=1990, le=2100)
    operator: str | None = None
    country: str
    source: str
    note: str | None = None
    scope_from: list[str] = []
    scope_to: list[str] = []

    @model_validator(mode="after")
    def _scope_and_subsidy_rules(self) -> TariffComponent:
        if (self.scope_from or self.scope_to) and self.applies_to not in (
            "corridor",
            "block_train",
        ):
            field = "scope_from" if self.scope_from else "scope_to"
            raise FieldRuleError(
                field,
                "only a corridor rate (applies_to = corridor) or a block-train subsidy "
                "(applies_to = block_train) has a scope",
            )
        if (self.component == "subsidy") != (self.applies_to == "block_train"):
            raise FieldRuleError(
                "component" if self.component == "subsidy" else "applies_to",
                "a subsidy (component = subsidy) applies to block trains (applies_to = "
                "block_train, ref = the country they leave) and nothing else is charged there",
            )
        if self.basis == "share_of_freight":
            if self.component != "subsidy":
                raise FieldRuleError("basis", "basis share_of_freight is for subsidies only")
            if self.amount > 1:
                raise FieldRuleError(
                    "amount", f"a share of the freight is at most 1, got {self.amount:g}"
                )
        if self.component == "subsidy" and self.basis not in (
            "share_of_freight",
            "per_FEU",
            "per_TEU",
        ):
            raise FieldRuleError(
                "basis", "a subsidy is a share_of_freight or an amount per_FEU / per_TEU"
            )
        if self.applies_to == "block_train" and self.scope_from not in ([], [self.ref]):
            raise FieldRuleError(
                "scope_from",
                f"a block-train subsidy of trains leaving {self.ref} starts in {self.ref} "
                "(leave scope_from empty or write the same country)",
            )
        return self


class Project(Record):
    id: str
    name_en: str
    name_ru: str
    name_tr: str
    country: str
    target_kind: Literal["link", "process", "service"]
    target_ref: str
    effect: Literal["capacity_add", "capacity_set", "time_factor", "vessels_add", "new_link"]
    effect_value: float
    capex: float | None = Field(default=None, ge=0)
    capex_source: str | None = None
    lead_time: int = Field(ge=0, le=50)
    earliest_year: int = Field(ge=1990, le=2100)
    status: Literal["idea", "planned", "under_construction", "completed"]
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> Project:
        if self.capex is not None and not self.capex_source:
            raise FieldRuleError("capex_source", "capex needs a capex_source")
        if self.effect == "time_factor" and not (0 < self.effect_value <= 10):
            raise FieldRuleError("effect_value", "a time_factor effect must be in (0, 10]")
        if (
            self.effect in ("capacity_add", "capacity_set", "vessels_add")
            and self.effect_value <= 0
        ):
            raise FieldRuleError("effect_value", f"a {self.effect} effect must be > 0")
        return self

    def name(self, lang: str = "en") -> str:
        return {"en": self.name_en, "ru": self.name_ru, "tr": self.name_tr}.get(lang, self.name_en)


class Indicator(Record):
    series: str
    year: int = Field(ge=1900, le=2100)
    value: float
    unit: str
    variant: str = "default"
    source: str
    note: str | None = None


class Target(Record):
    id: str
    series: str
    year: int = Field(ge=1900, le=2100)
    value: float
    unit: str
    owner: str
    source: str
    note: str | None = None


class EmissionFactor(Record):
    mode: Mode
    g_co2_per_tkm: float = Field(ge=0)
    source: str
    note: str | None = None
    service_kind: (
        Literal["ferry_line", "feeder_line", "ro_ro", "tanker_line", "block_train"] | None
    ) = None

    @property
    def key(self) -> str:
        """'mode', or 'mode/service_kind' for a factor specific to one kind of service."""
        return f"{self.mode}/{self.service_kind}" if self.service_kind else self.mode


class Parameter(Record):
    id: str
    value: float
    unit: str
    source: str
    note: str | None = None


class Alternative(Record):
    id: str
    component: Literal["links", "processes", "services", "projects", "parameters", "commodities"]
    ref: str
    field: str
    value: str
    label: str
    source: str
    note: str | None = None


COMPONENT_MODELS: dict[str, type[Record]] = {
    "sources": Source,
    "nodes": Node,
    "links": Link,
    "processes": Process,
    "services": Service,
    "commodities": Commodity,
    "tariffs": TariffComponent,
    "projects": Project,
    "indicators": Indicator,
    "targets": Target,
    "emission_factors": EmissionFactor,
    "parameters": Parameter,
    "alternatives": Alternative,
}


def record_key(comp: str, rec: Record) -> Any:
    """The key a row is stored and located by: id, or mode, or (series, year, variant)."""
    if comp == "emission_factors":
        return rec.key  # type: ignore[attr-defined]
    if comp == "indicators":
        return (rec.series, rec.year, rec.variant)  # type: ignore[attr-defined]
    return rec.id  # type: ignore[attr-defined]


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    version: str = Field(min_length=1, max_length=50)
    title: str = ""
    description: str = ""
    created: str | None = None
    license: str | None = None
    files: dict[str, str] = {}

"""The corridor network: the `Network` container of a dataset's records
(`titr.network.records`), its provenance label and lookups, and name resolution.

Fields and their units are defined once in `attributes.csv` (see `titr.network.attributes`);
these classes declare the same fields (a test keeps them in step) and add the rules that span
fields (min <= mode <= max, capacity needs a unit and a source...).
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict

from titr.errors import NotFoundError
from titr.network.records import (  # noqa: F401 (the records, re-exported)
    COMPONENT_MODELS,
    CORRIDORS,
    MODES,
    RAIL_MODES,
    WATER_MODES,
    Alternative,
    Commodity,
    Corridor,
    EmissionFactor,
    FieldRuleError,
    Indicator,
    Link,
    Manifest,
    Mode,
    Names,
    Node,
    Parameter,
    Process,
    Project,
    Record,
    Service,
    Source,
    Target,
    TariffComponent,
    Triangular,
    _Capacity,
    _check_time_order,
    record_key,
)


class Network(BaseModel):
    """A whole corridor dataset in memory. Algorithms take this, never a database."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    manifest: Manifest
    content_hash: str = ""
    sources: dict[str, Source] = {}
    nodes: dict[str, Node] = {}
    links: dict[str, Link] = {}
    processes: dict[str, Process] = {}
    services: dict[str, Service] = {}
    commodities: dict[str, Commodity] = {}
    tariffs: dict[str, TariffComponent] = {}
    projects: dict[str, Project] = {}
    indicators: list[Indicator] = []
    targets: dict[str, Target] = {}
    emission_factors: dict[str, EmissionFactor] = {}
    parameters: dict[str, Parameter] = {}
    alternatives: dict[str, Alternative] = {}

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    @property
    def label(self) -> str:
        """Provenance label: name@version#hash8."""
        return f"{self.manifest.name}@{self.manifest.version}#{self.content_hash[:8]}"

    def parameter(self, pid: str, default: float | None = None) -> float:
        p = self.parameters.get(pid)
        if p is None:
            if default is None:
                raise NotFoundError(f"parameter '{pid}' is not in dataset {self.label}")
            return default
        return p.value

    def processes_at(self, node_id: str) -> list[Process]:
        return [p for p in self.processes.values() if p.node == node_id]

    def links_of(self, node_id: str) -> list[Link]:
        return [lk for lk in self.links.values() if node_id in (lk.a_node, lk.b_node)]

    def countries(self) -> list[str]:
        return sorted({n.country for n in self.nodes.values()})

    def indicator_series(self, series: str, variant: str = "default") -> list[Indicator]:
        return sorted(
            (i for i in self.indicators if i.series == series and i.variant == variant),
            key=lambda i: i.year,
        )

    def resolve_node(self, query: str, lang: str = "en") -> str:
        """Node id for a code or a name in en/ru/tr (titr.network.places); NotFoundError with
        suggestions ("Name (CODE)") otherwise."""
        from titr.network.places import resolve_node

        return resolve_node(self, query, lang)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))

"""The corridor network: the `Network` container of a dataset's records
(`titr.network.records`), its provenance label and lookups, and name resolution.

Fields and their units are defined once in `attributes.csv` (see `titr.network.attributes`);
these classes declare the same fields (a test keeps them in step) and add the rules that span
fields (min <= mode <= max, capacity needs a unit and a source...).
"""

from __future__ import annotations

import math
import unicodedata
from functools import cached_property

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


def _fold(s: str) -> str:
    """Case- and accent-insensitive key; Turkish dotted/dotless i (İ/I/ı -> i) and Polish ł
    (which Unicode does not decompose) handled, so 'Malaszewicze' finds 'Małaszewicze'."""
    s = s.replace("İ", "i").replace("I", "i").replace("ı", "i")
    s = s.replace("Ł", "l").replace("ł", "l").replace("ß", "ss")  # no NFKD decomposition
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch) and ch.isalnum())


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

    # ---- name lookup (CLI/API accept codes and names in en/ru/tr) ----
    @cached_property
    def _name_index(self) -> dict[str, set[str]]:
        idx: dict[str, set[str]] = {}
        for n in self.nodes.values():
            keys = {n.id, n.name_en, n.name_ru, n.name_tr}
            # also the first word-group of names like "Xi'an (International Port)"
            for nm in (n.name_en, n.name_ru, n.name_tr):
                keys.add(nm.split("(")[0])
                keys.update(part for part in nm.replace("/", ",").split(",") if part.strip())
            for k in keys:
                fk = _fold(k)
                if fk:
                    idx.setdefault(fk, set()).add(n.id)
        return idx

    def resolve_node(self, query: str) -> str:
        """Node id for a code or a name in en/ru/tr; NotFoundError with suggestions otherwise."""
        if query in self.nodes:
            return query
        q = _fold(query)
        if not q:
            raise NotFoundError("an empty node name matches nothing")
        hits = self._name_index.get(q, set())
        if len(hits) == 1:
            return next(iter(hits))
        if len(hits) > 1:
            raise NotFoundError(
                f"'{query}' is ambiguous: it names {len(hits)} nodes.", sorted(hits)
            )
        prefix = sorted(
            {nid for k, ids in self._name_index.items() if k.startswith(q) for nid in ids}
        )
        if len(prefix) == 1:
            return prefix[0]
        cands = prefix or self._closest(q)
        raise NotFoundError(f"no node is called '{query}'.", cands[:8])

    def _closest(self, q: str) -> list[str]:
        import difflib

        keys = list(self._name_index)
        close = difflib.get_close_matches(q, keys, n=6, cutoff=0.5)
        out: list[str] = []
        for k in close:
            for nid in sorted(self._name_index[k]):
                if nid not in out:
                    out.append(nid)
        return out


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))

"""Response models (OpenAPI schemas). They list the documented fields; results may carry more
(extra keys are allowed) so that the engines can add figures without breaking clients."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Page(BaseModel, Generic[T]):
    """One page of a growing list: `items[offset : offset + limit]` of `total`."""

    items: list[T]
    total: int = Field(description="Number of items in the whole list")
    limit: int
    offset: int
    dataset: str | None = Field(
        None, description="Dataset label name@version#hash8, when the list belongs to one dataset"
    )


class DatasetInfo(Open):
    id: int | None = Field(None, description="Store id (None for a bundled dataset)")
    name: str
    version: str
    content_hash: str
    label: str = Field(description="name@version#hash8")
    title: str = ""
    origin: str = Field(description="'store' or 'bundled'")
    created_at: str | None = None
    nodes: int = 0
    links: int = 0
    projects: int = 0


class DatasetDetail(DatasetInfo):
    manifest: dict[str, Any]
    counts: dict[str, int] = Field(description="Rows per component")
    countries: list[str]


class ImportResult(BaseModel):
    id: int
    name: str
    version: str
    content_hash: str
    dataset: str = Field(description="Dataset label name@version#hash8")
    warnings: list[dict[str, Any]] = []


class Deleted(BaseModel):
    deleted: str


class SourceRef(BaseModel):
    """A figure's source cell resolved: source ids, the estimate reasoning, the records."""

    field: str
    ids: list[str]
    estimate: str | None = None
    sources: list[dict[str, Any]]


class Feature(Open):
    type: str
    geometry: dict[str, Any]
    properties: dict[str, Any]


class FeatureCollection(Open):
    type: str = "FeatureCollection"
    features: list[Feature]
    dataset: str = Field(description="Dataset label name@version#hash8")


class ElementDetail(Open):
    dataset: str
    id: str
    kind: str = Field(description="'node' or 'link'")
    record: dict[str, Any] = Field(
        description="All fields of the element (units in /api/attributes)"
    )
    sources: list[SourceRef]


class Source(Open):
    id: str
    title: str
    url: str | None = None
    publisher: str
    date: str | None = None
    reliability: str
    note: str | None = None


class IndicatorPoint(Open):
    year: int
    value: float
    unit: str
    source: str


class IndicatorSeries(Open):
    series: str
    variant: str
    unit: str
    points: list[IndicatorPoint]
    targets: list[dict[str, Any]] = []


class Attribute(BaseModel):
    component: str
    field: str
    type: str
    unit: str
    required: bool
    default: str
    description: str


class Result(Open):
    """A computed result: `dataset` (label) and `run_id` when it was persisted as a run."""

    dataset: str
    run_id: str | None = None


class Run(Open):
    id: str
    kind: str
    status: str = Field(description="running | done | failed | cancelled")
    dataset_label: str
    total: int | None = None
    done: int | None = None
    created_at: str | None = None


class Health(BaseModel):
    status: str
    version: str
    dataset: str

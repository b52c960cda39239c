"""/api/indicators, /api/targets, /api/sources: the corridor's yearly series against the
published targets, and the sources every figure cites."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from titr.api.deps import Limit, Net, Offset
from titr.api.schemas import IndicatorSeries, Page, Source
from titr.errors import NotFoundError

router = APIRouter(prefix="/api", tags=["indicators"])


@router.get("/indicators", response_model=Page[IndicatorSeries], summary="Indicator series")
def indicators(
    net: Net,
    limit: Limit = 100,
    offset: Offset = 0,
    series: Annotated[str | None, Query(max_length=100, description="Only this series")] = None,
    variant: Annotated[str | None, Query(max_length=100, description="Only this variant")] = None,
) -> dict[str, Any]:
    """Yearly series (e.g. TITR tonnage in Mt, oil via BTC) by variant, each point with its
    source, and the targets set for the series (e.g. 10 Mt by 2027). A default series also
    lists its distinct `sources`, `mixed_sources` (its points cite more than one source, so
    levels may differ in scope) and `other_figures` (year -> variant -> value), e.g. the
    summit's +2 % next to the official −8 % for 2025."""
    from titr.indicators import series_info

    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for i in net.indicators:
        if (series is None or i.series == series) and (variant is None or i.variant == variant):
            groups[(i.series, i.variant)].append(i)
    if series is not None and not groups:
        import difflib

        names = sorted({i.series for i in net.indicators})
        raise NotFoundError(
            f"no indicator series '{series}'"
            + (f" variant '{variant}'" if variant else "")
            + f" in dataset {net.label}.",
            difflib.get_close_matches(series, names, 5, 0.3) or names[:5],
        )
    items = []
    for (s, v), pts in sorted(groups.items()):
        pts.sort(key=lambda i: i.year)
        extra: dict[str, Any] = {}
        if v == "default":
            info = series_info(net, s)
            extra = {
                "sources": list(info.sources),
                "mixed_sources": info.mixed_sources,
                "estimated_years": list(info.estimated_years),
                "other_figures": {str(y): d for y, d in info.variants.items()},
            }
        items.append(
            {
                **extra,
                "series": s,
                "variant": v,
                "unit": pts[0].unit,
                "points": [
                    {
                        "year": p.year,
                        "value": p.value,
                        "unit": p.unit,
                        "source": p.source,
                        "note": p.note,
                    }
                    for p in pts
                ],
                "targets": [t.model_dump() for t in net.targets.values() if t.series == s],
            }
        )
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "dataset": net.label,
    }


@router.get("/targets", summary="Targets and progress", response_model=dict[str, Any])
def targets(net: Net, variant: Annotated[str, Query(max_length=100)] = "default") -> dict[str, Any]:
    """Published targets (e.g. 10 Mt by 2027) with the last actual value, the share reached,
    the growth per year needed to reach the target and the fitted trend growth
    (ln value = a + b·year; growth = e^b − 1)."""
    from dataclasses import asdict

    from titr.indicators import target_progress

    return {"dataset": net.label, "targets": [asdict(t) for t in target_progress(net, variant)]}


_CLAIMS: dict[str, dict[str, Any]] = {}  # dataset label -> answer (deterministic per dataset)


@router.get("/claims", summary="Summit claims checked", response_model=dict[str, Any])
def claims(net: Net) -> dict[str, Any]:
    """The Oct 2025 summit's claims (4.5 Mt and +62 % in 2024, +2 % in 2025, ~1.5 Mt of oil,
    15–18 days China border → Georgia, 10 Mt, tripling by 2030, USD 1 bn trade), each with the
    sourced figures it is compared with, the model's figures and a verdict; what `titr claims
    --json` prints."""
    from titr.indicators.claims import check_claims

    hit = _CLAIMS.get(net.label)
    if hit is None:
        hit = check_claims(net).to_dict()
        if len(_CLAIMS) > 8:
            _CLAIMS.clear()
        _CLAIMS[net.label] = hit
    return hit


@router.get(
    "/indicators/{series}/forecast",
    summary="Trend forecast of a series",
    response_model=dict[str, Any],
)
def forecast(
    net: Net,
    series: Annotated[str, Path(max_length=100)],
    until: Annotated[int, Query(ge=1900, le=2200, description="Last year")] = 2030,
    variant: Annotated[str, Query(max_length=100)] = "default",
    level: Annotated[float, Query(gt=0, lt=1, description="Band level")] = 0.8,
) -> dict[str, Any]:
    """Log-linear trend forecast with a prediction band: ln value = a + b·year fitted by least
    squares; band exp(ŷ ± t·s·sqrt(1 + 1/n + (t − t̄)²/Sxx)). The corridor's tonnage is cut
    to its capacity path (`capacity`, `bounded_years`, `capacity_note`)."""
    from titr.indicators import forecast as fc

    return {**fc(net, series, until, variant=variant, level=level).to_dict(), "dataset": net.label}


@router.get("/sources", response_model=Page[Source], tags=["sources"], summary="Sources")
def sources(
    net: Net,
    limit: Limit = 100,
    offset: Offset = 0,
    search: Annotated[str | None, Query(max_length=200, description="Filter by text")] = None,
) -> dict[str, Any]:
    """The sources the dataset cites (id, title, URL, publisher, date, reliability)."""
    items = [
        s.model_dump()
        for s in net.sources.values()
        if not search or search.lower() in f"{s.id} {s.title} {s.url or ''} {s.publisher}".lower()
    ]
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "dataset": net.label,
    }


@router.get("/sources/{source_id}", response_model=Source, tags=["sources"], summary="One source")
def source(net: Net, source_id: Annotated[str, Path(max_length=50)]) -> dict[str, Any]:
    s = net.sources.get(source_id)
    if s is None:
        import difflib

        raise NotFoundError(
            f"no source '{source_id}' in dataset {net.label}.",
            difflib.get_close_matches(source_id, list(net.sources), 5, 0.5),
        )
    return {**s.model_dump(), "dataset": net.label}

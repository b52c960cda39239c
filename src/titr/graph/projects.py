"""Projects: which are in service for a question, and the network they make.

`active_projects(net, projects, year)` is the project set of a question: the projects named,
plus — when a year is given — every project ``under_construction`` whose ``earliest_year`` is
not after that year. A ``completed`` project is part of the dataset's baseline figures (e.g.
the Poti container terminal's 700k TEU/yr already includes the completed APMT and PTC
berths), so it is never applied again; `in_service` lists it with the active ones. `apply_projects(net, ids)` returns the network with
their effects, which every engine then compiles the same way:

* ``new_link``     the planned link / process targeted goes into service with its own figures;
* ``capacity_set`` the element's capacity becomes ``effect_value`` (its capacity unit); for a
                   service the payload per sailing becomes ``effect_value`` (its sailing unit);
* ``capacity_add`` adds ``effect_value`` to that capacity or payload per sailing;
* ``vessels_add``  adds vessels to a service (more sailings, a shorter headway);
* ``time_factor``  multiplies the element's running / processing times.
Any project targeting a planned element puts it into service. Projects apply in order of
earliest year, then id (a later ``capacity_set`` on the same element wins).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from titr.errors import DataError, Issue, NotFoundError
from titr.network.model import Network, Project


def active_projects(
    net: Network, projects: Iterable[str] = (), year: int | None = None
) -> list[str]:
    ids = list(dict.fromkeys(projects))
    unknown = [p for p in ids if p not in net.projects]
    if unknown:
        raise NotFoundError(
            f"unknown project(s) {', '.join(unknown)} in {net.label}.", sorted(net.projects)[:20]
        )
    if year is not None:
        for p in sorted(net.projects.values(), key=lambda p: p.id):
            if p.status == "under_construction" and p.earliest_year <= year and p.id not in ids:
                ids.append(p.id)
    return ids


def in_service(net: Network, projects: Iterable[str] = (), year: int | None = None) -> set[str]:
    """Projects in service for a question: the completed ones and the active ones."""
    done = {p.id for p in net.projects.values() if p.status == "completed"}
    return done | set(active_projects(net, projects, year))


def _scaled_time(rec: Any, f: float) -> dict[str, float]:
    return {
        "time_min": rec.time_min * f,
        "time_mode": rec.time_mode * f,
        "time_max": rec.time_max * f,
    }


def _pool(net: Network, kind: str) -> dict[str, Any]:
    pools: dict[str, dict[str, Any]] = {
        "link": net.links,
        "process": net.processes,
        "service": net.services,
    }
    return pools[kind]


def _bad_target(p: Project) -> Issue:
    return Issue(
        "projects.csv",
        None,
        "target_ref",
        p.target_ref,
        f"project {p.id}: no {p.target_kind} with this id",
    )


def check_targets(net: Network) -> None:
    """DataError listing every project whose target element does not exist."""
    bad = [
        _bad_target(p)
        for p in net.projects.values()
        if p.target_ref not in _pool(net, p.target_kind)
    ]
    if bad:
        raise DataError(bad)


def _target(net: Network, p: Project) -> Any:
    rec = _pool(net, p.target_kind).get(p.target_ref)
    if rec is None:
        raise DataError(_bad_target(p))
    return rec


def project_update(rec: Any, p: Project) -> dict[str, Any]:
    """The fields project ``p`` changes on its target record ``rec``."""
    upd: dict[str, Any] = {}
    if getattr(rec, "status", "existing") == "planned":
        upd["status"] = "existing"
    if p.effect == "time_factor":
        if p.target_kind == "service":
            upd["cycle_time"] = rec.cycle_time * p.effect_value
        else:
            upd.update(_scaled_time(rec, p.effect_value))
    elif p.effect == "vessels_add":
        upd["vessels"] = int(round(rec.vessels + p.effect_value))
    elif p.effect in ("capacity_set", "capacity_add"):
        if p.target_kind == "service":
            base = rec.capacity_per_sailing if p.effect == "capacity_add" else 0.0
            upd["capacity_per_sailing"] = base + p.effect_value
        elif p.effect == "capacity_set":
            upd["capacity"] = p.effect_value
            upd["capacity_unit"] = rec.capacity_unit or "t/yr"
        elif rec.capacity is not None:  # adding to an unlimited capacity changes nothing
            upd["capacity"] = rec.capacity + p.effect_value
    return upd


def apply_projects(net: Network, ids: Iterable[str]) -> Network:
    """The network with the effects of projects ``ids`` (same label: the projects are part of
    the question, reported beside the answer)."""
    chosen = sorted(
        (net.projects[i] for i in ids if net.projects[i].status != "completed"),
        key=lambda p: (p.earliest_year, p.id),
    )
    if not chosen:
        return net
    tables: dict[str, dict[str, Any]] = {
        "link": dict(net.links),
        "process": dict(net.processes),
        "service": dict(net.services),
    }
    for p in chosen:
        rec = _target(net, p)
        rec = tables[p.target_kind][p.target_ref]
        upd = project_update(rec, p)
        if upd:
            new = rec.model_copy(update=upd)
            new.__dict__.pop("time", None)  # a cached Triangular of the old times
            tables[p.target_kind][p.target_ref] = new
    return net.model_copy(
        update={
            "links": tables["link"],
            "processes": tables["process"],
            "services": tables["service"],
        }
    )

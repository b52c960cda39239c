"""Route restrictions: avoid countries, nodes, links, named passages, corridors; keep to one
corridor (corridor comparison). Each becomes a boolean mask over the graph's arcs.

Rules (per link; its wait arcs follow the link):
* a country: its nodes are removed, and links whose ``country`` is that country;
* a node: every arc at that node is removed;
* a link: the link is removed (both directions);
* a passage (Suez, Bosphorus, Caspian, …): links whose ``passages`` name it (case-insensitive);
* a corridor: links all of whose corridors (other than ``access``) are avoided — a link shared
  with a corridor that is still allowed stays usable;
* ``only_corridor``: only links whose ``corridors`` column names that corridor (the one rule of
  corridor membership, `titr.graph.rules.link_on_corridor`, which the capacity LP applies too;
  access links name every corridor they feed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from titr.errors import NotFoundError
from titr.graph.model import MultimodalGraph
from titr.graph.rules import corridor_tags, link_on_corridor
from titr.network.model import CORRIDORS, Link, Network
from titr.network.places import places, resolve_country

KINDS = ("country", "node", "link", "passage", "corridor")


def passages_of(net: Network) -> list[str]:
    return sorted({p for lk in net.links.values() for p in lk.passages}, key=str.casefold)


@dataclass(frozen=True)
class Restrictions:
    countries: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    passages: frozenset[str] = frozenset()  # case-folded
    corridors: frozenset[str] = frozenset()
    only_corridor: str | None = None
    only_tags: tuple[str, ...] = ()  # the corridor's link tags (titr.graph.rules.corridor_tags)
    labels: tuple[tuple[str, str], ...] = field(default=())  # (kind, value) as the user gave

    @property
    def empty(self) -> bool:
        return not self.labels and self.only_corridor is None

    def without(self, net: Network, kind: str, value: str) -> Restrictions:
        """The same restrictions less one (for diagnosing a NoRouteError)."""
        labels = tuple(x for x in self.labels if x != (kind, value))
        return parse_avoid_pairs(net, labels, self.only_corridor)

    def link_allowed(self, lk: Link) -> bool:
        if lk.id in self.links or lk.country in self.countries:
            return False
        if self.nodes & {lk.a_node, lk.b_node}:
            return False
        if self.passages and any(p.casefold() in self.passages for p in lk.passages):
            return False
        own = set(lk.corridors) - {"access"}
        if self.corridors and own and own <= self.corridors:
            return False
        return self.only_corridor is None or link_on_corridor(lk, self.only_tags)

    def describe(self) -> str:
        parts = [f"{k} {v}" for k, v in self.labels]
        if self.only_corridor:
            parts.append(f"only corridor {self.only_corridor}")
        return ", ".join(parts) or "no restriction"


def parse_avoid_pairs(
    net: Network, pairs: Iterable[tuple[str, str]], only_corridor: str | None = None
) -> Restrictions:
    pairs = tuple(pairs)
    by: dict[str, set[str]] = {k: set() for k in KINDS}
    for k, v in pairs:
        by[k].add(v.casefold() if k == "passage" else v)
    # nodes of avoided countries are avoided too
    nodes = set(by["node"]) | {n.id for n in net.nodes.values() if n.country in by["country"]}
    return Restrictions(
        countries=frozenset(by["country"]),
        nodes=frozenset(nodes),
        links=frozenset(by["link"]),
        passages=frozenset(by["passage"]),
        corridors=frozenset(by["corridor"]),
        only_corridor=only_corridor,
        only_tags=corridor_tags(net, [only_corridor]) if only_corridor else (),
        labels=pairs,
    )


def classify(net: Network, token: str) -> tuple[str, str]:
    """(kind, value) for one place to avoid (CLI --avoid, API ?avoid=): 'KIND:VALUE' or a bare country code, passage,
    corridor, link id or node (code or name). Unknown → NotFoundError listing valid values."""
    kind, sep, value = token.partition(":")
    kind = kind.strip().lower()
    if sep and kind in KINDS:
        return _check(net, kind, value.strip())
    t = token.strip()
    if t.upper() in net.countries() and len(t) == 2:
        return ("country", t.upper())
    pas = {p.casefold(): p for p in passages_of(net)}
    if t.casefold() in pas:  # before country names: "Gibraltar" is the strait
        return ("passage", pas[t.casefold()])
    if t.lower() in CORRIDORS:
        return ("corridor", t.lower())
    if t in net.links:
        return ("link", t)
    country = resolve_country(net, t)  # a country name in en/ru/tr/kk/az
    if country is not None:
        return ("country", country)
    if len(t) == 2 and t.isalpha():
        raise NotFoundError(
            f"unknown country code '{t}' to avoid; the dataset's countries "
            f"are {places(net).country_list()}."
        )
    try:
        return ("node", net.resolve_node(t))
    except NotFoundError as e:
        raise NotFoundError(
            f"'{t}' (to avoid) is no country, passage, corridor, link or node of {net.label}. "
            f"Countries: {places(net).country_list()}; passages: "
            f"{', '.join(passages_of(net)) or 'none'}; corridors: {', '.join(CORRIDORS)}.",
            e.suggestions,
        ) from None


def _check(net: Network, kind: str, value: str) -> tuple[str, str]:
    if kind == "country":
        code = resolve_country(net, value)
        if code is None:
            raise NotFoundError(
                f"unknown country '{value}'; the dataset's countries are "
                f"{places(net).country_list()}."
            )
        return (kind, code)
    if kind == "passage":
        pas = {p.casefold(): p for p in passages_of(net)}
        if value.casefold() not in pas:
            raise NotFoundError(
                f"unknown passage '{value}'; the dataset's passages are "
                f"{', '.join(pas.values()) or 'none'}."
            )
        return (kind, pas[value.casefold()])
    if kind == "corridor":
        if value.lower() not in CORRIDORS:
            raise NotFoundError(
                f"unknown corridor '{value}'; corridors are {', '.join(CORRIDORS)}."
            )
        return (kind, value.lower())
    if kind == "link":
        if value not in net.links:
            import difflib

            raise NotFoundError(
                f"unknown link '{value}'.", difflib.get_close_matches(value, list(net.links), n=6)
            )
        return (kind, value)
    return ("node", net.resolve_node(value))


def parse_avoid(
    net: Network, avoid: Iterable[str] | Restrictions = (), only_corridor: str | None = None
) -> Restrictions:
    if isinstance(avoid, Restrictions):
        if only_corridor is None:
            return avoid
        return replace(
            avoid, only_corridor=only_corridor, only_tags=corridor_tags(net, [only_corridor])
        )
    if isinstance(avoid, str):
        avoid = [avoid]
    pairs: list[tuple[str, str]] = []
    for tok in avoid:
        for part in str(tok).split(","):
            if part.strip():
                pr = classify(net, part)
                if pr not in pairs:
                    pairs.append(pr)
    return parse_avoid_pairs(net, pairs, only_corridor)


def arc_mask(g: MultimodalGraph, net: Network, r: Restrictions) -> np.ndarray:
    """True for arcs a route under ``r`` may use."""
    mask = np.ones(g.n_arcs, dtype=bool)
    if r.empty:
        return mask
    if r.nodes:
        bad_v = np.isin(g.vertex_node, list(r.nodes))
        mask &= ~(bad_v[g.tail] | bad_v[g.head])
    bad_links = [lid for lid in set(g.arc_link) if lid and not r.link_allowed(net.links[lid])]
    if bad_links:
        mask &= ~np.isin(g.arc_link, bad_links)
    return mask

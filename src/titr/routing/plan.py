"""Route planner: shortest paths on the multimodal graph with restrictions, via-points and
genuinely different alternatives.

Objectives (arc weight, per commodity unit):
  ``time``        expected hours (mean of each step's distribution);
  ``cost``        through-tariff USD (component sum; links without tariff data weigh 0 and are
                  reported in ``tariff.missing``);
  ``generalized`` USD + value_of_time [USD per unit-day] × hours / 24 + risk premium: on each
                  link in country CC, the dataset parameter ``risk_premium_CC`` (USD per t-km,
                  0 in the bundled data) × t per unit × km — the reason (sanctions, war risk,
                  insurance) forwarders avoid a corridor, stated by the user.

Search: Dijkstra on the CSR (scipy.sparse.csgraph). Via-points: the route must pass through
each via node in order; the best sequence of terminals is found exactly by dynamic programming
over multi-source Dijkstra runs between consecutive via layers.

Alternatives: iterative penalties. After each found route, every arc of its links (both
directions, with their wait arcs) gets weight w ← 2w + s·km, s = best objective per km; the
next shortest path under the penalised weights is accepted only if it shares at most
``max_overlap`` of its link length with every accepted route (shared km / the shorter route's
km), so a detour of an earlier route is never offered as an alternative, and only if it does
not come back into a country it has left (Altynkol → Khorgos (CN) → Dostyk (KZ) …) unless the
best route itself does so in that country (`reentered`). Values are reported with the true
(unpenalised) weights.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from titr import jsonfmt
from titr.errors import NoRouteError, NotFoundError, TitrError
from titr.graph import MultimodalGraph, build_graph
from titr.graph.costs import select_tariffs, with_unpriced
from titr.network.model import Network, TariffComponent
from titr.network.places import Via, link_label, resolve_via
from titr.routing.csr import cached_csr, transient_csr
from titr.routing.emissions import co2
from titr.routing.restrict import Restrictions, arc_mask, parse_avoid, parse_avoid_pairs
from titr.routing.result import Route, RouteResult, Step
from titr.routing.scenarios import check_month, in_month, month_note
from titr.routing.transit import DEFAULT_SAMPLES, transit_time
from titr.tariff.through import through_tariff

OBJECTIVES = ("time", "cost", "generalized")
_CACHE: dict[tuple[Any, ...], MultimodalGraph] = {}


def graph_for(
    net: Network,
    commodity: str,
    *,
    include_planned: bool = False,
    projects: Iterable[str] = (),
    year: int | None = None,
) -> MultimodalGraph:
    """`build_graph` with a small cache keyed by the dataset's content hash and options."""
    key = (id(net), net.content_hash, commodity, include_planned, tuple(projects), year)
    g = _CACHE.get(key)
    if g is None:
        g = build_graph(
            net, commodity, include_planned=include_planned, projects=tuple(projects), year=year
        )
        if len(_CACHE) > 16:
            _CACHE.clear()
        _CACHE[key] = g
    return g


def imputed_costs(g: MultimodalGraph) -> np.ndarray:
    """Arc costs where link arcs without tariff data get the median USD/km of the priced links
    of their mode, else the dataset's rate for unpriced links (one rule with the capacity LP:
    `titr.graph.costs.with_unpriced`).
    Computed once per graph (cached in ``g.info``); the caller gets its own copy."""
    cached: np.ndarray | None = g.info.get("_imputed_costs")
    if cached is None:
        cached = with_unpriced(g, g.info["network"])
        g.info["_imputed_costs"] = cached
    return cached.copy()


RISK_PREFIX = "risk_premium_"


def risk_premium(net: Network, g: MultimodalGraph, t_per_unit: float) -> np.ndarray:
    """USD per commodity unit on each link arc: ``risk_premium_<country>`` (USD per t-km) of
    the link's country × t per unit × km; 0 where the dataset states no premium."""
    rates = {
        pid[len(RISK_PREFIX) :]: p.value
        for pid, p in net.parameters.items()
        if pid.startswith(RISK_PREFIX) and p.value
    }
    out = np.zeros(len(g.kind))
    if not rates:
        return out
    for i in np.flatnonzero(g.kind == "link"):
        lk = net.links.get(g.arc_link[i])
        if lk is not None and lk.country in rates:
            out[i] = rates[lk.country] * t_per_unit * g.distance_km[i]
    return out


def arc_weights(
    g: MultimodalGraph,
    by: str,
    value_of_time: float = 0.0,
    impute_missing: bool = False,
    premium: np.ndarray | None = None,
) -> np.ndarray:
    """Weights per arc: hours, USD or USD + value_of_time × hours / 24 + risk premium (see
    module doc)."""
    if by == "time":
        return g.time_h.copy()
    cost = imputed_costs(g) if impute_missing else g.cost_usd.copy()
    if by == "cost":
        return cost
    if by == "generalized":
        gen = cost + value_of_time * g.time_h / 24.0
        return gen + premium if premium is not None else gen  # type: ignore[no-any-return]
    raise TitrError(f"objective must be one of {', '.join(OBJECTIVES)}, got '{by}'")


def best_path(
    g: MultimodalGraph,
    w: np.ndarray,
    mask: np.ndarray,
    src: int,
    layers: Sequence[np.ndarray],
    dst: int,
    *,
    transient: bool = False,
) -> tuple[float, np.ndarray] | None:
    """Cheapest src → layer₁ → … → dst path (vertex sequence) or None. `transient`: the
    weights are used once (alternatives' penalties), so their CSR is not cached."""
    csr = transient_csr(g, w, mask) if transient else cached_csr(g, w, mask)
    seq = [np.array([src])] + [np.asarray(x) for x in layers] + [np.array([dst])]
    if any(len(x) == 0 for x in seq):
        return None
    cost = np.zeros(1)
    back: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for a, b in zip(seq[:-1], seq[1:], strict=True):
        d, pred = csr.shortest_paths(a)
        d = np.atleast_2d(d)
        pred = np.atleast_2d(pred)
        tot = cost[:, None] + d[:, b]  # (len a, len b)
        arg = np.argmin(tot, axis=0)
        cost = tot[arg, np.arange(len(b))]
        back.append((arg, pred, a))
    if not np.isfinite(cost[0]):
        return None
    verts: list[int] = []
    j = 0  # index into seq[i + 1] of the vertex the route reaches
    for i in range(len(back) - 1, -1, -1):
        arg, pred, a = back[i]
        k = int(arg[j])
        seg = [int(seq[i + 1][j])]
        while seg[-1] != int(a[k]):
            seg.append(int(pred[k, seg[-1]]))
        seg.reverse()
        verts = seg + verts[1:] if verts else seg
        j = k
    return float(cost[0]), g.arcs_of_path(verts)


def _link_codes(g: MultimodalGraph) -> tuple[np.ndarray, dict[str, int]]:
    """Integer code of each arc's link id (cached on the graph): marking the arcs of a set of
    links is then a table lookup instead of comparing strings."""
    c: tuple[np.ndarray, dict[str, int]] | None = g.info.get("_link_codes")
    if c is None:
        uniq, inv = np.unique(g.arc_link.astype(str), return_inverse=True)
        c = (inv.astype(np.int64), {str(u): i for i, u in enumerate(uniq)})
        g.info["_link_codes"] = c
    return c


def _link_km(g: MultimodalGraph, arcs: np.ndarray) -> dict[str, float]:
    out: dict[str, float] = {}
    for a in arcs:
        if g.kind[a] == "link":
            out[g.ref[a]] = out.get(g.ref[a], 0.0) + float(g.distance_km[a])
    return out


def reentered(net: Network, g: MultimodalGraph, arcs: np.ndarray) -> set[str]:
    """Countries the path comes back into after leaving them (its node sequence, each node
    with its country)."""
    seen: set[str] = set()
    out: set[str] = set()
    last = None
    for a in arcs.tolist():
        for n in (g.arc_node[a], g.arc_to_node[a]):
            c = net.nodes[n].country
            if c != last:
                if c in seen:
                    out.add(c)
                seen.add(c)
                last = c
    return out


def _overlap(a: dict[str, float], b: dict[str, float]) -> float:
    shared = sum(min(a[k], b[k]) for k in a.keys() & b.keys())
    den = min(sum(a.values()), sum(b.values()))
    return shared / den if den > 0 else 1.0


def _arc_step(g: MultimodalGraph, a: int) -> tuple[Step, bytes] | None:
    """The route step of arc `a` and its tidy JSON (`jsonfmt.dumps_bytes`), or None for an arc
    that is no step (connectors; a capacity-only port pass at a water end). Everything in a
    step comes from the graph's arc arrays, so each is built once per graph (cached in
    ``g.info``; steps are frozen and shared between routes)."""
    cache: dict[int, tuple[Step, bytes] | None] | None = g.info.get("_route_steps")
    if cache is None:
        cache = g.info.setdefault("_route_steps", {})
    if a in cache:
        return cache[a]
    k = g.kind[a]
    out: tuple[Step, bytes] | None = None
    if not (k == "connector" or (k in ("load", "unload") and g.dist[a] is None)):
        s = Step(
            kind="link" if k == "link" else ("wait" if k == "wait" else "process"),
            ref=str(g.ref[a]),
            node=str(g.arc_node[a]),
            to_node=str(g.arc_to_node[a]),
            mode=str(g.arc_mode[a]),
            time=g.dist[a],
            distance_km=float(g.distance_km[a]),
            arc_kind=str(k),
            cost_usd=float(g.cost_usd[a]),
            link=str(g.arc_link[a]),
            tariff_missing=bool(g.tariff_missing[a]),
        )
        out = (s, jsonfmt.dumps_bytes(s.to_dict()))
    cache[a] = out
    return out


def _selected_tariffs(
    net: Network, g: MultimodalGraph, year: int | None
) -> dict[tuple[str, str], list[TariffComponent]]:
    """`select_tariffs` for the graph's commodity and `year`, once per graph and year."""
    key = f"_selected_tariffs_{year}"
    sel: dict[tuple[str, str], list[TariffComponent]] | None = g.info.get(key)
    if sel is None:
        sel = select_tariffs(net, g.commodity, year)
        g.info[key] = sel
    return sel


def make_route(
    net: Network,
    g: MultimodalGraph,
    arcs: np.ndarray,
    *,
    by: str,
    value: float,
    per: str | None,
    single_tariff: bool,
    year: int | None,
    samples: int,
    seed: int | np.random.Generator | None,
    time_method: str = "convolution",
) -> Route:
    steps: list[Step] = []
    step_json: list[bytes] = []
    for a in arcs.tolist():
        hit = _arc_step(g, a)
        if hit is not None:
            steps.append(hit[0])
            step_json.append(hit[1])
    corridor_km: dict[str, float] = {}
    passages: list[str] = []
    for s in steps:
        if s.kind == "link":
            lk = net.links[s.ref]
            for c in lk.corridors:
                corridor_km[c] = corridor_km.get(c, 0.0) + s.distance_km
            passages += [p for p in lk.passages if p not in passages]
    return Route(
        steps=steps,
        commodity=g.commodity,
        objective=by,
        objective_value=value,
        transit_time=transit_time([s.time for s in steps], samples, seed, time_method),
        tariff=through_tariff(
            net,
            steps,
            g.commodity,
            per=per,
            single=single_tariff,
            year=year,
            selected=_selected_tariffs(net, g, year),
        ),
        co2=co2(net, steps, g.commodity),
        corridor_km=corridor_km,
        passages=passages,
        step_json=step_json,
    )


def _describe_path(net: Network, g: MultimodalGraph, arcs: np.ndarray) -> str:
    nodes: list[str] = []
    for a in arcs:
        for n in (g.arc_node[a], g.arc_to_node[a]):
            if not nodes or nodes[-1] != n:
                nodes.append(str(n))
    days = float(g.time_h[arcs].sum()) / 24.0
    return f"{' → '.join(nodes)} ({days:.1f} days expected)"


def route(
    net: Network,
    origin: str,
    destination: str,
    commodity: str = "container",
    *,
    by: str = "time",
    alternatives: int = 1,
    avoid: Iterable[str] | Restrictions = (),
    via: Sequence[str] = (),
    seed: int | np.random.Generator | None = 0,
    value_of_time: float | None = None,
    per: str | None = None,
    single_tariff: bool = False,
    include_planned: bool = False,
    projects: Iterable[str] = (),
    year: int | None = None,
    samples: int = DEFAULT_SAMPLES,
    max_overlap: float = 0.7,
    only_corridor: str | None = None,
    time_method: str = "convolution",
    impute_missing_tariffs: bool = True,
    month: int | None = None,
) -> RouteResult:
    """Best route(s) from ``origin`` to ``destination`` (node codes or names in en/ru/tr).
    With ``month`` (1..12), for a departure in that month: storm waits before weather-sensitive
    sailings (`titr.routing.scenarios.in_month`).

    ``alternatives`` is the number of routes wanted (the best plus genuinely different
    ones); fewer are returned with a note when no more exist. Raises `NoRouteError` naming the
    restriction that blocks every route.
    """
    if by not in OBJECTIVES:
        raise TitrError(f"objective must be one of {', '.join(OBJECTIVES)}, got '{by}'")
    if alternatives < 1:
        raise TitrError("alternatives must be at least 1")
    if month is not None:
        check_month(month)
    o, d = net.resolve_node(origin), net.resolve_node(destination)
    via_places = [resolve_via(net, v) for v in via]  # nodes or countries (titr.network.places)
    vias = [v.code for v in via_places]
    if o == d:
        raise TitrError(f"origin and destination are the same node ({o})")
    com = net.commodities.get(commodity)
    if com is None:
        raise NotFoundError(f"unknown commodity '{commodity}'.", sorted(net.commodities))
    vot = com.value_of_time if value_of_time is None else value_of_time
    if vot < 0:
        raise TitrError("value of time must be >= 0 USD per unit-day")
    g = graph_for(net, commodity, include_planned=include_planned, projects=projects, year=year)
    node_vias = [v.code for v in via_places if v.kind == "node"]
    for n, role in [(o, "origin"), (d, "destination")] + [(v, "via") for v in node_vias]:
        if n not in g.origin:
            modes = sorted({lk.mode for lk in net.links_of(n)})
            raise NoRouteError(
                f"{role} {n} has no terminal for commodity '{commodity}': its "
                f"links ({', '.join(modes) or 'none'}) do not carry it"
            )
    r = parse_avoid(net, avoid, only_corridor)
    for n, role in [(o, "origin"), (d, "destination")] + [(v, "via") for v in node_vias]:
        if n in r.nodes:
            raise NoRouteError(
                f"the {role} {n} ({net.nodes[n].country}) is itself excluded "
                f"by the restrictions ({r.describe()})"
            )
    prem = risk_premium(net, g, com.t_per_unit) if by == "generalized" else None
    w = arc_weights(g, by, vot, impute_missing_tariffs, prem)
    mask = arc_mask(g, net, r)
    layers = [via_vertices(g, v) for v in via_places]
    for v, layer in zip(via_places, layers, strict=True):
        if v.kind == "country" and (not layer.size or set(v.nodes) <= set(r.nodes)):
            raise NoRouteError(
                f"no place of country {v.code} can be passed: none carries commodity "
                f"'{commodity}' or all are excluded by the restrictions"
            )
    found = best_path(g, w, mask, g.origin[o], layers, g.dest[d])
    if found is None:
        raise NoRouteError(_diagnose(net, g, w, r, o, d, vias, commodity, layers))
    kw: dict[str, Any] = dict(
        by=by,
        per=per,
        single_tariff=single_tariff,
        year=year,
        samples=samples,
        seed=seed,
        time_method=time_method,
    )
    paths = [found]
    notes: list[str] = []
    if alternatives > 1:
        paths += _alternatives(
            net, g, w, mask, g.origin[o], layers, g.dest[d], found, alternatives - 1, max_overlap
        )
        if len(paths) < alternatives:
            notes.append(
                f"only {len(paths)} genuinely different route(s) found (at most "
                f"{max_overlap:.0%} of link length shared, not coming back into a country "
                f"left); asked for {alternatives}"
            )
    routes = [make_route(net, g, arcs, value=float(w[arcs].sum()), **kw) for _, arcs in paths]
    if r.labels:
        note = _restriction_note(net, g, w, by, r, mask, g.origin[o], layers, g.dest[d], found)
        if note:
            notes.append(note)
    if month is not None:
        routes = [in_month(net, rt, month, samples, seed, time_method) for rt in routes]
        notes.append(month_note(net, routes, month))
    missing = sorted({m["link"] for rt in routes for m in rt.tariff.missing})
    if missing:
        if by != "time" and impute_missing_tariffs:
            notes.append(
                "for choosing the route, links without tariff data were costed at the median "
                "USD/km of their mode (else the dataset's rate for unpriced links; "
                "objective_value includes that estimate)"
            )
        from titr.network.places import link_label

        notes.append(
            f"no tariff data for {'; '.join(link_label(net, m) for m in missing)}: "
            f"{'its' if len(missing) == 1 else 'their'} cost is not included in the tariff"
        )
    return RouteResult(
        net=net,
        origin=o,
        destination=d,
        commodity=commodity,
        by=by,
        routes=routes,
        restrictions=r.describe(),
        via=vias,
        notes=notes,
    )


def _restriction_note(
    net: Network,
    g: MultimodalGraph,
    w: np.ndarray,
    by: str,
    r: Restrictions,
    mask: np.ndarray,
    src: int,
    layers: Sequence[np.ndarray],
    dst: int,
    found: tuple[float, np.ndarray],
) -> str | None:
    """What the restrictions cost: when the best route without them is another route, the
    steps of it that they exclude, each with the restriction that does (so "avoid Bosphorus"
    says it also removed the Marmaray rail tunnel, not only the strait), and that route."""
    free = best_path(g, w, np.ones(g.n_arcs, dtype=bool), src, layers, dst)
    if free is None or free[0] >= found[0] - 1e-9 * max(1.0, abs(found[0])):
        return None  # the restrictions cost nothing
    excluded: dict[tuple[str, str], list[str]] = {lab: [] for lab in r.labels}
    for a in free[1].tolist():
        if mask[a] or g.kind[a] == "wait":
            continue
        for lab in r.labels:
            one = parse_avoid_pairs(net, [lab])
            if g.kind[a] == "link":
                hit = not one.link_allowed(net.links[g.arc_link[a]])
                what = f"link {link_label(net, str(g.arc_link[a]))}"
            else:
                n = str(g.arc_node[a])
                hit = n in one.nodes
                what = f"{net.nodes[n].name_en} ({n})"
            if hit and what not in excluded[lab]:
                excluded[lab].append(what)
    parts = []
    for (kind, value), items in excluded.items():
        if not items:
            continue
        if kind == "country":  # its own places: say how many, not each
            nl = sum(1 for x in items if x.startswith("link "))
            parts.append(
                f"country {value} excludes {nl} link(s) and {len(items) - nl} place(s) in it"
            )
        else:
            parts.append(f"{kind} {value} excludes {', '.join(items)}")
    unit = {"time": "h", "cost": "USD", "generalized": "USD (generalised)"}[by]
    return (
        f"the restrictions changed the route: {'; '.join(parts)} of the best route without "
        f"them, {_describe_path(net, g, free[1])}; objective {free[0]:,.1f} {unit} there, "
        f"{found[0]:,.1f} {unit} here"
    )


def _alternatives(
    net: Network,
    g: MultimodalGraph,
    w: np.ndarray,
    mask: np.ndarray,
    src: int,
    layers: Sequence[np.ndarray],
    dst: int,
    first: tuple[float, np.ndarray],
    k: int,
    max_overlap: float,
) -> list[tuple[float, np.ndarray]]:
    accepted: list[tuple[float, np.ndarray]] = []
    allowed_back = reentered(net, g, first[1])
    kms = [_link_km(g, first[1])]
    km0 = sum(kms[0].values())
    scale = float(w[first[1]].sum()) / km0 if km0 > 0 else 1.0
    pen = w.astype(float).copy()
    last = first[1]
    for _ in range(6 * k):
        if len(accepted) >= k:
            break
        codes, index = _link_codes(g)
        used = np.zeros(len(index), dtype=bool)
        used[[index[g.arc_link[a]] for a in last if g.kind[a] == "link"]] = True
        sel = used[codes]
        pen[sel] = pen[sel] * 2.0 + scale * g.distance_km[sel]
        p = best_path(g, pen, mask, src, layers, dst, transient=True)
        if p is None:
            break
        last = p[1]
        km = _link_km(g, p[1])
        if all(_overlap(km, other) <= max_overlap for other in kms) and not (
            reentered(net, g, p[1]) - allowed_back
        ):
            accepted.append((float(w[p[1]].sum()), p[1]))
            kms.append(km)
    accepted.sort(key=lambda x: x[0])
    return accepted


def via_vertices(g: MultimodalGraph, via: Via) -> np.ndarray:
    """The vertices that count as passing `via`: its node's, or those of any node of its
    country."""
    if via.kind == "node":
        return g.node_vertices(via.code)
    return np.unique(np.concatenate([g.node_vertices(n) for n in via.nodes]))


def _diagnose(
    net: Network,
    g: MultimodalGraph,
    w: np.ndarray,
    r: Restrictions,
    o: str,
    d: str,
    vias: list[str],
    commodity: str,
    layers: list[np.ndarray],
) -> str:
    head = f"no route from {o} to {d} for {commodity}"
    if not r.empty:
        head += f" under: {r.describe()}"
    if vias:
        head += f"; via {', '.join(vias)}"
    free = best_path(g, w, np.ones(g.n_arcs, dtype=bool), g.origin[o], [], g.dest[d])
    if free is None:
        return (
            f"{head}: the network for commodity '{commodity}' does not connect them at "
            f"all (no restriction is to blame)"
        )
    helps: list[str] = []
    for kind, value in r.labels:
        rr = r.without(net, kind, value)
        p = best_path(g, w, arc_mask(g, net, rr), g.origin[o], layers, g.dest[d])
        if p is not None:
            helps.append(
                f"avoiding {kind} {value} blocks every route (without it the best route is "
                f"{_describe_path(net, g, p[1])})"
            )
    if r.only_corridor is not None:
        rr = parse_avoid(net, [f"{k}:{v}" for k, v in r.labels])
        p = best_path(g, w, arc_mask(g, net, rr), g.origin[o], layers, g.dest[d])
        c = r.only_corridor
        text = f"the links of corridor '{c}' (its tags in the data) do not connect {o} and {d}"
        if p is not None:
            text += f"; outside corridor {c} the best route is {_describe_path(net, g, p[1])}"
        helps.append(text)
    mask = arc_mask(g, net, r)
    for i, v in enumerate(vias):
        rest = layers[:i] + layers[i + 1 :]
        p = best_path(g, w, mask, g.origin[o], rest, g.dest[d])
        if p is not None:
            helps.append(f"without via {v} the best route is {_describe_path(net, g, p[1])}")
    if helps:
        return f"{head}: " + "; ".join(helps)
    return (
        f"{head}: no single restriction is to blame, their combination blocks every "
        f"route; without any the best route is {_describe_path(net, g, free[1])}"
    )

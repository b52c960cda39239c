"""What an assignment carried on which corridor: one capacity accounting for every result.

The LP's arc flows of each (commodity, origin) block are decomposed into origin →
destination paths (flow decomposition; cycles, which only cost, are dropped). A path counts as
carried **on the Middle Corridor** when every link it uses belongs to it
(the links tagged ``middle`` or with a tag the dataset counts as part of it,
`titr.graph.rules.corridor_tags`); otherwise its
volume is **diverted**, labelled by the other corridors its non-Middle-Corridor links belong to
(``sea_suez``, ``iran``, ``northern`` …). Tonnes = units x t per unit; TEU counts containers.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from titr.flows.assign import Assignment
from titr.graph.rules import MIDDLE_CORRIDOR, corridor_tags, link_on_corridor
from titr.network.model import Network

EPS = 1e-9


def _paths(
    tail: np.ndarray, head: np.ndarray, x: np.ndarray, src: int
) -> list[tuple[list[int], float]]:
    """Decompose the arc flow ``x`` leaving ``src`` into (arcs, flow) paths."""
    f = np.where(x > EPS * max(1.0, float(x.max(initial=0.0))), x, 0.0).astype(float)
    out: dict[int, list[int]] = {}
    for arc in np.flatnonzero(f).tolist():
        out.setdefault(int(tail[arc]), []).append(int(arc))
    paths: list[tuple[list[int], float]] = []
    for _ in range(100_000):
        v, seen = src, {src: 0}
        arcs: list[int] = []
        while True:
            cand = [c for c in out.get(v, []) if f[c] > 0]
            if not cand:
                break
            best = max(cand, key=lambda c: float(f[c]))
            arcs.append(best)
            v = int(head[best])
            if v in seen:  # a cycle: remove its flow and restart
                cyc = arcs[seen[v] :]
                f[cyc] -= min(f[c] for c in cyc)
                arcs = []
                break
            seen[v] = len(arcs)
        if not arcs:
            if not any(f[c] > 0 for c in out.get(src, [])):
                break
            continue
        q = min(float(f[c]) for c in arcs)
        f[arcs] -= q
        f[f < EPS] = 0.0
        paths.append((arcs, float(q)))
    return paths


def corridor_of(net: Network, links: Collection[str], middle: Collection[str] | None = None) -> str:
    """'middle' when every link is on the Middle Corridor, else the other corridors used."""
    middle = corridor_tags(net, MIDDLE_CORRIDOR) if middle is None else middle
    other: set[str] = set()
    for lid in links:
        lk = net.links[lid]
        if link_on_corridor(lk, middle):
            continue
        own = {c for c in lk.corridors if c != "access"}
        other |= own or {"other"}
    return "+".join(sorted(other)) if other else "middle"


def corridor_frame(a: Assignment, net: Network) -> pd.DataFrame:
    """Carried volume per commodity and corridor: units, t and TEU per year, and whether it is
    carried on the Middle Corridor (else diverted)."""
    acc: dict[tuple[str, str], float] = {}
    middle = corridor_tags(net, MIDDLE_CORRIDOR)
    for b in a.problem.blocks:
        g = a.model.graphs[b.commodity]
        x = a.solution.x[b.col0 : b.col0 + b.n_arcs]
        if not np.any(x > 0):
            continue
        for arcs, q in _paths(g.tail, g.head, x, g.hub[b.origin]):
            links = [g.link[i] for i in arcs if g.kind[i] == "link"]
            key = (b.commodity, corridor_of(net, links, middle))
            acc[key] = acc.get(key, 0.0) + q
    rows: list[dict[str, Any]] = []
    for (k, c), q in sorted(acc.items()):
        com = net.commodities[k]
        mwh = com.unit == "MWh"
        rows.append(
            {
                "commodity": k,
                "corridor": c,
                "on_middle_corridor": c == "middle",
                "units": q,
                "unit": com.unit,
                "t": 0.0 if mwh else q * com.t_per_unit,
                "teu": q if com.unit == "TEU" else 0.0,  # containers only
            }
        )
    cols = ["commodity", "corridor", "on_middle_corridor", "units", "unit", "t", "teu"]
    return pd.DataFrame(rows, columns=cols)

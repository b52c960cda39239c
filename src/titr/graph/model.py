"""The compiled multimodal graph: vertex and arc arrays, CSR views.

Vertices (``vertex_kind``):
  ``terminal`` (node, mode)   where links of that mode arrive (and leave, at non-border nodes);
  ``cleared``  (node, mode)   at a node with a border process: where links leave after the
                              border was passed (terminal -> border chain -> cleared);
  ``origin``   (node)         a shipment's start: arcs to the node's departure vertices;
  ``dest``     (node)         a shipment's end: arcs from the node's arrival terminals;
  ``aux``                     intermediate vertices (wait before a sailing, process chains,
                              splits of parallel arcs).
Origin and destination hubs are separate so that no route can pass *through* a hub, which
would let it change mode without a transfer process or skip a border.

Arc ``kind``: ``link`` (running on a link), ``transfer`` (gauge change, port handling,
transshipment between two modes at a node), ``pass`` (border process), ``wait`` (headway before
a ferry/sea sailing), ``load`` / ``unload`` (processes at origin/destination) and ``connector``
(zero time, zero cost).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from titr.errors import NotFoundError

ARC_KINDS = ("link", "transfer", "pass", "wait", "load", "unload", "connector")


@dataclass
class MultimodalGraph:
    """Arc arrays (length ``n_arcs``) and vertex arrays (length ``n_vertices``).

    Units: ``time_h`` expected hours, ``time_var`` variance in h², ``cost_usd`` USD per
    commodity unit (through-tariff components), ``distance_km`` km.
    """

    commodity: str
    label: str
    vertex_node: np.ndarray  # object: node id
    vertex_mode: np.ndarray  # object: mode or ''
    vertex_kind: np.ndarray  # object
    tail: np.ndarray  # int64
    head: np.ndarray  # int64
    time_h: np.ndarray
    time_var: np.ndarray
    cost_usd: np.ndarray
    distance_km: np.ndarray
    kind: np.ndarray  # object, one of ARC_KINDS
    ref: np.ndarray  # object: link / process / service id ('' for connectors)
    arc_node: np.ndarray  # object: node where the arc starts
    arc_to_node: np.ndarray  # object: node where it ends
    arc_mode: np.ndarray  # object: mode of the arc ('' for hub arcs)
    arc_link: np.ndarray  # object: link id for link and wait arcs, '' otherwise
    dist: Sequence[Any]  # per arc: Triangular / Uniform, or None (zero time)
    tariff_ids: list[tuple[str, ...]]  # per arc: tariff component ids charged on it
    tariff_missing: np.ndarray  # bool: a link arc with no tariff component at all
    origin: dict[str, int]
    dest: dict[str, int]
    terminal: dict[tuple[str, str], int]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_vertices(self) -> int:
        return int(len(self.vertex_node))

    @property
    def n_arcs(self) -> int:
        return int(len(self.tail))

    def csr(self, weight: np.ndarray, mask: np.ndarray | None = None) -> sp.csr_matrix:
        """CSR adjacency with ``weight`` per arc; arcs where ``mask`` is False are left out.

        Explicit zero weights are kept (csgraph treats stored zeros as edges). The vertex
        design guarantees at most one arc per (tail, head), so nothing is merged; asserted.
        """
        w = np.asarray(weight, dtype=float)
        if w.shape != (self.n_arcs,):
            raise ValueError(f"weight must have one value per arc ({self.n_arcs})")
        _, order = self._keys()  # arcs sorted by (tail, head), unique (asserted at build)
        keep = None if mask is None else np.asarray(mask, dtype=bool)[order]
        m = sorted_arcs_csr(self.tail[order], self.head[order], w[order], keep, self.n_vertices)
        assert m.nnz == (len(w) if keep is None else int(keep.sum())), (
            "parallel arcs were merged: the graph construction is broken"
        )
        return m

    def _keys(self) -> tuple[np.ndarray, np.ndarray]:
        k: tuple[np.ndarray, np.ndarray] | None = self.info.get("_keys")
        if k is None:
            keys = self.tail * self.n_vertices + self.head
            order = np.argsort(keys, kind="stable")
            k = (keys[order], order)
            self.info["_keys"] = k
        return k

    def arcs_of_path(self, vertices: list[int] | np.ndarray) -> np.ndarray:
        """Arc indices along a vertex sequence."""
        v = np.asarray(vertices, dtype=np.int64)
        if len(v) < 2:
            return np.zeros(0, dtype=np.int64)
        sk, order = self._keys()
        want = v[:-1] * self.n_vertices + v[1:]
        pos = np.searchsorted(sk, want)
        if np.any(pos >= len(sk)) or np.any(sk[np.minimum(pos, len(sk) - 1)] != want):
            raise ValueError("vertex sequence is not a path of the graph")
        return order[pos]  # type: ignore[no-any-return]

    def origin_vertex(self, node: str) -> int:
        if node not in self.origin:
            raise NotFoundError(
                f"node '{node}' has no terminal for commodity '{self.commodity}' in {self.label}"
            )
        return self.origin[node]

    def dest_vertex(self, node: str) -> int:
        if node not in self.dest:
            raise NotFoundError(
                f"node '{node}' has no terminal for commodity '{self.commodity}' in {self.label}"
            )
        return self.dest[node]

    def node_vertices(self, node: str) -> np.ndarray:
        """Terminal and cleared vertices of a node (what passing through it means)."""
        return np.flatnonzero(
            (self.vertex_node == node) & np.isin(self.vertex_kind, ["terminal", "cleared"])
        )


def sorted_arcs_csr(
    row: np.ndarray, head: np.ndarray, weight: np.ndarray, keep: np.ndarray | None, n: int
) -> sp.csr_matrix:
    """CSR matrix (n × n) of arcs already sorted by (row, head), keeping those where ``keep``
    is True (all when None). No COO round trip and no duplicate summing: the row pointer comes
    straight from the counts per row."""
    if keep is not None:
        row, head, weight = row[keep], head[keep], weight[keep]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
    return sp.csr_matrix((weight, head, indptr), shape=(n, n))

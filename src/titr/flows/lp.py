"""Source-based multi-commodity min-cost flow with shared capacities, built as sparse matrices
and solved with HiGHS (highspy `passModel`).

Variables: x[k, o, a] >= 0 flow of commodity k that started at origin o on arc a (commodity
units per year), and u[k, o, d] in [0, D_kod] unserved demand. Grouping flow by origin (not by
OD pair) keeps the variable count at (#origins x #arcs) per commodity however many
destinations there are; the optimum is the same as with one commodity per OD pair because the
costs do not depend on the destination.

    minimise   sum c[k,a] x[k,o,a] + sum P_k u[k,o,d]
    subject to for every k, o, vertex v:
                 out(v) - in(v) + [v = hub(o)] sum_d u[k,o,d] - [v = sink(d)] u[k,o,d]
                     = [v = hub(o)] sum_d D[k,o,d] - [v = sink(d)] D[k,o,d]
               for every resource r with finite capacity:
                 sum_{k,o,a} coef[k,a,r] x[k,o,a] <= cap_r            (shared unit per year)

The shadow price of resource r is -dual_r >= 0: the fall of the optimal cost (USD/yr) per
extra shared unit (t/yr or MWh/yr) of capacity; `Resource.native_per_shared` converts it.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from titr.errors import DataError, InfeasibleError, Issue
from titr.flows.flowgraph import FlowModel

INF = highspy.kHighsInf
_BANNER_SHOWN = False
SOLVER_LOG = False  # `titr --verbose` sets it: HiGHS's banner and solver log on stdout


def new_highs() -> highspy.Highs:
    """A HiGHS instance, quiet unless SOLVER_LOG. HiGHS prints its banner on stdout when the
    first instance of a process is created, which would corrupt machine-readable output
    (``--json``); the first construction therefore runs with file descriptor 1 pointed at
    /dev/null."""
    global _BANNER_SHOWN
    if SOLVER_LOG:
        return highspy.Highs()
    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


@dataclass
class ODTable:
    """Aggregated OD demand: one row per (commodity, origin, destination), commodity units/yr."""

    commodity: list[str]
    origin: list[str]
    destination: list[str]
    quantity: np.ndarray

    def __len__(self) -> int:
        return len(self.commodity)

    @classmethod
    def from_rows(cls, rows: list[tuple[str, str, str, float]]) -> ODTable:
        agg: dict[tuple[str, str, str], float] = {}
        for k, o, d, q in rows:
            if o == d or q <= 0:
                continue
            agg[(k, o, d)] = agg.get((k, o, d), 0.0) + float(q)
        keys = sorted(agg)
        return cls(
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            np.array([agg[k] for k in keys], dtype=float),
        )


@dataclass
class Block:
    commodity: str
    origin: str
    col0: int  # first x column
    row0: int  # first conservation row
    n_arcs: int


@dataclass
class LPProblem:
    """Assembled LP: CSC matrix, bounds and the index maps needed to read the solution.

    The constraint matrix is built on first use of `A` (`assemble` leaves it to a builder):
    the column-generation solver (`titr.flows.paths`) never needs it, only the block layout,
    the bounds and the costs."""

    A_: sp.csc_matrix | None
    c: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    blocks: list[Block]
    u_col0: int
    od: ODTable
    res_rows: dict[int, int]  # resource index -> row
    n_x: int
    build_s: float = 0.0
    integrality: np.ndarray | None = None
    builder: Callable[[], sp.csc_matrix] | None = None  # builds A_ when it is None

    @property
    def A(self) -> sp.csc_matrix:
        if self.A_ is None:
            if self.builder is None:
                raise ValueError("LPProblem has neither a matrix nor a builder")
            t0 = time.perf_counter()
            self.A_ = self.builder()
            self.build_s += time.perf_counter() - t0
        return self.A_

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) without building the matrix."""
        if self.A_ is not None:
            return (int(self.A_.shape[0]), int(self.A_.shape[1]))
        return (self.row_lower.size, self.c.size)


@dataclass
class LPSolution:
    status: str
    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    solve_s: float
    mip_gap: float = 0.0
    info: dict[str, float] = field(default_factory=dict)


def _check_od(model: FlowModel, od: ODTable) -> None:
    issues = []
    for i in range(len(od)):
        k, o, d = od.commodity[i], od.origin[i], od.destination[i]
        g = model.graphs.get(k)
        if g is None:
            issues.append(
                Issue("demand", i + 1, "commodity", k, "the model was built without this commodity")
            )
            continue
        for colname, n in (("origin", o), ("destination", d)):
            if n not in g.hub:
                issues.append(Issue("demand", i + 1, colname, n, "node is not in the network"))
    if issues:
        raise DataError(issues)


def assemble(
    model: FlowModel, od: ODTable, penalty: dict[str, float], capacity: np.ndarray | None = None
) -> LPProblem:
    """Lay out the LP of `model` for demand `od` (penalty: USD per commodity unit unserved):
    blocks, costs, bounds and right-hand sides; the sparse matrix is built when `A` is first
    read (`LPProblem.A`).

    capacity: optional array of resource capacities (shared unit) replacing the model's."""
    t0 = time.perf_counter()
    caps = (
        np.array([r.capacity for r in model.resources], dtype=float)
        if capacity is None
        else np.asarray(capacity, dtype=float)
    )
    _check_od(model, od)

    # blocks: (commodity, origin)
    by_src: dict[tuple[str, str], list[int]] = {}
    for i in range(len(od)):
        by_src.setdefault((od.commodity[i], od.origin[i]), []).append(i)
    blocks: list[Block] = []
    col = row = 0
    for k, o in sorted(by_src):
        g = model.graphs[k]
        blocks.append(Block(k, o, col, row, g.n_arcs))
        col += g.n_arcs
        row += g.n_vertices
    n_x, n_cons = col, row
    # resource rows: finite capacity resources used by some arc of a used commodity
    used = set()
    for k in {b.commodity for b in blocks}:
        used.update(model.graphs[k].res_idx[model.graphs[k].res_coef != 0].tolist())
    res_rows: dict[int, int] = {}
    for ri in sorted(used):
        if math.isfinite(caps[ri]):
            res_rows[ri] = n_cons + len(res_rows)
    n_u = len(od)
    n_cols = n_x + n_u

    c = np.zeros(n_cols)
    for k in sorted({b.commodity for b in blocks}):
        g = model.graphs[k]
        for b in blocks:
            if b.commodity == k:
                c[b.col0 : b.col0 + b.n_arcs] = g.cost
    # unserved columns and right-hand sides: u_i leaves the hub row of its block's origin and
    # enters the sink row of its destination
    src_block = {(b.commodity, b.origin): b for b in blocks}
    ro = np.array(
        [
            src_block[(k, o)].row0 + model.graphs[k].hub[o]
            for k, o in zip(od.commodity, od.origin, strict=True)
        ],
        dtype=np.int64,
    )
    rd = np.array(
        [
            src_block[(k, o)].row0 + model.graphs[k].sink[d]
            for k, o, d in zip(od.commodity, od.origin, od.destination, strict=True)
        ],
        dtype=np.int64,
    )
    q = np.asarray(od.quantity, dtype=float)
    rhs = np.bincount(ro, weights=q, minlength=n_cons) - np.bincount(
        rd, weights=q, minlength=n_cons
    )
    c[n_x:] = [penalty[k] for k in od.commodity]
    row_lower = np.concatenate([rhs, np.full(len(res_rows), -INF)])
    row_upper = np.concatenate([rhs, np.array([caps[ri] for ri in res_rows])])
    col_upper = np.concatenate([np.full(n_x, INF), q])

    def build() -> sp.csc_matrix:
        return _arc_matrix(model, blocks, res_rows, ro, rd, n_cons + len(res_rows), n_cols)

    return LPProblem(
        None,
        c,
        np.zeros(n_cols),
        col_upper,
        row_lower,
        row_upper,
        blocks,
        n_x,
        od,
        res_rows,
        n_x,
        build_s=time.perf_counter() - t0,
        builder=build,
    )


def _arc_matrix(
    model: FlowModel,
    blocks: list[Block],
    res_rows: dict[int, int],
    ro: np.ndarray,
    rd: np.ndarray,
    n_rows: int,
    n_cols: int,
) -> sp.csc_matrix:
    """The constraint matrix: conservation rows per block (out - in), capacity rows, and the
    unserved columns (+1 at the origin hub row, -1 at the destination sink row)."""
    n_x = n_cols - ro.size
    rows_l: list[np.ndarray] = []
    cols_l: list[np.ndarray] = []
    vals_l: list[np.ndarray] = []
    rmap = np.full(len(model.resources), -1, dtype=np.int64)
    for ri, r in res_rows.items():
        rmap[ri] = r
    # group blocks by commodity to vectorise
    for k in sorted({b.commodity for b in blocks}):
        g = model.graphs[k]
        kb = [b for b in blocks if b.commodity == k]
        col0 = np.array([b.col0 for b in kb], dtype=np.int64)[:, None]
        row0 = np.array([b.row0 for b in kb], dtype=np.int64)[:, None]
        arcs = np.arange(g.n_arcs, dtype=np.int64)[None, :]
        cc = (col0 + arcs).ravel()
        rows_l += [(row0 + g.tail[None, :]).ravel(), (row0 + g.head[None, :]).ravel()]
        cols_l += [cc, cc]
        vals_l += [np.ones(cc.size), -np.ones(cc.size)]
        nnz_per_arc = np.diff(g.res_ptr)
        arc_of = np.repeat(np.arange(g.n_arcs, dtype=np.int64), nnz_per_arc)
        rr = rmap[g.res_idx]
        keep = (rr >= 0) & (g.res_coef != 0)
        if keep.any():
            arc_k, rr_k, cf_k = arc_of[keep], rr[keep], g.res_coef[keep]
            rows_l.append(np.tile(rr_k, len(kb)))
            cols_l.append((col0 + arc_k[None, :]).ravel())
            vals_l.append(np.tile(cf_k, len(kb)))
    n_u = ro.size
    u_rows = np.empty(2 * n_u, dtype=np.int64)
    u_rows[0::2], u_rows[1::2] = ro, rd
    rows_l.append(u_rows)
    cols_l.append(np.repeat(np.arange(n_x, n_cols, dtype=np.int64), 2))
    vals_l.append(np.tile([1.0, -1.0], n_u))
    return sp.csc_matrix(
        (np.concatenate(vals_l), (np.concatenate(rows_l), np.concatenate(cols_l))),
        shape=(n_rows, n_cols),
    )


def solve(
    p: LPProblem,
    *,
    mip_rel_gap: float = 1e-4,
    time_limit: float | None = None,
    what: str = "assignment",
    options: dict[str, bool | int | float | str] | None = None,
) -> LPSolution:
    """Pass the matrices to HiGHS and solve; InfeasibleError if HiGHS finds no solution."""
    h = new_highs()
    for k, v in (options or {}).items():
        h.setOptionValue(k, v)
    if time_limit:
        h.setOptionValue("time_limit", float(time_limit))
    if p.integrality is not None:
        h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    lp = highspy.HighsLp()
    n_rows, n_cols = p.A.shape
    lp.num_col_ = n_cols
    lp.num_row_ = n_rows
    lp.col_cost_ = p.c
    lp.col_lower_ = p.col_lower
    lp.col_upper_ = p.col_upper
    lp.row_lower_ = p.row_lower
    lp.row_upper_ = p.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = p.A.indptr
    lp.a_matrix_.index_ = p.A.indices
    lp.a_matrix_.value_ = p.A.data
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = n_rows
    if p.integrality is not None:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
            for f in p.integrality
        ]
    h.passModel(lp)
    t0 = time.perf_counter()
    h.run()
    dt = time.perf_counter() - t0
    st = h.getModelStatus()
    name = h.modelStatusToString(st)
    ok = st == highspy.HighsModelStatus.kOptimal
    if not ok and not (
        st == highspy.HighsModelStatus.kTimeLimit and h.getInfo().primal_solution_status == 2
    ):
        raise InfeasibleError(f"the {what} model has no solution: HiGHS reports '{name}'")
    sol = h.getSolution()
    info = h.getInfo()
    gap = float(getattr(info, "mip_gap", 0.0)) if p.integrality is not None else 0.0
    duals = np.asarray(sol.row_dual) if p.integrality is None else np.zeros(n_rows)
    return LPSolution(
        name, float(info.objective_function_value), np.asarray(sol.col_value), duals, dt, gap
    )

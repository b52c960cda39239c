"""The investment MILP: the yearly assignment LPs stacked with the project switches z[p, t],
monotone in time, capacity effects, budgets per country and year, and the target constraint
(see `titr.planning.invest` for the model)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from titr.flows.lp import LPProblem
from titr.planning.candidates import Candidate


def _stack(
    probs: list[LPProblem],
    cands: list[Candidate],
    years: list[int],
    target_year: int,
    af: float,
    budgets: dict[tuple[str, int], float],
    power: set[str] | None = None,
    force: bool = True,
) -> LPProblem:
    A = sp.block_diag([p.A for p in probs], format="csc")
    col_off = np.cumsum([0] + [p.A.shape[1] for p in probs])
    row_off = np.cumsum([0] + [p.A.shape[0] for p in probs])
    nP, nT = len(cands), len(years)
    nz = nP * nT
    rows, cols, vals = [], [], []
    for i, cd in enumerate(cands):
        for j in range(nT):
            for ri, d in cd.effects:
                r = probs[j].res_rows.get(ri)
                if r is not None:
                    rows.append(row_off[j] + r)
                    cols.append(i * nT + j)
                    vals.append(-d)
    Z = sp.csc_matrix((vals, (rows, cols)), shape=(A.shape[0], nz))
    extra_r, extra_c, extra_v, lo, hi = [], [], [], [], []
    n_extra = 0
    for i in range(nP):  # monotone: z[t] - z[t+1] <= 0
        for j in range(nT - 1):
            extra_r += [n_extra, n_extra]
            extra_c += [i * nT + j, i * nT + j + 1]
            extra_v += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            n_extra += 1
    for (country, year), b in sorted(budgets.items()):
        tau = years.index(year)
        coef: dict[int, float] = {}
        for i, cd in enumerate(cands):
            if cd.project.country != country:
                continue
            L = cd.project.lead_time
            for j in range(nT):  # z[j] switching on: spend in years j-L..j-1 (clipped)
                spend_years = [max(0, j - L + s) for s in range(L)] if L else [j]
                w = spend_years.count(tau) * cd.capex / max(L, 1)
                if w:
                    coef[i * nT + j] = coef.get(i * nT + j, 0.0) + w
        # spend is sum_j w_j y_j with y_j = z_j - z_{j-1}: coefficient of z_j is w_j - w_{j+1}
        zc: dict[int, float] = {}
        for col, w in coef.items():
            zc[col] = zc.get(col, 0.0) + w
            if col % nT > 0:
                zc[col - 1] = zc.get(col - 1, 0.0) - w
        for col, w in zc.items():
            if w:
                extra_r.append(n_extra)
                extra_c.append(col)
                extra_v.append(w)
        lo.append(-np.inf)
        hi.append(b)
        n_extra += 1
    E = sp.csc_matrix((extra_v, (extra_r, extra_c)), shape=(n_extra, nz))
    top = sp.hstack([A, Z], format="csc")
    bottom = sp.hstack([sp.csc_matrix((n_extra, A.shape[1])), E], format="csc")
    M = sp.vstack([top, bottom], format="csc")
    c = np.concatenate(
        [p.c for p in probs] + [np.repeat([cd.capex * 1e6 * af for cd in cands], nT)]
    )
    col_upper = np.concatenate([p.col_upper for p in probs] + [np.ones(nz)])
    for j, (p, t) in enumerate(zip(probs, years, strict=True)):
        if force and t >= target_year:  # target met: no unserved freight (electricity may be)
            freight = np.array([k not in (power or set()) for k in p.od.commodity], dtype=bool)
            u = col_off[j] + p.u_col0 + np.flatnonzero(freight)
            col_upper[u] = 0.0
    for i, cd in enumerate(cands):
        for j, t in enumerate(years):
            if t < cd.available:
                col_upper[A.shape[1] + i * nT + j] = 0.0
    integ = np.concatenate([np.zeros(A.shape[1], dtype=bool), np.ones(nz, dtype=bool)])
    return LPProblem(
        M,
        c,
        np.zeros(M.shape[1]),
        col_upper,
        np.concatenate([p.row_lower for p in probs] + [np.array(lo)]),
        np.concatenate([p.row_upper for p in probs] + [np.array(hi)]),
        [],
        0,
        probs[0].od,
        {},
        A.shape[1],
        integrality=integ,
    )

"""OR-Tools GLOP on an LP saved by `benchmarks/flows.py` (run as its own process: OR-Tools and
highspy cannot be loaded in the same process, google/or-tools issue #5246).

Usage: python benchmarks/_glop.py LP.npz  -> prints one JSON line with the CPU seconds of the
model build and of the solve (this process only), the status and the objective.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import scipy.sparse as sp


def main(path: str) -> int:
    from ortools.linear_solver.python import model_builder_helper as mbh

    z = np.load(path)
    A = sp.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])).tocsr()
    inf = float("inf")
    t0 = time.process_time()
    m = mbh.ModelBuilderHelper()
    m.fill_model_from_sparse_data(
        z["col_lower"],
        np.where(np.isfinite(z["col_upper"]), z["col_upper"], inf),
        z["c"],
        np.where(np.isfinite(z["row_lower"]), z["row_lower"], -inf),
        np.where(np.isfinite(z["row_upper"]), z["row_upper"], inf),
        A,
    )
    t1 = time.process_time()
    s = mbh.ModelSolverHelper("glop")
    s.solve(m)
    t2 = time.process_time()
    print(
        json.dumps(
            {
                "build_s": t1 - t0,
                "solve_s": t2 - t1,
                "status": str(s.status()),
                "objective": float(s.objective_value()) if s.has_solution() else None,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

"""Event log shaped for process mining: one row per shipment and stage with
case (shipment), activity, resource, node, batch (train / sailing id), arrival, start, end and
wait = start − arrival, all in hours from the simulation start. The engine keeps times per batch
position in arrays; the per-shipment log is expanded vectorised here, on export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from titr.errors import DataError, Issue
from titr.sim.engine import Trace
from titr.sim.model import SimModel

ACTIVITY = {
    "form": "train formation",
    "section": "rail section",
    "queue": "processing",
    "dwell": "port dwell",
    "sail": "sailing",
}


def event_log(model: SimModel, tr: Trace) -> Any:
    """pandas DataFrame of the event log (see module doc)."""
    import pandas as pd

    flow, plen = tr.flow, tr.plen
    t_in, t_start, batch = tr.t_in, tr.t_start, tr.batch
    n = len(flow)
    P = t_start.shape[1]
    k = np.arange(P)
    valid = k[None, :] < plen[:, None]
    rows, cols = np.nonzero(valid)
    stage_of = np.full((len(model.flows), max(P, 1)), -1, dtype=np.int64)
    for f_ix, f in enumerate(model.flows):
        st = model.paths[f["path"]].stages
        stage_of[f_ix, : len(st)] = st
    sidx = stage_of[flow[rows], cols]
    keys = np.array([s.key for s in model.stages], dtype=object)
    res = np.array([s.resource for s in model.stages], dtype=object)
    node = np.array([s.node for s in model.stages], dtype=object)
    act = np.array([ACTIVITY[s.kind] for s in model.stages], dtype=object)
    names = np.array([f["name"] for f in model.flows], dtype=object)
    a = t_in[rows, cols]
    s = t_start[rows, cols]
    e = t_in[rows, cols + 1]
    df = pd.DataFrame(
        {
            "case": rows.astype(np.int64),
            "od": names[flow[rows]],
            "step": cols,
            "activity": act[sidx],
            "stage": keys[sidx],
            "resource": res[sidx],
            "node": node[sidx],
            "batch": batch[rows, cols],
            "arrival_h": a,
            "start_h": s,
            "end_h": e,
            "wait_h": s - a,
        }
    )
    assert len(df) == int(plen.sum()) and n >= 0
    return df


def export_event_log(model: SimModel, tr: Trace, path: str | Path) -> Path:
    """Write the event log to .parquet (pyarrow) or .csv, chosen by the file suffix."""
    p = Path(path)
    suf = p.suffix.lower()
    if suf not in (".parquet", ".csv"):
        raise DataError(
            Issue(str(p), None, None, p.suffix, "the event log is written as .parquet or .csv")
        )
    df = event_log(model, tr)
    if suf == ".parquet":
        df.to_parquet(p, index=False, engine="pyarrow")
    else:
        df.to_csv(p, index=False)
    return p

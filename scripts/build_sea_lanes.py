"""Data build: deep-sea link distances along shipping lanes, and their times with port calls,
canal transit and schedule unreliability.

Run from the repository root (needs the dev install; reads and rewrites links.csv in place;
the same input gives the same output):

    .venv/bin/python scripts/build_sea_lanes.py [DATASET_DIR]

For each deep-sea link in LEGS:
  distance  = `titr.network.sealanes.lane` length (searoute 1.6.0, Eurostat MARNET, with the
              straits the link does not use closed);
  time      = sailing at 18 / 16 / 14 kn (min / mode / max; "27 days at 16 kn without
              calls" Shanghai–Rotterdam, S010)
              + port calls on the leg × dwell 12 / 17 / 24 h per call (container ships'
                median port call 0.7 day = 17 h, UNCTAD/MarineTraffic AIS, S1005)
              + Suez canal transit 11 / 14 / 16 h and convoy waiting 3 / 6 / 11 h (S1006)
                on the leg ending at Port Said
              + on the first ocean leg out of China, one draw per voyage of schedule
                lateness 0 / 0 / 192 h: about half of liner arrivals are late (schedule
                reliability 50–55 % in 2024), by 5.2–5.7 days on average (Sea-Intelligence,
                S1007); the maximum is set so the mean lateness, 192 / 3 h = 2.7 days, equals
                the sourced 0.48 × 5.5 days = 2.6 days.
The calls per leg follow a typical Asia–North Europe / Mediterranean loop (EST, named below).
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

from titr.network.io_csv import read_dataset
from titr.network.sealanes import lane

KN = (18.0, 16.0, 14.0)
CALL_H = (12.0, 17.0, 24.0)
SUEZ_H = (11.0 + 3.0, 14.0 + 6.0, 16.0 + 11.0)
LATE_H = (0.0, 0.0, 192.0)

# link -> (port calls on the leg, what they are; canal; schedule lateness)
LEGS: dict[str, tuple[int, str, bool, bool]] = {
    "L_SHA_MAL": (3, "Ningbo, Yantian/Hong Kong, Singapore/Tanjung Pelepas", False, True),
    "L_LYG_MAL": (3, "Shanghai or Qingdao, Yantian, Singapore/Tanjung Pelepas", False, True),
    "L_MAL_BAB": (1, "Colombo or Jeddah", False, False),
    "L_BAB_SUEZ": (0, "none", True, False),
    "L_SUEZ_SIC": (0, "none", False, False),
    "L_SIC_GIB": (1, "Algeciras/Tanger Med", False, False),
    "L_GIB_RTM": (
        1,
        "one North-European call before Rotterdam (e.g. Felixstowe or Le Havre)",
        False,
        False,
    ),
    "L_MAL_CAPE": (1, "Colombo or Port Louis", False, False),
    "L_CAPE_RTM": (1, "Tanger Med/Algeciras", False, False),
    "L_CAPE_GIB": (1, "Tanger Med/Algeciras", False, False),
    "L_SUEZ_BOS": (1, "Piraeus", False, False),
    "L_BOS_CTA": (0, "none", False, False),
    "L_BOS_SIC": (0, "none", False, False),
    "L_SUEZ_PIR": (0, "none", False, False),
    "L_MER_SUEZ": (0, "none", False, False),
    "L_MER_SIC": (0, "none", False, False),
    "L_ANA_BOS": (0, "none", False, False),
}


def leg_times(km: float, calls: int, canal: bool, late: bool) -> tuple[float, float, float]:
    nmi = km / 1.852
    out = []
    for i in range(3):
        h = nmi / KN[i] + calls * CALL_H[i]
        if canal:
            h += SUEZ_H[i]
        if late:
            h += LATE_H[i]
        out.append(round(h, 1))
    return out[0], out[1], out[2]


def main(folder: str) -> None:
    net = read_dataset(folder)
    path = Path(folder) / "links.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fields = list(rows[0])
    for r in rows:
        spec = LEGS.get(r["id"])
        if spec is None:
            continue
        calls, which, canal, late = spec
        ln = lane(net, net.links[r["id"]])
        assert ln is not None and ln.along_network, r["id"]
        km = round(ln.km, 1)
        r["distance_source"] = "S1008"
        r["distance"] = str(km)
        t = leg_times(km, calls, canal, late)
        r["time_min"], r["time_mode"], r["time_max"] = (str(x) for x in t)
        parts = [
            f"sailing nmi / 18–16–14 kn (S010); {calls} port call(s) ({which}) × 12–17–24 h (S1005)"
        ]
        if canal:
            parts.append("Suez transit 11–14–16 h + convoy wait 3–6–11 h (S1006)")
        if late:
            parts.append(
                "schedule lateness 0–0–192 h, one draw per voyage on the first ocean leg (S1007)"
            )
        r["time_source"] = "EST: " + "; ".join(parts) + " (scripts/build_sea_lanes.py)"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "src/titr/network/datasets/middle-corridor-2025")

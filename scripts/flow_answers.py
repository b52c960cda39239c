"""Record the answers of the flow engines on every bundled scenario (for before/after notes).

Writes JSON: per scenario the LP optimum (USD/yr), served and unserved per commodity, the
resources with a non-zero shadow price (USD per extra t/yr), the Middle Corridor max
throughput, and the plan for 10 Mt by 2027. Usage: python scripts/flow_answers.py OUT.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from titr.flows import assign, bundled_scenarios, load_scenario, max_throughput
from titr.network.bundled import load


def answers() -> dict[str, Any]:
    net = load("middle-corridor-2025")
    out: dict[str, Any] = {"dataset": net.label, "scenarios": {}}
    for name in sorted(bundled_scenarios()):
        sc = load_scenario(name, net)
        a = assign(net, sc)
        s = a.summary
        df = a.to_frame()
        duals = {
            str(r.resource): round(float(r.shadow_price_usd_per_unit), 4)
            for r in df.itertuples()
            if r.shadow_price_usd_per_unit > 1e-9
        }
        out["scenarios"][name] = {
            "objective_usd": round(float(s["objective_usd"]), 2),
            "by_commodity": {
                k: {"served": round(v["served"], 3), "unserved": round(v["unserved"], 3)}
                for k, v in s["by_commodity"].items()
            },
            "shadow_prices": duals,
        }
    east = [
        n for n in ("CN_XIAN", "CN_URC", "CN_LYG", "CN_ALA", "CN_KHG", "KZ_ALM") if n in net.nodes
    ]
    west = [
        n
        for n in ("GE_POTI", "GE_BUS", "TR_IST", "TR_KARS", "TR_MER", "RO_CTA", "TR_KAP")
        if n in net.nodes
    ]
    t = max_throughput(net, east, west)
    out["max_throughput_general_t"] = t.value_lp
    return out


if __name__ == "__main__":
    json.dump(answers(), open(sys.argv[1], "w"), indent=1, sort_keys=True)

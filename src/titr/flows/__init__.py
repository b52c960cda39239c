"""Demand scenarios, the capacity-constrained multi-commodity flow LP, bottlenecks (shadow
prices) and corridor max throughput with its min cut."""

from titr.flows.assign import Assignment, assign, assign_od
from titr.flows.demand import (
    DemandRow,
    DemandScenario,
    bundled_scenarios,
    grow,
    interpolate,
    load_scenario,
    read_demand_csv,
    scale_to_total,
)
from titr.flows.flowgraph import FlowModel, Resource, build_flow_model
from titr.flows.lp import ODTable
from titr.flows.maxflow import Throughput, max_throughput
from titr.graph.units import parse_quantity

__all__ = [
    "Assignment",
    "DemandRow",
    "DemandScenario",
    "FlowModel",
    "ODTable",
    "Resource",
    "Throughput",
    "assign",
    "assign_od",
    "build_flow_model",
    "bundled_scenarios",
    "grow",
    "interpolate",
    "load_scenario",
    "max_throughput",
    "parse_quantity",
    "read_demand_csv",
    "scale_to_total",
]

"""Route planning: multimodal paths, transit-time distributions, tariffs, CO2, corridors."""

from titr.routing.compare import COMPARED, CorridorComparison, compare_corridors
from titr.routing.plan import OBJECTIVES, arc_weights, best_path, graph_for, route
from titr.routing.restrict import Restrictions, parse_avoid
from titr.routing.result import Route, RouteResult, Step
from titr.routing.transit import TransitTime, transit_time

__all__ = [
    "COMPARED",
    "CorridorComparison",
    "compare_corridors",
    "OBJECTIVES",
    "Restrictions",
    "Route",
    "RouteResult",
    "Step",
    "TransitTime",
    "arc_weights",
    "best_path",
    "graph_for",
    "parse_avoid",
    "route",
    "transit_time",
]

"""Demand and corridor choice: base-year markets, observed corridor shares, a Biogeme-estimated
multinomial / nested logit over titr's own corridor costs, the capacity-aware equilibrium,
growth, policy scenarios and the break-even tariff."""

from titr.choice.costs import CorridorCost, corridor_costs
from titr.choice.inputs import ChoiceData, Market, load_choice_data, read_choice_data
from titr.choice.model import Alternative, Coefficients, elasticities, shares

__all__ = [
    "Alternative",
    "ChoiceData",
    "Coefficients",
    "CorridorCost",
    "Market",
    "corridor_costs",
    "elasticities",
    "load_choice_data",
    "read_choice_data",
    "shares",
]

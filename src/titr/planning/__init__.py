"""Investment planning: the cross-country MILP choosing projects and years (uses titr.flows)."""

from titr.planning.invest import Plan, annuity_factor, plan

__all__ = ["Plan", "annuity_factor", "plan"]

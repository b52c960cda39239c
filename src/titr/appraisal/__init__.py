"""Economic appraisal of investment plans: NPV, EIRR, BCR, payback, first-year return, who pays
and who gains, tornado and Monte Carlo, ranked pipeline (uses planning, flows and sim through
the adapters `adapt_planning` and `adapt_sim`)."""

from titr.appraisal.appraise import Appraisal, appraise
from titr.appraisal.params import AppraisalParams, from_network

__all__ = ["Appraisal", "AppraisalParams", "appraise", "from_network"]

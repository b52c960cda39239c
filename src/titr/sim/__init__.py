"""Operations simulation of the corridor: a batch discrete-event engine (events per train and
sailing, per-shipment times vectorised), disruption plugins, Monte Carlo executors and
reliability statistics. See `titr.sim.montecarlo.simulate`."""

from titr.sim.engine import Trace, run_replication
from titr.sim.eventlog import event_log
from titr.sim.model import SimModel, compile_model
from titr.sim.montecarlo import SimResult, rep_rng, replicate, simulate, start_background
from titr.sim.scenario import Scenario, load_scenario, parse_scenario

__all__ = [
    "Scenario",
    "SimModel",
    "SimResult",
    "Trace",
    "compile_model",
    "event_log",
    "load_scenario",
    "parse_scenario",
    "rep_rng",
    "replicate",
    "run_replication",
    "simulate",
    "start_background",
]

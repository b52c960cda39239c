"""Simulation scenario: what to simulate (demand, horizon, formation rules, disruption plugins).

A scenario is a JSON or TOML file (YAML is not a dependency). Every key is checked; each broken
rule becomes an `Issue` naming the file and the key path (``plugins.weather.storm_days_per_year``)
and all issues are raised together as one `DataError`. Units: days for horizons and closure
windows, hours for waits and repair times, tonnes or TEU per year for demand.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from titr.errors import DataError, Issue
from titr.network.model import CORRIDORS

PLUGINS = ("weather", "low_water", "closures", "breakdowns")
STAGE_KINDS = ("form", "section", "queue", "dwell", "sail")


@dataclass(frozen=True)
class Flow:
    """One origin–destination flow: `per_year` in the commodity's unit (TEU or t) per year,
    shipped in lots of `lot` units (1 TEU per container; ~65 t per wagon for general cargo)."""

    origin: str
    destination: str
    commodity: str
    per_year: float
    lot: float | None = None
    promised_days: float | None = None


@dataclass(frozen=True)
class Closure:
    """A scheduled closure of a node, link, process or service in [start_day, end_day)."""

    target: str
    start_day: float
    end_day: float
    kind: str = "closure"


@dataclass
class Scenario:
    name: str = "scenario"
    dataset: str | None = None
    horizon_days: float = 365.0
    warmup_days: float = 30.0
    start_month: int = 1
    promised_days: float = 18.0
    train_capacity_t: float | None = None  # override; default: the dataset's train services
    train_max_wait_hours: float | None = None  # override; default: the dataset's train services
    sailing_max_wait_hours: float = 24.0
    wagon_t: float | None = None  # default: dataset parameter t_per_wagon, else 65 t
    demand: list[Flow] = field(default_factory=list)
    corridor: str | None = "middle"  # keep shipment paths to this corridor when possible
    demand_scenario: str | None = None  # a bundled demand CSV name (flows/scenarios) or a path
    seasonality: list[float] = field(default_factory=lambda: [1.0] * 12)
    weather: dict[str, Any] | None = None
    low_water: dict[str, Any] | None = None
    closures: list[Closure] = field(default_factory=list)
    breakdowns: dict[str, Any] | None = None
    source_file: str = "<scenario>"

    def to_dict(self) -> dict[str, Any]:
        """The scenario in its file format (parse_scenario(to_dict()) gives it back)."""
        d = asdict(self)
        d.pop("source_file", None)
        d["demand"] = [{k: v for k, v in f.items() if v is not None} for f in d["demand"]]
        plugins: dict[str, Any] = {}
        for name in ("weather", "low_water", "breakdowns"):
            cfg = d.pop(name)
            if cfg is not None:
                plugins[name] = {k: v for k, v in cfg.items() if v is not None}
        plugins["closures"] = d.pop("closures")
        d["plugins"] = plugins
        return {k: v for k, v in d.items() if v is not None}

    def with_horizon(self, days: float | None) -> Scenario:
        if days is None:
            return self
        d = self.to_dict()
        d["horizon_days"] = days
        d["warmup_days"] = min(self.warmup_days, days / 4)
        return parse_scenario(d, self.source_file)


_TOP = {
    "name",
    "dataset",
    "horizon_days",
    "warmup_days",
    "start_month",
    "promised_days",
    "train_capacity_t",
    "train_max_wait_hours",
    "sailing_max_wait_hours",
    "wagon_t",
    "demand",
    "demand_scenario",
    "corridor",
    "seasonality",
    "plugins",
    "description",
}
_FLOW = {"origin", "destination", "commodity", "per_year", "lot", "promised_days"}
_PLUGIN_KEYS: dict[str, set[str]] = {
    "weather": {
        "enabled",
        "storm_days_per_year",
        "season_months",
        "season_share",
        "mean_duration_days",
        "services",
    },
    "low_water": {"enabled", "payload_factor", "services", "months"},
    "breakdowns": {"enabled", "mtbf_days", "mttr_hours", "kinds"},
}
_CLOSURE = {"target", "start_day", "end_day", "kind"}
_CLOSURE_KINDS = {
    "closure",
    "border_closure",
    "port_embargo",
    "pipeline_suspension",
    "rail_closure",
    "strike",
}


class _Checker:
    def __init__(self, file: str):
        self.file = file
        self.issues: list[Issue] = []

    def bad(self, where: str, value: Any, rule: str) -> None:
        v = None if value is None else (json.dumps(value, default=str)[:80])
        self.issues.append(Issue(self.file, None, where, v, rule))

    def keys(self, obj: Any, allowed: set[str], where: str) -> bool:
        if not isinstance(obj, dict):
            self.bad(where or "<top>", obj, "must be a table/object")
            return False
        for k in obj:
            if k not in allowed:
                self.bad(
                    f"{where}.{k}" if where else k,
                    None,
                    f"unknown key; allowed keys are {', '.join(sorted(allowed))}",
                )
        return True

    def num(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        default: float | None,
        *,
        lo: float | None = None,
        hi: float | None = None,
        lo_open: bool = False,
    ) -> float | None:
        path = f"{where}.{key}" if where else key
        v = obj.get(key, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.bad(path, v, "must be a number")
            return default
        x = float(v)
        if x != x or x in (float("inf"), float("-inf")):
            self.bad(path, v, "must be a finite number")
            return default
        if lo is not None and (x < lo or (lo_open and x == lo)):
            self.bad(path, v, f"must be {'>' if lo_open else '>='} {lo:g}")
            return default
        if hi is not None and x > hi:
            self.bad(path, v, f"must be <= {hi:g}")
            return default
        return x

    def text(
        self, obj: dict[str, Any], key: str, where: str, default: str | None = None
    ) -> str | None:
        path = f"{where}.{key}" if where else key
        v = obj.get(key, default)
        if v is None:
            return None
        if not isinstance(v, str) or not v.strip():
            self.bad(path, v, "must be a non-empty string")
            return default
        return v

    def strlist(self, obj: dict[str, Any], key: str, where: str) -> list[str] | None:
        v = obj.get(key)
        if v is None:
            return None
        if not isinstance(v, list) or not all(isinstance(s, str) and s for s in v):
            self.bad(f"{where}.{key}", v, "must be a list of ids (strings)")
            return None
        return list(v)

    def months(self, obj: dict[str, Any], key: str, where: str) -> list[int] | None:
        v = obj.get(key)
        if v is None:
            return None
        if (
            not isinstance(v, list)
            or not v
            or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12 for m in v)
        ):
            self.bad(f"{where}.{key}", v, "must be a non-empty list of months 1..12")
            return None
        return list(v)


def parse_scenario(data: Any, file: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; raise one DataError listing every broken rule."""
    c = _Checker(file)
    if not c.keys(data, _TOP, ""):
        raise DataError(c.issues)
    sc = Scenario(source_file=file)
    sc.name = c.text(data, "name", "", "scenario") or "scenario"
    sc.dataset = c.text(data, "dataset", "")
    sc.horizon_days = c.num(data, "horizon_days", "", 365.0, lo=1, hi=3650) or 365.0
    sc.warmup_days = c.num(data, "warmup_days", "", min(30.0, sc.horizon_days / 4), lo=0) or 0.0
    if sc.warmup_days >= sc.horizon_days:
        c.bad("warmup_days", data.get("warmup_days"), "must be shorter than horizon_days")
    sm = data.get("start_month", 1)
    if isinstance(sm, bool) or not isinstance(sm, int) or not 1 <= sm <= 12:
        c.bad("start_month", sm, "must be an integer month 1..12")
    else:
        sc.start_month = sm
    sc.promised_days = c.num(data, "promised_days", "", 18.0, lo=0, lo_open=True) or 18.0
    sc.train_capacity_t = c.num(data, "train_capacity_t", "", None, lo=0, lo_open=True)
    sc.train_max_wait_hours = c.num(data, "train_max_wait_hours", "", None, lo=0)
    sc.sailing_max_wait_hours = c.num(data, "sailing_max_wait_hours", "", 24.0, lo=0) or 0.0
    sc.wagon_t = c.num(data, "wagon_t", "", None, lo=0, lo_open=True)

    seas = data.get("seasonality", [1.0] * 12)
    if (
        not isinstance(seas, list)
        or len(seas) != 12
        or not all(isinstance(x, int | float) and not isinstance(x, bool) and x >= 0 for x in seas)
        or sum(seas) <= 0
    ):
        c.bad("seasonality", seas, "must be 12 monthly factors >= 0 (January first), not all 0")
    else:
        m = sum(seas) / 12.0
        sc.seasonality = [float(x) / m if abs(m - 1.0) > 1e-12 else float(x) for x in seas]

    sc.demand_scenario = c.text(data, "demand_scenario", "")
    sc.corridor = c.text(data, "corridor", "", "middle")
    if sc.corridor is not None and sc.corridor not in CORRIDORS:
        c.bad("corridor", sc.corridor, f"must be one of {', '.join(CORRIDORS)}")
        sc.corridor = "middle"
    demand = data.get("demand", [])
    if not isinstance(demand, list):
        c.bad("demand", demand, "must be a list of flows")
        demand = []
    for i, fl in enumerate(demand):
        w = f"demand[{i}]"
        if not c.keys(fl, _FLOW, w):
            continue
        o, d = c.text(fl, "origin", w), c.text(fl, "destination", w)
        com = c.text(fl, "commodity", w, "container")
        if o is None:
            c.bad(f"{w}.origin", None, "is required")
        if d is None:
            c.bad(f"{w}.destination", None, "is required")
        if o is not None and o == d:
            c.bad(f"{w}.destination", d, "must differ from the origin")
        py = c.num(fl, "per_year", w, None, lo=0, lo_open=True)
        if py is None and "per_year" not in fl:
            c.bad(f"{w}.per_year", None, "is required (units of the commodity per year)")
        lot = c.num(fl, "lot", w, None, lo=0, lo_open=True)
        pd_ = c.num(fl, "promised_days", w, None, lo=0, lo_open=True)
        if o and d and com and py:
            sc.demand.append(Flow(o, d, com, py, lot, pd_))

    plugins = data.get("plugins", {})
    if c.keys(plugins, set(PLUGINS), "plugins"):
        for name in ("weather", "low_water", "breakdowns"):
            p = plugins.get(name)
            if p is None:
                continue
            w = f"plugins.{name}"
            if not c.keys(p, _PLUGIN_KEYS[name], w):
                continue
            en = p.get("enabled", True)
            if not isinstance(en, bool):
                c.bad(f"{w}.enabled", en, "must be true or false")
            cfg = _plugin_cfg(c, name, p, w)
            if en is True:
                setattr(sc, name, cfg)
        cl = plugins.get("closures", [])
        if not isinstance(cl, list):
            c.bad("plugins.closures", cl, "must be a list of closures")
            cl = []
        for i, x in enumerate(cl):
            w = f"plugins.closures[{i}]"
            if not c.keys(x, _CLOSURE, w):
                continue
            tgt = c.text(x, "target", w)
            if tgt is None:
                c.bad(f"{w}.target", None, "is required (a node, link, process or service id)")
            s = c.num(x, "start_day", w, None, lo=0)
            e = c.num(x, "end_day", w, None, lo=0)
            if s is None or e is None:
                c.bad(w, None, "needs start_day and end_day (days from the start)")
            elif e <= s:
                c.bad(f"{w}.end_day", x.get("end_day"), "must be after start_day")
            kind = x.get("kind", "closure")
            if kind not in _CLOSURE_KINDS:
                c.bad(f"{w}.kind", kind, f"must be one of {', '.join(sorted(_CLOSURE_KINDS))}")
            if tgt and s is not None and e is not None and e > s:
                sc.closures.append(Closure(tgt, s, e, str(kind)))
    if c.issues:
        raise DataError(c.issues)
    return sc


def _plugin_cfg(c: _Checker, name: str, p: dict[str, Any], w: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if name == "weather":
        out["storm_days_per_year"] = c.num(p, "storm_days_per_year", w, None, lo=0, hi=365)
        out["season_months"] = c.months(p, "season_months", w)
        out["season_share"] = c.num(p, "season_share", w, None, lo=0, hi=1)
        out["mean_duration_days"] = c.num(
            p, "mean_duration_days", w, None, lo=0, lo_open=True, hi=60
        )
        out["services"] = c.strlist(p, "services", w)
    elif name == "low_water":
        out["payload_factor"] = c.num(p, "payload_factor", w, None, lo=0, lo_open=True, hi=1)
        out["services"] = c.strlist(p, "services", w)
        out["months"] = c.months(p, "months", w)
    else:
        out["mtbf_days"] = c.num(p, "mtbf_days", w, 90.0, lo=0, lo_open=True)
        out["mttr_hours"] = c.num(p, "mttr_hours", w, 24.0, lo=0, lo_open=True)
        kinds = c.strlist(p, "kinds", w) or ["section", "queue", "sail"]
        for k in kinds:
            if k not in ("section", "queue", "sail"):
                c.bad(f"{w}.kinds", k, "must list stage kinds among section, queue, sail")
        out["kinds"] = kinds
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario from a .json or .toml file and validate it."""
    p = Path(path)
    if not p.is_file():
        raise DataError(Issue(str(p), None, None, None, "scenario file does not exist"))
    raw = p.read_bytes()
    try:
        if p.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        elif p.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            raise DataError(
                Issue(str(p), None, None, p.suffix, "a scenario file must end in .json or .toml")
            )
    except UnicodeDecodeError as e:
        raise DataError(Issue(str(p), None, None, None, f"not UTF-8 text ({e.reason})")) from e
    except json.JSONDecodeError as e:
        raise DataError(
            Issue(str(p), e.lineno, None, None, f"invalid JSON: {e.msg} (column {e.colno})")
        ) from e
    except tomllib.TOMLDecodeError as e:
        raise DataError(Issue(str(p), None, None, None, f"invalid TOML: {e}")) from e
    sc = parse_scenario(data, str(p))
    if (
        sc.demand_scenario
        and sc.demand_scenario.endswith(".csv")
        and not Path(sc.demand_scenario).is_absolute()
    ):
        sc.demand_scenario = str((p.parent / sc.demand_scenario).resolve())
    if sc.dataset and not Path(sc.dataset).is_absolute():
        rel = p.parent / sc.dataset
        if rel.exists():
            sc.dataset = str(rel.resolve())
    return sc


_UNITS = {
    "t": 1.0,
    "kt": 1e3,
    "Mt": 1e6,
    "TEU": 1.0,
    "kTEU": 1e3,
    "MWh": 1.0,
    "GWh": 1e3,
    "TWh": 1e6,
}


def demand_from_csv(ref: str) -> list[Flow]:
    """Flows from a demand CSV (origin, destination, commodity, quantity, unit): a bundled
    scenario name of the capacity model (``demand-2025``) or a file path. Read as data; the
    flows package's own reader does the full validation when it imports the file."""
    import csv
    from importlib import resources

    p = Path(ref)
    if p.is_file():
        text = p.read_text(encoding="utf-8")
    else:
        d = resources.files("titr.flows").joinpath("scenarios", f"{ref}.csv")
        if not d.is_file():
            raise DataError(
                Issue(
                    "<scenario>",
                    None,
                    "demand_scenario",
                    ref,
                    "is neither a bundled demand scenario nor a CSV file",
                )
            )
        text = d.read_text(encoding="utf-8")
    out: list[Flow] = []
    issues: list[Issue] = []
    for i, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            q = float(row["quantity"]) * _UNITS[row["unit"]]
            out.append(Flow(row["origin"], row["destination"], row["commodity"], q))
        except (KeyError, ValueError, TypeError) as e:
            issues.append(
                Issue(
                    ref,
                    i,
                    "quantity/unit",
                    str(row.get("quantity")),
                    f"needs a number and a unit among {', '.join(_UNITS)} ({e})",
                )
            )
    if issues:
        raise DataError(issues)
    return out

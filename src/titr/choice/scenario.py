"""Policy what-ifs as saved scenario objects (TOML or JSON), with located errors.

A scenario is a name, a title and a list of levers, each active in [from_year, to_year]:

```toml
name = "single-tariff"
title = "Single through tariff USD 3,000/FEU on the Middle Corridor from 2026"

[[levers]]
kind = "tariff"          # single through tariff on a corridor (USD per FEU; per t for bulk)
corridor = "middle"
usd_per_feu = 3000
from_year = 2026
```

Lever kinds and their fields (besides ``from_year`` / optional ``to_year``):

- ``tariff``    corridor, usd_per_feu: the corridor's through tariff replaced by this rate
- ``time``      corridor, cut (0..0.95): transit time and its spread x (1 - cut)
- ``projects``  ids (list of dataset project ids): switched on (capacity) from from_year
- ``closure``   corridor, optional commodity: the corridor is not available
- ``delay``     corridor, days (> 0), optional months (1..12): extra days (a storm season
                adds days x months / 12 on average and the same spread to p90 - p50)
- ``risk``      corridor, usd_per_feu (>= 0): risk / sanctions premium added to the cost
- ``carbon``    usd_per_t (>= 0): carbon price on each corridor's CO2 per unit
- ``plan``      target_mt, by, optional demand (a flows demand scenario, default "2027"): the
                planning layer's least-cost investment plan for that target; each chosen
                project is switched on from its own year in service (a ``projects`` lever)

Reading collects every problem (file, the lever's path such as ``levers[2].cut``, value,
rule) into one DataError; nothing is returned on error.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from titr.errors import DataError, Issue, NotFoundError
from titr.network.model import CORRIDORS, Network

KINDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required fields, optional fields) besides from_year / to_year
    "tariff": ({"corridor", "usd_per_feu"}, set()),
    "time": ({"corridor", "cut"}, set()),
    "projects": ({"ids"}, set()),
    "closure": ({"corridor"}, {"commodity"}),
    "delay": ({"corridor", "days"}, {"months"}),
    "risk": ({"corridor", "usd_per_feu"}, set()),
    "carbon": ({"usd_per_t"}, set()),
    "plan": ({"target_mt", "by"}, {"demand"}),
}
TOP = {"name", "title", "description", "levers"}
YEARS = (2000, 2100)


@dataclass(frozen=True)
class Lever:
    kind: str
    from_year: int
    to_year: int | None = None
    corridor: str = ""
    value: float = 0.0  # usd_per_feu / cut / days / usd_per_t
    months: float = 12.0
    commodity: str = ""
    ids: tuple[str, ...] = ()

    def active(self, year: int) -> bool:
        return self.from_year <= year and (self.to_year is None or year <= self.to_year)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "from_year": self.from_year}
        if self.to_year is not None:
            d["to_year"] = self.to_year
        if self.corridor:
            d["corridor"] = self.corridor
        key = {
            "tariff": "usd_per_feu",
            "risk": "usd_per_feu",
            "time": "cut",
            "delay": "days",
            "carbon": "usd_per_t",
        }.get(self.kind)
        if key:
            d[key] = self.value
        if self.kind == "delay" and self.months != 12.0:
            d["months"] = self.months
        if self.commodity:
            d["commodity"] = self.commodity
        if self.ids:
            d["ids"] = list(self.ids)
        return d


@dataclass
class Scenario:
    name: str
    title: str = ""
    description: str = ""
    levers: list[Lever] = field(default_factory=list)

    def active(self, year: int, kind: str) -> list[Lever]:
        return [lv for lv in self.levers if lv.kind == kind and lv.active(year)]

    def projects(self, year: int) -> tuple[str, ...]:
        return tuple(sorted({p for lv in self.active(year, "projects") for p in lv.ids}))

    def with_levers(self, *extra: Lever, name: str | None = None) -> Scenario:
        return Scenario(name or self.name, self.title, self.description, [*self.levers, *extra])

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "levers": [lv.to_dict() for lv in self.levers],
        }


def _num(
    v: Any, where: str, fname: str, issues: list[Issue], lo: float, hi: float, integer: bool = False
) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(float(v)):
        issues.append(Issue(fname, None, where, repr(v), "must be a finite number"))
        return None
    if integer and float(v) != int(v):
        issues.append(Issue(fname, None, where, repr(v), "must be a whole number"))
        return None
    if not (lo <= float(v) <= hi):
        issues.append(Issue(fname, None, where, repr(v), f"must lie in {lo:g}..{hi:g}"))
        return None
    return float(v)


def scenario_from_dict(d: Any, net: Network, fname: str = "scenario") -> Scenario:
    """Validate a parsed scenario document against `net` (module docstring)."""
    issues: list[Issue] = []
    if not isinstance(d, dict):
        raise DataError(
            Issue(
                fname, None, None, None, "a scenario is a table/object with name, title and levers"
            )
        )
    for k in d:
        if k not in TOP:
            issues.append(
                Issue(
                    fname,
                    None,
                    str(k),
                    None,
                    f"unknown field; a scenario has {', '.join(sorted(TOP))}",
                )
            )
    name = d.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 80:
        issues.append(
            Issue(
                fname,
                None,
                "name",
                repr(name),
                "a scenario needs a name (text, at most 80 characters)",
            )
        )
    for k in ("title", "description"):
        if k in d and not isinstance(d[k], str):
            issues.append(Issue(fname, None, k, repr(d[k]), "must be text"))
    raw = d.get("levers", [])
    if not isinstance(raw, list):
        issues.append(Issue(fname, None, "levers", repr(raw), "must be a list of levers"))
        raw = []
    levers: list[Lever] = []
    cors = [c for c in CORRIDORS if c != "access"]
    for i, lv in enumerate(raw):
        at = f"levers[{i}]"
        n0 = len(issues)
        if not isinstance(lv, dict):
            issues.append(Issue(fname, None, at, repr(lv), "a lever is a table/object with a kind"))
            continue
        kind = lv.get("kind")
        if kind not in KINDS:
            issues.append(
                Issue(fname, None, f"{at}.kind", repr(kind), f"must be one of {', '.join(KINDS)}")
            )
            continue
        req, opt = KINDS[kind]
        allowed = req | opt | {"kind", "from_year", "to_year"}
        for k in lv:
            if k not in allowed:
                issues.append(
                    Issue(
                        fname,
                        None,
                        f"{at}.{k}",
                        None,
                        f"unknown field for a {kind} lever; it has {', '.join(sorted(allowed))}",
                    )
                )
        for k in sorted(req | {"from_year"}):
            if k not in lv:
                issues.append(Issue(fname, None, f"{at}.{k}", None, f"a {kind} lever needs {k}"))
        if len(issues) > n0:
            continue
        y0 = _num(lv["from_year"], f"{at}.from_year", fname, issues, *YEARS, integer=True)
        y1 = (
            _num(lv["to_year"], f"{at}.to_year", fname, issues, *YEARS, integer=True)
            if "to_year" in lv
            else None
        )
        if y0 is not None and y1 is not None and y1 < y0:
            issues.append(
                Issue(
                    fname,
                    None,
                    f"{at}.to_year",
                    repr(lv["to_year"]),
                    "must not be before from_year",
                )
            )
        cor = lv.get("corridor", "")
        if "corridor" in req and cor not in cors:
            issues.append(
                Issue(
                    fname,
                    None,
                    f"{at}.corridor",
                    repr(cor),
                    f"unknown corridor; one of {', '.join(cors)}",
                )
            )
        val = 0.0
        months = 12.0
        com = ""
        ids: tuple[str, ...] = ()
        if kind in ("tariff", "risk"):
            lo = 1.0 if kind == "tariff" else 0.0
            val = _num(lv["usd_per_feu"], f"{at}.usd_per_feu", fname, issues, lo, 100_000.0) or 0.0
        elif kind == "time":
            val = _num(lv["cut"], f"{at}.cut", fname, issues, 0.0, 0.95) or 0.0
        elif kind == "delay":
            val = _num(lv["days"], f"{at}.days", fname, issues, 0.01, 120.0) or 0.0
            if "months" in lv:
                months = _num(lv["months"], f"{at}.months", fname, issues, 1.0, 12.0) or 12.0
        elif kind == "carbon":
            val = _num(lv["usd_per_t"], f"{at}.usd_per_t", fname, issues, 0.0, 10_000.0) or 0.0
        elif kind == "plan":
            tgt = _num(lv["target_mt"], f"{at}.target_mt", fname, issues, 0.1, 100.0)
            by = _num(lv["by"], f"{at}.by", fname, issues, *YEARS, integer=True)
            dem = lv.get("demand", "2027")
            if not isinstance(dem, str):
                issues.append(
                    Issue(fname, None, f"{at}.demand", repr(dem), "must be a demand scenario name")
                )
            if len(issues) > n0 or tgt is None or by is None or y0 is None:
                continue
            from titr.choice.capacity import plan_projects
            from titr.errors import TitrError

            try:
                chosen = plan_projects(net, tgt * 1e6, int(by), dem)
            except TitrError as e:
                issues.append(
                    Issue(
                        fname,
                        None,
                        f"{at}.target_mt",
                        repr(lv["target_mt"]),
                        f"the planning layer cannot make this plan: {e}",
                    )
                )
                continue
            for pid, year in chosen:
                levers.append(
                    Lever(
                        "projects", max(int(y0), year), None if y1 is None else int(y1), ids=(pid,)
                    )
                )
            continue
        elif kind == "projects":
            raw_ids = lv["ids"]
            if (
                not isinstance(raw_ids, list)
                or not raw_ids
                or not all(isinstance(x, str) for x in raw_ids)
            ):
                issues.append(
                    Issue(
                        fname,
                        None,
                        f"{at}.ids",
                        repr(raw_ids),
                        "must be a non-empty list of project ids",
                    )
                )
            else:
                bad = [x for x in raw_ids if x not in net.projects]
                if bad:
                    issues.append(
                        Issue(
                            fname,
                            None,
                            f"{at}.ids",
                            ";".join(bad),
                            f"no such project in {net.label}",
                        )
                    )
                ids = tuple(raw_ids)
        if kind == "closure" and "commodity" in lv:
            com = lv["commodity"]
            if com not in net.commodities:
                issues.append(
                    Issue(
                        fname,
                        None,
                        f"{at}.commodity",
                        repr(com),
                        f"unknown commodity; one of {', '.join(sorted(net.commodities))}",
                    )
                )
        if len(issues) > n0 or y0 is None:
            continue
        levers.append(
            Lever(kind, int(y0), None if y1 is None else int(y1), cor, val, months, com, ids)
        )
    if issues:
        raise DataError(issues)
    return Scenario(str(name), str(d.get("title", "")), str(d.get("description", "")), levers)


def read_scenario(data: str | bytes | Path, net: Network, *, file: str | None = None) -> Scenario:
    """Parse a scenario file: TOML (.toml) or JSON (.json; also text starting with '{')."""
    fname = file or (str(data) if isinstance(data, Path) else "scenario")
    if isinstance(data, Path):
        if not data.is_file():
            raise DataError(Issue(fname, None, None, None, "no such file"))
        data = data.read_bytes()
    if isinstance(data, bytes):
        raw = data
        try:
            data = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw[: e.start].count(b"\n") + 1
            raise DataError(Issue(fname, line, None, None, "file is not UTF-8 text")) from None
    if not data.strip():
        raise DataError(Issue(fname, None, None, None, "file is empty"))
    if fname.endswith(".json") or data.lstrip().startswith("{"):
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as e:
            raise DataError(
                Issue(fname, e.lineno, None, None, f"invalid JSON: {e.msg} (column {e.colno})")
            ) from None
    else:
        try:
            doc = tomllib.loads(data)
        except tomllib.TOMLDecodeError as e:
            tline: int | None = getattr(e, "lineno", None)
            raise DataError(Issue(fname, tline, None, None, f"invalid TOML: {e}")) from None
    return scenario_from_dict(doc, net, fname)


def _dir() -> Any:
    return resources.files("titr.choice").joinpath("data", "scenarios")


def bundled_scenarios() -> list[str]:
    return sorted(
        p.name.removesuffix(".toml") for p in _dir().iterdir() if p.name.endswith(".toml")
    )


def load_scenario(name: str, net: Network) -> Scenario:
    """A bundled scenario by name (``single-tariff``, ``time-halved`` ...) or a file path."""
    p = Path(name)
    if p.suffix in (".toml", ".json") and p.is_file():
        return read_scenario(p, net)
    for n in bundled_scenarios():
        if n == name:
            return read_scenario(
                _dir().joinpath(f"{n}.toml").read_bytes(), net, file=f"scenarios/{n}.toml"
            )
    raise NotFoundError(
        f"no choice scenario '{name}' (bundled, or a .toml/.json file).", bundled_scenarios()
    )

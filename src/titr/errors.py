"""Typed errors. Every error a user can cause names the place and the rule it broke."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


class TitrError(Exception):
    """Base class of every error titr raises on purpose (the CLI prints it, the API maps it to 4xx)."""

    status_code = 400
    title = "titr error"

    def to_problem(self) -> dict[str, Any]:
        return {
            "type": "about:blank",
            "title": self.title,
            "status": self.status_code,
            "detail": str(self),
        }


@dataclass(frozen=True)
class Issue:
    """One broken rule at one place: file, 1-based row (header = row 1), column, value, rule."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column '{self.column}'"
        val = "" if self.value is None else f" (value {_short(self.value)!r})"
        return f"{where}{val}: {self.rule}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if isinstance(d["value"], str):
            d["value"] = _short(d["value"])
        return d


def _short(value: str, n: int = 200) -> str:
    """A value as quoted in a message: at most n characters (an answer stays small)."""
    return value if len(value) <= n else value[:n] + f"... ({len(value)} characters)"


class DataError(TitrError):
    """Invalid input data. Holds every issue found, not only the first."""

    title = "invalid data"
    status_code = 422

    def __init__(self, issues: list[Issue] | Issue | str):
        if isinstance(issues, str):
            issues = [Issue("<input>", None, None, None, issues)]
        elif isinstance(issues, Issue):
            issues = [issues]
        self.issues: list[Issue] = [i for i in issues if i.severity == "error"] or list(issues)
        n = len(self.issues)
        head = f"{n} error{'s' if n != 1 else ''} in the data"
        super().__init__(
            head
            + ":\n"
            + "\n".join(f"  - {i}" for i in self.issues[:200])
            + (f"\n  ... and {n - 200} more" if n > 200 else "")
        )

    def to_problem(self) -> dict[str, Any]:
        """Problem details with the first `max_errors` issues (titr.limits) and the count of
        the rest in `errors_omitted`, so an answer stays small whatever the input."""
        from titr.limits import current

        cap = current().max_errors
        p = super().to_problem()
        p["errors"] = [i.as_dict() for i in self.issues[:cap]]
        if len(self.issues) > cap:
            p["errors_omitted"] = len(self.issues) - cap
        return p


class NotFoundError(TitrError):
    """A named thing (dataset, node, run) does not exist."""

    title = "not found"
    status_code = 404

    def __init__(self, message: str, suggestions: list[str] | None = None):
        self.suggestions = suggestions or []
        if self.suggestions:
            message += " Did you mean: " + ", ".join(self.suggestions) + "?"
        super().__init__(message)

    def to_problem(self) -> dict[str, Any]:
        p = super().to_problem()
        p["suggestions"] = self.suggestions
        return p


class NoRouteError(TitrError):
    """No admissible route: says which restriction blocked what."""

    title = "no admissible route"
    status_code = 422


class InfeasibleError(TitrError):
    """A model (LP/MILP, target) cannot be met: says what and by how much."""

    title = "infeasible"
    status_code = 422

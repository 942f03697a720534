"""What the linter reports: findings pinned to file positions, and the fixes some carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Fix:
    """One replacement that `mortem lint --fix` applies.

    With `loc` None the offsets index the whole file text (a span of the body).
    Otherwise they index the string value of the front-matter field at `loc`, which is
    then rewritten through a round-trip edit so the rest of the YAML stays as written.
    """

    description: str
    start: int
    end: int
    text: str
    loc: Loc | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "loc": None if self.loc is None else list(self.loc),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        loc = data.get("loc")
        return cls(
            data["description"],
            data["start"],
            data["end"],
            data["text"],
            None if loc is None else tuple(loc),
        )


@dataclass(frozen=True)
class Finding:
    """One problem at one place. Lines and columns are 1-based; the end column is
    the column just after the last character, as SARIF counts it."""

    code: str
    name: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    suggestion: str
    fix: Fix | None = None

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape of a finding."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "message": self.message,
            "suggestion": self.suggestion,
            "fixable": self.fix is not None,
        }

    def to_cache(self) -> list[Any]:
        return [
            self.code,
            self.name,
            self.severity,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
            self.message,
            self.suggestion,
            None if self.fix is None else self.fix.as_dict(),
        ]

    @classmethod
    def from_cache(cls, row: list[Any], path: str) -> Finding:
        code, name, severity, line, column, end_line, end_column, message, suggestion, fix = row
        return cls(
            code,
            name,
            severity,
            path,
            line,
            column,
            end_line,
            end_column,
            message,
            suggestion,
            None if fix is None else Fix.from_dict(fix),
        )

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


@dataclass(frozen=True)
class FileResult:
    """What linting one file found, and what that depends on besides its bytes."""

    display: str
    findings: list[Finding]
    hash: str = ""
    expires: dt.date | None = None  # reuse the result only before this day
    missing: tuple[str, ...] = ()  # link targets that were missing
    links: tuple[str, ...] = ()  # every local link target, checked again on reuse

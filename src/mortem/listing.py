"""Listing postmortems with filters, straight from the index.

The filters that SQL can answer run in SQLite; for JSON, SQLite also writes the
output, so a listing of 10,000 postmortems costs one query and one write.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .config import Settings
from .errors import UsageError
from .index import Index, Row


@dataclass(frozen=True)
class ListFilter:
    status: str | None = None
    severity: str | None = None
    service: str | None = None
    tag: str | None = None
    owner: str | None = None  # a person named anywhere in the front matter, or a team
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def check(self, settings: Settings) -> None:
        """A misspelt status or severity is an error, not an empty list."""
        check_status_and_severity(self.status, self.severity, settings)


def check_status_and_severity(status: str | None, severity: str | None, settings: Settings) -> None:
    """The one check of a status or severity that a person typed (a filter, a new
    postmortem, a status change): unknown values are usage errors naming the known."""
    if status is not None:
        from .model import STATUSES  # only when filtering: the model is slow to import

        if status not in STATUSES:
            raise UsageError(f"unknown status {status!r} (one of: {', '.join(STATUSES)})")
    if severity is not None and severity not in settings.severity_names:
        allowed = ", ".join(settings.severity_names)
        raise UsageError(f"unknown severity {severity!r} (one of: {allowed})")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sql_where(f: ListFilter) -> tuple[str, list[Any]]:
    """A WHERE clause over `p` (postmortems) for every filter but the owner."""
    clauses: list[str] = []
    params: list[Any] = []
    for column, value in (("p.status", f.status), ("p.severity", f.severity)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    for column, value in (("p.services", f.service), ("p.tags", f.tag)):
        if value is not None:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)")
            params.append(value)
    if f.since is not None:
        clauses.append("p.started_at >= ?")
        params.append(_stamp(f.since))
    if f.until is not None:
        clauses.append("p.started_at < ?")
        params.append(_stamp(f.until))
    return " AND ".join(clauses), params


def names_owner(row: Row, owner: str, settings: Settings) -> bool:
    return owner in row.people or any(settings.team_of(p) == owner for p in row.people)


def list_rows(index: Index, settings: Settings, f: ListFilter) -> list[Row]:
    where, params = sql_where(f)
    rows = index.rows(where, params)
    if f.owner is not None:
        rows = [r for r in rows if names_owner(r, f.owner, settings)]
    return rows


def list_json(index: Index, f: ListFilter) -> str | None:
    """The listing as a JSON array, or None when a filter needs Python (owner)."""
    if f.owner is not None:
        return None
    where, params = sql_where(f)
    return index.rows_json(where, params)

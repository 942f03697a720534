"""Action items across the repository: list, filter, summarize, and change their status.

Listing reads the index, never the files. A status change edits the one postmortem
file in place (round-trip YAML, only the changed lines move) and commits it as the
acting person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import UsageError
from .git import Author
from .index import ActionRow
from .metrics_facts import (
    NO_TEAM,
    OPEN_STATUSES,
    UNOWNED,
    Excluded,
    bulk,
    not_counted,
    team_of_owner,
    teams,
)
from .model import ACTION_STATUSES, ActionStatus

if TYPE_CHECKING:
    from .config import Settings
    from .store import Saved
    from .workspace import Workspace

ACTION_TYPES = ("prevent", "detect", "mitigate", "process")


@dataclass(frozen=True)
class ActionView:
    """One action item as listed, with what the listing derives: team, overdue."""

    pm_id: str
    id: str
    title: str
    owner: str | None
    team: str | None
    due: dt.date | None
    status: str
    type: str | None
    closed_on: dt.date | None
    link: str | None
    days_overdue: int | None

    @property
    def ref(self) -> str:
        return f"{self.pm_id}/{self.id}"

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "postmortem": self.pm_id,
            "id": self.id,
            "title": self.title,
            "owner": self.owner,
            "team": self.team,
            "due": self.due.isoformat() if self.due else None,
            "status": self.status,
            "type": self.type,
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "overdue": self.overdue,
            "days_overdue": self.days_overdue,
            "link": self.link,
        }


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def view_rows(rows: Iterable[ActionRow], settings: Settings, today: dt.date) -> list[ActionView]:
    known = teams(settings)
    views = []
    for row in rows:
        due = _day(row.due)
        late = row.status in OPEN_STATUSES and due is not None and due < today
        views.append(
            ActionView(
                pm_id=row.pm_id,
                id=row.id,
                title=row.title,
                owner=row.owner,
                team=team_of_owner(row.owner, settings, known),
                due=due,
                status=row.status,
                type=row.type,
                closed_on=_day(row.closed_on),
                link=row.link,
                days_overdue=(today - due).days if late and due is not None else None,
            )
        )
    return views


@dataclass(frozen=True)
class ActionFilter:
    """Every criterion is optional; all given ones must hold. Due bounds are inclusive,
    and an item without a due date never meets a due bound or --overdue."""

    statuses: tuple[str, ...] = ()
    owner: str | None = None
    team: str | None = None
    postmortem: str | None = None
    type: str | None = None
    overdue: bool = False
    due_before: dt.date | None = None
    due_after: dt.date | None = None

    def check(self) -> None:
        for status in self.statuses:
            if status not in ACTION_STATUSES:
                raise UsageError(
                    f"unknown status {status!r} (one of: {', '.join(ACTION_STATUSES)})"
                )
        if self.type is not None and self.type not in ACTION_TYPES:
            raise UsageError(f"unknown type {self.type!r} (one of: {', '.join(ACTION_TYPES)})")

    def accepts(self, item: ActionView) -> bool:
        if self.statuses and item.status not in self.statuses:
            return False
        if self.owner is not None and item.owner != self.owner:
            return False
        if self.team is not None and item.team != self.team:
            return False
        if self.postmortem is not None and item.pm_id != self.postmortem:
            return False
        if self.type is not None and item.type != self.type:
            return False
        if self.overdue and not item.overdue:
            return False
        if self.due_before is not None and (item.due is None or item.due > self.due_before):
            return False
        return not (self.due_after is not None and (item.due is None or item.due < self.due_after))


def list_actions(
    ws: Workspace, today: dt.date, where: ActionFilter | None = None
) -> list[ActionView]:
    """Action items of every counted postmortem, sorted by due date (undated last).

    Counted as `mortem stats` counts (`metrics_facts`): valid files, and files whose
    only problem is times out of order; the items of other invalid files are left out
    here too, so that listing, summary and stats agree (`not_counted` names them)."""
    where = where or ActionFilter()
    where.check()
    skip = not_counted(ws.index)
    with bulk():
        rows = _candidates(ws, where, today) if where != ActionFilter() else ws.index.actions()
        if skip:
            rows = [r for r in rows if r.pm_id not in skip]
        return [v for v in view_rows(rows, ws.settings, today) if where.accepts(v)]


def _candidates(ws: Workspace, where: ActionFilter, today: dt.date) -> list[ActionRow]:
    """The index's action items narrowed in SQL by what SQL can decide (a superset of
    the answer: `accepts` decides), since making 30,000 rows into records costs more
    than the query."""
    clauses: list[str] = []
    params: list[str] = []

    def among(column: str, values: Iterable[str]) -> None:
        values = list(values)
        clauses.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)

    if where.statuses:
        among("status", where.statuses)
    if where.overdue:
        among("status", OPEN_STATUSES)
        clauses.append("due < ?")
        params.append(today.isoformat())
    if where.owner is not None:
        among("owner", [where.owner])
    if where.team is not None:
        members = [k for k, p in ws.settings.people.items() if p.team == where.team]
        among("owner", [*members, where.team])
    if where.postmortem is not None:
        among("pm_id", [where.postmortem])
    if where.type is not None:
        among("type", [where.type])
    if where.due_before is not None:
        clauses.append("due <= ?")
        params.append(where.due_before.isoformat())
    if where.due_after is not None:
        clauses.append("due >= ?")
        params.append(where.due_after.isoformat())
    sql = (
        "SELECT * FROM action_items WHERE "
        + " AND ".join(clauses)
        + " ORDER BY due IS NULL, due, pm_id, position"
    )
    conn = ws.index.ensure_fresh()
    return [ActionRow(*r) for r in conn.execute(sql, params)]


# -- summary ---------------------------------------------------------------------------


@dataclass
class Counts:
    """Open counts everything not closed, overdue included; done splits by its due date."""

    total: int = 0
    open: int = 0
    overdue: int = 0
    done: int = 0
    done_on_time: int = 0
    done_late: int = 0
    wont_do: int = 0

    def add(self, item: ActionView) -> None:
        self.total += 1
        if item.status in OPEN_STATUSES:
            self.open += 1
            self.overdue += item.overdue
        elif item.status == "done":
            self.done += 1
            if item.due is not None and item.closed_on is not None:
                if item.closed_on <= item.due:
                    self.done_on_time += 1
                else:
                    self.done_late += 1
        elif item.status == "wont-do":
            self.wont_do += 1

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ActionSummary:
    total: Counts
    by_owner: dict[str, Counts]
    by_team: dict[str, Counts]
    oldest_overdue: list[ActionView]
    excluded: list[Excluded] = field(default_factory=list)


def summarize(items: list[ActionView], oldest: int = 10) -> ActionSummary:
    total = Counts()
    by_owner: dict[str, Counts] = {}
    by_team: dict[str, Counts] = {}
    excluded: list[Excluded] = []
    for item in items:
        total.add(item)
        by_owner.setdefault(item.owner or UNOWNED, Counts()).add(item)
        by_team.setdefault(item.team or NO_TEAM, Counts()).add(item)
        if item.status == "done" and (item.due is None or item.closed_on is None):
            missing = "due" if item.due is None else "closed_on"
            excluded.append(
                Excluded(item.ref, "done on time / late", f"done, but has no {missing}")
            )
        elif item.status in OPEN_STATUSES and item.due is None:
            excluded.append(Excluded(item.ref, "overdue", "open without a due date"))
    overdue = sorted((i for i in items if i.overdue), key=lambda i: (i.due, i.ref))
    return ActionSummary(
        total,
        dict(sorted(by_owner.items())),
        dict(sorted(by_team.items())),
        overdue[:oldest],
        excluded,
    )


# -- changing status -------------------------------------------------------------------


def parse_ref(ref: str) -> tuple[str, str]:
    """`POSTMORTEM-ID/A1` -> (postmortem id, action-item id)."""
    pm_id, sep, action_id = ref.rpartition("/")
    if not sep or not pm_id or not action_id:
        raise UsageError(f"{ref!r} is not an action item: use POSTMORTEM-ID/A1")
    return pm_id, action_id


@dataclass(frozen=True)
class Changed:
    ref: str
    status: str
    closed_on: dt.date | None
    commit: str | None


def set_status(
    ws: Workspace,
    ref: str,
    status: ActionStatus,
    author: Author | None,
    today: dt.date,
    on: dt.date | None = None,
    note: str | None = None,
) -> Changed:
    """Set an action item's status in its file and commit; closing sets `closed_on`
    (`on`, default today), reopening or starting clears it."""
    pm_id, action_id = parse_ref(ref)
    if status == "wont-do" and not (note and note.strip()):
        raise UsageError("wont-do needs a reason (--reason): why it will not be done")
    closing = status in ("done", "wont-do")
    closed_on = (on or today) if closing else None
    if on is not None and not closing:
        raise UsageError("--on only applies when closing an item (done or wont-do)")

    def mutate(front: Any) -> None:
        from .edits import find_action

        _, item = find_action(front, action_id, pm_id)
        item["status"] = status
        if closing or item.get("closed_on") is not None:
            item["closed_on"] = closed_on
        if note:
            item["notes"] = note

    verb = {"done": "Close", "wont-do": "Drop", "in-progress": "Start", "open": "Reopen"}[status]
    saved: Saved = ws.store.update(pm_id, mutate, f"{verb} action item {ref} ({status})", author)
    return Changed(ref, status, closed_on, saved.commit)

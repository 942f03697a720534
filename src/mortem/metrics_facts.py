"""The facts the follow-through services count, read from the index in one pass.

Building 10,000 pydantic models costs seconds; the index already holds each valid
file's front matter as JSON, so these light records are made straight from it. Files
that are not valid are not guessed at: they are reported as excluded, with why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .config import Settings
from .index import Index

OPEN_STATUSES = ("open", "in-progress")
NO_TEAM = "(no team)"
UNOWNED = "(unowned)"


@dataclass(frozen=True)
class Excluded:
    """Something that could not be counted in a figure, and why."""

    subject: str
    figure: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "figure": self.figure, "reason": self.reason}


@dataclass(frozen=True)
class ActionFact:
    pm_id: str
    id: str
    title: str
    owner: str | None
    due: dt.date | None
    status: str
    type: str | None
    closed_on: dt.date | None

    @property
    def ref(self) -> str:
        return f"{self.pm_id}/{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today


@dataclass(frozen=True)
class ReviewFact:
    on: dt.date
    kind: str
    reviewers: tuple[str, ...]
    outcome: str | None
    effective_actions: tuple[str, ...]


@dataclass(frozen=True)
class Incident:
    id: str
    title: str
    status: str
    severity: str | None
    services: tuple[str, ...]
    authors: tuple[str, ...]
    responders: tuple[str, ...]
    facilitator: str | None
    started_at: dt.datetime | None
    detected_at: dt.datetime | None
    mitigated_at: dt.datetime | None
    resolved_at: dt.datetime | None
    categories: tuple[str, ...]
    actions: tuple[ActionFact, ...]
    reviews: tuple[ReviewFact, ...]
    published_on: dt.date | None

    @property
    def started_on(self) -> dt.date | None:
        return self.started_at.astimezone(dt.UTC).date() if self.started_at else None

    def publish_date(self) -> dt.date | None:
        """When it was published: `published_on`, else (files published before mortem
        recorded it) the day of its last approval. None for drafts and reviews."""
        if self.status != "published":
            return None
        if self.published_on is not None:
            return self.published_on
        approvals = [r.on for r in self.reviews if r.kind == "approval"]
        return max(approvals) if approvals else None

    def follow_ups(self) -> list[ReviewFact]:
        return sorted((r for r in self.reviews if r.kind == "follow-up"), key=lambda r: r.on)


@dataclass(frozen=True)
class Corpus:
    incidents: list[Incident]
    # Files that are not valid postmortems: counted in nothing, listed here.
    invalid: list[Excluded] = field(default_factory=list)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _time(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None


def _names(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value or ())


def incident_from(doc_id: str, data: dict[str, Any]) -> Incident:
    actions = tuple(
        ActionFact(
            doc_id,
            str(a["id"]),
            str(a.get("title") or ""),
            a.get("owner"),
            _day(a.get("due")),
            str(a.get("status") or "open"),
            a.get("type"),
            _day(a.get("closed_on")),
        )
        for a in data.get("action_items") or ()
    )
    reviews = tuple(
        ReviewFact(
            dt.date.fromisoformat(r["on"]),
            str(r.get("kind") or "approval"),
            _names(r.get("reviewers")),
            r.get("outcome"),
            _names(r.get("effective_actions")),
        )
        for r in data.get("reviews") or ()
    )
    return Incident(
        id=doc_id,
        title=str(data.get("title") or ""),
        status=str(data.get("status") or "draft"),
        severity=data.get("severity"),
        services=_names(data.get("services")),
        authors=_names(data.get("authors")),
        responders=_names(data.get("responders")),
        facilitator=data.get("facilitator"),
        started_at=_time(data.get("started_at")),
        detected_at=_time(data.get("detected_at")),
        mitigated_at=_time(data.get("mitigated_at")),
        resolved_at=_time(data.get("resolved_at")),
        categories=tuple(
            dict.fromkeys(str(f["category"]) for f in data.get("contributing_factors") or ())
        ),
        actions=actions,
        reviews=reviews,
        published_on=_day(data.get("published_on")),
    )


def load_corpus(index: Index) -> Corpus:
    incidents = [incident_from(doc_id, data) for doc_id, data in index.front_matter()]
    invalid = [
        Excluded(doc_id, "all figures", f"the file is not valid: {problems[0]}")
        for doc_id, problems in sorted(index.problems().items())
    ]
    incidents.sort(key=lambda i: (i.started_at is None, i.started_at or 0, i.id))
    return Corpus(incidents, invalid)


def teams(settings: Settings) -> set[str]:
    return {p.team for p in settings.people.values() if p.team}


def team_of_owner(owner: str | None, settings: Settings, known_teams: set[str]) -> str | None:
    """An owner's team from the roster; an owner that is itself a team is its own team."""
    if owner is None:
        return None
    if owner in known_teams and owner not in settings.people:
        return owner
    return settings.team_of(owner)


def teams_of_incident(incident: Incident, settings: Settings) -> tuple[str, ...]:
    """The teams of a postmortem's authors (the team that owns the write-up)."""
    found = dict.fromkeys(t for t in (settings.team_of(a) for a in incident.authors) if t)
    return tuple(found) or (NO_TEAM,)

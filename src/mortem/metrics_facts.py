"""The facts the follow-through services count, read from the index in one pass.

Building 10,000 pydantic models costs seconds, and even parsing the index's JSON copy
of every front matter (timelines and whys included) costs a few hundred milliseconds.
So the few fields counted here are kept in a small cache beside the index
(`.mortem/facts.json`), keyed by each file's content hash: a warm read parses one
compact file and re-reads only the postmortems whose hash moved.

Files that are not valid are not guessed at: they are reported as excluded, with why.
One kind of problem is an exception: a file whose only problems are times out of order
(resolved before started, say) is still an incident with its action items; it is
counted everywhere except in the durations its times make wrong, which list it as
excluded with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .config import Settings
from .errors import Problem
from .index import Index
from .model import is_time_order

OPEN_STATUSES = ("open", "in-progress")
NO_TEAM = "(no team)"
UNOWNED = "(unowned)"
CACHE_NAME = "facts.json"
CACHE_VERSION = 3
HASH_CHARS = 16  # enough to tell a changed file from an unchanged one
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class Excluded(NamedTuple):
    """Something that could not be counted in a figure, and why."""

    subject: str
    figure: str
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"subject": self.subject, "figure": self.figure, "reason": self.reason}


class ActionFact(NamedTuple):
    # No title: listings read action items from the index; these are for counting.
    pm_id: str
    id: str
    owner: str | None
    due: dt.date | None
    status: str
    type: str | None
    closed_on: dt.date | None
    factors: tuple[str, ...] = ()  # the contributing-factor categories it addresses

    @property
    def ref(self) -> str:
        return f"{self.pm_id}/{self.id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today


class ReviewFact(NamedTuple):
    on: dt.date
    kind: str
    reviewers: tuple[str, ...]
    outcome: str | None
    effective_actions: tuple[str, ...]


class Incident(NamedTuple):
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
    started_on: dt.date | None  # the UTC day of started_at, which periods are made of

    def publish_date(self) -> dt.date | None:
        """When it was published: `published_on`, else the day of its last `publish`
        review, else (files published before mortem recorded either) the day of its last
        approval. None for drafts and reviews."""
        if self.status != "published":
            return None
        if self.published_on is not None:
            return self.published_on
        for kind in ("publish", "approval"):
            days = [r.on for r in self.reviews if r.kind == kind]
            if days:
                return max(days)
        return None

    def follow_ups(self) -> list[ReviewFact]:
        return sorted((r for r in self.reviews if r.kind == "follow-up"), key=lambda r: r.on)


@dataclass(frozen=True)
class Corpus:
    incidents: list[Incident]
    # Files that are not valid postmortems: counted in nothing, listed here.
    invalid: list[Excluded] = field(default_factory=list)


# -- compact facts: what the cache holds, as JSON values --------------------------------


def _names(value: Any) -> list[str]:
    return [str(v) for v in value or ()]


def compact(data: dict[str, Any]) -> list[Any]:
    """The counted fields of one validated front matter (JSON values, as the index has)."""
    return [
        str(data.get("title") or ""),
        str(data.get("status") or "draft"),
        data.get("severity"),
        _names(data.get("services")),
        _names(data.get("authors")),
        _names(data.get("responders")),
        data.get("facilitator"),
        data.get("started_at"),
        data.get("detected_at"),
        data.get("mitigated_at"),
        data.get("resolved_at"),
        list(dict.fromkeys(str(f["category"]) for f in data.get("contributing_factors") or ())),
        [
            [
                str(a["id"]),
                a.get("owner"),
                a.get("due"),
                str(a.get("status") or "open"),
                a.get("type"),
                a.get("closed_on"),
                _names(a.get("factors")),
            ]
            for a in data.get("action_items") or ()
        ],
        [
            [
                r["on"],
                str(r.get("kind") or "approval"),
                _names(r.get("reviewers")),
                r.get("outcome"),
                _names(r.get("effective_actions")),
            ]
            for r in data.get("reviews") or ()
        ],
        data.get("published_on"),
    ]


@functools.lru_cache(maxsize=4096)
def _day(value: str | None) -> dt.date | None:
    # Due and closing days repeat a lot: parse each one once.
    return dt.date.fromisoformat(value) if value else None


_on = functools.lru_cache(maxsize=4096)(dt.date.fromisoformat)


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def from_compact(doc_id: str, c: list[Any]) -> Incident:
    started = _time(c[7])
    return Incident(
        doc_id,
        c[0],
        c[1],
        c[2],
        tuple(c[3]),
        tuple(c[4]),
        tuple(c[5]),
        c[6],
        started,
        _time(c[8]),
        _time(c[9]),
        _time(c[10]),
        tuple(c[11]),
        tuple(
            ActionFact(doc_id, a[0], a[1], _day(a[2]), a[3], a[4], _day(a[5]), tuple(a[6]))
            for a in c[12]
        ),
        tuple(ReviewFact(_on(r[0]), r[1], tuple(r[2]), r[3], tuple(r[4])) for r in c[13]),
        _day(c[14]),
        started.astimezone(dt.UTC).date() if started else None,
    )


def incident_from(doc_id: str, data: dict[str, Any]) -> Incident:
    """An incident from a validated front matter as JSON values."""
    return from_compact(doc_id, compact(data))


# -- loading, through the cache --------------------------------------------------------


def _read_cache(path: Path) -> dict[str, list[Any]]:
    try:
        saved = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(saved, dict) or saved.get("version") != CACHE_VERSION:
        return {}
    facts = saved.get("facts")
    return facts if isinstance(facts, dict) else {}


def _write_cache(path: Path, facts: dict[str, list[Any]]) -> None:
    from .fsutil import atomic_write

    data = json.dumps({"version": CACHE_VERSION, "facts": facts}, separators=(",", ":"))
    # A cache that cannot be written only makes the next run slower.
    with contextlib.suppress(OSError):
        atomic_write(path, data.encode("utf-8"))


def sort_problem_files(index: Index) -> tuple[set[str], dict[str, list[Problem]]]:
    """The files with problems, split: those whose only problems are times out of
    order (counted), and the rest (not counted at all), with their problems."""
    order_only: set[str] = set()
    unread: dict[str, list[Problem]] = {}
    for doc_id, problems in index.problems().items():
        if all(is_time_order(p.field, p.message) for p in problems):
            order_only.add(doc_id)
        else:
            unread[doc_id] = problems
    return order_only, unread


def not_counted(index: Index) -> dict[str, list[Problem]]:
    """Files left out of every count and listing, with their problems."""
    return sort_problem_files(index)[1]


def compact_facts(index: Index, order_only: set[str] | None = None) -> dict[str, list[Any]]:
    """Compact facts of every counted postmortem, by id (each led by its content hash):
    the valid ones and those whose only problems are times out of order."""
    conn = index.ensure_fresh()
    if order_only is None:
        order_only = sort_problem_files(index)[0]
    current = {
        doc_id: digest
        for doc_id, digest, ok in conn.execute("SELECT id, hash, ok FROM files")
        if ok or doc_id in order_only
    }
    path = index.path.with_name(CACHE_NAME)
    cached = _read_cache(path)
    facts = {
        doc_id: entry
        for doc_id, entry in cached.items()
        if current.get(doc_id, "")[:HASH_CHARS] == (entry[0] if entry else None)
    }
    stale = [doc_id for doc_id in current if doc_id not in facts]
    if stale:
        sql = "SELECT id, data FROM postmortems WHERE id IN (SELECT value FROM json_each(?))"
        for doc_id, data in conn.execute(sql, (json.dumps(stale),)):
            facts[doc_id] = [current[doc_id][:HASH_CHARS], *compact(json.loads(data))]
    if stale or len(facts) != len(cached):
        _write_cache(path, facts)
    return facts


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of small records are
    made: they hold no cycles, and the collector's passes over the growing heap would
    otherwise take three quarters of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_corpus(index: Index) -> Corpus:
    """Every counted postmortem's facts, by start time (undated last), and the files
    that are not counted as excluded."""
    order_only, unread = sort_problem_files(index)
    with bulk():
        facts = compact_facts(index, order_only)
        incidents = [from_compact(doc_id, entry[1:]) for doc_id, entry in facts.items()]
        incidents.sort(key=lambda i: (i.started_at is None, i.started_at or EPOCH, i.id))
    invalid = [
        Excluded(doc_id, "all figures", f"the file is not valid: {problems[0]}")
        for doc_id, problems in sorted(unread.items())
    ]
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

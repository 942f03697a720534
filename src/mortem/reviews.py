"""The review workflow (draft -> in-review -> published) and follow-up reviews.

Every step is written into the postmortem's own `reviews:` list and committed as the
acting person, so the file carries its review history. Publishing sets `published_on`
and adds a review of kind `publish` naming who published; follow-up reviews come due
that many days later (`[reviews] follow_up_days`). Files published before mortem
recorded `published_on` count from their publish entry, else their last approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import MortemError, NotFoundError, UsageError
from .git import Author
from .metrics_facts import Excluded, Incident
from .model import ReviewOutcome

if TYPE_CHECKING:
    from .actions import ActionView
    from .config import Settings
    from .document import Document
    from .metrics import Pattern
    from .workspace import Workspace

OUTCOMES: tuple[str, ...] = ("effective", "partly", "not-effective")


class NotPublishableError(MortemError):
    """Publishing was refused: the message lists every reason."""

    http_status = 409


# -- who is acting ---------------------------------------------------------------------


def person_key(ws: Workspace, explicit: str | None) -> str:
    """The acting person as the front matter names people: a roster key when the person
    is on the roster (matched by key, e-mail or name), else their name."""
    from .roster import key_of_author

    if explicit and explicit in ws.settings.people:
        return explicit
    who = key_of_author(ws.settings, ws.author(explicit))
    if who is None:
        raise UsageError("who is acting? pass --author (a roster key) or set git user.name")
    return who


def _flow(values: list[str]) -> Any:
    # Written as `[sam, lee]`, the way people write short lists of names by hand.
    from ruamel.yaml.comments import CommentedSeq

    seq = CommentedSeq(values)
    seq.fa.set_flow_style()
    return seq


def _append_review(front: Any, entry: dict[str, Any]) -> None:
    from .edits import append_item

    append_item(front, "reviews", entry)


# -- publishing checks -----------------------------------------------------------------


def lint_errors(ws: Workspace, doc: Document, today: dt.date | None = None) -> list[str] | None:
    """Error-severity lint findings of one document, with the repository's lint
    settings; None when `mortem.lint` is not installed (publishing then checks
    validity and approvals only)."""
    try:
        from .lint.engine import lint_text
        from .lint.service import lint_config
    except ImportError:
        return None
    config = lint_config(ws, today=today)
    result = lint_text(doc.text, doc.display, config, ws.store.folder, doc.id)
    return [
        f"{f.path}:{f.line}: {f.code} {f.message}" for f in result.findings if f.severity == "error"
    ]


def approvers(doc: Document) -> list[str]:
    """Distinct people who approved, in the order they did (read from the raw front
    matter, so that an invalid file still reports its approvals)."""
    names: dict[str, None] = {}
    for review in doc.data.get("reviews") or []:
        if isinstance(review, dict) and review.get("kind", "approval") == "approval":
            names.update(dict.fromkeys(str(r) for r in review.get("reviewers") or []))
    return list(names)


def publish_blockers(ws: Workspace, doc: Document, today: dt.date | None = None) -> list[str]:
    """Every reason the document cannot be published now (empty when it can)."""
    needed = ws.settings.reviews.approvals
    reasons = [str(p) for p in ws.validate_document(doc)]
    if not reasons:
        # Lint reads a valid document only; an invalid one has its problems listed.
        reasons += lint_errors(ws, doc, today) or []
    if doc.data.get("status") == "draft" and needed > 0:
        reasons.append(f"it is a draft: ask for a review first (mortem review request {doc.id})")
    have = len(approvers(doc))
    if have < needed:
        reasons.append(f"it has {have} of the {needed} approvals needed")
    return reasons


def check_publishable(ws: Workspace, doc_id: str, today: dt.date | None = None) -> Document:
    """The document, if it may be published; else NotPublishableError with every reason."""
    doc = ws.store.load(doc_id)
    if doc.data.get("status") == "published":
        raise UsageError(f"{doc_id} is already published")
    reasons = publish_blockers(ws, doc, today)
    if reasons:
        shown = "; ".join(reasons[:5])
        more = f"; and {len(reasons) - 5} more" if len(reasons) > 5 else ""
        raise NotPublishableError(f"{doc.display}: cannot publish: {shown}{more}")
    return doc


# -- the workflow ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recorded:
    doc_id: str
    status: str
    entry: dict[str, Any]
    commit: str | None


def request_review(
    ws: Workspace, doc_id: str, reviewers: list[str], author: Author | None, today: dt.date
) -> Recorded:
    """Ask people to review: the draft moves to in-review and the request is recorded."""
    names = list(dict.fromkeys(r.strip() for r in reviewers if r.strip()))
    if not names:
        raise UsageError("name at least one reviewer (--reviewer KEY)")
    doc = ws.store.load(doc_id)
    if doc.data.get("status") == "published":
        raise UsageError(f"{doc_id} is already published: record a follow-up review instead")
    entry = {"on": today, "kind": "request", "reviewers": names}

    def mutate(front: Any) -> None:
        front["status"] = "in-review"
        _append_review(front, {**entry, "reviewers": _flow(names)})

    saved = ws.store.update(
        doc_id,
        mutate,
        f"Request review of {doc_id} from {', '.join(names)}",
        author,
        expected_revision=doc.revision,
    )
    return Recorded(doc_id, "in-review", entry, saved.commit)


def approve(
    ws: Workspace,
    doc_id: str,
    reviewer: str,
    author: Author | None,
    today: dt.date,
    notes: str | None = None,
) -> Recorded:
    doc = ws.store.load(doc_id)
    status = doc.data.get("status")
    if status != "in-review":
        raise UsageError(
            f"{doc_id} is {status}, not in-review: only a postmortem in review can be approved"
        )
    if reviewer in (doc.data.get("authors") or []):
        raise UsageError(f"{reviewer} is an author of {doc_id}: authors cannot approve it")
    if reviewer in approvers(doc):
        raise UsageError(f"{reviewer} has already approved {doc_id}")
    entry: dict[str, Any] = {"on": today, "kind": "approval", "reviewers": [reviewer]}
    if notes:
        entry["notes"] = notes

    def mutate(front: Any) -> None:
        _append_review(front, {**entry, "reviewers": _flow([reviewer])})

    saved = ws.store.update(
        doc_id, mutate, f"Approve {doc_id} ({reviewer})", author, expected_revision=doc.revision
    )
    return Recorded(doc_id, "in-review", entry, saved.commit)


def publish(
    ws: Workspace,
    doc_id: str,
    author: Author | None,
    today: dt.date,
    by: str | None = None,
) -> Recorded:
    """Publish after the checks pass; `published_on` starts the follow-up clock, and a
    review of kind `publish` records who published (`by`, else the acting author as
    the roster names them, else git's identity)."""
    from .roster import key_of_author

    doc = check_publishable(ws, doc_id, today)
    who = by or key_of_author(ws.settings, author or ws.author(None))
    entry: dict[str, Any] = {"on": today, "kind": "publish", "reviewers": [who] if who else []}

    def mutate(front: Any) -> None:
        front["status"] = "published"
        front["published_on"] = today
        _append_review(front, {**entry, "reviewers": _flow(entry["reviewers"])})

    # The revision checked is the revision published: an edit in between is refused.
    saved = ws.store.update(
        doc_id, mutate, f"Publish {doc_id}", author, expected_revision=doc.revision
    )
    return Recorded(
        doc_id, "published", {**entry, "published_on": today, "published_by": who}, saved.commit
    )


def record_follow_up(
    ws: Workspace,
    doc_id: str,
    outcome: str,
    reviewers: list[str],
    author: Author | None,
    today: dt.date,
    notes: str | None = None,
    worked: list[str] | None = None,
) -> Recorded:
    """Record a follow-up review: did the action items work?"""
    if outcome not in OUTCOMES:
        raise UsageError(f"unknown outcome {outcome!r} (one of: {', '.join(OUTCOMES)})")
    doc = ws.store.load(doc_id)
    if doc.data.get("status") != "published":
        raise UsageError(f"{doc_id} is not published: follow-up reviews come after publishing")
    pm = doc.model()
    known = [a.id for a in pm.action_items]
    worked = list(dict.fromkeys(w.strip() for w in worked or [] if w.strip()))
    unknown = [w for w in worked if w not in known]
    if unknown:
        raise NotFoundError(
            f"{doc_id} has no action item {', '.join(unknown)} (it has: {', '.join(known) or 'none'})"
        )
    result: ReviewOutcome = outcome  # type: ignore[assignment]
    entry: dict[str, Any] = {
        "on": today,
        "kind": "follow-up",
        "reviewers": reviewers,
        "outcome": result,
        "effective_actions": worked,
    }
    if notes:
        entry["notes"] = notes

    def mutate(front: Any) -> None:
        _append_review(
            front,
            {**entry, "reviewers": _flow(reviewers), "effective_actions": _flow(worked)},
        )

    saved = ws.store.update(
        doc_id,
        mutate,
        f"Follow-up review of {doc_id}: {outcome}",
        author,
        expected_revision=doc.revision,
    )
    return Recorded(doc_id, "published", entry, saved.commit)


# -- follow-ups due --------------------------------------------------------------------


class FollowUp(NamedTuple):
    """The n-th follow-up review of a published postmortem and when it is due."""

    pm_id: str
    title: str
    number: int
    after_days: int
    published: dt.date
    due: dt.date
    held_on: dt.date | None

    def state(self, today: dt.date) -> str:
        if self.held_on is not None:
            return "held"
        if self.due < today:
            return "overdue"
        return "due" if self.due == today else "upcoming"

    def when(self, today: dt.date) -> str:
        """How it stands, in words: days late, due today, or days until it is due."""
        if self.held_on is not None:
            return f"held on {self.held_on}"
        days = (today - self.due).days
        if days > 0:
            return f"{days} day{'s' if days != 1 else ''} late"
        if days == 0:
            return "due today"
        return f"due in {-days} day{'s' if days != -1 else ''}"

    def as_dict(self, today: dt.date) -> dict[str, Any]:
        waiting = self.held_on is None
        return {
            "postmortem": self.pm_id,
            "title": self.title,
            "number": self.number,
            "after_days": self.after_days,
            "published": self.published.isoformat(),
            "due": self.due.isoformat(),
            "state": self.state(today),
            # Late only once due: an upcoming review has days until it is due instead.
            "days_late": (today - self.due).days if waiting and self.due <= today else None,
            "days_until_due": (self.due - today).days if waiting and self.due > today else None,
            "when": self.when(today),
            "held_on": self.held_on.isoformat() if self.held_on else None,
        }


def follow_up_schedule(
    incidents: list[Incident], settings: Settings
) -> tuple[list[FollowUp], list[Excluded]]:
    """Every follow-up of every published postmortem, held or not.

    The k-th follow-up review recorded in a file holds the k-th interval, whatever day
    it was held on: a review held early or late still counts for its turn."""
    intervals = sorted(settings.reviews.follow_up_days)
    schedule: list[FollowUp] = []
    excluded: list[Excluded] = []
    for incident in incidents:
        if incident.status != "published":
            continue
        published = incident.publish_date()
        if published is None:
            excluded.append(
                Excluded(
                    incident.id, "follow-up reviews", "published, but no published_on or approval"
                )
            )
            continue
        held = incident.follow_ups()
        for number, days in enumerate(intervals, start=1):
            schedule.append(
                FollowUp(
                    incident.id,
                    incident.title,
                    number,
                    days,
                    published,
                    published + dt.timedelta(days=days),
                    held[number - 1].on if number <= len(held) else None,
                )
            )
    return schedule, excluded


def follow_up_counts(
    incidents: list[Incident], settings: Settings, today: dt.date
) -> tuple[int, int, list[Excluded]]:
    """(follow-ups that came due by today, how many of those were held, excluded)."""
    schedule, excluded = follow_up_schedule(incidents, settings)
    came = [f for f in schedule if f.due <= today]
    return len(came), sum(1 for f in came if f.held_on is not None), excluded


def follow_ups_due(
    incidents: list[Incident], settings: Settings, today: dt.date, within: int = 0
) -> list[FollowUp]:
    """Follow-ups not held yet and due by `today + within` days, most overdue first."""
    horizon = today + dt.timedelta(days=within)
    schedule, _ = follow_up_schedule(incidents, settings)
    due = [f for f in schedule if f.held_on is None and f.due <= horizon]
    return sorted(due, key=lambda f: (f.due, f.pm_id, f.number))


# -- the review meeting ----------------------------------------------------------------


@dataclass(frozen=True)
class Agenda:
    today: dt.date
    since: dt.date
    pattern_start: dt.date  # repeat patterns look back further than `since`
    published: list[tuple[Incident, dt.date]]
    in_review: list[tuple[Incident, int]]
    follow_ups: list[FollowUp]
    overdue: dict[str, list[ActionView]]
    patterns: list[Pattern]
    excluded: list[Excluded]


def agenda(
    ws: Workspace, today: dt.date, since: dt.date | None = None, pattern_days: int = 90
) -> Agenda:
    """What a regular review meeting goes through: postmortems published since the last
    meeting (default: `[reviews] meeting_every_days` ago), those waiting for review,
    follow-ups due, overdue action items by owner, and repeat patterns (a service and a
    contributing-factor category shared by incidents of the last `pattern_days` days)."""
    from .actions import ActionFilter, list_actions
    from .metrics import patterns
    from .metrics_facts import UNOWNED, load_corpus

    since = since or today - dt.timedelta(days=ws.settings.reviews.meeting_every_days)
    if since > today:
        raise UsageError(f"--since {since} is after today ({today})")
    if pattern_days < 0:
        raise UsageError(f"--pattern-days {pattern_days}: give a number of days, 0 or more")
    corpus = load_corpus(ws.index)
    published = []
    for incident in corpus.incidents:
        day = incident.publish_date()
        if day is not None and since <= day <= today:
            published.append((incident, day))
    published.sort(key=lambda p: (p[1], p[0].id))
    in_review = [
        (i, len({r for rev in i.reviews if rev.kind == "approval" for r in rev.reviewers}))
        for i in corpus.incidents
        if i.status == "in-review"
    ]
    overdue: dict[str, list[ActionView]] = {}
    for item in list_actions(ws, today, ActionFilter(overdue=True)):
        overdue.setdefault(item.owner or UNOWNED, []).append(item)
    start = today - dt.timedelta(days=pattern_days)
    _, excluded = follow_up_schedule(corpus.incidents, ws.settings)
    return Agenda(
        today,
        since,
        start,
        published,
        in_review,
        follow_ups_due(corpus.incidents, ws.settings, today),
        dict(sorted(overdue.items())),
        patterns(corpus.incidents, start, today),
        corpus.invalid + excluded,
    )

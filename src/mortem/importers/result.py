"""What every importer returns, and how imported events join an existing timeline.

Importers are pure: they read a source and describe what they found. Writing the
postmortem (and committing it) is the store's job, so the result is a plain record that
a caller can show as a preview before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mortem.model import TimelineEvent


@dataclass(frozen=True)
class Skipped:
    """Something in the source that was deliberately not imported, and why."""

    item: str
    reason: str


@dataclass(frozen=True)
class ImportResult:
    """Timeline events and front-matter fields read from one outside source.

    `source` identifies the source itself (e.g. ``pagerduty:Q1R2S3``) so that a second
    import of the same incident can be recognised; every event's ``.source`` is a key
    that stays the same across re-imports, so `merge_events` can skip what is already
    there.
    """

    source: str
    events: tuple[TimelineEvent, ...]
    fields: dict[str, Any] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()


def _identity(event: TimelineEvent) -> tuple[str, str]:
    # Compare instants, not their spelling: 10:00+01:00 and 09:00Z are the same moment.
    return (event.at.timestamp().hex(), " ".join(event.event.split()).casefold())


def merge_events(
    existing: list[TimelineEvent], new: Iterable[TimelineEvent]
) -> tuple[list[TimelineEvent], int]:
    """Add the new events that are not already in `existing`; return (merged, added).

    An event counts as already present when an existing event has the same `source`
    key, or the same instant and the same text (whitespace and case aside): the second
    rule catches an event a person copied in by hand before importing. The result is
    sorted by time; events at the same instant keep their order, existing ones first.
    """
    sources = {e.source for e in existing if e.source}
    identities = {_identity(e) for e in existing}
    merged = list(existing)
    added = 0
    for event in new:
        ident = _identity(event)
        if (event.source and event.source in sources) or ident in identities:
            continue
        merged.append(event)
        identities.add(ident)
        if event.source:
            sources.add(event.source)
        added += 1
    merged.sort(key=lambda e: e.at.timestamp())
    return merged, added

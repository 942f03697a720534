"""merge_events: re-importing adds only what is new, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from mortem.importers.result import merge_events
from mortem.model import TimelineEvent

T0 = datetime(2026, 3, 14, 2, 47, tzinfo=UTC)


def ev(minutes: int, text: str, source: str | None = None) -> TimelineEvent:
    return TimelineEvent(at=T0 + timedelta(minutes=minutes), event=text, source=source)


def test_new_events_are_added_sorted_and_counted() -> None:
    existing = [ev(0, "start", "pd:1"), ev(20, "resolved", "pd:3")]
    merged, added = merge_events(existing, [ev(10, "ack", "pd:2")])
    assert added == 1
    assert [e.event for e in merged] == ["start", "ack", "resolved"]


def test_same_source_is_not_added_again_even_if_text_changed() -> None:
    existing = [ev(0, "Triggered", "pd:1")]
    merged, added = merge_events(existing, [ev(0, "Triggered (edited upstream)", "pd:1")])
    assert added == 0
    assert merged == existing


def test_same_instant_and_text_is_a_duplicate_across_zones_and_spacing() -> None:
    # Someone typed the event by hand before importing: same moment, other offset.
    cet = timezone(timedelta(hours=1))
    existing = [TimelineEvent(at=datetime(2026, 3, 14, 3, 47, tzinfo=cet), event="Deploy  starts")]
    merged, added = merge_events(existing, [ev(0, "deploy starts", "csv:abc")])
    assert added == 0
    assert len(merged) == 1


def test_duplicates_within_the_new_batch_count_once() -> None:
    merged, added = merge_events([], [ev(5, "a", "s:1"), ev(5, "a", "s:1"), ev(1, "b")])
    assert added == 2
    assert [e.event for e in merged] == ["b", "a"]


def test_reimport_of_the_same_result_adds_nothing() -> None:
    batch = [ev(1, "x", "s:1"), ev(2, "y", "s:2")]
    first, n1 = merge_events([], batch)
    second, n2 = merge_events(first, batch)
    assert (n1, n2) == (2, 0)
    assert second == first

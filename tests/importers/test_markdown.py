"""The Markdown importer on varied shapes of postmortem, and on PostHog's real ones.

The synthetic documents use other words for the same sections ("Chronology",
"Sequence of events", "Why did it happen", "Next steps", "Follow-up") and other ways
of writing times, to check that the parsing is general rather than fitted to DFDS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from mortem.errors import ParseError, UsageError
from mortem.importers.markdown import guess_category, import_markdown, parse_duration
from mortem.model import consistency_problems

POSTHOG = Path(__file__).parent / "data" / "posthog"
Checker = Callable[[str, dict[str, Any], str], None]

BULLETS = """\
# Checkout latency spike

**Date:** March 14, 2026
**Severity:** SEV2

## Overview

Checkout requests were slow for 40 minutes after a deploy.

## Chronology

All times are PST.

- 2026-03-14 09:02 - Deploy of build 4411 starts
- 09:10 - Latency alert pages the on-call engineer
  - p99 was 4.1 seconds
- 09:25 - Rolled back build 4411
- 09:41 - Latency back to normal, incident resolved

## Why did it happen

1. **Connection pool limit too low**: the new build halved the pool size.
2. No automated tests cover the pool setting.

## Next steps

- [x] Restore pool size (owner: @dana)
- [ ] Add a load test for pool settings @lee due 2026-04-01
- ~~Page the database team on pool exhaustion~~
- Write a runbook for pool exhaustion (in progress)

## Stats

- Time to detection: 8 minutes
- Time to recovery: 39 min
"""

TABLE_BY_DAY = """\
# Queue backlog

## Sequence of events

Times in UTC.

### 2026-02-01

| When | What happened | Who |
|------|---------------|-----|
| 23:40 | Consumer lag alert fires | pager |
| 23:55 | On-call starts investigating | sam |
| 00:20 | Consumers restarted, lag draining | sam |
| ~01:00 | Backlog probably drained | |
| 01:30 | Queue depth back to normal | sam |

## Root causes

- Consumers ran out of memory on a large message
- Monitoring of consumer memory was missing

## Follow-up

| Action | Owner | Due | Status |
|---|---|---|---|
| Cap message size at the producer | platform | 2026-02-15 | DONE |
| Alert on consumer memory | sam | 2026-02-20 | open |
"""

SRE_STYLE = """\
# Image resize service postmortem (incident #88)

**Date:** 2026-05-04
**Status:** Complete, action items in progress

## Summary

Thumbnail generation failed for 50 minutes.

## Impact

About 12,000 uploads had no thumbnails until a backfill ran.

## Root Causes

A cache key change made every worker recompute thumbnails at once.

## Action Items

| Action Item | Type | Owner | Bug |
|---|---|---|---|
| Roll back resize-worker to 3.1 | mitigate | kim | n/a **DONE** |
| Add load test for cache key changes | prevent | ravi | Bug 4411 **TODO** |
| Document the backfill procedure | process | kim | Bug 4412 **TODO** |

## Lessons Learned

### What went well

- The backfill tool worked first time.

### What went wrong

- No alert on thumbnail error rate.

## Timeline

2026-05-03 (all times UTC)

| Time | Description |
|---|---|
| 13:58 | Deploy of resize-worker 3.2 begins |
| 14:02 | **OUTAGE BEGINS** thumbnail errors rise |
| 14:09 | Pager alert for resize error rate |
| 14:30 | Rollback to 3.1 performed |
| 14:52 | **OUTAGE ENDS** error rate back to baseline |
"""

OUT_OF_ORDER = """\
# Certificate expiry

## Timeline

| Date (CET) | Event |
| --- | --- |
| 2026-01-10 | Certificate expires |
| 2026-01-10 09:30 | Customers report login errors |
| 2026-01-10 11:00 | New certificate deployed, login restored |
| 2026-01-10 10:15 | Expired certificate identified |
| 2026-01-12 --:-- | Renewal reminder added to the calendar |
"""


SPLIT_COLUMNS = """\
# Payment webhook failures

## Incident timeline

| Date | Time (UTC) | Who | What happened |
|---|---|---|---|
| 2025-12-01 | 22:10 | ci | Webhook signer library upgraded |
| | 22:40 | support | Merchants report webhook signature errors |
| 2025-12-02 | 00:05 | oncall | Library downgraded, webhooks verified working |

## Metrics

| Metric | Value |
|---|---|
| Time to detect | 30 min |
| Time to resolve | 1h 55m |
| Severity | SEV1 |
"""


def at(tz: str, year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))


def test_bullets_other_headings_stated_zone_and_actions(assert_nothing_dropped: Checker) -> None:
    result = import_markdown(BULLETS, "checkout.md")
    f = result.fields
    assert f["title"] == "Checkout latency spike"
    assert f["severity"] == "SEV2"
    assert f["summary"] == "Checkout requests were slow for 40 minutes after a deploy."
    # PST is read as Pacific civil time: on March 14, 2026 that is daylight time.
    timeline = f["timeline"]
    assert [e.at for e in timeline] == [
        datetime(2026, 3, 14, 16, 2, tzinfo=UTC),
        datetime(2026, 3, 14, 16, 10, tzinfo=UTC),
        datetime(2026, 3, 14, 16, 25, tzinfo=UTC),
        datetime(2026, 3, 14, 16, 41, tzinfo=UTC),
    ]
    assert [e.kind for e in timeline] == ["trigger", "detection", "mitigation", "resolution"]
    assert timeline[1].event == "Latency alert pages the on-call engineer (p99 was 4.1 seconds)"
    assert result.stated == {
        "ttd_minutes": 8.0,
        "ttd_text": "8 minutes",
        "ttr_minutes": 39.0,
        "ttr_text": "39 min",
    }
    assert (result.derived["ttd_minutes"], result.derived["ttr_minutes"]) == (8.0, 39.0)
    assert f["detected_at"] - f["started_at"] == timedelta(minutes=8)
    assert f["mitigated_at"] == at("America/Los_Angeles", 2026, 3, 14, 9, 25)
    factors = f["contributing_factors"]
    assert [(x.category, x.description) for x in factors] == [
        ("capacity", "Connection pool limit too low: the new build halved the pool size."),
        ("testing", "No automated tests cover the pool setting."),
    ]
    items = [(a.id, a.title, a.owner, a.due, a.status) for a in f["action_items"]]
    assert items == [
        ("A1", "Restore pool size", "dana", None, "done"),
        ("A2", "Add a load test for pool settings", "lee", date(2026, 4, 1), "open"),
        ("A3", "Page the database team on pool exhaustion", None, None, "done"),
        ("A4", "Write a runbook for pool exhaustion", None, None, "in-progress"),
    ]
    # Narrative and statements stay; the moved lists and their headings are gone.
    assert "## Overview" in result.body and "All times are PST." in result.body
    assert "Time to detection: 8 minutes" in result.body
    assert "Next steps" not in result.body and "Why did it happen" not in result.body
    assert "Deploy of build" not in result.body
    result.postmortem()
    assert_nothing_dropped(BULLETS, f, result.body)


def test_table_under_a_day_heading_rolls_past_midnight(assert_nothing_dropped: Checker) -> None:
    result = import_markdown(TABLE_BY_DAY, "queue.md")
    timeline = result.fields["timeline"]
    assert [e.at.isoformat() for e in timeline] == [
        "2026-02-01T23:40:00+00:00",
        "2026-02-01T23:55:00+00:00",
        "2026-02-02T00:20:00+00:00",
        "2026-02-02T01:30:00+00:00",
    ]
    assert (timeline[0].model_extra or {}) == {"who": "pager"}
    # The approximate row is not placed at a guessed instant: it stays in the body.
    assert "| ~01:00 | Backlog probably drained | |" in result.body
    assert any("approximate" in line for line in result.report)
    assert [x.category for x in result.fields["contributing_factors"]] == ["capacity", "monitoring"]
    actions = [(a.title, a.owner, a.due, a.status) for a in result.fields["action_items"]]
    assert actions == [
        ("Cap message size at the producer", "platform", date(2026, 2, 15), "done"),
        ("Alert on consumer memory", "sam", date(2026, 2, 20), "open"),
    ]
    assert result.derived["ttr_minutes"] == 110.0
    assert_nothing_dropped(TABLE_BY_DAY, result.fields, result.body)


def test_sre_style_start_marker_date_line_and_status_in_another_column(
    assert_nothing_dropped: Checker,
) -> None:
    result = import_markdown(SRE_STYLE, "resize.md")
    f = result.fields
    assert f["title"] == "Image resize service postmortem (incident #88)"
    assert f["impact"] == "About 12,000 uploads had no thumbnails until a backfill ran."
    assert f["started_at"] == datetime(2026, 5, 3, 14, 2, tzinfo=UTC)  # OUTAGE BEGINS
    assert f["detected_at"] == datetime(2026, 5, 3, 14, 9, tzinfo=UTC)
    assert f["mitigated_at"] == datetime(2026, 5, 3, 14, 30, tzinfo=UTC)
    assert f["resolved_at"] == datetime(2026, 5, 3, 14, 52, tzinfo=UTC)
    assert (result.derived["ttd_minutes"], result.derived["ttr_minutes"]) == (7.0, 50.0)
    assert any("marked as the start" in line for line in result.report)
    actions = [
        (a.title, a.owner, a.status, a.type, (a.model_extra or {}).get("ticket"))
        for a in f["action_items"]
    ]
    assert actions == [
        ("Roll back resize-worker to 3.1", "kim", "done", "mitigate", None),
        ("Add load test for cache key changes", "ravi", "open", "prevent", "Bug 4411"),
        ("Document the backfill procedure", "kim", "open", "process", "Bug 4412"),
    ]
    assert f["lessons"] == [
        "The backfill tool worked first time.",
        "No alert on thumbnail error rate.",
    ]
    # A root-cause section written as prose stays prose.
    assert "contributing_factors" not in f
    assert "A cache key change made every worker" in result.body
    assert "2026-05-03 (all times UTC)" in result.body
    assert_nothing_dropped(SRE_STYLE, f, result.body)


def test_date_only_rows_and_out_of_order_rows(assert_nothing_dropped: Checker) -> None:
    result = import_markdown(OUT_OF_ORDER, "cert.md")
    timeline = result.fields["timeline"]
    cet = ZoneInfo("Europe/Berlin")
    assert [e.at for e in timeline] == [
        datetime(2026, 1, 10, 0, 0, tzinfo=cet),
        datetime(2026, 1, 10, 9, 30, tzinfo=cet),
        datetime(2026, 1, 10, 10, 15, tzinfo=cet),
        datetime(2026, 1, 10, 11, 0, tzinfo=cet),
        datetime(2026, 1, 12, 0, 0, tzinfo=cet),
    ]
    precision = [(e.model_extra or {}).get("precision") for e in timeline]
    assert precision == ["day", None, None, None, "day"]
    notes = [line for line in result.report if "sorted by time" in line]
    assert len(notes) == 1 and "cert.md:10" in notes[0]
    # Cues are not taken from date-only rows: their time of day is unknown.
    assert result.fields["detected_at"] == datetime(2026, 1, 10, 9, 30, tzinfo=cet)
    assert result.fields["resolved_at"] == datetime(2026, 1, 10, 11, 0, tzinfo=cet)
    assert_nothing_dropped(OUT_OF_ORDER, result.fields, result.body)


def test_date_and_time_in_separate_columns_and_stats_in_a_table(
    assert_nothing_dropped: Checker,
) -> None:
    result = import_markdown(SPLIT_COLUMNS, "webhooks.md")
    timeline = result.fields["timeline"]
    assert [e.at.isoformat() for e in timeline] == [
        "2025-12-01T22:10:00+00:00",
        "2025-12-01T22:40:00+00:00",  # the date carries down from the row above
        "2025-12-02T00:05:00+00:00",
    ]
    assert [(e.model_extra or {}).get("who") for e in timeline] == ["ci", "support", "oncall"]
    assert result.stated["ttd_minutes"] == 30 and result.stated["ttr_minutes"] == 115
    assert (result.derived["ttd_minutes"], result.derived["ttr_minutes"]) == (30.0, 115.0)
    assert result.fields["severity"] == "SEV1"
    assert "| Severity | SEV1 |" in result.body  # a table keeps its rows
    assert_nothing_dropped(SPLIT_COLUMNS, result.fields, result.body)


def test_no_title_no_headings_dated_lines_are_still_found(assert_nothing_dropped: Checker) -> None:
    text = (
        "Some notes written after the DNS outage.\n\n"
        "- 2024-05-02 14:00 CEST resolver config pushed\n"
        "- 2024-05-02 14:03 CEST customers report errors\n"
        "- 2024-05-02 14:30 CEST config reverted, resolution confirmed working\n\n"
        "Nothing else to add.\n"
    )
    result = import_markdown(text, "notes/2024-05-02-dns-outage.md")
    assert result.fields["title"] == "Dns outage"
    assert len(result.fields["timeline"]) == 3
    assert result.fields["started_at"] == datetime(2024, 5, 2, 12, 0, tzinfo=UTC)
    assert result.derived["ttd_minutes"] == 3.0
    assert result.body == "Some notes written after the DNS outage.\n\nNothing else to add.\n"
    assert_nothing_dropped(text, result.fields, result.body)


def test_times_without_any_date_stay_in_the_body(assert_nothing_dropped: Checker) -> None:
    text = "# Flaky deploy\n\n## Timeline\n\n- 10:00 deploy starts\n- 10:20 deploy fails\n"
    result = import_markdown(text, "flaky.md")
    assert "timeline" not in result.fields
    assert "- 10:00 deploy starts" in result.body
    assert any("no date is given" in line for line in result.report)
    assert_nothing_dropped(text, result.fields, result.body)


def test_default_tz_is_used_only_when_nothing_is_stated() -> None:
    text = "# X\n\n## Timeline\n\n- 2026-07-01 10:00 start\n- 2026-07-01 10:05 UTC alert fires\n"
    result = import_markdown(text, "x.md", default_tz="Europe/Oslo")
    first, second = result.fields["timeline"]
    assert first.at == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # Oslo summer time
    assert second.at == datetime(2026, 7, 1, 10, 5, tzinfo=UTC)  # its own stated zone
    with pytest.raises(UsageError):
        import_markdown(text, "x.md", default_tz="Nowhere/Special")


def test_existing_front_matter_wins_and_bad_yaml_is_located() -> None:
    text = "---\ntitle: Kept title\nseverity: SEV1\n---\n# Other title\n\nBody text.\n"
    result = import_markdown(text, "fm.md")
    assert result.fields["title"] == "Kept title"
    assert result.fields["severity"] == "SEV1"
    assert "Body text." in result.body and "Kept title" not in result.body
    with pytest.raises(ParseError) as err:
        import_markdown("---\ntitle: [unclosed\n---\n", "bad.md")
    assert str(err.value).startswith("bad.md:")


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("54 minutes", 54),
        ("4 hours 42 minutes", 282),
        ("1h 48m", 108),
        ("1 hour and 48 minutes", 108),
        ("2 days", 2880),
        ("1.5 hours", 90),
        ("01:30", 90),
        ("~ 10 min", 10),
        ("?", None),
        ("N/A", None),
        ("unknown", None),
        ("", None),
    ],
)
def test_parse_duration(text: str, minutes: float | None) -> None:
    assert parse_duration(text) == minutes


def test_parse_duration_refuses_prose() -> None:
    with pytest.raises(ValueError):
        parse_duration("about a week")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("No monitoring of subnet IP usage", "monitoring"),
        ("Too much noise in our alert channel", "alerting"),
        ("Smoke tests did not cover the ingress path", "testing"),
        ("Pipeline released an unpinned version", "deployment"),
        ("Timeout values were hardcoded in the config", "configuration"),
        ("Node ran out of memory", "capacity"),
        ("The vendor changed their API without notice", "dependency"),
        ("No runbook for rotating certificates", "documentation"),
        ("Only one person was on call over the holiday shift", "on-call"),
        ("Announcement was lost in Slack", "communication"),
        ("Least privilege not enforced for admin access", "security"),
        ("Backup restore of the database was never tried", "data"),
        ("Something nobody could name", "process"),
    ],
)
def test_guess_category(text: str, category: str) -> None:
    assert guess_category(text) == category


def test_posthog_bullet_timeline_with_utc_times() -> None:
    name = "2025-09-29-flags-is-down.md"
    result = import_markdown((POSTHOG / name).read_text(encoding="utf-8"), name)
    f = result.fields
    assert f["title"] == "PostHog Feature Flags Service Outage - September 29, 2025"
    times = [e.at for e in f["timeline"]]
    assert len(times) == 8
    assert times[0] == datetime(2025, 9, 29, 16, 58, tzinfo=UTC)  # date from the title
    assert times[-1] == datetime(2025, 9, 29, 18, 46, tzinfo=UTC)
    assert f["resolved_at"] - f["started_at"] == timedelta(hours=1, minutes=48)  # as stated
    assert f["detected_at"] == datetime(2025, 9, 29, 17, 25, tzinfo=UTC)  # incident declared
    assert "78% of feature flag evaluation requests failed" in f["impact"]
    assert len(f["contributing_factors"]) == 3  # the numbered root-cause list
    statuses = [(a.status, (a.model_extra or {}).get("group", "")) for a in f["action_items"]]
    assert [s for s, g in statuses if g.startswith("Immediate")] == ["done", "done"]
    assert len(statuses) == 9
    # Images and the log excerpt between timeline bullets stay in the body.
    assert "```" in result.body and "<img" in result.body


def test_posthog_twelve_hour_table_with_year_from_the_date_line() -> None:
    name = "2026-01-17-replay-sdk-fetch-wrapper-incident.md"
    result = import_markdown((POSTHOG / name).read_text(encoding="utf-8"), name)
    f = result.fields
    assert f["title"] == "Changes to SDK fetch() wrapper breaking client sites"
    assert f["severity"] == "Critical"
    times = [e.at for e in f["timeline"]]
    assert len(times) == 10
    assert times[0] == datetime(2026, 1, 14, 10, 18, tzinfo=UTC)
    assert times[1] == datetime(2026, 1, 15, 17, 33, tzinfo=UTC)  # 5:33 PM
    assert times[-1] == datetime(2026, 1, 19, 16, 4, tzinfo=UTC)
    first = f["action_items"][0]
    assert first.status == "done" and first.title.startswith("Adding comprehensive")
    assert "pull/2935" in (first.notes or "")
    assert f["lessons"][0].startswith("**Fetch wrapper changes are high-risk:**")


def test_posthog_setext_headings_and_subsection_status() -> None:
    name = "2025-11-15-persons-db-migration.md"
    result = import_markdown((POSTHOG / name).read_text(encoding="utf-8"), name)
    f = result.fields
    assert f["title"].startswith("PostHog Data Processing Delays")
    assert "timeline" not in f  # its timeline section only links to a status page
    assert "### Scope" in f["impact"]
    items = f["action_items"]
    assert [a.status for a in items] == ["done"] * 7 + ["open"] * 4
    assert items[1].title == "Migration to a new partitioned Persons table"
    assert "Ran a backfill script" in (items[1].notes or "")  # bullets under a numbered item
    assert "Root cause analysis\n-------------------" in result.body


@pytest.mark.parametrize("name", sorted(p.name for p in POSTHOG.glob("*.md")))
def test_posthog_nothing_dropped(name: str, assert_nothing_dropped: Checker) -> None:
    text = (POSTHOG / name).read_text(encoding="utf-8")
    result = import_markdown(text, name)
    assert consistency_problems(result.postmortem()) == []
    assert_nothing_dropped(text, result.fields, result.body)


def test_report_names_every_extracted_item() -> None:
    result = import_markdown(BULLETS, "checkout.md")
    topics = {line.split(":")[0] for line in result.report}
    assert {"title", "severity", "stats", "started_at", "detected_at", "summary"} <= topics
    assert {"contributing factors", "action items", "mitigated_at", "resolved_at"} <= topics


def test_offsets_in_times_are_kept() -> None:
    text = (
        "# Y\n\n## Timeline\n\n- 2026-01-02T03:04:00+05:30 start\n- 2026-01-02 03:30 +05:30 alert\n"
    )
    result = import_markdown(text, "y.md")
    ist = timezone(timedelta(hours=5, minutes=30))
    assert [e.at for e in result.fields["timeline"]] == [
        datetime(2026, 1, 2, 3, 4, tzinfo=ist),
        datetime(2026, 1, 2, 3, 30, tzinfo=ist),
    ]


@pytest.mark.parametrize(
    "path",
    sorted(POSTHOG.glob("*.md")) + sorted((POSTHOG.parent / "dfds").glob("PM*.md")),
    ids=lambda p: p.name,
)
def test_body_lines_are_the_authors_lines_unchanged(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    body = import_markdown(text, path.name).body
    original = set(text.splitlines())
    rewritten = [line for line in body.splitlines() if line.strip() and line not in original]
    assert rewritten == []
    # Including trailing spaces, which Markdown reads as a line break.
    if path.name.startswith("PM2019-009"):
        assert "**The underlying issue**:  \n" in body

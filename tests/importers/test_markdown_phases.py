"""The rules that pick the start, detection, mitigation, recovery and resolution rows.

Each test is a small invented timeline (none taken from the DFDS or PostHog files the
rules were measured on), so the rules are checked on words they were not tuned to.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mortem.importers._phases import cues_of, primary
from mortem.importers.markdown import MarkdownImport, import_markdown
from mortem.model import consistency_problems


def table(*rows: tuple[str, str], kind: dict[int, str] | None = None, extra: str = "") -> str:
    """A DFDS-shaped postmortem: a timeline table in UTC, then `extra` text."""
    kinds = kind or {}
    header = (
        "| Time | Event | Kind |\n|---|---|---|\n" if kinds else "| Time | Event |\n|---|---|\n"
    )
    lines = [
        f"| {at} | {text} | {kinds.get(i, '')} |" if kinds else f"| {at} | {text} |"
        for i, (at, text) in enumerate(rows)
    ]
    return (
        "# Invented incident\n\n## Timeline\n\nAll times in UTC.\n\n"
        + header
        + "\n".join(lines)
        + "\n\n"
        + extra
    )


def bullets(day: str, *rows: tuple[str, str]) -> str:
    """A PostHog-shaped postmortem: bold UTC times in bullets, the date in the title."""
    items = "\n".join(f"- **{at} UTC** - {text}" for at, text in rows)
    return f"# Invented incident - {day}\n\n## Timeline\n\n{items}\n"


def imported(text: str) -> MarkdownImport:
    result = import_markdown(text, "invented.md")
    assert consistency_problems(result.postmortem()) == []
    return result


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def minutes(result: MarkdownImport) -> tuple[Any, ...]:
    d = result.derived
    return (d["ttd_minutes"], d["ttm_minutes"], d["ttr_minutes"], d["ttresolve_minutes"])


def test_a_marked_start_wins_over_an_earlier_sign_of_impact() -> None:
    result = imported(
        table(
            ("2026-04-01 10:00", "Cache nodes evicting keys at a high rate"),
            ("2026-04-01 10:05", "**IMPACT BEGINS** checkout errors above 5%"),
            ("2026-04-01 10:09", "Pager alert for checkout errors"),
            ("2026-04-01 10:30", "Checkout error rate back to baseline"),
        )
    )
    assert result.fields["started_at"] == utc("2026-04-01 10:05")
    assert minutes(result) == (4.0, 25.0, 25.0, 25.0)
    assert any("marked as the start" in line for line in result.report)


def test_the_start_is_the_first_sign_of_impact_in_a_cascade() -> None:
    result = imported(
        bullets(
            "May 4, 2026",
            ("14:00", "Queue depth grows on the billing workers"),
            ("14:06", "Config deploy lowers the worker count from 8 to 4"),
            ("14:10", "Invoices start failing to render"),
            ("14:20", "Alert fires for invoice render failures"),
            ("14:45", "Worker count raised back to 8"),
            ("15:02", "Invoices rendering normally"),
        )
    )
    assert result.fields["started_at"] == utc("2026-05-04 14:00")
    assert result.derived["started_by"] == "Queue depth grows on the billing workers"
    assert minutes(result) == (20.0, 45.0, 62.0, 62.0)


def test_without_a_sign_of_impact_the_start_is_the_last_change_before_detection() -> None:
    result = imported(
        table(
            ("2026-02-03 09:00", "Maintenance window opened for the message broker"),
            ("2026-02-03 09:45", "Broker cluster upgraded to 3.12"),
            ("2026-02-03 09:47", "Consumers paged the on-call engineer via the queue alert"),
            ("2026-02-03 10:10", "Broker downgraded to 3.11"),
        )
    )
    assert result.fields["started_at"] == utc("2026-02-03 09:45")
    assert result.derived["ttd_minutes"] == 2.0
    kinds = [e.kind for e in result.fields["timeline"]]
    assert kinds == ["trigger", "trigger", "detection", "resolution"]


def test_a_change_days_before_the_impact_is_not_the_start() -> None:
    result = imported(
        table(
            ("2026-01-05 16:00", "Feature flag defaults changed for all tenants"),
            ("2026-01-09 08:00", "Payments API returns 502 for card payments"),
            ("2026-01-09 08:04", "On-call paged by the payment success monitor"),
            ("2026-01-09 08:30", "Card payments succeeding again"),
        )
    )
    assert result.fields["started_at"] == utc("2026-01-09 08:00")
    assert (result.derived["ttd_minutes"], result.derived["ttr_minutes"]) == (4.0, 30.0)


@pytest.mark.parametrize(
    ("first", "detected", "ttd"),
    [
        # An alert in the first row: people knew from the start.
        ("Alert: disk usage above 95% on db-3", "2026-03-01 10:00", 0.0),
        # A system "reporting" errors is the failure, not anyone noticing it.
        ("Disk on db-3 starts reporting write errors", "2026-03-01 10:20", 20.0),
    ],
)
def test_the_first_row_detects_only_with_words_of_people_learning(
    first: str, detected: str, ttd: float
) -> None:
    result = imported(
        table(
            ("2026-03-01 10:00", first),
            ("2026-03-01 10:20", "On-call paged for replication lag"),
            ("2026-03-01 10:50", "Old WAL files deleted, replication back to normal"),
        )
    )
    assert result.fields["started_at"] == utc("2026-03-01 10:00")
    assert result.fields["detected_at"] == utc(detected)
    assert result.derived["ttd_minutes"] == ttd
    assert result.fields["timeline"][0].kind == ("detection" if ttd == 0 else "trigger")


def test_without_a_detection_row_the_times_count_from_the_first_impact() -> None:
    result = imported(
        table(
            ("2026-06-10 07:00", "Nightly export job started"),
            ("2026-06-10 07:02", "Certificate for the partner API expires"),
            ("2026-06-10 07:40", "Partner API calls restored after the certificate renewal"),
        )
    )
    assert result.fields["started_at"] == utc("2026-06-10 07:02")
    assert result.derived["ttd_minutes"] is None
    assert "detected_at" not in result.fields
    assert result.derived["ttr_minutes"] == 38.0


def test_detection_includes_investigating_and_skips_all_is_well_rows() -> None:
    result = imported(
        table(
            ("2026-07-07 12:00", "Refund service release 9.1 deployed"),
            ("2026-07-07 12:05", "Smoke tests pass, no errors seen"),
            ("2026-07-07 12:30", "Payments team starts investigating slow refunds"),
            ("2026-07-07 12:50", "Release 9.1 reverted"),
        )
    )
    assert result.fields["detected_at"] == utc("2026-07-07 12:30")
    assert result.fields["started_at"] == utc("2026-07-07 12:00")
    assert result.fields["timeline"][1].kind is None


def test_a_system_named_after_reporting_is_not_a_report() -> None:
    result = imported(
        table(
            ("2026-08-01 05:00", "Database password rotated by the vault job"),
            ("2026-08-01 05:01", "Reporting service loses its database connection"),
            ("2026-08-01 06:15", "Finance analysts tell the data team the dashboards are empty"),
            (
                "2026-08-01 06:30",
                "Reporting service restarted with the new password; dashboards loading again",
            ),
        )
    )
    assert result.fields["started_at"] == utc("2026-08-01 05:01")
    assert result.derived["ttd_minutes"] == 74.0
    assert result.derived["ttr_minutes"] == 89.0


def test_recovery_is_when_service_was_back_not_the_action_before_it() -> None:
    result = imported(
        table(
            ("2026-09-09 10:00", "Search release 7.4 rolled out"),
            ("2026-09-09 10:03", "Search latency climbs above 3 seconds"),
            ("2026-09-09 10:10", "Latency alert pages the search on-call"),
            ("2026-09-09 10:30", "Rolled back the search release"),
            ("2026-09-09 10:41", "Search latency back to normal"),
        )
    )
    assert minutes(result) == (7.0, 27.0, 38.0, 38.0)
    assert result.fields["mitigated_at"] == utc("2026-09-09 10:30")
    assert result.fields["resolved_at"] == utc("2026-09-09 10:41")
    assert result.derived["recovered_by"] == "Search latency back to normal"


def test_without_a_statement_recovery_is_the_first_action_that_worked() -> None:
    result = imported(
        bullets(
            "October 2, 2026",
            ("03:00", "Primary region load balancer starts dropping connections"),
            ("03:06", "Availability alert pages on-call"),
            ("03:15", "Restart of the API pods attempted, no effect"),
            ("03:22", "Rollback of the balancer config initiated"),
            ("03:30", "Traffic failed over to the secondary region"),
            ("09:00", "Permanent fix for the balancer config deployed"),
        )
    )
    assert minutes(result) == (6.0, 30.0, 30.0, 360.0)
    kinds = [e.kind for e in result.fields["timeline"]]
    assert kinds == ["trigger", "detection", "action", "action", "mitigation", "resolution"]


def test_a_restoration_that_a_later_row_contradicts_does_not_count() -> None:
    result = imported(
        table(
            ("2026-11-11 11:00", "Checkout requests time out"),
            ("2026-11-11 11:04", "Customers report failed checkouts"),
            ("2026-11-11 11:10", "Connection pool raised; errors stop"),
            ("2026-11-11 11:15", "Errors still occurring for EU customers"),
            ("2026-11-11 11:40", "Database replica promoted; all services healthy"),
        )
    )
    assert result.fields["mitigated_at"] == utc("2026-11-11 11:40")
    assert result.derived["ttr_minutes"] == 40.0


def test_a_restoration_after_the_last_contradiction_still_counts() -> None:
    # Nothing restores service after the later problem, so the recovery stands.
    result = imported(
        table(
            ("2026-11-12 09:00", "Login page returns 500"),
            ("2026-11-12 09:05", "Alert fires on login errors"),
            ("2026-11-12 09:20", "Login working again"),
            ("2026-11-12 13:00", "Unrelated: report generation slow in the afternoon"),
        )
    )
    assert result.derived["ttr_minutes"] == 20.0


def test_resolution_is_the_permanent_fix_after_the_recovery_or_else_the_recovery() -> None:
    rows = [
        ("2026-12-01 08:00", "Image uploads fail with 413"),
        ("2026-12-01 08:12", "Support tickets about failed uploads escalated to on-call"),
        ("2026-12-01 08:30", "Upload size limit raised by hand; uploads working again"),
    ]
    without = imported(table(*rows))
    assert without.derived["ttresolve_minutes"] == without.derived["ttr_minutes"] == 30.0
    fixed = imported(table(*rows, ("2026-12-02 10:00", "Limit made permanent in the chart")))
    assert fixed.derived["ttr_minutes"] == 30.0
    assert fixed.derived["ttresolve_minutes"] == 26 * 60.0
    assert fixed.fields["resolved_at"] == utc("2026-12-02 10:00")
    assert fixed.fields["mitigated_at"] == utc("2026-12-01 08:30")


def test_an_accidental_change_is_the_cause_and_quoted_words_are_not_meant() -> None:
    result = imported(
        table(
            ("2026-02-20 15:00", "Cleanup script accidentally deleted the DNS zone"),
            ("2026-02-20 15:09", "Users report the site cannot be reached"),
            ("2026-02-20 15:20", '"Fix" deployed, site still down'),
            ("2026-02-20 15:45", "DNS zone restored from backup"),
        )
    )
    assert result.fields["started_at"] == utc("2026-02-20 15:00")
    assert result.derived["ttd_minutes"] == 9.0
    assert result.fields["mitigated_at"] == utc("2026-02-20 15:45")
    assert result.fields["timeline"][2].kind != "mitigation"


def test_stated_figures_set_the_fields_but_the_derived_ones_stay_timeline_based() -> None:
    stats = "## Stats\n\n- Time to detection: 10 minutes\n- Time to recovery: 30 minutes\n"
    result = imported(
        table(
            ("2026-05-05 12:00", "Disk full on the build cache"),
            ("2026-05-05 12:04", "First alert on build failures"),
            ("2026-05-05 12:10", "Second alert, from the cache itself"),
            ("2026-05-05 12:30", "Old artifacts purged; builds passing again"),
            extra=stats,
        )
    )
    assert result.stated["ttd_minutes"] == 10.0
    assert result.derived["ttd_minutes"] == 4.0  # the timeline's own reading
    assert result.fields["detected_at"] == utc("2026-05-05 12:10")  # the stated one
    # The kind goes with the front matter: the row at the stated time is the detection.
    kinds = [e.kind for e in result.fields["timeline"]]
    assert kinds == ["trigger", "action", "detection", "resolution"]
    assert any("check which start" in line for line in result.report)


def test_a_kind_column_written_by_the_authors_is_followed() -> None:
    result = imported(
        table(
            ("2026-04-04 09:00", "Vendor changes their token format"),
            ("2026-04-04 09:40", "Ops looks at the SSO graphs"),
            ("2026-04-04 10:15", "Token parser updated"),
            kind={1: "detection", 2: "resolution"},
        )
    )
    assert result.fields["detected_at"] == utc("2026-04-04 09:40")
    assert result.fields["resolved_at"] == utc("2026-04-04 10:15")
    assert [e.kind for e in result.fields["timeline"]][1:] == ["detection", "resolution"]


def test_every_phase_kind_sits_at_its_field() -> None:
    result = imported(
        bullets(
            "March 3, 2026",
            ("07:00", "Schema migration on the events table starts"),
            ("07:05", "Event writes begin timing out"),
            ("07:12", "Incident declared in #incidents"),
            ("07:15", "Status page updated: ingestion delayed"),
            ("07:20", "Migration cancelled"),
            ("07:31", "Writes succeeding again"),
            ("08:00", "Incident closed"),
        )
    )
    events = result.fields["timeline"]
    for kind, name in (
        ("detection", "detected_at"),
        ("mitigation", "mitigated_at"),
        ("resolution", "resolved_at"),
    ):
        assert min(e.at for e in events if e.kind == kind) == result.fields[name]
    assert [e.kind for e in events] == [
        "trigger",
        "trigger",
        "detection",
        "communication",
        "mitigation",
        "mitigation",
        "resolution",
    ]
    assert minutes(result) == (7.0, 15.0, 26.0, 55.0)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("**OUTAGE BEGINS** requests fail", "start"),
        ("Incident closed", "end"),
        ("Issue permanently fixed", "resolution"),
        ("Customers report that checkout works again", "restored"),
        ("Orders flowing normally", "restored"),
        ("Users report 502s on the storefront", "detection"),
        ("The DBA is phoned by the night operator", "detection"),
        ("A merchant emails support about missing payouts", "detection"),
        ("Status page updated with the ETA", "communication"),
        ("Rolled back the release", "mitigation"),
        ("Traffic drained from eu-west", "mitigation"),
        ("Rollback attempted, no effect", "attempt"),
        ("Started looking into the graphs", "investigation"),
        ("Writes begin failing on the primary", "impact"),
        ("Invoices duplicated for 30 customers", "impact"),
        ("Queue depth grows on the billing workers", "impact"),
        ("Release 4.2 deployed", "trigger"),
        ("Feature flag turned on for everyone", "trigger"),
        ("Team lunch", None),
    ],
)
def test_the_strongest_cue_of_a_row(text: str, cue: str | None) -> None:
    assert primary(cues_of(text)) == cue


def test_negated_and_partial_words_do_not_count() -> None:
    assert "restored" not in cues_of("Service not restored yet")
    assert "restored" not in cues_of("Some regions recovered")
    assert "restored" not in cues_of("API no longer available")
    assert "detection" not in cues_of("Functional tests indicate all fine, reported in chat")
    assert "resolution" not in cues_of("Started working on a long-term fix")

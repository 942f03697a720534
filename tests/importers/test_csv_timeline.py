"""The CSV timeline importer: header, zones, kinds and row-numbered errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mortem.errors import NotFoundError, ParseError, UsageError
from mortem.importers.csv_timeline import load_csv_timeline, parse_csv_timeline
from mortem.importers.result import merge_events


def test_reads_rows_converts_to_utc_and_keeps_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "timeline.csv"
    path.write_text(
        "\ufeffTime,Event,Kind,Who\n"
        "2026-03-14T03:51:00+01:00,Latency alert pages on-call,detection,pager\n"
        "2026-03-14 02:47Z,Deploy of build 4411 starts,trigger,\n"
        '2026-03-14 03:12 UTC,"Latency back to normal, incident resolved",Resolution,dana\n'
        "\n",
        encoding="utf-8",
    )
    result = load_csv_timeline(path)
    assert [e.at for e in result.events] == [
        datetime(2026, 3, 14, 2, 47, tzinfo=UTC),
        datetime(2026, 3, 14, 2, 51, tzinfo=UTC),
        datetime(2026, 3, 14, 3, 12, tzinfo=UTC),
    ]
    assert [e.kind for e in result.events] == ["trigger", "detection", "resolution"]
    assert result.events[2].event == "Latency back to normal, incident resolved"
    assert (result.events[1].model_extra or {}).get("who") == "pager"
    assert result.source == "csv:timeline.csv"
    assert all(e.source and e.source.startswith("csv:") for e in result.events)


def test_keys_are_stable_so_reimport_after_inserting_a_row_adds_only_that_row() -> None:
    before = parse_csv_timeline("time,event\n2026-03-14T02:47Z,a\n2026-03-14T03:00Z,c\n")
    after = parse_csv_timeline(
        "time,event\n2026-03-14T02:47Z,a\n2026-03-14T02:50Z,b\n2026-03-14T03:00Z,c\n"
    )
    merged, added = merge_events(list(before.events), after.events)
    assert added == 1
    assert [e.event for e in merged] == ["a", "b", "c"]


def test_time_without_zone_is_an_error_naming_file_line_and_row() -> None:
    text = "time,event\n2026-03-14T02:47Z,ok\n2026-03-14 02:51,no zone here\n"
    with pytest.raises(ParseError) as err:
        parse_csv_timeline(text, "incident.csv")
    message = str(err.value)
    assert message.startswith("incident.csv:3: row 2:")
    assert "no timezone" in message


def test_default_tz_applies_to_naive_times_only() -> None:
    text = "time,event\n2026-07-01 10:00,local summer time\n2026-07-01T10:00Z,explicit utc\n"
    result = parse_csv_timeline(text, default_tz="Europe/Copenhagen")
    assert [e.at.hour for e in result.events] == [8, 10]


def test_unknown_default_tz_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="Mars/Olympus"):
        parse_csv_timeline("time,event\n", default_tz="Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("moment,text\n", "no time or event column"),
        ("time,note\n2026-03-14T02:47Z,x\n", "no event column"),
        ("time,event\nyesterday,x\n", "row 1: cannot read time 'yesterday'"),
        ("time,event\n2026-03-14T02:47Z,   \n", "row 1: the event is empty"),
        ("time,event,kind\n2026-03-14T02:47Z,x,panic\n", "unknown kind 'panic'"),
        ("", "empty file"),
    ],
)
def test_bad_input_gets_a_clear_message(text: str, expected: str) -> None:
    with pytest.raises(ParseError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        parse_csv_timeline(text, "t.csv")


def test_errors_count_lines_through_quoted_newlines() -> None:
    text = 'time,event\n2026-03-14T02:47Z,"two\nlines"\nbad,x\n'
    with pytest.raises(ParseError) as err:
        parse_csv_timeline(text, "t.csv")
    assert str(err.value).startswith("t.csv:4: row 2:")


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_csv_timeline(tmp_path / "nope.csv")

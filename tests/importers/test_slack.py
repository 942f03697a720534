"""Slack workspace exports: folders and real zip files, threads across days, noise."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from mortem.errors import NotFoundError, ParseError, UsageError
from mortem.importers import merge_events
from mortem.importers.result import ImportResult
from mortem.importers.slack import list_channels, parse_slack_export, render_slack_text

EXPORT = Path(__file__).parent / "data" / "slack_export"
D1 = 1736503200  # 2025-01-10 10:00:00 UTC
D2 = 1736589600  # 2025-01-11 10:00:00 UTC
PARENT = f"{D1 + 240}.000100"
TOMBSTONE = f"{D1 + 600}.000700"


def zip_export(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


def by_ts(result: ImportResult) -> dict[str, str]:
    return {(e.source or "").rsplit(":", 1)[1]: e.event for e in result.events}


def test_channel_messages_replies_and_markup() -> None:
    result = parse_slack_export(EXPORT, "inc-checkout")
    assert result.source == "slack:C01INC"
    texts = by_ts(result)
    assert texts == {
        f"{D1 + 120}.000300": "Pager Bot: Latency alert: checkout p99 4.1s",
        PARENT: "alice: @here checkout p99 is 4s, see dashboard (https://grafana.example/d/1) & traces",
        f"{D1 + 300}.000500": "Bob Smith: looking at #general for deploy notes",
        f"{D1 + 420}.000600": "carol: rolling back build 4411",
        f"{D1 + 1000}.000000": "carol: rollback done, @Bob Smith can you check?",
        f"{D1 + 1100}.000000": "alice: latency is dropping",
        f"{D1 + 1200}.000000": "Bob Smith: [file: p99 latency after rollback]",
        f"{D2}.000100": "Bob Smith: @alice fixed: pool size restored, see https://git.example/pr/7",
        f"{D2 + 60}.000200": "alice: the deleted message was a duplicate page",
        f"{D2 + 240}.000000": "alice: @channel postmortem on Monday, owner @Bob Smith",
    }
    times = [e.at for e in result.events]
    assert times == sorted(times)
    assert times[0] == datetime(2025, 1, 10, 10, 2, 0, 300, tzinfo=UTC)


def test_key_messages_are_pins_and_reactions() -> None:
    result = parse_slack_export(EXPORT, "#inc-checkout")
    key = {
        (e.source or "").rsplit(":", 1)[1]: (e.model_extra or {}).get("key_reason")
        for e in result.events
        if (e.model_extra or {}).get("key")
    }
    assert key == {
        f"{D1 + 120}.000300": ":rotating_light:",  # a bot message kept because flagged
        f"{D1 + 420}.000600": "pinned",
        f"{D1 + 1100}.000000": ":+1: x3",  # any reaction from two or more people
        f"{D2}.000100": ":white_check_mark:",
    }
    kinds = {e.kind for e in result.events if (e.model_extra or {}).get("key")}
    assert kinds == {"action"}
    others = {e.kind for e in result.events if not (e.model_extra or {}).get("key")}
    assert others == {"communication"}


def test_thread_replies_across_day_files_point_to_their_parent() -> None:
    result = parse_slack_export(EXPORT, "C01INC")
    threads = {
        (e.source or "").rsplit(":", 1)[1]: (e.model_extra or {}).get("thread")
        for e in result.events
    }
    assert threads[f"{D1 + 300}.000500"] == f"slack:C01INC:{PARENT}"
    assert threads[f"{D2}.000100"] == f"slack:C01INC:{PARENT}"  # stored in the next day
    assert threads[f"{D2 + 60}.000200"] == f"slack:C01INC:{TOMBSTONE}"
    assert threads[PARENT] is None


def test_noise_is_skipped_with_reasons() -> None:
    result = parse_slack_export(EXPORT, "inc-checkout")
    reasons = [s.reason for s in result.skipped]
    assert any("alice joined the channel" in r for r in reasons)
    assert any("carol left the channel" in r for r in reasons)
    assert any(r.startswith("bot message from PagerDuty") for r in reasons)
    assert "deleted message kept only as the parent of a thread" in reasons
    assert "deleted later in the channel" in reasons
    assert "deletion record" in reasons
    assert "edit applied to that message" in reasons
    assert "unknown message subtype 'huddle_thread'" in reasons
    assert len(result.skipped) == 8


def test_include_bots_keeps_bot_messages() -> None:
    result = parse_slack_export(EXPORT, "inc-checkout", include_bots=True)
    assert f"{D1 + 60}.000200" in by_ts(result)
    assert by_ts(result)[f"{D1 + 60}.000200"].startswith("PagerDuty: Triggered #2211")


def test_time_window_is_inclusive_and_reported() -> None:
    start = datetime(2025, 1, 10, 11, 5, tzinfo=timezone(timedelta(hours=1)))  # 10:05 UTC
    end = datetime(2025, 1, 10, 10, 20, tzinfo=UTC)
    result = parse_slack_export(EXPORT, "inc-checkout", start, end)
    assert set(by_ts(result)) == {
        f"{D1 + 300}.000500",
        f"{D1 + 420}.000600",
        f"{D1 + 1000}.000000",
        f"{D1 + 1100}.000000",
        f"{D1 + 1200}.000000",  # exactly at `end`
    }
    windows = [s for s in result.skipped if s.reason == "outside the requested time window"]
    assert [s.item.split()[0] for s in windows] == ["4", "5"]


def test_zip_export_equals_folder_export_even_with_a_top_folder(tmp_path: Path) -> None:
    folder = parse_slack_export(EXPORT, "inc-checkout")
    flat = zip_export(EXPORT, tmp_path / "export.zip")
    nested = zip_export(EXPORT, tmp_path / "nested.zip", prefix="Acme Slack export Jan 10 2025/")
    for archive in (flat, nested):
        zipped = parse_slack_export(archive, "inc-checkout")
        assert zipped.events == folder.events
        assert zipped.skipped == folder.skipped
    assert list_channels(nested) == ["general", "inc-checkout"]


def test_reimport_merges_nothing_new(tmp_path: Path) -> None:
    first = parse_slack_export(EXPORT, "inc-checkout")
    again = parse_slack_export(zip_export(EXPORT, tmp_path / "e.zip"), "inc-checkout")
    merged, added = merge_events(list(first.events), again.events)
    assert added == 0 and len(merged) == len(first.events)


def test_unknown_channel_lists_what_exists() -> None:
    with pytest.raises(NotFoundError, match=r"no channel 'incident-9'.*general, inc-checkout"):
        parse_slack_export(EXPORT, "incident-9")


def test_broken_day_file_names_file_and_line(tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(EXPORT, copy)
    day = copy / "inc-checkout" / "2025-01-11.json"
    day.write_text('[\n {"type": "message", "ts": "1736589600.000100",\n  "text": "x",,}\n]')
    with pytest.raises(ParseError) as err:
        parse_slack_export(copy, "inc-checkout")
    assert str(err.value).startswith(f"{day}:3: invalid JSON")

    day.write_text(json.dumps([{"type": "message", "ts": 1736589600.5, "text": "float ts"}]))
    with pytest.raises(ParseError, match=r"2025-01-11\.json: \[0\]\.ts: ts must be a string"):
        parse_slack_export(copy, "inc-checkout")

    day.write_text(json.dumps({"not": "an array"}))
    with pytest.raises(ParseError, match="JSON array"):
        parse_slack_export(copy, "inc-checkout")


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no timezone"):
        parse_slack_export(EXPORT, "inc-checkout", start=datetime(2025, 1, 10, 10, 0))
    with pytest.raises(NotFoundError):
        parse_slack_export(tmp_path / "missing.zip", "inc-checkout")
    not_zip = tmp_path / "export.zip"
    not_zip.write_text("hello")
    with pytest.raises(ParseError, match="not a zip file"):
        parse_slack_export(not_zip, "inc-checkout")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1> and <@U2|bee>", "@Ann and @Bee"),
        ("<@U9|someone>", "@someone"),
        ("<#C1|ops> <#C2>", "#ops #general"),
        ("<https://x.example/a?b=1&amp;c=2|the doc>", "the doc (https://x.example/a?b=1&c=2)"),
        ("<https://x.example>", "https://x.example"),
        ("<mailto:a@b.example|a@b.example>", "a@b.example"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!subteam^S1|@sre> ping", "@sre ping"),
        ("<!date^1392734382^{date}|Feb 18, 2014>", "Feb 18, 2014"),
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
    ],
)
def test_render_slack_text(text: str, expected: str) -> None:
    users = {"U1": "Ann", "U2": "Bee"}
    channels = {"C2": "general"}
    assert render_slack_text(text, users, channels) == expected

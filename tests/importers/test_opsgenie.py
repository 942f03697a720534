"""Opsgenie alert logs and notes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from mortem.errors import ParseError
from mortem.importers.opsgenie import load_opsgenie_file, parse_opsgenie

FIXTURE = Path(__file__).parent / "data" / "opsgenie" / "alert_checkout.json"
ALERT = "70413a06-38d6-4c85-92b8-5ebc900d42e2"


def fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def at(h: int, m: int, s: int = 0, ms: int = 0) -> datetime:
    return datetime(2026, 3, 14, h, m, s, ms * 1000, tzinfo=UTC)


def test_logs_and_notes_become_events() -> None:
    result = load_opsgenie_file(FIXTURE)
    assert [(e.at, e.kind, e.event) for e in result.events] == [
        (at(2, 47, 10, 1), "trigger", "Alert created via Datadog"),
        (at(2, 51, 30, 1), "detection", "Alert acknowledged via mobile (dana@example.com)"),
        (at(2, 56), "action", "Escalated to [Checkout_Escalation] next level"),
        (
            at(2, 58, 20),
            "action",
            "Note by dana@example.com: Build 4411 halved the DB pool; rolling back.",
        ),
        (at(3, 0, 5), "action", "Alert acknowledged via web (lee@example.com)"),
        (
            at(3, 10),
            "action",
            "Note by lee@example.com: Rollback complete, latency back to normal.",
        ),
        (at(3, 12, 40, 500), "resolution", "Alert closed via web (lee@example.com)"),
    ]
    assert result.events[0].source == f"opsgenie:{ALERT}:log:1773456430001_1773456430001000000"
    assert result.events[3].source == f"opsgenie:{ALERT}:note:1773457100000"
    assert result.fields == {
        "incident_refs": [f"opsgenie:{ALERT}"],
        "title": "Checkout p99 latency above 2s",
        "started_at": at(2, 47, 10, 1),
        "detected_at": at(2, 51, 30, 1),
        "resolved_at": at(3, 12, 40, 500),
        "severity": "P2",
        "tags": ["checkout", "latency"],
    }
    reasons = {s.item.split(": ", 1)[1]: s.reason for s in result.skipped}
    assert set(reasons) == {
        "Sent [email] to dana@example.com",
        "Viewed on [mobile]",
        "Alert count increased by 1 (de-duplicated)",
        "Added note: Build 4411 halved the DB pool; rolling back.",
    }
    assert "notes" in reasons["Added note: Build 4411 halved the DB pool; rolling back."]


def test_without_notes_list_the_note_log_is_an_action() -> None:
    data = fixture()
    result = parse_opsgenie(data["alert"]["data"], data["logs"]["data"])
    notes = [e for e in result.events if "Added note" in e.event]
    assert [e.kind for e in notes] == ["action"]


def test_report_times_fill_in_when_logs_are_trimmed() -> None:
    data = fixture()
    alert = data["alert"]["data"]
    result = parse_opsgenie(alert, [], [])
    # ackTime/closeTime are milliseconds after createdAt.
    assert result.fields["detected_at"] == at(2, 51, 30, 1)
    assert result.fields["resolved_at"] == at(3, 12, 40, 500)
    assert result.events == ()


def test_bad_payloads_say_where(tmp_path: Path) -> None:
    data = fixture()
    with pytest.raises(ParseError, match=r"logs\[1\]\.createdAt"):
        parse_opsgenie(data["alert"]["data"], [data["logs"]["data"][0], {"log": "x"}])
    with pytest.raises(ParseError, match="alert has no id"):
        parse_opsgenie({"message": "no id"}, [])
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps({"alert": {"id": "x"}}))
    with pytest.raises(ParseError, match=r'expected \{"alert"'):
        load_opsgenie_file(path)

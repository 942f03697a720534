"""Opsgenie alert logs and notes, as the Alert API (v2) returns them.

An alert log entry is ``{log, type, owner, createdAt, offset}``: the kind of action is
only in the free text of ``log`` ("Alert acknowledged via web"), so entries are
classified by the verbs Opsgenie uses there. Notes come from their own endpoint as
``{note, owner, createdAt, offset}``.

- "created" -> ``trigger`` and started_at (or the alert's createdAt if earlier)
- the first "acknowledged" -> ``detection`` and detected_at
- "closed" -> ``resolution`` and resolved_at (the last close, as alerts can reopen)
- notes -> ``action`` with the note's text
- escalations, assignments, snoozes, priority changes... -> ``action``
- notifications and views (``alertRecipient`` logs) -> skipped: delivery detail
- de-duplication count increases -> skipped: the same alert firing again

``offset`` is the stable id of a log entry, so event keys are
``opsgenie:<alert id>:log:<offset>`` and ``opsgenie:<alert id>:note:<offset>``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mortem.model import EventKind, TimelineEvent

from ._common import as_dict, as_list, obj, parse_instant, read_json, source_error, text_of
from .result import ImportResult, Skipped

__all__ = ["load_opsgenie_file", "parse_opsgenie"]

_CREATED = re.compile(r"\b(created|opened)\b", re.IGNORECASE)
_ACKED = re.compile(r"(?<!un)\backnowledged\b", re.IGNORECASE)
_CLOSED = re.compile(r"\b(closed|auto-?closed)\b", re.IGNORECASE)
_NOTE = re.compile(r"\bnote\b", re.IGNORECASE)
_DELIVERY = re.compile(
    r"\b(sent|notified|notification|viewed|seen|delivered|received)\b", re.IGNORECASE
)
_DEDUP = re.compile(r"de-?duplicat|\bcount\b.*\b(increased|incremented)\b", re.IGNORECASE)


def _classify(entry: dict[str, Any], have_notes: bool) -> tuple[str, str]:
    """(what, why): what is one of create, ack, close, note, action, skip."""
    text = text_of(entry.get("log"))
    log_type = text_of(entry.get("type"))
    if _CREATED.search(text) and not _NOTE.search(text):
        return "create", ""
    if _CLOSED.search(text):
        return "close", ""
    if _ACKED.search(text):
        return "ack", ""
    if _NOTE.search(text):
        if have_notes:
            return "skip", "the note itself is imported from the alert's notes"
        return "note", ""
    if log_type == "alertRecipient" or _DELIVERY.search(text):
        return "skip", "notification or view by a recipient; delivery detail, not an event"
    if _DEDUP.search(text):
        return "skip", "the same alert firing again (de-duplicated)"
    return "action", ""


def parse_opsgenie(
    alert: dict[str, Any],
    logs: list[dict[str, Any]],
    notes: list[dict[str, Any]] | None = None,
    *,
    where: str = "opsgenie",
) -> ImportResult:
    """Events and fields from one alert, its logs and (optionally) its notes."""
    alert = as_dict(alert, where, "alert")
    alert_id = text_of(alert.get("id"))
    if not alert_id:
        raise source_error(where, "the alert has no id", field="alert.id")
    log_list = as_list(logs, where, "logs")
    note_list = as_list(notes, where, "notes") if notes is not None else []

    rows: list[tuple[datetime, int, str, dict[str, Any]]] = []
    for name, items in (("logs", log_list), ("notes", note_list)):
        for i, raw in enumerate(items):
            entry = as_dict(raw, where, f"{name}[{i}]")
            at = parse_instant(entry.get("createdAt"), where, f"{name}[{i}].createdAt")
            rows.append((at, i, name, entry))
    rows.sort(key=lambda r: (r[0], r[2], r[1]))

    events: list[TimelineEvent] = []
    skipped: list[Skipped] = []
    created: datetime | None = None
    detected: datetime | None = None
    closed: datetime | None = None
    seen: set[str] = set()
    for at, i, name, entry in rows:
        offset = text_of(entry.get("offset")) or f"{at.isoformat()}#{i}"
        key = f"opsgenie:{alert_id}:{'note' if name == 'notes' else 'log'}:{offset}"
        if key in seen:
            continue
        seen.add(key)
        owner = text_of(entry.get("owner"))
        kind: EventKind
        if name == "notes":
            note = text_of(entry.get("note"))
            if not note:
                skipped.append(Skipped(f"note {offset}", "empty note"))
                continue
            text, kind = (f"Note by {owner}: {note}" if owner else f"Note: {note}"), "action"
        else:
            text = text_of(entry.get("log"))
            if not text:
                raise source_error(where, "log entry has no text", field=f"logs[{i}].log")
            what, why = _classify(entry, bool(note_list))
            if what == "skip":
                skipped.append(Skipped(f"log {offset}: {text}", why))
                continue
            if what == "create" and created is None:
                kind, created = "trigger", at
            elif what == "ack":
                kind = "detection" if detected is None else "action"
                detected = detected or at
            elif what == "close":
                kind, closed = "resolution", at
            else:
                kind = "action"
            # Opsgenie names itself "System" as the owner of automatic steps: not a person.
            if (
                owner
                and owner.lower() != "system"
                and owner.lower() not in text.lower()
                and what != "create"
            ):
                text = f"{text} ({owner})"
        events.append(TimelineEvent(at=at, event=text, kind=kind, source=key))

    fields: dict[str, Any] = {"incident_refs": [f"opsgenie:{alert_id}"]}
    title = text_of(alert.get("message"))
    if title:
        fields["title"] = title
    alert_created = (
        parse_instant(alert["createdAt"], where, "alert.createdAt")
        if alert.get("createdAt")
        else None
    )
    starts = [t for t in (created, alert_created) if t]
    if starts:
        fields["started_at"] = min(starts)
    report = obj(alert.get("report"))
    # The report's ackTime/closeTime are milliseconds after creation: use them when
    # the logs were trimmed and no longer show the acknowledgement or the close.
    if detected is None and alert_created and isinstance(report.get("ackTime"), int):
        detected = alert_created + timedelta(milliseconds=report["ackTime"])
    if closed is None and alert_created and isinstance(report.get("closeTime"), int):
        closed = alert_created + timedelta(milliseconds=report["closeTime"])
    if detected:
        fields["detected_at"] = detected
    if closed:
        fields["resolved_at"] = closed
    if text_of(alert.get("priority")):
        fields["severity"] = text_of(alert.get("priority"))
    tags = alert.get("tags")
    if isinstance(tags, list) and tags:
        fields["tags"] = [text_of(t) for t in tags if text_of(t)]
    return ImportResult(
        source=f"opsgenie:{alert_id}",
        events=tuple(sorted(events, key=lambda e: e.at)),
        fields=fields,
        skipped=tuple(skipped),
    )


def _unwrap_list(value: object, where: str, field: str) -> list[Any]:
    # The API wraps lists as {"data": [...], "paging": {...}}; a saved file may have
    # either that or the bare list.
    if isinstance(value, dict) and "data" in value:
        value = value["data"]
    return as_list(value, where, field)


def load_opsgenie_file(path: Path | str) -> ImportResult:
    """Read ``{"alert": {...}, "logs": [...], "notes": [...]}``; each may be an API envelope."""
    file = Path(path)
    shown = str(file)
    data = as_dict(read_json(file), shown, "(top level)")
    if "alert" not in data or "logs" not in data:
        raise source_error(shown, 'expected {"alert": {...}, "logs": [...], "notes": [...]}')
    alert = data["alert"]
    if isinstance(alert, dict) and isinstance(alert.get("data"), dict):
        alert = alert["data"]
    logs = _unwrap_list(data["logs"], shown, "logs")
    notes = _unwrap_list(data["notes"], shown, "notes") if "notes" in data else None
    return parse_opsgenie(as_dict(alert, shown, "alert"), logs, notes, where=shown)
